"""Claim 4 in practice: train a discriminator alone against a fixed generator, the inner max_D V(G, D).

A trained D approaches the optimal D* of optimal_d.py; the vanishing gradients of Claims 7 and 12
(gradients.py, supports.py) are measured on a D trained this way.
"""

from ..engine import losses, optim
from ..engine.gan_backward import discriminator_backward


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
