"""Feature matching, historical averaging, instance noise, PacGAN, EMA, weight clipping, BatchNorm."""

import types

import numpy as np
import pytest

from scratchgan.engine import gradcheck, losses, nn
from scratchgan.engine.batchnorm import BatchNorm, dcgan_discriminator, dcgan_generator
from scratchgan.engine.optim import SGD
from scratchgan.fixes import clipping, feature_matching, historical_averaging, instance_noise, packing
from scratchgan.fixes.ema import MovingAverage
from scratchgan.game.recipes import default_config, PRESETS
from scratchgan.game.trainer import Trainer

F64 = np.float64


def grads_of(module):
    return {f"{p.name}{i}": p.grad.copy() for i, p in enumerate(module.parameters())}


def datas_of(module):
    return {f"{p.name}{i}": p.data for i, p in enumerate(module.parameters())}


# --- feature matching -------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("layer", [2, 4])
def test_feature_matching_gradient_through_D_into_G(seed, layer):
    rng = np.random.default_rng(seed)
    G = nn.mlp([4, 16, 16, 2], rng=rng, activation="tanh", dtype=F64)
    # tanh features are bounded, so L stays O(1) and the central difference's round-off (~1e-16 L / eps)
    # stays far below the 1e-6 test; unbounded features only scale that round-off up.
    D = nn.mlp([2, 16, 16, 1], rng=rng, activation="tanh", dtype=F64)
    x_real, z = rng.standard_normal((10, 2)), rng.standard_normal((8, 4))
    G.zero_grad()
    D.zero_grad()
    loss = feature_matching.feature_matching_backward(G, D, x_real, z, layer)
    assert all(not p.grad.any() for p in D.parameters()), "feature matching must not train D"
    d = feature_matching.feature_layers(D, layer)

    def value():
        u = d.forward(x_real).mean(axis=0) - d.forward(G.forward(z)).mean(axis=0)
        return float(u @ u)

    assert loss == pytest.approx(value(), rel=1e-12)
    res = gradcheck.check_function(value, datas_of(G), grads_of(G))
    assert res.max_error < 1e-6, str(res)


def test_feature_matching_is_zero_when_G_reproduces_the_batch():
    rng = np.random.default_rng(3)
    G = nn.Linear(2, 2, rng=rng, dtype=F64)
    G.W.data[...] = np.eye(2)
    D = nn.mlp([2, 8, 1], rng=rng, dtype=F64)
    x = rng.standard_normal((6, 2))
    G.zero_grad()
    assert feature_matching.feature_matching_backward(G, D, x, x.copy()) == pytest.approx(0.0, abs=1e-24)
    assert np.abs(G.W.grad).max() < 1e-12


def test_feature_layer_must_be_intermediate():
    D = nn.mlp([2, 8, 1], rng=np.random.default_rng(0))
    for bad in (0, 3):
        with pytest.raises(ValueError, match="layer must be in"):
            feature_matching.feature_layers(D, bad)


# --- historical averaging ---------------------------------------------------------------------------------

def test_historical_average_is_the_running_mean_and_its_gradient_checks():
    rng = np.random.default_rng(4)
    m = nn.Linear(3, 2, rng=rng, dtype=F64)
    ha = historical_averaging.HistoricalAverage(m.parameters(), weight=0.7)
    seen = [[p.data.copy() for p in m.parameters()]]
    for _ in range(5):
        for p in m.parameters():
            p.data += rng.standard_normal(p.shape)
        ha.update()
        seen.append([p.data.copy() for p in m.parameters()])
    for k, a in enumerate(ha.avg):
        assert np.allclose(a, np.mean([s[k] for s in seen], axis=0))
    m.zero_grad()
    ha.backward()
    avg = [a.copy() for a in ha.avg]

    def value():
        return 0.7 * sum(float(np.sum((p.data - a) ** 2)) for p, a in zip(m.parameters(), avg))

    assert ha.backward() == pytest.approx(value())
    m.zero_grad()
    ha.backward()
    res = gradcheck.check_function(value, datas_of(m), grads_of(m))
    assert res.max_error < 1e-6, str(res)


# --- instance noise ---------------------------------------------------------------------------------------

def test_instance_noise_has_the_requested_scale_and_dtype():
    x = np.zeros((20000, 2), np.float32)
    noisy = instance_noise.add_instance_noise(x, 0.3, np.random.default_rng(5))
    assert noisy.dtype == np.float32
    assert noisy.std() == pytest.approx(0.3, rel=0.03) and abs(noisy.mean()) < 0.01
    assert instance_noise.add_instance_noise(x, 0.0, np.random.default_rng(5)) is x
    assert instance_noise.annealed(0.5, 0, 100) == 0.5 and instance_noise.annealed(0.5, 50, 100) == 0.25
    assert instance_noise.annealed(0.5, 200, 100) == 0.0
    with pytest.raises(ValueError, match="sigma"):
        instance_noise.add_instance_noise(x, -1.0, np.random.default_rng(5))


# --- PacGAN -----------------------------------------------------------------------------------------------

def test_pack_puts_m_consecutive_samples_in_one_row():
    x = np.arange(12.0).reshape(6, 2)
    p = packing.pack(x, 3)
    assert p.shape == (2, 6) and np.array_equal(p[1], [6, 7, 8, 9, 10, 11])
    assert np.array_equal(packing.unpack(p, 3), x)
    with pytest.raises(ValueError, match="divisible"):
        packing.pack(x, 4)


@pytest.mark.parametrize("m", [2, 4])
@pytest.mark.parametrize("seed", [0, 1])
def test_packed_generator_gradient_through_D_into_G(m, seed):
    """G's loss on packs of its samples, through the packed D into G: the unpack is the reshape's backward."""
    from scratchgan.engine.gan_backward import generator_backward
    rng = np.random.default_rng(seed)
    G = nn.mlp([4, 16, 2], rng=rng, activation="tanh", dtype=F64)
    D = packing.Packed(nn.mlp([2 * m, 16, 1], rng=rng, activation="softplus", dtype=F64), m)
    z = rng.standard_normal((8, 4))
    obj = losses.NonSaturating()
    G.zero_grad()
    generator_backward(G, D, obj, z)
    res = gradcheck.check_function(lambda: obj.g_loss(D.forward(G.forward(z)))[0], datas_of(G), grads_of(G))
    assert res.max_error < 1e-6, str(res)


# --- EMA and clipping -------------------------------------------------------------------------------------

def test_ema_follows_the_formula_and_leaves_the_source_alone():
    rng = np.random.default_rng(6)
    G = nn.mlp([2, 4, 2], rng=rng, dtype=F64)
    ema = MovingAverage(G, decay=0.9)
    expected = [p.data.copy() for p in G.parameters()]
    for _ in range(4):
        for p in G.parameters():
            p.data += rng.standard_normal(p.shape)
        ema.update()
        expected = [0.9 * e + 0.1 * p.data for e, p in zip(expected, G.parameters())]
    assert all(np.allclose(a.data, e) for a, e in zip(ema.module.parameters(), expected))
    assert not any(np.shares_memory(a.data, p.data) for a, p in zip(ema.module.parameters(), G.parameters()))
    z = rng.standard_normal((3, 2))
    assert ema(z).shape == (3, 2)
    with pytest.raises(ValueError, match="decay"):
        MovingAverage(G, decay=1.0)


def test_ema_of_a_constant_iterate_is_that_iterate_and_smooths_an_oscillation():
    """Parameters flipping between +1 and -1 each step: the last iterate is +-1, the EMA stays near 0."""
    m = nn.Linear(1, 1, rng=np.random.default_rng(7), dtype=F64)
    ema = MovingAverage(m, decay=0.95)
    for t in range(400):
        m.W.data[...] = 1.0 if t % 2 else -1.0
        ema.update()
    assert abs(ema.module.W.data[0, 0]) < 0.05


def test_clip_weights_bounds_every_entry():
    rng = np.random.default_rng(8)
    D = nn.mlp([2, 8, 1], rng=rng)
    clipping.clip_weights(D.parameters(), 0.01)
    assert all(np.abs(p.data).max() <= 0.01 for p in D.parameters())
    with pytest.raises(ValueError, match="positive"):
        clipping.clip_weights(D.parameters(), 0.0)


# --- BatchNorm and the DCGAN recipe -----------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batchnorm_gradients_in_both_modes(seed):
    rng = np.random.default_rng(seed)
    bn = BatchNorm(4, dtype=F64)
    bn.gamma.data[:] = rng.standard_normal(4)
    bn.beta.data[:] = rng.standard_normal(4)
    x = rng.normal(1.0, 2.0, (7, 4))
    assert gradcheck.check_module(bn, x).max_error < 1e-6
    for _ in range(3):
        bn.forward(rng.normal(1.0, 2.0, (7, 4)))
    bn.eval()
    assert gradcheck.check_module(bn, x).max_error < 1e-6


def test_batchnorm_normalises_and_tracks_running_statistics():
    rng = np.random.default_rng(9)
    bn = BatchNorm(3, momentum=0.1, dtype=F64)
    mu, sd = np.array([1.0, -2.0, 5.0]), np.array([0.5, 2.0, 3.0])
    for _ in range(200):
        y = bn.forward(rng.normal(mu, sd, (64, 3)))
    assert np.allclose(y.mean(axis=0), 0, atol=1e-12) and np.allclose(y.std(axis=0), 1, atol=1e-3)
    assert np.allclose(bn.running_mean, mu, atol=0.3) and np.allclose(np.sqrt(bn.running_var), sd, rtol=0.15)
    bn.eval()
    x = rng.normal(mu, sd, (5, 3))
    assert np.allclose(bn.forward(x), (x - bn.running_mean) / np.sqrt(bn.running_var + bn.eps))
    assert np.allclose(bn.forward(x[:1]), bn.forward(x)[:1])       # eval mode: rows independent


def test_batchnorm_float32_and_errors():
    bn = BatchNorm(3)
    y = bn.forward(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32))
    assert y.dtype == np.float32 and bn.backward(np.ones_like(y)).dtype == np.float32
    with pytest.raises(ValueError, match="at least 2"):
        bn.forward(np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError):
        bn.forward(np.zeros((5, 4), np.float32))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dcgan_recipe_gradients(seed):
    """G: Linear-BatchNorm-ReLU blocks; D: LeakyReLU(0.2), no BatchNorm on the input layer.

    The DCGAN init N(0, 0.02^2) makes BatchNorm's input tiny, and a function of W through BatchNorm has
    curvature ~ 1 / scale^2 (BatchNorm is invariant to W's scale, so its gradient is ~ 1 / scale): central
    differences would be off by ~(eps / scale)^2. Scaling the weights that feed a BatchNorm by 50 leaves G's
    function unchanged (up to BatchNorm's eps) and conditions the check."""
    rng = np.random.default_rng(seed)
    G = dcgan_generator([4, 16, 16, 2], rng=rng, dtype=F64)
    D = dcgan_discriminator([2, 16, 16, 1], rng=rng, dtype=F64, batchnorm=True)
    assert [type(m).__name__ for m in G.layers] == ["Linear", "BatchNorm", "ReLU", "Linear", "BatchNorm", "ReLU",
                                                     "Linear"]
    assert [type(m).__name__ for m in D.layers] == ["Linear", "LeakyReLU", "Linear", "BatchNorm", "LeakyReLU",
                                                     "Linear"]
    z = rng.standard_normal((8, 4))
    before = G.forward(z)
    for layer, following in zip(G.layers, G.layers[1:]):
        if isinstance(following, BatchNorm):
            layer.W.data *= 50.0
    assert np.allclose(G.forward(z), before, atol=0.2 * np.abs(before).max())   # eps vs var ~ 1e-3
    res = gradcheck.check_module(G, z)
    assert res.max_error < 1e-6, str(res)


# --- the switches in the Trainer --------------------------------------------------------------------------

def small_config(**kw):
    base = dict(steps=40, batch=32, z_dim=4, g_hidden=(16,), d_hidden=(16,), dtype="float64", ema=0.0, pack=1,
                pieces=False, local_mmd=0.0)
    base.update(kw)
    return default_config("ring8", **base)


def test_packed_D_in_eval_mode_scores_copies_and_its_gradient_checks():
    rng = np.random.default_rng(10)
    P = packing.Packed(nn.mlp([6, 8, 1], rng=rng, activation="tanh", dtype=F64), 3)
    x = rng.standard_normal((5, 2))
    P.eval()
    assert np.allclose(P.forward(x), P.inner.forward(np.hstack([x, x, x])))
    w = rng.standard_normal((5, 1))
    P.forward(x)
    dx = P.backward(w)
    res = gradcheck.check_function(lambda: float(np.sum(w * P.forward(x))), {"x": x}, {"x": dx})
    assert res.max_error < 1e-6, str(res)


@pytest.mark.parametrize("switch", [dict(penalty="gp", loss="wasserstein"), dict(penalty="r1"),
                                    dict(clip=0.01, loss="wasserstein", optimizer="rmsprop"),
                                    dict(label_smoothing=0.2), dict(instance_noise=0.3), dict(pack=4),
                                    dict(feature_matching=True), dict(hist_avg=0.1), dict(loss="hinge"),
                                    dict(loss="least_squares"), dict(g_batchnorm=True, ema=0.9)])
def test_each_switch_trains_and_moves_both_players(switch):
    tr = Trainer(small_config(**switch))
    G0 = [p.data.copy() for p in tr.G.parameters()]
    D0 = [p.data.copy() for p in tr.D.parameters()]
    tr.train(5)
    assert all(np.isfinite(v) for v in tr.history["loss_d"] + tr.history["loss_g"])
    assert any(not np.array_equal(a, p.data) for a, p in zip(G0, tr.G.parameters()))
    assert any(not np.array_equal(a, p.data) for a, p in zip(D0, tr.D.parameters()))
    assert np.all(np.isfinite(tr.sample(64)))
    if "clip" in switch:
        assert max(np.abs(p.data).max() for p in tr.D.parameters()) <= 0.01


def test_switches_change_the_gradients_they_should():
    """Same seed, same first batch: the penalty changes D's first step only, feature matching G's only."""

    def first_step(**kw):
        tr = Trainer(small_config(**kw))
        tr.train_step()
        return [p.data.copy() for p in tr.G.parameters()], [p.data.copy() for p in tr.D.parameters()]

    G_ref, D_ref = first_step()
    G_r1, D_r1 = first_step(penalty="r1", penalty_weight=5.0)
    assert not all(np.array_equal(a, b) for a, b in zip(D_ref, D_r1))
    G_fm, D_fm = first_step(feature_matching=True)
    assert all(np.array_equal(a, b) for a, b in zip(D_ref, D_fm))
    assert not all(np.array_equal(a, b) for a, b in zip(G_ref, G_fm))


def test_presets_are_the_papers_settings():
    wgan = default_config("ring8", **PRESETS["wgan"]).flat()
    assert (wgan["loss"], wgan["clip"], wgan["k"], wgan["optimizer"], wgan["lr_d"]) == ("wasserstein", 0.01, 5, "rmsprop", 5e-5)
    gp = default_config("ring8", **PRESETS["wgan-gp"]).flat()
    assert (gp["penalty"], gp["penalty_weight"], gp["k"], gp["beta1"], gp["beta2"], gp["lr_g"]) == ("gp", 10.0, 5, 0.0, 0.9, 1e-4)
    tr = Trainer(default_config("ring8", **PRESETS["wgan"]))
    assert isinstance(tr.opt_d, __import__("scratchgan.engine.optim").engine.optim.RMSprop)


@pytest.mark.parametrize("bad, match", [(dict(penalty="gpp"), "unknown penalty"), (dict(clip=-1.0), "clip"),
                                        (dict(pack=3), "divisible"), (dict(optimizer="adagrad"), "optimizer"),
                                        (dict(label_smoothing=0.1, loss="wasserstein"), "cross-entropy"),
                                        (dict(feature_matching=True, pack=2), "do not combine")])
def test_bad_switch_values_are_one_line_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        small_config(**bad)


def setup_from_cli(tmp_path, *argv):
    from scratchgan import cli
    from scratchgan.cli.train import train_setup
    args = cli.build_parser().parse_args(["train", "--data", "ring8", "--out", str(tmp_path), *argv])
    return types.SimpleNamespace(**train_setup(args)[0].config.flat())     # c.loss: the settings by flat name


def test_train_command_line_switches(tmp_path):
    c = setup_from_cli(tmp_path, "--preset", "wgan-gp", "--n-critic", "3", "--lr-g", "3e-4")
    assert (c.loss, c.penalty, c.penalty_weight, c.k, c.beta1, c.lr_d, c.lr_g) == \
        ("wasserstein", "gp", 10.0, 3, 0.0, 1e-4, 3e-4)         # explicit options win over the preset
    c = setup_from_cli(tmp_path, "--loss", "wgan-gp")
    assert (c.loss, c.penalty) == ("wasserstein", "gp")
    c = setup_from_cli(tmp_path, "--loss", "ls", "--pack", "4", "--ema", "0.99", "--instance-noise", "0.2",
                       "--hist-avg", "0.01", "--optimizer", "sgd", "--penalty", "r1", "--penalty-weight", "1")
    assert (c.loss, c.pack, c.ema, c.instance_noise, c.hist_avg, c.optimizer, c.penalty, c.penalty_weight) == \
        ("least_squares", 4, 0.99, 0.2, 0.01, "sgd", "r1", 1.0)
    c = setup_from_cli(tmp_path, "--label-smoothing", "0.1", "--feature-matching", "--clip", "0.05", "--pack", "1")
    assert (c.label_smoothing, c.feature_matching, c.clip) == (0.1, True, 0.05)
    c = setup_from_cli(tmp_path, "--preset", "dcgan")
    assert c.g_batchnorm and c.batch == 128 and c.lr_g == 2e-4 and c.beta1 == 0.5


def test_train_command_line_rejects_bad_switches(tmp_path, capsys):
    from scratchgan import cli
    for argv in (["--penalty", "gq"], ["--pack", "3"], ["--label-smoothing", "0.1", "--loss", "hinge"]):
        assert cli.main(["train", "--data", "ring8", "--steps", "2", "--out", str(tmp_path), *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error:")
