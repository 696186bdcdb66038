import numpy as np
import pytest

from scratchgan.engine import nn
from scratchgan.game.config import TrainConfig
from scratchgan.game.recipes import default_config, DEFAULT_CONFIGS
from scratchgan.game.trainer import HISTORY_KEYS, Trainer, TrainingDiverged


def tiny(**kw):
    """A small, fast configuration on ring8."""
    fields = dict(data="ring8", steps=30, batch=32, z_dim=4, g_hidden=(16,), d_hidden=(16,), log_every=5)
    fields.update(kw)
    return TrainConfig.of(**fields)


def params(module):
    return [p.data.copy() for p in module.parameters()]


def test_same_seed_same_bits_other_seed_other_bits():
    a, b, c = Trainer(tiny(seed=3)), Trainer(tiny(seed=3)), Trainer(tiny(seed=4))
    for t in (a, b, c):
        t.train(20)
    for pa, pb in zip(params(a.G) + params(a.D), params(b.G) + params(b.D)):
        np.testing.assert_array_equal(pa, pb)
    for key in HISTORY_KEYS:
        assert a.history[key] == b.history[key]
    np.testing.assert_array_equal(a.sample(50), b.sample(50))
    assert not np.array_equal(a.sample(50), c.sample(50))


def test_sampling_and_evaluating_do_not_perturb_training():
    a, b = Trainer(tiny(ema=0.9)), Trainer(tiny(ema=0.9))
    a.train(10)
    a.sample(123)
    a.evaluate()
    a.train(10)
    b.train(20)
    for pa, pb in zip(params(a.G) + params(a.D), params(b.G) + params(b.D)):
        np.testing.assert_array_equal(pa, pb)


def test_history_has_one_entry_per_iteration():
    t = Trainer(tiny(k=2, eval_every=10))
    calls = []
    t.train(30, callback=lambda tr: calls.append(tr.step))
    assert calls == list(range(5, 31, 5))
    for key in HISTORY_KEYS:
        assert len(t.history[key]) == 30 == t.step
    assert t.history["step"] == list(range(1, 31))
    for key in ("d_real", "d_fake"):
        assert all(0.0 <= v <= 1.0 for v in t.history[key])
    assert all(v > 0 for v in t.history["grad_norm_d"] + t.history["grad_norm_g"])
    assert t.history["eval_step"] == [10, 20, 30]
    assert len(t.history["eval_modes"]) == 3 and all(0 <= m <= 8 for m in t.history["eval_modes"])
    # k = 2: two discriminator updates per generator update
    assert t.opt_d.t == 60 and t.opt_g.t == 30


def test_generator_step_leaves_discriminator_untouched():
    t = Trainer(tiny())
    t.train(3)
    snapshot = {}
    d_step = t.opt_d.step

    def recording_step():
        d_step()
        snapshot["data"] = params(t.D)
        snapshot["grad"] = [p.grad.copy() for p in t.D.parameters()]

    t.opt_d.step = recording_step
    g_before = params(t.G)
    t.train_step()
    for p, data, grad in zip(t.D.parameters(), snapshot["data"], snapshot["grad"]):
        np.testing.assert_array_equal(p.data, data)      # G's step changed no D weight ...
        np.testing.assert_array_equal(p.grad, grad)      # ... and added nothing to D's gradients
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, params(t.G)))


class Shift(nn.Module):
    """A one-parameter generator G(z) = z + mu;  dL/dmu = sum_i dL/dG_i."""

    def __init__(self):
        self.mu = nn.Parameter(np.zeros(1, dtype=np.float32), "mu")

    def parameters(self):
        return [self.mu]

    def forward(self, z):
        return z + self.mu.data

    def backward(self, dy):
        self.mu.grad += dy.sum(axis=0)
        return dy


def test_a_single_parameter_generator_learns_the_mean():
    mus = []
    for seed in range(3):
        cfg = TrainConfig.of(data="gaussian", steps=400, batch=128, z_dim=1, d_hidden=(16, 16), lr_d=5e-3,
                          lr_g=2e-2, lr_decay_start=0.5, lr_final=0.05, seed=seed)
        t = Trainer(cfg, G=Shift())
        t.train(cfg.run.steps)
        mus.append(float(t.G.mu.data[0]))
    assert np.all(np.abs(np.array(mus) - 4.0) < 0.15), mus


def test_default_gaussian_run_moves_mean_and_std_to_the_data():
    got = []
    for seed in (0, 1):
        cfg = default_config("gaussian", seed=seed, eval_every=0)
        t = Trainer(cfg)
        x = t.sample(5000)
        assert abs(x.mean() - 4) + abs(x.std() - 0.5) > 0.3     # the untrained G is off
        t.train(cfg.run.steps)
        x = t.sample(20000)
        got.append((x.mean(), x.std()))
    for mean, std in got:
        assert abs(mean - 4.0) < 0.15 and abs(std - 0.5) < 0.1, got


def test_divergence_stops_with_the_step():
    t = Trainer(tiny(lr_d=1e30, lr_g=1e30))
    with pytest.raises(TrainingDiverged, match=r"diverged at step \d+"), np.errstate(all="ignore"):
        t.train(30)
    assert t.step < 30


def test_check_finite_names_the_parameter():
    t = Trainer(tiny())
    t.check_finite()
    t.G.parameters()[1].data[0] = np.nan
    with pytest.raises(TrainingDiverged, match="parameter 1 .* of G"):
        t.check_finite()


def test_learning_rate_schedule():
    t = Trainer(tiny(steps=100, lr_decay_start=0.5, lr_final=0.1))
    assert t.lr_factor(0) == 1.0 and t.lr_factor(50) == 1.0
    assert t.lr_factor(99) == pytest.approx(0.1)
    f = [t.lr_factor(s) for s in range(50, 100)]
    assert all(a >= b for a, b in zip(f, f[1:]))
    t.train(100)
    assert t.opt_g.lr == pytest.approx(0.1 * t.config.game.lr_g)


def test_ema_weights_average_the_generator():
    t = Trainer(tiny(ema=0.9))
    t.train(20)
    assert any(not np.array_equal(a, b) for a, b in zip(params(t.G), params(t.G_ema)))
    assert Trainer(tiny()).G_ema is None


def test_float64_runs_in_float64():
    t = Trainer(tiny(dtype="float64"))
    t.train(3)
    assert t.sample(5).dtype == np.float64 and all(p.data.dtype == np.float64 for p in t.G.parameters())
    t32 = Trainer(tiny())
    t32.train(3)
    assert t32.sample(5).dtype == np.float32 and all(p.data.dtype == np.float32 for p in t32.D.parameters())


@pytest.mark.parametrize("field, value, message", [
    ("steps", 0, "steps must be a positive integer"),
    ("k", -1, "k must be a positive integer"),
    ("batch", 0, "batch must be a positive integer"),
    ("lr_d", 0.0, "lr_d must be a positive number"),
    ("lr_g", float("nan"), "lr_g must be a positive number"),
    ("data", "rings", "unknown dataset 'rings'; choose one of: gaussian"),
    ("loss", "foo", "unknown loss 'foo'"),
    ("ema", 1.0, r"ema must be in \[0, 1\)"),
    ("instance_noise_until", 0.0, r"instance_noise_until must be in \(0, 1\]"),
])
def test_bad_config_is_a_one_line_value_error(field, value, message):
    with pytest.raises(ValueError, match=message) as info:
        tiny(**{field: value}).validate()
    assert "\n" not in str(info.value)


def test_every_dataset_has_a_valid_default():
    from scratchgan.data import DATASETS
    assert set(DEFAULT_CONFIGS) == set(DATASETS)
    for name in DATASETS:
        cfg = default_config(name)
        assert cfg.run.data == name
        t = Trainer(default_config(name, steps=2, batch=8))
        t.train(2)
        assert t.sample(3).shape == (3, t.data.dim)
    with pytest.raises(ValueError, match="unknown training option"):
        default_config("ring8", stepz=3)


@pytest.mark.slow
@pytest.mark.parametrize("data, seed", [("ring8", 10), ("ring8", 11), ("grid25", 10), ("grid25", 11)])
def test_mixture_defaults_meet_the_mode_benchmark_targets_on_unseen_seeds(data, seed):
    # The targets of the mode benchmark (docs/modes.md), on seeds it does not run (1-5), with the protocol's
    # 2,500 samples, for the default recipe as `train` runs it: the generator alone, no filter after training
    # (train_with_restarts trains once: the recipes set no restarts).
    # Issue 22's targets: every mode, as wide as the data's (spread about its own mean: median 0.9-1.1, every
    # mode >= 0.7), with a recipe that is not told the number of modes.
    from scratchgan.measure.metrics import mode_coverage, mode_spread
    from scratchgan.game.run import train_with_restarts
    config = default_config(data, seed=seed, eval_every=0)
    assert (config.sampling.truncation, config.sampling.rejection, config.run.restarts) == (0.0, 0.0, 0)
    assert config.model.latent_classes == 0
    t, _ = train_with_restarts(config)
    x = t.sample(2500)
    cov = mode_coverage(x, t.data.centers, t.data.std)
    min_quality, max_kl = {"ring8": (0.95, 0.01), "grid25": (0.95, 0.02)}[data]
    assert cov["modes"] == len(t.data.centers), cov
    assert cov["high_quality"] >= min_quality and cov["reverse_kl"] <= max_kl, cov
    spread = mode_spread(x, t.data.centers, t.data.std, about="mean")
    assert 0.9 <= spread["median"] <= 1.1 and spread["min"] >= 0.7, spread


@pytest.mark.slow
@pytest.mark.parametrize("seed", [12, 13])
def test_a_mixture_given_as_a_file_meets_the_same_targets(tmp_path, seed):
    # 15 tight Gaussians (std 0.5% of the span) at scattered centres, drawn here, written to a CSV: the
    # recipe comes from the file alone (recipes.table_recipe), and the trainer finds the 15 pieces itself.
    from scratchgan.measure.metrics import mode_coverage, mode_spread
    rng = np.random.default_rng(100 + seed)
    centers = []
    while len(centers) < 15:
        c = rng.uniform(-5, 5, 2)
        if all(np.linalg.norm(c - o) >= 1.2 for o in centers):
            centers.append(c)
    centers = np.array(centers)
    std = 0.005 * float(np.ptp(centers, axis=0).max())
    rows = centers[rng.integers(0, 15, 3000)] + std * rng.standard_normal((3000, 2))
    path = tmp_path / "mixture15.csv"
    np.savetxt(path, rows, delimiter=",")
    t = Trainer(default_config(str(path), seed=seed))
    assert t.config.model.latent_classes == 15
    t.train(t.config.run.steps)
    x = t.sample(2500)
    cov = mode_coverage(x, centers, std)
    assert cov["modes"] == 15 and cov["high_quality"] >= 0.95 and cov["reverse_kl"] <= 0.02, cov
    spread = mode_spread(x, centers, std, about="mean")
    assert 0.9 <= spread["median"] <= 1.1 and spread["min"] >= 0.7, spread
