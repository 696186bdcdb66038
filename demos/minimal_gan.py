"""A whole GAN on one page: Algorithm 1 of Goodfellow et al. (2014) on ring8, eight Gaussians on a circle.

Nothing here but scratchgan's layers (nn), losses, Adam (optim) and the toy data: no Trainer, no switches.
    python demos/minimal_gan.py --seed 1 --steps 4000 --out runs/minimal_gan
writes DIR/samples.npy (2,500 samples of the trained G) and DIR/minimal_gan.png (data, samples, D's verdict).

The game: min_G max_D  V(D, G) = E_{x~pi} log D(x) + E_{z~p(z)} log(1 - D(G(z))).
D ascends V (binary cross-entropy, real = 1, fake = 0). G descends the non-saturating loss -log D(G(z)), the
one Goodfellow et al. recommend in Section 3: same fixed point, but a strong gradient while D rejects G's samples.
Algorithm 1 writes the noise prior as p_g(z); here it is p(z), and p_g is the density of G's samples.
Three details beyond the bare algorithm, a line or two each: the first layers' biases start spread out; for the
first half, D sees its inputs blurred by instance noise N(0, sigma^2), sigma falling from 0.3 to 0, so its
gradient can pull G's mass from mode to mode (Sonderby et al. 2016); and the learning rate decays over the
second half so the samples settle onto the tight modes (std 0.02).
"""

import argparse
import os

import scratchgan  # noqa: F401  (first: it asks NumPy's BLAS for one thread, the fastest for small nets)
import numpy as np

from scratchgan import data
from scratchgan.engine import losses, nn, optim


def train(seed=1, steps=4000, m=256, k=1, lr=2e-3, z_dim=2, sigma0=0.3):
    """Train G and D on ring8 for `steps` iterations of k D-steps and one G-step; return (G, D, pi, rng)."""
    rng = np.random.default_rng(seed)
    pi = data.ring8()                                               # the data distribution pi(x), x in R^2
    G = nn.mlp([z_dim, 128, 128, 2], rng=rng, activation="relu")             # x = G(z; theta)
    D = nn.mlp([2, 128, 128, 1], rng=rng, activation="leaky_relu")          # logit l(x; phi), D = sigmoid(l)
    for net in (G, D):      # spread the first layer's kinks over the input box instead of all through 0
        net.layers[0].b.data[...] = rng.uniform(-1.0, 1.0, net.layers[0].b.data.shape)
    opt_d = optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_g = optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    loss = losses.NonSaturating()            # d_loss: -[log D(x) + log(1 - D(G(z)))]; g_loss: -log D(G(z))

    for step in range(steps):                                       # "for number of training iterations do"
        decay = min(1.0, max(0.0, (step - steps / 2) / (steps / 2)))          # 0 until half-way, then -> 1
        opt_d.lr = opt_g.lr = lr * (1.0 - 0.98 * decay)
        sigma = sigma0 * max(0.0, 1.0 - step / (steps / 2))               # instance noise, 0 from half-way

        for _ in range(k):                                          # "for k steps do"
            z = data.sample_noise(m, z_dim, rng)                    # "sample m noise samples z ~ p(z)"
            x = pi.sample(m, rng)                                   # "sample m examples x ~ p_data(x)"
            x_fake = G.forward(z)                                   # G(z), a constant for D's step
            # Real and fake go through D as ONE stacked batch: each layer caches only its last input, so a
            # separate D.forward(x_fake) after D.forward(x) would make the backward of the real batch use the
            # fake batch's activations (a bug found in several NumPy GANs). Rows do not interact, so the
            # gradient is exactly the sum over the two batches.
            x_both = np.concatenate([x, x_fake])
            logits = D.forward(x_both + sigma * rng.standard_normal(x_both.shape, dtype=np.float32))
            L_D, dl_real, dl_fake = loss.d_loss(logits[:m], logits[m:])
            opt_d.zero_grad()
            D.backward(np.concatenate([dl_real, dl_fake]))          # dL_D/dphi into D's .grad
            opt_d.step()            # "update D by ascending its gradient": descending L_D = -V(D, G) is that

        z = data.sample_noise(m, z_dim, rng)                        # "sample m noise samples z ~ p(z)"
        x_fake = G.forward(z)
        noisy = x_fake + sigma * rng.standard_normal(x_fake.shape, dtype=np.float32)   # d noisy/dx = 1
        L_G, dl = loss.g_loss(D.forward(noisy))                     # L_G = -(1/m) sum log D(G(z) + noise)
        with nn.frozen(D):                      # D's parameters stay untouched: only dL_G/dx passes through
            dx = D.backward(dl)                 # dL_G/dx = dL_G/dl * dl/dx, back through D's layers
        opt_g.zero_grad()
        G.backward(dx)                          # dL_G/dtheta = dL_G/dx * dx/dtheta
        opt_g.step()                                                # "update G by descending its gradient"

        if (step + 1) % (steps // 10) == 0:
            print(f"step {step + 1:>5}  L_D {L_D:.3f}  L_G {L_G:.3f}  "
                  f"D(x) {nn.sigmoid(logits[:m]).mean():.2f}  D(G(z)) {nn.sigmoid(logits[m:]).mean():.2f}")
    return G, D, pi, rng


def save_figure(G, D, pi, rng, samples, path):
    """Data (green), G's samples (purple) over D's verdict D(x) (purple 0 = fake, green 1 = real)."""
    from matplotlib.figure import Figure

    grid = np.linspace(-2.6, 2.6, 200)
    gx, gy = np.meshgrid(grid, grid)
    verdict = nn.sigmoid(D.forward(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32))).reshape(gx.shape)
    fig = Figure(figsize=(5.2, 5))
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(gx, gy, verdict, cmap="PRGn", vmin=0, vmax=1, shading="auto", alpha=0.5)
    fig.colorbar(mesh, ax=ax, label="D(x): 0 fake, 1 real")
    real = pi.sample(500, rng)
    ax.scatter(samples[:1000, 0], samples[:1000, 1], s=6, c="#762a83", label="samples G(z)")
    ax.scatter(real[:, 0], real[:, 1], s=6, c="#1b7837", marker="x", linewidths=0.8, label="data x ~ pi")
    ax.set(aspect="equal", xlim=(-2.6, 2.6), ylim=(-2.6, 2.6), title="A GAN on one page: ring8")
    ax.legend(loc="center", fontsize=9, markerscale=2)
    fig.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--out", metavar="DIR", default=os.path.join("runs", "minimal_gan"))
    args = parser.parse_args()
    if args.steps < 10 or args.seed < 0:
        parser.error("--steps must be at least 10 and --seed non-negative")
    os.makedirs(args.out, exist_ok=True)
    G, D, pi, rng = train(args.seed, args.steps)
    samples = G.forward(data.sample_noise(2500, 2, rng))            # 2,500 fresh samples of the trained G
    np.save(os.path.join(args.out, "samples.npy"), samples)
    save_figure(G, D, pi, rng, samples, os.path.join(args.out, "minimal_gan.png"))
    print(f"wrote {args.out}/samples.npy and {args.out}/minimal_gan.png")


if __name__ == "__main__":
    main()
