"""Why G's first-layer biases are spread: the fold a zero-bias generator starts with, on grid25.

With zero first-layer biases every kink w.z + b = 0 of G's first layer passes through z = 0, so G(t z) = t G(z)
for t > 0: the initial G maps each ray of the latent square to a ray, a fan folded around the origin. Training
must unfold it in its first, large steps. The figure trains grid25's recipe with a connected latent (as it was
before the latent code of scratchgan/data/latent.py gave G a piece per mode) twice from the same initial
weights, once with the first layer's biases set to 0 and once as built (U(-1, 1)), and shows G(z) for a grid
of latent points, coloured by z_1, at a few steps; the last column counts the modes captured by G itself
(no EMA, truncation or rejection). One seed is an illustration, not a measurement: the measured effect over
seeds is in docs/modes.md.

    python demos/fixes_fold.py [--out runs/demos] [--seed 1] [--steps 0 300 1500 12000]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads)
import numpy as np

from scratchgan.game.recipes import default_config, NO_PIECES
from scratchgan.game.trainer import Trainer
from scratchgan.measure.metrics import mode_coverage
from scratchgan.plots import new_figure, sample_panel, save_demo_figure


# grid25's recipe before its latent code (scratchgan/data/latent.py): a connected latent, where the fold matters
# (and before its pieces: scratchgan/fixes/pieces.py)
CONNECTED = dict(NO_PIECES, latent_classes=0, z_dim=2, noise="uniform", g_hidden=(128, 128), d_hidden=(128, 128),
                 steps=12000, instance_noise=0.3, instance_noise_until=0.5)


def zero_first_biases(trainer):
    """Set the first layer's biases of G (and of its EMA copy) to 0: the initialisation the default replaced."""
    for G in (trainer.G, trainer.G_ema):
        if G is not None:
            G.layers[0].b.data[...] = 0.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, nargs="+", default=[0, 300, 1500, 12000])
    args = parser.parse_args(argv)

    side = np.linspace(-1.0, 1.0, 70)
    z = np.stack(np.meshgrid(side, side), axis=-1).reshape(-1, 2).astype(np.float32)   # the latent square
    rows = (("first-layer biases 0", True), ("first-layer biases U(-1, 1) (default)", False))
    fig = new_figure(3.0 * len(args.steps), 6.4)
    for r, (label, zero) in enumerate(rows):
        trainer = Trainer(default_config("grid25", seed=args.seed, eval_every=0, **CONNECTED))
        if zero:
            zero_first_biases(trainer)
        centers, std = trainer.data.centers, trainer.data.std
        for c, step in enumerate(sorted(args.steps)):
            trainer.train(step - trainer.step)
            x = trainer.G.forward(z)
            title = f"step {step}"
            if step == max(args.steps):
                cov = mode_coverage(trainer.G.forward(trainer.noise(2500, trainer.sample_rng)), centers, std)
                title += f": {cov['modes']}/25 modes"
                print(f"{label}: step {step}, {cov['modes']}/25 modes, {100 * cov['high_quality']:.1f}% high "
                      f"quality, reverse KL {cov['reverse_kl']:.3f} (G alone)")
            ax = fig.add_subplot(2, len(args.steps), r * len(args.steps) + c + 1)
            sample_panel(ax, x, z[:, 0], centers, 5.5, title=title)
            if c == 0:
                ax.set_ylabel(label, fontsize=9)
    fig.suptitle(f"grid25, seed {args.seed}: G(z) over the latent square, coloured by z_1", fontsize=10)
    fig.tight_layout()
    return save_demo_figure(fig, args.out, "fixes_fold.png")


if __name__ == "__main__":
    main()
