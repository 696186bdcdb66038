"""Instance noise: D sees its inputs blurred, real and fake alike (Sonderby et al. 2016; Arjovsky & Bottou 2017).

    x  ->  x + sigma_t N(0, I),   sigma_t = sigma_0 max(0, 1 - t / T)

Blurred by the same noise, the supports of pi and p_g overlap, so D's verdict varies smoothly between them and
its gradient carries G's samples across the gap (lecture claim 12). The noise does not depend on x, so
d(x + noise)/dx = I: G's gradient passes through unchanged.

add_instance_noise   x + sigma N(0, I)
annealed             the schedule sigma_t
NoiseLayer           the same as a layer, put after G for G's step so its samples reach D noisy, as the reals do
InstanceNoise        the fix: the schedule at the start of an iteration, the noise on D's inputs and after G
"""

import numpy as np

from ..engine import nn
from ..engine.nn import Module
from .base import Fix


def add_instance_noise(x, sigma, rng):
    """x + sigma * N(0, I): D sees noisy reals AND noisy fakes, so their supports overlap (lecture claim 12).

    x: (n, d); sigma >= 0; rng: np.random.Generator. Returns a new (n, d) array in x's dtype.
    The noise does not depend on x, so d(x + noise)/dx = I: G's gradient passes through unchanged.
    """
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"instance noise: sigma must be a finite number >= 0, got {sigma}")
    if sigma == 0:
        return x
    return x + (sigma * rng.standard_normal(x.shape)).astype(x.dtype, copy=False)


def annealed(sigma0, step, total_steps):
    """The linear annealing schedule sigma_t = sigma0 * max(0, 1 - t / T) (noise fades as p nears pi)."""
    return float(sigma0) * max(0.0, 1.0 - step / max(total_steps, 1))


class NoiseLayer(Module):
    """A layer that adds instance noise: forward(x) = x + sigma N(0, I), backward(dy) = dy (the noise does
    not depend on x). Put it in front of D for G's step so G's samples reach D noisy, as the reals do.
    sigma may be changed between steps (annealing); rng: the np.random.Generator it draws from."""

    def __init__(self, sigma, rng):
        self.sigma, self.rng = float(sigma), rng

    def __repr__(self):
        return f"NoiseLayer({self.sigma:g})"

    def forward(self, x):
        return add_instance_noise(x, self.sigma, self.rng)

    def backward(self, dy):
        return dy


class InstanceNoise(Fix):
    """D sees x + sigma N(0, I), real and fake alike, sigma annealed from sigma0 to 0 (Sonderby et al. 2016)."""

    name = "instance_noise"

    def __init__(self, sigma0, until, rng):
        self.sigma0, self.until = sigma0, until
        self.layer = NoiseLayer(0.0, rng)       # G(z) + sigma N(0, I) as a layer, for G's step

    def begin_iteration(self, trainer):
        trainer.sigma = annealed(self.sigma0, trainer.step, self.until * trainer.config.run.steps)

    def d_inputs(self, trainer, D, x_real, x_fake):
        if not trainer.sigma:
            return D, x_real, x_fake
        return (D, add_instance_noise(x_real, trainer.sigma, trainer.rng),
                add_instance_noise(x_fake, trainer.sigma, trainer.rng))

    def g_generator(self, trainer, G):
        if not trainer.sigma:
            return G
        self.layer.sigma = trainer.sigma
        return nn.Sequential(G, self.layer)                # d(G(z) + noise)/dG(z) = I: dx passes through
