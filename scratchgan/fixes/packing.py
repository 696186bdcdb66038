"""PacGAN: D judges m samples at once, so a collapsed G is easy to see (Lin et al. 2018).

    pack: (n, d) -> (n / m, m d),   row k = [x_{km}, ..., x_{km+m-1}]

A generator that collapsed makes packs of near-identical samples, which real packs are not; D, built with m d
inputs, can tell them apart, so collapse is penalised.

pack, unpack   the reshape and its backward (the inverse reshape)
Packed         D applied to packs: the wrapper G's step and the plots see
Packing        the fix: D's inner network judges the packed batches in D's step
"""

import numpy as np

from ..engine.nn import Module
from .base import Fix


def pack(x, m):
    """PacGAN packing (Lin et al. 2018): m consecutive samples become one row of D's input.

    x: (n, d) with n divisible by m  ->  (n / m, m d), row k = [x_{km}, x_{km+1}, ..., x_{km+m-1}].
    D then has m d inputs and judges m samples jointly; a collapsed G produces packs of near-identical
    samples, which D can tell apart from real packs, so mode collapse is penalised.
    """
    m = int(m)
    if m < 1:
        raise ValueError(f"pack: the packing degree m must be >= 1, got {m}")
    n, d = x.shape
    if n % m:
        raise ValueError(f"pack: batch size {n} is not divisible by the packing degree {m}")
    return x.reshape(n // m, m * d)


def unpack(dx_packed, m):
    """The backward of pack: a reshape moves entries without changing them, so its gradient is the
    inverse reshape. dx_packed: (n / m, m d) -> (n, d)."""
    k, md = dx_packed.shape
    return dx_packed.reshape(k * int(m), md // int(m))


class Packed(Module):
    """D applied to packs: forward(x) = D(pack(x, m)), backward(dy) = unpack(D.backward(dy), m); D is .inner.

    x: (n, d) -> scores (n / m, 1), D built with m d inputs. The training functions call D.forward and
    D.backward, so wrapping D in Packed is all PacGAN needs. A gradient penalty is taken on packs:
    penalties.r1(packed.inner, pack(x, m)) (the input gradient is per pack, as in the PacGAN paper).

    In eval mode (packed.eval(), used by the plots), each row x is scored as the pack of m copies of itself,
    D([x, x, ..., x]): a per-point picture of D (what it thinks of a fully collapsed pack at x), so heat
    maps and gradient fields keep one value per point. Backward then sums the m blocks of the gradient.
    """

    def __init__(self, D, m):
        self.inner, self.m = D, int(m)
        if self.m < 1:
            raise ValueError(f"Packed: the packing degree m must be >= 1, got {m}")

    def parameters(self):
        return self.inner.parameters()

    def train(self, mode=True):
        self.training = mode
        self.inner.train(mode)
        return self

    def __repr__(self):
        return f"Packed({self.inner!r}, m={self.m})"

    def forward(self, x):
        if not self.training:
            self.copies = True
            return self.inner.forward(np.tile(x, (1, self.m)))     # row i = [x_i, x_i, ..., x_i]
        self.copies = False
        return self.inner.forward(pack(x, self.m))

    def backward(self, dy):
        dx = self.inner.backward(dy)
        if self.copies:                                        # x_i was used m times: add the m blocks
            n, md = dx.shape
            return dx.reshape(n, self.m, md // self.m).sum(axis=1)
        return unpack(dx, self.m)


class Packing(Fix):
    """PacGAN (Lin et al. 2018): D's inner network judges m samples side by side, on both batches."""

    name = "pack"

    def __init__(self, m):
        self.m = m

    def d_inputs(self, trainer, D, x_real, x_fake):
        # D is Packed(inner, m): its inner network judges the packed rows
        return D.inner, pack(x_real, self.m), pack(x_fake, self.m)
