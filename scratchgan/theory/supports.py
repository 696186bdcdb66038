"""Claims 12 and 13: disjoint supports (KL = inf, JSD = log 2, W = |theta|) and the earth mover's distance as an LP.

On discrete distributions: KL and JSD by their sums, the earth mover's (Wasserstein-1) distance as a
transport linear program. When pi and p_theta lie on disjoint segments, KL is infinite and JSD stuck at
log 2 whatever theta, while W = |theta| still says how far apart they are; and a trained D separates them
so well that G's gradient vanishes, unless instance noise makes the supports overlap.
"""

import numpy as np

from ..engine import losses, nn
from .discriminator import train_discriminator


def kl_discrete(p, q):
    """KL(p || q) = sum_i p_i log(p_i / q_i) for probability vectors p, q of shape (n,) on one support.

    0 log(0 / q) = 0; p_i > 0 = q_i gives +inf: KL is infinite as soon as p puts mass where q has none.
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError(f"p and q must be 1D of one length, got {p.shape} and {q.shape}")
    mask = p > 0
    if np.any(q[mask] == 0):
        return float("inf")
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))


def js_discrete(p, q):
    """JSD(p || q) = KL(p || m)/2 + KL(q || m)/2, m = (p + q)/2, for probability vectors of shape (n,).

    Always finite (m > 0 wherever p or q is), and equal to log 2 exactly when the supports are disjoint:
    there m = p/2 on p's support, so KL(p || m) = sum p log 2 = log 2, and likewise for q.
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    m = 0.5 * (p + q)
    return 0.5 * kl_discrete(p, m) + 0.5 * kl_discrete(q, m)


def earth_movers_distance(a, b, cost):
    """The earth mover's distance as a transport linear program (scipy.optimize.linprog, HiGHS).

        W = min_gamma sum_ij gamma_ij C_ij   subject to   sum_j gamma_ij = a_i,  sum_i gamma_ij = b_j,  gamma >= 0

    a: (n,) masses of the piles, b: (m,) masses of the holes (same total), cost: (n, m) cost C_ij of moving a
    unit from pile i to hole j (e.g. the distance |x_i - y_j|).  Returns (W, plan) with plan gamma of shape
    (n, m). With a, b normalised to sum 1, W is the Wasserstein-1 distance inf_gamma E_gamma ||x - y||.
    The equality constraints, one row per marginal, act on gamma flattened row by row (gamma_ij -> i m + j).
    """
    from scipy.optimize import linprog

    a, b, cost = (np.asarray(v, dtype=float) for v in (a, b, cost))
    if a.ndim != 1 or b.ndim != 1 or cost.shape != (a.size, b.size):
        raise ValueError(f"need a: (n,), b: (m,), cost: (n, m); got {a.shape}, {b.shape}, {cost.shape}")
    if np.any(a < 0) or np.any(b < 0):
        raise ValueError("masses must be non-negative")
    if not np.isclose(a.sum(), b.sum()):
        raise ValueError(f"a and b must carry the same total mass, got {a.sum()} and {b.sum()}")
    n, m = a.size, b.size
    rows = np.kron(np.eye(n), np.ones((1, m)))        # (n, n m): row i sums gamma_i1 .. gamma_im
    cols = np.kron(np.ones((1, n)), np.eye(m))        # (m, n m): row j sums gamma_1j .. gamma_nj
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([a, b]),
                  bounds=(0, None), method="highs")
    if not res.success:
        raise RuntimeError(f"linprog failed: {res.message}")
    return float(res.fun), res.x.reshape(n, m)


def disjoint_supports(theta, n_points=50):
    """KL, JSD and W between pi = (0, U[0, 1]) and p = (theta, U[0, 1]) in 2D, computed, not quoted.

    Both are discretised on n_points heights u_k = (k + 1/2)/n_points of the unit segment (mass 1/n each):
    pi on the points (0, u_k), p on (theta, u_k). On the union of the two supports,
      KL(p || pi) via kl_discrete: inf for theta != 0 (p has mass where pi has none), 0 at theta = 0;
      JSD via js_discrete: log 2 for theta != 0, 0 at theta = 0;
      W via earth_movers_distance with Euclidean costs: |theta| (move every point sideways).
    Returns dict(kl=, jsd=, w=).
    """
    u = (np.arange(n_points) + 0.5) / n_points
    pts_pi = np.stack([np.zeros(n_points), u], axis=1)               # (n, 2)
    pts_p = np.stack([np.full(n_points, float(theta)), u], axis=1)   # (n, 2)
    support = np.unique(np.concatenate([pts_pi, pts_p]), axis=0)     # (n or 2n, 2)

    def masses(points):
        hit = np.all(support[:, None, :] == points[None, :, :], axis=2)   # (|support|, n)
        return hit.sum(axis=1) / n_points

    p_pi, p_p = masses(pts_pi), masses(pts_p)
    cost = np.linalg.norm(pts_pi[:, None, :] - pts_p[None, :, :], axis=2)
    w, _ = earth_movers_distance(np.full(n_points, 1 / n_points), np.full(n_points, 1 / n_points), cost)
    return {"kl": kl_discrete(p_p, p_pi), "jsd": js_discrete(p_pi, p_p), "w": w}


def disjoint_supports_gradient(theta, n_steps, rng, *, noise_std=0.0, batch=256, hidden=32, lr=1e-3,
                               record_every=None):
    """Train D on pi = (0, U[0,1]) vs p_theta = (theta, U[0,1]); return dL_G/dtheta of the saturating loss.

    The generator is G(z) = (theta, z), z ~ U[0, 1], so dG/dtheta = (1, 0) and, by the chain rule through D,
        dL_G/dtheta = sum_i dL_G/dx_i1,     L_G = E log(1 - D(G(z) + noise))   (Minimax.g_loss)
    With disjoint supports D can separate pi from p perfectly, D(G(z)) -> 0, and this derivative collapses to
    0: G gets no signal about which way to move. With instance noise N(0, noise_std^2) on D's inputs (in
    D's training and in G's gradient) the two smoothed distributions overlap, D stays finite, and the
    gradient stays non-zero and points theta towards 0.
    record_every: also record (step, gradient) every so many D steps.
    Returns (gradient at the end, [(step, gradient), ...]); D is float64, mlp([2, hidden, hidden, 1]).
    """
    D = nn.mlp([2, hidden, hidden, 1], rng=rng, activation="leaky_relu", dtype=np.float64)
    objective = losses.Minimax()
    z_eval = rng.random(1024)                                         # fixed z for measuring the gradient
    e_eval = rng.standard_normal((1024, 2)) * noise_std

    def sample_real(n, r):
        return np.stack([np.zeros(n), r.random(n)], axis=1)

    def sample_fake(n, r):
        return np.stack([np.full(n, float(theta)), r.random(n)], axis=1)

    def gradient(D):
        x = np.stack([np.full(z_eval.size, float(theta)), z_eval], axis=1) + e_eval
        _, d_logits = objective.g_loss(D.forward(x))
        with nn.frozen(D):
            dx = D.backward(d_logits)
        return float(dx[:, 0].sum())

    history = []

    def callback(step, D):
        if record_every and step % record_every == 0:
            history.append((step, gradient(D)))

    train_discriminator(D, sample_real, sample_fake, n_steps, rng, objective=objective, lr=lr, batch=batch,
                        noise_std=noise_std, callback=callback)
    return gradient(D), history
