"""Restarts: the two-sample check of a finished run (sampling.two_sample_check) and train_with_restarts."""

import numpy as np
import pytest

from scratchgan.data import get_dataset
from scratchgan.game import sampling
from scratchgan.game.config import TrainConfig
from scratchgan.game.run import train_with_restarts
from scratchgan.game.trainer import Trainer

TINY = dict(data="grid25", z_dim=2, noise="uniform", g_hidden=(16,), d_hidden=(16,), steps=5, seed=3)


class FixedSampler(Trainer):
    """A Trainer whose sample() returns points from a given function of (n, rng): the check's input."""

    def __init__(self, config, draw):
        super().__init__(config)
        self.draw = draw

    def sample(self, n, rng=None, *, rejection=True):
        return self.draw(n, rng)


def test_check_accepts_the_data_itself_and_rejects_a_mixture_missing_one_mode():
    cfg = TrainConfig.of(**TINY)
    data = get_dataset("grid25")
    good = FixedSampler(cfg, lambda n, rng: data.sample(n, rng, dtype=np.float64))
    assert not good.two_sample_check()["rejects"]

    def one_mode_empty(n, rng):
        # mode 12 (the centre, 0, 0) gets no samples; its share goes to mode 13 at (0, 2): 24 of 25 modes
        x = data.sample(n, rng, dtype=np.float64)
        at_centre = np.linalg.norm(x, axis=1) < 0.5
        x[at_centre] += np.array([0.0, 2.0])
        return x

    check = FixedSampler(cfg, one_mode_empty).two_sample_check()
    assert check["rejects"] and check["p_value"] <= sampling.CHECK_ALPHA and check["mmd2"] > 0


def squeezed(data, width):
    """A sampler of data's mixture with every mode `width` times as wide: what a generator that squeezes its
    modes draws (issue 22)."""
    def draw(n, rng):
        c = data.centers[rng.integers(0, len(data.centers), n)]
        return c + width * data.std * rng.standard_normal(c.shape)
    return draw


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_check_rejects_a_sampler_whose_modes_are_half_as_wide_which_the_first_test_cannot_see(name):
    cfg = TrainConfig.of(**dict(TINY, data=name))
    check = FixedSampler(cfg, squeezed(get_dataset(name), 0.5)).two_sample_check()
    assert check["rejects"] and check["knn_p_value"] <= sampling.CHECK_ALPHA
    assert check["p_value"] > 0.5             # the width between the modes is blind to the squeeze


def check_rejections(name, draw, seeds):
    return sum(FixedSampler(TrainConfig.of(**dict(TINY, data=name, seed=s)), draw).two_sample_check()["rejects"]
               for s in seeds)


def test_check_on_the_data_itself_rejects_at_most_at_its_level(monkeypatch):
    # each of the two tests has level CHECK_ALPHA = 0.01, so the check's size is at most 0.02: over 20 runs,
    # 2 or more rejections have probability 6% at that size. Fewer points (fast); the thorough test below has
    # the check's own sample size.
    monkeypatch.setattr(sampling, "CHECK_SAMPLES", 500)
    data = get_dataset("grid25")
    assert check_rejections("grid25", lambda n, rng: data.sample(n, rng, dtype=np.float64), range(20)) <= 1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_check_size_and_power_thorough(name):
    from scipy.stats import binom

    data = get_dataset(name)
    reps = 60                                 # two checks a second or so: a few minutes
    rejected = check_rejections(name, lambda n, rng: data.sample(n, rng, dtype=np.float64), range(reps))
    assert rejected <= binom.ppf(0.999, reps, 2 * sampling.CHECK_ALPHA)
    assert check_rejections(name, squeezed(data, 0.5), range(100, 110)) == 10


def test_attempt_zero_is_the_seed_itself_and_a_restart_is_a_fresh_stream():
    w = lambda t: t.G.parameters()[0].data      # noqa: E731
    a0, again, a1 = (Trainer(TrainConfig.of(**TINY, attempt=a)) for a in (0, 0, 1))
    assert np.array_equal(w(a0), w(again))
    assert np.array_equal(w(a0), w(Trainer(TrainConfig.of(**TINY))))
    assert not np.allclose(w(a0), w(a1))


def test_a_rejected_run_is_trained_again_up_to_restarts_times(monkeypatch):
    seen = []

    def always_reject(self):
        seen.append((self.config.run.attempt, self.step))
        return {"mmd2": 1.0, "p_value": 0.005, "rejects": True}

    monkeypatch.setattr(Trainer, "two_sample_check", always_reject)
    restarted = []
    trainer, checks = train_with_restarts(TrainConfig.of(**TINY, restarts=2),
                                          on_restart=lambda t, c: restarted.append((t.config.run.attempt, c["rejects"])))
    assert trainer.step == TINY["steps"]
    assert seen == [(0, 5), (1, 5), (2, 5)] and len(checks) == 3
    assert restarted == [(0, True), (1, True)]


@pytest.mark.parametrize("mmd2s, kept", [((0.3, 0.1, 0.2), 1), ((0.1, 0.3, 0.2), 0), ((0.3, 0.2, 0.1), 2)])
def test_of_the_attempts_the_one_closest_to_the_data_is_kept(monkeypatch, mmd2s, kept):
    monkeypatch.setattr(Trainer, "two_sample_check",
                        lambda self: {"mmd2": mmd2s[self.config.run.attempt], "p_value": 0.005, "rejects": True})
    trainer, checks = train_with_restarts(TrainConfig.of(**TINY, restarts=2))
    assert trainer.config.run.attempt == kept and [c["mmd2"] for c in checks] == list(mmd2s)


def test_an_accepted_run_is_kept_and_no_restarts_means_no_check(monkeypatch):
    monkeypatch.setattr(Trainer, "two_sample_check",
                        lambda self: {"mmd2": 0.0, "p_value": 0.5, "rejects": False})
    trainer, checks = train_with_restarts(TrainConfig.of(**TINY, restarts=3))
    assert trainer.config.run.attempt == 0 and len(checks) == 1

    def must_not_run(self):
        raise AssertionError("restarts=0 must not run the check")

    monkeypatch.setattr(Trainer, "two_sample_check", must_not_run)
    trainer, checks = train_with_restarts(TrainConfig.of(**TINY))
    assert trainer.config.run.attempt == 0 and checks == []


@pytest.mark.parametrize("field, value", [("restarts", -1), ("attempt", 1.5), ("restarts", True)])
def test_bad_counts_are_refused_in_one_line(field, value):
    with pytest.raises(ValueError, match=f"{field} must be a non-negative integer"):
        TrainConfig.of(**{field: value}).validate()


def test_on_a_table_the_check_compares_with_the_held_out_rows(tmp_path):
    # A table of 2,000 rows from 12 tight Gaussians on a 3 x 4 grid. Its source is a perfect sampler of it, yet
    # against a resample of the training rows with replacement (repeated rows) the local test rejected it every
    # time; against the 400 held-out rows it may reject only at the check's level. A sampler whose modes have
    # half the source's width is still rejected.
    rng = np.random.default_rng(0)
    centres = np.stack(np.meshgrid(np.arange(4.0), np.arange(3.0)), axis=-1).reshape(-1, 2)
    std = 0.05

    def source(width):
        return lambda n, r: centres[r.integers(0, 12, n)] + width * std * r.standard_normal((n, 2))

    path = tmp_path / "grid12.csv"
    np.savetxt(path, source(1.0)(2000, rng), delimiter=",")
    cfg = dict(TINY, data=str(path))
    checks = [FixedSampler(TrainConfig.of(**dict(cfg, seed=s)), source(1.0)).two_sample_check() for s in range(10)]
    assert sum(c["rejects"] for c in checks) <= 1
    held = FixedSampler(TrainConfig.of(**cfg), source(1.0)).data.heldout
    assert len(held) == 400
    assert all(FixedSampler(TrainConfig.of(**dict(cfg, seed=s)), source(0.5)).two_sample_check()["rejects"]
               for s in range(5))
