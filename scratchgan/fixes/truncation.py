"""Jacobian-based truncation: drop the generated samples that sit on the bridges between modes.

Why bridges exist. G is continuous and z ~ N(0, I) has a connected support, so G(z) has a connected support
too: a generator cannot put mass on eight separate Gaussians without also putting some on the paths between
them. To make that mass small, G must stretch the thin slices of latent space that map between two modes
across the whole gap: there ||dG/dz|| is large. Tanielian et al. 2020 ("Learning disconnected manifolds: a no
GAN's land", ICML) prove that the share of off-manifold samples of a Lipschitz G is bounded below, and
propose this fix: sample as usual, but reject the samples where the Jacobian's norm is largest.

The Jacobian by backpropagation. For x = G(z) with z in R^q and x in R^d, the backward pass seeded with
dL/dx = e_i (the i-th unit vector, for every row of the batch) returns dL/dz = e_i^T J(z), the i-th row of
the Jacobian J(z) = dG/dz (a vector-Jacobian product). d backward passes give all of J, and

    ||J(z)||_F^2 = sum_i ||e_i^T J(z)||^2,   i = 1..d.

For the toys d is 1 or 2, so this costs one forward and d backward passes.
"""

import math

import numpy as np

from ..engine.nn import frozen


def jacobian_norms(G, z, dims=None):
    """||dG/dz||_F at each row of z, over z's first `dims` coordinates (all of them when dims is None).

    G: a Module mapping (n, q) to (n, d).  z: (n, q).  Returns (n,) float64.
    dims: with a latent z = (eps, a e_c) (scratchgan.data.latent), the norm is taken over eps's coordinates only: the
    code is not a direction along which samples vary continuously, and G's response to it (which piece a draw
    belongs to) would otherwise swamp the stretching within a piece.
    G's parameters' .grad are not touched (gradient accumulation is switched off for the d backward passes).
    """
    x = G.forward(z)
    n, d = x.shape
    squared = np.zeros(n)
    seed = np.zeros_like(x)
    with frozen(G):
        for i in range(d):
            seed[:, i] = 1.0               # dL/dx = e_i on every row ...
            row = G.backward(seed)         # ... so dL/dz = e_i^T J(z): (n, q)
            squared += np.sum(np.square(row[:, :dims], dtype=np.float64), axis=1)
            seed[:, i] = 0.0
    return np.sqrt(squared)


def truncated_sample(G, noise, n, drop, dims=None):
    """n samples of G after rejecting the fraction `drop` with the largest Jacobian norm.

    noise: a function m -> z of shape (m, q) (fresh latent draws).  drop: in [0, 1).
    dims: the norm is over z's first dims coordinates (see jacobian_norms).
    Draws m = ceil(n / (1 - drop)) latent points, computes x = G(z) and ||J(z)||_F, and keeps the n points
    with the smallest norm, in their original order. Returns (x_kept (n, d), threshold), threshold being
    the largest norm kept. drop = 0 returns G(noise(n)) unchanged.
    """
    if not 0.0 <= drop < 1.0:
        raise ValueError(f"Jacobian truncation: drop must be in [0, 1), got {drop}")
    if drop == 0.0:
        return G.forward(noise(n)), math.inf
    m = math.ceil(n / (1.0 - drop))
    z = noise(m)
    norms = jacobian_norms(G, z, dims)
    # The n smallest norms, in their original order. A ReLU generator is linear on each region of z-space, so
    # points of one region share their Jacobian exactly: ties are common. A stable sort breaks them by
    # position, the same way on every NumPy (argpartition's choice among ties changed between versions).
    keep = np.sort(np.argsort(norms, kind="stable")[:n])
    return G.forward(z[keep]), float(norms[keep].max())
