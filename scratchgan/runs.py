"""A finished run, loaded from its directory: draw new samples from it as the run itself would.

    run = scratchgan.load_run("runs/ring8")
    x = run.sample(1000, seed=0)          # (1000, dim): the run's own sampler (EMA, truncation, rejection)

`python -m scratchgan sample RUN_DIR -n N --out FILE` is the same from the command line.
"""

import os

import numpy as np

from .checkpoint import load_trainer
from .errors import UsageError


class Run:
    """A run directory's trainer, restored from its checkpoint.npz, and what it knows about its data.

    trainer: the Trainer at the end of training (the kept attempt of a restarted run); config: its TrainConfig.
    """

    def __init__(self, trainer, run_dir):
        self.trainer = trainer
        self.config = trainer.config
        self.run_dir = run_dir

    def __repr__(self):
        return f"Run({self.run_dir!r}, data={self.config.data!r}, step={self.trainer.step})"

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
