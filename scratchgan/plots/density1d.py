"""A 1D frame: the densities pi and p_g, the discriminator D and D*, and the mapping x = G(z).

What a 1D frame shows (after Figure 1 of Goodfellow et al. 2014):
    top      pi(x) (green, dashed), p_g(x) (purple, a kernel density estimate of many samples G(z)),
             D(x) (blue, dashed) and the optimal discriminator D*(x) = pi / (pi + p_g) (red, dotted)
    bottom   the mapping x = G(z): lines from evenly spaced z (lower line) to x = G(z) (upper line)

Reading order: the numbers (kde_1d, frame_1d), then the pixels (draw_frame_1d).
"""

import numpy as np

from .base import (D_COLOR, discriminator_map, DSTAR_COLOR, _eval_mode, FAKE_COLOR, _param_dtype, REAL_COLOR,
    _restore_mode)


def kde_1d(samples, x, bandwidth=None):
    """Gaussian kernel density estimate p(x) = (1/n) sum_i N(x | s_i, h^2) at the points x.

    samples: (n,) draws; x: (m,) where to evaluate -> (m,) densities.
    h defaults to Silverman's rule 1.06 sigma n^(-1/5), floored so that a collapsed generator (sigma = 0)
    still gives a finite, very narrow bump.
    """
    samples = np.asarray(samples, dtype=np.float64).ravel()
    x = np.asarray(x, dtype=np.float64).ravel()
    if bandwidth is None:
        bandwidth = 1.06 * samples.std() * len(samples) ** (-0.2)
        bandwidth = max(bandwidth, 1e-3 * (x.max() - x.min() + 1e-12))
    u = (x[:, None] - samples[None, :]) / bandwidth                       # (m, n)
    return np.exp(-0.5 * u * u).mean(axis=1) / (bandwidth * np.sqrt(2.0 * np.pi))


def frame_1d(G, D, objective, z, x_grid, z_line, *, critic=False, step=0):
    """The numbers of one 1D frame (Goodfellow et al. 2014, Figure 1), computed from the networks.

    z:       (n, latent_dim) fixed noise; G(z) are the samples whose KDE is p_g (n of a few thousand)
    x_grid:  (m,) points where D(x) is evaluated
    z_line:  (k, latent_dim) evenly spaced latent points for the mapping x = G(z)
    Returns a dict of arrays: step (), fake (n,) = G(z), d_grid (m,) = D(x_grid), mapped (k,) = G(z_line).
    `objective` is unused in 1D (no arrows); it is accepted so both frame functions read alike.
    """
    nets = (G, D)
    modes = _eval_mode(*nets)
    try:
        dtype = _param_dtype(G)
        fake = G.forward(z.astype(dtype))[:, 0].astype(np.float64)
        mapped = G.forward(z_line.astype(dtype))[:, 0].astype(np.float64)
        d_grid = discriminator_map(D, x_grid[:, None], critic)
    finally:
        _restore_mode(nets, modes)
    return {"step": np.array(step), "fake": fake, "d_grid": d_grid, "mapped": mapped}


def draw_frame_1d(ax, ax_map, frame, meta):
    """Draw a 1D frame: densities and D on ax, the mapping x = G(z) on ax_map (below, same x range).

    Returns (handles, labels) for a legend (the caller places it).
    frame: a dict from frame_1d; meta: the dict from frame_meta (x_grid, pi when known, z_line).
    Densities use the left axis; D(x) and D*(x), which live in [0, 1], a twin right axis.
    """
    x = meta["x_grid"]
    lo, hi = x[0], x[-1]
    p_g = kde_1d(frame["fake"], x)
    lines = []
    if "pi" in meta:
        lines += ax.plot(x, meta["pi"], color=REAL_COLOR, ls="--", lw=1.8, label=r"data $\pi(x)$")
    lines += ax.plot(x, p_g, color=FAKE_COLOR, lw=2.0, label=r"generator $p_g(x)$ (KDE)")
    ax.fill_between(x, p_g, color=FAKE_COLOR, alpha=0.15)
    # a fixed height (1.6 x the peak of pi) keeps an animation steady; it grows only if p_g peaks higher
    top = max(1.15 * p_g.max(), 1.6 * meta["pi"].max() if "pi" in meta else 0.0)
    ax.set_ylim(0, top)
    ax.set_xlim(lo, hi)
    ax.set_ylabel("density")

    right = ax.twinx()
    if meta["critic"]:
        lines += right.plot(x, frame["d_grid"], color=D_COLOR, ls="--", lw=1.8, label="raw score D(x)")
        right.set_ylabel("raw score D(x)")
    else:
        lines += right.plot(x, frame["d_grid"], color=D_COLOR, ls="--", lw=1.8, label="D(x)")
        if "pi" in meta:
            pi = meta["pi"]
            d_star = pi / np.maximum(pi + p_g, 1e-300)
            # where both densities are ~0, D* is 0/0: undefined, and the KDE's tails make it noise
            d_star[(pi + p_g) < 0.05 * (pi + p_g).max()] = np.nan
            lines += right.plot(x, d_star, color=DSTAR_COLOR, ls=":", lw=2.0,
                                label=r"$D^*(x) = \pi / (\pi + p_g)$")
        right.set_ylim(-0.02, 1.1)
        right.set_ylabel("D(x)")

    # the mapping: z evenly spaced on the lower line (stretched over the plot's width), x = G(z) above
    z = meta["z_line"][:, 0]
    z_pos = lo + (z - z[0]) / max(z[-1] - z[0], 1e-12) * (hi - lo)
    for zp, xg in zip(z_pos, frame["mapped"]):
        ax_map.plot([zp, xg], [0.0, 1.0], color="0.35", lw=0.8)
    ax_map.plot([lo, hi], [0, 0], color="black", lw=1.0)
    ax_map.plot([lo, hi], [1, 1], color="black", lw=1.0)
    ax_map.scatter(z_pos, np.zeros_like(z_pos), s=10, color="black", zorder=3)
    ax_map.scatter(frame["mapped"], np.ones_like(z_pos), s=10, color=FAKE_COLOR, zorder=3)
    ax_map.set_xlim(lo, hi)
    ax_map.set_ylim(-0.25, 1.25)
    ax_map.set_yticks([0, 1])
    ax_map.set_yticklabels(["z", "x = G(z)"])
    if meta["z_line"].shape[1] > 1:
        ax_map.set_xlabel("x        (lower line: evenly spaced $z_1$, the other $z_i$ held fixed)")
    else:
        ax_map.set_xlabel("x        (lower line: evenly spaced z)")
    return lines, [line.get_label() for line in lines]
