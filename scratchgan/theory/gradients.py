"""Claim 7: vanishing gradients (Arjovsky & Bottou 2017): G's gradient norm as D improves, for both G losses.

The saturating loss E log(1 - D(G(z))) gives G no gradient once D rejects its samples; the non-saturating
-E log D(G(z)) does. D is trained against the fixed G with discriminator.train_discriminator.
"""

import numpy as np

from ..engine import losses
from ..engine.gan_backward import generator_backward
from .discriminator import _dtype, train_discriminator


def generator_gradient_norms(G, D, z, objectives):
    """||dL_G / dtheta||_2 over all of G's parameters, for each generator objective, with D held fixed.

    G: (n, z_dim) -> (n, d), D: (n, d) -> (n, 1), z: (n, z_dim).  objectives: {name: loss object}.
    L_G for Minimax is the saturating E log(1 - D(G(z))): dL/dl = -sigmoid(l)/n -> 0 when D rejects the fakes
    (l -> -inf). For NonSaturating, -E log D(G(z)): dL/dl = -sigmoid(-l)/n -> -1/n there.
    Returns {name: float}.
    """
    norms = {}
    for name, objective in objectives.items():
        G.zero_grad()
        generator_backward(G, D, objective, z)
        norms[name] = float(np.sqrt(sum(np.sum(p.grad.astype(float) ** 2) for p in G.parameters())))
    G.zero_grad()
    return norms


def vanishing_gradients(G, D, sample_real, z_dim, record_steps, rng, *, lr=1e-3, batch=256, n_eval=1024):
    """Fix G, train D from scratch, and measure G's gradient norm for both generator losses as D improves.

    G: (n, z_dim) -> (n, d) held fixed; D: a fresh discriminator; sample_real(n, rng) -> (n, d) data.
    record_steps: the numbers of D steps (sorted, 0 = untrained D) at which to measure, on one fixed batch
    z of n_eval noise vectors, ||dL_G/dtheta|| for the saturating E log(1 - D(G(z))) (Minimax) and the
    non-saturating -E log D(G(z)) (NonSaturating), via generator_gradient_norms.
    As D learns to reject G's samples, sigmoid(l_fake) -> 0 and the saturating norm collapses with it; the
    non-saturating one does not (Arjovsky & Bottou 2017, Figure 2).
    Returns dict(steps=(k,) array, saturating=(k,), nonsaturating=(k,), d_accuracy=(k,)), where d_accuracy is
    the fraction of the fixed fake batch that D classifies as fake (logit < 0).
    """
    dtype = _dtype(G)
    z = rng.standard_normal((n_eval, z_dim)).astype(dtype)
    objectives = {"saturating": losses.Minimax(), "nonsaturating": losses.NonSaturating()}
    record = set(int(s) for s in record_steps)
    out = {"steps": [], "saturating": [], "nonsaturating": [], "d_accuracy": []}

    def sample_fake(n, r):
        return G.forward(r.standard_normal((n, z_dim)).astype(dtype))

    def callback(step, D):
        if step in record:
            norms = generator_gradient_norms(G, D, z, objectives)
            out["steps"].append(step)
            out["saturating"].append(norms["saturating"])
            out["nonsaturating"].append(norms["nonsaturating"])
            out["d_accuracy"].append(float(np.mean(D.forward(G.forward(z)) < 0)))

    train_discriminator(D, sample_real, sample_fake, max(record), rng, lr=lr, batch=batch, callback=callback)
    return {k: np.array(v) for k, v in out.items()}
