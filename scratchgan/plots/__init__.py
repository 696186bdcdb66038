"""Watch a GAN learn: the figures and animations of scratchgan, in plain matplotlib.

Every picture is built in two steps, so that an animation can be recorded cheaply while training and redrawn
later from a file:

    frame = frame_2d(G, D, objective, ...)      numbers only: a dict of small NumPy arrays
    draw_frame_2d(ax, frame, meta)              pixels only: matplotlib calls on one Axes

The submodules, in reading order; each imports only those above it:
    base        colours and sizes, headless figures, D read in eval mode (new_figure, is_critic, ...)
    field2d     a 2D frame: D's heatmap, G's gradient arrows, the latent manifold (frame_2d, draw_frame_2d)
    density1d   a 1D frame: pi, p_g, D and D*, the mapping x = G(z) (kde_1d, frame_1d, draw_frame_1d)
    curves      the training curves (plot_curves), also drawn at the side of a frame
    frame       one frame of a run, 2D or 1D, with its curves (frame_meta, draw_frame, plot_frame)
    player      frames as one offline HTML page you can play, pause and step (frame_pngs, player_html, save_player)
    animation   frames recorded over training (FrameRecorder, save_frames, load_frames, save_animation)
    table       a table of d > 2 columns through its principal components (plot_table_samples)
    rundir      a run directory redrawn (plot_run, what `python -m scratchgan plot RUN_DIR` calls)

Every public name is importable from here: `from scratchgan import plots; plots.plot_run(run_dir)`.
"""

from .animation import FrameRecorder, load_frames, save_animation, save_frames  # noqa: F401
from .base import (CURVES_DPI, D_COLOR, DSTAR_COLOR, FAKE_COLOR, FRAME_DPI, FRAME_SIZE, GIF_DPI,  # noqa: F401
                   HEATMAP, MANIFOLD_COLOR, RAW_SCORE_LOSSES, REAL_COLOR, discriminator_map, is_critic,
                   new_figure, sample_panel, save_demo_figure, save_figure)
from .curves import EQUILIBRIUM, plot_curves  # noqa: F401
from .density1d import draw_frame_1d, frame_1d, kde_1d  # noqa: F401
from .field2d import arrow_reference, draw_frame_2d, frame_2d, generator_gradient, latent_grid  # noqa: F401
from .frame import draw_frame, frame_from_trainer, frame_meta, plot_frame  # noqa: F401
from .player import frame_pngs, player_html, save_player  # noqa: F401
from .table import plot_table_samples, principal_axes, project  # noqa: F401
from .rundir import _metrics_note, frame_mode_coverage, plot_run, plot_samples  # noqa: F401
