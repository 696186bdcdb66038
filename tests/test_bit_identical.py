"""Refactors keep behaviour bit for bit: pinned runs, recorded before the package was split into modules.

Each hash is the SHA-256 of the bytes of `samples.npy` that a command wrote with the code as it stood at
commit b8be311 (the last commit before training.py was split). The same seed must give the same samples
after any change that was not meant to change behaviour. They are float32 runs: a different BLAS or CPU
can round a product differently, so these pins hold on the machine kind the project is tested on.

The checkpoints in tests/data/ were written by that same commit; they must still load and resume, and the
resumed run must end with the samples it gave then.
"""

import hashlib
import os
import shutil

import numpy as np
import pytest

from scratchgan import config
from scratchgan.cli import main

DATA = os.path.join(os.path.dirname(__file__), "data")

PINNED_RUNS = [
    (["--data", "gaussian", "--steps", "300", "--seed", "5"],
     "54a7af52205ebbdc063f91984adeca053318260ef5516e52bb4c056e8f0782fc"),
    # 400 steps of ring8's recipe as it stood then (OLD_RING8): pack, EMA, truncation, rejection and a restart
    (["--data", "ring8", "--steps", "400", "--seed", "5"],
     "aa287c425c336f26c4198e955a066e9a5145314ee36a2b0e7c7ebf3b8b75a653"),
]

# ring8's default recipe at b8be311, before the discrete latent replaced the filters (config.FILTERS)
OLD_RING8 = dict(steps=8000, batch=256, lr_d=2e-3, lr_g=2e-3, z_dim=2, g_hidden=(128, 128), d_hidden=(128, 128),
                 lr_decay_start=0.5, lr_final=0.02, ema=0.999, instance_noise=0.3, instance_noise_until=0.5, pack=2,
                 truncation=0.3, rejection=0.15, restarts=1, eval_every=400)

OLD_CHECKPOINTS = [
    # (file in tests/data, resume arguments, hash of the resumed run's samples.npy)
    ("checkpoint-v0.1.0-gaussian-step100.npz", ["--steps", "200"],
     "4c9896f5da419691f45c9d21abde87a7ce0c096ed186354637a12603e349e5b7"),
    ("checkpoint-v0.1.0-ring8-step50.npz", ["--steps", "100", "--restarts", "0", "--rejection", "0"],
     "210dc818fafd1372ef5b6983318831830bd95e4abf55f60174c44b60b18f256f"),
]


def samples_hash(run_dir):
    samples = np.load(os.path.join(run_dir, "samples.npy"))
    return hashlib.sha256(samples.tobytes()).hexdigest()


@pytest.mark.parametrize("args, expected", PINNED_RUNS, ids=["gaussian-300", "ring8-400"])
def test_pinned_run_is_bit_identical(tmp_path, capsys, monkeypatch, args, expected):
    monkeypatch.setitem(config.DEFAULT_CONFIGS, "ring8", OLD_RING8)
    out = str(tmp_path / "run")
    assert main(["train", *args, "--out", out]) == 0
    assert samples_hash(out) == expected


@pytest.mark.parametrize("name, args, expected", OLD_CHECKPOINTS, ids=["gaussian", "ring8"])
def test_checkpoint_from_before_the_split_resumes(tmp_path, capsys, name, args, expected):
    out = tmp_path / "run"
    out.mkdir()
    shutil.copy(os.path.join(DATA, name), out / "checkpoint.npz")
    assert main(["train", "--out", str(out), "--resume", *args]) == 0
    assert samples_hash(str(out)) == expected
