"""Watch a GAN learn: the figures and animations of scratchgan, in plain matplotlib.

Every picture is built in two steps, so that an animation can be recorded cheaply while training and redrawn
later from a file:

    frame = frame_2d(G, D, objective, ...)      numbers only: a dict of small NumPy arrays
    draw_frame_2d(ax, frame, meta)              pixels only: matplotlib calls on one Axes

What a 2D frame shows (after GAN Lab, Kahng et al. 2018):
    background   the discriminator's verdict D(x) = sigmoid(logit) on a grid over the data's box
                 (green: "real", purple: "fake"); for raw-score losses (WGAN's critic, hinge,
                 least squares) the score itself, on a diverging scale centred at its median
    green dots   real samples x ~ pi
    purple dots  generated samples x = G(z), z ~ p(z), the same z in every frame so the points move smoothly
    arrows       -dL_G/dx at each generated sample: the direction the generator's loss pulls that sample
    thin lines   the generator's manifold: the image under G of a grid of latent points (a 2D slice of z)
    open circles the mixture's centres (ring8, grid25)

What a 1D frame shows (after Figure 1 of Goodfellow et al. 2014):
    top      pi(x) (green, dashed), p_g(x) (purple, a kernel density estimate of many samples G(z)),
             D(x) (blue, dashed) and the optimal discriminator D*(x) = pi / (pi + p_g) (red, dotted)
    bottom   the mapping x = G(z): lines from evenly spaced z (lower line) to x = G(z) (upper line)

Figures are drawn on `matplotlib.figure.Figure` objects rendered by the Agg canvas, never through pyplot:
this works headless and leaves an interactive user's pyplot backend alone.

Reading order: the numbers (generator_gradient, discriminator_map, kde_1d, latent_grid; frame_2d,
frame_1d, frame_meta, frame_from_trainer), the pixels (draw_frame_2d, draw_frame_1d, draw_frame,
plot_frame), the training curves (plot_curves), animations (FrameRecorder, save_animation, save_frames,
load_frames) and a run directory (plot_run, what `python -m scratchgan plot RUN_DIR` calls).
"""

import json
import os

import numpy as np
from matplotlib.animation import PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from matplotlib.ticker import NullFormatter

from .nn import sigmoid

REAL_COLOR = "#1b7837"        # green, as in GAN Lab
FAKE_COLOR = "#762a83"        # purple
HEATMAP = "PRGn"              # purple (D = 0, "fake") -> white (D = 1/2) -> green (D = 1, "real")
D_COLOR = "#2166ac"           # blue, Goodfellow et al.'s dashed D
DSTAR_COLOR = "#d6604d"       # red
MANIFOLD_COLOR = "#525252"    # dark grey

FRAME_SIZE = (10.0, 4.6)      # inches; at dpi 100 a 1000 x 460 PNG, at dpi 80 an 800 x 368 GIF frame
FRAME_DPI = 100
GIF_DPI = 80
CURVES_DPI = 100


# ---------------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------------

def new_figure(width, height):
    """A matplotlib Figure (width x height inches) with an Agg canvas: no pyplot, no display needed."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, path, dpi):
    """Write fig as a PNG at `dpi` dots per inch; returns path."""
    fig.savefig(path, dpi=dpi)
    return path


def save_demo_figure(fig, out_dir, name, dpi=100):
    """A demo's last step: write fig to out_dir/name (creating out_dir), say where, return the path."""
    os.makedirs(out_dir, exist_ok=True)
    path = save_figure(fig, os.path.join(out_dir, name), dpi)
    print(f"wrote {path}")
    return path


# Objectives whose D outputs a raw score rather than the logit of a probability (WGAN's critic f(x),
# the hinge loss's and LSGAN's scores); sigmoid of such a score means nothing, so we show the score itself.
RAW_SCORE_LOSSES = ("wasserstein", "wgan", "wgan-gp", "hinge", "least_squares", "least-squares", "ls", "lsgan")


def is_critic(loss_name):
    """True when the objective's D outputs a raw score (a critic), not the logit of a probability."""
    return str(loss_name).lower() in RAW_SCORE_LOSSES or "wgan" in str(loss_name).lower()


def _param_dtype(module):
    params = module.parameters()
    return params[0].data.dtype if params else np.float32


def _eval_mode(*modules):
    """Switch modules to evaluation behaviour (it matters for BatchNorm); returns their previous modes."""
    modes = [m.training for m in modules]
    for m in modules:
        m.eval()
    return modes


def _restore_mode(modules, modes):
    for m, mode in zip(modules, modes):
        m.train(mode)


def discriminator_map(D, x, critic=False):
    """D's verdict on points x (n, dim) -> (n,): D(x) = sigmoid(logit), or the raw critic value f(x)."""
    logits = D.forward(x.astype(_param_dtype(D)))[:, 0].astype(np.float64)
    return logits if critic else sigmoid(logits)


def generator_gradient(D, objective, x):
    """-dL_G/dx for each generated sample x (n, dim) -> (n, dim): where G's loss pulls each sample.

    logits = D(x);  L_G, dL/dlogits = objective.g_loss(logits);  dL/dx = D.backward(dL/dlogits).
    The loss is a mean over the batch, so each row carries a factor 1/n; we multiply it back by n to get
    the gradient of one sample's own loss. (G's parameter step moves the sample along J J^T of this
    vector, J = dG/dtheta, which the picture does not show.) D's parameters are frozen during the backward
    pass, so plotting never touches D's accumulated gradients.
    """
    x = x.astype(_param_dtype(D))
    logits = D.forward(x)
    _, d_logits = objective.g_loss(logits)
    flags = [p.requires_grad for p in D.parameters()]
    D.requires_grad_(False)
    try:
        dx = D.backward(d_logits)
    finally:
        for p, flag in zip(D.parameters(), flags):
            p.requires_grad = flag
    return -dx.astype(np.float64) * x.shape[0]


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


def latent_grid(z_sample, k):
    """A k x k grid of latent points spanning the first two coordinates of z (the rest held at 0).

    z_sample: (n, latent_dim) draws of p(z), used only for the range (their 2nd and 98th percentiles).
    Returns (k, k, latent_dim); for latent_dim = 1, a line of k points shaped (k, 1, 1).
    """
    latent_dim = z_sample.shape[1]
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


# ---------------------------------------------------------------------------------------------------------
# Frames: the numbers
# ---------------------------------------------------------------------------------------------------------

def frame_2d(G, D, objective, z, bounds, *, critic=False, n_grid=100, latent=None, step=0):
    """The numbers of one 2D frame, computed from the networks.

    z:       (n, latent_dim) fixed noise; the frame's generated samples are G(z)
    bounds:  (2, 2) plotting box [[x_lo, x_hi], [y_lo, y_hi]]
    latent:  optional (k, k, latent_dim) latent grid (see latent_grid) whose image is the manifold
    Returns a dict of arrays:
        step      ()                  the training step
        fake      (n, 2)              G(z)
        grad      (n, 2)              -dL_G/dx at each G(z)  (generator_gradient)
        heat      (n_grid, n_grid)    D's verdict on the grid; heat[i, j] at (x = xs[j], y = ys[i])
        manifold  (k, k, 2)           G(latent) (present only when latent is given)
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
            k1, k2, latent_dim = latent.shape
            image = G.forward(latent.reshape(-1, latent_dim).astype(_param_dtype(G)))
            frame["manifold"] = image.astype(np.float64).reshape(k1, k2, 2)
    finally:
        _restore_mode(nets, modes)
    return frame


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


def _loss_name(trainer):
    config = getattr(trainer, "config", None)
    return str(getattr(config, "loss", None) or getattr(trainer.objective, "name", "?"))


def _fixed_noise(trainer, n):
    """n draws of the trainer's noise p(z), without advancing the trainer's random state.

    We call trainer.noise(n) (so z has the right distribution and size) and then put the trainer's
    generator back where it was: recording frames must not change the training run.
    """
    state = trainer.rng.bit_generator.state
    try:
        return np.asarray(trainer.noise(n), dtype=np.float64)
    finally:
        trainer.rng.bit_generator.state = state


def frame_meta(trainer, *, n_real=256, n_fake=256, n_kde=2000, n_lines=24, n_manifold=11, seed=0):
    """What stays fixed across the frames of one run: names, the box, real samples and the fixed noise.

    Returns a dict: data, loss (names), dim (1 or 2), critic (bool), bounds (dim, 2), real (n_real, dim),
    centers (K, dim) when the data is a mixture, z (n, latent_dim), and for 2D `latent` (k, k, latent_dim),
    for 1D `x_grid` (400,), `pi` (400,) when the data has a density, and `z_line` (n_lines, latent_dim).
    """
    data = trainer.data
    rng = np.random.default_rng(seed)
    meta = {
        "data": data.name,
        "loss": _loss_name(trainer),
        "dim": int(data.dim),
        "bounds": np.asarray(data.bounds, dtype=np.float64),
        "real": np.asarray(data.sample(n_real, rng), dtype=np.float64),
    }
    meta["critic"] = is_critic(meta["loss"])
    if getattr(data, "centers", None) is not None:
        meta["centers"] = np.asarray(data.centers, dtype=np.float64)
    z = _fixed_noise(trainer, n_fake if data.dim == 2 else n_kde)
    meta["z"] = z
    if data.dim == 2:
        meta["latent"] = latent_grid(z, n_manifold)
    else:
        lo, hi = meta["bounds"][0]
        meta["x_grid"] = np.linspace(lo, hi, 400)
        try:
            meta["pi"] = np.asarray(data.pdf(meta["x_grid"][:, None]), dtype=np.float64)
        except (AttributeError, NotImplementedError):
            pass
        # evenly spaced z along the first latent coordinate, the others at 0 (a 1D slice of z-space)
        z_line = np.zeros((n_lines, z.shape[1]))
        z_line[:, 0] = np.linspace(np.percentile(z[:, 0], 1), np.percentile(z[:, 0], 99), n_lines)
        meta["z_line"] = z_line
    return meta


def frame_from_trainer(trainer, meta):
    """The current frame of a Trainer (2D or 1D according to the data), using the fixed `meta`."""
    step = int(getattr(trainer, "step", 0))
    if meta["dim"] == 2:
        return frame_2d(trainer.G, trainer.D, trainer.objective, meta["z"], meta["bounds"],
                        critic=meta["critic"], latent=meta.get("latent"), step=step)
    return frame_1d(trainer.G, trainer.D, trainer.objective, meta["z"], meta["x_grid"], meta["z_line"],
                    critic=meta["critic"], step=step)


# ---------------------------------------------------------------------------------------------------------
# Frames: the pixels
# ---------------------------------------------------------------------------------------------------------

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
        m = frame["manifold"]
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
        ax_map.set_xlabel("x        (lower line: evenly spaced $z_1$, the other $z_i$ = 0)")
    else:
        ax_map.set_xlabel("x        (lower line: evenly spaced z)")
    return lines, [line.get_label() for line in lines]


def _smooth(y, width):
    """Moving average of y over `width` points (edges averaged over what exists)."""
    y = np.asarray(y, dtype=np.float64)
    if width <= 1 or len(y) < 3:
        return y
    kernel = np.ones(width)
    return np.convolve(y, kernel, mode="same") / np.convolve(np.ones_like(y), kernel, mode="same")


def _title(meta_or_names, step, history=None, extra=""):
    data, loss = meta_or_names["data"], meta_or_names["loss"]
    text = f"{data} · {loss} loss · step {int(step)}"
    if history is not None and len(history.get("step", [])):
        i = int(np.searchsorted(np.asarray(history["step"]), step, side="right")) - 1
        if i >= 0:
            text += f"   ($L_D$ = {history['loss_d'][i]:.3f}, $L_G$ = {history['loss_g'][i]:.3f})"
    return text + extra


def _draw_side_curves(ax_loss, ax_d, history, step, critic):
    """The run's losses and mean D outputs up to `step` (full x range fixed), a marker at `step`."""
    steps = np.asarray(history["step"])
    shown = steps <= step
    width = max(1, len(steps) // 40)
    lo, hi = np.inf, -np.inf
    for key, color, label in (("loss_d", "tab:blue", "$L_D$"), ("loss_g", "tab:orange", "$L_G$")):
        smooth = _smooth(history[key], width)
        ax_loss.plot(steps[shown], smooth[shown], color=color, label=label)
        lo, hi = min(lo, smooth.min()), max(hi, smooth.max())
    # axes fixed by the whole run, so that they stay still while an animation plays
    margin = 0.05 * (hi - lo) + 1e-6
    ax_loss.set_ylim(lo - margin, hi + margin)
    ax_loss.set_xlim(steps.min(), steps.max() if steps.max() > steps.min() else steps.min() + 1)
    ax_loss.set_ylabel("loss")
    # the legend sits above the panel (where a title would go), so it never hides a curve
    ax_loss.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax_loss.axvline(step, color="0.5", lw=0.8)
    # the Trainer logs sigmoid of D's output for every loss; for a raw score we say so (sigma(D))
    if critic:
        label_real, label_fake = r"mean $\sigma$(D(x)), real", r"mean $\sigma$(D(G(z))), fake"
    else:
        label_real, label_fake = "mean D(x), real", "mean D(G(z)), fake"
    ax_d.plot(steps[shown], _smooth(history["d_real"], width)[shown], color=REAL_COLOR, label=label_real)
    ax_d.plot(steps[shown], _smooth(history["d_fake"], width)[shown], color=FAKE_COLOR, label=label_fake)
    if not critic:
        ax_d.axhline(0.5, color="0.5", ls=":", lw=1.0)
    ax_d.set_ylim(0, 1)
    ax_d.set_xlim(ax_loss.get_xlim())
    ax_d.axvline(step, color="0.5", lw=0.8)
    ax_d.set_xlabel("step")
    ax_d.set_ylabel(r"mean $\sigma$(D)" if critic else "mean D")
    ax_d.legend(fontsize=8, loc="lower left")


def _has_curves(history):
    return history is not None and len(history.get("step", [])) > 0 and all(
        k in history for k in ("loss_d", "loss_g", "d_real", "d_fake"))


def draw_frame(fig, frame, meta, history=None, *, arrow_ref=None, extra_title=""):
    """Lay out one full frame on an empty figure: the 2D field or 1D densities, plus training curves.

    history: dict name -> array (step, loss_d, loss_g, d_real, d_fake) or None; when given, the right
    part of the figure shows the curves up to this frame's step. Axes are placed at fixed positions
    (fractions of the figure) so that every frame of an animation has exactly the same layout.
    """
    curves = _has_curves(history)
    left = 0.07 if curves else 0.30                       # without curves the main panel is centred
    if meta["dim"] == 2:
        ax = fig.add_axes([left, 0.20, 0.31, 0.68])
        cax = fig.add_axes([left + 0.325, 0.20, 0.012, 0.68])
        draw_frame_2d(ax, frame, meta, arrow_ref=arrow_ref, cax=cax)
        # equal aspect shrinks a non-square box (moons): give the colour bar the panel's final height
        ax.apply_aspect()
        box = ax.get_position()
        cax.set_position([box.x1 + 0.015, box.y0, 0.012, box.height])
        handles, labels = ax.get_legend_handles_labels()
    else:
        ax = fig.add_axes([left, 0.47, 0.40, 0.41])
        ax_map = fig.add_axes([left, 0.20, 0.40, 0.22], sharex=ax)
        handles, labels = draw_frame_1d(ax, ax_map, frame, meta)
        ax.tick_params(labelbottom=False)
    fig.legend(handles, labels, loc="lower center", ncol=len(handles), fontsize=9, frameon=False,
               bbox_to_anchor=(0.5, 0.0), markerscale=2.0)
    if curves:
        x0 = 0.59 if meta["dim"] == 2 else 0.63           # the 1D panel has a second y axis on its right
        ax_loss = fig.add_axes([x0, 0.56, 0.98 - x0, 0.32])
        ax_d = fig.add_axes([x0, 0.20, 0.98 - x0, 0.32], sharex=ax_loss)
        _draw_side_curves(ax_loss, ax_d, history, int(frame["step"]), meta["critic"])
        ax_loss.tick_params(labelbottom=False)
    fig.suptitle(_title(meta, frame["step"], history, extra_title), fontsize=12)


def plot_frame(trainer, path, *, history="trainer", meta=None, extra_title="", dpi=FRAME_DPI):
    """Draw the trainer's current state as one PNG (the final frame of a run); returns path.

    The generated samples and arrows are those of trainer.G, the generator in the game against D; with
    config.ema > 0, Trainer.sample (and the metrics in the title) use its moving average instead.

    history: "trainer" to use trainer.history for the side curves, a dict, or None for no curves.
    """
    meta = meta if meta is not None else frame_meta(trainer)
    if isinstance(history, str) and history == "trainer":
        history = _history_arrays(getattr(trainer, "history", None))
    frame = frame_from_trainer(trainer, meta)
    fig = new_figure(*FRAME_SIZE)
    draw_frame(fig, frame, meta, history, extra_title=extra_title)
    return save_figure(fig, path, dpi)


# ---------------------------------------------------------------------------------------------------------
# Training curves
# ---------------------------------------------------------------------------------------------------------

def _history_arrays(history):
    """A history (dict name -> list, or an NpzFile) as a dict name -> 1D float array; None stays None."""
    if history is None:
        return None
    return {k: np.asarray(history[k], dtype=np.float64) for k in history.keys()}


EQUILIBRIUM = {
    # loss at the global optimum p_g = pi, where D = 1/2 everywhere (lecture claim 5)
    "minimax": {"loss_d": np.log(4.0), "loss_g": -np.log(2.0)},
    "nonsaturating": {"loss_d": np.log(4.0), "loss_g": np.log(2.0)},
}


def plot_curves(history, path, *, data="?", loss="?", n_modes=None, eval_note="evaluation", dpi=CURVES_DPI):
    """Training curves of a run as one PNG; returns path.

    history: dict name -> (T,) arrays with at least step, loss_d, loss_g, d_real, d_fake,
    grad_norm_d, grad_norm_g; when present also eval_step with eval_modes, eval_high_quality, eval_mmd.
    Panels: the two losses (with their values at the equilibrium D = 1/2 for the standard GAN losses),
    mean D(x) and D(G(z)), gradient norms (log scale), and, when evaluated, modes covered, % high quality
    and MMD. Faint lines: every logged value; bold: a moving average over ~2.5% of the run.
    n_modes: the mixture's number of modes K, drawn as the target of the modes panel.
    eval_note: where the eval_ arrays come from, shown in the panels' titles.
    Layout: up to 3 panels in one row, 4 in a 2 x 2 grid, 5 or 6 in 2 x 3 (5 x 3.4 inches each).
    """
    h = _history_arrays(history)
    missing = [k for k in ("step", "loss_d", "loss_g", "d_real", "d_fake") if k not in h]
    if missing:
        raise ValueError(f"history lacks {', '.join(missing)}")
    steps = h["step"]
    width = max(1, len(steps) // 40)
    critic = is_critic(loss)

    def curve(ax, key, color, label):
        ax.plot(steps, h[key], color=color, alpha=0.25, lw=0.8)
        ax.plot(steps, _smooth(h[key], width), color=color, lw=1.8, label=label)

    panels = ["loss", "d", "grad"] if "grad_norm_d" in h and "grad_norm_g" in h else ["loss", "d"]
    n_evals = len(h.get("eval_step", []))
    if n_evals > 0 and len(h.get("eval_modes", [])) == n_evals:
        panels.append("modes")
    if n_evals > 0 and len(h.get("eval_mmd", [])) == n_evals:
        panels.append("mmd")
    ncols = {1: 1, 2: 2, 3: 3, 4: 2}.get(len(panels), 3)
    nrows = int(np.ceil(len(panels) / ncols))
    fig = new_figure(5.0 * ncols, 3.4 * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)

    for ax, panel in zip(axes, panels):
        if panel == "loss":
            curve(ax, "loss_d", "tab:blue", "$L_D$ (discriminator)")
            curve(ax, "loss_g", "tab:orange", "$L_G$ (generator)")
            eq = EQUILIBRIUM.get(str(loss))
            if eq:
                ax.axhline(eq["loss_d"], color="tab:blue", ls=":", lw=1, label=r"$L_D$ at $p_g=\pi$: log 4")
                ax.axhline(eq["loss_g"], color="tab:orange", ls=":", lw=1,
                           label=rf"$L_G$ at $p_g=\pi$: {eq['loss_g']:+.3f}")
            # the first few steps can spike far above the rest: fit the axis to the 1st-99th percentile
            values = np.concatenate([h["loss_d"], h["loss_g"]])
            lo, hi = np.percentile(values, [1, 99])
            references = list(eq.values()) if eq else []        # keep the equilibrium lines in view
            lo, hi = min([lo] + references), max([hi] + references)
            ax.set_ylim(lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo) + 1e-6)
            ax.set_ylabel("loss")
            ax.set_title("losses")
        elif panel == "d":
            # the Trainer logs sigmoid of D's output; for raw-score losses that is sigma(score)
            if critic:
                curve(ax, "d_real", REAL_COLOR, r"mean $\sigma$(D(x)), real")
                curve(ax, "d_fake", FAKE_COLOR, r"mean $\sigma$(D(G(z))), generated")
                ax.set_ylabel(r"mean $\sigma$(D)   (D: a raw score)")
            else:
                curve(ax, "d_real", REAL_COLOR, "mean D(x), real")
                curve(ax, "d_fake", FAKE_COLOR, "mean D(G(z)), generated")
                ax.axhline(0.5, color="0.4", ls=":", lw=1, label="1/2 (equilibrium)")
                ax.set_ylabel("mean D")
            ax.set_ylim(-0.02, 1.02)
            ax.set_title("the discriminator's verdicts")
        elif panel == "grad":
            curve(ax, "grad_norm_d", "tab:blue", r"$\|\nabla_\phi L_D\|$")
            curve(ax, "grad_norm_g", "tab:orange", r"$\|\nabla_\theta L_G\|$")
            if np.all(h["grad_norm_d"] > 0) and np.all(h["grad_norm_g"] > 0):
                ax.set_yscale("log")
                ax.yaxis.set_minor_formatter(NullFormatter())      # label only the powers of ten
            ax.set_ylabel("gradient norm")
            ax.set_title("gradient norms")
        elif panel == "modes":
            es = h["eval_step"]
            ax.plot(es, h["eval_modes"], "o-", color="tab:green", ms=3, label="modes covered")
            ax.set_ylabel("modes covered")
            ax.set_ylim(bottom=0)
            if n_modes:
                ax.axhline(n_modes, color="tab:green", ls=":", lw=1, label=f"all {n_modes} mode" + ("s" if n_modes != 1 else ""))
                ax.set_ylim(0, n_modes * 1.08 + 0.1)
            lines = ax.get_lines()
            if len(h.get("eval_high_quality", [])) == n_evals:
                right = ax.twinx()
                hq = 100.0 * h["eval_high_quality"]
                lines += right.plot(es, hq, "s--", color="tab:red", ms=3, label="% high quality")
                right.set_ylabel("% high-quality samples")
                right.set_ylim(0, 105)
            ax.legend(lines, [l.get_label() for l in lines], fontsize=8, loc="lower right")
            ax.set_title(f"mode coverage ({eval_note})", fontsize=10 if len(eval_note) > 20 else 12)
        elif panel == "mmd":
            es = h["eval_step"]
            ax.plot(es, h["eval_mmd"], "o-", color="tab:purple", ms=3, label=r"MMD$^2$(real, generated)")
            ax.set_ylabel(r"MMD$^2$")
            ax.set_title(f"two-sample distance ({eval_note})", fontsize=10 if len(eval_note) > 20 else 12)
        if panel != "modes":
            ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[:len(panels)]:
        ax.set_xlabel("step")
        ax.tick_params(labelbottom=True)
    fig.suptitle(f"{data} · {loss} loss · steps 0 to {int(steps[-1])}: training curves", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return save_figure(fig, path, dpi)


# ---------------------------------------------------------------------------------------------------------
# Animations
# ---------------------------------------------------------------------------------------------------------

def save_animation(frames, meta, path, history=None, *, fps=8, dpi=GIF_DPI, hold_last=8):
    """Write the frames as a GIF with matplotlib's PillowWriter; returns path.

    frames: list of frame dicts (frame_2d / frame_1d) in training order; meta: from frame_meta;
    history: optional dict for the side curves. The last frame is held for `hold_last` extra frames so
    the loop pauses on the result. Arrows are scaled per frame (see draw_frame_2d).
    """
    if not frames:
        raise ValueError("no frames to animate (was the recorder called during training?)")
    history = _history_arrays(history)
    fig = new_figure(*FRAME_SIZE)
    writer = PillowWriter(fps=fps)
    with writer.saving(fig, path, dpi):
        for frame in list(frames) + [frames[-1]] * hold_last:
            fig.clear()
            draw_frame(fig, frame, meta, history)
            writer.grab_frame()
    return path


def save_frames(frames, meta, path):
    """Store recorded frames and their meta in one .npz (arrays stacked over frames); returns path."""
    arrays = {"meta_" + k: np.asarray(v) for k, v in meta.items()}
    for key in frames[0]:
        arrays["frame_" + key] = np.stack([f[key] for f in frames])
    np.savez_compressed(path, **arrays)
    return path


def load_frames(path):
    """Inverse of save_frames: returns (frames, meta)."""
    with np.load(path) as f:
        meta = {k[5:]: f[k] for k in f.files if k.startswith("meta_")}
        stacked = {k[6:]: f[k] for k in f.files if k.startswith("frame_")}
    for key in ("data", "loss"):
        meta[key] = str(meta[key])
    meta["dim"] = int(meta["dim"])
    meta["critic"] = bool(meta["critic"])
    n = len(stacked["step"])
    frames = [{k: v[i] for k, v in stacked.items()} for i in range(n)]
    return frames, meta


class FrameRecorder:
    """A Trainer callback that records a frame every `every` steps, to be written as a GIF at the end.

        recorder = FrameRecorder(every=50)
        recorder(trainer)                           # frame at step 0
        trainer.train(steps, callback=recorder)     # the Trainer calls it every config.log_every steps
        recorder.save(run_dir, trainer.history)     # frames.npz and animation.gif

    A frame is lightweight (a few hundred points and a 100 x 100 heatmap), so recording costs little.
    every: steps between frames; when None, chosen on the first call so a run of config.steps steps
    gives about n_frames frames (a multiple of config.log_every, the Trainer's callback period).
    For a mixture (ring8, grid25) each frame also stores the mode coverage of n_eval samples drawn as
    Trainer.sample draws them (metrics.mode_coverage: modes, high_quality), for the curves.
    The recorder draws its fixed noise, real samples and those n_eval samples with its own seed, and
    leaves the trainer's random state exactly as it found it.
    """

    def __init__(self, every=None, n_frames=40, seed=0, n_eval=2000):
        self.every = every
        self.n_frames = int(n_frames)
        self.seed = int(seed)
        self.n_eval = int(n_eval)
        self.rng = np.random.default_rng([self.seed, 1])      # for the n_eval samples only
        self.frames = []
        self.meta = None

    def __call__(self, trainer):
        if self.meta is None:
            self.meta = frame_meta(trainer, seed=self.seed)
            if self.every is None:
                # the Trainer calls back every log_every steps, so frames can only fall on multiples of it
                config = getattr(trainer, "config", None)
                total = int(getattr(config, "steps", 0) or 1000)
                log_every = int(getattr(config, "log_every", 1) or 1)
                self.every = max(1, round(total / self.n_frames / log_every)) * log_every
        step = int(trainer.step)
        if self.frames and step < int(self.frames[-1]["step"]) + self.every:
            return
        frame = frame_from_trainer(trainer, self.meta)
        if "centers" in self.meta and hasattr(trainer, "sample") and self.n_eval > 0:
            from .metrics import mode_coverage

            x = np.asarray(trainer.sample(self.n_eval, rng=self.rng, rejection=False), dtype=np.float64)
            coverage = mode_coverage(x, self.meta["centers"], trainer.data.std)
            frame["modes"] = np.array(coverage["modes"])
            frame["high_quality"] = np.array(coverage["high_quality"])
        self.frames.append(frame)

    def save(self, out_dir, history=None):
        """Write frames.npz and animation.gif into out_dir; returns the two paths."""
        frames_path = save_frames(self.frames, self.meta, os.path.join(out_dir, "frames.npz"))
        gif_path = save_animation(self.frames, self.meta, os.path.join(out_dir, "animation.gif"), history)
        return [frames_path, gif_path]


# ---------------------------------------------------------------------------------------------------------
# A run directory
# ---------------------------------------------------------------------------------------------------------

def frame_mode_coverage(frames, centers, std):
    """Mode coverage (metrics.mode_coverage) of each recorded 2D frame.

    frames: list of frame dicts with "step" and "fake" (n, 2), and "modes", "high_quality" when the
    FrameRecorder measured them (on its n_eval samples); otherwise they are measured here on "fake".
    centers: (K, 2); std: the components' std.
    Returns a dict of (F,) arrays named like the Trainer's evaluations: eval_step, eval_modes,
    eval_high_quality. Used for the curves when a run recorded frames but did not evaluate while training.
    """
    from .metrics import mode_coverage

    rows = [{"modes": f["modes"], "high_quality": f["high_quality"]} if "modes" in f else
            mode_coverage(f["fake"], centers, std) for f in frames]
    return {"eval_step": np.array([float(f["step"]) for f in frames]),
            "eval_modes": np.array([float(r["modes"]) for r in rows]),
            "eval_high_quality": np.array([r["high_quality"] for r in rows])}


def _require(run_dir, name, made_by):
    path = os.path.join(run_dir, name)
    if not os.path.isfile(path):
        from .cli import UsageError
        raise UsageError(f"run directory {run_dir} lacks {name} ({made_by})")
    return path


def _metrics_note(run_dir):
    """' · 8/8 modes, 93% high quality' from metrics.json when it has mode counts, else ''; a restarted run
    adds which attempt was kept: ' · attempt 2 of 2'."""
    path = os.path.join(run_dir, "metrics.json")
    if not os.path.isfile(path):
        return ""
    with open(path) as f:
        metrics = json.load(f)
    modes = metrics.get("modes")
    if modes is None:
        return ""
    note = f" · {int(modes)}"
    if metrics.get("n_modes") is not None:
        note += f"/{int(metrics['n_modes'])}"
    note += " modes"
    if metrics.get("high_quality") is not None:
        note += f", {100 * float(metrics['high_quality']):.0f}% high quality"
    checks = metrics.get("two_sample_checks", [])
    if len(checks) > 1:                         # a restarted run (training.train_with_restarts)
        note += f" · attempt {int(metrics['config']['attempt']) + 1} of {len(checks)}"
    return note


def plot_samples(samples, data, path, *, title="", dpi=CURVES_DPI):
    """What the final metrics measure: the run's samples (samples.npy: EMA G, Jacobian truncation and
    rejection sampling, as configured) over real data, each mixture centre ringed at 3 std, the radius
    within which a sample counts as high quality (scratchgan.metrics.mode_coverage). 2D data only.

    samples: (n, 2).  data: a Dataset (bounds, and centers / std for a mixture).  Returns path."""
    samples = np.asarray(samples, dtype=np.float64)
    fig = new_figure(5.0, 5.2)
    ax = fig.add_subplot(1, 1, 1)
    real = np.asarray(data.sample(len(samples), np.random.default_rng(0)), dtype=np.float64)
    ax.scatter(real[:, 0], real[:, 1], s=4, color=REAL_COLOR, alpha=0.35, linewidths=0, label="real")
    ax.scatter(samples[:, 0], samples[:, 1], s=4, color=FAKE_COLOR, alpha=0.6, linewidths=0, label="G")
    centers = getattr(data, "centers", None)
    if centers is not None:
        for c in centers:
            ax.add_patch(Circle(tuple(c), 3 * data.std, fill=False, color="0.3", linewidth=0.6))
    (x0, x1), (y0, y1) = data.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8, markerscale=3)
    ax.set_title(f"{len(samples)} final samples{title}", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path, dpi)


def plot_run(run_dir):
    """Redraw every figure of a finished run from its files; returns the list of paths written.

    Reads (from `python -m scratchgan train ... --out run_dir`):
        history.npz      -> curves.png      losses, D outputs, gradient norms, evaluations (or, for a
                                            mixture recorded without evaluations, the frames' mode counts)
        checkpoint.npz   -> frame.png       the final frame: field and arrows (2D) or Figure 1 (1D)
        frames.npz       -> animation.gif   only when the run was recorded with --animate
        samples.npy      -> samples.png     2D data: the final samples, the centres' 3-std rings
    A missing history.npz or checkpoint.npz is an error that names the file.
    """
    if not os.path.isdir(run_dir):
        from .cli import UsageError
        raise UsageError(f"run directory {run_dir} does not exist")
    history_path = _require(run_dir, "history.npz", "written by train at the end of the run")
    checkpoint_path = _require(run_dir, "checkpoint.npz", "written by train at the end of the run")
    from .checkpoint import load_trainer

    with np.load(history_path) as f:
        history = _history_arrays(f)
    trainer = load_trainer(checkpoint_path)
    names = {"data": trainer.data.name, "loss": _loss_name(trainer)}
    frames_path = os.path.join(run_dir, "frames.npz")
    frames, meta = load_frames(frames_path) if os.path.isfile(frames_path) else (None, None)

    centers = getattr(trainer.data, "centers", None)
    names["n_modes"] = None if centers is None else len(centers)
    curves_history = history
    if (frames and centers is not None and meta["dim"] == 2 and len(history.get("eval_modes", [])) == 0):
        # no evaluations during training: count the modes of the recorded frames' samples instead
        curves_history = dict(history, **frame_mode_coverage(frames, centers, trainer.data.std))
        if "modes" in frames[0]:
            names["eval_note"] = "measured at each recorded frame"
        else:
            names["eval_note"] = f"{len(frames[0]['fake'])} samples of G per recorded frame"
    written = [plot_curves(curves_history, os.path.join(run_dir, "curves.png"), **names)]
    written.append(plot_frame(trainer, os.path.join(run_dir, "frame.png"), history=history,
                              extra_title=_metrics_note(run_dir)))
    if frames:
        written.append(save_animation(frames, meta, os.path.join(run_dir, "animation.gif"), history))
    samples_path = os.path.join(run_dir, "samples.npy")
    if os.path.isfile(samples_path) and trainer.data.dim == 2:
        written.append(plot_samples(np.load(samples_path, allow_pickle=False), trainer.data,
                                    os.path.join(run_dir, "samples.png"), title=_metrics_note(run_dir)))
    return written
