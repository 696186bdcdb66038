"""Weight clipping: WGAN's crude Lipschitz constraint on the critic (Arjovsky et al. 2017).

clip_weights     every entry of D's parameters into [-c, c], after each critic step
WeightClipping   the fix
"""

import numpy as np

from .base import Fix


def clip_weights(params, c):
    """WGAN's weight clipping: every parameter entry into [-c, c], in place, after each critic step.

    The critic's functions then form a compact set whose members are all K-Lipschitz for some K(c), so it
    estimates K * W (Arjovsky et al. 2017, Algorithm 1, c = 0.01). Too small c: vanishing gradients;
    too large: slow to reach the optimum (and Gulrajani et al. 2017 show it biases the critic to simple
    functions): the motivation for the gradient penalty.
    """
    if not np.isfinite(c) or c <= 0:
        raise ValueError(f"clip_weights: c must be a positive number, got {c}")
    for p in params:
        np.clip(p.data, -c, c, out=p.data)


class WeightClipping(Fix):
    """WGAN's crude Lipschitz constraint: D's weights clipped to [-c, c] after every D-step."""

    name = "clip"

    def __init__(self, c):
        self.c = c

    def after_d_update(self, trainer):
        clip_weights(trainer.D.parameters(), self.c)
