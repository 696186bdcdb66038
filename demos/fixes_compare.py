"""Vanilla, non-saturating, WGAN, WGAN-GP and R1 side by side on ring8 and grid25 (one figure).

Each column is one objective, trained with the library's Trainer for the same number of iterations from the
same seed, with the dataset's default networks, batch 128, z ~ N(0, I), no packing (so the columns differ
only in the objective) and an EMA of G's weights with decay 0.99 (the dataset default 0.999 averages over
~1000 iterations, too long for a short run); each panel shows 2000
samples of G (EMA weights) over the
data, and the mode coverage of metrics.mode_coverage (modes hit by samples within 3 std of a centre, the
fraction of such high-quality samples). The dataset's other defaults apply to every column (e.g. instance
noise early on). The settings per column (see METHODS) are the papers' except the WGAN learning rates, which
are raised so that a short budget (default 2000 iterations) shows where each one goes:

    vanilla          minimax (saturating) G loss, the dataset's default Adam settings Goodfellow et al. 2014
    non-saturating   -log D(G(z)), otherwise the same                                 Goodfellow et al. 2014
    WGAN             critic, clip 0.01, n_critic 5, RMSprop (lr 5e-4, paper 5e-5)     Arjovsky et al. 2017
    WGAN-GP          critic, gp 10, n_critic 5, Adam betas (0, 0.9) (lr 5e-4; 1e-4)   Gulrajani et al. 2017
    R1               non-saturating + (gamma/2) E||grad D(x)||^2 on reals, gamma 1    Mescheder et al. 2018

Runs are cached in runs/demos/fixes_compare/ (history and samples, .npz), so demos/fixes_w_vs_mmd.py and
--replot reuse them.

    python demos/fixes_compare.py [--steps 2000] [--out runs/demos] [--replot]
"""

import argparse
import os

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads)
import numpy as np

from scratchgan.data import get_dataset
from scratchgan.game.recipes import default_config, PRESETS
from scratchgan.game.trainer import Trainer
from scratchgan.measure import metrics
from scratchgan.plots import new_figure, save_demo_figure

DATASETS = ("ring8", "grid25")
METHODS = {
    "vanilla": dict(loss="minimax"),
    "non-saturating": dict(loss="nonsaturating"),
    "WGAN": dict(PRESETS["wgan"], lr_d=5e-4, lr_g=5e-4),
    "WGAN-GP": dict(PRESETS["wgan-gp"], lr_d=5e-4, lr_g=5e-4),
    "R1": dict(loss="nonsaturating", penalty="r1", penalty_weight=1.0),
}
CACHE = os.path.join("runs", "demos", "fixes_compare")


def run_or_load(method, data, steps, seed=0, eval_every=100, n_samples=2000):
    """Train (or load the cached run of) one method on one dataset: a dict of arrays, the history's keys
    plus samples (n_samples, 2) from G's EMA weights."""
    path = os.path.join(CACHE, f"{data}_{method}_{steps}_{seed}.npz")
    if os.path.exists(path):
        with np.load(path) as f:
            return {k: f[k] for k in f.files}
    # a connected latent and the instance noise the mixtures' recipes used before their latent code: the
    # methods alone, as in the mode table (scratchgan/modebench.py)
    config = default_config(data, steps=steps, seed=seed, batch=128, eval_every=eval_every,
                            eval_samples=1000, ema=0.99, pack=1, noise="normal", truncation=0.0, rejection=0.0,
                            latent_classes=0, instance_noise=0.3, instance_noise_until=0.5, **METHODS[method])
    trainer = Trainer(config)
    trainer.train(steps)
    out = {k: np.asarray(v, dtype=np.float64) for k, v in trainer.history.items()}
    out["samples"] = trainer.sample(n_samples).astype(np.float64)
    os.makedirs(CACHE, exist_ok=True)
    np.savez(path, **out)
    print(f"trained {method} on {data}: {steps} steps -> {path}", flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=list(METHODS), help="train just this method (to run in parallel)")
    args = parser.parse_args(argv)

    methods = [args.only] if args.only else list(METHODS)
    runs = {(d, m): run_or_load(m, d, args.steps, args.seed) for d in DATASETS for m in methods}
    if args.only:
        return None

    fig = new_figure(3.3 * len(METHODS), 3.6 * len(DATASETS) + 0.6)
    axes = fig.subplots(len(DATASETS), len(METHODS))
    for i, d in enumerate(DATASETS):
        data = get_dataset(d)
        (x0, x1), (y0, y1) = data.bounds
        for j, m in enumerate(METHODS):
            ax = axes[i, j]
            s = runs[(d, m)]["samples"]
            cov = metrics.mode_coverage(s, data.centers, data.std)
            ax.scatter(s[:, 0], s[:, 1], s=2, color="#7b3fa0", alpha=0.45, lw=0, label="G(z)")
            ax.scatter(data.centers[:, 0], data.centers[:, 1], s=60, facecolors="none", edgecolors="#2a9d4a",
                       lw=1.0, label="mixture centres", zorder=3)
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{m}\n{cov['modes']}/{len(data.centers)} modes, "
                         f"{100 * cov['high_quality']:.0f}% high quality", fontsize=10)
            if j == 0:
                ax.set_ylabel(d, fontsize=12)
    axes[0, 0].legend(loc="lower left", fontsize=8)
    fig.suptitle(f"The fixes side by side: {args.steps} iterations each, same seed and networks "
                 f"(samples from G's EMA weights)", fontsize=12)
    fig.tight_layout()
    return save_demo_figure(fig, args.out, "fixes_compare.png")


if __name__ == "__main__":
    main()
