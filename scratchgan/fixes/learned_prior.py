"""A learned prior over the latent code's C slots, with empty slots pruned (DMWGAN; issue 22).

The discrete code of scratchgan.data.latent gives p(z) C separate pieces, c ~ r = Uniform{0..C-1}. A uniform r
gives every mode its share only when C is a multiple of the number of modes K, so the mixtures' recipes are told
K. Here r = softmax(zeta) is learned instead, as the prior over generators of DMWGAN (Khayatkhoei, Singh and
Elgammal 2018, "Disconnected Manifold Learning for Generative Adversarial Networks"), so C can be one number,
larger than K, for any data:

    Q(c | x)    a small classifier of x = G(eps, c) into its slot c: dim -> Q_HIDDEN -> C logits, trained on
                G's own samples by L_Q = -(1/m) sum_i log softmax(Q(x_i))_{c_i}  (softmax cross-entropy)
    qbar_c      = (1/m) sum_{x ~ data} softmax(Q(x))_c: the share of the real data that slot c explains (C,)
    L_r(zeta)   = -sum_c qbar_c log r_c,   r = softmax(zeta)                 (the prior's cross-entropy)

Derivation of L_r's gradient. log r_c = zeta_c - logsumexp(zeta), so d log r_c / d zeta_j = delta_cj - r_j and

    dL_r / dzeta_j = -sum_c qbar_c (delta_cj - r_j) = r_j - qbar_j          (sum_c qbar_c = 1).

Its minimum is r = qbar: the EM update of a mixture's weights, Q's posteriors being the E-step. The step is a
natural-gradient step. The Fisher information of the categorical r in zeta is F = diag(r) - r r^T (singular:
zeta and zeta + const give the same r); preconditioned by its diagonal part diag(r), a slot's log-weight moves at
a rate that does not depend on its size:

    zeta_j <- zeta_j - eta (r_j - qbar_j) / r_j = zeta_j + eta (qbar_j / r_j - 1)

A slot that G sends where no data lies (a bridge, or a copy of another slot's mode that Q cannot tell apart)
explains no data: qbar_j -> 0 and its log-weight falls by eta every step. Once r_j < PRUNE / C it is pruned,
never drawn again. Several slots on one mode share that mode's data, so the mode's total weight is its data's
share whatever the number of its slots: the shares can come out even with C not a multiple of K.

What it does not do: it learns each piece's weight, not its width. Within a piece G still tends to ignore eps,
and the modes come out narrower than the data's (docs/modes.md, "The learned prior").

LearnedPrior       zeta (C,), the live slots (C,) bool, Q and its Adam; probs() is the r that noise() draws c
                   from; update(trainer) one step of Q, then of zeta, then the pruning
prior_gradient     (L_r, dL_r/dzeta) for given zeta and qbar: the gradient the catalogue checks
LearnedPriorStep   the fix: the prior's update at the end of every iteration
"""

import numpy as np

from ..data import data_scale
from ..data.latent import latent_class
from ..engine import nn, optim
from ..measure.digits import softmax, softmax_cross_entropy
from .base import Fix

PRUNE = 0.05        # a slot is pruned once r_c < PRUNE / C
ETA = 0.01          # eta: the prior's step, in log-weight
Q_HIDDEN = 64       # Q: dim -> Q_HIDDEN -> C
Q_LR = 2e-3         # Q's Adam learning rate (betas 0.5, 0.999)
EVERY = 2           # Q and the prior take their step every EVERY iterations
START = 0.1         # the prior starts learning after this fraction of the steps (Q first learns the slots)


def prior_gradient(zeta, qbar):
    """L_r = -sum_c qbar_c log softmax(zeta)_c and its gradient r - qbar (the module's derivation).

    zeta: (C,) log-weights, qbar: (C,) shares summing to 1 -> (L_r as a float, (C,) float64 gradient)."""
    zeta = np.asarray(zeta, dtype=np.float64)
    log_r = zeta - zeta.max()
    log_r = log_r - np.log(np.exp(log_r).sum())              # log softmax(zeta), stably
    return float(-np.sum(qbar * log_r)), np.exp(log_r) - qbar


class LearnedPrior:
    """r = softmax(zeta) over C slots, with the slot classifier Q on x and its optimizer.

    classes: C. data: the Dataset (Q's input is standardised by its box, as D's). rng: draws Q's initial
    weights. State (all saved in a checkpoint): zeta (C,) float64, alive (C,) bool, Q's parameters, opt's state.
    """

    def __init__(self, classes, data, rng, dtype=np.float32):
        self.C = int(classes)
        self.zeta = np.zeros(self.C)
        self.alive = np.ones(self.C, dtype=bool)
        m, s = data_scale(data)
        net = nn.mlp([data.dim, Q_HIDDEN, self.C], rng=rng, activation="leaky_relu", dtype=dtype)
        self.Q = nn.Sequential(nn.FixedAffine(1.0 / s, -m / s, dtype), *net.layers)
        self.opt = optim.Adam(self.Q.parameters(), lr=Q_LR, betas=(0.5, 0.999))

    def probs(self):
        """(C,) r = softmax(zeta) over the live slots, 0 on the pruned ones."""
        z = np.where(self.alive, self.zeta, -np.inf)
        r = np.exp(z - z[self.alive].max())
        return r / r.sum()

    def update(self, trainer):
        """One iteration's step (every EVERY-th iteration, from the training stream): Q's step on m = batch fresh
        samples of G, labelled by their slots; then, after START of the run, zeta's natural-gradient step
        towards qbar on m fresh real points, and the pruning of the slots whose weight fell below PRUNE / C."""
        cfg = trainer.config
        if trainer.step % EVERY:
            return
        m = cfg.game.batch
        z = trainer.noise(m)                                  # (m, z_dim + C), c ~ r
        c = latent_class(z, cfg.model.z_dim)                  # (m,) each sample's slot
        x_fake = trainer.G.forward(z)                         # (m, dim)
        self.opt.zero_grad()
        _, d_logits = softmax_cross_entropy(self.Q.forward(x_fake).astype(np.float64), c)
        self.Q.backward(d_logits.astype(x_fake.dtype))        # dL_Q/dlogits through Q into its .grad
        self.opt.step()
        if trainer.step < START * cfg.run.steps:
            return
        qbar = softmax(self.Q.forward(trainer.real(m)).astype(np.float64)).mean(axis=0)    # (C,)
        qbar = np.where(self.alive, qbar, 0.0)
        qbar /= qbar.sum()                                    # the live slots' shares of the data
        r = self.probs()
        _, grad = prior_gradient(np.where(self.alive, self.zeta, -1e9), qbar)    # r - qbar
        live = self.alive
        self.zeta[live] -= ETA * grad[live] / r[live]         # preconditioned by diag(r)^-1
        self.zeta[live] -= self.zeta[live].max()              # zeta up to a constant: the largest at 0
        self.alive &= self.probs() >= PRUNE / self.C


class LearnedPriorStep(Fix):
    """After G's update, the learned prior over the code's slots takes its step (LearnedPrior.update)."""

    name = "learned_prior"

    def __init__(self, prior):
        self.prior = prior

    def end_iteration(self, trainer):
        self.prior.update(trainer)
