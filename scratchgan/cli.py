"""The command line: `python -m scratchgan COMMAND ...` (also installed as `scratchgan`).

Each command is a `cmd_*` function taking the parsed arguments. A mistake of the user's (a bad value, a
missing file) raises UsageError or ValueError, which `main` prints as one line `error: ...` with exit code 2.
"""

import argparse
import os
import sys

import numpy as np


class UsageError(Exception):
    """A problem with the user's input, reported as one line and exit code 2."""


# ---------------------------------------------------------------------------------------------------------
# gradcheck
# ---------------------------------------------------------------------------------------------------------

def cmd_gradcheck(args):
    """Check every layer, activation, loss and the two GAN compositions against central differences."""
    from . import gradcheck, losses, nn

    rng = np.random.default_rng(args.seed)
    f64 = np.float64
    rows = []

    def add(kind, name, result):
        rows.append((kind, name, result))

    # Layers and activations: L = sum(w * layer(x)) with random w.
    modules = [
        ("layer", nn.Linear(3, 4, rng=rng, dtype=f64)),
        ("activation", nn.ReLU()),
        ("activation", nn.LeakyReLU(0.2)),
        ("activation", nn.Tanh()),
        ("activation", nn.Sigmoid()),
        ("activation", nn.Softplus()),
    ]
    modules += [("layer", m) for m in _extra_layers(rng)]
    for kind, m in modules:
        n_in = getattr(m, "n_in", None) or getattr(m, "n_features", None) or 3
        add(kind, repr(m), gradcheck.check_module(m, rng.standard_normal((6, n_in))))

    # Losses: each gradient with respect to the logits.
    for name in losses.LOSSES:
        add("loss", name, _check_loss(losses.get_loss(name), rng))

    # The compositions training differentiates.
    for name in losses.LOSSES:
        G = nn.mlp([4, 16, 16, 2], rng=rng, activation="relu", dtype=f64)
        D = nn.mlp([2, 16, 16, 1], rng=rng, activation="leaky_relu", dtype=f64)
        x_real, z = _off_kinks(rng, (8, 2), D), _off_kinks(rng, (8, 4), G, D)
        res = gradcheck.check_gan(G, D, losses.get_loss(name), x_real, z)
        add("composite", f"{name}: L_D -> D params", res["discriminator"])
        add("composite", f"{name}: L_G -> D -> G params", res["generator"])

    rows += _extra_checks(rng)

    worst = max(r.max_error for _, _, r in rows)
    width = max(len(n) for _, n, _ in rows)
    print(f"{'kind':<10}  {'what':<{width}}  max rel. error")
    for kind, name, r in rows:
        flag = "" if r.max_error < args.tol else "   <-- FAILS"
        print(f"{kind:<10}  {name:<{width}}  {r.max_error:.1e}{flag}")
    print(f"{len(rows)} checks, worst relative error {worst:.1e} (tolerance {args.tol:g})")
    return 0 if worst < args.tol else 1


def _check_loss(objective, rng):
    """Gradient check of d_loss and g_loss with respect to the logits."""
    from . import gradcheck

    real = rng.standard_normal((7, 1)) * 3
    fake = rng.standard_normal((5, 1)) * 3
    _, d_real, d_fake = objective.d_loss(real, fake)
    res = gradcheck.check_function(lambda: objective.d_loss(real, fake)[0],
                                   {"real_logits": real, "fake_logits": fake},
                                   {"real_logits": d_real, "fake_logits": d_fake})
    _, g_fake = objective.g_loss(fake)
    return res.merge(gradcheck.check_function(lambda: objective.g_loss(fake)[0],
                                              {"fake_logits(G)": fake}, {"fake_logits(G)": g_fake}))


def _off_kinks(rng, shape, *nets, margin=1e-3):
    """x ~ N(0, I) of this shape, redrawn until no ReLU / LeakyReLU input of the nets (applied in turn) is
    within `margin` of the kink: a central difference straddling a kink measures the jump, not f'."""
    from . import nn

    while True:
        x = rng.standard_normal(shape)
        h, ok = x, True
        for net in nets:
            for layer in getattr(net, "layers", [net]):
                if isinstance(layer, (nn.ReLU, nn.LeakyReLU)) and np.abs(h).min() < margin:
                    ok = False
                h = layer.forward(h)
        if ok:
            return x


def _extra_layers(rng):
    """Layers added beyond the basics (BatchNorm, ...) register here."""
    from .batchnorm import BatchNorm

    bn = BatchNorm(4, dtype=np.float64)
    bn.gamma.data[:] = rng.standard_normal(4)
    bn.beta.data[:] = rng.standard_normal(4)
    return [bn]


def _extra_checks(rng):
    """Further (kind, name, GradCheckResult) rows: the double backprop of the penalties (each activation),
    feature matching and PacGAN through D into G, the MMD term and the warm start's regression into G,
    historical averaging, BatchNorm in eval mode."""
    from . import gradcheck, losses, mmd, nn, penalties, tricks, warmstart
    from .batchnorm import BatchNorm
    from .training import generator_backward

    f64 = np.float64
    rows = []

    def params_check(value, module, prefix):
        arrays = {f"{prefix}.{p.name}{i}": p.data for i, p in enumerate(module.parameters())}
        analytic = {f"{prefix}.{p.name}{i}": p.grad.copy() for i, p in enumerate(module.parameters())}
        return gradcheck.check_function(value, arrays, analytic)

    # The penalties' gradient with respect to D's parameters: the hand-derived double backprop.
    for act in nn.ACTIVATIONS:
        for name, fn in penalties.PENALTIES.items():
            D = nn.mlp([3, 8, 8, 8, 1], rng=rng, activation=act, dtype=f64)
            x = _off_kinks(rng, (6, 3), D)
            D.zero_grad()
            fn(D, x, 1.0)
            rows.append(("double-bp", f"{name} -> D params, {act} D",
                         params_check(lambda: fn(D, x, 1.0), D, "D")))

    G = nn.mlp([4, 16, 2], rng=rng, activation="tanh", dtype=f64)
    D = nn.mlp([2, 16, 16, 1], rng=rng, activation="tanh", dtype=f64)
    x_real, z = rng.standard_normal((10, 2)), rng.standard_normal((8, 4))
    d = tricks.feature_layers(D, tricks.default_feature_layer(D))

    def fm():
        u = d.forward(x_real).mean(axis=0) - d.forward(G.forward(z)).mean(axis=0)
        return float(u @ u)

    G.zero_grad()
    tricks.feature_matching_backward(G, D, x_real, z)
    rows.append(("composite", "feature matching -> D -> G params", params_check(fm, G, "G")))

    scale, bandwidths = np.array([0.5, 2.0]), (0.25, 1.0)
    G.zero_grad()
    mmd.mmd_generator_backward(G, x_real, z, bandwidths, weight=2.0, scale=scale)
    rows.append(("composite", "MMD^2(G(z), x_real) -> G params",
                 params_check(lambda: 2.0 * mmd.mmd2_and_grad(G.forward(z) / scale, x_real / scale, bandwidths)[0],
                              G, "G")))

    target = rng.standard_normal((8, 2))
    G.zero_grad()
    warmstart.regression_backward(G, z, target, scale)
    rows.append(("composite", "warm start: ||(G(z) - T(z)) / s||^2 -> G params",
                 params_check(lambda: float(np.sum(((G.forward(z) - target) / scale) ** 2) / len(z)), G, "G")))

    P = tricks.Packed(nn.mlp([4, 16, 1], rng=rng, activation="softplus", dtype=f64), 2)
    objective = losses.NonSaturating()
    G.zero_grad()
    generator_backward(G, P, objective, z)
    rows.append(("composite", "PacGAN m=2: L_G -> packed D -> G params",
                 params_check(lambda: objective.g_loss(P.forward(G.forward(z)))[0], G, "G")))

    ha = tricks.HistoricalAverage(G.parameters(), weight=0.5)
    for p in G.parameters():
        p.data += 0.1 * rng.standard_normal(p.shape)
    ha.update()
    G.zero_grad()
    ha.backward()
    rows.append(("trick", "historical averaging -> params",
                 params_check(lambda: 0.5 * sum(float(np.sum((p.data - a) ** 2))
                                                for p, a in zip(G.parameters(), ha.avg)), G, "G")))

    bn = BatchNorm(4, dtype=f64)
    bn.forward(rng.normal(1.0, 2.0, (16, 4)))
    bn.eval()
    rows.append(("layer", "BatchNorm(4), eval mode", gradcheck.check_module(bn, rng.standard_normal((6, 4)))))
    return rows


# ---------------------------------------------------------------------------------------------------------
# plot
# ---------------------------------------------------------------------------------------------------------

def cmd_plot(args):
    """Redraw every figure of a finished run (curves.png, frame.png, animation.gif) from its files."""
    from . import plots

    for path in plots.plot_run(args.run_dir):
        print(f"wrote {path}")
    return 0


# ---------------------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------------------

class _ExitCode(Exception):
    """Ends cmd_train from inside an attempt's training with this exit code (the message is printed)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def cmd_train(args):
    """Train a GAN on a toy dataset and write a run directory (see _train_setup for the order of checks).

    Writes DIR/checkpoint.npz (also every --checkpoint-every steps), history.npz, samples.npy, metrics.json
    and the figures of plots.plot_run. With restarts (training.train_with_restarts), an attempt that fails
    its two-sample check is saved as DIR/checkpoint-attemptN.npz before the next one starts. Exit codes:
    0 done, 2 bad input (nothing written), 1 training diverged (the last good checkpoint stays), 130
    interrupted by Ctrl-C (a checkpoint is saved first).
    """
    import time

    from . import checkpoint, plots, training
    from .training import TrainingDiverged, final_metrics

    trainer, out = _train_setup(args)          # every check happens here, before anything is written
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
        trainer, progress, recorder = attempt, _Progress(attempt.step, total, sys.stderr), None
        saved["step"] = None
        print(f"training {trainer.config.data}: steps {trainer.step} -> {total}, writing to {out}",
              file=sys.stderr)
        if args.animate:
            recorder = recorders[id(attempt)] = plots.FrameRecorder()
            recorder(trainer)
        with _DeferredInterrupt() as interrupt:
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
        kept, checks = training.train_with_restarts(trainer.config, trainer=trainer, train=train_attempt,
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
    figures = plots.plot_run(out)

    print(_summary(results, seconds))
    print(f"wrote {out}/: checkpoint.npz history.npz samples.npy metrics.json")
    print("figures: " + "  ".join(figures))
    return 0


def _train_setup(args):
    """Check every argument, the checkpoint to resume and the output directory; return (trainer, out_dir).

    Order: option values, the dataset, the checkpoint (readable, complete, same configuration), then the
    output directory (created if needed and tested with a scratch file). Any problem is a UsageError or
    ValueError before a single output file is written.
    """
    from . import checkpoint, training
    from .data import DATASETS

    for name in ("steps", "k", "batch", "n_samples", "checkpoint_every"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if args.lr is not None and not (np.isfinite(args.lr) and args.lr > 0):
        raise UsageError(f"--lr must be a positive number, got {args.lr}")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.data is not None and args.data not in DATASETS:
        raise UsageError(f"unknown dataset {args.data!r}; choose one of: {', '.join(DATASETS)}")
    asked = {name: getattr(args, name) for name in ("data", "loss", "steps", "k", "batch", "seed")
             if getattr(args, name) is not None}
    if args.lr is not None:
        asked.update(lr_d=args.lr, lr_g=args.lr)
    asked = _fix_options(args, asked)

    if args.resume is None:
        if args.data is None:
            raise UsageError(f"--data is required; choose one of: {', '.join(DATASETS)}")
        out = args.out or os.path.join("runs", args.data)
        trainer = training.Trainer(training.default_config(**asked))
    else:
        if args.resume:
            path = args.resume
            out = args.out or os.path.dirname(path) or "."
        else:
            if args.out is None and args.data is None:
                raise UsageError("--resume without a CHECKPOINT needs --out DIR (it resumes DIR/checkpoint.npz)")
            out = args.out or os.path.join("runs", args.data)
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
        trainer = checkpoint.restore_trainer(training.Trainer(config), arrays, path=path)

    _check_writable_dir(out)
    return trainer, out


FIX_OPTIONS = ("lr_g", "lr_d", "optimizer", "beta1", "beta2", "penalty", "penalty_weight", "clip", "pack", "ema",
               "label_smoothing", "instance_noise", "hist_avg", "truncation", "rejection", "mmd", "g_init",
               "restarts")


def _fix_options(args, asked):
    """Merge the fixes' options into `asked`: first the preset's settings, then everything given explicitly
    (which wins). --loss takes the short names too (wgan, ls, ...); --loss wgan-gp is --preset wgan-gp."""
    from . import losses, training

    preset = args.preset
    if asked.get("loss") == "wgan-gp":
        preset = preset or "wgan-gp"
        del asked["loss"]
    if "loss" in asked:
        asked["loss"] = losses.ALIASES.get(asked["loss"], asked["loss"])
    merged = dict(training.PRESETS[preset]) if preset else {}
    merged.update(asked)
    for name in FIX_OPTIONS:
        if getattr(args, name) is not None:
            merged[name] = getattr(args, name)
    if args.feature_matching:
        merged["feature_matching"] = True
    return merged


def _check_writable_dir(out):
    """Create directory `out` if needed and prove it writable with a scratch file; else a UsageError."""
    import tempfile

    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"cannot write to --out {out}: it exists and is not a directory")
    try:
        os.makedirs(out, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        raise UsageError(f"cannot write to --out {out}: {e.strerror or e}") from None


class _DeferredInterrupt:
    """While active, a first Ctrl-C (SIGINT) only sets .requested, so training stops between two steps
    (the callback checks it) and a consistent checkpoint can be saved; a second one interrupts at once
    (.hard). Outside the main thread signals cannot be caught, and this does nothing."""

    def __enter__(self):
        import signal

        self.requested = self.hard = False
        self._previous = None
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:
            pass
        return self

    def _handle(self, signum, frame):
        if self.requested:
            self.hard = True
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


class _Progress:
    """One status line on `stream`: step, both losses, D's outputs, steps/s and the time left.

    On a terminal it is redrawn in place (carriage return) a few times a second; otherwise a line is
    printed about every tenth of the run."""

    def __init__(self, start, total, stream):
        import time

        self.step0, self.total, self.stream = start, total, stream
        self.tty = stream.isatty()
        self.t0 = self.last = time.perf_counter()
        self.next_step = 0
        self.drawn = False

    def update(self, trainer):
        import time

        now = time.perf_counter()
        if self.tty and now - self.last < 0.25 or not self.tty and trainer.step < self.next_step:
            return
        self.last = now
        self.next_step = trainer.step + max(1, self.total // 10)
        h = trainer.history
        rate = (trainer.step - self.step0) / max(now - self.t0, 1e-9)
        left = (self.total - trainer.step) / max(rate, 1e-9)
        line = (f"step {trainer.step:>{len(str(self.total))}}/{self.total}  loss_d {h['loss_d'][-1]:.3f}  "
                f"loss_g {h['loss_g'][-1]:.3f}  D(x) {h['d_real'][-1]:.2f}  D(G(z)) {h['d_fake'][-1]:.2f}  "
                f"{rate:.0f} steps/s  {left:.0f} s left")
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()
        self.drawn = True

    def finish(self):
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
        self.drawn = False


def _summary(m, seconds):
    """One line of a run's results for the terminal."""
    parts = [f"{m['data']}: {m['step']} steps in {seconds:.1f} s"]
    checks = m.get("two_sample_checks", [])
    if len(checks) > 1:
        parts[0] += (f" ({len(checks)} attempts, the first failing its two-sample check; "
                     f"kept attempt {m['config']['attempt'] + 1})")
    if "modes" in m:
        parts.append(f"{m['modes']}/{m['n_modes']} modes, {100 * m['high_quality']:.1f}% high quality "
                     f"(within 3 std of a centre), reverse KL {m['reverse_kl']:.4f}")
    else:
        mean = ", ".join(f"{v:.3f}" for v in m["sample_mean"])
        std = ", ".join(f"{v:.3f}" for v in m["sample_std"])
        parts.append(f"sample mean ({mean}), std ({std})")
    if "mmd_p_value" in m:
        parts.append(f"MMD p = {m['mmd_p_value']:.3f}, C2ST accuracy {m['c2st_accuracy']:.3f} "
                     f"(p = {m['c2st_p_value']:.3f})")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------------------
# bench
# ---------------------------------------------------------------------------------------------------------

def cmd_bench(args):
    """Time the reference training step of ../shared/bench/README.md; the last line is `<number> steps/s`."""
    from .bench import max_rss_bytes, peak_memory, run_bench

    dtype = "float64" if args.float64 else "float32"
    print(f"reference step: ring8, G 16-128-128-2 ReLU, D 2-128-128-1 LeakyReLU(0.2), batch 256+256, "
          f"non-saturating, k=1, Adam lr 1e-4 betas (0.5, 0.999), {dtype}; "
          f"{args.warmup} warm-up steps, {args.steps} timed")
    dtypes = [dtype] if args.float64 else ["float64", "float32"]     # float32, the reference, is timed last
    for dt in dtypes:
        print(f"{dt}: peak memory of the trainer and its step {peak_memory(dt) / 2**20:.1f} MiB (tracemalloc)")
    rate = None
    for dt in dtypes:
        # float64 alongside float32 gets a fifth of the steps: its figure is for comparison only
        steps = args.steps if dt == dtype else max(1, args.steps // 5)
        rate, _ = run_bench(steps=steps, warmup=args.warmup, dtype=dt)
        print(f"{dt}: {rate:.1f} steps/s ({steps} timed steps)")
    print(f"peak resident memory of the process {max_rss_bytes() / 2**20:.0f} MiB")
    print(f"{rate:.1f} steps/s")
    return 0


def cmd_modes(args):
    """The mode-collapse benchmark (scratchgan.modebench): train, score, write a markdown table."""
    from . import modebench
    from .data import DATASETS, get_dataset

    methods = args.methods or list(modebench.METHODS)
    for name in args.data:
        if name not in DATASETS or get_dataset(name).centers is None:
            raise UsageError(f"modes needs a mixture of Gaussians with centres (ring8, grid25), got {name!r}")
    if args.seeds <= 0 or args.jobs <= 0 or (args.steps is not None and args.steps <= 0):
        raise UsageError("--seeds, --jobs and --steps must be positive")
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    _check_writable_dir(out_dir)
    seeds = list(range(1, args.seeds + 1))
    results = modebench.run_all(args.data, methods, seeds, steps=args.steps, jobs=args.jobs,
                                log=lambda line: print(line, file=sys.stderr, flush=True))
    text = modebench.table(results, args.data, methods)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.replace(tmp, args.out)
    print(text)
    print(f"wrote {args.out}")
    return 0


# ---------------------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------------------

class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a malformed command line (say `--steps abc`) gets one line `error: ...` and exit code 2,
    like every other mistake, instead of a usage block. Subcommand parsers inherit the class."""

    def error(self, message):
        print(f"error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser():
    parser = OneLineErrorParser(prog="scratchgan", description="GANs from scratch in NumPy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("gradcheck", help="check every hand-written gradient against finite differences")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tol", type=float, default=1e-6, help="largest acceptable relative error")
    p.set_defaults(func=cmd_gradcheck)

    p = sub.add_parser("train", help="train a GAN on a toy dataset, write samples, metrics and figures")
    p.add_argument("--data", metavar="NAME", help="gaussian, mixture1d, ring8, grid25, spiral or moons")
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
    p.add_argument("--animate", action="store_true", help="record frames and write animation.gif")
    f = p.add_argument_group("the fixes (README: 'The fixes')")
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
    f.add_argument("--pack", type=int, metavar="M", help="PacGAN: D judges M samples at once")
    f.add_argument("--ema", type=float, metavar="DECAY", help="sample from an EMA of G's weights (0: off)")
    f.add_argument("--truncation", type=float, metavar="Q",
                   help="reject the fraction Q of samples with the largest ||dG/dz|| (0: off)")
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
    f.add_argument("--hist-avg", type=float, metavar="W", help="historical averaging weight")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("bench", help="time the reference training step (last line: N steps/s)")
    p.add_argument("--steps", type=int, default=2000, help="timed steps (default 2000)")
    p.add_argument("--warmup", type=int, default=100, help="untimed steps first (default 100)")
    p.add_argument("--float64", action="store_true", help="run in float64 instead of float32")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("modes", help="mode-collapse benchmark: every method on ring8 and grid25 over seeds")
    p.add_argument("--data", nargs="+", default=["ring8", "grid25"], help="datasets (default: ring8 grid25)")
    p.add_argument("--methods", nargs="+", help="methods (default: all of scratchgan.modebench.METHODS)")
    p.add_argument("--seeds", type=int, default=5, help="how many seeds, 1..N (default 5)")
    p.add_argument("--steps", type=int, help="override every method's training steps (default: the dataset's)")
    p.add_argument("--jobs", type=int, default=2, help="runs in parallel (default 2, one per core)")
    p.add_argument("--out", default="runs/modes.md", metavar="FILE", help="markdown table (default runs/modes.md)")
    p.set_defaults(func=cmd_modes)

    p = sub.add_parser("plot", help="redraw the figures of a finished run from its files")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a directory written by `train --out RUN_DIR`")
    p.set_defaults(func=cmd_plot)

    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
