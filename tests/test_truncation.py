"""Jacobian-based truncation: the Jacobian by backward passes, and what rejecting large stretch removes."""

import numpy as np
import pytest

from scratchgan.engine import nn
from scratchgan.fixes.truncation import jacobian_norms, truncated_sample
from scratchgan.measure.metrics import mode_coverage


def test_jacobian_norms_match_finite_differences():
    rng = np.random.default_rng(0)
    G = nn.mlp([3, 16, 16, 2], rng=rng, activation="tanh", dtype=np.float64)
    z = rng.standard_normal((5, 3))
    eps = 1e-6
    J = np.zeros((5, 2, 3))
    for j in range(3):
        dz = np.zeros_like(z)
        dz[:, j] = eps
        J[:, :, j] = (G.forward(z + dz) - G.forward(z - dz)) / (2 * eps)
    expected = np.sqrt(np.sum(J ** 2, axis=(1, 2)))
    np.testing.assert_allclose(jacobian_norms(G, z), expected, rtol=1e-7)
    assert all(np.all(p.grad == 0) for p in G.parameters())   # parameters' gradients untouched
    # over the first two coordinates only (a latent's continuous part eps, its code after it)
    np.testing.assert_allclose(jacobian_norms(G, z, dims=2), np.sqrt(np.sum(J[:, :, :2] ** 2, axis=(1, 2))),
                               rtol=1e-7)


def test_with_a_latent_code_truncation_thins_each_piece_instead_of_dropping_pieces():
    # G sends piece c of z = (eps, 3 e_c) to the point 4c + eps, but reacts to its code far more steeply
    # (slope 40 against 1 along eps) the larger c is. Over all of z, the Jacobian's norm would rank whole pieces;
    # over eps alone it is 1 everywhere, and truncation keeps every piece in its share.
    from scratchgan.data.latent import CLASS_SCALE, latent_class, sample_latent

    class Coded(nn.Module):
        def forward(self, z):
            self.c = latent_class(z, 1)
            return (z[:, :1] + 4.0 * self.c[:, None] + 40.0 * self.c[:, None] * (z[:, 1:].sum(1, keepdims=True)
                                                                                - CLASS_SCALE)).astype(z.dtype)

        def backward(self, dy):
            dz = np.empty((dy.shape[0], 1 + 4), dtype=dy.dtype)
            dz[:, :1] = dy
            dz[:, 1:] = 40.0 * self.c[:, None] * dy
            return dz

    rng = np.random.default_rng(0)
    noise = lambda m: sample_latent(m, 1, rng, "normal", classes=4)    # noqa: E731
    x, _ = truncated_sample(Coded(), noise, 4000, drop=0.3, dims=1)
    shares = np.bincount(np.round(x[:, 0] / 4).astype(int).clip(0, 3), minlength=4) / len(x)   # piece c at 4c
    assert np.all(np.abs(shares - 0.25) < 0.05), shares
    x_all, _ = truncated_sample(Coded(), noise, 4000, drop=0.3)         # the norm over the code as well
    assert np.mean(x_all[:, 0] > 10) < 0.05                              # piece 3 (around x = 12) is gone


class Step(nn.Module):
    """x = 2 tanh(s z_1): a smooth step from -2 to 2, the 1D picture of a generator bridging two modes."""

    def __init__(self, s):
        self.s = s

    def forward(self, z):
        self.t = np.tanh(self.s * z[:, :1])
        return 2.0 * self.t

    def backward(self, dy):
        return np.concatenate([dy * 2.0 * self.s * (1.0 - self.t ** 2), np.zeros_like(dy)], axis=1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_truncation_removes_the_bridge_between_two_modes(seed):
    rng = np.random.default_rng(seed)
    G = Step(s=10.0)   # |z| < 0.18 lands more than 3 std from both modes: ~14% of z
    centers, std = np.array([[-2.0], [2.0]]), 0.05

    def noise(m):
        return rng.standard_normal((m, 2))

    plain = mode_coverage(G.forward(noise(4000)), centers, std)
    x, _ = truncated_sample(G, noise, 4000, drop=0.2)
    cut = mode_coverage(x, centers, std)
    assert x.shape == (4000, 1)
    assert plain["high_quality"] < 0.9           # the bridge holds a visible share of the samples ...
    assert cut["high_quality"] > 0.99            # ... and dropping the 20% most stretched removes it
    assert cut["reverse_kl"] < 0.01              # symmetric G: both modes keep their weight


def test_drop_zero_is_plain_sampling_and_bad_drop_is_named():
    rng = np.random.default_rng(4)
    G = Step(s=1.0)
    z = rng.standard_normal((10, 2))
    x, _ = truncated_sample(G, lambda m: z[:m], 10, drop=0.0)
    np.testing.assert_array_equal(x, G.forward(z))
    with pytest.raises(ValueError, match="drop must be in"):
        truncated_sample(G, lambda m: z[:m], 10, drop=1.0)
