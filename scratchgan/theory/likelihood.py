"""Claim 1: likelihood is not sample quality (Theis et al. 2015): a KDE and a noise mixture, measured.

p1, a kernel density estimate of the training set with a tiny kernel, has perfect samples and a terrible
held-out log-likelihood; p2 = 1% data + 99% noise has terrible samples and a log-likelihood within log 100
of the truth. likelihood_vs_quality measures both, by log-likelihood and by a two-sample test.
"""

import numpy as np
from scipy.special import logsumexp


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
    from ..measure import metrics

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
