"""The densities the claims are checked on: 1D Gaussians and Gaussian mixtures, as log-density functions.

Densities in 1D are passed as *log*-density functions, log_p(x) -> log p(x) for an array x of shape (n,),
so that products like p log(p / q) can be formed without log(0) (see optimal_d and fitting). The tests and
the demos build the data pi and the generator p of Claims 4, 5 and 8 with these two functions.
"""

import numpy as np


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
