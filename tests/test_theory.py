"""Tests of scratchgan.theory: each claim of the lecture checked against an answer computed another way."""

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm, wasserstein_distance

from scratchgan import data, theory
from scratchgan.engine import losses, nn

LOG2, LOG4 = np.log(2.0), np.log(4.0)


# ---------------------------------------------------------------------------------------------------------
# Claim 1. Likelihood is not sample quality
# ---------------------------------------------------------------------------------------------------------

def test_kde_log_likelihood_equals_the_direct_mixture_density():
    rng = np.random.default_rng(0)
    train, x = rng.standard_normal((7, 3)), rng.standard_normal((5, 3))
    eps = 0.3
    direct = np.log(np.mean([np.exp(theory.gaussian_log_pdf(x, xi, eps)) for xi in train], axis=0))
    np.testing.assert_allclose(theory.kde_log_likelihood(x, train, eps, block=2), direct, rtol=1e-12)
    # against scipy's multivariate normal for one component
    from scipy.stats import multivariate_normal
    np.testing.assert_allclose(theory.gaussian_log_pdf(x, train[0], eps),
                               multivariate_normal(train[0], eps * np.eye(3)).logpdf(x), rtol=1e-12)


def test_noise_mixture_bound_and_its_vanishing_relative_gap():
    rng = np.random.default_rng(1)
    rows = theory.likelihood_vs_quality([1, 2, 10, 100, 1000], rng, n_train=200, n_test=300)
    assert all(r["bound_ok"] for r in rows)
    gaps = np.array([r["gap_mix"] for r in rows])
    rel = np.array([r["rel_gap_mix"] for r in rows])
    assert np.all(gaps <= np.log(100) + 1e-9)
    # in high dimension the noise density is negligible at data points, so the bound is attained exactly
    assert gaps[-1] == pytest.approx(np.log(100), abs=1e-6)
    assert np.all(np.diff(rel) < 0) and rel[-1] < 0.005        # a vanishing fraction of |log pi|
    # the KDE with tiny eps is terrible on held-out data, and worse per dimension as d grows
    kde_gap_per_dim = np.array([(r["ll_true"] - r["ll_kde"]) / r["d"] for r in rows])
    assert np.all(kde_gap_per_dim[1:] > 100) and kde_gap_per_dim[-1] > kde_gap_per_dim[1]


def test_kde_samples_pass_a_two_sample_test_and_noise_mixture_samples_fail():
    for seed in (2, 3):
        rows = theory.likelihood_vs_quality([2, 50], np.random.default_rng(seed), n_train=400, n_test=50, n_mmd=200)
        for r in rows:
            assert r["mmd_p_mix"] < 0.01                       # 99% noise: rejected
            # copies of data: the statistic is at the level of the null's noise, far below the mixture's
            assert abs(r["mmd2_kde"]) < 0.05 * r["mmd2_mix"]


# ---------------------------------------------------------------------------------------------------------
# Claim 4. The optimal discriminator
# ---------------------------------------------------------------------------------------------------------

A, B = 0.7, 1.5                                  # the fixed generator G(z) = A z + B, so p = N(B, A^2); pi = N(0, 1)
GRID = np.linspace(-4.0, 5.0, 401)
PI_X, P_X = norm.pdf(GRID, 0, 1), norm.pdf(GRID, B, A)
WHERE = (PI_X + P_X) > 0.1 * (PI_X + P_X).max()  # where pi + p is not tiny: D is learnt only where data are
D_STAR_TOL = 0.08                                # max |D - D*| there (measured: 0.031 to 0.047, seeds 0-9)


def trained_discriminator(seed, alpha=0.0, n_steps=800):
    rng = np.random.default_rng(seed)
    D = nn.mlp([1, 32, 32, 1], rng=rng, activation="leaky_relu")
    theory.train_discriminator(D, lambda n, r: r.standard_normal((n, 1)),
                               lambda n, r: B + A * r.standard_normal((n, 1)), n_steps, rng,
                               objective=losses.Minimax(real_label=1 - alpha), lr=3e-3, batch=256)
    return D


def d_on_grid(D):
    return nn.sigmoid(D.forward(GRID[:, None].astype(np.float32)))[:, 0].astype(float)


def test_optimal_discriminator_formula():
    np.testing.assert_allclose(theory.optimal_discriminator([1.0, 0.0, 2.0], [1.0, 3.0, 0.0]), [0.5, 0.0, 1.0])
    assert theory.optimal_discriminator(0.3, 0.1, alpha=0.2) == pytest.approx(0.8 * 0.75)
    assert np.isnan(theory.optimal_discriminator(0.0, 0.0))
    # D* maximises the integrand pi log D + p log(1 - D) pointwise: check against a fine search over D
    ds = np.linspace(1e-4, 1 - 1e-4, 100001)
    for pi, p, alpha in [(0.3, 0.1, 0.0), (0.05, 0.4, 0.0), (0.3, 0.1, 0.1)]:
        y = (1 - alpha) * pi * np.log(ds) + (alpha * pi + p) * np.log(1 - ds)
        assert ds[np.argmax(y)] == pytest.approx(theory.optimal_discriminator(pi, p, alpha), abs=1e-4)


@pytest.mark.parametrize("seed", [0, 1])
def test_trained_discriminator_matches_d_star(seed):
    d = d_on_grid(trained_discriminator(seed))
    d_star = theory.optimal_discriminator(PI_X, P_X)
    err = np.abs(d - d_star)[WHERE]
    assert err.max() < D_STAR_TOL and err.mean() < D_STAR_TOL / 3


def test_label_smoothing_scales_the_optimum_by_one_minus_alpha():
    alpha = 0.2
    d = d_on_grid(trained_discriminator(3, alpha=alpha))
    assert np.abs(d - theory.optimal_discriminator(PI_X, P_X, alpha))[WHERE].max() < D_STAR_TOL
    # ... and not to the unsmoothed D*: where pi dominates D stays near 1 - alpha instead of 1
    assert np.abs(d - theory.optimal_discriminator(PI_X, P_X))[WHERE].max() > 2 * D_STAR_TOL


# ---------------------------------------------------------------------------------------------------------
# Claim 5. The JSD theorem
# ---------------------------------------------------------------------------------------------------------

PAIRS = [  # (log pi, log p, integration interval, peaks)
    (theory.gaussian_logpdf_1d(0, 1), theory.gaussian_logpdf_1d(0, 1), (-15, 15), [0]),
    (theory.gaussian_logpdf_1d(0, 1), theory.gaussian_logpdf_1d(1.5, 0.7), (-15, 15), [0, 1.5]),
    (theory.mixture_logpdf_1d([0.5, 0.5], [-2, 2], [0.5, 0.5]), theory.gaussian_logpdf_1d(0.3, 2.0), (-20, 20),
     [-2, 0.3, 2]),
    (theory.gaussian_logpdf_1d(-1, 0.2), theory.gaussian_logpdf_1d(1, 3.0), (-30, 30), [-1, 1]),
]


@pytest.mark.parametrize("k", range(len(PAIRS)))
def test_jsd_identity_by_quadrature(k):
    log_pi, log_p, (lo, hi), pts = PAIRS[k]
    v_star = theory.value_function(log_pi, log_p, theory.log_density_ratio(log_pi, log_p), lo, hi, pts)
    kl_pm = theory.kl_divergence(log_pi, lambda x: np.logaddexp(log_pi(x), log_p(x)) - LOG2, lo, hi, pts)
    kl_qm = theory.kl_divergence(log_p, lambda x: np.logaddexp(log_pi(x), log_p(x)) - LOG2, lo, hi, pts)
    jsd = theory.js_divergence(log_pi, log_p, lo, hi, pts)
    assert v_star == pytest.approx(kl_pm + kl_qm - 2 * LOG2, abs=1e-8)
    assert v_star == pytest.approx(2 * jsd - LOG4, abs=1e-8)
    assert 0 <= jsd <= LOG2
    if k == 0:
        assert v_star == pytest.approx(-LOG4, abs=1e-10)        # the minimum, exactly at p = pi
    else:
        assert v_star > -LOG4 + 1e-3


def test_kl_by_quadrature_matches_the_gaussian_closed_form():
    # KL(N(m1, s1^2) || N(m2, s2^2)) = log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2
    m1, s1, m2, s2 = 0.3, 0.8, -1.0, 1.7
    exact = np.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5
    lp, lq = theory.gaussian_logpdf_1d(m1, s1), theory.gaussian_logpdf_1d(m2, s2)
    assert theory.kl_divergence(lp, lq, -20, 20) == pytest.approx(exact, abs=1e-10)
    assert theory.kl_divergence(lp, lq, -20, 20, n_grid=4001) == pytest.approx(exact, abs=1e-9)


def test_value_of_a_trained_discriminator_approaches_v_star_from_below():
    log_pi, log_p = theory.gaussian_logpdf_1d(0, 1), theory.gaussian_logpdf_1d(B, A)
    v_star = theory.value_function(log_pi, log_p, theory.log_density_ratio(log_pi, log_p), -10, 10, [0, B])
    values = {}

    def record(step, D):
        if step in (0, 50, 800):
            logit = lambda x: D.forward(x[:, None].astype(np.float32))[:, 0].astype(float)
            values[step] = theory.value_function(log_pi, log_p, logit, -10, 10, n_grid=4001)

    rng = np.random.default_rng(4)
    D = nn.mlp([1, 32, 32, 1], rng=rng, activation="leaky_relu")
    theory.train_discriminator(D, lambda n, r: r.standard_normal((n, 1)),
                               lambda n, r: B + A * r.standard_normal((n, 1)), 800, rng, lr=3e-3, callback=record)
    assert all(v < v_star for v in values.values())            # D* is the maximiser: every D lies below
    assert v_star - values[800] < 0.01                          # and training gets close
    assert v_star - values[800] < (v_star - values[0]) / 5


# ---------------------------------------------------------------------------------------------------------
# Claim 7. Vanishing gradients
# ---------------------------------------------------------------------------------------------------------

def poor_generator(rng):
    """A fresh MLP whose last layer is scaled down: its samples sit in a blob of radius ~0.5 in the middle of
    the ring of 8 Gaussians, 2 away from every mode."""
    G = nn.mlp([2, 64, 64, 2], rng=rng, dtype=np.float64)
    G.layers[-1].W.data *= 0.1
    return G


@pytest.mark.parametrize("seed", [0, 1])
def test_saturating_gradient_vanishes_and_nonsaturating_does_not(seed):
    rng = np.random.default_rng(seed)
    ring = data.get_dataset("ring8")
    G = poor_generator(rng)
    D = nn.mlp([2, 64, 64, 1], rng=rng, activation="leaky_relu", dtype=np.float64)
    out = theory.vanishing_gradients(G, D, lambda n, r: ring.sample(n, r, dtype=np.float64), 2, [0, 100, 600], rng,
                                     n_eval=512)
    sat, ns = out["saturating"], out["nonsaturating"]
    assert out["d_accuracy"][-1] == 1.0                        # D rejects every fake
    assert sat[-1] < sat[1] / 5                                # the saturating norm collapses ...
    assert ns[-1] > 100 * sat[-1]                              # ... far below the non-saturating one (~1e3 x)
    assert ns[-1] > ns[0]                                      # which grows instead


def test_generator_gradient_norms_match_a_hand_computed_linear_case():
    # G(z) = z W + b (1 -> 1), D(x) = c x (a linear logit): dL/dW = sum_i dL/dl_i c z_i, dL/db = sum_i dL/dl_i c
    rng = np.random.default_rng(5)
    G = nn.Linear(1, 1, rng=rng, dtype=np.float64)
    D = nn.Linear(1, 1, rng=rng, dtype=np.float64)
    c = D.W.data[0, 0]
    z = rng.standard_normal((6, 1))
    l = (G.forward(z) @ D.W.data + D.b.data)[:, 0]
    norms = theory.generator_gradient_norms(G, D, z, {"sat": losses.Minimax(), "ns": losses.NonSaturating()})
    for name, dl in [("sat", -nn.sigmoid(l) / 6), ("ns", -nn.sigmoid(-l) / 6)]:
        expected = np.hypot(np.sum(dl * c * z[:, 0]), np.sum(dl * c))
        assert norms[name] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------------------
# Claim 8. KL vs JSD: where each fit lands
# ---------------------------------------------------------------------------------------------------------

def bimodal(mu, s=0.5, w=0.5):
    return theory.mixture_logpdf_1d([w, 1 - w], [-mu, mu], [s, s])


def best_fit(log_pi, divergence, mu):
    fits = [theory.fit_gaussian(log_pi, divergence, -15, 15, start) for start in [(0.0, 3.0), (mu / 2, 1.0)]]
    return min(fits, key=lambda f: f[2])


@pytest.mark.parametrize("w", [0.5, 0.7])
def test_forward_kl_fit_is_moment_matching(w):
    # argmin KL(pi || N(m, s^2)) = maximum likelihood = the mean and variance of pi
    mu, s = 2.0, 0.5
    mean = w * (-mu) + (1 - w) * mu
    var = s ** 2 + w * mu ** 2 + (1 - w) * mu ** 2 - mean ** 2
    m_fit, s_fit, _ = theory.fit_gaussian(bimodal(mu, s, w), "kl_forward", -15, 15, (0.5, 1.0))
    assert m_fit == pytest.approx(mean, abs=1e-4) and s_fit == pytest.approx(np.sqrt(var), abs=1e-4)


def test_reverse_kl_fit_seeks_one_mode():
    m_fit, s_fit, value = best_fit(bimodal(3.0), "kl_reverse", 3.0)
    assert abs(m_fit) == pytest.approx(3.0, abs=1e-3) and s_fit == pytest.approx(0.5, abs=1e-3)
    assert value == pytest.approx(LOG2, abs=1e-3)             # one component of weight 1/2: KL = log 2


def test_jsd_fit_lies_in_between_covering_close_modes_and_seeking_far_ones():
    # close modes: JSD covers both (mean 0) but more tightly than maximum likelihood
    m_fit, s_fit, _ = best_fit(bimodal(1.5), "jsd", 1.5)
    m_kl, s_kl, _ = best_fit(bimodal(1.5), "kl_forward", 1.5)
    assert abs(m_fit) < 1e-3 and 0.5 < s_fit < s_kl - 0.01
    # far modes: JSD seeks one mode, like the reverse KL
    m_fit, s_fit, _ = best_fit(bimodal(3.0), "jsd", 3.0)
    assert abs(m_fit) == pytest.approx(3.0, abs=0.01) and s_fit == pytest.approx(0.5, abs=0.01)


def test_fit_objective_on_the_grid_equals_quadrature():
    log_pi = bimodal(2.0)
    m, s, value = theory.fit_gaussian(log_pi, "jsd", -15, 15, (0.0, 3.0))
    assert value == pytest.approx(theory.js_divergence(log_pi, theory.gaussian_logpdf_1d(m, s), -15, 15, [-2, 0, 2]),
                                  abs=1e-9)


# ---------------------------------------------------------------------------------------------------------
# Claims 12 to 14. Disjoint supports and the earth mover's distance
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("theta", [-1.0, -0.3, 1e-3, 0.5, 2.0])
def test_disjoint_supports_kl_inf_jsd_log2_w_theta(theta):
    out = theory.disjoint_supports(theta, n_points=20)
    assert out["kl"] == np.inf
    assert out["jsd"] == pytest.approx(LOG2, abs=1e-12)
    assert out["w"] == pytest.approx(abs(theta), abs=1e-9)


def test_disjoint_supports_all_zero_at_theta_zero():
    out = theory.disjoint_supports(0.0, n_points=20)
    assert out["kl"] == 0.0 and out["jsd"] == pytest.approx(0.0, abs=1e-15)
    assert out["w"] == pytest.approx(0.0, abs=1e-12)


def test_off_a_compact_space_jsd_and_kl_vanish_while_w_stays_1():
    # docs/theory.md, claim 14: P = delta_0, P_n = (1 - 1/n) delta_0 + (1/n) delta_n on the points {0, n}
    jsd = []
    for n in (10, 100, 1000, 10000):
        p, p_n = np.array([1.0, 0.0]), np.array([1.0 - 1.0 / n, 1.0 / n])
        w, _ = theory.earth_movers_distance(p_n, p, np.abs(np.subtract.outer([0.0, n], [0.0, n])))
        assert w == pytest.approx(1.0, rel=1e-9)
        assert theory.kl_discrete(p, p_n) == pytest.approx(-np.log1p(-1.0 / n))
        assert theory.kl_discrete(p_n, p) == np.inf
        jsd.append(theory.js_discrete(p_n, p))
    assert all(a > b for a, b in zip(jsd, jsd[1:])) and jsd[-1] < 1e-4


def test_discrete_divergences():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert theory.kl_discrete(p, q) == pytest.approx(np.log(2))
    assert theory.kl_discrete(q, p) == np.inf
    m = (p + q) / 2
    assert theory.js_discrete(p, q) == pytest.approx(0.5 * np.sum(p[:2] * np.log(p[:2] / m[:2]))
                                                     + 0.5 * np.sum(q * np.log(q / m)))
    assert theory.js_discrete([1.0, 0.0], [0.0, 1.0]) == pytest.approx(LOG2)


def test_instance_noise_restores_the_generator_gradient():
    rng = np.random.default_rng(6)
    g_plain, hist = theory.disjoint_supports_gradient(0.5, 600, rng, record_every=100)
    g_noisy, _ = theory.disjoint_supports_gradient(0.5, 600, rng, noise_std=0.3)
    assert abs(g_plain) < abs(hist[1][1]) / 5                  # keeps shrinking as D separates the supports
    assert abs(g_plain) < 0.05 * abs(g_noisy)
    assert g_noisy > 0.5                                        # and it points theta back towards 0


# The lecture's pile example: P = (3, 2, 1, 4) and Q = (1, 2, 4, 3) units of dirt at positions 0, 1, 2, 3
PILES_P, PILES_Q = np.array([3.0, 2.0, 1.0, 4.0]), np.array([1.0, 2.0, 4.0, 3.0])
POS = np.arange(4.0)


def test_earth_movers_lp_piles_example():
    W, plan = theory.earth_movers_distance(PILES_P, PILES_Q, np.abs(POS[:, None] - POS[None, :]))
    assert W == pytest.approx(5.0, abs=1e-9)
    np.testing.assert_allclose(plan.sum(1), PILES_P, atol=1e-9)
    np.testing.assert_allclose(plan.sum(0), PILES_Q, atol=1e-9)
    assert np.all(plan >= -1e-12)
    assert np.sum(plan * np.abs(POS[:, None] - POS[None, :])) == pytest.approx(W, abs=1e-9)
    # in 1D W is the area between the CDFs: the cumulative surpluses are 2, 2, -1, 0, total |.| = 5
    assert W == pytest.approx(np.sum(np.abs(np.cumsum(PILES_P - PILES_Q))), abs=1e-9)
    assert W == pytest.approx(PILES_P.sum() * wasserstein_distance(POS, POS, PILES_P, PILES_Q), abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_earth_movers_lp_agrees_with_scipy_in_1d(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(12), rng.standard_normal(9) * 2 + 1
    a, b = rng.random(12), rng.random(9)
    a, b = a / a.sum(), b / b.sum()
    W, _ = theory.earth_movers_distance(a, b, np.abs(x[:, None] - y[None, :]))
    assert W == pytest.approx(wasserstein_distance(x, y, a, b), abs=1e-9)


def test_earth_movers_rejects_bad_input():
    with pytest.raises(ValueError, match="same total mass"):
        theory.earth_movers_distance([1.0, 1.0], [1.0], np.ones((2, 1)))
    with pytest.raises(ValueError, match="cost"):
        theory.earth_movers_distance([1.0], [1.0], np.ones((2, 2)))


# ---------------------------------------------------------------------------------------------------------
# Claim 6. The loss curves do not tell you quality
# ---------------------------------------------------------------------------------------------------------

def check_losses_vs_quality(hist, min_improvement):
    ld, lg = np.array(hist["loss_d"]), np.array(hist["loss_g"])
    mmd, modes = np.array(hist["eval_mmd"]), np.array(hist["eval_modes"])
    assert hist["eval_step"][0] == 0
    # the samples improve a lot (medians over the second half: a vanilla GAN's samples still jump about, and
    # any one evaluation may catch a bad moment) ...
    half = len(mmd) // 2
    assert np.median(mmd[half:]) < mmd[0] / min_improvement
    assert np.median(modes[half:]) > modes[0]
    # ... while the losses drift the other way: G's loss ends higher than it started, D's lower
    w = len(lg) // 10
    assert lg[-w:].mean() > lg[:w].mean() + 0.2
    assert ld[-w:].mean() < ld[:w].mean() - 0.2
    # and they oscillate: step-to-step changes are much larger than the drift of their moving average
    assert np.std(np.diff(lg)) > 10 * abs(lg[-w:].mean() - lg[-2 * w:-w].mean()) / w


def test_loss_curves_do_not_track_sample_quality_fast():
    hist, snaps, _ = theory.loss_curves_vs_quality(steps=1000, eval_every=100, seed=0, g_hidden=(64, 64),
                                                   d_hidden=(64, 64), eval_samples=500, snapshot_steps=[0, 1000])
    assert set(snaps) == {0, 1000} and snaps[1000].shape == (500, 2)
    check_losses_vs_quality(hist, min_improvement=4)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_loss_curves_do_not_track_sample_quality_full(seed):
    hist, _, _ = theory.loss_curves_vs_quality(steps=2000, eval_every=100, seed=seed)
    check_losses_vs_quality(hist, min_improvement=5)
    assert np.median(hist["eval_modes"][len(hist["eval_modes"]) // 2:]) >= 7


# ---------------------------------------------------------------------------------------------------------
# The demos run and write their figures
# ---------------------------------------------------------------------------------------------------------

DEMOS = ["theory_1_likelihood", "theory_2_optimal_d", "theory_3_jsd", "theory_4_vanishing_gradients",
         "theory_5_kl_vs_jsd", "theory_6_disjoint_supports", "theory_7_earth_movers", "theory_8_loss_curves"]


def run_demo(name, out):
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""), MPLBACKEND="Agg")
    res = subprocess.run([sys.executable, os.path.join(root, "demos", name + ".py"), "--out", str(out)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr
    path = out / (name + ".png")
    assert path.exists() and path.stat().st_size > 10_000
    assert f"wrote {path}" in res.stdout
    return res.stdout


def test_earth_movers_demo_runs(tmp_path):
    out = run_demo("theory_7_earth_movers", tmp_path)
    assert "W (linprog) = 5.000000" in out


@pytest.mark.slow
@pytest.mark.parametrize("name", DEMOS)
def test_every_theory_demo_runs(name, tmp_path):
    run_demo(name, tmp_path)
