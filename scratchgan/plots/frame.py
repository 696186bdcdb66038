"""One frame of a run: a Trainer's 2D field or 1D densities, with its training curves at the side.

frame_meta           what stays fixed across a run's frames: names, the box, real samples, the fixed noise
frame_from_trainer   the numbers of the trainer's current frame (field2d.frame_2d or density1d.frame_1d)
draw_frame           the pixels: the 2D or 1D panel, the legend, the side curves, the title
plot_frame           the trainer's current state as one PNG (frame.png)
"""

import numpy as np

from ..data.latent import join_code
from .base import FRAME_DPI, FRAME_SIZE, frame_title, is_critic, new_figure, save_figure
from .curves import _draw_side_curves, _has_curves, _history_arrays
from .density1d import draw_frame_1d, frame_1d
from .digits import digit_frame_from_trainer, digit_frame_meta, draw_digit_frame
from .field2d import draw_frame_2d, frame_2d, latent_grid


def _loss_name(trainer):
    return str(trainer.config.game.loss)


def frame_meta(trainer, *, n_real=256, n_fake=256, n_kde=2000, n_lines=24, n_manifold=11, n_piece=7, seed=0):
    """What stays fixed across the frames of one run: names, the box, real samples and the fixed noise.

    Returns a dict: data, loss (names), dim (1 or 2), critic (bool), bounds (dim, 2), real (n_real, dim),
    centers (K, dim) when the data is a mixture, z (n, latent_dim), and for 2D `latent` (latent_grid's grid),
    for 1D `x_grid` (400,), `pi` (400,) when the data has a density, and `z_line` (n_lines, latent_dim).
    The manifold's grid is n_manifold x n_manifold, or n_piece x n_piece per piece of a latent with a code.
    Everything random here (real samples, z) comes from its own stream seeded by `seed`: the trainer's
    streams are never read, so recording frames cannot change the training run.
    """
    data = trainer.data
    if getattr(data, "images", None) is not None:  # 64 pixels: a grid of digits instead (plots.digits)
        return digit_frame_meta(trainer, seed=seed)
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
    z = np.asarray(trainer.noise(n_fake if data.dim == 2 else n_kde, rng), dtype=np.float64)  # meta's own stream
    meta["z"] = z
    classes = trainer.config.model.latent_classes
    if data.dim == 2:
        meta["latent"] = latent_grid(z, n_piece if classes else n_manifold, classes)
    else:
        lo, hi = meta["bounds"][0]
        meta["x_grid"] = np.linspace(lo, hi, 400)
        try:
            meta["pi"] = np.asarray(data.pdf(meta["x_grid"][:, None]), dtype=np.float64)
        except (AttributeError, NotImplementedError):
            pass
        # evenly spaced z along the first latent coordinate, the others at 0 (a 1D slice of z-space); with a
        # latent code, the slice of its first piece (class 0), so the line stays where p(z) has mass
        z_line = np.zeros((n_lines, z.shape[1] - classes))
        z_line[:, 0] = np.linspace(np.percentile(z[:, 0], 1), np.percentile(z[:, 0], 99), n_lines)
        meta["z_line"] = join_code(z_line, np.zeros(n_lines, dtype=int), classes) if classes else z_line
    return meta


def frame_from_trainer(trainer, meta):
    """The current frame of a Trainer (2D or 1D according to the data), using the fixed `meta`."""
    step = int(getattr(trainer, "step", 0))
    if meta.get("kind") == "digits":
        return digit_frame_from_trainer(trainer, meta)
    if meta["dim"] == 2:
        return frame_2d(trainer.G, trainer.D, trainer.objective, meta["z"], meta["bounds"],
                        critic=meta["critic"], latent=meta.get("latent"), step=step)
    return frame_1d(trainer.G, trainer.D, trainer.objective, meta["z"], meta["x_grid"], meta["z_line"],
                    critic=meta["critic"], step=step)


def draw_frame(fig, frame, meta, history=None, *, arrow_ref=None, extra_title=""):
    """Lay out one full frame on an empty figure: the 2D field or 1D densities, plus training curves.

    history: dict name -> array (step, loss_d, loss_g, d_real, d_fake) or None; when given, the right
    part of the figure shows the curves up to this frame's step. Axes are placed at fixed positions
    (fractions of the figure) so that every frame of an animation has exactly the same layout.
    """
    if meta.get("kind") == "digits":
        return draw_digit_frame(fig, frame, meta, history, extra_title=extra_title)
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
    fig.suptitle(frame_title(meta, frame["step"], history, extra_title), fontsize=12)


def plot_frame(trainer, path, *, history="trainer", meta=None, extra_title="", dpi=FRAME_DPI):
    """Draw the trainer's current state as one PNG (the final frame of a run); returns path.

    The generated samples and arrows are those of trainer.G, the generator in the game against D; with
    config.fixes.ema > 0, Trainer.sample (and the metrics in the title) use its moving average instead.

    history: "trainer" to use trainer.history for the side curves, a dict, or None for no curves.
    """
    meta = meta if meta is not None else frame_meta(trainer)
    if isinstance(history, str) and history == "trainer":
        history = _history_arrays(getattr(trainer, "history", None))
    frame = frame_from_trainer(trainer, meta)
    fig = new_figure(*FRAME_SIZE)
    draw_frame(fig, frame, meta, history, extra_title=extra_title)
    return save_figure(fig, path, dpi)
