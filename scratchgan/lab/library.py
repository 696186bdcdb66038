"""Everything the lab takes from the rest of scratchgan, in one place: the lab computes nothing of its own.

The lab is a window on the library. Every number it shows comes from these functions and classes; the lab's
own modules (session, frames, stages, settings, server) import them from here only, so that when the library
moves a module, this file is the one to change.

    building a run       default_config (a dataset's recipe with flat overrides), Trainer, TrainingDiverged,
                         DATASETS, get_dataset (reads and checks a file exactly as `train --data FILE` does),
                         TABLE_EXTENSIONS, UsageError, SECTIONS (every setting, its help and its check)
    one step, in stages  trace_step, format_trace (scratchgan step), discriminator_backward, generator_pull,
                         generator_backward
    a frame              frame_meta, frame_2d, frame_1d, kde_1d, arrow_reference, discriminator_map, is_critic,
                         the colours
    writing a run        save_checkpoint, save_npz, save_npy, save_json, history_arrays, final_metrics
"""

from ..data import DATASETS, get_dataset
from ..data.tables import TABLE_EXTENSIONS
from ..engine.errors import UsageError
from ..engine.gan_backward import discriminator_backward, generator_backward, generator_pull
from ..fixes.conditional import ConditionalLabels, set_labels
from ..game.checkpoint import history_arrays, save_checkpoint, save_json, save_npy, save_npz
from ..game.config import SECTION_OF, SECTIONS, setting_kind
from ..game.recipes import default_config
from ..game.run import final_metrics
from ..game.step_trace import format_trace, trace_step
from ..game.trainer import Trainer, TrainingDiverged
from ..plots.base import (D_COLOR, discriminator_map, DSTAR_COLOR, FAKE_COLOR, HEATMAP, is_critic, MANIFOLD_COLOR,
    REAL_COLOR)
from ..plots.density1d import frame_1d, kde_1d
from ..plots.field2d import arrow_reference, frame_2d
from ..plots.frame import frame_meta

__all__ = [
    "history_arrays", "save_checkpoint", "save_json", "save_npy", "save_npz", "default_config", "DATASETS",
    "get_dataset", "UsageError", "discriminator_backward", "generator_backward", "generator_pull", 
    "D_COLOR", "DSTAR_COLOR", "FAKE_COLOR", "HEATMAP",
    "MANIFOLD_COLOR", "REAL_COLOR", "discriminator_map", "is_critic", "frame_1d", "kde_1d", "frame_2d",
    "frame_meta", "arrow_reference", "final_metrics", "format_trace", "trace_step", "TABLE_EXTENSIONS", "Trainer",
    "TrainingDiverged", "SECTIONS", "SECTION_OF", "setting_kind", "ConditionalLabels", "set_labels",
]
