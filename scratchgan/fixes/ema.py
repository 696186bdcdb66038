"""An exponential moving average of G's weights, the weights sampling uses (Yazici et al. 2019; Karras et al. 2018).

    theta_ema <- decay theta_ema + (1 - decay) theta        after every iteration

MovingAverage   the averaged copy of a network and its update
copy_buffers    running statistics (BatchNorm's) copied into the average
EMA             the fix: the average updated at the end of each iteration
"""

import copy

from ..engine.nn import Sequential
from .base import Fix


class MovingAverage:
    """An exponential moving average of a module's parameters, kept in a copy used only for sampling:

        theta_ema <- decay * theta_ema + (1 - decay) * theta          after every G step
                   = theta_ema + (1 - decay) (theta - theta_ema)      (the form computed, as Adam's m)

    `ema.module` is a deep copy of the module with the averaged weights (and, for BatchNorm, its running
    statistics copied from the live module). The average smooths the oscillation of theta around the
    equilibrium (Yazici et al. 2019), so its samples are often better than the last iterate's.
    update(step) with the number of updates done so far caps the decay at (1 + step) / (10 + step), so early
    on the average forgets the random initial weights quickly (the Trainer does this).
    """

    def __init__(self, module, decay=0.999):
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"MovingAverage: decay must be in [0, 1), got {decay}")
        self.source = module
        self.decay = float(decay)
        self.module = copy.deepcopy(module)
        self.module.eval()

    def update(self, step=None):
        d = self.decay if step is None else min(self.decay, (1.0 + step) / (10.0 + step))
        for p_ema, p in zip(self.module.parameters(), self.source.parameters()):
            p_ema.data += (1.0 - d) * (p.data - p_ema.data)
        copy_buffers(self.source, self.module)

    def forward(self, z):
        return self.module.forward(z)

    __call__ = forward


def copy_buffers(src, dst):
    """Copy running statistics (any attribute named running_*, e.g. BatchNorm's) from src's layers into
    dst's, for a dst that is a copy of src (an EMA's averaged copy needs the live statistics)."""
    if isinstance(src, Sequential):
        for a, b in zip(src.layers, dst.layers):
            copy_buffers(a, b)
        return
    for name, value in vars(src).items():
        if name.startswith("running_"):
            getattr(dst, name)[...] = value


class EMA(Fix):
    """G_ema <- decay G_ema + (1 - decay) G after every iteration: the weights sampling uses (MovingAverage)."""

    name = "ema"

    def __init__(self, ema):
        self.ema = ema

    def end_iteration(self, trainer):
        self.ema.update(trainer.step)       # decay capped at (1 + step) / (10 + step) early on
