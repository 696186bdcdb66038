"""GAN objectives, written on the discriminator's *logits* l = logit D(x), so D(x) = sigmoid(l).

Every objective is a small class with two methods, each returning the loss *to minimise* and its gradient
with respect to the logits (same shape as the logits, already divided by the batch size):

    loss_D, dL_dreal, dL_dfake = objective.d_loss(real_logits, fake_logits)
    loss_G, dL_dfake           = objective.g_loss(fake_logits)

Stability. log D(x) = log sigmoid(l) = -softplus(-l) and log(1 - D(x)) = log sigmoid(-l) = -softplus(l),
with softplus(t) = log(1 + e^t) computed as np.logaddexp(0, t). Nothing here forms log(sigmoid(l)), which
is log(0) = -inf as soon as sigmoid rounds to 0 (in float32, nn.sigmoid does so for l below -103.97, where e^l
falls under half of the smallest subnormal); at |l| = 1000 all values stay finite.
The derivatives use d softplus(t)/dt = sigmoid(t).
"""

import inspect

import numpy as np

from .errors import UsageError
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


class Wasserstein:
    """The WGAN objective (Arjovsky et al. 2017). D is a *critic* f(x, phi): its output is a real score, not
    a logit, and the Kantorovich-Rubinstein duality gives the earth mover's distance

        W(pi, p) = max over 1-Lipschitz f of  E_pi f(x) - E_p f(x).

    The critic maximises the estimate, so its loss is the negative, and G pulls its samples up the critic:

        L_D = E_p(z) f(G(z)) - E_pi f(x)         dL_D/df_real = -1/n_r,   dL_D/df_fake = +1/n_f
        L_G = -E_p(z) f(G(z))                    dL_G/df_fake = -1/n_f

    The gradients never saturate (they are constants); the Lipschitz constraint has to come from elsewhere:
    weight clipping (clipping.clip_weights, the WGAN paper) or a gradient penalty (penalties.gradient_penalty,
    WGAN-GP). -L_D, with the critic trained, is the estimate of W that tracks sample quality, up to the
    constraint: a clipped critic is K-Lipschitz for some K that depends on the clip bound and the layers and is
    not known, so -L_D estimates K W, not W (Arjovsky et al. 2017 say so); the gradient penalty asks for K = 1,
    softly; with no constraint at all, -L_D can grow without bound.
    """

    name = "wasserstein"

    def d_loss(self, real_logits, fake_logits):
        _check_logits(f"{self.name}.d_loss", real_logits, fake_logits)
        n_r, n_f = real_logits.shape[0], fake_logits.shape[0]
        loss = fake_logits.mean() - real_logits.mean()
        d_real = np.full_like(real_logits, -1.0 / n_r)
        d_fake = np.full_like(fake_logits, 1.0 / n_f)
        return float(loss), d_real, d_fake

    def g_loss(self, fake_logits):
        _check_logits(f"{self.name}.g_loss", fake_logits)
        n = fake_logits.shape[0]
        return float(-fake_logits.mean()), np.full_like(fake_logits, -1.0 / n)


class Hinge:
    """The hinge objective (Lim & Ye 2017; used by Miyato et al. 2018 and BigGAN), on raw scores l = D(x):

        L_D = E_pi max(0, 1 - l_real) + E_p(z) max(0, 1 + l_fake)
        L_G = -E_p(z) l_fake

    D stops pushing a real sample once l_real >= 1 and a fake once l_fake <= -1 (a margin, as in an SVM), so
    D's gradient is -1/n_r where l_real < 1 and +1/n_f where l_fake > -1, zero elsewhere (we take 0 at the
    kinks). G's loss is the Wasserstein one: a constant gradient -1/n_f, which never saturates.
    """

    name = "hinge"

    def d_loss(self, real_logits, fake_logits):
        _check_logits(f"{self.name}.d_loss", real_logits, fake_logits)
        n_r, n_f = real_logits.shape[0], fake_logits.shape[0]
        margin_real = 1.0 - real_logits                  # active where > 0
        margin_fake = 1.0 + fake_logits
        loss = np.maximum(margin_real, 0.0).mean() + np.maximum(margin_fake, 0.0).mean()
        d_real = -(margin_real > 0).astype(real_logits.dtype) / n_r
        d_fake = (margin_fake > 0).astype(fake_logits.dtype) / n_f
        return float(loss), d_real, d_fake

    def g_loss(self, fake_logits):
        _check_logits(f"{self.name}.g_loss", fake_logits)
        n = fake_logits.shape[0]
        return float(-fake_logits.mean()), np.full_like(fake_logits, -1.0 / n)


class LeastSquares:
    """The least-squares objective (LSGAN, Mao et al. 2017), on raw scores l = D(x), with targets a (fake),
    b (real) for D and c for G; the defaults a = 0, b = c = 1 are the paper's:

        L_D = 1/2 E_pi (l_real - b)^2 + 1/2 E_p(z) (l_fake - a)^2     dL_D/dl = (l - target) / n
        L_G = 1/2 E_p(z) (l_fake - c)^2                              dL_G/dl = (l_fake - c) / n

    Fakes far on the real side of the boundary are still penalised, so G's gradient grows with the distance
    instead of vanishing like the sigmoid's. With a = -1, b = 1, c = 0 (b - c = 1, b - a = 2) G's optimum
    minimises the Pearson chi^2 divergence between pi + p and 2p (Mao et al. 2017, Theorem 1).
    """

    name = "least_squares"

    def __init__(self, a=0.0, b=1.0, c=1.0):
        self.a, self.b, self.c = float(a), float(b), float(c)

    def d_loss(self, real_logits, fake_logits):
        _check_logits(f"{self.name}.d_loss", real_logits, fake_logits)
        n_r, n_f = real_logits.shape[0], fake_logits.shape[0]
        r = real_logits - self.b
        f = fake_logits - self.a
        loss = 0.5 * (r * r).mean() + 0.5 * (f * f).mean()
        return float(loss), r / n_r, f / n_f

    def g_loss(self, fake_logits):
        _check_logits(f"{self.name}.g_loss", fake_logits)
        n = fake_logits.shape[0]
        r = fake_logits - self.c
        return float(0.5 * (r * r).mean()), r / n


LOSSES = {
    "minimax": Minimax,
    "nonsaturating": NonSaturating,
    "wasserstein": Wasserstein,
    "hinge": Hinge,
    "least_squares": LeastSquares,
}

# Short names accepted by get_loss and the command line; they are not separate objectives.
ALIASES = {"wgan": "wasserstein", "ls": "least_squares", "lsgan": "least_squares", "least-squares": "least_squares",
           "ns": "nonsaturating", "non-saturating": "nonsaturating"}


def get_loss(name, **kwargs):
    """An objective from its name (see LOSSES; ALIASES maps the short names such as wgan and ls).

    kwargs go to the class: get_loss("nonsaturating", real_label=0.9) is one-sided label smoothing with
    alpha = 0.1. An unknown name is a UsageError; an option the objective does not have is a ValueError (its
    signature is checked first, so a TypeError raised inside the class is not mistaken for one).
    """
    name = ALIASES.get(name, name)
    if name not in LOSSES:
        raise UsageError(f"unknown loss {name!r}; choose one of: {', '.join(list(LOSSES) + list(ALIASES))}")
    try:
        inspect.signature(LOSSES[name]).bind(**kwargs)
    except TypeError:
        raise ValueError(f"loss {name!r} does not take the option(s) {', '.join(kwargs)}") from None
    return LOSSES[name](**kwargs)
