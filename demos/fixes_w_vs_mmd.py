"""The WGAN-GP critic's estimate of W tracks sample quality; the vanilla discriminator's JSD estimate does not.

Arjovsky et al. 2017 (Figures 3-4; lecture claim 15): with the critic trained, -L_D = E_pi f(x) - E_p f(G(z))
estimates the earth mover's distance W(pi, p_theta) (the gradient penalty keeps f about 1-Lipschitz; a clipped
critic would give K W for an unknown K), and it falls as the samples improve. A GAN's
discriminator instead estimates V = 2 JSD - log 4, i.e. JSD ~ (log 4 - L_D) / 2, which sits near log 2 or
wanders while the samples change. Both are plotted over training beside MMD^2 between 500 samples of G and
500 of the data (metrics.mmd_test, an independent measure of quality), on ring8, from the runs of
demos/fixes_compare.py (trained here if they are not cached yet).

    python demos/fixes_w_vs_mmd.py [--steps 2000] [--out runs/demos]
"""

import argparse
import os
import sys

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads)
import numpy as np

from scratchgan.plots import new_figure, save_demo_figure

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixes_compare import run_or_load  # noqa: E402  (the cached runs of the side-by-side demo)


def smooth(y, width=50):
    """Moving average over `width` iterations (the per-step estimates are minibatch estimates)."""
    kernel = np.ones(width) / width
    return np.convolve(y, kernel, mode="valid"), np.arange(width, len(y) + 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    gp = run_or_load("WGAN-GP", "ring8", args.steps, args.seed)
    van = run_or_load("vanilla", "ring8", args.steps, args.seed)

    fig = new_figure(12, 5.4)
    axes = fig.subplots(1, 2)
    panels = [
        (axes[0], gp, -gp["loss_d"], "critic's estimate of W:  $-L_D = E_\\pi f - E_p f$", "#c0392b",
         "WGAN-GP: the W estimate falls with MMD"),
        (axes[1], van, (np.log(4.0) - van["loss_d"]) / 2, "D's estimate of JSD:  $(\\log 4 - L_D)/2$",
         "#1f6fb2", "vanilla GAN: the JSD estimate does not follow MMD"),
    ]
    for ax, run, estimate, label, color, title in panels:
        y, x = smooth(estimate)
        ax.plot(x, y, color=color, lw=1.5, label=label + " (50-step mean)")
        if "JSD" in label:
            ax.axhline(np.log(2.0), color=color, ls=":", lw=1, label="log 2 (disjoint supports)")
        ax.set_xlabel("iteration")
        ax.set_ylabel(label.split(":")[0], color=color)
        ax.set_ylim(bottom=min(0.0, float(y.min())))
        twin = ax.twinx()
        twin.plot(run["eval_step"], run["eval_mmd"], "o-", color="0.25", ms=3, lw=1,
                  label="MMD$^2$ to the data (unbiased, may dip below 0)")
        twin.axhline(0, color="0.6", lw=0.6)
        twin.set_ylabel("MMD$^2$")
        lines = ax.get_legend_handles_labels()
        lines2 = twin.get_legend_handles_labels()
        ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper center", bbox_to_anchor=(0.5, -0.14),
                  ncol=1, fontsize=8, frameon=False)
        ax.set_title(title, fontsize=11)
        steps = run["eval_step"]
        keep = steps >= 50
        corr = np.corrcoef(np.interp(steps[keep], x, y), run["eval_mmd"][keep])[0, 1]
        ax.text(0.98, 0.90, f"correlation with MMD$^2$: {corr:+.2f}", transform=ax.transAxes, fontsize=9,
                ha="right", va="top")
    fig.suptitle(f"ring8, {args.steps} iterations: what the discriminator's loss says about the samples",
                 fontsize=12)
    fig.tight_layout()
    return save_demo_figure(fig, args.out, "fixes_w_vs_mmd.png")


if __name__ == "__main__":
    main()
