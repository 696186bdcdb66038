"""Discriminator rejection sampling: correct G's samples with the density ratio a discriminator estimates.

The theory. For a fixed sampler with density p, the discriminator maximising
    E_pi log D(x) + E_p log(1 - D(x))
is D*(x) = pi(x) / (pi(x) + p(x)) (scratchgan.theory.optimal_discriminator), so its logit is the log density
ratio:  l*(x) = log D*/(1 - D*) = log pi(x) / p(x).
Rejection sampling then turns samples of p into samples of pi: draw x ~ p and accept it with probability
pi(x) / (M p(x)) = exp(l*(x) - log M), where M bounds the ratio; the accepted x follow pi exactly. This is
Discriminator Rejection Sampling (Azadi et al. 2019): after training, G is frozen, a discriminator is trained
against it until it is (nearly) optimal, and its logit decides which of G's samples to keep.

Calibrating at the scale of the modes. A D trained for a few seconds does not resolve modes of std 0.02, and
need not: both its inputs, real and generated, are blurred with N(0, sigma^2) noise, sigma between the modes'
width and their spacing. Its logit then estimates log (pi * N_sigma)(x) / (p * N_sigma)(x), and on mode k that
is about log(pi_k / p_k): the mode's share in the data over its share in G's samples. Rejection with it
evens out the modes' shares (the reverse KL of the mode histogram). It cannot fill a mode G never visits,
and it leaves the bridges between modes to Jacobian truncation (scratchgan.fixes.truncation), whose samples are
its proposals here.

log M is a high quantile (the 99.9th percentile) of the logits of the proposals rather than their maximum:
the few proposals above it are accepted with probability 1 (slightly under-weighted), and one outlying logit
cannot make the acceptance rate of all the others vanish. It must be high: a mode G fills to a tenth of its
share has a ratio ten times the typical one, and a cap below that leaves it short (on grid25 seed 2, the
99th percentile left a reverse KL of 0.02, the 99.9th 0.005, at an acceptance rate of 8%).
"""

import numpy as np

from ..engine import losses, optim
from ..engine.gan_backward import discriminator_backward


def fit_ratio(D, real, fake, sigma, steps, batch, rng, lr=1e-3):
    """Train D (a fresh discriminator, logits out) to tell real from fake on inputs blurred by N(0, sigma^2).

    real: a function (n, rng) -> (n, d) data samples.  fake: (N, d) samples of the frozen sampler p (a pool
    drawn once).  Cross-entropy (the GAN's D loss), Adam(lr, betas (0.5, 0.999)) for `steps` steps of
    `batch` real and `batch` fake points, the learning rate falling linearly to 0 over the second half.
    Returns D; its logit then estimates log (pi * N_sigma) / (p * N_sigma).
    """
    objective = losses.Minimax()
    opt = optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    dtype = fake.dtype
    for step in range(steps):
        opt.lr = lr * min(1.0, 2.0 * (1.0 - step / steps))
        x_real = real(batch, rng)
        x_fake = fake[rng.integers(0, len(fake), batch)]
        x_real = x_real + (sigma * rng.standard_normal(x_real.shape)).astype(dtype)
        x_fake = x_fake + (sigma * rng.standard_normal(x_fake.shape)).astype(dtype)
        opt.zero_grad()
        discriminator_backward(D, objective, x_real, x_fake)
        opt.step()
    return D


def accept(logits, rng, quantile=0.999):
    """Rejection step: a boolean mask, True where x is accepted.

    logits: (n,) estimates of log pi(x) / p(x).  log M = their `quantile`-quantile;
    x is accepted with probability min(1, exp(l(x) - log M)).
    """
    logits = np.asarray(logits, dtype=np.float64)
    log_m = np.quantile(logits, quantile)
    return rng.random(len(logits)) < np.exp(np.minimum(logits - log_m, 0.0))


def rejection_sample(propose, D, n, rng, quantile=0.999, max_rounds=100):
    """n samples of p corrected towards pi by rejection with D's logit.

    propose: a function m -> (m, d) fresh samples of p.  D: the fitted discriminator (fit_ratio).
    Proposals are drawn in rounds of max(4 n, 5000) until n are accepted. Returns (x (n, d), acceptance rate).
    """
    kept, drawn, total = [], 0, 0
    for _ in range(max_rounds):
        m = max(4 * n, 5000)
        x = propose(m)
        mask = accept(D.forward(x)[:, 0], rng, quantile)
        kept.append(x[mask])
        drawn += m
        total += int(mask.sum())
        if total >= n:
            return np.concatenate(kept)[:n], total / drawn
    raise RuntimeError(f"rejection sampling accepted only {total} of {drawn} proposals; "
                       f"the discriminator's ratio estimate is degenerate")
