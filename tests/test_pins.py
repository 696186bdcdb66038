"""Behaviour pins that hold on any CPU: recorded runs, compared with a tolerance measured across BLAS kernels.

A refactor must not change what a seed trains. These pins run `train` as a user would and compare the
samples it writes with arrays recorded in tests/data/pins/. They are portable by construction:

- The training pins run in float64. Another CPU's BLAS rounds a product differently, in the last bit; over
  150 steps of a GAN that stays near 1e-15 (measured: OPENBLAS_CORETYPE=Haswell, Prescott, Sandybridge and
  Nehalem on one machine agree to 4e-15). A tolerance of 1e-8 leaves seven orders of magnitude for other CPUs,
  while a real change of behaviour (one line of the step altered) moves the samples by 1e-3 or more.
- The run with discriminator rejection is compared as a set: whether a proposal near the acceptance threshold
  is kept can flip under another rounding, and one flip shifts every later sample by one place. So each
  recorded sample must have a new one within 1e-6, and the other way round, for all but 2% of them (measured:
  1 in 500 across kernels; a real change of behaviour leaves almost none matched).
- The checkpoints written by v0.1.0 (commit b8be311, float32) must still load and resume. Resumed for 50 or
  100 float32 steps, kernels agree to 3e-6; the tolerance is 1e-3 of the samples' scale.

Bit-for-bit equality is a same-machine promise and is tested where it holds: the same seed twice
(test_training.py), N steps + resume + N steps = 2N (test_checkpoint.py, test_cli.py), and watching a step
changing nothing (test_step.py, test_player.py).

When behaviour changes on purpose, record the pins again, and say why in the commit:
    python tests/test_pins.py
"""

import os
import shutil
import sys

import numpy as np
import pytest

from scratchgan.cli import main
from scratchgan.game import recipes, sampling

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
PINS = os.path.join(DATA, "pins")

# ring8's default recipe at v0.1.0, before the discrete latent: packing, EMA, truncation, rejection, a restart
FILTERS_RING8 = dict(steps=8000, batch=256, lr_d=2e-3, lr_g=2e-3, z_dim=2, g_hidden=(128, 128),
                     d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.02, ema=0.999, instance_noise=0.3,
                     instance_noise_until=0.5, pack=2, truncation=0.3, rejection=0.15, restarts=1,
                     eval_every=400)

# name: (dataset, recipe (None: today's default), steps). Each trains in float64 with seed 5.
TRAINING_PINS = {
    "gaussian": ("gaussian", None, 150),
    "ring8": ("ring8", None, 150),                  # today's recipe: the data's pieces, the local MMD term, EMA
    "ring8-filters": ("ring8", FILTERS_RING8, 150),
}

OLD_CHECKPOINTS = {
    # name: (file in tests/data, resume arguments)
    "resume-gaussian": ("checkpoint-v0.1.0-gaussian-step100.npz", ["--steps", "200"]),
    "resume-ring8": ("checkpoint-v0.1.0-ring8-step50.npz", ["--steps", "100", "--restarts", "0",
                                                           "--rejection", "0"]),
}

N_SAMPLES = "500"


def train_pin(name, out, monkeypatch):
    """Run the pinned training `name` into directory `out`; return its samples.npy."""
    data, recipe, steps = TRAINING_PINS[name]
    recipe = recipes.DEFAULT_CONFIGS[data] if recipe is None else recipe
    monkeypatch.setitem(recipes.DEFAULT_CONFIGS, data, dict(recipe, dtype="float64"))
    monkeypatch.setattr(sampling, "RATIO_STEPS", 300)      # a shorter fit of rejection's D: same code, faster
    monkeypatch.setattr(sampling, "RATIO_POOL", 4000)
    args = ["train", "--data", data, "--steps", str(steps), "--seed", "5", "--n-samples", N_SAMPLES]
    assert main([*args, "--out", str(out)]) == 0
    return np.load(os.path.join(out, "samples.npy"))


def resume_pin(name, out):
    """Resume the old checkpoint of `name` in directory `out`; return the resumed run's samples.npy."""
    file, args = OLD_CHECKPOINTS[name]
    os.makedirs(out, exist_ok=True)
    shutil.copy(os.path.join(DATA, file), os.path.join(out, "checkpoint.npz"))
    assert main(["train", "--out", str(out), "--resume", *args, "--n-samples", N_SAMPLES]) == 0
    return np.load(os.path.join(out, "samples.npy"))


def unmatched_share(a, b, tol):
    """The share of rows of a with no row of b within tol (max norm): (n, d), (m, d) -> float in [0, 1]."""
    gap = np.abs(a[:, None, :] - b[None, :, :]).max(axis=2)          # (n, m)
    return float(np.mean(gap.min(axis=1) > tol))


def expected(name):
    return np.load(os.path.join(PINS, f"{name}.npy"))


@pytest.mark.parametrize("name", ["gaussian", "ring8"])
def test_training_pin(tmp_path, capsys, monkeypatch, name):
    samples = train_pin(name, tmp_path / "run", monkeypatch)
    assert samples.dtype == np.float64
    np.testing.assert_allclose(samples, expected(name), rtol=0, atol=1e-8)


def test_training_pin_with_rejection_as_a_set(tmp_path, capsys, monkeypatch):
    samples, pin = train_pin("ring8-filters", tmp_path / "run", monkeypatch), expected("ring8-filters")
    assert samples.shape == pin.shape
    assert unmatched_share(pin, samples, 1e-6) <= 0.02
    assert unmatched_share(samples, pin, 1e-6) <= 0.02


@pytest.mark.parametrize("name", sorted(OLD_CHECKPOINTS))
def test_checkpoint_of_v0_1_0_loads_and_resumes(tmp_path, capsys, name):
    samples, pin = resume_pin(name, tmp_path / "run"), expected(name)
    assert samples.dtype == np.float32
    np.testing.assert_allclose(samples, pin, rtol=0, atol=1e-3 * np.abs(pin).max())


def test_the_set_comparison_sees_a_shifted_run():
    pin = expected("ring8-filters")
    assert unmatched_share(pin, pin[::-1], 1e-6) == 0.0                  # order does not matter ...
    assert unmatched_share(pin, pin + 1e-4, 1e-6) == 1.0                 # ... a small shift does


def record():
    """Record every pin with the code as it stands: python tests/test_pins.py"""
    import tempfile

    os.makedirs(PINS, exist_ok=True)
    patch = pytest.MonkeyPatch()
    with tempfile.TemporaryDirectory() as tmp:
        for name in TRAINING_PINS:
            np.save(os.path.join(PINS, f"{name}.npy"), train_pin(name, os.path.join(tmp, name), patch))
            patch.undo()
        for name in OLD_CHECKPOINTS:
            np.save(os.path.join(PINS, f"{name}.npy"), resume_pin(name, os.path.join(tmp, name)))
    print(f"recorded {len(TRAINING_PINS) + len(OLD_CHECKPOINTS)} pins in {PINS}", file=sys.stderr)


if __name__ == "__main__":
    record()
