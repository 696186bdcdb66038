"""The command line: `python -m scratchgan COMMAND ...` (also installed as `scratchgan`).

Each command is a `cmd_*` function taking the parsed arguments. A mistake of the user's (a bad value, a
missing file) raises UsageError or ValueError, which `main` prints as one line `error: ...` with exit code 2.
"""

import argparse
import sys

import numpy as np


class UsageError(Exception):
    """A problem with the user's input, reported as one line and exit code 2."""


# ---------------------------------------------------------------------------------------------------------
# gradcheck
# ---------------------------------------------------------------------------------------------------------

def cmd_gradcheck(args):
    """Check every layer, activation, loss and the two GAN compositions against central differences."""
    from . import gradcheck, losses, nn

    rng = np.random.default_rng(args.seed)
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
        res = gradcheck.check_gan(G, D, losses.get_loss(name), rng.standard_normal((8, 2)),
                                  rng.standard_normal((8, 4)))
        add("composite", f"{name}: L_D -> D params", res["discriminator"])
        add("composite", f"{name}: L_G -> D -> G params", res["generator"])

    rows += _extra_checks(rng)

    worst = max(r.max_error for _, _, r in rows)
    width = max(len(n) for _, n, _ in rows)
    print(f"{'kind':<10}  {'what':<{width}}  max rel. error")
    for kind, name, r in rows:
        flag = "" if r.max_error < args.tol else "   <-- FAILS"
        print(f"{kind:<10}  {name:<{width}}  {r.max_error:.1e}{flag}")
    print(f"{len(rows)} checks, worst relative error {worst:.1e} (tolerance {args.tol:g})")
    return 0 if worst < args.tol else 1


def _check_loss(objective, rng):
    """Gradient check of d_loss and g_loss with respect to the logits."""
    from . import gradcheck

    real = rng.standard_normal((7, 1)) * 3
    fake = rng.standard_normal((5, 1)) * 3
    _, d_real, d_fake = objective.d_loss(real, fake)
    res = gradcheck.check_function(lambda: objective.d_loss(real, fake)[0],
                                   {"real_logits": real, "fake_logits": fake},
                                   {"real_logits": d_real, "fake_logits": d_fake})
    _, g_fake = objective.g_loss(fake)
    return res.merge(gradcheck.check_function(lambda: objective.g_loss(fake)[0],
                                              {"fake_logits(G)": fake}, {"fake_logits(G)": g_fake}))


def _extra_layers(rng):
    """Layers added beyond the basics (BatchNorm, ...) register here."""
    return []


def _extra_checks(rng):
    """Further (kind, name, GradCheckResult) rows: penalties, feature matching, ..."""
    return []


# ---------------------------------------------------------------------------------------------------------
# plot
# ---------------------------------------------------------------------------------------------------------

def cmd_plot(args):
    """Redraw every figure of a finished run (curves.png, frame.png, animation.gif) from its files."""
    from . import plots

    for path in plots.plot_run(args.run_dir):
        print(f"wrote {path}")
    return 0


# ---------------------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------------------

def build_parser():
    parser = argparse.ArgumentParser(prog="scratchgan", description="GANs from scratch in NumPy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("gradcheck", help="check every hand-written gradient against finite differences")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tol", type=float, default=1e-6, help="largest acceptable relative error")
    p.set_defaults(func=cmd_gradcheck)

    p = sub.add_parser("plot", help="redraw the figures of a finished run from its files")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a directory written by `train --out RUN_DIR`")
    p.set_defaults(func=cmd_plot)

    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
