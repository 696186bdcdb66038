"""Claim 6: the loss curves do not tell you sample quality (Goodfellow et al. 2014; the lecture's "in practice").

A vanilla GAN (scratchgan.game.trainer.Trainer: D's cross-entropy, G's non-saturating loss, Adam, constant learning
rates) learns the ring of 8 Gaussians. Every step we record the two losses; every 50 steps, two two-sample
statistics of 500 generated points against the data: the unbiased MMD^2 and the number of modes captured
(metrics.mode_coverage). The losses oscillate and drift the "wrong" way (D's loss falls, G's rises) while the
samples get better and better: a GAN's losses are a game's payoffs, not a measure of fit.

    python demos/theory_8_loss_curves.py [--out runs/demos] [--steps 2000]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads, see __init__)
import numpy as np

from scratchgan import data, theory
from scratchgan.plots import FAKE_COLOR, new_figure, REAL_COLOR, save_demo_figure


def smooth(y, width=50):
    """Moving average over `width` steps (the first points average what exists so far)."""
    c = np.cumsum(np.r_[0.0, y])
    k = np.arange(1, len(y) + 1)
    lo = np.maximum(0, k - width)
    return (c[k] - c[lo]) / (k - lo)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args(argv)
    snaps_at = [0, args.steps // 10, args.steps // 2, args.steps]
    hist, snaps, trainer = theory.loss_curves_vs_quality("ring8", steps=args.steps, eval_every=50,
                                                         snapshot_steps=snaps_at, seed=args.seed)
    ring = data.get_dataset("ring8")
    step = np.arange(1, len(hist["loss_d"]) + 1)
    ld, lg = np.array(hist["loss_d"]), np.array(hist["loss_g"])
    es, mmd, modes = np.array(hist["eval_step"]), np.array(hist["eval_mmd"]), np.array(hist["eval_modes"])
    w = max(1, args.steps // 10)
    print(f"{'window':>14} {'loss D':>8} {'loss G':>8}   |  {'step':>5} {'MMD^2':>9} {'modes':>5}")
    for k, e in enumerate(np.linspace(0, len(es) - 1, 6).astype(int)):
        lo = min(k * (len(ld) // 5), len(ld) - w)
        print(f"{lo + 1:>6}-{lo + w:<7} {ld[lo:lo + w].mean():>8.3f} {lg[lo:lo + w].mean():>8.3f}   |  "
              f"{es[e]:>5} {mmd[e]:>9.5f} {modes[e]:>5}")

    fig = new_figure(13, 7.2)
    gs = fig.add_gridspec(2, 4, height_ratios=[1.25, 1])
    ax1 = fig.add_subplot(gs[0, :2])
    ax2 = fig.add_subplot(gs[0, 2:])
    ax1.plot(step, ld, color="tab:blue", lw=0.4, alpha=0.35)
    ax1.plot(step, lg, color="tab:red", lw=0.4, alpha=0.35)
    ax1.plot(step, smooth(ld), color="tab:blue", lw=2, label="D loss (moving average of 50 steps)")
    ax1.plot(step, smooth(lg), color="tab:red", lw=2, label="G loss (non-saturating), same")
    ax1.axhline(np.log(4), color="tab:blue", ls=":", lw=1, label="log 4: D loss when D = 1/2 everywhere")
    ax1.axhline(np.log(2), color="tab:red", ls=":", lw=1, label="log 2: G loss when D = 1/2 everywhere")
    ax1.set_xlabel("training iteration")
    ax1.set_ylabel("loss")
    ax1.set_title("What the losses say: oscillation, and G 'getting worse'", fontsize=10)
    ax1.legend(fontsize=8, loc="upper right")
    ax1.set_ylim(0, max(3.0, np.percentile(lg, 99.5) * 1.1))

    ax2.plot(es, mmd, "-o", color="k", ms=3, label=r"unbiased MMD$^2$ to the data (left axis)")
    ax2.axhline(0, color="0.6", lw=0.8)
    ax2.set_xlabel("training iteration")
    ax2.set_ylabel(r"MMD$^2$ (500 vs 500 points)")
    twin = ax2.twinx()
    twin.step(es, modes, where="post", color="tab:green", lw=2, label="modes captured, of 8 (right axis)")
    twin.set_ylim(0, 8.5)
    twin.set_ylabel("modes captured (a sample within 3 std of it)")
    h1, l1 = ax2.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax2.legend(h1 + h2, l1 + l2, fontsize=8, loc="center right")
    ax2.set_title("What the samples say: two-sample statistics improve", fontsize=10)

    x = ring.sample(500, np.random.default_rng(args.seed + 1))
    for k, s in enumerate(snaps_at):
        ax = fig.add_subplot(gs[1, k])
        ax.scatter(x[:, 0], x[:, 1], s=4, color=REAL_COLOR, alpha=0.5)
        ax.scatter(snaps[s][:, 0], snaps[s][:, 1], s=4, color=FAKE_COLOR, alpha=0.5)
        i = int(np.argmin(np.abs(es - s)))
        ax.set_title(f"iteration {s}: MMD$^2$ {mmd[i]:.4f}, modes {modes[i]}/8", fontsize=9)
        ax.set_xlim(ring.bounds[0])
        ax.set_ylim(ring.bounds[1])
        ax.set_aspect("equal")
        ax.set_xlabel("$x_1$")
        if k == 0:
            ax.set_ylabel("$x_2$   (green: data, purple: G)")
    fig.suptitle("A vanilla GAN on the ring of 8 Gaussians: the loss curves do not tell you sample quality",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    save_demo_figure(fig, args.out, "theory_8_loss_curves.png")


if __name__ == "__main__":
    main()
