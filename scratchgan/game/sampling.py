"""How a run is sampled: G's EMA weights, Jacobian truncation, discriminator rejection, the two-sample check.

sample                the samples a run reports: proposals of the (EMA) generator, truncated, then, if
                      configured, thinned by discriminator rejection sampling
propose               the proposals alone: (EMA) G(z) with Jacobian truncation
ratio_discriminator   a fresh D for rejection sampling, fitted to the proposals of the current step
two_sample_check      did training work? Two MMD permutation tests of sample() against fresh data (a table's
                      held-out rows), one at the scale of the modes' layout, one at the scale within a mode

Each function takes a Trainer (scratchgan.game.trainer) and reads its config, G, G_ema, data and random streams;
Trainer.sample, .ratio_discriminator and .two_sample_check call them.
"""


import numpy as np

from ..data import data_scale
from ..engine.errors import UsageError
from ..fixes import conditional
from ..fixes.rejection import fit_ratio, rejection_sample
from ..fixes.truncation import truncated_sample
from ..measure import metrics
from .networks import build_discriminator

RATIO_STEPS = 3000       # Adam steps of the rejection sampler's discriminator
RATIO_POOL = 20000       # proposals it is fitted on

CHECK_SAMPLES = 2500     # samples of G and of the data in the two-sample check
CHECK_BANDWIDTH = 0.2    # its kernel's width, in units of the data box's scale (networks.data_scale)
CHECK_ALPHA = 0.01       # the level of each of its two tests


def sample(trainer, n, rng=None, *, rejection=True, label=None):
    """(n, dim) samples G(z) (from the EMA weights when config.fixes.ema > 0), z from trainer.sample_rng by default.

    With config.sampling.truncation = q > 0, n / (1 - q) latent points are drawn and the n whose ||dG/deps|| is
    smallest are kept (scratchgan.fixes.truncation). eps is z's continuous part, its first z_dim coordinates: the
    class code of latent_classes is left out (with no code, eps is all of z).
    With config.sampling.rejection = sigma > 0 (and rejection=True), those samples are the proposals of
    discriminator rejection sampling (scratchgan.fixes.rejection): a D fitted to them at the current step
    keeps each with probability min(1, exp(l(x) - log M)). Evaluations during training pass
    rejection=False (fitting that D takes a few seconds).
    A conditional run (config.fixes.conditional) draws each sample's class uniformly, or all of class `label`.
    Data whose values have a range (data.value_range: the digits' 0..16) get their samples clipped into it."""
    rng = trainer.sample_rng if rng is None else rng
    if label is not None and not trainer.config.fixes.conditional:
        raise UsageError(f"--label needs a run trained with --conditional; this {trainer.config.run.data} run was not")
    if trainer.config.fixes.conditional:
        x = conditional_sample(trainer, int(n), rng, label)
    elif trainer.config.sampling.rejection > 0 and rejection:
        x, _ = rejection_sample(lambda m: propose(trainer, m, rng), trainer.ratio_discriminator(), int(n), rng)
    else:
        x = propose(trainer, int(n), rng)
    value_range = getattr(trainer.data, "value_range", None)
    return x if value_range is None else np.clip(x, *value_range)     # digits: pixels in 0..16, as the data


def propose(trainer, n, rng):
    """n samples of the (EMA) generator with Jacobian truncation: sample() without rejection."""
    G = trainer.G_ema if trainer.G_ema is not None else trainer.G
    G.eval()
    try:
        cfg = trainer.config           # the Jacobian over the continuous part of z (eps), not its code
        x, _ = truncated_sample(G, lambda m: trainer.noise(m, rng), n, cfg.sampling.truncation, dims=cfg.model.z_dim)
        return x
    finally:
        G.train()


def conditional_sample(trainer, n, rng, label=None):
    """n samples G(z, y) of a conditional run (EMA weights if configured), y uniform over the classes or all
    `label`; truncation and rejection do not apply (config.validate refuses them with conditional)."""
    K = trainer.data.n_classes
    if label is not None and not (isinstance(label, (int, np.integer)) and 0 <= label < K):
        raise UsageError(f"label must be an integer class in 0..{K - 1}, got {label!r}")
    G = trainer.G_ema if trainer.G_ema is not None else trainer.G
    y = rng.integers(0, K, size=n) if label is None else np.full(n, label)
    z = trainer.noise(n, rng)
    conditional.set_labels(G, y)
    G.eval()
    try:
        return G.forward(z)
    finally:
        G.train()
        conditional.set_labels(G, None)


def ratio_discriminator(trainer):
    """A fresh D of rejection sampling, fitted to the sampler of the current step.

    A fresh unpacked D of config's architecture, trained by scratchgan.fixes.rejection.fit_ratio on data
    against RATIO_POOL proposals, inputs blurred by N(0, config.sampling.rejection^2). It has its own random
    stream, seeded by (config.run.seed, step), so fitting it never changes the training or sampling streams
    and a resumed run refits the same D. Trainer.ratio_discriminator keeps it while G is unchanged."""
    cfg = trainer.config
    rng = np.random.default_rng([cfg.run.seed, trainer.step, 7])
    D = build_discriminator(cfg.replace(pack=1), trainer.data, rng, trainer.pieces)
    fit_ratio(D, lambda m, r: trainer.data.sample(m, r, dtype=trainer.dtype), propose(trainer, RATIO_POOL, rng),
              cfg.sampling.rejection, RATIO_STEPS, cfg.game.batch, rng)
    return D


def two_sample_check(trainer):
    """Did training work? The likelihood-free test of H0: pi = p(x | theta), run on the finished sampler.

    CHECK_SAMPLES samples of sample() (truncation and rejection included) against as many fresh data
    points, two metrics.mmd_test with Gaussian kernels and 200 permutations each:
      width CHECK_BANDWIDTH * s (s: the data box's scale, networks.data_scale; on grid25 the width is 0.58,
          about a third of the spacing between modes), so an empty or starved mode shows;
      the local width metrics.knn_bandwidth of the pooled sample (0.64 of a mode's std on grid25, 0.36 on
          ring8), so a mode squeezed narrower than the data's shows: the first test is blind to it (issue 22).
    A table of rows (your own data, the digits) is tested against its held-out rows instead, never seen in
    training, as many samples of G as there are rows (at most CHECK_SAMPLES of them, drawn without
    replacement). Not against the training rows: a resample of n rows with replacement repeats rows, which a
    kernel a fraction of a mode wide sees, so even a perfect sampler of the table's source was rejected
    (10 times in 10 on a 30-mode table of 2,400 rows; 0 in 10 against its 600 held-out rows).
    The check rejects H0 when either test does at level CHECK_ALPHA, so its size is at most 2 CHECK_ALPHA
    (the union bound). Its own random stream, seeded by (seed, attempt, step), leaves the others untouched;
    the local test draws its permutations after the first, whose numbers stay those it had alone.
    Returns {"mmd2", "p_value" (the first test), "knn_mmd2", "knn_p_value" (the second), "rejects"}."""
    cfg = trainer.config
    rng = np.random.default_rng([cfg.run.seed, cfg.run.attempt, trainer.step, 11])
    held = getattr(trainer.data, "heldout", None)
    if held is not None:
        n = min(CHECK_SAMPLES, len(held))
        y = held if n == len(held) else held[rng.choice(len(held), n, replace=False)]
        x = trainer.sample(n, rng).astype(np.float64)
    else:
        n = CHECK_SAMPLES
        x = trainer.sample(n, rng).astype(np.float64)
        y = trainer.data.sample(n, rng, dtype=np.float64)
    h = CHECK_BANDWIDTH * float(np.mean(data_scale(trainer.data)[1]))
    mmd2, p = metrics.mmd_test(x, y, n_permutations=200, rng=rng, bandwidth=h)
    knn_mmd2, p_knn = metrics.mmd_test(x, y, n_permutations=200, rng=rng, bandwidth="knn")
    return {"mmd2": mmd2, "p_value": p, "knn_mmd2": knn_mmd2, "knn_p_value": p_knn,
            "rejects": bool(min(p, p_knn) <= CHECK_ALPHA)}
