"""The lecture's formulas, executable: each claim of the GAN theory as a function you can call and check.

Densities in 1D are passed as *log*-density functions, log_p(x) -> log p(x) for an array x of shape (n,),
so that products like p log(p / q) can be formed without log(0). Integrals over x are done by adaptive
quadrature (scipy.integrate.quad) on a finite interval [lo, hi] that holds essentially all the mass, or,
inside optimisers, by the trapezoidal rule on a fine grid (see _integrate).

    Claim 1  likelihood is not sample quality    kde_log_likelihood, noise_mixture_log_likelihood,
                                                 likelihood_vs_quality
    Claim 2  the optimal discriminator           optimal_discriminator, log_density_ratio, train_discriminator
    Claim 3  the JSD theorem                     value_function, kl_divergence, js_divergence
    Claim 4  vanishing gradients                 generator_gradient_norms, vanishing_gradients
    Claim 5  KL vs JSD                           fit_gaussian, divergence_on_grid
    Claim 6  disjoint supports                   kl_discrete, js_discrete, disjoint_supports,
                                                 disjoint_supports_gradient
    Claim 7  the earth mover's distance          earth_movers_distance
    Claim 8  loss curves vs sample quality       loss_curves_vs_quality

The demos in demos/theory_*.py plot these; tests/test_theory.py checks each against an independent answer.
"""

import numpy as np
from scipy import integrate, optimize
from scipy.special import logsumexp

from . import losses, nn, optim
from .config import default_config
from .gan_backward import discriminator_backward, generator_backward
from .trainer import Trainer

LOG2 = float(np.log(2.0))


# =========================================================================================================
# Claim 1. Likelihood is not sample quality (Theis et al. 2015)
# =========================================================================================================

def gaussian_log_pdf(x, mean, var):
    """log N(x | mean, var I) for each row of x.

    x: (n, d), mean: (d,) or (n, d), var: a positive number.  Returns (n,):
        log N(x | mu, var I) = -(d/2) log(2 pi var) - ||x - mu||^2 / (2 var)
    """
    x = np.asarray(x, dtype=float)
    d = x.shape[1]
    return -0.5 * d * np.log(2 * np.pi * var) - np.sum((x - mean) ** 2, axis=1) / (2.0 * var)


def kde_log_likelihood(x, train, eps, *, block=256):
    """Log-likelihood of each row of x under the kernel density estimate of the training set

        p1(x) = (1/n) sum_i N(x | x_i, eps I)       (eps is the kernel's variance)
        log p1(x) = logsumexp_i [ -||x - x_i||^2 / (2 eps) ] - log n - (d/2) log(2 pi eps)

    x: (m, d) points to score, train: (n, d) the training set, eps > 0.  Returns (m,).
    Sampling p1 = pick a training point and add N(0, eps I): for small eps the samples are (near-)copies of
    the data, and look perfect; but a held-out point is far from every x_i on the scale sqrt(eps), so its
    log-likelihood is about -min_i ||x - x_i||^2 / (2 eps): terrible. Computed in blocks of rows of x.
    """
    x, train = np.asarray(x, dtype=float), np.asarray(train, dtype=float)
    if x.ndim != 2 or train.ndim != 2 or x.shape[1] != train.shape[1]:
        raise ValueError(f"x and train must be (m, d) and (n, d) with the same d, got {x.shape} and {train.shape}")
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    n, d = train.shape
    out = np.empty(x.shape[0])
    train_sq = np.sum(train * train, axis=1)
    for s in range(0, x.shape[0], block):
        xb = x[s:s + block]
        sq = np.sum(xb * xb, axis=1)[:, None] + train_sq[None, :] - 2.0 * xb @ train.T     # (b, n)
        np.maximum(sq, 0.0, out=sq)
        out[s:s + block] = logsumexp(-sq / (2.0 * eps), axis=1)
    return out - np.log(n) - 0.5 * d * np.log(2 * np.pi * eps)


def noise_mixture_log_likelihood(log_pi, log_noise, weight=0.01):
    """log p2(x) for the mixture p2(x) = w pi(x) + (1 - w) p_noise(x), from the two log-densities at x.

        log p2 = logaddexp(log w + log pi, log(1 - w) + log p_noise)  >=  log pi + log w

    (with w = 0.01 the bound is log pi - log 100). log_pi, log_noise: arrays of the same shape.
    In d dimensions log pi(x) is a sum of d terms, |log pi| ~ d, while the gap to the true model is at most
    log 100 = 4.6: relative to |log pi| it vanishes, although 99% of p2's samples are noise.
    """
    if not 0 < weight < 1:
        raise ValueError(f"weight must be in (0, 1), got {weight}")
    return np.logaddexp(np.log(weight) + np.asarray(log_pi), np.log1p(-weight) + np.asarray(log_noise))


def likelihood_vs_quality(dims, rng, *, n_train=1000, n_test=1000, eps=1e-4, noise_std=5.0, weight=0.01,
                          n_mmd=0):
    """Claim 1 measured: for pi = N(0, I_d), compare three models by held-out log-likelihood and by samples.

    true  pi itself.
    p1    the KDE (1/n) sum_i N(x | x_i, eps I) of n_train training points (kde_log_likelihood).
    p2    the noise mixture weight * pi + (1 - weight) * N(0, noise_std^2 I) (noise_mixture_log_likelihood).
    For each d in dims, on n_test fresh points from pi (all exact, with logsumexp):
      ll_true, ll_kde, ll_mix  mean held-out log-likelihood, in nats (per point, not per dimension)
      gap_mix                  ll_true - ll_mix, at most log(1 / weight) (= log 100) by the bound
      bound_ok                 whether log p2(x) >= log pi(x) + log(weight) held at every test point
      rel_gap_mix              gap_mix / |ll_true|: vanishes as d grows
    and if 0 < n_mmd <= n_train, MMD two-sample p-values of n_mmd samples of p1 and of p2 against n_mmd fresh
    data points (mmd2_kde, mmd_p_kde, mmd2_mix, mmd_p_mix): p1's samples pass, p2's are rejected.
    Returns a list of dicts, one per d.
    """
    from . import metrics

    rows = []
    for d in dims:
        d = int(d)
        train = rng.standard_normal((n_train, d))
        test = rng.standard_normal((n_test, d))
        log_pi = gaussian_log_pdf(test, 0.0, 1.0)
        log_noise = gaussian_log_pdf(test, 0.0, noise_std ** 2)
        log_mix = noise_mixture_log_likelihood(log_pi, log_noise, weight)
        ll_true = float(log_pi.mean())
        row = {"d": d, "ll_true": ll_true, "ll_kde": float(kde_log_likelihood(test, train, eps).mean()),
               "ll_mix": float(log_mix.mean()), "gap_mix": float(ll_true - log_mix.mean()),
               "bound_ok": bool(np.all(log_mix >= log_pi + np.log(weight) - 1e-12))}
        row["rel_gap_mix"] = row["gap_mix"] / abs(ll_true)
        if n_mmd > 0:
            data = rng.standard_normal((n_mmd, d))
            # sampling p1 = pick a training point, add N(0, eps I); we pick n_mmd *distinct* points: repeated
            # copies of one training point are a give-away that a test in high dimension detects
            picks = rng.choice(n_train, size=n_mmd, replace=False)
            kde_samples = train[picks] + np.sqrt(eps) * rng.standard_normal((n_mmd, d))
            is_real = rng.random(n_mmd) < weight
            mix_samples = np.where(is_real[:, None], 1.0, noise_std) * rng.standard_normal((n_mmd, d))
            row["mmd2_kde"], row["mmd_p_kde"] = metrics.mmd_test(kde_samples, data, rng=rng)
            row["mmd2_mix"], row["mmd_p_mix"] = metrics.mmd_test(mix_samples, data, rng=rng)
        rows.append(row)
    return rows


# =========================================================================================================
# Claims 2 and 3. The optimal discriminator and the JSD theorem (Goodfellow et al. 2014)
# =========================================================================================================

def optimal_discriminator(pi_x, p_x, alpha=0.0):
    """D*(x) = (1 - alpha) pi(x) / (pi(x) + p(x)), from the densities at x (arrays of the same shape).

    For fixed G, V(D) = integral [pi log D + p log(1 - D)] dx is maximised pointwise:
    d/dD [pi log D + p log(1 - D)] = pi / D - p / (1 - D) = 0  gives  D* = pi / (pi + p).
    With one-sided label smoothing (real label 1 - alpha, Salimans et al. 2016) the real term becomes
    (1 - alpha) pi log D + alpha pi log(1 - D), and the same calculation gives (1 - alpha) pi / (pi + p).
    Where pi + p = 0 the value is undefined; we return nan there.
    """
    pi_x, p_x = np.asarray(pi_x, dtype=float), np.asarray(p_x, dtype=float)
    total = pi_x + p_x
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (1.0 - alpha) * pi_x / total, np.nan)


def log_density_ratio(log_pi, log_p):
    """The logit of D*:  logit D*(x) = log(D* / (1 - D*)) = log pi(x) - log p(x).  A function of x.

    The optimal discriminator's logit is the log density ratio: a trained D estimates log(pi / p).
    """
    return lambda x: log_pi(x) - log_p(x)


def _integrate(f, lo, hi, points=None, n_grid=None):
    """integral_lo^hi f(x) dx, f a function of an array x (n,) -> (n,).

    n_grid=None: adaptive Gauss-Kronrod quadrature (scipy.integrate.quad), accurate to ~1e-12; slow-ish, as
    quad calls f one number at a time. points: locations of peaks or kinks that quad should not miss.
    n_grid=N: the trapezoidal rule on N equally spaced points, one vectorised call of f. For smooth integrands
    that decay to ~0 at lo and hi it converges faster than any power of the spacing; used inside optimisers.
    """
    if n_grid is not None:
        x = np.linspace(lo, hi, int(n_grid))
        return float(np.trapezoid(f(x), x)) if hasattr(np, "trapezoid") else float(np.trapz(f(x), x))
    value, _ = integrate.quad(lambda t: float(f(np.array([t]))[0]), lo, hi, points=points, limit=500,
                              epsabs=1e-13, epsrel=1e-12)
    return value


def value_function(log_pi, log_p, logit, lo, hi, points=None, n_grid=None):
    """V(G, D) = E_pi log D(x) + E_p log(1 - D(x)) = integral [pi log D + p log(1 - D)] dx, by quadrature.

    log_pi, log_p: log-densities of the data and of the generator; logit: D's logit l(x), so that
    D = sigmoid(l), log D = -softplus(-l), log(1 - D) = -softplus(l) (stable for any l).
    All three are functions of an array x of shape (n,).  Integrated over [lo, hi] (see _integrate for
    points and n_grid).
    With logit = log_density_ratio(log_pi, log_p) this is V(G, D*) = 2 JSD(pi || p) - log 4.
    """
    def integrand(x):
        lx = logit(x)
        return -np.exp(log_pi(x)) * np.logaddexp(0.0, -lx) - np.exp(log_p(x)) * np.logaddexp(0.0, lx)

    return _integrate(integrand, lo, hi, points, n_grid)


def kl_divergence(log_p, log_q, lo, hi, points=None, n_grid=None):
    """KL(p || q) = integral p(x) log(p(x) / q(x)) dx over [lo, hi], by quadrature (0 log 0 = 0).

    log_p, log_q: log-densities, functions of an array x of shape (n,).  points, n_grid: see _integrate.
    """
    def integrand(x):
        lp = log_p(x)
        p = np.exp(lp)
        return np.where(p > 0, p * (lp - log_q(x)), 0.0)

    return _integrate(integrand, lo, hi, points, n_grid)


def js_divergence(log_p, log_q, lo, hi, points=None, n_grid=None):
    """JSD(p || q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2, by quadrature.  0 <= JSD <= log 2.

    log m = logaddexp(log p, log q) - log 2 is formed without ever computing p + q directly.
    """
    def log_m(x):
        return np.logaddexp(log_p(x), log_q(x)) - LOG2

    kl_pm = kl_divergence(log_p, log_m, lo, hi, points, n_grid)
    kl_qm = kl_divergence(log_q, log_m, lo, hi, points, n_grid)
    return 0.5 * (kl_pm + kl_qm)


def gaussian_logpdf_1d(mean, std):
    """log N(x | mean, std^2) as a function of an array x of shape (n,)."""
    return lambda x: -0.5 * ((x - mean) / std) ** 2 - np.log(std) - 0.5 * np.log(2 * np.pi)


def mixture_logpdf_1d(weights, means, stds):
    """log sum_k w_k N(x | mu_k, s_k^2) as a function of an array x of shape (n,) (logsumexp over k)."""
    w, mu, s = (np.asarray(a, dtype=float) for a in (weights, means, stds))
    if not (w.shape == mu.shape == s.shape and w.ndim == 1):
        raise ValueError(f"weights, means and stds must be 1D of one length, got {w.shape}, {mu.shape}, {s.shape}")
    if np.any(s <= 0) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError("mixture needs positive stds and non-negative weights summing to 1")
    with np.errstate(divide="ignore"):
        log_w = np.log(w)                                          # a zero weight gives -inf: no contribution

    def log_pdf(x):
        x = np.asarray(x, dtype=float)[:, None]                                   # (n, 1) against (K,)
        comp = log_w - 0.5 * ((x - mu) / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)   # (n, K)
        top = comp.max(axis=1)                                    # logsumexp: shift by the largest term
        return top + np.log(np.exp(comp - top[:, None]).sum(axis=1))

    return log_pdf


def train_discriminator(D, sample_real, sample_fake, n_steps, rng, *, objective=None, lr=1e-3, batch=256,
                        noise_std=0.0, callback=None):
    """Train D alone against a *fixed* generator: the inner maximisation max_D V(G, D).

    D: a scratchgan module mapping (n, d) -> (n, 1) logits.  sample_real(n, rng), sample_fake(n, rng): draw
    (n, d) arrays from pi and from p(x | theta).  objective: a scratchgan loss (default Minimax(): binary
    cross-entropy); Adam with learning rate lr; `batch` real and `batch` fake points per step.
    noise_std > 0 adds instance noise N(0, noise_std^2 I) to both batches (Sonderby et al. 2016; Arjovsky &
    Bottou 2017): D then separates pi * N and p * N, whose supports overlap.
    callback(step, D), if given, runs after steps 0 (before any update), 1, 2, ..., n_steps.
    Returns D.
    """
    objective = objective or losses.Minimax()
    opt = optim.Adam(D.parameters(), lr=lr)
    if callback is not None:
        callback(0, D)
    for step in range(1, n_steps + 1):
        x_real, x_fake = sample_real(batch, rng), sample_fake(batch, rng)
        if noise_std > 0:
            x_real = x_real + noise_std * rng.standard_normal(x_real.shape)
            x_fake = x_fake + noise_std * rng.standard_normal(x_fake.shape)
        opt.zero_grad()
        discriminator_backward(D, objective, x_real.astype(_dtype(D)), x_fake.astype(_dtype(D)))
        opt.step()
        if callback is not None:
            callback(step, D)
    return D


def _dtype(module):
    return module.parameters()[0].data.dtype


# =========================================================================================================
# Claim 4. Vanishing gradients (Arjovsky & Bottou 2017)
# =========================================================================================================

def generator_gradient_norms(G, D, z, objectives):
    """||dL_G / dtheta||_2 over all of G's parameters, for each generator objective, with D held fixed.

    G: (n, z_dim) -> (n, d), D: (n, d) -> (n, 1), z: (n, z_dim).  objectives: {name: loss object}.
    L_G for Minimax is the saturating E log(1 - D(G(z))): dL/dl = -sigmoid(l)/n -> 0 when D rejects the fakes
    (l -> -inf). For NonSaturating, -E log D(G(z)): dL/dl = -sigmoid(-l)/n -> -1/n there.
    Returns {name: float}.
    """
    norms = {}
    for name, objective in objectives.items():
        G.zero_grad()
        generator_backward(G, D, objective, z)
        norms[name] = float(np.sqrt(sum(np.sum(p.grad.astype(float) ** 2) for p in G.parameters())))
    G.zero_grad()
    return norms


# =========================================================================================================
# Claim 5. KL vs JSD: mode covering vs mode seeking
# =========================================================================================================

DIVERGENCES = ("kl_forward", "kl_reverse", "jsd")


def divergence_on_grid(divergence, log_pi, log_p, x):
    """KL(pi || p), KL(p || pi) or JSD(pi || p) from log-densities tabulated on an even grid x (all (N,)),
    by the trapezoidal rule (see _integrate). 0 log 0 = 0 where a density underflows to 0."""
    def trapezoid(f):
        return float(np.sum(f[1:] + f[:-1]) * 0.5 * (x[1] - x[0]))

    def kl(lp, lq):
        p = np.exp(lp)
        return trapezoid(np.where(p > 0, p * (lp - lq), 0.0))

    if divergence == "kl_forward":
        return kl(log_pi, log_p)
    if divergence == "kl_reverse":
        return kl(log_p, log_pi)
    log_m = np.logaddexp(log_pi, log_p) - LOG2
    return 0.5 * (kl(log_pi, log_m) + kl(log_p, log_m))


def fit_gaussian(log_pi, divergence, lo, hi, start, n_grid=2001):
    """Fit one Gaussian p = N(mu, sigma^2) to pi by minimising a divergence over (mu, log sigma).

    divergence: "kl_forward" = KL(pi || p) (maximum likelihood: covers every mode),
                "kl_reverse" = KL(p || pi) (seeks one mode: p avoids where pi is small),
                "jsd"        = JSD(pi || p) (what the GAN with an optimal D minimises).
    log_pi: the target's log-density (a function of an array x (n,)), tabulated once on n_grid points of
    [lo, hi]; the integrals are trapezoidal sums on that grid (divergence_on_grid).
    start: (mu0, sigma0).  Nelder-Mead on (mu, log sigma), as log sigma keeps sigma > 0. A divergence can have
    several local minima (JSD has one per mode and one covering them all): start from several points.
    Returns (mu, sigma, value of the divergence at the fit).
    """
    if divergence not in DIVERGENCES:
        raise ValueError(f"unknown divergence {divergence!r}; choose one of: {', '.join(DIVERGENCES)}")
    if not start[1] > 0:
        raise ValueError(f"the starting sigma must be positive, got {start[1]}")
    x = np.linspace(lo, hi, int(n_grid))
    log_pi_x = log_pi(x)

    def objective(params):
        mu, sigma = params[0], np.exp(params[1])
        log_p_x = -0.5 * ((x - mu) / sigma) ** 2 - params[1] - 0.5 * np.log(2 * np.pi)
        return divergence_on_grid(divergence, log_pi_x, log_p_x, x)

    res = optimize.minimize(objective, [start[0], np.log(start[1])], method="Nelder-Mead",
                            options={"xatol": 1e-7, "fatol": 1e-12, "maxiter": 4000})
    return float(res.x[0]), float(np.exp(res.x[1])), float(res.fun)


# =========================================================================================================
# Claims 6 and 7. Disjoint supports, and the earth mover's distance as a linear program
# =========================================================================================================

def kl_discrete(p, q):
    """KL(p || q) = sum_i p_i log(p_i / q_i) for probability vectors p, q of shape (n,) on one support.

    0 log(0 / q) = 0; p_i > 0 = q_i gives +inf: KL is infinite as soon as p puts mass where q has none.
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError(f"p and q must be 1D of one length, got {p.shape} and {q.shape}")
    mask = p > 0
    if np.any(q[mask] == 0):
        return float("inf")
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))


def js_discrete(p, q):
    """JSD(p || q) = KL(p || m)/2 + KL(q || m)/2, m = (p + q)/2, for probability vectors of shape (n,).

    Always finite (m > 0 wherever p or q is), and equal to log 2 exactly when the supports are disjoint:
    there m = p/2 on p's support, so KL(p || m) = sum p log 2 = log 2, and likewise for q.
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    m = 0.5 * (p + q)
    return 0.5 * kl_discrete(p, m) + 0.5 * kl_discrete(q, m)


def earth_movers_distance(a, b, cost):
    """The earth mover's distance as a transport linear program (scipy.optimize.linprog, HiGHS).

        W = min_gamma sum_ij gamma_ij C_ij   subject to   sum_j gamma_ij = a_i,  sum_i gamma_ij = b_j,  gamma >= 0

    a: (n,) masses of the piles, b: (m,) masses of the holes (same total), cost: (n, m) cost C_ij of moving a
    unit from pile i to hole j (e.g. the distance |x_i - y_j|).  Returns (W, plan) with plan gamma of shape
    (n, m). With a, b normalised to sum 1, W is the Wasserstein-1 distance inf_gamma E_gamma ||x - y||.
    The equality constraints, one row per marginal, act on gamma flattened row by row (gamma_ij -> i m + j).
    """
    from scipy.optimize import linprog

    a, b, cost = (np.asarray(v, dtype=float) for v in (a, b, cost))
    if a.ndim != 1 or b.ndim != 1 or cost.shape != (a.size, b.size):
        raise ValueError(f"need a: (n,), b: (m,), cost: (n, m); got {a.shape}, {b.shape}, {cost.shape}")
    if np.any(a < 0) or np.any(b < 0):
        raise ValueError("masses must be non-negative")
    if not np.isclose(a.sum(), b.sum()):
        raise ValueError(f"a and b must carry the same total mass, got {a.sum()} and {b.sum()}")
    n, m = a.size, b.size
    rows = np.kron(np.eye(n), np.ones((1, m)))        # (n, n m): row i sums gamma_i1 .. gamma_im
    cols = np.kron(np.ones((1, n)), np.eye(m))        # (m, n m): row j sums gamma_1j .. gamma_nj
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([a, b]),
                  bounds=(0, None), method="highs")
    if not res.success:
        raise RuntimeError(f"linprog failed: {res.message}")
    return float(res.fun), res.x.reshape(n, m)


def disjoint_supports(theta, n_points=50):
    """KL, JSD and W between pi = (0, U[0, 1]) and p = (theta, U[0, 1]) in 2D, computed, not quoted.

    Both are discretised on n_points heights u_k = (k + 1/2)/n_points of the unit segment (mass 1/n each):
    pi on the points (0, u_k), p on (theta, u_k). On the union of the two supports,
      KL(p || pi) via kl_discrete: inf for theta != 0 (p has mass where pi has none), 0 at theta = 0;
      JSD via js_discrete: log 2 for theta != 0, 0 at theta = 0;
      W via earth_movers_distance with Euclidean costs: |theta| (move every point sideways).
    Returns dict(kl=, jsd=, w=).
    """
    u = (np.arange(n_points) + 0.5) / n_points
    pts_pi = np.stack([np.zeros(n_points), u], axis=1)               # (n, 2)
    pts_p = np.stack([np.full(n_points, float(theta)), u], axis=1)   # (n, 2)
    support = np.unique(np.concatenate([pts_pi, pts_p]), axis=0)     # (n or 2n, 2)

    def masses(points):
        hit = np.all(support[:, None, :] == points[None, :, :], axis=2)   # (|support|, n)
        return hit.sum(axis=1) / n_points

    p_pi, p_p = masses(pts_pi), masses(pts_p)
    cost = np.linalg.norm(pts_pi[:, None, :] - pts_p[None, :, :], axis=2)
    w, _ = earth_movers_distance(np.full(n_points, 1 / n_points), np.full(n_points, 1 / n_points), cost)
    return {"kl": kl_discrete(p_p, p_pi), "jsd": js_discrete(p_pi, p_p), "w": w}


def disjoint_supports_gradient(theta, n_steps, rng, *, noise_std=0.0, batch=256, hidden=32, lr=1e-3,
                               record_every=None):
    """Train D on pi = (0, U[0,1]) vs p_theta = (theta, U[0,1]); return dL_G/dtheta of the saturating loss.

    The generator is G(z) = (theta, z), z ~ U[0, 1], so dG/dtheta = (1, 0) and, by the chain rule through D,
        dL_G/dtheta = sum_i dL_G/dx_i1,     L_G = E log(1 - D(G(z) + noise))   (Minimax.g_loss)
    With disjoint supports D can separate pi from p perfectly, D(G(z)) -> 0, and this derivative collapses to
    0: G gets no signal about which way to move. With instance noise N(0, noise_std^2) on D's inputs (in
    D's training and in G's gradient) the two smoothed distributions overlap, D stays finite, and the
    gradient stays non-zero and points theta towards 0.
    record_every: also record (step, gradient) every so many D steps.
    Returns (gradient at the end, [(step, gradient), ...]); D is float64, mlp([2, hidden, hidden, 1]).
    """
    D = nn.mlp([2, hidden, hidden, 1], rng=rng, activation="leaky_relu", dtype=np.float64)
    objective = losses.Minimax()
    z_eval = rng.random(1024)                                         # fixed z for measuring the gradient
    e_eval = rng.standard_normal((1024, 2)) * noise_std

    def sample_real(n, r):
        return np.stack([np.zeros(n), r.random(n)], axis=1)

    def sample_fake(n, r):
        return np.stack([np.full(n, float(theta)), r.random(n)], axis=1)

    def gradient(D):
        x = np.stack([np.full(z_eval.size, float(theta)), z_eval], axis=1) + e_eval
        _, d_logits = objective.g_loss(D.forward(x))
        D.requires_grad_(False)
        dx = D.backward(d_logits)
        D.requires_grad_(True)
        return float(dx[:, 0].sum())

    history = []

    def callback(step, D):
        if record_every and step % record_every == 0:
            history.append((step, gradient(D)))

    train_discriminator(D, sample_real, sample_fake, n_steps, rng, objective=objective, lr=lr, batch=batch,
                        noise_std=noise_std, callback=callback)
    return gradient(D), history


def vanishing_gradients(G, D, sample_real, z_dim, record_steps, rng, *, lr=1e-3, batch=256, n_eval=1024):
    """Fix G, train D from scratch, and measure G's gradient norm for both generator losses as D improves.

    G: (n, z_dim) -> (n, d) held fixed; D: a fresh discriminator; sample_real(n, rng) -> (n, d) data.
    record_steps: the numbers of D steps (sorted, 0 = untrained D) at which to measure, on one fixed batch
    z of n_eval noise vectors, ||dL_G/dtheta|| for the saturating E log(1 - D(G(z))) (Minimax) and the
    non-saturating -E log D(G(z)) (NonSaturating), via generator_gradient_norms.
    As D learns to reject G's samples, sigmoid(l_fake) -> 0 and the saturating norm collapses with it; the
    non-saturating one does not (Arjovsky & Bottou 2017, Figure 2).
    Returns dict(steps=(k,) array, saturating=(k,), nonsaturating=(k,), d_accuracy=(k,)), where d_accuracy is
    the fraction of the fixed fake batch that D classifies as fake (logit < 0).
    """
    dtype = _dtype(G)
    z = rng.standard_normal((n_eval, z_dim)).astype(dtype)
    objectives = {"saturating": losses.Minimax(), "nonsaturating": losses.NonSaturating()}
    record = set(int(s) for s in record_steps)
    out = {"steps": [], "saturating": [], "nonsaturating": [], "d_accuracy": []}

    def sample_fake(n, r):
        return G.forward(r.standard_normal((n, z_dim)).astype(dtype))

    def callback(step, D):
        if step in record:
            norms = generator_gradient_norms(G, D, z, objectives)
            out["steps"].append(step)
            out["saturating"].append(norms["saturating"])
            out["nonsaturating"].append(norms["nonsaturating"])
            out["d_accuracy"].append(float(np.mean(D.forward(G.forward(z)) < 0)))

    train_discriminator(D, sample_real, sample_fake, max(record), rng, lr=lr, batch=batch, callback=callback)
    return {k: np.array(v) for k, v in out.items()}


# =========================================================================================================
# Claim 8. The loss curves do not tell you sample quality
# =========================================================================================================

def loss_curves_vs_quality(data="ring8", *, steps=2000, eval_every=50, snapshot_steps=(), seed=0, **overrides):
    """A vanilla GAN run (scratchgan.trainer.Trainer; Minimax D loss, non-saturating G loss, constant learning
    rates, no weight averaging) that records both what the losses say and what the samples are.

    Every iteration appends loss_d, loss_g (and D's mean outputs d_real, d_fake) to the trainer's history;
    every eval_every iterations, and once before training, Trainer.evaluate appends eval_mmd (unbiased MMD^2 of
    500 samples against 500 data points) and, for mixtures, eval_modes / eval_high_quality / eval_reverse_kl
    (metrics.mode_coverage). snapshot_steps: iterations after which to keep 500 samples of G.
    overrides: further TrainConfig fields (e.g. g_hidden=(64, 64)).
    Returns (history dict of lists, {step: (500, dim) samples}, the Trainer).
    """
    fields = dict(steps=steps, eval_every=eval_every, seed=seed, ema=0.0, lr_decay_start=1.0, lr_final=1.0,
                  eval_samples=1000, loss="nonsaturating", log_every=max(1, steps),
                  # a vanilla GAN, pinned here so that later changes of the dataset's defaults do not move it:
                  lr_d=1e-3, lr_g=1e-3, z_dim=16, instance_noise=0.0, pack=1, truncation=0.0, rejection=0.0,
                  g_first_bias="zero")
    fields.update(overrides)
    config = default_config(data, **fields)
    trainer = Trainer(config)
    snapshots = {}
    trainer.evaluate()                                          # the untrained generator, at step 0
    stops = sorted({int(s) for s in snapshot_steps if 0 < s <= steps} | {steps})
    if 0 in snapshot_steps:
        snapshots[0] = trainer.sample(500)
    done = 0
    for stop in stops:
        trainer.train(stop - done)
        done = stop
        if stop in snapshot_steps:
            snapshots[stop] = trainer.sample(500)
    return trainer.history, snapshots, trainer
