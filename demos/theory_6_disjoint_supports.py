"""Claims 12 and 14: disjoint supports (Arjovsky & Bottou 2017; Arjovsky et al. 2017, Example 1).

pi = (0, U[0, 1]) and p = (theta, U[0, 1]) in 2D: two parallel segments. For theta != 0, KL = infinity,
JSD = log 2 and W = |theta|; all three are 0 at theta = 0. KL and JSD do not see how far apart the segments
are; W does. Computed on a discretisation of the segments (KL and JSD by their sums, W by the transport LP).
Then the consequence for a GAN: D separates disjoint supports perfectly, so the saturating generator loss
gives G (here its one parameter theta) no gradient; instance noise on D's inputs brings one back.

    python demos/theory_6_disjoint_supports.py [--out runs/demos]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads, see __init__)
import numpy as np

from scratchgan import theory
from scratchgan.plots import new_figure, save_demo_figure


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    thetas = np.r_[np.linspace(-1, -0.05, 12), 0.0, np.linspace(0.05, 1, 12)]
    rows = [theory.disjoint_supports(t, n_points=20) for t in thetas]
    kl = np.array([r["kl"] for r in rows])
    jsd = np.array([r["jsd"] for r in rows])
    w = np.array([r["w"] for r in rows])
    for t in (-0.5, 0.0, 1e-3, 0.5):
        r = theory.disjoint_supports(t, n_points=20)
        print(f"theta = {t:+.3f}:  KL = {r['kl']}  JSD = {r['jsd']:.6f} (log 2 = {np.log(2):.6f})  W = {r['w']:.6f}")

    fig = new_figure(12, 4.6)
    ax1, ax2 = fig.subplots(1, 2)
    top = 1.25
    finite = np.isfinite(kl)
    ax1.plot(thetas[~finite], np.full((~finite).sum(), top), "^", color="tab:red", ms=6,
             label=r"KL($\pi$ || p) = $\infty$ (drawn at the top)")
    ax1.plot(thetas[finite], kl[finite], "o", color="tab:red", ms=6)
    ax1.plot(thetas, jsd, "s", color="tab:orange", ms=5, label=r"JSD($\pi$ || p): log 2, and 0 at $\theta$ = 0")
    ax1.plot(thetas, w, "-o", color="tab:blue", ms=4, label=r"W($\pi$, p) = |$\theta$|")
    ax1.axhline(np.log(2), color="tab:orange", lw=0.8, ls=":")
    ax1.set_ylim(-0.05, top + 0.1)
    ax1.set_xlabel(r"$\theta$ (horizontal offset of the generator's segment)")
    ax1.set_ylabel("divergence / distance")
    ax1.set_title(r"$\pi$ = (0, U[0,1]) vs p = ($\theta$, U[0,1]): only W sees the distance", fontsize=10)
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0.92))

    theta, steps = 0.5, 1000
    print(f"training D on the two segments (theta = {theta}), dL_G/dtheta of the saturating loss:")
    for noise, color in [(0.0, "tab:red"), (0.1, "tab:purple"), (0.3, "tab:green")]:
        g, hist = theory.disjoint_supports_gradient(theta, steps, rng, noise_std=noise, record_every=25)
        st = np.array([h[0] for h in hist])
        gr = np.abs([h[1] for h in hist])
        label = "no instance noise" if noise == 0 else f"instance noise N(0, {noise}$^2$) on D's inputs"
        ax2.semilogy(np.maximum(st, 1), gr, color=color, lw=1.8, label=label)
        print(f"  noise std {noise}: after {steps} D steps dL_G/dtheta = {g:+.3e}")
    ax2.set_xlabel("discriminator training steps")
    ax2.set_ylabel(r"$|dL_G / d\theta|$  (log scale)")
    ax2.set_title(rf"Gradient reaching G ($\theta$ = {theta}) as D learns:" "\n"
                  "it vanishes unless D's inputs are noisy", fontsize=10)
    ax2.legend(fontsize=8, loc="lower left")
    ax2.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    save_demo_figure(fig, args.out, "theory_6_disjoint_supports.png")


if __name__ == "__main__":
    main()
