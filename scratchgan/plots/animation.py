"""Animations: record a run's frames while it trains, store them in a .npz, and write them as a GIF.

FrameRecorder    a Trainer callback that records a frame every few steps
save_frames      the recorded frames and their meta as one .npz (frames.npz); load_frames reads it back
save_animation   the frames as a GIF (animation.gif), each drawn by frame.draw_frame
                 (player.save_player writes the same frames as a page you can pause: animation.html)
"""

import os

import numpy as np
from matplotlib.animation import PillowWriter

from .base import FRAME_SIZE, GIF_DPI, new_figure
from .curves import _history_arrays
from .frame import draw_frame, frame_from_trainer, frame_meta
from .player import save_player


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
    for key in ("data", "loss", "kind"):
        if key in meta:
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
        trainer.train(steps, callback=recorder)     # the Trainer calls it every config.run.log_every steps
        recorder.save(run_dir, trainer.history)     # frames.npz, animation.gif and animation.html

    A frame is lightweight (a few hundred points and a 100 x 100 heatmap), so recording costs little.
    every: steps between frames; when None, chosen on the first call so a run of config.run.steps steps
    gives about n_frames frames (a multiple of config.run.log_every, the Trainer's callback period).
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
                total, log_every = trainer.config.run.steps, trainer.config.run.log_every
                self.every = max(1, round(total / self.n_frames / log_every)) * log_every
        step = int(trainer.step)
        if self.frames and step < int(self.frames[-1]["step"]) + self.every:
            return
        frame = frame_from_trainer(trainer, self.meta)
        if "centers" in self.meta and hasattr(trainer, "sample") and self.n_eval > 0:
            from ..measure.metrics import mode_coverage

            x = np.asarray(trainer.sample(self.n_eval, rng=self.rng, rejection=False), dtype=np.float64)
            coverage = mode_coverage(x, self.meta["centers"], trainer.data.std)
            frame["modes"] = np.array(coverage["modes"])
            frame["high_quality"] = np.array(coverage["high_quality"])
        self.frames.append(frame)

    def save(self, out_dir, history=None):
        """Write frames.npz, animation.gif and animation.html (the player) into out_dir; returns the paths."""
        frames_path = save_frames(self.frames, self.meta, os.path.join(out_dir, "frames.npz"))
        gif_path = save_animation(self.frames, self.meta, os.path.join(out_dir, "animation.gif"), history)
        html_path = save_player(self.frames, self.meta, os.path.join(out_dir, "animation.html"), history)
        return [frames_path, gif_path, html_path]
