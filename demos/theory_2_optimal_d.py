"""Claim 4: the optimal discriminator D*(x) = pi(x) / (pi(x) + p(x | theta)) (Goodfellow et al. 2014).

A fixed generator with a known density: G(z) = a z + b, z ~ N(0, 1), gives p = N(b, a^2); the data are
pi = N(0, 1). We train D alone (the library's Minimax loss, i.e. binary cross-entropy, and Adam) and compare
it with D* on a grid; with one-sided label smoothing (real label 1 - alpha) the optimum becomes
(1 - alpha) pi / (pi + p) (Salimans et al. 2016). The figure is drawn after Goodfellow et al. 2014, Figure 1.

    python demos/theory_2_optimal_d.py [--out runs/demos]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads, see __init__)
import numpy as np
from scipy.stats import norm

from scratchgan import theory
from scratchgan.engine import losses, nn
from scratchgan.plots import D_COLOR, DSTAR_COLOR, FAKE_COLOR, new_figure, REAL_COLOR, save_demo_figure

A, B = 0.7, 1.5


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=800)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    x = np.linspace(-4, 5, 401)
    pi_x, p_x = norm.pdf(x, 0, 1), norm.pdf(x, B, A)
    where = (pi_x + p_x) > 0.1 * (pi_x + p_x).max()        # where D is learnt: pi + p not tiny

    fig = new_figure(12, 5.2)
    axes = fig.subplots(2, 2, gridspec_kw={"height_ratios": [4, 1]}, sharex="col")
    for col, alpha in enumerate([0.0, 0.2]):
        D = nn.mlp([1, 32, 32, 1], rng=rng, activation="leaky_relu")
        theory.train_discriminator(D, lambda n, r: r.standard_normal((n, 1)),
                                   lambda n, r: B + A * r.standard_normal((n, 1)), args.steps, rng,
                                   objective=losses.Minimax(real_label=1 - alpha), lr=3e-3, batch=256)
        d = nn.sigmoid(D.forward(x[:, None].astype(np.float32)))[:, 0]
        d_star = theory.optimal_discriminator(pi_x, p_x, alpha)
        err = np.abs(d - d_star)[where]
        print(f"alpha = {alpha}: max |D - D*| = {err.max():.4f}, mean {err.mean():.4f} "
              f"where pi + p > 10% of its peak ({args.steps} D steps)")

        ax = axes[0, col]
        ax.axvspan(x[where][0], x[where][-1], color="0.93", zorder=0, label="region compared")
        ax.plot(x, pi_x, color=REAL_COLOR, ls=(0, (1, 1.5)), lw=2.2, label=r"data $\pi(x) = N(0, 1)$")
        ax.plot(x, p_x, color=FAKE_COLOR, lw=2, label=rf"generator $p(x|\theta) = N({B}, {A}^2)$")
        ax.plot(x, d_star, color=DSTAR_COLOR, lw=2.5, alpha=0.6,
                label=r"$D^* = (1-\alpha)\,\pi / (\pi + p)$")
        ax.plot(x, d, color=D_COLOR, ls="--", lw=2, label="trained D(x)")
        ax.set_ylim(-0.02, 1.05)
        ax.set_ylabel("density / D(x)")
        ax.set_title(rf"$\alpha$ = {alpha}" + (" (no smoothing)" if alpha == 0 else " (one-sided label smoothing)")
                     + f": max |D - D*| = {err.max():.3f}", fontsize=10)
        ax.legend(fontsize=8, loc="upper right")

        # the generator's mapping, as in Goodfellow et al.'s Figure 1: z (bottom line) -> x = a z + b (top)
        axm = axes[1, col]
        z = np.linspace(-2.5, 2.5, 15)
        for zi in z:
            axm.annotate("", xy=(A * zi + B, 1), xytext=(zi, 0),
                         arrowprops=dict(arrowstyle="->", color=FAKE_COLOR, lw=0.8))
        axm.axhline(0, color="k", lw=0.8)
        axm.axhline(1, color="k", lw=0.8)
        axm.set_yticks([0, 1], ["z", "x"])
        axm.set_ylim(-0.2, 1.2)
        axm.set_xlabel("x (top line), z (bottom line)")
    fig.suptitle(rf"The optimal discriminator: D trained against a fixed G(z) = {A} z + {B} lands on $D^*$",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    save_demo_figure(fig, args.out, "theory_2_optimal_d.png")


if __name__ == "__main__":
    main()
