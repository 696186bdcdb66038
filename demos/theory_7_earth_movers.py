"""Claim 13: the earth mover's distance as a transport linear program.

W(P, Q) = min over plans gamma >= 0 with row sums P and column sums Q of sum_ij gamma_ij |x_i - x_j|: move the
piles of dirt P = (3, 2, 1, 4) at positions 0, 1, 2, 3 into the holes Q = (1, 2, 4, 3) at the same positions,
paying (amount x distance). Solved with scipy.optimize.linprog; total cost 5. In 1D the answer must equal
(total mass) x scipy.stats.wasserstein_distance, the area between the two CDFs.

    python demos/theory_7_earth_movers.py [--out runs/demos]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads, see __init__)
import numpy as np
from scipy.stats import wasserstein_distance

from scratchgan import theory
from scratchgan.plots import FAKE_COLOR, new_figure, REAL_COLOR, save_demo_figure

P = np.array([3.0, 2.0, 1.0, 4.0])
Q = np.array([1.0, 2.0, 4.0, 3.0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    pos = np.arange(len(P), dtype=float)
    cost = np.abs(pos[:, None] - pos[None, :])
    W, plan = theory.earth_movers_distance(P, Q, cost)
    scipy_w = P.sum() * wasserstein_distance(pos, pos, P, Q)
    print(f"P = {P.tolist()}, Q = {Q.tolist()} at positions {pos.tolist()}, cost |i - j|")
    print("optimal transport plan gamma[i, j] = amount moved from pile i to hole j:")
    print("       " + "".join(f"  to {j}" for j in range(len(Q))))
    for i in range(len(P)):
        print(f"from {i} " + "".join(f"{plan[i, j]:6.2f}" for j in range(len(Q))))
    print(f"W (linprog) = {W:.6f};  10 x scipy.stats.wasserstein_distance = {scipy_w:.6f}")
    errs = []
    for _ in range(20):
        x, y = rng.standard_normal(15), 1 + 2 * rng.standard_normal(12)
        a, b = rng.random(15), rng.random(12)
        lp, _ = theory.earth_movers_distance(a / a.sum(), b / b.sum(), np.abs(x[:, None] - y[None, :]))
        errs.append(abs(lp - wasserstein_distance(x, y, a, b)))
    print(f"20 random weighted 1D pairs: largest |LP - scipy| = {max(errs):.1e}")

    fig = new_figure(12, 4.4)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
    width = 0.38
    ax1.bar(pos - width / 2, P, width, color=REAL_COLOR, alpha=0.8, label="piles P (dirt to move)")
    ax1.bar(pos + width / 2, Q, width, color=FAKE_COLOR, alpha=0.8, label="holes Q (where it must go)")
    for i in range(len(P)):
        for j in range(len(Q)):
            if i != j and plan[i, j] > 1e-9:
                h = 4.6 + 0.35 * (i + j) % 1.4
                ax1.annotate("", xy=(pos[j], h), xytext=(pos[i], h),
                             arrowprops=dict(arrowstyle="->", color="k", lw=1.5,
                                             connectionstyle="arc3,rad=-0.3"))
                ax1.text((pos[i] + pos[j]) / 2, h + 0.45 + 0.2 * abs(i - j),
                         f"{plan[i, j]:g} unit{'s' if plan[i, j] != 1 else ''} x {abs(i - j):g}",
                         ha="center", fontsize=9)
    ax1.set_xticks(pos)
    ax1.set_xlabel("position")
    ax1.set_ylabel("amount of dirt")
    ax1.set_ylim(0, 7)
    moves = " + ".join(f"{plan[i, j]:g}x{abs(i - j):g}" for i in range(len(P)) for j in range(len(Q))
                       if i != j and plan[i, j] > 1e-9)
    ax1.set_title(f"Moving P onto Q: the optimal plan costs W = {moves} = {W:g}\n"
                  f"(amount x distance; scipy.stats.wasserstein_distance x 10 = {scipy_w:g})", fontsize=10)
    ax1.legend(fontsize=8, loc="upper left")

    im = ax2.imshow(plan, cmap="Greens", vmin=0)
    for i in range(len(P)):
        for j in range(len(Q)):
            ax2.text(j, i, f"{plan[i, j]:g}", ha="center", va="center", fontsize=11,
                     color="white" if plan[i, j] > plan.max() / 2 else "black")
    ax2.set_xticks(pos)
    ax2.set_yticks(pos)
    ax2.set_xlabel("to hole j (column sums = Q)")
    ax2.set_ylabel("from pile i (row sums = P)")
    ax2.set_title(r"The transport plan $\gamma_{ij}$ found by linprog", fontsize=10)
    fig.colorbar(im, ax=ax2, label="amount moved")
    fig.tight_layout()
    save_demo_figure(fig, args.out, "theory_7_earth_movers.png")


if __name__ == "__main__":
    main()
