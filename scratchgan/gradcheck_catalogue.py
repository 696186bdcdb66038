"""The catalogue of every gradient check the library runs: the table that `python -m scratchgan gradcheck` prints.

Each hand-written backward pass is compared with central differences in float64 (scratchgan.engine.gradcheck):
every layer and activation, every loss with respect to its logits, the two compositions of a GAN step
(L_D into D, L_G through D into G) for every loss, the penalties' double backprop for every activation,
feature matching, PacGAN, the MMD term, the warm start's regression, historical averaging, BatchNorm, the
digit classifier's softmax cross-entropy, the conditional networks G(z, y), D(x, y), the pieces' networks
(G placed in its class's frame, D reading x in its piece's frame) and the learned prior over the latent code's
classes (its cross-entropy in zeta, and its slot classifier Q's).
"""

import numpy as np

from .data.latent import join_code
from .data.pieces import find_pieces
from .engine import gradcheck, losses, nn
from .engine.batchnorm import BatchNorm
from .engine.gan_backward import generator_backward
from .fixes import (conditional, feature_matching, historical_averaging, learned_prior, mmd, packing, penalties,
                    pieces, warmstart)
from .measure import digits, metrics


def all_checks(seed=0):
    """Every check, in table order: a list of (kind, name, GradCheckResult).

    kind is "layer", "activation", "loss", "composite", "double-bp" or "trick"; each result's max_error is
    the largest relative error between the hand-written gradient and central differences, in float64.
    """
    rng = np.random.default_rng(seed)
    f64 = np.float64
    rows = []

    def add(kind, name, result):
        rows.append((kind, name, result))

    # Layers and activations: L = sum(w * layer(x)) with random w.
    modules = [
        ("layer", nn.Linear(3, 4, rng=rng, dtype=f64)),
        ("activation", nn.ReLU()),
        ("activation", nn.LeakyReLU(0.2)),
        ("activation", nn.Tanh()),
        ("activation", nn.Sigmoid()),
        ("activation", nn.Softplus()),
    ]
    modules += [("layer", m) for m in _extra_layers(rng)]
    for kind, m in modules:
        n_in = getattr(m, "n_in", None) or getattr(m, "n_features", None) or 3
        add(kind, repr(m), gradcheck.check_module(m, rng.standard_normal((6, n_in))))

    # Losses: each gradient with respect to the logits.
    for name in losses.LOSSES:
        add("loss", name, _check_loss(losses.get_loss(name), rng))

    # The compositions training differentiates.
    for name in losses.LOSSES:
        G = nn.mlp([4, 16, 16, 2], rng=rng, activation="relu", dtype=f64)
        D = nn.mlp([2, 16, 16, 1], rng=rng, activation="leaky_relu", dtype=f64)
        x_real, z = _off_kinks(rng, (8, 2), D), _off_kinks(rng, (8, 4), G, D)
        res = gradcheck.check_gan(G, D, losses.get_loss(name), x_real, z)
        add("composite", f"{name}: L_D -> D params", res["discriminator"])
        add("composite", f"{name}: L_G -> D -> G params", res["generator"])

    rows += _extra_checks(rng)

    return rows


def _check_loss(objective, rng):
    """Gradient check of d_loss and g_loss with respect to the logits."""
    real = rng.standard_normal((7, 1)) * 3
    fake = rng.standard_normal((5, 1)) * 3
    _, d_real, d_fake = objective.d_loss(real, fake)
    res = gradcheck.check_function(lambda: objective.d_loss(real, fake)[0],
                                   {"real_logits": real, "fake_logits": fake},
                                   {"real_logits": d_real, "fake_logits": d_fake})
    _, g_fake = objective.g_loss(fake)
    return res.merge(gradcheck.check_function(lambda: objective.g_loss(fake)[0],
                                              {"fake_logits(G)": fake}, {"fake_logits(G)": g_fake}))


def _off_kinks(rng, shape, *nets, margin=1e-3):
    """x ~ N(0, I) of this shape, redrawn until no ReLU / LeakyReLU input of the nets (applied in turn) is
    within `margin` of the kink: a central difference straddling a kink measures the jump, not f'."""
    while True:
        x = rng.standard_normal(shape)
        h, ok = x, True
        for net in nets:
            for layer in getattr(net, "layers", [net]):
                if isinstance(layer, (nn.ReLU, nn.LeakyReLU)) and np.abs(h).min() < margin:
                    ok = False
                h = layer.forward(h)
        if ok:
            return x


def _extra_layers(rng):
    """Layers added beyond the basics (BatchNorm, ...) register here."""
    bn = BatchNorm(4, dtype=np.float64)
    bn.gamma.data[:] = rng.standard_normal(4)
    bn.beta.data[:] = rng.standard_normal(4)
    return [bn]


def _extra_checks(rng):
    """Further (kind, name, GradCheckResult) rows: the double backprop of the penalties (each activation),
    feature matching and PacGAN through D into G, the MMD term and the warm start's regression into G,
    historical averaging, BatchNorm in eval mode."""
    f64 = np.float64
    rows = []

    def params_check(value, module, prefix):
        arrays = {f"{prefix}.{p.name}{i}": p.data for i, p in enumerate(module.parameters())}
        analytic = {f"{prefix}.{p.name}{i}": p.grad.copy() for i, p in enumerate(module.parameters())}
        return gradcheck.check_function(value, arrays, analytic)

    # The penalties' gradient with respect to D's parameters: the hand-derived double backprop.
    for act in nn.ACTIVATIONS:
        for name, fn in penalties.PENALTIES.items():
            D = nn.mlp([3, 8, 8, 8, 1], rng=rng, activation=act, dtype=f64)
            x = _off_kinks(rng, (6, 3), D)
            D.zero_grad()
            fn(D, x, 1.0)
            rows.append(("double-bp", f"{name} -> D params, {act} D",
                         params_check(lambda: fn(D, x, 1.0), D, "D")))

    G = nn.mlp([4, 16, 2], rng=rng, activation="tanh", dtype=f64)
    D = nn.mlp([2, 16, 16, 1], rng=rng, activation="tanh", dtype=f64)
    x_real, z = rng.standard_normal((10, 2)), rng.standard_normal((8, 4))
    d = feature_matching.feature_layers(D, feature_matching.default_feature_layer(D))

    def fm():
        u = d.forward(x_real).mean(axis=0) - d.forward(G.forward(z)).mean(axis=0)
        return float(u @ u)

    G.zero_grad()
    feature_matching.feature_matching_backward(G, D, x_real, z)
    rows.append(("composite", "feature matching -> D -> G params", params_check(fm, G, "G")))

    scale, bandwidths = np.array([0.5, 2.0]), (0.25, 1.0)
    G.zero_grad()
    mmd.mmd_generator_backward(G, x_real, z, bandwidths, weight=2.0, scale=scale)
    rows.append(("composite", "MMD^2(G(z), x_real) -> G params",
                 params_check(lambda: 2.0 * mmd.mmd2_and_grad(G.forward(z) / scale, x_real / scale, bandwidths)[0],
                              G, "G")))

    h = metrics.knn_bandwidth(x_real, k=3)           # the narrow kernel, far pairs skipped (skip_far)
    G.zero_grad()
    mmd.mmd_generator_backward(G, x_real, z, (h,), weight=2.0, skip_far=True)
    rows.append(("composite", "local MMD^2(G(z), x_real), h = 3-NN distance -> G params",
                 params_check(lambda: 2.0 * mmd.mmd2_and_grad(G.forward(z), x_real, (h,))[0], G, "G")))

    target = rng.standard_normal((8, 2))
    G.zero_grad()
    warmstart.regression_backward(G, z, target, scale)
    rows.append(("composite", "warm start: ||(G(z) - T(z)) / s||^2 -> G params",
                 params_check(lambda: float(np.sum(((G.forward(z) - target) / scale) ** 2) / len(z)), G, "G")))

    P = packing.Packed(nn.mlp([4, 16, 1], rng=rng, activation="softplus", dtype=f64), 2)
    objective = losses.NonSaturating()
    G.zero_grad()
    generator_backward(G, P, objective, z)
    rows.append(("composite", "PacGAN m=2: L_G -> packed D -> G params",
                 params_check(lambda: objective.g_loss(P.forward(G.forward(z)))[0], G, "G")))

    ha = historical_averaging.HistoricalAverage(G.parameters(), weight=0.5)
    for p in G.parameters():
        p.data += 0.1 * rng.standard_normal(p.shape)
    ha.update()
    G.zero_grad()
    ha.backward()
    rows.append(("trick", "historical averaging -> params",
                 params_check(lambda: 0.5 * sum(float(np.sum((p.data - a) ** 2))
                                                for p, a in zip(G.parameters(), ha.avg)), G, "G")))

    bn = BatchNorm(4, dtype=f64)
    bn.forward(rng.normal(1.0, 2.0, (16, 4)))
    bn.eval()
    rows.append(("layer", "BatchNorm(4), eval mode", gradcheck.check_module(bn, rng.standard_normal((6, 4)))))

    # The digit classifier's softmax cross-entropy (digit_metrics), with respect to its logits.
    logits, classes = rng.standard_normal((7, 10)), rng.integers(0, 10, 7)
    _, d_logits = digits.softmax_cross_entropy(logits, classes)
    rows.append(("loss", "softmax cross-entropy (digit classifier)",
                 gradcheck.check_function(lambda: digits.softmax_cross_entropy(logits, classes)[0],
                                          {"logits": logits}, {"logits": d_logits})))

    # Conditional GANs: onehot(y) joined to the input, and L_D, L_G through D(x, y) into G(z, y)'s parameters.
    labels = conditional.OneHotLabels(3)
    conditional.set_labels(labels, rng.integers(0, 3, 6))
    rows.append(("layer", "OneHotLabels(3)", gradcheck.check_module(labels, rng.standard_normal((6, 4)))))
    G = nn.Sequential(conditional.OneHotLabels(3), *nn.mlp([4 + 3, 16, 2], rng=rng, activation="tanh", dtype=f64).layers)
    D = nn.Sequential(conditional.OneHotLabels(3), *nn.mlp([2 + 3, 16, 1], rng=rng, activation="tanh", dtype=f64).layers)
    res = gradcheck.check_gan(G, D, losses.NonSaturating(), rng.standard_normal((9, 2)), rng.standard_normal((9, 4)))
    rows.append(("composite", "conditional: L_D -> D(x, y) params", res["discriminator"]))
    rows.append(("composite", "conditional: L_G -> D(x, y) -> G(z, y) params", res["generator"]))

    # The data's pieces (fixes/pieces.py): G = m_c + s_c * (A eps + G'(z)) with c read from z's code, D's first layer
    # [(x - m_k) / s_k, e_k] with k = the piece x falls in, and L_D, L_G through them. Three pieces of
    # different widths and shares; the points lie inside their pieces, far from the boundaries between them.
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    rows_ = np.concatenate([c + s * rng.standard_normal((40, 2)) for c, s in zip(centres, (0.1, 0.3, 0.05))])
    found = find_pieces(rows_, k=5, min_size=10)
    frame = pieces.PieceFrame(found, f64)
    x_in = centres[rng.integers(0, 3, 6)] + 0.1 * rng.standard_normal((6, 2))
    rows.append(("layer", "PieceFrame (3 pieces)", gradcheck.check_module(frame, x_in)))
    z_pieces = join_code(rng.standard_normal((9, 2)), rng.integers(0, 3, 9), 3).astype(f64)
    G = pieces.PieceGenerator(nn.mlp([2 + 3, 16, 2], rng=rng, activation="tanh", dtype=f64), found, 2, f64, rng=rng)
    rows.append(("layer", "PieceGenerator (3 pieces): m_c + s_c (A eps + G'(z))", gradcheck.check_module(G, z_pieces)))
    D = nn.Sequential(pieces.PieceFrame(found, f64), *nn.mlp([2 + 3, 16, 1], rng=rng, activation="tanh", dtype=f64).layers)
    res = gradcheck.check_gan(G, D, losses.NonSaturating(), rows_[rng.integers(0, len(rows_), 9)], z_pieces)
    rows.append(("composite", "pieces: L_D -> D(piece frame) params", res["discriminator"]))
    rows.append(("composite", "pieces: L_G -> D(piece frame) -> G(piece placement) params", res["generator"]))

    # The learned prior (fixes/learned_prior.py): L_r = -sum qbar log softmax(zeta) in zeta (r - qbar), and its
    # slot classifier's L_Q, softmax cross-entropy of Q(x) = MLP((x - m) / s), into Q's parameters.
    zeta, qbar = rng.standard_normal(6), rng.dirichlet(np.ones(6))
    _, d_zeta = learned_prior.prior_gradient(zeta, qbar)
    rows.append(("trick", "learned prior: -sum qbar log softmax(zeta) -> zeta",
                 gradcheck.check_function(lambda: learned_prior.prior_gradient(zeta, qbar)[0],
                                          {"zeta": zeta}, {"zeta": d_zeta})))
    Q = nn.Sequential(nn.FixedAffine(np.array([0.5, 2.0]), np.array([0.1, -0.3]), f64),
                      *nn.mlp([2, 16, 6], rng=rng, activation="leaky_relu", dtype=f64).layers)
    x, c = rng.standard_normal((10, 2)), rng.integers(0, 6, 10)
    Q.zero_grad()
    Q.backward(digits.softmax_cross_entropy(Q.forward(x), c)[1])
    rows.append(("composite", "learned prior's Q: softmax cross-entropy -> Q params",
                 params_check(lambda: digits.softmax_cross_entropy(Q.forward(x), c)[0], Q, "Q")))
    return rows
