"""Tests of scratchgan.measure.metrics: mode coverage on exact constructed inputs, the two-sample tests' error rates."""

import numpy as np
import pytest

from scratchgan.measure import metrics

# ---------------------------------------------------------------------------------------------------------
# mode_coverage
# ---------------------------------------------------------------------------------------------------------

SQUARE = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])  # K = 4 centres, far apart


def test_mode_coverage_all_modes_uniform():
    # two samples on every centre, each 0.5 std away: every mode captured, all high quality, p uniform
    std = 1.0
    samples = np.repeat(SQUARE, 2, axis=0) + np.array([0.5, 0.0])
    out = metrics.mode_coverage(samples, SQUARE, std)
    assert out["modes"] == 4
    assert out["high_quality"] == 1.0
    assert out["reverse_kl"] == pytest.approx(0.0, abs=1e-12)


def test_mode_coverage_collapse_to_one_mode():
    std = 0.5
    samples = SQUARE[2] + np.zeros((7, 2))
    out = metrics.mode_coverage(samples, SQUARE, std)
    assert out["modes"] == 1
    assert out["high_quality"] == 1.0
    assert out["reverse_kl"] == pytest.approx(np.log(4), rel=1e-12)   # p = (0, 0, 1, 0): 1 * log(4 * 1)


def test_mode_coverage_low_quality_samples_count_in_kl_not_in_modes():
    std = 1.0
    samples = np.array([
        [0.0, 0.0],          # at centre 0, high quality
        [0.0, 2.9],          # 2.9 std from centre 0: high quality
        [10.0, 3.5],         # 3.5 std from centre 1 (nearest): low quality -> mode 1 not captured
        [4.0, 9.0],          # nearest centre 2 at distance sqrt(16 + 1) > 3: low quality
    ])
    out = metrics.mode_coverage(samples, SQUARE, std)
    assert out["modes"] == 1
    assert out["high_quality"] == pytest.approx(0.5)
    # histogram over ALL samples: p = (2/4, 1/4, 1/4, 0)
    p = np.array([0.5, 0.25, 0.25])
    assert out["reverse_kl"] == pytest.approx(np.sum(p * np.log(4 * p)), rel=1e-12)


def test_mode_coverage_boundary_is_three_std_inclusive():
    out = metrics.mode_coverage(np.array([[3.0, 0.0]]), SQUARE, 1.0)
    assert out["modes"] == 1 and out["high_quality"] == 1.0
    out = metrics.mode_coverage(np.array([[3.0001, 0.0]]), SQUARE, 1.0)
    assert out["modes"] == 0 and out["high_quality"] == 0.0


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_a_perfect_samplers_reverse_kl_is_k_minus_1_over_2n(name):
    # docs/modes.md: 2,500 samples of the data itself score reverse KL ~ (K - 1) / 2n and 1 - exp(-9/2) in 3 std
    from scratchgan.data import get_dataset

    data, rng, n = get_dataset(name), np.random.default_rng(0), 2500
    out = [metrics.mode_coverage(data.sample(n, rng), data.centers, data.std) for _ in range(200)]
    k = len(data.centers)
    assert np.mean([o["reverse_kl"] for o in out]) == pytest.approx((k - 1) / (2 * n), rel=0.1)
    assert np.mean([o["high_quality"] for o in out]) == pytest.approx(1 - np.exp(-4.5), abs=5e-4)


def test_mode_coverage_rejects_bad_input():
    with pytest.raises(ValueError, match="dimension"):
        metrics.mode_coverage(np.zeros((5, 3)), SQUARE, 1.0)
    with pytest.raises(ValueError, match="std"):
        metrics.mode_coverage(np.zeros((5, 2)), SQUARE, 0.0)
    with pytest.raises(ValueError, match="samples"):
        metrics.mode_coverage(np.zeros((0, 2)), SQUARE, 1.0)


# ---------------------------------------------------------------------------------------------------------
# mode_spread
# ---------------------------------------------------------------------------------------------------------

def mixture_sample(data, n, rng, width=1.0, offset=0.0):
    """n draws of data's mixture with every mode `width` times as wide and shifted by `offset` std along x."""
    c = data.centers[rng.integers(0, len(data.centers), n)]
    return c + data.std * (width * rng.standard_normal(c.shape) + np.array([offset, 0.0]))


@pytest.mark.parametrize("name", ["ring8", "grid25"])
@pytest.mark.parametrize("about", metrics.SPREAD_ABOUT)
def test_a_perfect_sampler_spreads_its_modes_as_wide_as_the_data(name, about):
    from scratchgan.data import get_dataset

    data = get_dataset(name)
    for seed in range(4):
        out = metrics.mode_spread(data.sample(2500, np.random.default_rng(seed)), data.centers, data.std,
                                  about=about)
        assert 0.93 <= out["median"] <= 1.0 and out["min"] >= 0.8
        assert np.all(np.isfinite(out["per_mode"]))


def test_the_perfect_samplers_mean_spread_is_the_trimmed_chi_square_value():
    # E[r^2 | r^2 <= 9] for r^2 ~ chi^2_2, over d = 2: s^2 = (2 - 11 e^-4.5) / (1 - e^-4.5) / 2 (the docstring)
    rng = np.random.default_rng(0)
    out = metrics.mode_spread(rng.standard_normal((200000, 2)), np.zeros((1, 2)), 1.0)
    s2 = (2 - 11 * np.exp(-4.5)) / (1 - np.exp(-4.5)) / 2
    assert out["median"] == pytest.approx(np.sqrt(s2), abs=3e-3) and out["median"] == pytest.approx(0.974, abs=3e-3)


@pytest.mark.parametrize("about", metrics.SPREAD_ABOUT)
def test_a_half_width_sampler_scores_one_half(about):
    from scratchgan.data import get_dataset

    data, rng = get_dataset("grid25"), np.random.default_rng(1)
    out = metrics.mode_spread(mixture_sample(data, 2500, rng, width=0.5), data.centers, data.std, about=about)
    assert 0.45 <= out["median"] <= 0.52 and out["min"] >= 0.35


def test_an_offset_narrow_blob_is_wide_about_the_centre_and_narrow_about_its_mean():
    # why both definitions exist: around c_k the blob's offset counts as width, around its own mean it does not
    from scratchgan.data import get_dataset

    data, rng = get_dataset("ring8"), np.random.default_rng(2)
    x = mixture_sample(data, 2500, rng, width=0.2, offset=0.9)
    centre = metrics.mode_spread(x, data.centers, data.std, about="centre")
    mean = metrics.mode_spread(x, data.centers, data.std, about="mean")
    assert centre["median"] == pytest.approx(np.sqrt((0.9 ** 2 + 2 * 0.2 ** 2) / 2), abs=0.02)   # 0.66
    assert mean["median"] == pytest.approx(0.2, abs=0.02)


def test_mode_spread_counts_only_modes_with_enough_high_quality_samples():
    std = 1.0
    x = np.concatenate([np.tile([[1.0, 0.0], [-1.0, 0.0]], (5, 1)),      # 10 samples at distance 1 from centre 0
                        np.tile([[10.0, 1.0]], (9, 1)),                   # 9 at centre 1: too few
                        np.tile([[0.0, 5.0]], (50, 1))])                  # low quality: not counted anywhere
    out = metrics.mode_spread(x, SQUARE, std)
    assert out["per_mode"][0] == pytest.approx(np.sqrt(1 / 2)) and np.isnan(out["per_mode"][1:]).all()
    assert out["median"] == out["min"] == pytest.approx(np.sqrt(1 / 2))
    assert metrics.mode_spread(x, SQUARE, std, about="mean")["median"] == pytest.approx(np.sqrt(1 / 2))
    assert np.isnan(metrics.mode_spread(x, SQUARE, std, min_count=11)["median"])
    with pytest.raises(ValueError, match="about"):
        metrics.mode_spread(x, SQUARE, std, about="median")
    with pytest.raises(ValueError, match="std"):
        metrics.mode_spread(x, SQUARE, 0.0)


# ---------------------------------------------------------------------------------------------------------
# The statistics against direct (looped) formulas
# ---------------------------------------------------------------------------------------------------------

def naive_mmd2(x, y, sigma):
    k = lambda a, b: np.exp(-np.sum((a - b) ** 2) / (2 * sigma ** 2))
    m, n = len(x), len(y)
    kxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    kyy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kxy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return kxx + kyy - 2 * kxy


def test_mmd2_matches_the_double_sum_and_median_bandwidth():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((9, 3)), rng.standard_normal((7, 3)) + 0.5
    z = np.concatenate([x, y])
    dists = [np.linalg.norm(z[i] - z[j]) for i in range(len(z)) for j in range(i + 1, len(z))]
    assert metrics.median_bandwidth(z) == pytest.approx(np.median(dists), rel=1e-12)
    mmd2, _ = metrics.mmd_test(x, y, n_permutations=10, rng=rng)
    assert mmd2 == pytest.approx(naive_mmd2(x, y, np.median(dists)), rel=1e-10)
    mmd2, _ = metrics.mmd_test(x, y, n_permutations=10, rng=rng, bandwidth=0.7)
    assert mmd2 == pytest.approx(naive_mmd2(x, y, 0.7), rel=1e-10)


def test_energy_matches_the_double_sum_and_scipy_in_1d():
    from scipy.stats import energy_distance as scipy_energy

    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((8, 2)), rng.standard_normal((6, 2)) * 2
    m, n = len(x), len(y)
    exy = np.mean([np.linalg.norm(a - b) for a in x for b in y])
    exx = sum(np.linalg.norm(x[i] - x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    eyy = sum(np.linalg.norm(y[i] - y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    e, _ = metrics.energy_test(x, y, n_permutations=10, rng=rng)
    assert e == pytest.approx(2 * exy - exx - eyy, rel=1e-10)
    assert metrics.energy_distance(x, y) == pytest.approx(e, rel=1e-10)
    # scipy's 1D energy distance is the V-statistic sqrt(2 E|X-Y| - E|X-X'| - E|Y-Y'|) with the i = j terms
    # included, i.e. the U-statistics' within-sample means scaled by (m - 1)/m and (n - 1)/n
    x1, y1 = x[:, 0], y[:, 0]
    exx1 = np.abs(x1[:, None] - x1[None, :]).sum() / (m * (m - 1))
    eyy1 = np.abs(y1[:, None] - y1[None, :]).sum() / (n * (n - 1))
    v_stat = metrics.energy_distance(x1, y1) + exx1 / m + eyy1 / n
    assert v_stat == pytest.approx(scipy_energy(x1, y1) ** 2, rel=1e-10)


def test_vectorised_permutation_statistics_equal_relabelled_recomputation():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((6, 2)), rng.standard_normal((5, 2))
    z = np.concatenate([x, y])
    K = -metrics.distances(z, z)
    np.fill_diagonal(K, 0.0)
    labels = np.r_[np.ones(6), np.zeros(5)]
    A = rng.permuted(np.tile(labels, (20, 1)), axis=1)
    fast = metrics._u_statistics(K, A, 6, 5)
    slow = [metrics.energy_distance(z[a == 1], z[a == 0]) for a in A]
    np.testing.assert_allclose(fast, slow, rtol=1e-10)


def test_p_value_is_one_plus_count_over_b_plus_one():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((30, 2)), rng.standard_normal((30, 2)) + 3.0   # far apart: T_obs is the max
    for test in (metrics.mmd_test, metrics.energy_test):
        _, p = test(x, y, n_permutations=99, rng=rng)
        assert p == pytest.approx(1 / 100)
        _, p = test(x, x.copy(), n_permutations=99, rng=rng)
        assert 0 < p <= 1 and (p * 100) == pytest.approx(round(p * 100))


def test_mmd2_is_not_clipped_and_unbiased_under_h0():
    rng = np.random.default_rng(5)
    vals = np.array([metrics.mmd_test(rng.standard_normal((20, 2)), rng.standard_normal((20, 2)),
                                      n_permutations=1, rng=rng)[0] for _ in range(300)])
    assert np.mean(vals < 0) > 0.2                       # negative values are reported as they are
    assert abs(vals.mean()) < 4 * vals.std() / np.sqrt(len(vals))


def test_mmd2_null_distribution_is_skewed_negative_more_than_half_the_time():
    # mmd_test's docstring: mean 0 under H0, but negative more often than not (0.59-0.61 over seeds 0-3 here)
    rng = np.random.default_rng(0)
    vals = np.array([metrics.mmd_test(rng.standard_normal((20, 2)), rng.standard_normal((20, 2)),
                                      n_permutations=1, rng=rng)[0] for _ in range(1000)])
    assert 0.55 < np.mean(vals < 0) < 0.7
    assert np.median(vals) < 0


def test_bad_input_raises_one_line_value_errors():
    rng = np.random.default_rng(0)
    for f in (metrics.mmd_test, metrics.energy_test, metrics.c2st):
        with pytest.raises(ValueError, match="same dimension"):
            f(np.zeros((10, 2)), np.zeros((10, 3)), rng=rng)
        with pytest.raises(ValueError, match="at least"):
            f(np.zeros((1, 2)), np.zeros((10, 2)), rng=rng)
        with pytest.raises(ValueError, match="shape"):
            f(np.zeros((4, 2, 2)), np.zeros((10, 2)), rng=rng)
    with pytest.raises(ValueError, match="equal sample sizes"):
        metrics.c2st(np.zeros((10, 2)), np.zeros((12, 2)), rng=rng)
    with pytest.raises(ValueError, match="1D"):
        metrics.ks_test(np.zeros((10, 2)), np.zeros((10, 2)))


def test_1d_classics_through_scipy():
    rng = np.random.default_rng(6)
    x = rng.standard_normal(400)
    assert metrics.wasserstein_1d(x, x + 1.5) == pytest.approx(1.5, rel=1e-9)   # a shift moves every unit by 1.5
    stat, p = metrics.ks_test(x, x + 1.5)
    assert p < 1e-6 and stat > 0.4
    stat, p = metrics.ks_test(x, rng.standard_normal(400))
    assert stat < 0.15


# ---------------------------------------------------------------------------------------------------------
# Error rates: under H0 the rejection rate is alpha (within a binomial band), under a clear H1 near 1
# ---------------------------------------------------------------------------------------------------------

ALPHA = 0.05


def rejection_rate(test, sampler, reps, rng, **kw):
    rejections = 0
    for _ in range(reps):
        x, y = sampler(rng)
        rejections += test(x, y, rng=rng, **kw)[1] <= ALPHA
    return rejections / reps


def binomial_band(reps, level=0.999):
    """The central `level` interval of the rejection rate of a test of exact size ALPHA over `reps` runs."""
    from scipy.stats import binom

    lo, hi = binom.interval(level, reps, ALPHA)
    return lo / reps, hi / reps


def h0_sampler(n, d):
    return lambda rng: (rng.standard_normal((n, d)), rng.standard_normal((n, d)))


def h1_sampler(n, d, shift):
    e1 = np.eye(d)[0] * shift
    return lambda rng: (rng.standard_normal((n, d)), rng.standard_normal((n, d)) + e1)


@pytest.mark.parametrize("test", [metrics.mmd_test, metrics.energy_test], ids=["mmd", "energy"])
@pytest.mark.parametrize("seed", [0, 1])
def test_permutation_tests_have_size_alpha_and_power(test, seed):
    rng = np.random.default_rng(seed)
    lo, hi = binomial_band(300)
    rate = rejection_rate(test, h0_sampler(40, 2), 300, rng, n_permutations=99)
    assert lo <= rate <= hi
    assert rejection_rate(test, h1_sampler(40, 2, 1.5), 40, rng, n_permutations=99) >= 0.95


def test_c2st_is_valid_under_h0_and_powerful_under_h1():
    rng = np.random.default_rng(7)
    # the binomial p-value is discrete, so the test is conservative: only the upper end of the band applies
    _, hi = binomial_band(40)
    assert rejection_rate(metrics.c2st, h0_sampler(60, 2), 40, rng, n_steps=100) <= hi
    assert rejection_rate(metrics.c2st, h1_sampler(60, 2, 2.0), 10, rng, n_steps=100) >= 0.9


def test_c2st_binomial_p_value_is_conservative_when_d_says_real_more_than_half_the_time():
    # metrics.c2st, docs/theory.md: under H0, with D saying "real" with probability q, the correct count on
    # 150 + 150 held-out points is Bin(150, q) + Bin(150, 1 - q), less spread out than Bin(300, 1/2)
    import math

    n_test, h = 300, 150
    k = min(j for j in range(n_test + 1) if metrics.binomial_tail(j, n_test) <= ALPHA)   # reject at >= k

    def size(q):
        a = np.array([math.comb(h, j) * q ** j * (1 - q) ** (h - j) for j in range(h + 1)])
        return float(np.convolve(a, a[::-1])[k:].sum())         # a[::-1] is the pmf of Bin(h, 1 - q)

    assert size(0.5) == pytest.approx(metrics.binomial_tail(k, n_test), rel=1e-9)
    assert size(0.5) == pytest.approx(0.047, abs=5e-4)
    assert size(0.7) == pytest.approx(0.034, abs=5e-4)
    assert size(0.9) == pytest.approx(0.003, abs=5e-4)


# The tests that must see a squeezed mode (issue 22): a sampler of the mixture whose every mode is half the
# data's width. The median heuristic's width is the distance between modes, blind to that; the knn width is not.

def squeezed_pair(data, n, width):
    """A sampler of (data, a mixture with data's centres and modes `width` times as wide), n points each."""
    return lambda rng: (data.sample(n, rng, dtype=np.float64), mixture_sample(data, n, rng, width))


def test_knn_bandwidth_is_the_median_distance_to_the_kth_neighbour():
    z = np.array([[0.0], [1.0], [3.0], [6.0], [10.0]])
    # 2nd neighbours: 0 -> 3, 1 -> 3 (0 and 3 at distances 1, 2), 3 -> 3 (1, 6), 6 -> 4 (3, 10), 10 -> 7 (6, 3)
    assert metrics.knn_bandwidth(z, k=2) == 3.0
    assert metrics.knn_bandwidth(z, k=99) == metrics.knn_bandwidth(z, k=4)    # at most N - 1 neighbours
    same = np.zeros((30, 2))
    same[-1] = 1.0                                            # all but one point repeated: the median heuristic
    assert metrics.knn_bandwidth(same) == metrics.median_bandwidth(same)
    with pytest.raises(ValueError, match="bandwidth"):
        metrics.mmd_test(z, z + 1, rng=np.random.default_rng(0), bandwidth="median")


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_the_knn_mmd_test_holds_its_level_and_sees_half_width_modes(name):
    from scratchgan.data import get_dataset

    data, rng = get_dataset(name), np.random.default_rng(0)
    kw = dict(bandwidth="knn", n_permutations=99)
    # 20 runs under H0 at level 0.05: P(4 or more rejections) = 1.6% for a test of exact size 0.05
    assert rejection_rate(metrics.mmd_test, squeezed_pair(data, 500, 1.0), 20, rng, **kw) <= 3 / 20
    assert rejection_rate(metrics.mmd_test, squeezed_pair(data, 500, 0.5), 10, rng, **kw) >= 9 / 10
    # the median heuristic's width, between the modes, barely sees the squeeze
    assert rejection_rate(metrics.mmd_test, squeezed_pair(data, 500, 0.5), 10, rng, n_permutations=99) <= 3 / 10


def test_the_run_report_has_the_knn_mmd_and_keeps_the_other_numbers():
    from scratchgan.data import get_dataset

    data = get_dataset("grid25")
    x, y = squeezed_pair(data, 1000, 0.5)(np.random.default_rng(3))         # as final_metrics: 1,000 a side
    report = metrics.two_sample_report(x, y, rng=np.random.default_rng(4))
    assert report["knn_mmd_rejects_h0"] and report["knn_mmd_p_value"] <= 0.05
    assert report["knn_bandwidth"] == metrics.knn_bandwidth(np.concatenate([x, y])) < data.std
    rng = np.random.default_rng(4)                          # the knn test draws last: the others are unchanged
    assert report["mmd_p_value"] == metrics.mmd_test(x, y, rng=rng, n_permutations=200)[1]
    assert report["c2st_accuracy"] == metrics.c2st(x, y, rng=rng)[0]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_the_knn_mmd_test_size_and_power_thorough(name):
    from scratchgan.data import get_dataset

    data, rng = get_dataset(name), np.random.default_rng(21)
    lo, hi = binomial_band(200)
    assert lo <= rejection_rate(metrics.mmd_test, squeezed_pair(data, 1000, 1.0), 200, rng, bandwidth="knn") <= hi
    assert rejection_rate(metrics.mmd_test, squeezed_pair(data, 1000, 0.5), 20, rng, bandwidth="knn") == 1.0
    assert rejection_rate(metrics.mmd_test, squeezed_pair(data, 1000, 0.75), 20, rng, bandwidth="knn") >= 0.8


@pytest.mark.slow
@pytest.mark.parametrize("test", [metrics.mmd_test, metrics.energy_test], ids=["mmd", "energy"])
def test_permutation_tests_size_thorough(test):
    rng = np.random.default_rng(11)
    lo, hi = binomial_band(2000)
    assert lo <= rejection_rate(test, h0_sampler(50, 5), 2000, rng, n_permutations=199) <= hi


@pytest.mark.slow
def test_c2st_size_and_power_thorough():
    from scipy.stats import binom

    rng = np.random.default_rng(12)
    reps = 400
    rate = rejection_rate(metrics.c2st, h0_sampler(100, 2), reps, rng)
    # exact size of the one-sided binomial test at alpha (< alpha by discreteness), then its band
    n_test = 100
    k = binom.isf(ALPHA, n_test, 0.5)                    # reject when correct > k  (P(>= k+1) <= alpha)
    size = binom.sf(k, n_test, 0.5)
    lo, hi = binom.interval(0.999, reps, size)
    assert lo / reps <= rate <= hi / reps
    assert rejection_rate(metrics.c2st, h1_sampler(100, 2, 1.0), 100, rng) >= 0.9
