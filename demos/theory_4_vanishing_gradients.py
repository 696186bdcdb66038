"""Claim 7: vanishing gradients (Arjovsky & Bottou 2017, Figure 2).

Fix a poor generator (a fresh MLP whose samples sit in a small blob in the middle of the ring of 8 Gaussians,
2 away from every mode), train a discriminator from scratch against it, and after more and more D steps
measure the norm of the generator's gradient for the two generator losses:
  saturating      E log(1 - D(G(z)))   dL/dl = -sigmoid(l) / n  -> 0 as D rejects the fakes (l -> -inf)
  non-saturating  -E log D(G(z))       dL/dl = -sigmoid(-l) / n -> -1/n: the signal stays (and grows).

    python demos/theory_4_vanishing_gradients.py [--out runs/demos]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads, see __init__)
import numpy as np

from scratchgan import data, theory
from scratchgan.engine import nn
from scratchgan.plots import FAKE_COLOR, new_figure, REAL_COLOR, save_demo_figure

RECORD = [0, 1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 700, 1000, 1500, 2000]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    ring = data.get_dataset("ring8")

    G = nn.mlp([2, 64, 64, 2], rng=rng, dtype=np.float64)
    G.layers[-1].W.data *= 0.1                      # a poor generator: a small blob at the centre of the ring
    D = nn.mlp([2, 64, 64, 1], rng=rng, activation="leaky_relu", dtype=np.float64)
    out = theory.vanishing_gradients(G, D, lambda n, r: ring.sample(n, r, dtype=np.float64), 2, RECORD, rng)
    steps, sat, ns, acc = out["steps"], out["saturating"], out["nonsaturating"], out["d_accuracy"]
    print(f"{'D steps':>8} {'||grad|| saturating':>20} {'||grad|| non-sat.':>18} {'D rejects fakes':>16}")
    for k in range(len(steps)):
        print(f"{steps[k]:>8} {sat[k]:>20.3e} {ns[k]:>18.3e} {acc[k]:>16.3f}")
    print(f"after {steps[-1]} D steps: non-saturating / saturating = {ns[-1] / sat[-1]:.3g}")

    fig = new_figure(12, 4.6)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    x = ring.sample(800, rng)
    g = G.forward(rng.standard_normal((800, 2)))
    ax1.scatter(x[:, 0], x[:, 1], s=6, color=REAL_COLOR, label=r"data $\pi$ (ring of 8 Gaussians)")
    ax1.scatter(g[:, 0], g[:, 1], s=6, color=FAKE_COLOR, alpha=0.5, label="fixed poor generator G(z)")
    ax1.set_aspect("equal")
    ax1.set_xlim(-2.8, 2.8)
    ax1.set_ylim(-2.8, 2.8)
    ax1.set_xlabel("$x_1$")
    ax1.set_ylabel("$x_2$")
    ax1.set_title("The setup: G is fixed, D is trained", fontsize=10)
    ax1.legend(fontsize=8, loc="upper right")

    s = np.array(steps, dtype=float)
    s[0] = 0.5                                      # step 0 drawn at 0.5 on the log axis
    ax2.loglog(s, sat, "-o", color="tab:red", ms=4, label=r"saturating  $E \log(1 - D(G(z)))$")
    ax2.loglog(s, ns, "-s", color="tab:blue", ms=4, label=r"non-saturating  $-E \log D(G(z))$")
    ax2.set_xlabel("discriminator training steps (step 0 drawn at 0.5)")
    ax2.set_ylabel(r"$\|\nabla_\theta L_G\|_2$  (log scale)")
    ax2.set_title(f"Generator gradient norm as D improves: ratio {ns[-1] / sat[-1]:.0f}x after {steps[-1]} steps",
                  fontsize=10)
    ax2.grid(True, which="major", alpha=0.3)
    twin = ax2.twinx()
    twin.semilogx(s, acc, ":", color="0.4", lw=1.5, label="fraction of fakes D rejects (right axis)")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("fraction of fakes with D(x) < 1/2")
    h1, l1 = ax2.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax2.legend(h1 + h2, l1 + l2, fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 0.2), framealpha=1.0)
    ax2.set_zorder(twin.get_zorder() + 1)
    ax2.patch.set_visible(False)
    fig.tight_layout()
    save_demo_figure(fig, args.out, "theory_4_vanishing_gradients.png")


if __name__ == "__main__":
    main()
