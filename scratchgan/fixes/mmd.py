"""The MMD term: maximum mean discrepancy as a loss for G, with its gradient (Li et al. 2015; Dziugaite et al. 2015).

For a kernel k, MMD^2(p, pi) = E k(x, x') + E k(y, y') - 2 E k(x, y), x, x' ~ p and y, y' ~ pi. With a
characteristic kernel (the Gaussian is one) it is 0 only when p = pi, like the JSD the GAN minimises; so
adding it to G's loss keeps the game's optimum at p = pi. What it adds is a pull that does not depend on D:
its witness function f(t) = E_y k(t, y) - E_x k(t, x) = (k * pi)(t) - (k * p)(t) is positive wherever the
kernel-smoothed pi exceeds the kernel-smoothed p, so an empty mode of pi attracts G's samples from as far as
the kernel reaches, even when D has stopped pointing at it (D only sees where p is). metrics.mmd_test uses
the same statistic as a two-sample test.

    k(a, b) = sum_h exp(-||a - b||^2 / (2 h^2))          a sum of Gaussians of bandwidths h

mmd2_and_grad(x, y, bandwidths) gives the unbiased estimate and its gradient with respect to x:

    MMD^2 = 1/(n(n-1)) sum_{i != i'} k(x_i, x_i') + 1/(m(m-1)) sum_{j != j'} k(y_j, y_j') - 2/(nm) sum_ij k(x_i, y_j)

    dk(a, b)/da = -sum_h k_h(a, b) (a - b) / h^2
    dMMD^2/dx_i = -2/(n(n-1)) sum_i' W_ii' (x_i - x_i') + 2/(nm) sum_j V_ij (x_i - y_j),
                  W = sum_h K_h(x, x) / h^2,  V = sum_h K_h(x, y) / h^2
(the 2 in the first term: x_i sits in both slots of the symmetric sum; the y-y term has no x in it).

Two terms use it, with two kinds of kernel:

    MMDTerm        bandwidths 0.25, 0.5, 1 times the data box's scale: wide, it pulls mass between modes
    LocalMMDTerm   one bandwidth h = the data's k-NN distance (metrics.knn_bandwidth, the width at which the
                   run's check sees a squeezed mode): as narrow as the data itself, it sees the shape of each
                   mode, so it pushes G's samples apart inside a mode until they are as spread as the data's. D alone cannot: a mode of std 0.02 in a box of width 5 is below the
                   resolution of D's features, so a G that squeezes every mode to a blob pays nothing for it.

For the narrow kernel, exp(-||a - b||^2 / (2 h^2)) is taken as 0 once its exponent is below -60 (it is then
below 1e-26; skip_far): most pairs are that far apart, and exp of such numbers gives subnormal floats, which
cost ten times more to compute with than they are worth. The wide kernels keep every pair.
"""

import numpy as np

from ..data import data_scale
from ..engine import nn
from ..measure.metrics import knn_bandwidth, squared_distances
from .base import Fix


def _kernels(sq, bandwidths, skip_far=False):
    """(K, W): K = sum_h exp(-sq / (2 h^2)) and W = sum_h exp(-sq / (2 h^2)) / h^2, both shaped like sq.
    skip_far: entries whose exponent is below -60 are 0 (see the module's docstring)."""
    K = np.zeros_like(sq)
    W = np.zeros_like(sq)
    for h in bandwidths:
        exponent = sq * (-0.5 / h ** 2)
        if skip_far:
            k_h = np.exp(exponent, out=np.zeros_like(sq), where=exponent > -60.0)
        else:
            k_h = np.exp(exponent)
        K += k_h
        W += k_h / h ** 2
    return K, W


def mmd2_and_grad(x, y, bandwidths, skip_far=False):
    """(MMD^2, dMMD^2/dx): the unbiased estimate between x: (n, d) (n >= 2) and y: (m, d) (m >= 2), and its
    gradient with respect to x, shape (n, d). bandwidths: a sequence of h > 0 (the kernel sums over them).
    Distances come from metrics.squared_distances (float64, exact per pair), as in metrics.mmd_test."""
    n, m = x.shape[0], y.shape[0]
    if n < 2 or m < 2 or x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"mmd2_and_grad: x (n, d) and y (m, d) with n, m >= 2, got {x.shape} and {y.shape}")
    K_xx, W_xx = _kernels(squared_distances(x, x), bandwidths, skip_far)
    K_yy, _ = _kernels(squared_distances(y, y), bandwidths, skip_far)
    K_xy, W_xy = _kernels(squared_distances(x, y), bandwidths, skip_far)
    diag = float(len(bandwidths))                 # k(a, a) = one per bandwidth, left out of the sums
    mmd2 = ((K_xx.sum() - n * diag) / (n * (n - 1)) + (K_yy.sum() - m * diag) / (m * (m - 1))
            - 2.0 * K_xy.mean())
    # sum_i' W_ii' (x_i - x_i') = x_i * (row sum of W)_i - (W @ x)_i; the diagonal adds x_i - x_i = 0
    pull_x = x * W_xx.sum(axis=1)[:, None] - W_xx @ x
    pull_y = x * W_xy.sum(axis=1)[:, None] - W_xy @ y
    grad = (-2.0 / (n * (n - 1))) * pull_x + (2.0 / (n * m)) * pull_y
    return float(mmd2), grad.astype(x.dtype, copy=False)


def mmd_generator_backward(G, x_real, z, bandwidths, weight=1.0, scale=None, skip_far=False):
    """Add weight * dMMD^2(G(z), x_real)/dtheta into G's .grad and return weight * MMD^2.

    x_real: (m, d), z: (n, z_dim). With scale = s: (d,), distances are measured in units of s (the
    data's box, networks.data_scale), so the same bandwidths suit every dataset; d/dx of u = x / s is 1 / s.
    """
    x = G.forward(z)
    s = np.ones(x.shape[1], dtype=x.dtype) if scale is None else np.asarray(scale, dtype=x.dtype)
    value, du = mmd2_and_grad(x / s, x_real / s, bandwidths, skip_far)
    nn.backward_params_only(G, (weight * du / s).astype(x.dtype, copy=False))
    return weight * value


MMD_BANDWIDTHS = (0.25, 0.5, 1.0)   # the MMD term's kernel widths, in units of the data box's scale
MMD_BATCH = 128                     # its samples of G and of the data per step
LOCAL_K = 20                        # h is the median distance to the k-th nearest neighbour ...
LOCAL_POINTS = 2000                 # ... among this many data points (drawn with their own seed)


class MMDTerm(Fix):
    """+ w MMD^2(G(z_1..m), m fresh data points) on G's clean samples (scratchgan.fixes.mmd), m = MMD_BATCH."""

    name = "mmd"

    def __init__(self, weight):
        self.weight = weight

    def g_terms(self, trainer, z):
        _, s = data_scale(trainer.data)
        m = min(MMD_BATCH, trainer.config.game.batch)
        return mmd_generator_backward(trainer.G, trainer.real(m), z[:m], MMD_BANDWIDTHS, self.weight, s)


class LocalMMDTerm(Fix):
    """+ w MMD^2(G(z_1..m), m fresh data points) with one kernel as wide as the data's k-NN distance: each mode
    keeps the data's width (see the module's docstring). h is measured once, on LOCAL_POINTS data points drawn
    with their own seed, so the training stream is the same with or without it until the first G-step."""

    name = "local_mmd"

    def __init__(self, weight):
        self.weight = weight
        self.h = None

    def g_terms(self, trainer, z):
        if self.h is None:
            self.h = knn_bandwidth(trainer.data.sample(LOCAL_POINTS, np.random.default_rng(LOCAL_K)), LOCAL_K)
        m = min(MMD_BATCH, trainer.config.game.batch)
        return mmd_generator_backward(trainer.G, trainer.real(m), z[:m], (self.h,), self.weight, skip_far=True)
