"""A 2D frame: the discriminator's heatmap, G's gradient arrows and the latent manifold, after GAN Lab.

What a 2D frame shows (after GAN Lab, Kahng et al. 2018):
    background   the discriminator's verdict D(x) = sigmoid(logit) on a grid over the data's box
                 (green: "real", purple: "fake"); for raw-score losses (WGAN's critic, hinge,
                 least squares) the score itself, on a diverging scale centred at its median
    green dots   real samples x ~ pi
    purple dots  generated samples x = G(z), z ~ p(z), the same z in every frame so the points move smoothly
    arrows       -dL_G/dx at each generated sample: the direction the generator's loss pulls that sample
    thin lines   the generator's manifold: the image under G of a grid of latent points (a 2D slice of z)
    open circles the mixture's centres (ring8, grid25)

Reading order: the numbers (generator_gradient, latent_grid, frame_2d), then the pixels (arrow_reference,
draw_frame_2d).
"""

import numpy as np

from ..data.latent import join_code
from ..engine.gan_backward import generator_pull
from .base import (discriminator_map, _eval_mode, FAKE_COLOR, HEATMAP, MANIFOLD_COLOR, _param_dtype, REAL_COLOR,
    _restore_mode)


def generator_gradient(D, objective, x):
    """-dL_G/dx for each generated sample x (n, dim) -> (n, dim): where G's loss pulls each sample.

    dL/dx = generator_pull(D, objective, x): back through D, as G's own step does (scratchgan.engine.gan_backward).
    The loss is a mean over the batch, so each row carries a factor 1/n; we multiply it back by n to get
    the gradient of one sample's own loss. (G's parameter step moves the sample along J J^T of this
    vector, J = dG/dtheta, which the picture does not show.) D's parameters are frozen during the backward
    pass, so plotting never touches D's accumulated gradients.
    """
    x = x.astype(_param_dtype(D))
    _, _, dx = generator_pull(D, objective, x)
    return -dx.astype(np.float64) * x.shape[0]


def latent_grid(z_sample, k, classes=0):
    """A k x k grid of latent points spanning the first two coordinates of z (the rest held at 0).

    z_sample: (n, latent_dim) draws of p(z), used only for the range (their 2nd and 98th percentiles).
    Returns (k, k, latent_dim); for latent_dim = 1, a line of k points shaped (k, 1, 1).
    classes = C > 0: z ends with a discrete code of C classes (scratchgan.data.latent); the grid spans the first
    two coordinates of its continuous part, once per class with that class's code, (C, k, k, latent_dim)
    (or (C, k, 1, latent_dim) when the continuous part is 1D), so the manifold is drawn piece by piece.
    """
    latent_dim = z_sample.shape[1]
    if classes:
        one = latent_grid(z_sample[:, :latent_dim - classes], k)          # the continuous part's grid
        eps = one.reshape(-1, one.shape[-1])
        return np.stack([join_code(eps, np.full(len(eps), c), classes).reshape(*one.shape[:2], latent_dim)
                         for c in range(classes)])                         # piece c: (eps, a e_c)
    lo = np.percentile(z_sample, 2, axis=0)
    hi = np.percentile(z_sample, 98, axis=0)
    if latent_dim == 1:
        grid = np.zeros((k, 1, 1))
        grid[:, 0, 0] = np.linspace(lo[0], hi[0], k)
        return grid
    u = np.linspace(lo[0], hi[0], k)
    v = np.linspace(lo[1], hi[1], k)
    grid = np.zeros((k, k, latent_dim))
    grid[:, :, 0] = u[:, None]
    grid[:, :, 1] = v[None, :]
    return grid


def _value_box(bounds):
    """(lo, hi) of a (dim, 2) bounds array as two (dim,) arrays."""
    bounds = np.asarray(bounds, dtype=np.float64)
    return bounds[:, 0], bounds[:, 1]


def frame_2d(G, D, objective, z, bounds, *, critic=False, n_grid=100, latent=None, step=0):
    """The numbers of one 2D frame, computed from the networks.

    z:       (n, latent_dim) fixed noise; the frame's generated samples are G(z)
    bounds:  (2, 2) plotting box [[x_lo, x_hi], [y_lo, y_hi]]
    latent:  optional (k, k, latent_dim) or (C, k, k, latent_dim) latent grid (see latent_grid) whose image
             is the manifold
    Returns a dict of arrays:
        step      ()                  the training step
        fake      (n, 2)              G(z)
        grad      (n, 2)              -dL_G/dx at each G(z)  (generator_gradient)
        heat      (n_grid, n_grid)    D's verdict on the grid; heat[i, j] at (x = xs[j], y = ys[i])
        manifold  (k, k, 2)           G(latent) (present only when latent is given; (C, k, k, 2) for C pieces)
    """
    nets = (G, D)
    modes = _eval_mode(*nets)
    try:
        fake = G.forward(z.astype(_param_dtype(G))).astype(np.float64)
        grad = generator_gradient(D, objective, fake)
        lo, hi = _value_box(bounds)
        xs = np.linspace(lo[0], hi[0], n_grid)
        ys = np.linspace(lo[1], hi[1], n_grid)
        gx, gy = np.meshgrid(xs, ys)                                       # (n_grid, n_grid) each, y rows
        points = np.stack([gx.ravel(), gy.ravel()], axis=1)
        # float32 is plenty for colours and halves the size of a recording (frames.npz)
        heat = discriminator_map(D, points, critic).reshape(n_grid, n_grid).astype(np.float32)
        frame = {"step": np.array(step), "fake": fake, "grad": grad, "heat": heat}
        if latent is not None:
            image = G.forward(latent.reshape(-1, latent.shape[-1]).astype(_param_dtype(G)))
            frame["manifold"] = image.astype(np.float64).reshape(*latent.shape[:-1], 2)
    finally:
        _restore_mode(nets, modes)
    return frame


def arrow_reference(grads):
    """A typical arrow length for display: the 90th percentile of the gradient norms (> 0).

    grads: any array whose last axis is 2 (one frame's (n, 2), or all frames' (F, n, 2)).
    """
    norms = np.linalg.norm(np.asarray(grads).reshape(-1, 2), axis=1)
    norms = norms[norms > 0]
    return float(np.percentile(norms, 90)) if len(norms) else 1.0


def draw_frame_2d(ax, frame, meta, *, arrow_ref=None, n_arrows=96, cax=None):
    """Draw a 2D frame on ax: heatmap, manifold, real and generated samples, gradient arrows, centres.

    frame: a dict from frame_2d; meta: the dict from frame_meta.
    Arrows are drawn at the first n_arrows generated samples, with length proportional to |dL_G/dx|:
    an arrow of norm arrow_ref (default: this frame's 90th percentile) is 8% of the box wide, and
    longer ones are capped at 1.5 times that; the reference norm is printed in the corner. (Pass one
    arrow_ref for a whole animation to compare lengths across frames; but early gradients are often
    orders of magnitude smaller than late ones, so per-frame scaling plus the printed norm reads better.)
    cax: an Axes for the colour bar (none drawn when None).
    """
    lo, hi = _value_box(meta["bounds"])
    heat = frame["heat"]
    if meta["critic"]:
        span = max(abs(heat.max() - np.median(heat)), abs(np.median(heat) - heat.min()), 1e-12)
        vmin, vmax = np.median(heat) - span, np.median(heat) + span
        label = "raw score D(x) (higher = judged real)"
    else:
        vmin, vmax, label = 0.0, 1.0, "D(x): probability that x is real"
    # filled contours at 12 levels, not a smooth image: flat bands read well and keep GIFs small
    xs = np.linspace(lo[0], hi[0], heat.shape[1])
    ys = np.linspace(lo[1], hi[1], heat.shape[0])
    image = ax.contourf(xs, ys, np.clip(heat, vmin, vmax), levels=np.linspace(vmin, vmax, 13),
                        cmap=HEATMAP, alpha=0.6)
    ax.set_aspect("equal")
    if cax is not None:
        bar = cax.figure.colorbar(image, cax=cax)
        bar.set_label(label)
        if not meta["critic"]:
            bar.set_ticks([0, 0.25, 0.5, 0.75, 1.0])
            bar.set_ticklabels(["0 fake", "0.25", "0.5", "0.75", "1 real"])
        else:
            ticks = np.linspace(vmin, vmax, 5)
            bar.set_ticks(ticks)
            bar.set_ticklabels([f"{t:.2g}" for t in ticks])

    if "manifold" in frame:
        pieces = frame["manifold"]
        for m in (pieces[None] if pieces.ndim == 3 else pieces):     # one grid per piece of p(z)
            for i in range(m.shape[0]):
                ax.plot(m[i, :, 0], m[i, :, 1], color=MANIFOLD_COLOR, lw=0.6, alpha=0.5)
            for j in range(m.shape[1]):
                ax.plot(m[:, j, 0], m[:, j, 1], color=MANIFOLD_COLOR, lw=0.6, alpha=0.5)
        ax.plot([], [], color=MANIFOLD_COLOR, lw=1.0, label="G(grid of z): the manifold")

    real = meta["real"]
    ax.scatter(real[:, 0], real[:, 1], s=18, color=REAL_COLOR, edgecolors="white", linewidths=0.4,
               label=r"real $x \sim \pi$", zorder=3)
    fake = frame["fake"]
    ax.scatter(fake[:, 0], fake[:, 1], s=10, color=FAKE_COLOR, edgecolors="white", linewidths=0.4,
               label=r"generated $G(z)$", zorder=4)

    grad = frame["grad"][:n_arrows]
    ref = arrow_ref if arrow_ref is not None else arrow_reference(frame["grad"])
    width = float(np.max(hi - lo))
    norms = np.linalg.norm(grad, axis=1)
    lengths = 0.08 * width * np.minimum(norms / max(ref, 1e-30), 1.5)
    direction = grad / np.maximum(norms, 1e-30)[:, None]
    arrows = direction * lengths[:, None]
    ax.quiver(fake[:n_arrows, 0], fake[:n_arrows, 1], arrows[:, 0], arrows[:, 1], angles="xy",
              scale_units="xy", scale=1, color="black", width=0.004, headwidth=3.5, headlength=4,
              alpha=0.8, zorder=5)
    ax.plot([], [], color="black", marker=r"$\rightarrow$", ms=7, ls="none",
            label=r"$-\partial L_G / \partial x$ (G's pull)")

    ax.text(0.99, 0.01, rf"arrow $\approx$ 8% of box: $|\partial L_G/\partial x|$ = {ref:.2g}",
            transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
            bbox=dict(facecolor="white", alpha=0.8, edgecolor="none", pad=1.5))
    if "centers" in meta:
        c = meta["centers"]
        ax.scatter(c[:, 0], c[:, 1], marker="o", s=110, facecolors="none", edgecolors="black",
                   linewidths=1.0, label="mixture centres", zorder=2)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return image
