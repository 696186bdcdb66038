"""The generator's latent z: a continuous draw, joined by a discrete code when the data comes in pieces.

Why a discrete code. G is continuous, and a continuous map sends a connected set to a connected set. With
z ~ N(0, I) alone, a generator of eight separate modes must therefore also put samples on paths between them,
the bridges (Tanielian et al. 2020 bound their share from below). Training can only thin a bridge by stretching
G across it, and that is slow: after 8,000 steps, 8% of ring8's samples still lie on bridges. A latent made of
C separate pieces removes the obstruction instead of fighting it:

    c ~ Uniform{0, ..., C-1},   eps ~ p(eps) = N(0, I_q) or U(-1, 1)^q,   z = (eps, a e_c)  in R^(q + C)

e_c is the c-th unit vector of R^C and a = CLASS_SCALE. The pieces of p(z) are copies of p(eps) whose centres
lie a sqrt(2) apart, and G's first layer sees a e_c as a class-specific bias a W e_c, so G can send each piece to
a mode of its own, with nothing between them. This is InfoGAN's categorical code (Chen et al. 2016) without
its mutual-information term; DeLiGAN (Gurumurthy et al. 2017) learns a mixture of Gaussians as the latent.

The code needs a scale. With a = 1 the pieces start too close: G's random first layer maps them onto one
patch, and G never pulls them apart (on ring8, 8% of the samples stay on bridges, as with no code at all);
with a = 3 each piece lands on a mode of its own within the first thousand steps (docs/modes.md).

C is a belief about how many pieces the data has; set by hand, with C not a multiple of the modes, some mode
gets more pieces than another, and the shares come out uneven (docs/modes.md has the numbers). The recipes do
not set it: with pieces on (scratchgan/fixes/pieces.py) the trainer finds the data's separate pieces itself,
sets C to their number and draws c with their shares (probs). A learned prior over the classes (learned_prior,
scratchgan/fixes/learned_prior.py) is the other way tried: C one number larger than the modes' count.

sample_latent   z ~ p(z) as above: (n, q) without a code, (n, q + C) with one
join_code       z = (eps, a e_c) from given eps and classes c: the one place that lays the code out
latent_class    the class c of each row of such a z
CLASS_SCALE     a
"""

import numpy as np

from .datasets import sample_noise

CLASS_SCALE = 3.0


def sample_latent(n, z_dim, rng, kind="normal", classes=0, dtype=np.float32, probs=None):
    """n draws of z = (eps, a e_c): eps (n, z_dim) from data.sample_noise (kind "normal" or "uniform"), then,
    for classes = C > 0, c uniform on 0..C-1 (drawn after eps, from the same rng) and a one-hot code scaled by
    CLASS_SCALE. Returns (n, z_dim + C); with classes = 0 exactly sample_noise(n, z_dim, rng, kind, dtype).
    probs: (C,) class probabilities r summing to 1, c ~ r instead of uniform (a learned prior,
    scratchgan/fixes/learned_prior.py); None: uniform, drawn as before."""
    eps = sample_noise(n, z_dim, rng, kind, dtype=dtype)
    if not classes:
        return eps
    c = rng.integers(0, classes, size=n) if probs is None else rng.choice(classes, size=n, p=probs)
    return join_code(eps, c, classes)


def join_code(eps, c, classes):
    """z = (eps, a e_c): eps (n, q), c (n,) integer classes in 0..classes-1 -> (n, q + classes), eps's dtype."""
    n, q = eps.shape
    z = np.zeros((n, q + classes), dtype=eps.dtype)
    z[:, :q] = eps
    z[np.arange(n), q + np.asarray(c)] = CLASS_SCALE
    return z


def latent_class(z, z_dim):
    """(n,) the class c of each row of z = (eps, a e_c) of sample_latent, eps being its first z_dim columns."""
    if z.shape[1] <= z_dim:
        raise ValueError(f"latent_class: z has {z.shape[1]} columns, no code after the first {z_dim}")
    return np.argmax(z[:, z_dim:], axis=1)
