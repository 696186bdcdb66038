"""Claim 6: the loss curves of a vanilla GAN run do not tell you sample quality, measured side by side.

The losses oscillate and drift while the sample-quality metrics (MMD^2, modes captured) improve; this runs
the ordinary Trainer and keeps both.
"""

from ..game.recipes import default_config, NO_PIECES
from ..game.trainer import Trainer


def loss_curves_vs_quality(data="ring8", *, steps=2000, eval_every=50, snapshot_steps=(), seed=0, **overrides):
    """A vanilla GAN run (scratchgan.game.trainer.Trainer; Minimax D loss, non-saturating G loss, constant learning
    rates, no weight averaging) that records both what the losses say and what the samples are.

    Every iteration appends loss_d, loss_g (and D's mean outputs d_real, d_fake) to the trainer's history;
    every eval_every iterations, and once before training, Trainer.evaluate appends eval_mmd (unbiased MMD^2 of
    500 samples against 500 data points, each time with the median-heuristic bandwidth of that pooled sample, so
    a different kernel at each evaluation) and, for mixtures, eval_modes / eval_high_quality / eval_reverse_kl
    (metrics.mode_coverage). snapshot_steps: iterations after which to keep 500 samples of G.
    overrides: further TrainConfig fields (e.g. g_hidden=(64, 64)).
    Returns (history dict of lists, {step: (500, dim) samples}, the Trainer).
    """
    fields = dict(steps=steps, eval_every=eval_every, seed=seed, ema=0.0, lr_decay_start=1.0, lr_final=1.0,
                  eval_samples=1000, loss="nonsaturating", log_every=max(1, steps),
                  # a vanilla GAN, pinned here so that later changes of the dataset's defaults do not move it:
                  lr_d=1e-3, lr_g=1e-3, z_dim=16, latent_classes=0, instance_noise=0.0, pack=1, truncation=0.0,
                  rejection=0.0, g_first_bias="zero", g_hidden=(128, 128), d_hidden=(128, 128), **NO_PIECES)
    fields.update(overrides)
    config = default_config(data, **fields)
    trainer = Trainer(config)
    snapshots = {}
    trainer.evaluate()                                          # the untrained generator, at step 0
    stops = sorted({int(s) for s in snapshot_steps if 0 < s <= steps} | {steps})
    if 0 in snapshot_steps:
        snapshots[0] = trainer.sample(500)
    done = 0
    for stop in stops:
        trainer.train(stop - done)
        done = stop
        if stop in snapshot_steps:
            snapshots[stop] = trainer.sample(500)
    return trainer.history, snapshots, trainer
