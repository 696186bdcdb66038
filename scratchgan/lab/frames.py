"""What the page draws, as JSON: a run's fixed picture (meta_json), one frame of it (frame_json), a step's stages.

The numbers are the plots' own (scratchgan.plots: frame_meta, frame_2d, frame_1d, kde_1d); this module only
packs them small enough to send 20 times a second:

    meta_json      once per run: the data's name, dim, the box, the real samples, the mixture's centres, the
                   colours and the heatmap's 256 colours (matplotlib's PRGn, as frame.png draws it)
    frame_json     one frame: the step, G(z) at the run's fixed z, -dL_G/dx at each G(z) (G's pull), D on a
                   32 x 32 grid (0..255, one byte a cell, base64) and the manifold G(latent grid); in 1D, Figure
                   1 of Goodfellow et al. 2014: pi, p_g (a KDE of G(z)), D and D* = pi / (pi + p_g), and x = G(z)
    stage_frames   the frames of one traced iteration (scratchgan step): D before and after its update, the
                   batch, G's pull through the updated D, G's samples before and after its update
    history_json   the training curves from an index on (the page asks only for what it lacks)
"""

import base64

import numpy as np
from matplotlib import colormaps

from .library import (D_COLOR, DSTAR_COLOR, FAKE_COLOR, HEATMAP, MANIFOLD_COLOR, REAL_COLOR, arrow_reference,
                      frame_1d, frame_2d, frame_meta, kde_1d, set_labels)

N_GRID = 32                 # D's heatmap: 32 x 32 cells, smoothed by the browser when drawn larger
CURVES = ("step", "loss_d", "loss_g", "d_real", "d_fake")


def rounded(a, digits=3):
    """An array as nested lists of floats rounded to `digits` decimals (what JSON needs, a third of the bytes)."""
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


class View:
    """A run's fixed picture: frame_meta (the box, the real samples, the fixed z and latent grid) and its box.

    For a table of your own the box is the rows' range plus a quarter on each side, so that G's samples
    still show when they stray (the table's own bounds hold the rows with 5% to spare)."""

    def __init__(self, trainer):
        self.meta = frame_meta(trainer)
        self.dim = self.meta["dim"]
        bounds = np.asarray(self.meta["bounds"], dtype=np.float64)
        if hasattr(trainer.data, "rows"):
            span = bounds[:, 1] - bounds[:, 0]
            bounds = np.stack([bounds[:, 0] - 0.25 * span, bounds[:, 1] + 0.25 * span], axis=1)
            self.meta["bounds"] = bounds
            if self.dim == 1:
                self.meta["x_grid"] = np.linspace(bounds[0, 0], bounds[0, 1], 400)
        self.bounds = bounds


def heat_bytes(heat, critic):
    """D's grid (n, n) as one byte a cell (base64) and the (lo, hi) the bytes 0 and 255 stand for.

    D(x) in [0, 1] maps to 0..255 directly; a critic's raw score f(x) is centred at its median, +- its largest
    distance from it, as frame.png's colour bar is."""
    heat = np.asarray(heat, dtype=np.float64)
    if critic:
        mid = float(np.median(heat))
        span = max(abs(float(heat.max()) - mid), abs(mid - float(heat.min())), 1e-12)
        lo, hi = mid - span, mid + span
    else:
        lo, hi = 0.0, 1.0
    cells = np.clip(np.round((heat - lo) / (hi - lo) * 255), 0, 255).astype(np.uint8)
    return base64.b64encode(cells.tobytes()).decode("ascii"), [lo, hi]


def heatmap_colours():
    """The heatmap's 256 colours, [[r, g, b], ...] in 0..255: the colormap frame.png uses (PRGn)."""
    rgba = colormaps[HEATMAP](np.linspace(0.0, 1.0, 256))
    return np.round(rgba[:, :3] * 255).astype(int).tolist()


def meta_json(trainer, view):
    """The fixed part of a run's picture, sent once per run."""
    meta = view.meta
    out = {"data": meta["data"], "loss": meta["loss"], "dim": view.dim, "critic": bool(meta["critic"]),
           "bounds": rounded(view.bounds), "real": rounded(meta["real"]),
           "colours": {"real": REAL_COLOR, "fake": FAKE_COLOR, "manifold": MANIFOLD_COLOR, "d": D_COLOR,
                       "dstar": DSTAR_COLOR},
           "heatmap": heatmap_colours(), "n_modes": None}
    if "centers" in meta:
        out["centers"] = rounded(meta["centers"])
        out["n_modes"] = len(meta["centers"])
    if view.dim == 1:
        out["x_grid"] = rounded(meta["x_grid"])
        out["z_line"] = rounded(meta["z_line"][:, 0])
        if "pi" in meta:
            out["pi"] = rounded(meta["pi"])
    return out


def pack_2d(frame, critic):
    """A frame_2d dict as JSON: fake (n, 2), grad (n, 2) in units of grad_ref (field2d.arrow_reference), heat
    (base64 bytes, range), manifold (pieces, k, k, 2)."""
    heat, heat_range = heat_bytes(frame["heat"], critic)
    ref = arrow_reference(frame["grad"])           # the 90th percentile of |dL_G/dx|: an arrow of 1 below
    out = {"fake": rounded(frame["fake"]), "grad": rounded(frame["grad"] / ref, 2), "grad_ref": ref, "heat": heat,
           "heat_range": heat_range, "n_grid": int(frame["heat"].shape[0])}
    if "manifold" in frame:
        pieces = frame["manifold"]
        out["manifold"] = rounded(pieces[None] if pieces.ndim == 3 else pieces, 3)
    return out


def pack_1d(frame, meta, critic):
    """A frame_1d dict as Figure 1: p_g (the KDE of G(z) on the x grid), D, D* = pi / (pi + p_g), x = G(z)."""
    x = meta["x_grid"]
    p_g = kde_1d(frame["fake"], x)
    out = {"p_g": rounded(p_g), "d": rounded(frame["d_grid"]), "mapped": rounded(frame["mapped"])}
    if "pi" in meta and not critic:
        pi = meta["pi"]
        d_star = pi / np.maximum(pi + p_g, 1e-300)
        undefined = (pi + p_g) < 0.05 * (pi + p_g).max()       # 0 / 0 where both densities vanish
        out["d_star"] = [None if u else v for u, v in zip(undefined, rounded(d_star))]
    return out


def frame_numbers(G, D, trainer, view, z=None, grid=True):
    """The frame of networks G and D (the trainer's, or copies from a trace), packed for the page."""
    meta, critic = view.meta, view.meta["critic"]
    if view.dim == 2:
        frame = frame_2d(G, D, trainer.objective, meta["z"] if z is None else z, view.bounds, critic=critic,
                         n_grid=N_GRID, latent=meta.get("latent") if grid else None)
        return pack_2d(frame, critic)
    frame = frame_1d(G, D, trainer.objective, meta["z"], meta["x_grid"], meta["z_line"], critic=critic)
    return pack_1d(frame, meta, critic)


def frame_json(trainer, view, run_id, status):
    """The trainer's current frame: its networks drawn by frame_numbers, with the step and the run's status."""
    out = frame_numbers(trainer.G, trainer.D, trainer, view)
    out.update(step=trainer.step, run=run_id, status=status)
    return out


def history_json(history, since):
    """The curves from index `since` on: step, loss_d, loss_g, d_real, d_fake, and the evaluations (eval_*),
    which the page always gets whole (one every eval_every steps: few)."""
    out = {key: rounded(history[key][since:]) for key in CURVES}
    out["since"] = since
    for key in ("eval_step", "eval_modes", "eval_mmd", "eval_high_quality"):
        if key in history:
            out[key] = rounded(history[key])
    return out


def stage_frames(trainer, view, trace):
    """The pictures of one traced iteration (step_trace.trace_step), one per stage key of stages.STAGES.

    D_before, D_after, G_before, G_after are the trace's copies of the networks, so drawing them leaves the
    trainer as the step left it. Stages 1-4 show D before its update with the batch it saw; 5 D after it;
    6 G's fresh z through the updated D with its pull; 7 the same z through G after its update, the stage-6
    points kept as `before`."""
    batch = {"batch_real": rounded(trace["x_real"]), "batch_fake": rounded(trace["x_fake"])}
    if trainer.config.fixes.conditional:       # the copies were taken mid-step, with that step's labels set:
        for net in (trace["G_before"], trace["G_after"], trace["D_before"], trace["D_after"]):
            set_labels(net, None)              # drawn as every frame is, the classes in turn
    if view.dim == 1:
        before_d = frame_numbers(trace["G_before"], trace["D_before"], trainer, view)
        after_d = frame_numbers(trace["G_before"], trace["D_after"], trainer, view)
        after_g = frame_numbers(trace["G_after"], trace["D_after"], trainer, view)
        return {"samples": dict(before_d, **batch), "verdict": dict(before_d, **batch),
                "loss_d": dict(before_d, **batch), "d_grad": dict(before_d, **batch),
                "d_update": dict(after_d, **batch), "g_pull": after_d, "g_update": after_g}
    z = trace["z"]
    before_d = dict(frame_numbers(trace["G_before"], trace["D_before"], trainer, view, z, grid=False), **batch)
    after_d = dict(frame_numbers(trace["G_before"], trace["D_after"], trainer, view, z, grid=False), **batch)
    pull = frame_numbers(trace["G_before"], trace["D_after"], trainer, view, trace["g_z"], grid=False)
    moved = frame_numbers(trace["G_after"], trace["D_after"], trainer, view, trace["g_z"], grid=False)
    moved["before"] = pull["fake"]
    for frame in (before_d, after_d):
        frame.pop("grad")                          # no pull yet: G's step comes after D's
    return {"samples": before_d, "verdict": before_d, "loss_d": before_d, "d_grad": before_d,
            "d_update": after_d, "g_pull": pull, "g_update": moved}
