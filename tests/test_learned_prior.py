"""The learned prior over the latent code's classes (scratchgan/fixes/learned_prior.py): its gradient, its
pruning, its shares on a toy, its settings' checks, and its state in a checkpoint."""

import numpy as np
import pytest

from scratchgan.data import get_dataset
from scratchgan.data.latent import latent_class, sample_latent
from scratchgan.engine import gradcheck
from scratchgan.engine.errors import UsageError
from scratchgan.fixes import learned_prior
from scratchgan.fixes.learned_prior import LearnedPrior, LearnedPriorStep, prior_gradient
from scratchgan.game.checkpoint import load_trainer, read_checkpoint, save_checkpoint
from scratchgan.game.config import TrainConfig
from scratchgan.game.trainer import Trainer
from test_checkpoint import assert_same_state     # the same bit-for-bit comparison, the prior's state included


def test_the_gradient_is_r_minus_qbar_and_passes_the_check():
    rng = np.random.default_rng(0)
    zeta, qbar = rng.standard_normal(7), rng.dirichlet(np.ones(7))
    loss, grad = prior_gradient(zeta, qbar)
    r = np.exp(zeta) / np.exp(zeta).sum()
    assert loss == pytest.approx(-np.sum(qbar * np.log(r)), rel=1e-12)
    np.testing.assert_allclose(grad, r - qbar, atol=1e-15)
    res = gradcheck.check_function(lambda: prior_gradient(zeta, qbar)[0], {"zeta": zeta}, {"zeta": grad})
    assert res.max_error < 1e-7, str(res)
    assert prior_gradient(np.log(qbar), qbar)[1] == pytest.approx(np.zeros(7), abs=1e-15)   # its minimum: r = qbar


def test_sample_latent_draws_the_classes_from_probs():
    rng = np.random.default_rng(1)
    probs = np.array([0.5, 0.0, 0.3, 0.2])
    z = sample_latent(20000, 3, rng, classes=4, probs=probs)
    shares = np.bincount(latent_class(z, 3), minlength=4) / 20000
    assert shares[1] == 0.0 and np.abs(shares - probs).max() < 0.015
    a, b = (sample_latent(50, 3, np.random.default_rng(2), classes=4, probs=p) for p in (None, None))
    np.testing.assert_array_equal(a, b)               # probs=None: the uniform draw, unchanged


class Slots:
    """A stand-in for the Trainer that the prior reads: G sends slot c to a point of its own (slots 0..K-1 to
    the K modes of the toy, the others far from any data), the real data is the K modes with given shares."""

    def __init__(self, C, targets, shares, rng, steps=2000):
        self.config = TrainConfig.of(data="ring8", latent_classes=C, learned_prior=True, z_dim=1, batch=256,
                                     steps=steps).validate()
        self.targets, self.shares, self.rng = targets, shares, rng
        self.data = get_dataset("ring8")
        self.prior = LearnedPrior(C, self.data, rng)
        self.step = 0
        G = self

        class Gen:
            def forward(self, z):
                c = latent_class(z, 1)
                return (G.targets[c] + 0.02 * G.rng.standard_normal((len(c), 2))).astype(np.float32)
        self.G = Gen()

    def noise(self, n, rng=None):
        return sample_latent(n, 1, self.rng, classes=self.prior.C, probs=self.prior.probs())

    def real(self, n):
        k = self.rng.choice(len(self.shares), size=n, p=self.shares)
        return (self.targets[k] + 0.02 * self.rng.standard_normal((n, 2))).astype(np.float32)

    def run(self, steps):
        fix = LearnedPriorStep(self.prior)
        for _ in range(steps):
            fix.end_iteration(self)
            self.step += 1


def toy(C, K, shares, seed=0):
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(C) / C
    targets = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)      # C points on ring8's circle
    return Slots(C, targets, np.r_[shares, np.zeros(C - K)], rng)


def test_a_slot_that_explains_no_data_is_pruned():
    # 4 slots, the data on the first 3: slot 3's log-weight falls by eta every step until it is pruned
    t = toy(4, 3, [0.4, 0.3, 0.3])
    t.run(2000)
    r = t.prior.probs()
    assert not t.prior.alive[3] and r[3] == 0.0 and t.prior.alive[:3].all()
    z = t.noise(1000)
    assert 3 not in latent_class(z, 1)                # a pruned slot is never drawn again


def test_the_shares_converge_to_the_datas():
    shares = np.array([0.5, 0.3, 0.2])
    t = toy(3, 3, shares, seed=1)
    t.run(2000)
    np.testing.assert_allclose(t.prior.probs(), shares, atol=0.03)


def test_the_config_checks_and_the_cross_field_rule():
    with pytest.raises(UsageError, match="learned_prior must be true or false, got 1"):
        TrainConfig.of(learned_prior=1, latent_classes=8).validate()
    with pytest.raises(UsageError, match=r"learned_prior needs a latent code .* latent_classes > 0"):
        TrainConfig.of(learned_prior=True).validate()
    TrainConfig.of(learned_prior=True, latent_classes=8).validate()


def tiny(**kw):
    fields = dict(data="ring8", steps=40, batch=32, z_dim=2, g_hidden=(16,), d_hidden=(16,), log_every=5,
                  eval_every=10, ema=0.9, lr_decay_start=0.5, lr_final=0.1, latent_classes=6, learned_prior=True)
    fields.update(kw)
    return TrainConfig.of(**fields)


def test_a_trainer_with_the_prior_draws_its_classes_and_steps_it():
    t = Trainer(tiny())
    assert any(isinstance(f, LearnedPriorStep) for f in t.fixes)
    t.prior.zeta[:] = [0.0, -50, -50, -50, -50, -50]          # nearly all the weight on class 0
    assert np.all(latent_class(t.noise(100), 2) == 0)
    assert Trainer(tiny(learned_prior=False)).prior is None


def test_resume_with_the_prior_equals_uninterrupted_training(tmp_path, monkeypatch):
    monkeypatch.setattr(learned_prior, "ETA", 0.5)     # the prior moves and prunes within 40 steps
    monkeypatch.setattr(learned_prior, "PRUNE", 0.5)
    whole = Trainer(tiny())
    whole.train(40)
    assert not np.all(whole.prior.zeta == 0) and 0 < whole.prior.alive.sum() < 6

    first = Trainer(tiny())
    first.train(20)
    path = tmp_path / "checkpoint.npz"
    save_checkpoint(first, path)
    resumed = load_trainer(path)
    resumed.train(20)
    assert_same_state(whole, resumed)
    assert {"prior.zeta", "prior.alive", "prior.Q.1", "prior.opt.t"} <= set(read_checkpoint(path))
