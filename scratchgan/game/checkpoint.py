"""Checkpoints: a whole Trainer in one .npz file, so that training can stop and resume bit for bit.

A checkpoint is a NumPy .npz archive of plain arrays (it loads with allow_pickle=False, so opening one
never runs code). Its entries:

    format                 the string "scratchgan-checkpoint-1"
    config                 the TrainConfig as a JSON string
    step                   iterations done (int64)
    rng_state              the training Generator's bit_generator.state, as a JSON string
    sample_rng_state       the sampling Generator's state, likewise
    G.0, G.1, ...          G's parameters in G.parameters() order; D.0, ... likewise; G_ema.0, ... if used
    opt_g.t, opt_g.m.0, opt_g.v.0, ...   the optimizers' step counts and buffers (Optimizer.state_dict)
    prior.zeta, prior.alive, prior.Q.0, ..., prior.opt.t, ...   with a learned prior (config learned_prior): its
                           log-weights, its live classes, its classifier Q and Q's optimizer
    history.NAME           one array per history entry (per iteration, or per evaluation for eval_*)

Files are written atomically: into a temporary file in the same directory, then renamed over the target
with os.replace, so a crash or Ctrl-C mid-write leaves the previous checkpoint intact.
"""

import json
import os

import numpy as np

from ..engine import npfile
from ..engine.errors import UsageError
from .config import TrainConfig
from .trainer import Trainer

FORMAT = "scratchgan-checkpoint-1"


# ---------------------------------------------------------------------------------------------------------
# Writing files atomically
# ---------------------------------------------------------------------------------------------------------

def atomic_write(path, write):
    """Call write(f) on a binary file object, then move the result to `path` in one rename.

    The temporary file lives in the target's directory (os.replace is atomic only within a file system);
    it is removed if write fails.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save_npz(path, arrays):
    """Write a dict of arrays as an uncompressed .npz, atomically."""
    atomic_write(path, lambda f: np.savez(f, **arrays))


def save_npy(path, array):
    atomic_write(path, lambda f: np.save(f, array, allow_pickle=False))


def save_json(path, obj):
    atomic_write(path, lambda f: f.write((json.dumps(obj, indent=2) + "\n").encode()))


# ---------------------------------------------------------------------------------------------------------
# Trainer <-> arrays
# ---------------------------------------------------------------------------------------------------------

INT_HISTORY_KEYS = ("step", "eval_step", "eval_modes")


def history_arrays(history, prefix=""):
    """{prefix + name: 1D array} for a history dict of lists; counts (INT_HISTORY_KEYS) as int64, the rest
    as float64."""
    return {prefix + key: np.asarray(values, dtype=np.int64 if key in INT_HISTORY_KEYS else np.float64)
            for key, values in history.items()}


def trainer_arrays(trainer):
    """Everything a checkpoint holds, as a dict name -> array (see the module docstring)."""
    arrays = {
        "format": np.array(FORMAT),
        "config": np.array(json.dumps(trainer.config.to_dict())),
        "step": np.array(trainer.step, dtype=np.int64),
        "rng_state": np.array(json.dumps(trainer.rng.bit_generator.state)),
        "sample_rng_state": np.array(json.dumps(trainer.sample_rng.bit_generator.state)),
    }
    for prefix, module in _modules(trainer):
        for i, p in enumerate(module.parameters()):
            arrays[f"{prefix}.{i}"] = p.data
    for prefix, opt in _optimizers(trainer):
        state = opt.state_dict()
        arrays[f"{prefix}.t"] = np.array(state["t"], dtype=np.int64)
        for name, buffers in state["buffers"].items():
            for i, b in enumerate(buffers):
                arrays[f"{prefix}.{name}.{i}"] = b
    if trainer.prior is not None:
        arrays["prior.zeta"] = trainer.prior.zeta
        arrays["prior.alive"] = trainer.prior.alive
    arrays.update(history_arrays(trainer.history, prefix="history."))
    return arrays


def _modules(trainer):
    mods = [("G", trainer.G), ("D", trainer.D)]
    if trainer.G_ema is not None:
        mods.append(("G_ema", trainer.G_ema))
    if trainer.prior is not None:
        mods.append(("prior.Q", trainer.prior.Q))
    return mods


def _optimizers(trainer):
    opts = [("opt_g", trainer.opt_g), ("opt_d", trainer.opt_d)]
    if trainer.prior is not None:
        opts.append(("prior.opt", trainer.prior.opt))
    return opts


def save_checkpoint(trainer, path):
    """Write the trainer's full state to `path` (.npz), atomically."""
    save_npz(path, trainer_arrays(trainer))


def read_checkpoint(path):
    """Read a checkpoint into a dict of arrays, checking it is complete; any problem -> one-line UsageError.

    Only the calls that read the file sit inside try: what NumPy raises on a truncated or foreign file becomes
    a UsageError naming the path; nothing else is caught."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise UsageError(f"checkpoint not found: {path}")
    try:
        archive = npfile.load(path)
    except npfile.FAILURES as e:
        raise UsageError(f"cannot read checkpoint {path} (truncated or not a .npz file): "
                         f"{npfile.reason(e)}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):           # a .npy file loads as one bare array
        raise UsageError(f"{path} is not a scratchgan checkpoint: it holds one array, not a .npz archive")
    try:
        with archive as f:
            arrays = {name: f[name] for name in f.files}     # reads every member: truncation shows here
    except npfile.FAILURES as e:
        raise UsageError(f"cannot read checkpoint {path} (truncated or not a .npz file): "
                         f"{npfile.reason(e)}") from None
    if "format" not in arrays or str(arrays["format"]) != FORMAT:
        raise UsageError(f"{path} is not a scratchgan checkpoint (no '{FORMAT}' format entry)")
    for name in ("config", "step", "rng_state", "sample_rng_state", "opt_g.t", "opt_d.t"):
        if name not in arrays:
            raise UsageError(f"checkpoint {path} is incomplete: it has no '{name}' entry")
    for name in ("step", "opt_g.t", "opt_d.t"):
        if arrays[name].shape != () or arrays[name].dtype.kind not in "iu":
            raise UsageError(f"checkpoint {path} is corrupt: its entry '{name}' is not an integer")
    for name in ("config", "rng_state", "sample_rng_state"):
        try:
            is_object = isinstance(json.loads(str(arrays[name])), dict)
        except json.JSONDecodeError:
            is_object = False
        if not is_object:
            raise UsageError(f"checkpoint {path} is corrupt: its entry '{name}' is not a JSON object")
    for name, a in arrays.items():      # a diverged or corrupted state must not be trained on
        if name.split(".")[0] in ("G", "D", "G_ema", "opt_g", "opt_d", "prior") and a.dtype.kind == "f" \
                and not np.all(np.isfinite(a)):
            raise UsageError(f"checkpoint {path} is corrupt: its entry '{name}' holds NaN or infinite values")
    return arrays


def checkpoint_config(arrays):
    """The TrainConfig stored in a checkpoint's arrays."""
    return TrainConfig.from_dict(json.loads(str(arrays["config"])))


def restore_trainer(trainer, arrays, path="checkpoint"):
    """Overwrite `trainer`'s parameters, optimizer states, RNG states, step and history with a checkpoint's.

    The trainer must have the checkpoint's architecture: every parameter's and optimizer buffer's shape is
    checked. A checkpoint that does not fit, or holds a broken random state, is a UsageError naming `path`.
    """
    def need(name, shape=None):
        if name not in arrays:
            raise UsageError(f"checkpoint {path} does not fit this trainer: it has no '{name}' entry")
        if shape is not None and arrays[name].shape != shape:
            raise UsageError(f"checkpoint {path} does not fit this trainer: its '{name}' has shape "
                             f"{arrays[name].shape} there, {shape} here")
        return arrays[name]

    for prefix, module in _modules(trainer):
        params = module.parameters()
        extra = f"{prefix}.{len(params)}"
        if extra in arrays:
            raise UsageError(f"checkpoint {path} does not fit this trainer: its {prefix} has more parameters")
        for i, p in enumerate(params):
            a = need(f"{prefix}.{i}")
            if a.shape != p.data.shape:
                raise UsageError(f"checkpoint {path} does not fit this trainer: {prefix} parameter {i} has "
                                 f"shape {a.shape} there, {p.data.shape} here")
            p.data[...] = a
    for prefix, opt in _optimizers(trainer):
        buffers = {name: [need(f"{prefix}.{name}.{i}", b.shape) for i, b in enumerate(bufs)]
                   for name, bufs in opt.state_dict()["buffers"].items()}
        opt.load_state_dict({"t": int(need(f"{prefix}.t")), "buffers": buffers})
    if trainer.prior is not None:
        trainer.prior.zeta[...] = need("prior.zeta", trainer.prior.zeta.shape)
        alive = need("prior.alive", trainer.prior.alive.shape)
        if alive.dtype != bool or not alive.any():
            raise UsageError(f"checkpoint {path} is corrupt: its entry 'prior.alive' is not a mask with a live class")
        trainer.prior.alive[...] = alive
    for rng, name in ((trainer.rng, "rng_state"), (trainer.sample_rng, "sample_rng_state")):
        try:
            rng.bit_generator.state = json.loads(str(arrays[name]))
        except (ValueError, TypeError, KeyError):        # what NumPy raises on a state that is not its own
            raise UsageError(f"checkpoint {path} is corrupt: its entry '{name}' is not a random state of "
                             f"{type(rng.bit_generator).__name__}") from None
    trainer.step = int(arrays["step"])
    history = {name[len("history."):]: a.tolist() for name, a in arrays.items() if name.startswith("history.")}
    for key in trainer.history:
        trainer.history[key] = history.get(key, [])
    if len(trainer.history["step"]) != trainer.step:
        raise UsageError(f"checkpoint {path} is inconsistent: step {trainer.step} but "
                         f"{len(trainer.history['step'])} history entries")
    return trainer


def load_trainer(path, *, G=None, D=None, data=None, objective=None):
    """A Trainer rebuilt from the checkpoint at `path`: its config, then every state restored.

    Networks are rebuilt from the config; pass G and/or D (fresh modules of the same shapes) when the run
    used custom modules. A missing, truncated or mismatched file raises a one-line UsageError.
    """
    arrays = read_checkpoint(path)
    config = checkpoint_config(arrays)
    trainer = Trainer(config, G=G, D=D, data=data, objective=objective)
    return restore_trainer(trainer, arrays, path=os.fspath(path))
