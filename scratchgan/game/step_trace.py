"""A trace of one training step, stage by stage: one iteration of Algorithm 1, the Trainer's own, in slow motion.

GAN Lab shows a training step in stages; so does this module, with the arrays' shapes and the actual numbers:

    1. G draws samples from z                  z ~ p(z), x_fake = G(z); x_real ~ pi
    2. D classifies the real and fake batch    mean D(x_real), mean D(G(z))
    3. D's loss                                L_D
    4. D's gradient                            ||dL_D/dphi|| per layer
    5. D's update                              ||phi_new - phi_old|| per layer (Adam's step)
    6. G's loss and gradient, through D        L_G, ||dL_G/dtheta|| per layer
    7. G's update                              ||theta_new - theta_old|| per layer

trace_step does not re-enact the step: it runs trainer.train_step(observe=...) once, and the Trainer calls
the observer between its own stages (see Trainer.train_step). The numbers are therefore those of training.
"""

import copy

import numpy as np

from ..engine import nn
from ..fixes import packing


def named_parameters(net):
    """[(label, Parameter)] of a network, each label naming its layer: "1 Linear.W" for layers[1]'s W.

    Reads through PacGAN's Packed wrapper (its .inner) to the Sequential inside."""
    inner = net.inner if isinstance(net, packing.Packed) else net
    if not hasattr(inner, "layers"):
        return [(f"{i} {p.name}", p) for i, p in enumerate(net.parameters())]
    return [(f"{i} {type(layer).__name__}.{p.name}", p)
            for i, layer in enumerate(inner.layers) for p in layer.parameters()]


def _norms(pairs, values):
    """[(label, shape, ||value||)] for the network's labelled parameters and one array per parameter."""
    return [(label, p.data.shape, float(np.linalg.norm(v))) for (label, p), v in zip(pairs, values)]


def _step_sizes(pairs, before):
    """[(label, shape, ||p_new - p_old||)]: how far an optimizer step moved each parameter of a network, from
    its labelled parameters now and a copy of the network taken before the step."""
    old = [p.data for _, p in named_parameters(before)]
    return _norms(pairs, [p.data - b for (_, p), b in zip(pairs, old)])


def trace_step(trainer):
    """Run one iteration, trainer.train_step, observing it. Returns (record, trace).

    record: the Trainer's own history record of the iteration (loss_d, loss_g, d_real, d_fake, ...).
    trace: a dict of what each stage showed, for print_trace and the figure (plots.step):
        z, x_real, x_fake          (m, z_dim), (m, dim), (m, dim)  the last D-step's batches
        sigma                      the instance noise of this iteration (0: none)
        loss_d, d_real, d_fake     L_D, mean D(x_real), mean D(G(z)) (probabilities, as in the record)
        logits_shape               shape of D's output for the real batch (packs: m / pack rows)
        d_grad, d_step             [(layer label, shape, norm)] of dL_D/dphi and of the update phi_new - phi_old
        g_z, loss_g                (m, z_dim) the G-step's z, and L_G
        g_grad, g_step             the same for G
        D_before, D_after, G_before, G_after   copies of the networks around their updates
    """
    D_pairs, G_pairs = named_parameters(trainer.D), named_parameters(trainer.G)
    trace = {}

    def observe(stage, **values):
        if stage == "samples":
            trace.update(z=values["z"].copy(), x_real=values["x_real"].copy(), x_fake=values["x_fake"].copy())
        elif stage == "d_backward":
            trace.update(loss_d=values["loss_d"], sigma=values["sigma"],
                         d_real=float(nn.sigmoid(values["real_logits"]).mean()),
                         d_fake=float(nn.sigmoid(values["fake_logits"]).mean()),
                         logits_shape=values["real_logits"].shape,
                         d_grad=_norms(D_pairs, [p.grad for _, p in D_pairs]),
                         D_before=copy.deepcopy(trainer.D))
        elif stage == "d_update":
            trace.update(d_step=_step_sizes(D_pairs, trace["D_before"]), D_after=copy.deepcopy(trainer.D))
        elif stage == "g_backward":
            trace.update(g_z=values["z"].copy(), loss_g=values["loss_g"],
                         g_grad=_norms(G_pairs, [p.grad for _, p in G_pairs]),
                         G_before=copy.deepcopy(trainer.G))
        elif stage == "g_update":
            trace.update(g_step=_step_sizes(G_pairs, trace["G_before"]), G_after=copy.deepcopy(trainer.G))

    record = trainer.train_step(observe=observe)
    return record, trace


def _table(rows, head):
    lines = [f"     {'layer . parameter':<22} {'shape':<12} {head}"]
    lines += [f"     {label:<22} {str(shape):<12} {norm:.6e}" for label, shape, norm in rows]
    total = float(np.sqrt(sum(norm ** 2 for _, _, norm in rows)))
    return lines + [f"     {'all of them':<22} {'':<12} {total:.6e}"]


LOSS_FORMULAS = {   # (L_D, L_G) as scratchgan.engine.losses computes them; l = D's logit (or critic score f)
    "minimax": ("-[mean log D(x_real) + mean log(1 - D(G(z)))]", "mean log(1 - D(G(z)))   (saturating)"),
    "nonsaturating": ("-[mean log D(x_real) + mean log(1 - D(G(z)))]", "-mean log D(G(z))   (non-saturating)"),
    "wasserstein": ("mean f(G(z)) - mean f(x_real)", "-mean f(G(z))"),
    "hinge": ("mean max(0, 1 - l_real) + mean max(0, 1 + l_fake)", "-mean l_fake"),
    "least_squares": ("1/2 mean (l_real - 1)^2 + 1/2 mean l_fake^2", "1/2 mean (l_fake - 1)^2"),
}

UPDATE_RULES = {"adam": "Adam: phi <- phi - lr * m_hat / (sqrt(v_hat) + eps); at the first step each entry moves by ~lr",
                "rmsprop": "RMSprop: phi <- phi - lr * g / (sqrt(v) + eps)",
                "sgd": "SGD: phi <- phi - lr * g"}


def _vec(a):
    """A short vector as text: (0.1234, -2.0000)."""
    return "(" + ", ".join(f"{v:.4f}" for v in np.asarray(a, dtype=np.float64)) + ")"


def format_trace(trainer, trace):
    """The stages of one traced iteration as lines of text, in the order they happened."""
    cfg = trainer.config
    m, model = cfg.game.batch, cfg.model
    lines = [f"One iteration of Algorithm 1 in slow motion: {cfg.run.data}, seed {cfg.run.seed}, "
             f"iteration {trainer.step} of the recipe's {cfg.run.steps}",
             f"(loss {cfg.game.loss}, k = {cfg.game.k}, batch m = {m}, {cfg.game.optimizer} "
             f"lr_d {trainer.opt_d.lr:.3g} lr_g {trainer.opt_g.lr:.3g}"
             + (f", PacGAN packs of {cfg.fixes.pack}" if cfg.fixes.pack > 1 else "")
             + (f", instance noise sigma {trace['sigma']:.3f}" if trace["sigma"] else "") + ")"]
    if cfg.game.k > 1:
        lines += [f"(k = {cfg.game.k} D-steps: stages 1-5 show the last of them)"]
    lines += [""]
    x_fake = trace["x_fake"]
    lines += ["1. G draws samples from z",
              f"     z ~ p(z) ({model.noise})    shape {trace['z'].shape}" + (
                  f"   z = (eps, 3 e_c): eps ({model.noise}) in R^{model.z_dim}, then a code of class c ~ "
                  + (f"the shares of the data's {model.latent_classes} pieces (scratchgan/fixes/pieces.py)"
                     if model.pieces else
                     f"Uniform{{0..{model.latent_classes - 1}}} (scratchgan/data/latent.py)")
                  if model.latent_classes else ""),
              f"     x_fake = G(z)        shape {x_fake.shape}   mean {_vec(x_fake.mean(0))}"
              f"   std {_vec(x_fake.std(0))}",
              f"     x_real ~ pi          shape {trace['x_real'].shape}   mean {_vec(trace['x_real'].mean(0))}"
              f"   std {_vec(trace['x_real'].std(0))}", ""]
    lines += [f"2. D classifies the real and the fake batch, stacked into one pass of {2 * m} rows"]
    if trace["sigma"]:
        lines += [f"     instance noise: D sees x + {trace['sigma']:.3f} * N(0, I), real and fake alike"]
    if cfg.fixes.pack > 1:
        d = x_fake.shape[1]
        lines += [f"     PacGAN: D judges packs of {cfg.fixes.pack} samples side by side, "
                  f"({m // cfg.fixes.pack}, {cfg.fixes.pack * d}) per batch"]
    lines += [f"     logits l = D's output, shape {trace['logits_shape']} per batch; D(x) = sigmoid(l)",
              f"     mean D(x_real) = {trace['d_real']:.6f}",
              f"     mean D(G(z))   = {trace['d_fake']:.6f}", ""]
    formula_d, formula_g = LOSS_FORMULAS.get(cfg.game.loss, ("the objective's d_loss", "the objective's g_loss"))
    lines += ["3. D's loss, on the two batches' logits",
              f"     L_D = {formula_d}",
              f"     L_D = {trace['loss_d']:.6f}", ""]
    lines += ["4. D's gradient dL_D/dphi, backpropagated through D's layers"]
    lines += _table(trace["d_grad"], "||dL_D/dphi||") + [""]
    lines += [f"5. D's update, {UPDATE_RULES[cfg.game.optimizer]}"]
    lines += _table(trace["d_step"], "||phi_new - phi_old||") + [""]
    lines += ["6. G's step: fresh z, x = G(z), judged by D just updated; dL_G/dx flows back through D",
              "   (its parameters held fixed) into G's parameters",
              f"     z shape {trace['g_z'].shape}   L_G = {formula_g}",
              f"     L_G = {trace['loss_g']:.6f}"]
    lines += _table(trace["g_grad"], "||dL_G/dtheta||") + [""]
    lines += ["7. G's update, the same rule for theta"]
    lines += _table(trace["g_step"], "||theta_new - theta_old||")
    return lines
