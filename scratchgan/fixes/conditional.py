"""Conditional GANs (Mirza & Osindero 2014): G(z, y) and D(x, y), the label y given to both as a one-hot vector.

    G(z, y) = G'([z, onehot(y)])          D(x, y) = D'([a(x), onehot(y)])          y in {0, ..., K-1}

(a: D's fixed standardisation of x, nn.FixedAffine). The game is the vanilla one with every expectation
conditioned on y: D learns pi(x | y) / (pi(x | y) + p(x | y, theta)) when the fake labels follow the real
ones (in general each term carries its label's probability: docs/conditional.md), and G must make each class
look like that class. At the end, G(z, y = k) draws class k on demand.

The one-hot block is joined to the input of each network's first Linear layer by OneHotLabels, a layer with no
parameters whose labels are set before each forward pass with set_labels (the trainer does it for every batch:
the real batch's own labels, and labels drawn uniformly for G's batch). In a Linear layer that follows,
[x, onehot(y)] W = x W_x + W_y[y]: each class gets its own learned bias.
"""

import numpy as np

from ..engine.nn import _check_grad, _check_input, Module, Sequential
from .base import Fix


class OneHotLabels(Module):
    """y = [x, onehot(labels)]: (n, d) -> (n, d + K);  dx = dy[:, :d] (labels are data, not differentiated).

    .labels: (n,) ints in 0..K-1 for the next forward pass, set by set_labels; None means "no labels given":
    the rows then take the classes in turn, 0, 1, ..., K-1, 0, 1, ... (plots and gradient checks see every
    class alike). Labels of another length than the batch are an error, never silently replaced.
    """

    def __init__(self, n_classes):
        self.n_classes = int(n_classes)
        if self.n_classes < 2:
            raise ValueError(f"OneHotLabels: need at least 2 classes, got {n_classes}")
        self.labels = None

    def __repr__(self):
        return f"OneHotLabels({self.n_classes})"

    def forward(self, x):
        _check_input(self, x, None)
        n, self.d = x.shape
        y = np.arange(n) % self.n_classes if self.labels is None else self.labels
        if len(y) != n:
            raise ValueError(f"{self!r}: {len(y)} labels set for a batch of {n} rows")
        out = np.zeros((n, self.d + self.n_classes), dtype=x.dtype)
        out[:, :self.d] = x
        out[np.arange(n), self.d + y] = 1.0
        self.y_shape = out.shape
        return out

    def backward(self, dy):
        _check_grad(self, dy, self.y_shape)
        return dy[:, :self.d]            # d[x, onehot(y)]/dx = [I, 0]


def label_layers(net):
    """The OneHotLabels layers of a network: the layer itself, or those inside a Sequential (nested ones too).
    (A conditional run is never packed: config.validate refuses pack > 1 with conditional.)"""
    if isinstance(net, OneHotLabels):
        return [net]
    if isinstance(net, Sequential):
        return [layer for m in net.layers for layer in label_layers(m)]
    return []


def set_labels(net, labels):
    """Give every OneHotLabels layer of `net` the labels of the next batch: (n,) ints, or None (cycle)."""
    layers = label_layers(net)
    if not layers:
        raise ValueError(f"set_labels: {net!r} has no OneHotLabels layer: it is not a conditional network")
    y = None if labels is None else np.asarray(labels, dtype=np.int64)
    for layer in layers:
        if y is not None and (y.ndim != 1 or y.min(initial=0) < 0 or y.max(initial=0) >= layer.n_classes):
            raise ValueError(f"{layer!r}: labels must be a 1-D array of ints in 0..{layer.n_classes - 1}")
        layer.labels = y


def draw_labels(n, n_classes, rng):
    """(n,) labels for G's batch, uniform over the classes (the mixtures' classes are balanced, the digits'
    nearly: 139 to 157 of the 1,497 training rows each)."""
    return rng.integers(0, n_classes, size=n)


class ConditionalLabels(Fix):
    """G(z, y) and D(x, y): each real x comes with its own label, each G(z, y) with the y it was made for."""

    name = "conditional"

    def real_batch(self, trainer, m):
        x_real, y_real = trainer.data.sample_labelled(m, trainer.rng, dtype=trainer.dtype)
        y_fake = draw_labels(m, trainer.data.n_classes, trainer.rng)
        set_labels(trainer.G, y_fake)
        set_labels(trainer.D, np.concatenate([y_real, y_fake]))    # the stacked batch's labels
        return x_real

    def before_g_step(self, trainer):
        y = draw_labels(trainer.config.game.batch, trainer.data.n_classes, trainer.rng)
        set_labels(trainer.G, y)
        set_labels(trainer.D, y)

    def end_iteration(self, trainer):
        set_labels(trainer.G, None)     # outside training, the networks see the classes in turn
        set_labels(trainer.D, None)
