"""Feature matching: G matches the mean of D's last hidden layer instead of fooling D (Salimans et al. 2016).

    L_G = || mean_i d(x_real_i) - mean_j d(G(z_j)) ||^2,    d = D's layers up to its last hidden one

feature_layers, default_feature_layer   d: the first layers of D
feature_matching_backward               L_G and its gradient, through d with D frozen, into G
FeatureMatching                         the fix: this L_G replaces the objective's in G's step
"""

import numpy as np

from ..engine.nn import frozen, Sequential
from .base import Fix
from .instance_noise import add_instance_noise


def feature_layers(D, layer):
    """The first `layer` layers of the Sequential D, as a Sequential sharing D's modules (no copy).

    d(x) = feature_layers(D, layer)(x) is "an intermediate layer of D". layer must be in 1 .. len - 1
    (len would be D's output itself, which is the ordinary generator loss, not feature matching).
    """
    if not isinstance(D, Sequential):
        raise ValueError(f"feature matching needs D to be a Sequential, got {type(D).__name__}")
    n = len(D.layers)
    if not 1 <= int(layer) <= n - 1:
        raise ValueError(f"feature matching: layer must be in 1..{n - 1} for a D of {n} layers, got {layer}")
    return Sequential(*D.layers[:int(layer)])


def default_feature_layer(D):
    """The input of D's last Linear: the last hidden representation, the usual choice for d."""
    return len(D.layers) - 1


def feature_matching_backward(G, D, x_real, z, layer=None):
    """Feature matching (Salimans et al. 2016, Section 3.1): add dL_G/dtheta into G's .grad, return L_G.

        L_G = || mean_i d(x_real_i) - mean_j d(G(z_j)) ||_2^2

    x_real: (n_r, d_x), z: (n_f, d_z); d = feature_layers(D, layer): (batch, d_x) -> (batch, h).
    mu_r = mean of d over the real batch (a constant for G), mu_f over the fakes; with u = mu_r - mu_f:
        dL_G/d d(G(z_j)) = -2 u / n_f          (the same row for every fake sample j)
    then backward through d (D's parameters frozen: only the input gradient) and through G.
    """
    layer = default_feature_layer(D) if layer is None else layer
    d = feature_layers(D, layer)
    mu_r = d.forward(x_real).mean(axis=0)                  # (h,)
    feat_fake = d.forward(G.forward(z))                    # (n_f, h); d's caches now hold the fake batch
    n_f = feat_fake.shape[0]
    u = mu_r - feat_fake.mean(axis=0)
    loss = float(u @ u)
    dfeat = np.broadcast_to(-2.0 * u / n_f, feat_fake.shape).astype(feat_fake.dtype)
    with frozen(D):
        dx = d.backward(dfeat)
    G.backward(dx)
    return loss


class FeatureMatching(Fix):
    """G's loss becomes || E d(x_real) - E d(G(z)) ||^2 on D's last hidden layer (Salimans et al. 2016)."""

    name = "feature_matching"

    def g_loss_backward(self, trainer, G, z):
        x_real = add_instance_noise(trainer.real(trainer.config.game.batch), trainer.sigma, trainer.rng)
        return feature_matching_backward(G, trainer.D, x_real, z)
