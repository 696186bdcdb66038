"""`scratchgan train`: train a GAN, checkpointing as it goes, then write samples, metrics and figures.

Exit codes: 0 done; 2 bad input (nothing written); 1 training diverged (the last good checkpoint stays), or
a bug (scratchgan.cli.main prints its traceback); 130 interrupted by Ctrl-C (a checkpoint is saved first).
"""

import os
import sys
import time

import numpy as np

from .. import checkpoint, losses, plots
from ..config import PRESETS, default_config
from ..data import DATASETS, check_dataset_name, get_dataset, is_table_path
from ..errors import UsageError
from ..run import final_metrics, train_with_restarts
from ..trainer import Trainer, TrainingDiverged
from .outdir import check_writable_dir
from .progress import DeferredInterrupt, Progress


def add_parser(sub):
    """The `train` subcommand and its options, on the subparsers `sub`."""
    p = sub.add_parser("train", help="train a GAN on a toy dataset, write samples, metrics and figures")
    p.add_argument("--data", metavar="NAME", help="gaussian, mixture1d, ring8, grid25, spiral, moons, digits, or "
                                                  "PATH: a table of your own (.npy, .npz, .csv, .txt)")
    p.add_argument("--loss", help="minimax, nonsaturating (the default), wasserstein (wgan), hinge, "
                                  "least_squares (ls); wgan-gp means --preset wgan-gp")
    p.add_argument("--steps", type=int, help="training iterations in total (default: the dataset's)")
    p.add_argument("--k", "--n-critic", dest="k", type=int,
                   help="discriminator (critic) steps per generator step")
    p.add_argument("--batch", type=int, help="minibatch size")
    p.add_argument("--lr", type=float, help="learning rate of both networks")
    p.add_argument("--seed", type=int, help="the seed of every random draw (default 0)")
    p.add_argument("--out", metavar="DIR", help="output directory (default runs/NAME)")
    p.add_argument("--n-samples", type=int, default=10000, metavar="M", help="samples to write (default 10000)")
    p.add_argument("--resume", nargs="?", const="", metavar="CHECKPOINT",
                   help="continue from CHECKPOINT (default DIR/checkpoint.npz)")
    p.add_argument("--checkpoint-every", type=int, default=1000, metavar="N",
                   help="save a checkpoint every N steps (default 1000)")
    p.add_argument("--animate", action="store_true",
                   help="record frames; write animation.gif and animation.html (a player you can pause and step)")
    f = p.add_argument_group("the fixes (docs/fixes.md)")
    f.add_argument("--preset", choices=["wgan", "wgan-gp", "dcgan"],
                   help="the paper's settings: wgan (clip 0.01, n_critic 5, RMSprop 5e-5), wgan-gp (gp 10, "
                        "n_critic 5, Adam 1e-4 betas 0, 0.9), dcgan (BatchNorm G, Adam 2e-4 beta1 0.5)")
    f.add_argument("--lr-g", type=float, help="G's learning rate (overrides --lr)")
    f.add_argument("--lr-d", type=float, help="D's learning rate (overrides --lr)")
    f.add_argument("--optimizer", help="adam, rmsprop or sgd")
    f.add_argument("--beta1", type=float, help="Adam's beta1")
    f.add_argument("--beta2", type=float, help="Adam's beta2")
    f.add_argument("--penalty", help="none, gp (WGAN-GP on interpolates) or r1 (on real data)")
    f.add_argument("--penalty-weight", type=float, metavar="W", help="lambda of gp, gamma of r1 (default 10)")
    f.add_argument("--clip", type=float, metavar="C", help="clip D's weights to [-C, C] after each D-step (WGAN)")
    f.add_argument("--latent-classes", type=int, metavar="C",
                   help="z carries a discrete code of C classes, so G can give each a mode of its own "
                        "(scratchgan/latent.py; 0: no code)")
    f.add_argument("--pack", type=int, metavar="M", help="PacGAN: D judges M samples at once")
    f.add_argument("--ema", type=float, metavar="DECAY", help="sample from an EMA of G's weights (0: off)")
    f.add_argument("--truncation", type=float, metavar="Q",
                   help="reject the fraction Q of samples with the largest ||dG/deps||, eps being z without its "
                        "class code (0: off)")
    f.add_argument("--rejection", type=float, metavar="SIGMA",
                   help="end sampling with discriminator rejection, its D fitted on inputs blurred by SIGMA (0: off)")
    f.add_argument("--g-init", choices=["random", "moments"],
                   help="moments: first fit G to the affine map with the data's mean and covariance "
                        "(scratchgan/warmstart.py)")
    f.add_argument("--restarts", type=int, metavar="N",
                   help="train again, at most N times, when the finished run fails its MMD two-sample check")
    f.add_argument("--mmd", type=float, metavar="W",
                   help="add W * MMD^2(G(z), data) to G's loss, Gaussian kernels (scratchgan/mmd.py; 0: off)")
    f.add_argument("--label-smoothing", type=float, metavar="ALPHA", help="one-sided: real label 1 - ALPHA")
    f.add_argument("--instance-noise", type=float, metavar="SIGMA",
                   help="N(0, SIGMA^2) noise on D's inputs, annealed to 0")
    f.add_argument("--feature-matching", action="store_true", help="G matches the mean of D's last hidden layer")
    f.add_argument("--conditional", action="store_true",
                   help="G(z, y) and D(x, y) on labelled data (digits; a mixture's component): sample --label K")
    f.add_argument("--hist-avg", type=float, metavar="W", help="historical averaging weight")
    p.set_defaults(func=run)


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
    total = trainer.config.steps
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
        print(f"training {trainer.config.data}: steps {trainer.step} -> {total}, writing to {out}",
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
        kept = os.path.join(out, f"checkpoint-attempt{rejected.config.attempt + 1}.npz")
        save()
        os.replace(ckpt_path, kept)            # the rejected attempt stays on disk, under its own name
        print(f"attempt {rejected.config.attempt + 1}: the two-sample check rejects H0 (MMD p = "
              f"{check['p_value']:.3f}); saved it as {kept}; training again from a fresh random stream",
              file=sys.stderr)

    interrupt = None
    start = time.perf_counter()
    try:
        kept, checks = train_with_restarts(trainer.config, trainer=trainer, train=train_attempt,
                                                    on_restart=on_restart)
    except _ExitCode as stop:
        return stop.code
    seconds = time.perf_counter() - start
    if kept is not trainer:
        print(f"keeping attempt {kept.config.attempt + 1}: its samples are the closest to the data "
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
    for name in ("steps", "k", "batch", "n_samples", "checkpoint_every"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if args.lr is not None and not (np.isfinite(args.lr) and args.lr > 0):
        raise UsageError(f"--lr must be a positive number, got {args.lr}")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.data is not None and is_table_path(args.data):
        table = get_dataset(args.data)         # read and check the file now: a bad one is one line, exit 2
        if args.animate and table.dim > 2:
            raise UsageError(f"--animate draws 1D and 2D data; {args.data} has {table.dim} columns (its samples.png "
                             f"shows them through their principal components)")
        args.data = os.path.abspath(args.data)
    elif args.data is not None:
        check_dataset_name(args.data)
    asked = {name: getattr(args, name) for name in ("data", "loss", "steps", "k", "batch", "seed")
             if getattr(args, name) is not None}
    if args.lr is not None:
        asked.update(lr_d=args.lr, lr_g=args.lr)
    asked = fix_options(args, asked)

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
        differ = [f"{name}={getattr(config, name)!r} there, {value!r} asked" for name, value in asked.items()
                  if name != "steps" and getattr(config, name) != value]
        if differ:
            raise UsageError(f"checkpoint {path} is from another configuration: {'; '.join(differ)}")
        if "steps" in asked:                       # more (or fewer) steps than first planned is allowed
            config.steps = asked["steps"]
        done = int(arrays["step"])
        if done > config.steps:
            raise UsageError(f"checkpoint {path} is already at step {done}, beyond --steps {config.steps}")
        trainer = checkpoint.restore_trainer(Trainer(config), arrays, path=path)

    check_writable_dir(out)
    return trainer, out


FIX_OPTIONS = ("lr_g", "lr_d", "optimizer", "beta1", "beta2", "penalty", "penalty_weight", "clip", "latent_classes",
               "pack", "ema", "label_smoothing", "instance_noise", "hist_avg", "truncation", "rejection", "mmd",
               "g_init", "restarts")


def fix_options(args, asked):
    """Merge the fixes' options into `asked`: first the preset's settings, then everything given explicitly
    (which wins). --loss takes the short names too (wgan, ls, ...); --loss wgan-gp is --preset wgan-gp."""
    preset = args.preset
    if asked.get("loss") == "wgan-gp":
        preset = preset or "wgan-gp"
        del asked["loss"]
    if "loss" in asked:
        asked["loss"] = losses.ALIASES.get(asked["loss"], asked["loss"])
    merged = dict(PRESETS[preset]) if preset else {}
    merged.update(asked)
    for name in FIX_OPTIONS:
        if getattr(args, name) is not None:
            merged[name] = getattr(args, name)
    if args.feature_matching:
        merged["feature_matching"] = True
    if args.conditional:      # the label replaces the mixtures' latent code; their filters do not apply
        off = dict(latent_classes=0, pack=1, truncation=0.0, rejection=0.0, restarts=0)
        merged.update(conditional=True, **off)
        merged.update({name: getattr(args, name) for name in off if getattr(args, name) is not None})
    return merged


def summary(m, seconds):
    """One line of a run's results for the terminal."""
    parts = [f"{m['data']}: {m['step']} steps in {seconds:.1f} s"]
    checks = m.get("two_sample_checks", [])
    if len(checks) > 1:
        parts[0] += (f" ({len(checks)} attempts, the first failing its two-sample check; "
                     f"kept attempt {m['config']['attempt'] + 1})")
    if "classes" in m:                         # digits (digit_metrics.digit_report)
        parts.append(f"{m['classes']}/{m['n_classes']} digits hold >= 2% of the samples, class reverse KL "
                     f"{m['class_reverse_kl']:.4f}, classifier confidence {m['confidence']:.3f} "
                     f"(real {m['real_confidence']:.3f}), Frechet distance {m['frechet_distance']:.1f} "
                     f"(real vs real {m['frechet_floor']:.1f}), copying: {'YES' if m['copying'] else 'no'}")
    elif "modes" in m:
        parts.append(f"{m['modes']}/{m['n_modes']} modes, {100 * m['high_quality']:.1f}% high quality "
                     f"(within 3 std of a centre), reverse KL {m['reverse_kl']:.4f}")
    elif len(m["sample_mean"]) > 4:
        parts.append(f"{len(m['sample_mean'])} columns")
    else:
        mean = ", ".join(f"{v:.3f}" for v in m["sample_mean"])
        std = ", ".join(f"{v:.3f}" for v in m["sample_std"])
        parts.append(f"sample mean ({mean}), std ({std})")
    if "mmd_p_value" in m:
        parts.append(f"MMD p = {m['mmd_p_value']:.3f}, C2ST accuracy {m['c2st_accuracy']:.3f} "
                     f"(p = {m['c2st_p_value']:.3f})")
    return "; ".join(parts)
