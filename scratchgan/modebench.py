"""The mode-collapse benchmark: every method on ring8 and grid25, measured with the VEEGAN protocol.

`python -m scratchgan modes` trains each method on each dataset for each seed, draws 2,500 samples from the
trained generator and scores them with metrics.mode_coverage (Srivastava et al. 2017, reused by PacGAN and
GDPP): modes captured, the share of high-quality samples (within 3 std of their nearest centre) and the
reverse KL of the mode histogram; and with metrics.mode_spread (issue 22): how wide each mode is over the
data's width, about the mode's own mean, in the median over the modes and at the narrowest (a perfect
sampler: about 0.97 and 0.85). It prints and writes a markdown table of mean +- std over the seeds.

Every method starts from the dataset's default configuration (the same networks, batch, steps and learning
rate schedule) and changes only what defines it; the tricks of the default (the data's pieces with their tanh G,
the local MMD term, a discrete latent code, instance noise) are switched off for the others (PLAIN, with
recipes.NO_PIECES), so each row shows its method alone. The default's row is its
generator alone; the filters that repair a trained generator (recipes.FILTERS: Jacobian truncation, rejection
sampling, a restart when the two-sample check rejects) are then switched on one by one over the same run.
"""

import concurrent.futures
import time

import numpy as np

from .engine.errors import UsageError
from .game.recipes import default_config, FILTERS, NO_PIECES, PRESETS
from .game.run import train_with_restarts
from .measure import metrics

N_SAMPLES = 2500      # the protocol's sample size

PLAIN = dict(NO_PIECES, latent_classes=0, pack=1, instance_noise=0.0, truncation=0.0, rejection=0.0, restarts=0)

METHODS = {
    "minimax": dict(PLAIN, loss="minimax"),                      # Goodfellow et al. 2014, saturating G loss
    "nonsaturating": dict(PLAIN, loss="nonsaturating"),          # the same, G maximises log D(G(z))
    "wgan": dict(PLAIN, **PRESETS["wgan"]),                       # Arjovsky et al. 2017: clipping, RMSprop
    "wgan-gp": dict(PLAIN, **PRESETS["wgan-gp"]),                 # Gulrajani et al. 2017
    "r1": dict(PLAIN, loss="nonsaturating", penalty="r1", penalty_weight=1.0),   # Mescheder et al. 2018
    "pacgan": dict(PLAIN, loss="nonsaturating", pack=2),          # Lin et al. 2018, packing 2 samples
    "default": {},                                               # `train --data NAME` as it is: G alone
}


# The filters of recipes.FILTERS switched on over the default's trained run, one more at each stage.
STAGES = {
    "default: + truncation": ("truncation",),
    "default: + rejection": ("truncation", "rejection"),
    "default: + restart": ("truncation", "rejection", "restarts"),
}


def score(samples, data):
    """metrics.mode_coverage of the samples, and metrics.mode_spread's median and min about each mode's own
    mean (spread, spread_min) and about its centre (spread_centre, spread_centre_min). A run whose samples
    are not finite scores 0 modes and NaN spreads."""
    nan = float("nan")
    if not np.all(np.isfinite(samples)):
        return dict(modes=0, high_quality=0.0, reverse_kl=nan, spread=nan, spread_min=nan, spread_centre=nan,
                    spread_centre_min=nan)
    out = metrics.mode_coverage(samples, data.centers, data.std)
    for about, key in (("mean", "spread"), ("centre", "spread_centre")):
        s = metrics.mode_spread(samples, data.centers, data.std, about=about)
        out.update({key: s["median"], f"{key}_min": s["min"]})
    return out


def run_one(data, method, seed, steps=None):
    """Train one (data, method, seed) and score it. Returns a list of dicts with modes, high_quality,
    reverse_kl, seconds (training, restarts included, plus sampling wall time), attempts (how many trainings
    train_with_restarts ran): one for the method, and for "default" one more per stage (STAGES): the same
    trained run with the filters of recipes.FILTERS switched on, their seconds including the default's."""
    overrides = dict(METHODS[method], seed=seed)
    if steps is not None:
        overrides["steps"] = steps
    config = default_config(data, **overrides)
    start = time.perf_counter()
    trainer, checks = train_with_restarts(config)
    samples = trainer.sample(N_SAMPLES)
    seconds = time.perf_counter() - start
    row = dict(data=data, method=method, seed=seed, seconds=seconds, attempts=max(1, len(checks)))
    results = [dict(row, **score(samples, trainer.data))]
    if method == "default":
        for stage, switches in STAGES.items():
            trainer.config = trainer.config.replace(**{k: FILTERS[data][k] for k in switches})
            start = time.perf_counter()
            filtered, checks = train_with_restarts(trainer.config, trainer=trainer)   # retrains if the check rejects
            samples = filtered.sample(N_SAMPLES)
            results.append(dict(row, method=stage, seconds=seconds + time.perf_counter() - start,
                                attempts=max(1, len(checks)), **score(samples, trainer.data)))
    return results


def run_all(datasets, methods, seeds, *, steps=None, jobs=1, log=print):
    """run_one over the grid, `jobs` processes at a time. Returns the list of result dicts."""
    for m in methods:
        if m not in METHODS:
            raise UsageError(f"unknown method {m!r}; choose from: {', '.join(METHODS)}")
    tasks = [(d, m, s) for d in datasets for m in methods for s in seeds]
    results = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_one, d, m, s, steps) for d, m, s in tasks]
        for f in concurrent.futures.as_completed(futures):
            for r in f.result():
                results.append(r)
                log(f"{r['data']:7s} {r['method']:14s} seed {r['seed']}: {r['modes']} modes, "
                    f"{100 * r['high_quality']:.1f}% high quality, reverse KL {r['reverse_kl']:.4f}, "
                    f"spread {r['spread']:.2f} (narrowest {r['spread_min']:.2f}), "
                    f"{r['seconds']:.0f} s" + (f", {r['attempts']} attempts" if r["attempts"] > 1 else ""))
    return results


def told(data, method):
    """Is the method's recipe told the number of modes, a number of latent classes set before training? (With
    pieces on, the trainer sets it from the data's pieces: not told.) A stage is told what its default is."""
    base = "default" if method in STAGES else method
    return default_config(data, **METHODS[base]).model.latent_classes > 0


def table(results, datasets, methods):
    """A markdown table of mean +- std over seeds, one row per (dataset, method). Its spread columns are
    metrics.mode_spread about each mode's own mean: the median over the modes, and the narrowest mode."""
    lines = ["| data | method | told the mode count? | modes | high quality (%) | reverse KL | spread | narrowest mode "
             "| wall time (s) | seeds |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    rows_in_order = [n for m in methods for n in ([m, *STAGES] if m == "default" else [m])]
    for d in datasets:
        for m in rows_in_order:
            rows = [r for r in results if r["data"] == d and r["method"] == m]
            if not rows:
                continue

            def stat(key, scale=1.0, fmt="{:.1f}"):
                v = np.array([r[key] for r in rows], dtype=float) * scale
                return f"{fmt.format(v.mean())} ± {fmt.format(v.std())}"

            seeds = ",".join(str(r["seed"]) for r in sorted(rows, key=lambda r: r["seed"]))
            lines.append(f"| {d} | {m} | {'yes' if told(d, m) else 'no'} | {stat('modes')} | {stat('high_quality', 100.0)} | "
                         f"{stat('reverse_kl', fmt='{:.3f}')} | {stat('spread', fmt='{:.2f}')} | "
                         f"{stat('spread_min', fmt='{:.2f}')} | {stat('seconds', fmt='{:.0f}')} | {seeds} |")
    return "\n".join(lines)
