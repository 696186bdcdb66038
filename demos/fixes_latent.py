"""Why the mixtures' latent comes in pieces: ring8 with a connected latent and with one piece per mode.

A continuous G maps a connected latent onto a connected set, so with z = eps ~ N(0, I) alone its samples must
also lie on the paths between ring8's eight modes: the bridges. With z = (eps, 3 e_c), c uniform on 0..7
(scratchgan/data/latent.py), p(z) has eight separate pieces, and G can send each to a mode of its own. The figure
trains ring8's recipe twice from the same seed, once with latent_classes=0 and once as the recipe has it (8),
and shows G(z) at a few steps, coloured by z_1 (connected) or by the piece c; the last column gives what the
run reports, the EMA generator alone, with its modes and share of samples within 3 std of a centre. One seed is an illustration, not a measurement: docs/modes.md has the
measurement over seeds.

    python demos/fixes_latent.py [--out runs/demos] [--seed 1] [--steps 0 300 1000 3000]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads)
import numpy as np

from scratchgan.data.latent import latent_class
from scratchgan.game.recipes import default_config
from scratchgan.game.trainer import Trainer
from scratchgan.measure.metrics import mode_coverage
from scratchgan.plots import new_figure, sample_panel, save_demo_figure


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, nargs="+", default=[0, 300, 1000, 3000])
    args = parser.parse_args(argv)

    steps = sorted(args.steps)
    rows = (("connected latent: z = eps in R^2", 0), ("latent in 8 pieces: z = (eps, 3 e_c)", 8))
    fig = new_figure(3.0 * len(steps), 6.4)
    for r, (label, classes) in enumerate(rows):
        trainer = Trainer(default_config("ring8", seed=args.seed, eval_every=0, latent_classes=classes,
                                         steps=max(steps)))
        z = trainer.noise(2500, np.random.default_rng(0))
        colour = latent_class(z, 2) if classes else z[:, 0]
        centers, std = trainer.data.centers, trainer.data.std
        for c, step in enumerate(steps):
            trainer.train(step - trainer.step)
            last = step == steps[-1]
            G = trainer.G_ema if last and trainer.G_ema is not None else trainer.G
            x = G.forward(z)
            title = f"step {step}"
            if last:
                cov = mode_coverage(x, centers, std)
                title += f", EMA G: {cov['modes']}/8 modes, {100 * cov['high_quality']:.1f}%"
                print(f"{label}: step {step}, {cov['modes']}/8 modes, {100 * cov['high_quality']:.1f}% high "
                      f"quality, reverse KL {cov['reverse_kl']:.4f} (the EMA generator alone)")
            ax = fig.add_subplot(2, len(steps), r * len(steps) + c + 1)
            sample_panel(ax, x, colour, centers, 2.9, cmap="tab10" if classes else "coolwarm", title=title)
            if c == 0:
                ax.set_ylabel(label, fontsize=9)
    fig.suptitle(f"ring8, seed {args.seed}: 2,500 samples G(z), the same z at every step", fontsize=10)
    fig.tight_layout()
    return save_demo_figure(fig, args.out, "fixes_latent.png")


if __name__ == "__main__":
    main()
