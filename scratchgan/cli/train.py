"""`scratchgan train`: train a GAN, checkpointing as it goes, then write samples, metrics and figures.

Exit codes: 0 done; 2 bad input (nothing written); 1 training diverged (the last good checkpoint stays), or
a bug (scratchgan.cli.main prints its traceback); 130 interrupted by Ctrl-C (a checkpoint is saved first).
"""

import argparse
import dataclasses
import os
import sys
import time


from .. import plots
from ..data import check_dataset_name, DATASETS, get_dataset, is_table_path
from ..engine import losses
from ..engine.errors import UsageError
from ..game import checkpoint
from ..game.config import SECTION_OF, SECTIONS, TrainConfig, setting_kind
from ..game.recipes import default_config, PRESETS
from ..game.run import final_metrics, train_with_restarts
from ..game.trainer import Trainer, TrainingDiverged
from .outdir import check_writable_dir
from .progress import DeferredInterrupt, Progress


# The flags of the settings are generated from scratchgan.game.config's fields: --z-dim for z_dim, and so on, each with
# its field's help; a field true or false gets --name and --no-name. Only these differ from the rule.
SKIPPED = ("attempt",)                         # state of a run with restarts, not a choice
ALIASES = {"k": ("--n-critic",)}


def add_parser(sub):
    """The `train` subcommand: its own options, then one flag per setting of scratchgan.game.config, by section."""
    p = sub.add_parser("train", help="train a GAN on a toy dataset, write samples, metrics and figures")
    p.add_argument("--out", metavar="DIR", help="output directory (default runs/NAME)")
    p.add_argument("--n-samples", type=int, default=10000, metavar="M", help="samples to write (default 10000)")
    p.add_argument("--resume", nargs="?", const="", metavar="CHECKPOINT",
                   help="continue from CHECKPOINT (default DIR/checkpoint.npz)")
    p.add_argument("--checkpoint-every", type=int, default=1000, metavar="N",
                   help="save a checkpoint every N steps (default 1000)")
    p.add_argument("--animate", action="store_true",
                   help="record frames; write animation.gif and animation.html (a player you can pause and step)")
    p.add_argument("--preset", choices=list(PRESETS),
                   help="the paper's settings: wgan (clip 0.01, n_critic 5, RMSprop 5e-5), wgan-gp (gp 10, "
                        "n_critic 5, Adam 1e-4 betas 0, 0.9), dcgan (BatchNorm G, Adam 2e-4 beta1 0.5)")
    p.add_argument("--lr", type=float, help="learning rate of both networks (--lr-d and --lr-g win over it)")
    for section, cls in SECTIONS.items():
        group = p.add_argument_group(cls.__doc__.splitlines()[0].rstrip("."))
        for f in dataclasses.fields(cls):
            if f.name not in SKIPPED:
                add_setting(group, f)
    p.set_defaults(func=run)


def add_setting(group, f):
    """One flag for the setting `f` (a dataclass field of scratchgan.game.config); its value is None when not given."""
    flags = ("--" + f.name.replace("_", "-"),) + ALIASES.get(f.name, ())
    help = f.metadata["help"]
    choices = getattr(f.metadata["check"], "choices", None)
    if choices:
        help += f"; one of: {', '.join(choices)}"
    kind = setting_kind(f)
    if kind == "bool":
        group.add_argument(*flags, dest=f.name, action=argparse.BooleanOptionalAction, help=help)
    elif kind == "widths":
        group.add_argument(*flags, dest=f.name, type=layer_widths, metavar="W,W,...", help=help)
    else:
        metavar = {"int": "N", "float": "X"}.get(kind, "NAME")
        group.add_argument(*flags, dest=f.name, type=type(f.default), help=help, metavar=metavar)


def layer_widths(text):
    """'128,128' -> (128, 128): hidden widths from the command line (their check is the config's)."""
    try:
        return tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths like 128,128, got {text!r}") from None


class _ExitCode(Exception):
    """Ends run() from inside an attempt's training with this exit code (the message is printed)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def run(args):
    """Train a GAN on a toy dataset and write a run directory (see train_setup for the order of checks).

    Writes DIR/checkpoint.npz (also every --checkpoint-every steps), history.npz, samples.npy, metrics.json
    and the figures of plots.plot_run. With restarts (run.train_with_restarts), an attempt that fails
    its two-sample check is saved as DIR/checkpoint-attemptN.npz before the next one starts. Exit codes:
    0 done, 2 bad input (nothing written), 1 training diverged (the last good checkpoint stays), 130
    interrupted by Ctrl-C (a checkpoint is saved first).
    """
    trainer, out = train_setup(args)          # every check happens here, before anything is written
    ckpt_path = os.path.join(out, "checkpoint.npz")
    total = trainer.config.run.steps
    progress = None
    saved = {"step": None}
    recorder, recorders = None, {}             # each attempt's frames (--animate), by id of its trainer

    def save():
        trainer.check_finite()                 # never replace a good checkpoint by a diverged one
        checkpoint.save_checkpoint(trainer, ckpt_path)
        checkpoint.save_npz(os.path.join(out, "history.npz"), checkpoint.history_arrays(trainer.history))
        saved["step"] = trainer.step

    def on_log(tr):
        progress.update(tr)
        if recorder is not None:
            recorder(tr)
        if tr.step - (saved["step"] or 0) >= args.checkpoint_every:
            save()
        if interrupt.requested:
            raise KeyboardInterrupt

    def train_attempt(attempt):
        """Train one attempt to the end with progress, checkpoints, frames and Ctrl-C handling; a stop
        raises _ExitCode."""
        nonlocal trainer, progress, recorder, interrupt
        trainer, progress, recorder = attempt, Progress(attempt.step, total, sys.stderr), None
        saved["step"] = None
        print(f"training {trainer.config.run.data}: steps {trainer.step} -> {total}, writing to {out}",
              file=sys.stderr)
        if args.animate:
            recorder = recorders[id(attempt)] = plots.FrameRecorder()
            recorder(trainer)
        with DeferredInterrupt() as interrupt:
            try:
                trainer.train(total - trainer.step, callback=on_log)
                trainer.check_finite()
            except TrainingDiverged as e:
                progress.finish()
                where = (f"the last good checkpoint is {ckpt_path} (step {saved['step']})" if saved["step"]
                         else "this run wrote no checkpoint")
                print(f"error: {e}; {where}", file=sys.stderr)
                raise _ExitCode(1)
            except KeyboardInterrupt:
                progress.finish()
                if interrupt.hard:
                    print(f"interrupted twice: stopped mid-step {trainer.step + 1} without saving",
                          file=sys.stderr)
                    raise _ExitCode(130)
                try:
                    save()
                except TrainingDiverged as e:
                    print(f"interrupted; not saved, the parameters are not finite: {e}", file=sys.stderr)
                    raise _ExitCode(130)
                print(f"interrupted at step {trainer.step}: saved {ckpt_path}; continue with: "
                      f"python -m scratchgan train --out {out} --resume", file=sys.stderr)
                raise _ExitCode(130)
        progress.finish()

    def on_restart(rejected, check):
        kept = os.path.join(out, f"checkpoint-attempt{rejected.config.run.attempt + 1}.npz")
        save()
        os.replace(ckpt_path, kept)            # the rejected attempt stays on disk, under its own name
        print(f"attempt {rejected.config.run.attempt + 1}: the two-sample check rejects H0 (MMD p = "
              f"{check['p_value']:.3f} between the modes, {check['knn_p_value']:.3f} within them); saved it as "
              f"{kept}; training again from a fresh random stream", file=sys.stderr)

    interrupt = None
    start = time.perf_counter()
    try:
        kept, checks = train_with_restarts(trainer.config, trainer=trainer, train=train_attempt,
                                                    on_restart=on_restart)
    except _ExitCode as stop:
        return stop.code
    seconds = time.perf_counter() - start
    if kept is not trainer:
        print(f"keeping attempt {kept.config.run.attempt + 1}: its samples are the closest to the data "
              f"(smallest MMD^2)", file=sys.stderr)
        trainer = kept
    recorder = recorders.get(id(trainer))

    save()
    samples = trainer.sample(args.n_samples)
    checkpoint.save_npy(os.path.join(out, "samples.npy"), samples)
    results = final_metrics(trainer, samples)
    results.update(wall_time_s=round(seconds, 2), config=trainer.config.to_dict())
    if checks:
        results["two_sample_checks"] = checks
    checkpoint.save_json(os.path.join(out, "metrics.json"), results)
    if recorder is not None:
        plots.save_frames(recorder.frames, recorder.meta, os.path.join(out, "frames.npz"))
    figures = plots.plot_run(out, html=recorder is not None)     # --animate: animation.gif and animation.html

    print(summary(results, seconds))
    print(f"wrote {out}/: checkpoint.npz history.npz samples.npy metrics.json")
    print("figures: " + "  ".join(figures))
    return 0


def train_setup(args):
    """Check every argument, the checkpoint to resume and the output directory; return (trainer, out_dir).

    Order: option values, the dataset, the checkpoint (readable, complete, same configuration), then the
    output directory (created if needed and tested with a scratch file). Any problem is a UsageError
    before a single output file is written.
    """
    for name in ("n_samples", "checkpoint_every"):        # the command's own; the settings' are the config's
        value = getattr(args, name)
        if value <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if args.data is not None and is_table_path(args.data):
        table = get_dataset(args.data)         # read and check the file now: a bad one is one line, exit 2
        if args.animate and table.dim > 2:
            raise UsageError(f"--animate draws 1D and 2D data; {args.data} has {table.dim} columns (its samples.png "
                             f"shows them through their principal components)")
        args.data = os.path.abspath(args.data)
    elif args.data is not None:
        check_dataset_name(args.data)
    asked = settings_asked(args)

    if args.resume is None:
        if args.data is None:
            raise UsageError(f"--data is required; choose one of: {', '.join(DATASETS)}")
        out = args.out or os.path.join("runs", os.path.splitext(os.path.basename(args.data))[0])
        trainer = Trainer(default_config(**asked))
    else:
        if args.resume:
            path = args.resume
            out = args.out or os.path.dirname(path) or "."
        else:
            if args.out is None and args.data is None:
                raise UsageError("--resume without a CHECKPOINT needs --out DIR (it resumes DIR/checkpoint.npz)")
            out = args.out or os.path.join("runs", os.path.splitext(os.path.basename(args.data))[0])
            path = os.path.join(out, "checkpoint.npz")
        arrays = checkpoint.read_checkpoint(path)
        config = checkpoint.checkpoint_config(arrays)
        differ = [f"{name}={config.get(name)!r} there, {value!r} asked" for name, value in asked.items()
                  if name != "steps" and config.get(name) != value]
        if differ:
            raise UsageError(f"checkpoint {path} is from another configuration: {'; '.join(differ)}")
        if "steps" in asked:                       # more (or fewer) steps than first planned is allowed
            config = config.replace(steps=asked["steps"]).validate()
        done = int(arrays["step"])
        if done > config.run.steps:
            raise UsageError(f"checkpoint {path} is already at step {done}, beyond --steps {config.run.steps}")
        trainer = checkpoint.restore_trainer(Trainer(config), arrays, path=path)

    check_writable_dir(out)
    return trainer, out


def settings_asked(args):
    """{flat name: value} of the settings the command line gives: the preset's first, then --lr, then every
    flag given (which wins). --loss takes the short names too (wgan, ls, ...); --loss wgan-gp is --preset wgan-gp.
    --conditional turns off what does not combine with it, unless given."""
    asked = {name: getattr(args, name) for name in SECTION_OF
             if name not in SKIPPED and getattr(args, name) is not None}
    preset = args.preset
    if asked.get("loss") == "wgan-gp":
        preset = preset or "wgan-gp"
        del asked["loss"]
    if "loss" in asked:
        asked["loss"] = losses.ALIASES.get(asked["loss"], asked["loss"])
    merged = dict(PRESETS[preset]) if preset else {}
    if args.lr is not None:
        merged.update(lr_d=args.lr, lr_g=args.lr)
    if asked.get("conditional"):     # the label replaces the mixtures' latent code; their filters do not apply
        merged.update(latent_classes=0, pack=1, truncation=0.0, rejection=0.0, restarts=0)
    merged.update(asked)
    return merged


def summary(m, seconds):
    """One line of a run's results for the terminal."""
    parts = [f"{m['data']}: {m['step']} steps in {seconds:.1f} s"]
    checks = m.get("two_sample_checks", [])
    if len(checks) > 1:
        parts[0] += (f" ({len(checks)} attempts, the first failing its two-sample check; "
                     f"kept attempt {TrainConfig.from_dict(m['config']).run.attempt + 1})")
    model = m.get("config", {}).get("model", {})
    if model.get("pieces") and model.get("latent_classes"):      # found by the trainer (scratchgan/data/pieces.py)
        parts.append(f"{model['latent_classes']} pieces found in the data")
    if "classes" in m:                         # digits (digit_metrics.digit_report)
        parts.append(f"{m['classes']}/{m['n_classes']} digits hold >= 2% of the samples, class reverse KL "
                     f"{m['class_reverse_kl']:.4f}, classifier confidence {m['confidence']:.3f} "
                     f"(real {m['real_confidence']:.3f}), Frechet distance {m['frechet_distance']:.1f} "
                     f"(real vs real {m['frechet_floor']:.1f}), copying: {'YES' if m['copying'] else 'no'}")
    elif "modes" in m:
        parts.append(f"{m['modes']}/{m['n_modes']} modes, {100 * m['high_quality']:.1f}% high quality "
                     f"(within 3 std of a centre), reverse KL {m['reverse_kl']:.4f}")
        if m.get("spread_median") is not None:
            parts.append(f"mode width {m['spread_median']:.2f} of the data's in the median, {m['spread_min']:.2f} "
                         f"at the narrowest (spread about each mode's own mean)")
    elif len(m["sample_mean"]) > 4:
        parts.append(f"{len(m['sample_mean'])} columns")
    else:
        mean = ", ".join(f"{v:.3f}" for v in m["sample_mean"])
        std = ", ".join(f"{v:.3f}" for v in m["sample_std"])
        parts.append(f"sample mean ({mean}), std ({std})")
    if "mmd_p_value" in m:
        parts.append(f"MMD p = {m['mmd_p_value']:.3f}, at a local width p = {m['knn_mmd_p_value']:.3f}, "
                     f"C2ST accuracy {m['c2st_accuracy']:.3f} (p = {m['c2st_p_value']:.3f})")
    return "; ".join(parts)
