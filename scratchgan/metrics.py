"""Two-sample statistics: how far are the generator's samples from the data, measured without a likelihood?

The lecture's two-sample test: S1 = {x_i} ~ pi(x), S2 = {y_j} ~ p(x | theta),

    H0: pi = p(x | theta)      versus      H1: pi != p(x | theta),

decided by a statistic T(S1, S2) that needs only samples. This module gives several such T, each with a
p-value, plus the mode-counting protocol used on the toy mixtures:

    mode_coverage(samples, centers, std)      modes captured, high-quality fraction, reverse KL of modes
    mmd_test(x, y, rng=...)                   unbiased MMD^2 with an RBF kernel + permutation test
    energy_test(x, y, rng=...)                energy distance + permutation test
    c2st(x, y, rng=...)                       classifier two-sample test: a small discriminator *learns* T
    ks_test(x, y), wasserstein_1d(x, y)       the 1D classics, through scipy.stats

Every sample array has shape (n, d): n points, d dimensions (a 1D array of n numbers is read as (n, 1)).
"""

import numpy as np


def _as_points(name, a, min_n=1):
    """Return `a` as a float array of shape (n, d); a 1D array of n numbers becomes (n, 1)."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name}: expected an array of shape (n, d), got shape {a.shape}")
    if a.shape[0] < min_n:
        raise ValueError(f"{name}: needs at least {min_n} samples, got {a.shape[0]}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return a


def _check_pair(x, y, min_n=2):
    x = _as_points("x", x, min_n)
    y = _as_points("y", y, min_n)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same dimension, got x: {x.shape} and y: {y.shape}")
    return x, y


def squared_distances(a, b):
    """Matrix of squared Euclidean distances ||a_i - b_j||^2 = ||a_i||^2 + ||b_j||^2 - 2 a_i . b_j.

    a: (n, d), b: (m, d) -> (n, m), clipped at 0 (round-off can make the expansion slightly negative).
    """
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    np.maximum(sq, 0.0, out=sq)
    return sq


# ---------------------------------------------------------------------------------------------------------
# Mode coverage (the VEEGAN protocol; Srivastava et al. 2017, reused by PacGAN, Lin et al. 2018)
# ---------------------------------------------------------------------------------------------------------

def mode_coverage(samples, centers, std):
    """Count the modes of a Gaussian mixture that the generator's samples capture.

    samples: (n, d) generated points.  centers: (K, d) the mixture's means.  std: the components' standard
    deviation (a number).

    Each sample is assigned to its nearest centre k(x) = argmin_k ||x - c_k||.
      high_quality  fraction of samples within 3 std of their nearest centre: ||x - c_k(x)|| <= 3 std
      modes         number of centres that are nearest to at least one high-quality sample
      reverse_kl    KL(p_hat || uniform) = sum_k p_k log(p_k / (1/K)) = sum_k p_k log(K p_k), where p_k is
                    the fraction of ALL samples nearest to centre k (0 log 0 = 0). It is 0 when every mode
                    gets its share 1/K, and log K when all samples sit at one mode.

    Returns dict(modes=int, high_quality=float in [0, 1], reverse_kl=float).
    """
    centers = _as_points("centers", centers)
    samples = _as_points("samples", samples)
    if samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples have dimension {samples.shape[1]} but centers have dimension "
                         f"{centers.shape[1]}")
    std = float(std)
    if not std > 0:
        raise ValueError(f"std must be positive, got {std}")
    K, n = centers.shape[0], samples.shape[0]

    sq = squared_distances(samples, centers)                   # (n, K)
    nearest = sq.argmin(axis=1)                                # (n,)
    dist = np.sqrt(sq[np.arange(n), nearest])                  # (n,) distance to the nearest centre
    good = dist <= 3.0 * std                                   # (n,) high-quality samples

    modes = np.unique(nearest[good]).size
    p = np.bincount(nearest, minlength=K) / n                  # (K,) mode histogram over all samples
    nz = p > 0
    reverse_kl = float(np.sum(p[nz] * np.log(K * p[nz])))
    return {"modes": int(modes), "high_quality": float(good.mean()), "reverse_kl": reverse_kl}
