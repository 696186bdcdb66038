"""The MMD^2 term of G's loss (scratchgan.fixes.mmd): its value against a closed form and against the test statistic
of metrics.mmd_test, its gradient against finite differences, alone and through G, and inside the trainer."""

import math

import numpy as np
import pytest

from scratchgan.data import data_scale
from scratchgan.engine import gradcheck, nn
from scratchgan.engine.gan_backward import generator_backward
from scratchgan.fixes import mmd
from scratchgan.fixes.mmd import MMD_BANDWIDTHS
from scratchgan.game.config import TrainConfig
from scratchgan.game.trainer import Trainer
from scratchgan.measure import metrics
from scratchgan.measure.metrics import knn_bandwidth

F64 = np.float64


def test_value_matches_the_closed_form_for_two_gaussians():
    # x ~ N(0, 1), y ~ N(mu, 1) in 1D, k = exp(-(a - b)^2 / (2 h^2)): a - b ~ N(m, 2) gives
    # E k = h / sqrt(h^2 + 2) exp(-m^2 / (2 (h^2 + 2))), so
    # MMD^2 = 2 h / sqrt(h^2 + 2) (1 - exp(-mu^2 / (2 (h^2 + 2)))).
    rng = np.random.default_rng(0)
    h, mu = 1.0, 1.5
    exact = 2 * h / math.sqrt(h * h + 2) * (1 - math.exp(-mu * mu / (2 * (h * h + 2))))
    values = [mmd.mmd2_and_grad(rng.standard_normal((500, 1)), mu + rng.standard_normal((500, 1)), (h,))[0]
              for _ in range(20)]
    assert abs(np.mean(values) - exact) < 0.01 * exact, (np.mean(values), exact)


def test_value_is_the_statistic_of_the_two_sample_test():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((40, 2)), rng.standard_normal((30, 2)) + 0.3
    stat, _ = metrics.mmd_test(x, y, n_permutations=1, rng=rng, bandwidth=0.7)
    assert mmd.mmd2_and_grad(x, y, (0.7,))[0] == pytest.approx(stat, rel=1e-10)
    # a sum of kernels gives the sum of the statistics
    two = mmd.mmd2_and_grad(x, y, (0.7, 2.0))[0]
    assert two == pytest.approx(stat + metrics.mmd_test(x, y, n_permutations=1, rng=rng, bandwidth=2.0)[0])


def test_value_is_near_zero_for_one_distribution_and_not_for_two():
    rng = np.random.default_rng(2)
    same = [mmd.mmd2_and_grad(rng.standard_normal((200, 2)), rng.standard_normal((200, 2)), (0.5, 1.0))[0]
            for _ in range(20)]
    shifted = mmd.mmd2_and_grad(rng.standard_normal((200, 2)), rng.standard_normal((200, 2)) + 1.0, (0.5, 1.0))[0]
    assert abs(np.mean(same)) < 0.01 < shifted


@pytest.mark.parametrize("bandwidths", [(0.3,), (0.25, 0.5, 1.0)])
def test_gradient_with_respect_to_x(bandwidths):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((9, 2)), rng.standard_normal((7, 2)) + 0.5
    _, grad = mmd.mmd2_and_grad(x, y, bandwidths)
    res = gradcheck.check_function(lambda: mmd.mmd2_and_grad(x, y, bandwidths)[0], {"x": x}, {"x": grad})
    assert res.max_error < 1e-6, str(res)


def test_gradient_through_G_in_data_units():
    rng = np.random.default_rng(4)
    G = nn.mlp([3, 16, 2], rng=rng, activation="tanh", dtype=F64)
    z, x_real = rng.standard_normal((8, 3)), rng.standard_normal((10, 2))
    scale, bws, w = np.array([0.5, 2.0]), (0.25, 1.0), 3.0
    G.zero_grad()
    value = mmd.mmd_generator_backward(G, x_real, z, bws, weight=w, scale=scale)
    loss = lambda: w * mmd.mmd2_and_grad(G.forward(z) / scale, x_real / scale, bws)[0]  # noqa: E731
    assert value == pytest.approx(loss())
    arrays = {f"G.{p.name}{i}": p.data for i, p in enumerate(G.parameters())}
    analytic = {f"G.{p.name}{i}": p.grad.copy() for i, p in enumerate(G.parameters())}
    res = gradcheck.check_function(loss, arrays, analytic)
    assert res.max_error < 1e-6, str(res)


def test_trainer_adds_the_mmd_gradient_to_the_gan_gradient():
    # L_G = nonsaturating(D(G(z))) + w MMD^2(G(z[:m]), x_real), x_real drawn from the training stream:
    # the trainer's gradient must be the derivative of exactly this sum.
    cfg = TrainConfig.of(data="ring8", dtype="float64", z_dim=3, g_hidden=(8,), d_hidden=(8,), batch=16, mmd=2.0,
                      seed=5)
    t = Trainer(cfg)
    z = t.noise(cfg.game.batch)
    state = t.rng.bit_generator.state
    t.G.zero_grad()
    t.generator_step_backward(z)
    analytic = {f"G.{p.name}{i}": p.grad.copy() for i, p in enumerate(t.G.parameters())}
    _, s = data_scale(t.data)

    def loss():
        t.rng.bit_generator.state = state            # the same real batch every evaluation
        x_real = t.real(cfg.game.batch)
        gan = t.objective.g_loss(t.D.forward(t.G.forward(z)))[0]
        return gan + cfg.fixes.mmd * mmd.mmd2_and_grad(t.G.forward(z) / s, x_real / s, MMD_BANDWIDTHS)[0]

    arrays = {f"G.{p.name}{i}": p.data for i, p in enumerate(t.G.parameters())}
    res = gradcheck.check_function(loss, arrays, analytic)
    assert res.max_error < 1e-6, str(res)
    t.G.zero_grad()
    generator_backward(t.G, t.D, t.objective, z)
    without = [p.grad.copy() for p in t.G.parameters()]
    assert any(np.abs(a - b).max() > 1e-6 for a, b in zip(analytic.values(), without)), "the MMD term added nothing"


def test_mmd_term_pulls_samples_into_an_empty_mode():
    # data: two modes at -2 and +2; samples: all at the mode -2. Gradient descent on MMD^2 moves some towards +2.
    rng = np.random.default_rng(6)
    y = np.concatenate([rng.normal(-2, 0.05, (100, 1)), rng.normal(2, 0.05, (100, 1))])
    x = rng.normal(-2, 0.05, (100, 1)) + np.linspace(-1, 1, 100)[:, None]
    _, grad = mmd.mmd2_and_grad(x, y, (1.0, 2.0))
    right = x[:, 0] > -2
    assert np.all(grad[right, 0] < 0), "descent (-grad) must move the right-hand samples to the right"


def test_negative_weight_is_refused_in_one_line():
    with pytest.raises(ValueError, match="mmd must be a number >= 0"):
        TrainConfig.of(mmd=-1.0).validate()
    with pytest.raises(ValueError, match="mmd2_and_grad"):
        mmd.mmd2_and_grad(np.zeros((1, 2)), np.zeros((5, 2)), (1.0,))


def test_the_local_terms_width_is_the_median_kth_neighbour_distance():
    x = np.arange(10.0)[:, None] * np.array([[1.0, 0.0]])       # points 1 apart on a line
    assert knn_bandwidth(x, k=1) == 1.0 and knn_bandwidth(x, k=3) == 2.0      # ends: 3; inside: 2
    rng = np.random.default_rng(5)
    tight = np.concatenate([c + 0.02 * rng.standard_normal((250, 2)) for c in ((0, 0), (3, 0), (0, 3))])
    assert 0.005 < knn_bandwidth(tight, k=mmd.LOCAL_K) < 0.02  # a fraction of the modes' std, not the layout


def test_skipping_far_pairs_changes_nothing_that_counts():
    rng = np.random.default_rng(6)
    x, y = 0.05 * rng.standard_normal((60, 2)), 0.05 * rng.standard_normal((50, 2)) + 3.0
    exact, skipped = mmd.mmd2_and_grad(x, y, (0.05,)), mmd.mmd2_and_grad(x, y, (0.05,), skip_far=True)
    assert skipped[0] == pytest.approx(exact[0], abs=1e-20) and np.allclose(skipped[1], exact[1], atol=1e-20)


def test_the_local_term_widens_a_squeezed_mode():
    """A generator x = s * z (z ~ N(0, I), s per coordinate) starts at a tenth of the data's width, the data one
    tight Gaussian: gradient steps on the local MMD term alone, dL/ds = sum_i dL/dx_i * z_i, reach its width."""
    rng = np.random.default_rng(7)
    data = 0.05 * rng.standard_normal((4000, 2))
    h = knn_bandwidth(data[:2000], k=mmd.LOCAL_K)
    s = np.full(2, 0.005)
    for _ in range(400):
        z = rng.standard_normal((128, 2))
        _, dx = mmd.mmd2_and_grad(s * z, data[rng.integers(0, 4000, 128)], (h,), skip_far=True)
        s -= 1e-3 * (dx * z).sum(axis=0)                         # the gradient grows as 1 / h^2: a small step
    assert np.all((0.045 < s) & (s < 0.055)), s
