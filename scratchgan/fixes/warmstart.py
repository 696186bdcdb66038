"""A warm start for G: before the game begins, fit G to the affine map that gives its samples the data's mean
and covariance.

Why. A freshly initialised MLP maps the latent box to a small, folded patch somewhere in the data's box (on
grid25, often a wedge in one corner). The first, large steps of the game spread that patch over the data, but
its folds survive: an image of the latent square that never reaches a corner of the grid leaves those modes
empty for good, because D's gradient only moves samples locally and no sample is near them. The affine map

    T(z) = mu + L (z / s_z)[:d]          mu, L L^T = Sigma: the data's mean and covariance (L by Cholesky)
                                         s_z: the standard deviation of each coordinate of z (1 for N(0, I),
                                         1 / sqrt(3) for U(-1, 1)); [:d] keeps the first d = dim(x) of them

gives T(z) the mean mu and the covariance L I L^T = Sigma, and it does not fold: it spreads the latent box
evenly over the data's box, so every mode starts with latent mass nearby. The game then only has to pull
each patch of latent space into the mode nearest to it.

The fit is plain regression, by Adam on the mean squared error in the data box's units s (networks.data_scale):

    L(theta) = (1/n) sum_i || (G(z_i) - T(z_i)) / s ||^2,        dL/dG(z_i) = 2 (G(z_i) - T(z_i)) / (n s^2)
"""

import numpy as np

from ..data.latent import sample_latent
from ..engine import nn, optim
from ..engine.errors import UsageError

NOISE_STD = {"normal": 1.0, "uniform": 1.0 / np.sqrt(3.0)}


def affine_target(data, noise_kind, rng, n_moments=20000):
    """The map T(z) = mu + (z / s_z)[:, :d] @ L^T of the module docstring, as a function (n, q) -> (n, d).

    mu and Sigma = L L^T are estimated from n_moments draws of the data (rng). Needs q = dim(z) >= d."""
    x = data.sample(n_moments, rng, dtype=np.float64)
    mu = x.mean(axis=0)                                           # (d,)
    try:
        L = np.linalg.cholesky(np.atleast_2d(np.cov(x, rowvar=False)))   # (d, d), lower triangular
    except np.linalg.LinAlgError:                                 # Sigma is singular: the data's own property
        raise UsageError(f"g_init moments needs data whose covariance is positive definite; in {data.name} a "
                         f"column is constant or a combination of the others") from None
    s_z = NOISE_STD[noise_kind]

    def target(z):
        if z.shape[1] < data.dim:
            raise ValueError(f"warm start: z_dim {z.shape[1]} is smaller than the data's dimension {data.dim}")
        return (mu + (z[:, :data.dim] / s_z) @ L.T).astype(z.dtype)

    return target


def regression_backward(G, z, target, scale):
    """Add dL/dtheta of L = (1/n) sum_i ||(G(z_i) - target_i) / scale||^2 into G's .grad; return L.

    z: (n, q), target: (n, d), scale: (d,)."""
    x = G.forward(z)
    r = (x - target) / scale                                      # (n, d) residuals in box units
    n = x.shape[0]
    nn.backward_params_only(G, (2.0 / n) * r / scale)             # dL/dx = 2 r / (n s)
    return float(np.sum(r * r) / n)


def warm_start(G, data, z_dim, noise_kind, rng, scale, *, steps=500, batch=256, lr=1e-3, dtype=np.float32,
               classes=0):
    """Fit G to affine_target for `steps` Adam steps, each on `batch` fresh draws of z ~ noise_kind (rng), with
    a discrete code of `classes` classes after them if asked (scratchgan.data.latent; the target reads eps only).

    scale: (d,) the box units of the loss. Returns the last minibatch's loss (G then matches the map closely:
    about 1e-3 or less). A z_dim below the data's dimension, or data of singular covariance, is a UsageError."""
    if z_dim < data.dim:
        raise UsageError(f"g_init moments needs z_dim >= the data's dimension, got z_dim {z_dim} for "
                         f"{data.dim}-dimensional {data.name}")
    target = affine_target(data, noise_kind, rng)
    opt = optim.Adam(G.parameters(), lr=lr, betas=(0.9, 0.999))
    loss = float("nan")
    for _ in range(steps):
        z = sample_latent(batch, z_dim, rng, noise_kind, classes, dtype=dtype)
        opt.zero_grad()
        loss = regression_backward(G, z, target(z), scale)
        opt.step()
    G.zero_grad()
    return loss
