"""The Dirac-GAN (Mescheder et al. 2018): (theta, psi) trajectories of the library's own training steps.

G = a point mass at theta, data at 0, D(x) = psi x; the equilibrium is (0, 0). Five panels, same start,
same step size h, each taken with the library's Modules, losses, penalties and SGD (scratchgan.theory.dirac):
  simultaneous, no regulariser   spirals out: each step multiplies the distance by sqrt(1 + h^2 s^2) > 1,
                                 s = sigmoid(psi theta) (1/2 at (0, 0))
  alternating, no regulariser    circles for ever (a map of determinant 1, eigenvalues on the unit circle)
  simultaneous + R1 (gamma)      converges: R1 adds -gamma to the Jacobian's D-row, eigenvalues get Re < 0
  alternating + R1 (gamma)       converges
  WGAN-GP (alternating)          does not reach (0, 0). The two-sided penalty lambda (|psi| - 1)^2 is a
                                 barrier at psi = 0 (its maximum): a critic on the wrong side (psi > 0
                                 while theta > 0) is held there, and G keeps moving away, until theta
                                 = 2 lambda (1 - |psi|) overcomes it; it ends stalled near (2 lambda, 0),
                                 where G's gradient -psi vanishes. (In 1D the critics with |psi| = 1
                                 are the two points +-1; the penalty cannot move continuously between.)
The analytic per-step factor near (0, 0) (spectral radius of the step matrix) is printed in each title.

    python demos/fixes_dirac.py [--out runs/demos] [--h 0.1] [--steps 600] [--gamma 0.5]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads)
import numpy as np

from scratchgan.plots import new_figure, save_demo_figure
from scratchgan.theory import dirac


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--h", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--gamma", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    h, gamma, start = args.h, args.gamma, (1.0, 1.0)

    runs = [
        ("simultaneous", "simultaneous", None, 0.0, "minimax",
         dirac.spectral_radius(dirac.step_matrix(h, "simultaneous"))),
        ("alternating", "alternating", None, 0.0, "minimax",
         dirac.spectral_radius(dirac.step_matrix(h, "alternating"))),
        (f"simultaneous + R1 ($\\gamma$={gamma:g})", "simultaneous", "r1", gamma, "minimax",
         dirac.spectral_radius(dirac.step_matrix(h, "simultaneous", gamma))),
        (f"alternating + R1 ($\\gamma$={gamma:g})", "alternating", "r1", gamma, "minimax",
         dirac.spectral_radius(dirac.step_matrix(h, "alternating", gamma))),
        ("WGAN-GP ($\\lambda$=1), alternating:\nstalls near ($\\theta$, $\\psi$) = (2$\\lambda$, 0)", "alternating", "gp",
         1.0, "wasserstein", None),
    ]
    fig = new_figure(4.0 * len(runs), 4.6)
    axes = fig.subplots(1, len(runs))
    for ax, (title, mode, penalty, weight, objective, rho) in zip(axes, runs):
        game = dirac.DiracGAN(*start, objective=objective, h=h, penalty=penalty, weight=weight, seed=args.seed)
        path = game.run(args.steps, mode)
        ax.plot(path[:, 0], path[:, 1], color="#4a4a9a", lw=0.9)
        ax.plot(*path[0], "o", color="#2a9d4a", ms=7, label="start")
        ax.plot(*path[-1], "s", color="#c0392b", ms=6, label=f"after {args.steps} steps")
        ax.plot(0, 0, "*", color="black", ms=11, label="equilibrium (0, 0)")
        lim = max(2.2, 1.1 * np.abs(path).max())
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.axhline(0, color="0.85", lw=0.6, zorder=0)
        ax.axvline(0, color="0.85", lw=0.6, zorder=0)
        ax.set_xlabel(r"$\theta$ (generator)")
        rate = f"\nper-step factor near 0: {rho:.5f}" if rho is not None else ""
        ax.set_title(title + rate, fontsize=10)
        r = np.hypot(*path[-1])
        ax.text(0.03, 0.03, f"final distance {r:.3g}", transform=ax.transAxes, fontsize=9)
    axes[0].set_ylabel(r"$\psi$ (discriminator)")
    axes[0].legend(loc="upper left", fontsize=8)
    fig.suptitle(f"Dirac-GAN, step size h = {h:g}: sqrt(1 + h²/4) = {np.sqrt(1 + h * h / 4):.5f} "
                 f"per simultaneous step near (0, 0); R1 converges", fontsize=12)
    fig.tight_layout()
    return save_demo_figure(fig, args.out, "fixes_dirac.png")


if __name__ == "__main__":
    main()
