"""A finished run's directory, redrawn from its files: curves, final frame, animation, player and final samples.

plot_run              every figure of a run directory (what `python -m scratchgan plot RUN_DIR` calls)
plot_samples          the run's final samples over real data, each mixture centre ringed at 3 std
frame_mode_coverage   the mode counts of recorded frames, for a run that did not evaluate while training
"""

import json
import os

import numpy as np
from matplotlib.patches import Circle

from ..engine import npfile
from ..engine.errors import UsageError
from ..game.config import TrainConfig
from .animation import load_frames, save_animation
from .base import CURVES_DPI, FAKE_COLOR, new_figure, REAL_COLOR, save_figure
from .curves import _history_arrays, plot_curves
from .digits import plot_digit_frame, plot_digits_final, plot_nearest_neighbours
from .frame import _loss_name, plot_frame
from .player import save_player
from .table import plot_table_samples


def frame_mode_coverage(frames, centers, std):
    """Mode coverage (metrics.mode_coverage) of each recorded 2D frame.

    frames: list of frame dicts with "step" and "fake" (n, 2), and "modes", "high_quality" when the
    FrameRecorder measured them (on its n_eval samples); otherwise they are measured here on "fake".
    centers: (K, 2); std: the components' std.
    Returns a dict of (F,) arrays named like the Trainer's evaluations: eval_step, eval_modes,
    eval_high_quality. Used for the curves when a run recorded frames but did not evaluate while training.
    """
    from ..measure.metrics import mode_coverage

    rows = [{"modes": f["modes"], "high_quality": f["high_quality"]} if "modes" in f else
            mode_coverage(f["fake"], centers, std) for f in frames]
    return {"eval_step": np.array([float(f["step"]) for f in frames]),
            "eval_modes": np.array([float(r["modes"]) for r in rows]),
            "eval_high_quality": np.array([r["high_quality"] for r in rows])}


def _require(run_dir, name, made_by):
    path = os.path.join(run_dir, name)
    if not os.path.isfile(path):
        raise UsageError(f"run directory {run_dir} lacks {name} ({made_by})")
    return path


def _read(path, load):
    """load(path) for a file of a run directory; what a damaged file makes the reading raise (truncated,
    not the format its name says, an entry missing) becomes a one-line UsageError naming the file."""
    try:
        return load(path)
    except npfile.FAILURES as e:
        raise UsageError(f"cannot read {path} (damaged, or not the file train writes): "
                         f"{npfile.reason(e)[:120]}") from None


def _load_json(path):
    with open(path) as f:
        return json.load(f)


def _load_history(path):
    with npfile.load(path) as f:
        return _history_arrays(f)


def _metrics_note(run_dir):
    """' · 8/8 modes, 93% high quality' from metrics.json when it has mode counts, else ''; a restarted run
    adds which attempt was kept: ' · attempt 2 of 2'."""
    path = os.path.join(run_dir, "metrics.json")
    if not os.path.isfile(path):
        return ""
    metrics = _read(path, _load_json)
    modes = metrics.get("modes")
    if modes is None and metrics.get("classes") is not None:       # digits (digit_metrics.digit_report)
        return (f" · {int(metrics['classes'])}/{int(metrics['n_classes'])} digits, class reverse KL "
                f"{float(metrics['class_reverse_kl']):.3f}")
    if modes is None:
        return ""
    note = f" · {int(modes)}"
    if metrics.get("n_modes") is not None:
        note += f"/{int(metrics['n_modes'])}"
    note += " modes"
    if metrics.get("high_quality") is not None:
        note += f", {100 * float(metrics['high_quality']):.0f}% high quality"
    checks = metrics.get("two_sample_checks", [])
    if len(checks) > 1:                         # a restarted run (run.train_with_restarts)
        note += f" · attempt {TrainConfig.from_dict(metrics['config']).run.attempt + 1} of {len(checks)}"
    return note


def plot_samples(samples, data, path, *, title="", dpi=CURVES_DPI):
    """What the final metrics measure: the run's samples (samples.npy: EMA G, Jacobian truncation and
    rejection sampling, as configured) over real data, each mixture centre ringed at 3 std, the radius
    within which a sample counts as high quality (scratchgan.measure.metrics.mode_coverage). 2D data only.

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


def plot_run(run_dir, *, html=False):
    """Redraw every figure of a finished run from its files; returns the list of paths written.

    Reads (from `python -m scratchgan train ... --out run_dir`):
        history.npz      -> curves.png      losses, D outputs, gradient norms, evaluations (or, for a
                                            mixture recorded without evaluations, the frames' mode counts)
        checkpoint.npz   -> frame.png       the final frame: field and arrows (2D) or Figure 1 (1D)
        frames.npz       -> animation.gif   only when the run was recorded with --animate
                         -> animation.html  the same frames in a page you can pause and step (plots.player)
        samples.npy      -> samples.png     2D data: the final samples, the centres' 3-std rings; a table of
                                            d > 2 columns: PC1-PC2 and histograms (plots.table), no frame.png
    A missing history.npz or checkpoint.npz is a UsageError that names the file; so is a missing frames.npz
    when html is True (`plot RUN_DIR --html` asks for the player), checked before anything is written, and
    any of the run's files that cannot be read.
    """
    if not os.path.isdir(run_dir):
        raise UsageError(f"run directory {run_dir} does not exist")
    history_path = _require(run_dir, "history.npz", "written by train at the end of the run")
    checkpoint_path = _require(run_dir, "checkpoint.npz", "written by train at the end of the run")
    frames_path = os.path.join(run_dir, "frames.npz")
    if html and not os.path.isfile(frames_path):
        raise UsageError(f"run directory {run_dir} has no recorded frames (no frames.npz) to play; frames are "
                         "recorded during training with --animate: python -m scratchgan train --data NAME "
                         "--animate --out DIR")
    from ..game.checkpoint import load_trainer
    from ..data import is_table_path

    history = _read(history_path, _load_history)
    missing = [k for k in ("step", "loss_d", "loss_g", "d_real", "d_fake") if k not in history]
    if missing:
        raise UsageError(f"{history_path} lacks {', '.join(missing)}: it is not the history train writes")
    trainer = load_trainer(checkpoint_path)
    names = {"data": trainer.data.name, "loss": _loss_name(trainer)}
    frames, meta = _read(frames_path, load_frames) if os.path.isfile(frames_path) else (None, None)

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
    wide_table = is_table_path(trainer.config.run.data) and trainer.data.dim > 2   # your own table of d > 2 columns
    digits = getattr(trainer.data, "images", None) is not None     # a run of images: grids of them, not a plane
    if digits:                                       # the final frame: a grid of G(z), real digits, curves
        written.append(plot_digit_frame(trainer, os.path.join(run_dir, "frame.png"), history=history,
                                        extra_title=_metrics_note(run_dir)))
    elif not wide_table:                             # it has no line or plane to draw D on: no frame.png
        written.append(plot_frame(trainer, os.path.join(run_dir, "frame.png"), history=history,
                                  extra_title=_metrics_note(run_dir)))
    if frames:
        written.append(save_animation(frames, meta, os.path.join(run_dir, "animation.gif"), history))
        written.append(save_player(frames, meta, os.path.join(run_dir, "animation.html"), history))
    samples_path = os.path.join(run_dir, "samples.npy")
    samples = _read(samples_path, npfile.load) if os.path.isfile(samples_path) else None
    if samples is not None and trainer.data.dim == 2:
        written.append(plot_samples(samples, trainer.data, os.path.join(run_dir, "samples.png"),
                                    title=_metrics_note(run_dir)))
    elif samples is not None and digits:
        written.append(plot_digits_final(samples, trainer.data, os.path.join(run_dir, "samples.png")))
        written.append(plot_nearest_neighbours(samples, trainer.data, os.path.join(run_dir, "nearest.png")))
    elif samples is not None and wide_table:
        metrics_path = os.path.join(run_dir, "metrics.json")
        metrics = _read(metrics_path, _load_json) if os.path.isfile(metrics_path) else None
        written.append(plot_table_samples(samples, trainer.data, os.path.join(run_dir, "samples.png"),
                                          metrics=metrics))
    return written
