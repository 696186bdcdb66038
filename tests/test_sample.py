"""Sampling a finished run: `scratchgan sample` and scratchgan.load_run use the run's own sampler."""

import numpy as np
import pytest

import scratchgan
from scratchgan.cli import main


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "gaussian"
    assert main(["train", "--data", "gaussian", "--steps", "30", "--out", str(out)]) == 0
    return out


def test_sample_writes_npy_and_csv_that_agree_with_load_run(run_dir, tmp_path, capsys):
    assert main(["sample", str(run_dir), "-n", "50", "--seed", "3", "--out", str(tmp_path / "x.npy")]) == 0
    assert main(["sample", str(run_dir), "-n", "50", "--seed", "3", "--out", str(tmp_path / "x.csv")]) == 0
    x = np.load(tmp_path / "x.npy")
    assert x.shape == (50, 1)
    lines = (tmp_path / "x.csv").read_text().splitlines()
    assert lines[0] == "x1" and len(lines) == 51
    np.testing.assert_allclose(np.loadtxt(tmp_path / "x.csv", delimiter=",", skiprows=1), x[:, 0], rtol=1e-6)
    run = scratchgan.load_run(run_dir)
    np.testing.assert_array_equal(run.sample(50, seed=3), x)
    assert not np.array_equal(run.sample(50, seed=4), x)
    # the samples are the run's own: the EMA generator the run's sample() uses, as in samples.npy
    trainer = run.trainer
    np.testing.assert_array_equal(run.sample(20, seed=9), trainer.sample(20, np.random.default_rng([9, 5])))


@pytest.mark.parametrize("argv, says", [
    (["sample", "/nonexistent/run", "-n", "5", "--out", "{tmp}/x.npy"], "does not exist"),
    (["sample", "{run}", "-n", "5", "--out", "{tmp}/x.txt"], ".npy or .csv"),
    (["sample", "{run}", "-n", "0", "--out", "{tmp}/x.npy"], "-n must be"),
    (["sample", "{tmp}", "-n", "5", "--out", "{tmp}/x.npy"], "no checkpoint.npz"),
    (["sample", "{run}", "-n", "5", "--out", "{tmp}/missing/x.npy"], "does not exist"),
])
def test_sample_refuses_bad_input_in_one_line(run_dir, tmp_path, capsys, argv, says):
    argv = [a.format(run=run_dir, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and says in err
    assert not (tmp_path / "x.npy").exists()
