"""G's warm start (scratchgan.fixes.warmstart): the affine map's moments, the regression's gradient, and a fitted G
whose samples have the data's mean and covariance."""

import numpy as np
import pytest

from scratchgan.data import data_scale, get_dataset, sample_noise
from scratchgan.engine import gradcheck, nn
from scratchgan.fixes import warmstart
from scratchgan.game.config import TrainConfig
from scratchgan.game.networks import build_generator
from scratchgan.game.recipes import default_config
from scratchgan.game.trainer import Trainer


@pytest.mark.parametrize("name", ["grid25", "ring8", "mixture1d"])
@pytest.mark.parametrize("kind", ["normal", "uniform"])
def test_affine_target_has_the_data_mean_and_covariance(name, kind):
    data = get_dataset(name)
    rng = np.random.default_rng(0)
    target = warmstart.affine_target(data, kind, rng)
    t = target(sample_noise(200000, 3, rng, kind, dtype=np.float64))
    x = data.sample(200000, rng, dtype=np.float64)
    cov_t, cov_x = np.atleast_2d(np.cov(t, rowvar=False)), np.atleast_2d(np.cov(x, rowvar=False))
    assert np.allclose(t.mean(axis=0), x.mean(axis=0), atol=0.03 * np.sqrt(cov_x.max()))
    assert np.allclose(cov_t, cov_x, atol=0.03 * cov_x.max())


def test_regression_gradient_through_G():
    rng = np.random.default_rng(1)
    G = nn.mlp([3, 16, 2], rng=rng, activation="tanh", dtype=np.float64)
    z, target, scale = rng.standard_normal((9, 3)), rng.standard_normal((9, 2)), np.array([0.5, 2.0])
    G.zero_grad()
    value = warmstart.regression_backward(G, z, target, scale)

    def loss():
        r = (G.forward(z) - target) / scale
        return float(np.sum(r * r) / len(z))

    assert value == pytest.approx(loss())
    arrays = {f"G.{p.name}{i}": p.data for i, p in enumerate(G.parameters())}
    analytic = {f"G.{p.name}{i}": p.grad.copy() for i, p in enumerate(G.parameters())}
    res = gradcheck.check_function(loss, arrays, analytic)
    assert res.max_error < 1e-6, str(res)


@pytest.mark.parametrize("name, kind", [("grid25", "uniform"), ("ring8", "normal")])
def test_warm_started_G_spreads_over_the_data_box(name, kind):
    # A fresh G covers a small patch; after the warm start its samples have the data's mean and covariance.
    cfg = default_config(name, noise=kind, seed=3, latent_classes=0, g_init="moments")    # the plain networks
    data, rng = get_dataset(name), np.random.default_rng(3)
    G = build_generator(cfg, data, rng)
    z = sample_noise(20000, cfg.model.z_dim, rng, kind)
    x_data = data.sample(20000, rng, dtype=np.float64)
    cov_data = np.cov(x_data, rowvar=False)
    before = np.cov(G.forward(z), rowvar=False)
    loss = warmstart.warm_start(G, data, cfg.model.z_dim, kind, rng, data_scale(data)[1])
    x = G.forward(z).astype(np.float64)
    assert loss < 0.01
    assert not np.allclose(before, cov_data, rtol=0.1, atol=0.1 * cov_data.max())   # the check can fail
    assert np.allclose(x.mean(axis=0), x_data.mean(axis=0), atol=0.1 * np.sqrt(cov_data.max()))
    assert np.allclose(np.cov(x, rowvar=False), cov_data, rtol=0.1, atol=0.1 * cov_data.max())


def test_trainer_warm_starts_G_only_when_asked():
    base = dict(data="grid25", z_dim=2, noise="uniform", g_hidden=(32,), d_hidden=(32,), ema=0.99, seed=4)
    plain, warm = Trainer(TrainConfig.of(**base)), Trainer(TrainConfig.of(g_init="moments", **base))
    z = sample_noise(5000, 2, np.random.default_rng(0), "uniform")
    cov_data = 8.0 * np.eye(2)                  # each coordinate uniform over {-4, -2, 0, 2, 4}: variance 8
    assert not np.allclose(np.cov(plain.G.forward(z), rowvar=False), cov_data, atol=1.0)
    assert np.allclose(np.cov(warm.G.forward(z), rowvar=False), cov_data, atol=1.0)
    assert np.allclose(warm.G_ema.forward(z), warm.G.forward(z))     # the EMA copy starts from the warm G


def test_bad_settings_are_refused_in_one_line():
    with pytest.raises(ValueError, match="unknown g_init 'pca'"):
        TrainConfig.of(g_init="pca").validate()
    target = warmstart.affine_target(get_dataset("ring8"), "normal", np.random.default_rng(0))
    with pytest.raises(ValueError, match="z_dim 1 is smaller than the data's dimension 2"):
        target(np.zeros((4, 1)))
