"""Claims 4 and 5: the optimal discriminator D* = pi / (pi + p), and the JSD theorem V(G, D*) = 2 JSD - log 4.

Goodfellow et al. 2014. For a fixed generator the best discriminator is D* = pi / (pi + p) (Claim 4), and
its value is V(G, D*) = 2 JSD(pi || p) - log 4 (Claim 5). Here D*, the value function V(G, D) of any
discriminator given by its logit, and KL and JSD themselves, all by quadrature over an interval [lo, hi]
that holds essentially all the mass: adaptive (scipy.integrate.quad) or, inside optimisers, the
trapezoidal rule on a fine grid (see _integrate). Densities are log-density functions (see densities).
How a *trained* discriminator approaches D* is in discriminator.py.
"""

import numpy as np
from scipy import integrate

LOG2 = float(np.log(2.0))


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
