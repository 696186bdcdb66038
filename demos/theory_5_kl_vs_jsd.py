"""Claim 8: KL vs JSD, mode covering vs mode seeking.

Fit one Gaussian N(mu, sigma^2) to a bimodal pi = (1/2) N(-c, 0.5^2) + (1/2) N(c, 0.5^2) by minimising, over
(mu, log sigma) with scipy.optimize (integrals on a fine grid):
  KL(pi || p)  maximum likelihood: must put mass wherever pi has any, so it covers both modes;
  KL(p || pi)  must avoid putting mass where pi has none, so it seeks one mode;
  JSD(pi || p) what the GAN with an optimal D minimises: in between; it covers modes that are close and
               seeks one when they are far apart.
Several starting points per fit; the best is kept.

    python demos/theory_5_kl_vs_jsd.py [--out runs/demos]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads, see __init__)
import numpy as np

from scratchgan import theory
from scratchgan.plots import new_figure, REAL_COLOR, save_demo_figure

STYLE = {"kl_forward": ("tab:blue", "-", r"KL($\pi$ || p)  (max. likelihood)"),
         "kl_reverse": ("tab:red", "--", r"KL(p || $\pi$)"),
         "jsd": ("tab:orange", "-.", r"JSD($\pi$ || p)  (GAN, optimal D)")}


def best_fit(log_pi, divergence, c):
    """The best of several Nelder-Mead runs (the divergences have one local minimum per mode, and more)."""
    fits = [theory.fit_gaussian(log_pi, divergence, -15, 15, start) for start in [(0.0, c + 1.0), (c, 0.5), (-c, 0.5)]]
    return min(fits, key=lambda f: f[2])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    args = parser.parse_args(argv)

    fig = new_figure(14, 4.4)
    axes = fig.subplots(1, 3)
    x = np.linspace(-6, 6, 1201)
    for ax, c in zip(axes[:2], [1.5, 3.0]):
        log_pi = theory.mixture_logpdf_1d([0.5, 0.5], [-c, c], [0.5, 0.5])
        ax.fill_between(x, np.exp(log_pi(x)), color=REAL_COLOR, alpha=0.25, label=r"data $\pi$")
        print(f"pi = modes at +-{c}, std 0.5:")
        for div, (color, ls, label) in STYLE.items():
            mu, sigma, value = best_fit(log_pi, div, c)
            print(f"  {div:<10}  mu = {mu:+.4f}  sigma = {sigma:.4f}  divergence = {value:.5f}")
            ax.plot(x, np.exp(theory.gaussian_logpdf_1d(mu, sigma)(x)), color=color, ls=ls, lw=2,
                    label=f"{label}: N({mu:.2f}, {sigma:.2f}$^2$)")
        ax.set_xlabel("x")
        ax.set_ylabel("density")
        ax.set_title(rf"modes at $\pm${c}: the three best Gaussian fits", fontsize=10)
        ax.legend(fontsize=7.5, loc="upper left")
        ax.set_ylim(0, 0.95)

    # the fitted sigma as the modes move apart
    cs = np.linspace(0.5, 4.0, 15)
    for div, (color, ls, label) in STYLE.items():
        sig = [best_fit(theory.mixture_logpdf_1d([0.5, 0.5], [-c, c], [0.5, 0.5]), div, c)[1] for c in cs]
        axes[2].plot(cs, sig, color=color, ls=ls, lw=2, marker="o", ms=3, label=label)
    axes[2].plot(cs, np.sqrt(0.25 + cs ** 2), "k:", lw=1, label=r"$\sqrt{0.5^2 + c^2}$: std of $\pi$")
    axes[2].axhline(0.5, color="0.5", lw=0.8, ls=":")
    axes[2].set_xlabel(r"half-distance c between the modes ($\pi$'s modes at $\pm c$)")
    axes[2].set_ylabel(r"fitted $\sigma$")
    axes[2].set_title(r"Fitted $\sigma$: JSD covers close modes, seeks far ones", fontsize=10)
    axes[2].legend(fontsize=7.5, loc="upper left")
    fig.tight_layout()
    save_demo_figure(fig, args.out, "theory_5_kl_vs_jsd.png")


if __name__ == "__main__":
    main()
