"""GAN objectives, written on the discriminator's *logits* l = logit D(x), so D(x) = sigmoid(l).

Every objective is a small class with two methods, each returning the loss *to minimise* and its gradient
with respect to the logits (same shape as the logits, already divided by the batch size):

    loss_D, dL_dreal, dL_dfake = objective.d_loss(real_logits, fake_logits)
    loss_G, dL_dfake           = objective.g_loss(fake_logits)

Stability. log D(x) = log sigmoid(l) = -softplus(-l) and log(1 - D(x)) = log sigmoid(-l) = -softplus(l),
with softplus(t) = log(1 + e^t) computed as np.logaddexp(0, t). Nothing here forms log(sigmoid(l)), which
is log(0) = -inf as soon as sigmoid rounds to 0 (l < -104 in float32); at |l| = 1000 all values stay finite.
The derivatives use d softplus(t)/dt = sigmoid(t).
"""

import numpy as np

from .nn import sigmoid


def softplus(t):
    """log(1 + exp(t)), stable for any t; keeps t's dtype."""
    return np.logaddexp(0.0, t).astype(t.dtype, copy=False)


def _check_logits(name, *arrays):
    for a in arrays:
        if not isinstance(a, np.ndarray) or a.ndim not in (1, 2) or (a.ndim == 2 and a.shape[1] != 1):
            got = getattr(a, "shape", type(a).__name__)
            raise ValueError(f"{name}: expected logits of shape (batch, 1) or (batch,), got {got}")
        if a.shape[0] == 0:
            raise ValueError(f"{name}: got an empty batch of logits")


class Minimax:
    """The objective of Goodfellow et al. 2014, exactly as in the lecture:

        V(D, G) = E_pi log D(x) + E_p(z) log(1 - D(G(z)))

    D maximises V, so D's loss is -V = E softplus(-l_real) + E softplus(l_fake) (binary cross-entropy with
    label 1 for real and 0 for fake; `real_label` = 1 - alpha gives one-sided label smoothing).
    G minimises V, i.e. its loss is the *saturating* E log(1 - D(G(z))) = -E softplus(l_fake).

    Vanishing gradient: dL_G/dl = -sigmoid(l_fake) / n -> 0 when D confidently rejects the fakes
    (l_fake -> -inf), which is exactly the situation early in training. See NonSaturating.
    """

    name = "minimax"

    def __init__(self, real_label=1.0):
        self.real_label = float(real_label)

    def d_loss(self, real_logits, fake_logits):
        """BCE of D: -[t log D(x) + (1 - t) log(1 - D(x))] on reals (t = real_label), -log(1 - D) on fakes.

        d/dl of t softplus(-l) + (1 - t) softplus(l) is sigmoid(l) - t.
        """
        _check_logits(f"{self.name}.d_loss", real_logits, fake_logits)
        t = self.real_label
        n_r, n_f = real_logits.shape[0], fake_logits.shape[0]
        # t softplus(-l) + (1 - t) softplus(l) = softplus(-l) + (1 - t) l, since softplus(l) - softplus(-l) = l
        loss_real = softplus(-real_logits).mean() + (1.0 - t) * real_logits.mean()
        loss = loss_real + softplus(fake_logits).mean()
        d_real = (sigmoid(real_logits) - t) / n_r
        d_fake = sigmoid(fake_logits) / n_f
        return float(loss), d_real, d_fake

    def g_loss(self, fake_logits):
        """Saturating generator loss E log(1 - D(G(z))) = -E softplus(l);  dL/dl = -sigmoid(l) / n."""
        _check_logits(f"{self.name}.g_loss", fake_logits)
        n = fake_logits.shape[0]
        loss = -softplus(fake_logits).mean()
        return float(loss), -sigmoid(fake_logits) / n


class NonSaturating(Minimax):
    """The same discriminator, but G maximises log D(G(z)) instead of minimising log(1 - D(G(z))):

        L_G = -E log D(G(z)) = E softplus(-l_fake),     dL_G/dl = (sigmoid(l) - 1) / n = -sigmoid(-l) / n

    Same fixed point, but the gradient is about -1/n where D confidently rejects the fakes (l -> -inf), so G
    learns when it is worst. It vanishes instead where D is fooled (l -> +inf), which is harmless.
    (Goodfellow et al. 2014, Section 3; Arjovsky & Bottou 2017 show its updates can be unstable.)
    """

    name = "nonsaturating"

    def g_loss(self, fake_logits):
        _check_logits(f"{self.name}.g_loss", fake_logits)
        n = fake_logits.shape[0]
        loss = softplus(-fake_logits).mean()
        return float(loss), -sigmoid(-fake_logits) / n


LOSSES = {
    "minimax": Minimax,
    "nonsaturating": NonSaturating,
}


def get_loss(name, **kwargs):
    """An objective from its name (see LOSSES)."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of: {', '.join(LOSSES)}")
    return LOSSES[name](**kwargs)
