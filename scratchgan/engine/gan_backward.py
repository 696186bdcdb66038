"""The two gradients of a GAN step: L_D into D's parameters, and L_G through a frozen D into G's.

discriminator_backward: L_D(phi) on a real batch and a fake batch, backpropagated into D's parameters.
generator_pull:         dL_G/dx at G's samples x, back through D with D's parameters untouched (nn.frozen):
                        the pull on each sample, which G's step and the 2D frames' arrows both use.
generator_backward:     L_G(theta) = loss(D(G(z))), backpropagated *through* D (generator_pull) into G's
                        parameters.

These two compositions are what every trainer calls and what the gradient checker verifies
(scratchgan.engine.gradcheck.check_gan). Each layer caches only its last input, so each function runs one forward
pass and then the backward pass that belongs to it: never a backward through activations cached by another
batch.
"""

import numpy as np

from . import nn


def discriminator_backward(D, objective, x_real, x_fake):
    """Add dL_D/dphi into D's .grad and return (L_D, real_logits, fake_logits).

    x_real: (n_r, d), x_fake: (n_f, d), typically G(z) computed without tracking G.
    L_D, dL/dl_real, dL/dl_fake = objective.d_loss(D(x_real), D(x_fake)); then the chain rule through D.
    Both batches go through D as one stacked batch of n_r + n_f rows: one forward and one backward pass,
    and the same gradient as two separate passes (the rows do not interact, BatchNorm aside).
    """
    n_r = x_real.shape[0]
    logits = D.forward(np.concatenate([x_real, x_fake]))
    real_logits, fake_logits = logits[:n_r], logits[n_r:]
    loss, d_real, d_fake = objective.d_loss(real_logits, fake_logits)
    nn.backward_params_only(D, np.concatenate([d_real, d_fake]))   # D.backward, without dL/dx (x is data)
    return loss, real_logits, fake_logits


def generator_pull(D, objective, x):
    """G's loss at the samples x (n, d) and its gradient with respect to them: (L_G, logits (n, 1), dL_G/dx (n, d)).

    l = D(x);  L_G, dL/dl = objective.g_loss(l);  dL/dx = D.backward(dL/dl), with D frozen: the backward pass
    gives the input gradient and leaves D's parameters' .grad untouched. L_G is a mean over the n rows, so
    each row of dL/dx carries a factor 1/n.
    """
    logits = D.forward(x)
    loss, d_logits = objective.g_loss(logits)
    with nn.frozen(D):
        dx = D.backward(d_logits)
    return loss, logits, dx


def generator_backward(G, D, objective, z):
    """Add dL_G/dtheta into G's .grad and return (L_G, fake_logits).

    x = G(z);  L_G, dL/dx = generator_pull(D, objective, x);  G.backward(dL/dx) accumulates dL/dtheta.
    """
    x_fake = G.forward(z)
    loss, fake_logits, dx = generator_pull(D, objective, x_fake)
    nn.backward_params_only(G, dx)   # G.backward(dx), without dL/dz (z is noise)
    return loss, fake_logits
