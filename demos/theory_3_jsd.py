"""Claim 5: the JSD theorem. With D optimal, V(G, D*) = KL(pi || m) + KL(p || m) - 2 log 2 = 2 JSD(pi || p) - log 4,
m = (pi + p)/2, whose minimum -log 4 is reached exactly at p = pi (Goodfellow et al. 2014, Theorem 1).

Left: for pi = N(0, 1) and generators p = N(b, s^2), V(G, D*) integrated directly (scipy.integrate.quad, D*'s
logit being log pi - log p) against 2 JSD - log 4 integrated separately. Right: a D trained against a fixed G
climbs towards V(G, D*) from below (every D is below: D* is the pointwise maximiser).

    python demos/theory_3_jsd.py [--out runs/demos]
"""

import argparse

import scratchgan  # noqa: F401  (first: it asks for one BLAS thread before NumPy loads, see __init__)
import numpy as np

from scratchgan import theory
from scratchgan.engine import nn
from scratchgan.plots import D_COLOR, DSTAR_COLOR, FAKE_COLOR, new_figure, save_demo_figure

LOG4 = np.log(4.0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demos")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    log_pi = theory.gaussian_logpdf_1d(0.0, 1.0)

    fig = new_figure(12, 4.6)
    ax1, ax2 = fig.subplots(1, 2)
    worst = 0.0
    for s, style in [(1.0, "-"), (0.5, "--"), (2.0, ":")]:
        bs = np.linspace(-4, 4, 41)
        v_direct, v_jsd = [], []
        for b in bs:
            log_p = theory.gaussian_logpdf_1d(b, s)
            pts = sorted({0.0, float(b)})
            v_direct.append(theory.value_function(log_pi, log_p, theory.log_density_ratio(log_pi, log_p),
                                                  -20, 20, pts))
            v_jsd.append(2 * theory.js_divergence(log_pi, log_p, -20, 20, pts) - LOG4)
        worst = max(worst, np.max(np.abs(np.subtract(v_direct, v_jsd))))
        ax1.plot(bs, v_jsd, style, color=FAKE_COLOR, lw=2, label=rf"$2\,JSD - \log 4$, p = N(b, {s:g}$^2$)")
        ax1.plot(bs[::4], v_direct[::4], "o", color=DSTAR_COLOR, ms=4)
    ax1.plot([], [], "o", color=DSTAR_COLOR, ms=4, label=r"$V(G, D^*)$ integrated directly")
    ax1.axhline(-LOG4, color="k", lw=0.8, ls="--", label=r"$-\log 4$: the minimum, at p = $\pi$")
    ax1.axhline(0, color="0.6", lw=0.8)
    ax1.set_xlabel(r"generator mean b   ($\pi$ = N(0, 1))")
    ax1.set_ylabel(r"$V(G, D^*)$")
    ax1.set_title(f"V(G, D*) = 2 JSD - log 4 (largest difference {worst:.1e})", fontsize=10)
    ax1.legend(fontsize=8, loc="upper center", ncol=1, framealpha=0.9)
    ax1.set_ylim(-1.45, 0.45)
    print(f"V(G, D*) vs 2 JSD(pi || p) - log 4 over 123 generators: largest |difference| = {worst:.2e}")

    # a trained D approaches V(G, D*) from below
    a, b = 0.7, 1.5
    log_p = theory.gaussian_logpdf_1d(b, a)
    v_star = theory.value_function(log_pi, log_p, theory.log_density_ratio(log_pi, log_p), -10, 10, [0, b])
    steps, values = [], []

    def record(step, D):
        if step % 10 == 0:
            logit = lambda x: D.forward(x[:, None].astype(np.float32))[:, 0].astype(float)  # noqa: E731
            steps.append(step)
            values.append(theory.value_function(log_pi, log_p, logit, -10, 10, n_grid=2001))

    D = nn.mlp([1, 32, 32, 1], rng=rng, activation="leaky_relu")
    theory.train_discriminator(D, lambda n, r: r.standard_normal((n, 1)),
                               lambda n, r: b + a * r.standard_normal((n, 1)), 800, rng, lr=3e-3, callback=record)
    gap = v_star - np.array(values)
    ax2.semilogy(steps, gap, color=D_COLOR, lw=1.5, label=r"$V(G, D^*) - V(G, D)$ for the D being trained")
    ax2.set_xlabel("discriminator steps (Adam, batch 256 + 256)")
    ax2.set_ylabel(r"$V(G, D^*) - V(G, D)$   (log scale)")
    ax2.set_title(f"D trained against a fixed G = N({b}, {a}$^2$): V(G, D) rises to\n"
                  rf"$V(G, D^*) = 2\,JSD - \log 4$ = {v_star:.4f} and stays below it (gap > 0)", fontsize=10)
    ax2.legend(fontsize=8, loc="upper right")
    ax2.grid(True, which="major", alpha=0.3)
    print(f"V(G, D*) = {v_star:.5f}; trained D after {steps[-1]} steps: {values[-1]:.5f} "
          f"(gap {v_star - values[-1]:.1e}); every recorded V below V(G, D*): {bool(np.all(gap > 0))}")
    fig.tight_layout()
    save_demo_figure(fig, args.out, "theory_3_jsd.png")


if __name__ == "__main__":
    main()
