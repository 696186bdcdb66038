"""Claim 1: likelihood is not sample quality (Theis et al. 2015).

pi = N(0, I_d). Two models, each scored on held-out data (exactly, with logsumexp) and by its samples (MMD test):
  p1(x) = (1/n) sum_i N(x | x_i, eps I), a KDE of the training set with tiny eps: its samples are (near-)copies
          of the data, but a held-out point is far from every x_i, so its log-likelihood is terrible;
  p2(x) = 0.01 pi(x) + 0.99 p_noise(x): log p2 >= log pi - log 100, a gap that becomes a vanishing fraction of
          |log pi| ~ 1.42 d as the dimension d grows, although 99% of p2's samples are noise.

    python demos/theory_1_likelihood.py [--out runs/demos]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads, see __init__)
import numpy as np

from scratchgan import theory
from scratchgan.plots import FAKE_COLOR, new_figure, REAL_COLOR, save_demo_figure

DIMS = [1, 2, 10, 100, 1000]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    eps = 1e-4

    rows = theory.likelihood_vs_quality(DIMS, rng, eps=eps, n_mmd=300)
    print(f"pi = N(0, I_d); p1 = KDE of 1000 training points, eps = {eps:g}; p2 = 0.01 pi + 0.99 N(0, 25 I)")
    print("held-out mean log-likelihood (nats per point) and MMD p-value of 300 samples vs data:")
    print(f"{'d':>5} {'log pi':>10} {'log p2':>10} {'gap p2':>7} {'gap/|log pi|':>13} {'log p1 (KDE)':>14}"
          f" {'MMD p, p1':>10} {'MMD p, p2':>10}")
    for r in rows:
        print(f"{r['d']:>5} {r['ll_true']:>10.2f} {r['ll_mix']:>10.2f} {r['gap_mix']:>7.3f} {r['rel_gap_mix']:>13.4f}"
              f" {r['ll_kde']:>14.4g} {r['mmd_p_kde']:>10.3f} {r['mmd_p_mix']:>10.3f}")
    print(f"log 100 = {np.log(100):.3f}: the bound on p2's gap, attained in high dimension")

    fig = new_figure(13, 4.6)
    ax1, ax2, ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.2, 1, 1]})
    d = np.array([r["d"] for r in rows])
    ax1.loglog(d, [-r["ll_true"] for r in rows], "k-o", label=r"$|\log \pi(x)|$: scale of the log-likelihood")
    ax1.loglog(d, [r["ll_true"] - r["ll_kde"] for r in rows], "-s", color="tab:orange",
               label=r"gap of $p_1$ (KDE): $\log\pi - \log p_1$")
    ax1.loglog(d, [r["gap_mix"] for r in rows], "-^", color=FAKE_COLOR,
               label=r"gap of $p_2$ (99% noise): $\log\pi - \log p_2$")
    ax1.axhline(np.log(100), color=FAKE_COLOR, ls=":", lw=1, label=r"bound $\log 100$")
    ax1.set_xlabel("dimension d")
    ax1.set_ylabel("nats per held-out point (mean)")
    ax1.set_title("Held-out log-likelihood gaps to the true model")
    ax1.legend(fontsize=8, loc="upper left")
    ax1.grid(True, which="major", alpha=0.3)

    # the samples, in d = 2
    r2 = rows[DIMS.index(2)]
    data = rng.standard_normal((300, 2))
    train = rng.standard_normal((1000, 2))
    p1 = train[rng.choice(1000, 300, replace=False)] + np.sqrt(eps) * rng.standard_normal((300, 2))
    p2 = np.where((rng.random(300) < 0.01)[:, None], 1.0, 5.0) * rng.standard_normal((300, 2))
    for ax, s, name, ll, p in [(ax2, p1, r"$p_1$: KDE, $\epsilon = 10^{-4}$", r2["ll_kde"], r2["mmd_p_kde"]),
                               (ax3, p2, r"$p_2$: 0.01 $\pi$ + 0.99 noise", r2["ll_mix"], r2["mmd_p_mix"])]:
        ax.scatter(data[:, 0], data[:, 1], s=8, color=REAL_COLOR, alpha=0.6, label=r"data $\pi$")
        ax.scatter(s[:, 0], s[:, 1], s=8, color=FAKE_COLOR, alpha=0.6, label="model samples")
        ax.set_xlim(-12, 12)
        ax.set_ylim(-12, 12)
        ax.set_aspect("equal")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_title(f"{name} (d = 2)\nheld-out log-lik {ll:.1f} (true {r2['ll_true']:.1f}); MMD p = {p:.3f}",
                     fontsize=10)
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle("Likelihood is not sample quality: p1 has perfect samples and a terrible likelihood, "
                 "p2 the reverse", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    save_demo_figure(fig, args.out, "theory_1_likelihood.png")


if __name__ == "__main__":
    main()
