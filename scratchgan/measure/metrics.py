"""Two-sample statistics: how far are the generator's samples from the data, measured without a likelihood?

The lecture's two-sample test: S1 = {x_i} ~ pi(x), S2 = {y_j} ~ p(x | theta),

    H0: pi = p(x | theta)      versus      H1: pi != p(x | theta),

decided by a statistic T(S1, S2) that needs only samples. This module gives several such T, each with a
p-value, plus the mode-counting protocol used on the toy mixtures:

    mode_coverage(samples, centers, std)      modes captured, high-quality fraction, reverse KL of modes
    mode_spread(samples, centers, std)        each mode's width relative to the data's (1: as wide)
    mmd_test(x, y, rng=...)                   unbiased MMD^2 with an RBF kernel + permutation test
                                              (bandwidth="knn": a local width that sees a squeezed mode)
    energy_test(x, y, rng=...)                energy distance + permutation test
    c2st(x, y, rng=...)                       classifier two-sample test: a small discriminator *learns* T
    ks_test(x, y), wasserstein_1d(x, y)       the 1D classics, through scipy.stats

Every sample array has shape (n, d): n points, d dimensions (a 1D array of n numbers is read as (n, 1)).
"""

import fractions
import math

import numpy as np
from scipy.spatial.distance import cdist

from ..engine import gan_backward, losses, nn, optim


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
    """Matrix of squared Euclidean distances ||a_i - b_j||^2.  a: (n, d), b: (m, d) -> (n, m).

    (scipy.spatial.distance.cdist computes each pair exactly; the expansion ||a||^2 + ||b||^2 - 2 a.b would be
    faster but loses digits for nearby points, which the square root of the energy distance magnifies.)
    """
    return cdist(a, b, "sqeuclidean")


def distances(a, b):
    """Matrix of Euclidean distances ||a_i - b_j||.  a: (n, d), b: (m, d) -> (n, m)."""
    return cdist(a, b, "euclidean")


# ---------------------------------------------------------------------------------------------------------
# Mode coverage (the VEEGAN protocol; Srivastava et al. 2017, reused by PacGAN, Lin et al. 2018)
# ---------------------------------------------------------------------------------------------------------

def nearest_centre(samples, centers):
    """(n,) the index of each sample's nearest centre, argmin_k ||x - c_k||: a mixture's classifier."""
    return squared_distances(_as_points("samples", samples), _as_points("centers", centers)).argmin(axis=1)


def assign_to_modes(samples, centers, std):
    """The protocol's assignment, shared by mode_coverage and mode_spread: each sample to its nearest centre, and
    whether it is high quality (within 3 std of it). samples (n, d), centers (K, d), std > 0, checked.

    Returns (samples, centers, std) as arrays and a float, nearest (n,) ints k(x), good (n,) bools."""
    centers = _as_points("centers", centers)
    samples = _as_points("samples", samples)
    if samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples have dimension {samples.shape[1]} but centers have dimension "
                         f"{centers.shape[1]}")
    std = float(std)
    if not std > 0:
        raise ValueError(f"std must be positive, got {std}")
    sq = squared_distances(samples, centers)                   # (n, K)
    nearest = sq.argmin(axis=1)                                # (n,)
    dist = np.sqrt(sq[np.arange(len(samples)), nearest])       # (n,) distance to the nearest centre
    return samples, centers, std, nearest, dist <= 3.0 * std


def mode_coverage(samples, centers, std):
    """Count the modes of a Gaussian mixture that the generator's samples capture.

    samples: (n, d) generated points.  centers: (K, d) the mixture's means.  std: the components' standard
    deviation (a number).

    Each sample is assigned to its nearest centre k(x) = argmin_k ||x - c_k||.
      high_quality  fraction of samples within 3 std of their nearest centre: ||x - c_k(x)|| <= 3 std
      modes         number of centres that are nearest to at least one high-quality sample
      reverse_kl    KL(p_hat || uniform) = sum_k p_k log(p_k / (1/K)) = sum_k p_k log(K p_k), where p_k is
                    the fraction of ALL samples nearest to centre k (0 log 0 = 0). It is 0 when every mode
                    gets its share 1/K, and log K when all samples sit at one mode. The shares of n draws
                    are never exactly even: a perfect sampler scores about (K - 1) / 2n on average.

    Returns dict(modes=int, high_quality=float in [0, 1], reverse_kl=float).
    """
    samples, centers, std, nearest, good = assign_to_modes(samples, centers, std)
    K, n = centers.shape[0], samples.shape[0]
    modes = np.unique(nearest[good]).size
    p = np.bincount(nearest, minlength=K) / n                  # (K,) mode histogram over all samples
    nz = p > 0
    reverse_kl = float(np.sum(p[nz] * np.log(K * p[nz])))
    return {"modes": int(modes), "high_quality": float(good.mean()), "reverse_kl": reverse_kl}


SPREAD_ABOUT = ("centre", "mean")


def mode_spread(samples, centers, std, min_count=10, about="centre"):
    """How wide the generator makes each mode, relative to the data's own width (issue 22).

    samples: (n, d), centers: (K, d), std: the components' common standard deviation sigma.
    Each sample goes to its nearest centre c_k (as in mode_coverage); over the high-quality ones (within
    3 std), the spread of mode k is

        s_k = sqrt( mean ||x - a_k||^2 / d ) / sigma,

    for every mode with at least min_count high-quality samples. The reference point a_k is
      about="centre"   the true centre c_k (the issue's definition);
      about="mean"     the mean of the mode's own high-quality samples: the width alone. A narrow blob that
                       sits beside the centre scores wide around c_k (its offset counts as width: a point
                       mass 0.9 std off the centre scores 0.64), but narrow around its own mean.
    A perfect sampler scores a little under 1, because the 3-std cut trims the tail: in 2D
    ||x - c||^2 / sigma^2 ~ chi^2_2, and E[r^2 | r^2 <= 9] = (2 - 11 e^(-4.5)) / (1 - e^(-4.5)) = 1.899, so
    s = sqrt(1.899 / 2) = 0.974 in the mean (about="mean" a hair less, by (n_k - 1) / n_k in s^2). A generator
    that squeezes a mode towards a point scores far below 1, however high its high quality.

    Returns dict(per_mode=(K,) array, NaN for modes with too few samples, median, min), median and min over
    the modes that count (NaN if none does)."""
    if about not in SPREAD_ABOUT:
        raise ValueError(f"about must be 'centre' or 'mean', got {about!r}")
    samples, centers, std, nearest, good = assign_to_modes(samples, centers, std)
    K, d = centers.shape
    x, k = samples[good], nearest[good]                        # the high-quality samples and their modes
    counts = np.bincount(k, minlength=K)                       # (K,) n_k
    if about == "centre":
        a = centers                                            # (K, d) a_k = c_k
    else:
        a = np.zeros((K, d))
        np.add.at(a, k, x)
        a /= np.maximum(counts, 1)[:, None]                    # (K, d) a_k = the mean of mode k's samples
    sums = np.bincount(k, weights=np.sum((x - a[k]) ** 2, axis=1), minlength=K)   # (K,) sum ||x - a_k||^2
    per_mode = np.full(K, np.nan)
    ok = counts >= min_count
    per_mode[ok] = np.sqrt(sums[ok] / counts[ok] / d) / std
    vals = per_mode[ok]
    return {"per_mode": per_mode, "median": float(np.median(vals)) if vals.size else float("nan"),
            "min": float(vals.min()) if vals.size else float("nan")}


# ---------------------------------------------------------------------------------------------------------
# Kernel two-sample statistics and the permutation test
# ---------------------------------------------------------------------------------------------------------
#
# Both MMD^2 and the energy distance are U-statistics of one symmetric function k on the pooled sample
# z = (x_1..x_m, y_1..y_n), with the pooled N x N matrix K_ij = k(z_i, z_j), N = m + n:
#
#     T = S_xx / (m (m - 1)) + S_yy / (n (n - 1)) - 2 S_xy / (m n)
#
# where S_xx = sum_{i != j, both in x} K_ij, S_yy likewise, and S_xy = sum_{i in x, j in y} K_ij.
# MMD^2 uses the RBF kernel; the energy distance is the same formula with k(a, b) = -||a - b||.
#
# Permutation test. Under H0 the labels "came from x" / "came from y" are exchangeable, so relabelling the
# pooled sample at random gives draws T_1..T_B from T's null distribution. With the labels of all B
# permutations as the rows of a 0/1 matrix A (B, N) (a_b = 1 on the m points labelled x), and K0 = K with a
# zero diagonal, each statistic is a few index sums, all B at once:
#
#     S_xx = a^T K0 a,     S_xy = a^T K0 1 - S_xx,     S_yy = 1^T K0 1 - S_xx - 2 S_xy
#
# which is one (B, N) @ (N, N) product: the kernel matrix is computed once.
# The p-value counts the observed statistic as one of the draws: p = (1 + #{b : T_b >= T_obs}) / (B + 1),
# so it is never 0 and P(p <= alpha) <= alpha exactly under H0.


def _u_statistics(K0, A, m, n):
    """T for every labelling in A.  K0: (N, N) with zero diagonal; A: (B, N) 0/1 rows with m ones -> (B,)."""
    KA = A @ K0                                   # (B, N): row b is a_b^T K0
    s_xx = np.einsum("bi,bi->b", KA, A)           # a^T K0 a
    s_xy = A @ K0.sum(axis=1) - s_xx              # a^T K0 1 - a^T K0 a
    s_yy = K0.sum() - s_xx - 2.0 * s_xy
    return s_xx / (m * (m - 1)) + s_yy / (n * (n - 1)) - 2.0 * s_xy / (m * n)


def _permutation_test(K, m, n, n_permutations, rng):
    """(T_obs, p-value) for the pooled matrix K (N, N) whose first m rows are x."""
    if int(n_permutations) < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_permutations}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    K0 = K.copy()
    np.fill_diagonal(K0, 0.0)
    labels = np.r_[np.ones(m), np.zeros(n)]                                   # (N,) the observed labelling
    t_obs = _u_statistics(K0, labels[None, :], m, n)[0]
    A = rng.permuted(np.tile(labels, (int(n_permutations), 1)), axis=1)       # (B, N) shuffled labellings
    t_perm = _u_statistics(K0, A, m, n)                                       # (B,)
    # a tiny relative slack so that ties with T_obs (e.g. the identity permutation) count as >=
    count = np.sum(t_perm >= t_obs - 1e-12 * max(abs(t_obs), 1e-300))
    return float(t_obs), float((1 + count) / (n_permutations + 1))


def median_bandwidth(z):
    """The median heuristic: sigma = median of ||z_i - z_j|| over all pairs i < j of the pooled sample z (N, d).

    Falls back to the median of the non-zero distances if more than half are 0, and to 1 if all are.
    """
    z = _as_points("z", z, 2)
    d = distances(z, z)[np.triu_indices(z.shape[0], k=1)]
    sigma = np.median(d)
    if sigma == 0:
        sigma = np.median(d[d > 0]) if np.any(d > 0) else 1.0
    return float(sigma)


KNN_K = 20


def knn_bandwidth(z, k=KNN_K):
    """A local kernel width: the median over the pooled sample z (N, d) of each point's distance to its k-th
    nearest neighbour (k = min(k, N - 1)); the median heuristic if that is 0 (many repeated points).

    On a mixture the median heuristic is the distance *between* modes, so an MMD at that width barely sees
    how wide each mode is. This width is a fraction of a mode's: simulated on ring8, grid25 and three other
    mixtures (1,000 points a side, k = 20, a width of 0.4-0.9 std), a sampler whose modes are half the data's
    width was rejected 10 times in 10 at level 0.05 (median heuristic: 0-1 in 10; issue 22). The width
    depends on the pooled sample alone, not on which points came from x, so the permutation test is still
    exact at any level."""
    from scipy.spatial import cKDTree
    z = _as_points("z", z, 2)
    k = min(int(k), z.shape[0] - 1)
    dist, _ = cKDTree(z).query(z, k=k + 1)                      # (N, k + 1): column 0 is the point itself
    h = float(np.median(dist[:, k]))
    return h if h > 0 else median_bandwidth(z)


def rbf_kernel(a, b, sigma):
    """Gaussian kernel matrix k(a_i, b_j) = exp(-||a_i - b_j||^2 / (2 sigma^2)).  a: (n, d), b: (m, d) -> (n, m)."""
    return np.exp(-squared_distances(a, b) / (2.0 * sigma * sigma))


def mmd_test(x, y, *, n_permutations=200, rng, bandwidth=None):
    """Maximum mean discrepancy two-sample test (Gretton et al. 2012) with an RBF kernel.

    x: (m, d) ~ pi,  y: (n, d) ~ p;  m, n >= 2.  bandwidth: sigma of the kernel, a number; None (the
    default): the median heuristic on the pooled sample (median_bandwidth); "knn": the local width of the
    pooled sample (knn_bandwidth), at which the test sees a mode narrower than the data's.

    MMD^2 = E k(X, X') + E k(Y, Y') - 2 E k(X, Y), which is 0 iff pi = p for this kernel. The unbiased
    estimator averages over pairs i != j only, so under H0 its mean is 0 and it is often negative. Its null
    distribution is skewed: in simulations of N(0, I) with 20 to 500 points it was negative 54-67% of the
    time. It is *not* clipped at 0 (clipping would bias it and break the permutation test's symmetry).

    Returns (mmd2, p_value), p from n_permutations random relabellings (see _permutation_test above).
    """
    x, y = _check_pair(x, y)
    z = np.concatenate([x, y])                                   # (N, d) pooled sample
    if bandwidth is None:
        sigma = median_bandwidth(z)
    elif isinstance(bandwidth, str):
        if bandwidth != "knn":
            raise ValueError(f"bandwidth must be a number, None or 'knn', got {bandwidth!r}")
        sigma = knn_bandwidth(z)
    else:
        sigma = float(bandwidth)
    if not sigma > 0:
        raise ValueError(f"bandwidth must be positive, got {bandwidth}")
    K = rbf_kernel(z, z, sigma)                                  # (N, N), computed once
    return _permutation_test(K, x.shape[0], y.shape[0], n_permutations, rng)


def energy_distance(x, y):
    """Energy distance (Szekely & Rizzo) in any dimension, as an unbiased U-statistic:

        E(X, Y) = 2 E||X - Y|| - E||X - X'|| - E||Y - Y'||      (>= 0, and 0 iff pi = p)

    x: (m, d), y: (n, d), m, n >= 2.  E||X - X'|| averages over pairs i != j.  Returns a float.
    """
    x, y = _check_pair(x, y)
    m, n = x.shape[0], y.shape[0]
    e_xy = distances(x, y).mean()
    e_xx = distances(x, x).sum() / (m * (m - 1))   # the diagonal is 0: only i != j counts
    e_yy = distances(y, y).sum() / (n * (n - 1))
    return float(2.0 * e_xy - e_xx - e_yy)


def energy_test(x, y, *, n_permutations=200, rng):
    """Energy-distance two-sample test: the statistic of energy_distance, p-value by permutations.

    x: (m, d), y: (n, d), m, n >= 2.  It is the U-statistic formula above with k(a, b) = -||a - b||
    (energy distance is an MMD with a distance-induced kernel, Sejdinovic et al. 2013).
    Returns (energy, p_value).
    """
    x, y = _check_pair(x, y)
    z = np.concatenate([x, y])
    K = -distances(z, z)
    return _permutation_test(K, x.shape[0], y.shape[0], n_permutations, rng)


# ---------------------------------------------------------------------------------------------------------
# The classifier two-sample test: learn the statistic
# ---------------------------------------------------------------------------------------------------------

def c2st(x, y, *, rng, hidden=32, n_steps=300, batch_size=64, lr=1e-3):
    """Classifier two-sample test (Lopez-Paz & Oquab 2017): a discriminator *learns* the statistic T.

    x: (n, d) ~ pi, y: (n, d) ~ p, the same n >= 4 (equal classes, so chance accuracy is exactly 1/2).

    1. Split each sample in half. On the first halves, train a small scratchgan discriminator
       D = mlp([d, hidden, hidden, 1]) with the GAN discriminator's own loss (binary cross-entropy, x labelled
       real = 1, y fake = 0; gan_backward.discriminator_backward) and Adam, inputs standardised by the training
       half's mean and std.
    2. On the held-out halves (n_test = 2 * (n - n // 2) points, never seen in training), the statistic is
       the accuracy t = (1 / n_test) sum_i 1[(D(z_i) > 1/2) = label_i].
    3. Under H0 the classifier can only guess. The trained D says "real" to a held-out point with some
       probability q, the same for x and y, so the correct count n_test * t is Binomial(n_test / 2, q) +
       Binomial(n_test / 2, 1 - q): mean n_test / 2, variance n_test q (1 - q). That is Binomial(n_test, 1/2)
       only at q = 1/2; otherwise it is less spread out. The one-sided p-value is P(Binomial(n_test, 1/2) >=
       n_test * t) (binomial_tail, exact; scipy.stats.binomtest with alternative="greater" gives the same
       number, but importing scipy.stats takes over a second). So the test is valid but conservative: with
       300 held-out points and alpha = 0.05 its size is 0.047 at q = 1/2, 0.034 at q = 0.7, 0.003 at q = 0.9.

    Returns (accuracy, p_value).
    """
    x, y = _check_pair(x, y, min_n=4)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"c2st needs equal sample sizes (chance accuracy 1/2), got {x.shape[0]} and {y.shape[0]}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    n, d = x.shape
    x = x[rng.permutation(n)]
    y = y[rng.permutation(n)]
    h = n // 2
    x_train, x_test, y_train, y_test = x[:h], x[h:], y[:h], y[h:]

    mean = np.concatenate([x_train, y_train]).mean(0)
    scale = np.concatenate([x_train, y_train]).std(0) + 1e-8

    def standardise(a):
        return ((a - mean) / scale).astype(np.float32)

    x_train, y_train = standardise(x_train), standardise(y_train)
    D = nn.mlp([d, hidden, hidden, 1], rng=rng, activation="leaky_relu")
    objective = losses.Minimax()
    opt = optim.Adam(D.parameters(), lr=lr)
    b = min(batch_size, h)
    for _ in range(int(n_steps)):
        opt.zero_grad()
        gan_backward.discriminator_backward(D, objective, x_train[rng.integers(0, h, b)], y_train[rng.integers(0, h, b)])
        opt.step()

    correct = int(np.sum(D.forward(standardise(x_test)) > 0) + np.sum(D.forward(standardise(y_test)) <= 0))
    n_test = x_test.shape[0] + y_test.shape[0]
    return correct / n_test, binomial_tail(correct, n_test)


def binomial_tail(k, n):
    """P(X >= k) for X ~ Binomial(n, 1/2): sum_{j=k}^{n} C(n, j) / 2^n, summed exactly in integers."""
    if not 0 <= k <= n:
        return 1.0 if k < 0 else 0.0
    return float(fractions.Fraction(sum(math.comb(n, j) for j in range(k, n + 1)), 2 ** n))


# ---------------------------------------------------------------------------------------------------------
# 1D classics, through scipy.stats
# ---------------------------------------------------------------------------------------------------------

def _as_1d(name, a):
    a = _as_points(name, a, 1)
    if a.shape[1] != 1:
        raise ValueError(f"{name}: a 1D test needs shape (n,) or (n, 1), got {a.shape}")
    return a[:, 0]


def ks_test(x, y):
    """Two-sample Kolmogorov-Smirnov test in 1D: D = sup_t |F_x(t) - F_y(t)|.  x: (m,) or (m, 1), y likewise.

    Returns (statistic, p_value) from scipy.stats.ks_2samp.
    """
    from scipy.stats import ks_2samp

    res = ks_2samp(_as_1d("x", x), _as_1d("y", y))
    return float(res.statistic), float(res.pvalue)


def wasserstein_1d(x, y):
    """Wasserstein-1 (earth mover's) distance between two 1D empirical distributions:
    W_1 = integral |F_x(t) - F_y(t)| dt.  x: (m,) or (m, 1), y likewise.  scipy.stats.wasserstein_distance."""
    from scipy.stats import wasserstein_distance

    return float(wasserstein_distance(_as_1d("x", x), _as_1d("y", y)))


# ---------------------------------------------------------------------------------------------------------
# A report for training runs
# ---------------------------------------------------------------------------------------------------------

def two_sample_report(x, y, *, rng, alpha=0.05, n_permutations=200):
    """Decide H0: pi = p(x | theta) at level alpha by MMD at two widths and by C2ST, for a run's metrics.json.

    x: (n, d) data, y: (n, d) generated (equal n for the C2ST).  Returns a dict of plain floats and bools:
    mmd2, mmd_p_value, mmd_rejects_h0 (the median heuristic's width: sees missing or starved modes),
    c2st_accuracy, c2st_p_value, c2st_rejects_h0, knn_mmd2, knn_mmd_p_value, knn_mmd_rejects_h0,
    knn_bandwidth (the local width of knn_bandwidth: sees a mode narrower or wider than the data's), alpha.
    Each test has level alpha on its own; the knn test draws its permutations last, so the others' numbers
    are those of the report without it.
    """
    mmd2, p_mmd = mmd_test(x, y, n_permutations=n_permutations, rng=rng)
    acc, p_c2st = c2st(x, y, rng=rng)
    knn_mmd2, p_knn = mmd_test(x, y, n_permutations=n_permutations, rng=rng, bandwidth="knn")
    return {"alpha": float(alpha),
            "mmd2": mmd2, "mmd_p_value": p_mmd, "mmd_rejects_h0": bool(p_mmd <= alpha),
            "c2st_accuracy": acc, "c2st_p_value": p_c2st, "c2st_rejects_h0": bool(p_c2st <= alpha),
            "knn_mmd2": knn_mmd2, "knn_mmd_p_value": p_knn, "knn_mmd_rejects_h0": bool(p_knn <= alpha),
            "knn_bandwidth": knn_bandwidth(np.concatenate(_check_pair(x, y)))}
