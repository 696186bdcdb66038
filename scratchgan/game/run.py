"""A whole run: train to the end, train again when the finished run fails its two-sample check, report, reload.

train_with_restarts   train a config to the end; restart from a fresh random stream while the finished
                      run's samples fail the MMD two-sample check (sampling.two_sample_check)
final_metrics         the numbers a finished run writes to metrics.json
load_run, Run         a finished run, loaded from its directory, to draw new samples from as the run would:
                          run = scratchgan.load_run("runs/ring8")
                          x = run.sample(1000, seed=0)      # (1000, dim), the run's own sampler
                      (`python -m scratchgan sample RUN_DIR -n N --out FILE` from the command line)
"""

import math
import os

import numpy as np

from ..engine.errors import UsageError
from ..measure import digits, metrics
from .checkpoint import load_trainer
from .trainer import Trainer


def train_to_the_end(trainer):
    """Train until trainer.step reaches trainer.config.run.steps (the default `train` of train_with_restarts)."""
    return trainer.train(trainer.config.run.steps - trainer.step)


def train_with_restarts(config, *, trainer=None, train=train_to_the_end, on_restart=None):
    """Train to config.run.steps; while the finished run fails its two-sample check and its attempt number is
    below config.run.restarts, train again from a fresh random stream (config.run.attempt + 1). Of the attempts,
    keep the one whose samples the check found closest to the data (smallest MMD^2 of its first test, at the
    width between the modes).

    GAN training is a non-convex game: on grid25, with the connected latent of the earlier recipe, about one
    seed in eight ended with a mode G never filled (docs/modes.md, "Before the discrete latent"). The check
    sees it without knowing where the modes are, so, like k-means run from several starts, a failed run is
    simply run again.

    trainer: start from this one (e.g. resumed from a checkpoint) instead of Trainer(config).
    train: function(trainer) that trains it to the end (the command line's adds checkpoints and progress).
    on_restart: function(trainer, check), called with each rejected attempt before the next one starts.
    Returns (kept trainer, the check result of every attempt in order; empty when config.run.restarts = 0)."""
    trainer = Trainer(config) if trainer is None else trainer
    train(trainer)
    best, best_mmd2, checks = trainer, math.inf, []
    while config.run.restarts:
        check = trainer.two_sample_check()
        checks.append(check)
        if check["mmd2"] < best_mmd2:
            best, best_mmd2 = trainer, check["mmd2"]
        if not check["rejects"] or trainer.config.run.attempt >= config.run.restarts:
            break
        if on_restart is not None:
            on_restart(trainer, check)
        trainer = Trainer(trainer.config.replace(attempt=trainer.config.run.attempt + 1))
        train(trainer)
    return best, checks


def final_metrics(trainer, samples, n_test=1000):
    """The numbers a finished run reports in metrics.json, as a flat dict of plain floats, ints and bools.

    samples: (M, dim) generated samples.  Always: data, step, n_samples, sample_mean, sample_std (per
    dimension), data_mean, data_std (of as many fresh data samples, or of the held-out rows of a table),
    and the two-sample tests of
    metrics.two_sample_report on n_test data and n_test generated samples (mmd2, mmd_p_value,
    mmd_rejects_h0, c2st_accuracy, c2st_p_value, c2st_rejects_h0, knn_mmd2, knn_mmd_p_value,
    knn_mmd_rejects_h0, knn_bandwidth, alpha). For mixtures of isotropic
    Gaussians: modes, n_modes, high_quality, reverse_kl (metrics.mode_coverage on all M samples) and
    spread_median, spread_min (metrics.mode_spread about each mode's own mean: a mode's width over the data's,
    about 0.97 for a perfect sampler, less for a squeezed mode; None if no mode has 10 high-quality samples).
    Where the density is known: mean_log_prob = (1/M) sum log pi(G(z)) and data_mean_log_prob (the same on
    data, i.e. minus the entropy of pi). In 1D: ks_statistic, ks_p_value, wasserstein1.
    Random draws come from trainer.sample_rng, never the training stream.
    """
    data, rng = trainer.data, trainer.sample_rng
    # a table of rows (your own data, the digits) is tested against its held-out rows, never seen in training
    real = data.heldout if hasattr(data, "heldout") else data.sample(len(samples), rng, dtype=np.float64)
    out = {"data": data.name, "step": trainer.step, "n_samples": len(samples),
           "sample_mean": samples.mean(axis=0).tolist(), "sample_std": samples.std(axis=0).tolist(),
           "data_mean": real.mean(axis=0).tolist(), "data_std": real.std(axis=0).tolist()}
    if not np.all(np.isfinite(samples)):
        out["finite"] = False
        return out
    if data.centers is not None:
        coverage = metrics.mode_coverage(samples, data.centers, data.std)
        out.update(modes=int(coverage["modes"]), n_modes=len(data.centers),
                   high_quality=float(coverage["high_quality"]), reverse_kl=float(coverage["reverse_kl"]))
        spread = metrics.mode_spread(samples, data.centers, data.std, about="mean")
        out.update({f"spread_{k}": spread[k] if math.isfinite(spread[k]) else None for k in ("median", "min")})
    if hasattr(data, "log_prob"):
        out.update(mean_log_prob=float(data.log_prob(samples).mean()),
                   data_mean_log_prob=float(data.log_prob(real).mean()))
    n = min(n_test, len(samples), len(real))
    if n >= 4:
        out.update(metrics.two_sample_report(real[:n], samples[:n], rng=rng))
    if data.images is not None:            # a classifier's view: classes, confidence, Frechet distance, copying
        out.update(digits.digit_report(samples, data))
    if trainer.config.fixes.conditional and data.centers is not None:
        out["label_agreement"] = label_agreement(trainer, lambda x: metrics.nearest_centre(x, data.centers))
    elif trainer.config.fixes.conditional and data.images is not None:   # read by a classifier the GAN never saw
        out["label_agreement"] = label_agreement(trainer, digits.digit_classifier(data).predict)
    if data.dim == 1:
        ks, p = metrics.ks_test(real, samples)
        out.update(ks_statistic=float(ks), ks_p_value=float(p),
                   wasserstein1=float(metrics.wasserstein_1d(real, samples)))
    return out


def label_agreement(trainer, classify, n=500, seed=17):
    """A conditional run's label agreement: for each class k, the fraction of n samples drawn with label k
    that `classify` (a function (n, dim) -> (n,) labels the GAN never trained with) puts in class k.
    Returns a list of K floats; its own random stream, seeded by `seed`."""
    rng = np.random.default_rng([seed, trainer.step])
    return [float(np.mean(classify(trainer.sample(n, rng, label=k)) == k)) for k in range(trainer.data.n_classes)]


# -- a finished run -------------------------------------------------------------------------------------

class Run:
    """A run directory's trainer, restored from its checkpoint.npz, and what it knows about its data.

    trainer: the Trainer at the end of training (the kept attempt of a restarted run); config: its TrainConfig.
    """

    def __init__(self, trainer, run_dir):
        self.trainer = trainer
        self.config = trainer.config
        self.run_dir = run_dir

    def __repr__(self):
        return f"Run({self.run_dir!r}, data={self.config.run.data!r}, step={self.trainer.step})"

    def sample(self, n, seed=0, label=None):
        """(n, dim) samples drawn by the run's own sampler, from a random stream seeded by `seed`: the same
        seed gives the same samples, and sampling never changes the run. label=k: a conditional run's
        class k only."""
        n = int(n)
        if n <= 0:
            raise UsageError(f"the number of samples must be positive, got {n}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise UsageError(f"seed must be a non-negative integer, got {seed!r}")
        rng = np.random.default_rng([int(seed), 5])
        return np.asarray(self.trainer.sample(n, rng, label=label))


def load_run(run_dir):
    """The Run in directory `run_dir` (written by `python -m scratchgan train --out run_dir`).

    A missing directory or checkpoint, or a corrupt one, raises a one-line UsageError."""
    run_dir = os.fspath(run_dir)
    if not os.path.isdir(run_dir):
        raise UsageError(f"run directory {run_dir} does not exist")
    path = os.path.join(run_dir, "checkpoint.npz")
    if not os.path.isfile(path):
        raise UsageError(f"{run_dir} holds no checkpoint.npz: is it a directory written by `scratchgan train`?")
    return Run(load_trainer(path), run_dir)
