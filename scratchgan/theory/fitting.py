"""Claim 8: KL vs JSD, mode covering vs mode seeking: fit one Gaussian to a target by each divergence.

Forward KL(pi || p) (maximum likelihood) covers every mode, reverse KL(p || pi) seeks one, and the JSD that
a GAN with an optimal D minimises lies in between. Divergences here are trapezoidal sums on a fixed grid,
fast enough to sit inside an optimiser; optimal_d.py computes the same ones by adaptive quadrature.
"""

import numpy as np
from scipy import optimize

from .optimal_d import LOG2


DIVERGENCES = ("kl_forward", "kl_reverse", "jsd")


def divergence_on_grid(divergence, log_pi, log_p, x):
    """KL(pi || p), KL(p || pi) or JSD(pi || p) from log-densities tabulated on an even grid x (all (N,)),
    by the trapezoidal rule (see optimal_d._integrate). 0 log 0 = 0 where a density underflows to 0."""
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
