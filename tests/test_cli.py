import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from scratchgan import cli
from scratchgan.game.checkpoint import load_trainer
from scratchgan.game.trainer import Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ["--steps", "30", "--batch", "32", "--n-samples", "200"]


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(directory):
    """{file name: bytes} of every file in a directory."""
    return {name: open(os.path.join(directory, name), "rb").read() for name in sorted(os.listdir(directory))}


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("runs") / "ring8")
    code = cli.main(["train", "--data", "ring8", "--out", out, *TINY])
    assert code == 0
    return out


def test_train_writes_every_promised_file(ring_run, capsys):
    files = os.listdir(ring_run)
    for name in ("checkpoint.npz", "history.npz", "samples.npy", "metrics.json"):
        assert name in files
    pngs = [f for f in files if f.endswith(".png")]
    assert len(pngs) >= 2 and all(os.path.getsize(os.path.join(ring_run, f)) > 10000 for f in pngs)
    assert not [f for f in files if ".tmp" in f]
    samples = np.load(os.path.join(ring_run, "samples.npy"), allow_pickle=False)
    assert samples.shape == (200, 2) and np.isfinite(samples).all()
    with np.load(os.path.join(ring_run, "history.npz"), allow_pickle=False) as h:
        for key in ("step", "loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g"):
            assert h[key].shape == (30,)
        assert np.all((h["d_real"] >= 0) & (h["d_real"] <= 1))
        assert "eval_step" in h.files and "eval_modes" in h.files
    with open(os.path.join(ring_run, "metrics.json")) as f:
        m = json.load(f)
    assert m["n_modes"] == 8 and 0 <= m["modes"] <= 8 and 0 <= m["high_quality"] <= 1
    for key in ("mmd_p_value", "c2st_p_value", "mmd_rejects_h0", "c2st_rejects_h0", "reverse_kl"):
        assert key in m
    assert m["spread_median"] is None or m["spread_min"] <= m["spread_median"]
    assert 0 <= m["knn_mmd_p_value"] <= 1 and m["knn_bandwidth"] > 0 and isinstance(m["knn_mmd_rejects_h0"], bool)
    assert load_trainer(os.path.join(ring_run, "checkpoint.npz")).step == 30


def test_1d_run_and_its_figures(tmp_path, capsys):
    out = str(tmp_path / "g")
    code, stdout, _ = run(["train", "--data", "gaussian", "--out", out, *TINY], capsys)
    assert code == 0
    assert np.load(os.path.join(out, "samples.npy")).shape == (200, 1)
    m = json.load(open(os.path.join(out, "metrics.json")))
    assert "ks_p_value" in m and "mean_log_prob" in m and "modes" in m
    figures = re.search(r"figures: (.*)", stdout).group(1).split()
    assert figures and all(os.path.isfile(f) and f.endswith(".png") for f in figures)


BAD = [
    (["--data", "rings"], "unknown dataset 'rings'; choose one of: gaussian, mixture1d, ring8, grid25"),
    (["--data", "ring8", "--lr", "0"], "lr_d must be a positive number, got 0.0"),
    (["--data", "ring8", "--lr-g", "-0.001"], "lr_g must be a positive number, got -0.001"),
    (["--data", "ring8", "--steps", "0"], "steps must be a positive integer, got 0"),
    (["--data", "ring8", "--k", "0"], "k must be a positive integer, got 0"),
    (["--data", "ring8", "--batch", "-5"], "batch must be a positive integer, got -5"),
    (["--data", "ring8", "--z-dim", "0"], "z_dim must be a positive integer, got 0"),
    (["--data", "ring8", "--g-hidden", "64,0"], "g_hidden must hold positive layer widths, got (64, 0)"),
    (["--data", "ring8", "--g-activation", "gelu"], "unknown g_activation 'gelu'; choose one of: relu"),
    (["--data", "ring8", "--loss", "hinged"], "unknown loss 'hinged'"),
    (["--data", "ring8", "--restarts", "-1"], "restarts must be a non-negative integer, got -1"),
    (["--data", "ring8", "--latent-classes", "-1"], "latent_classes must be a non-negative integer, got -1"),
    (["--data", "ring8", "--conditional", "--latent-classes", "8"], "conditional does not combine with latent_classes"),
    (["--data", "ring8", "--g-init", "moments", "--mmd", "-2"], "mmd must be a number >= 0, got -2.0"),
    (["--data", "grid25", "--resume"], "is from another configuration: data='ring8' there, 'grid25' asked"),
    (["--data", "ring8", "--seed", "7", "--resume"], "another configuration: seed=0 there, 7 asked"),
    (["--resume", "NOPE/checkpoint.npz"], "checkpoint not found: NOPE/checkpoint.npz"),
    (["--data", "ring8", "--preset", "dcgan", "--batch", "1"], "g_batchnorm needs a batch of at least 2"),
    (["--data", "spiral", "--conditional"], "conditional needs labelled data"),
    (["--data", "digits", "--g-init", "moments"], "g_init moments needs z_dim >= the data's dimension"),
    (["--data", "NOPE/table.csv"], "NOPE/table.csv: file not found"),
]


@pytest.mark.parametrize("extra, message", BAD)
def test_bad_input_is_one_line_exit_2_and_leaves_the_run_intact(ring_run, capsys, extra, message):
    before = snapshot(ring_run)
    argv = ["train", "--out", ring_run, *[a.replace("NOPE", ring_run + "/nope") for a in extra]]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message.replace("NOPE", ring_run + "/nope") in err
    assert snapshot(ring_run) == before


def test_truncated_checkpoint_and_unwritable_out(ring_run, tmp_path, capsys):
    run_dir = tmp_path / "copy"
    run_dir.mkdir()
    for name, content in snapshot(ring_run).items():
        (run_dir / name).write_bytes(content)
    data = (run_dir / "checkpoint.npz").read_bytes()
    (run_dir / "checkpoint.npz").write_bytes(data[: len(data) // 3])
    before = snapshot(run_dir)
    code, _, err = run(["train", "--data", "ring8", "--out", str(run_dir), "--resume"], capsys)
    assert code == 2 and "cannot read checkpoint" in err and "truncated" in err and err.count("\n") == 1
    assert snapshot(run_dir) == before

    a_file = tmp_path / "plain_file"
    a_file.write_text("keep me")
    for out in (a_file, a_file / "sub"):
        code, _, err = run(["train", "--data", "ring8", "--out", str(out), *TINY], capsys)
        assert code == 2 and err.startswith(f"error: cannot write to --out {out}") and err.count("\n") == 1
    assert a_file.read_text() == "keep me"


def one_line_exit_2(code, err):
    return code == 2 and err.startswith("error: ") and err.count("\n") == 1


def test_unreadable_files_the_user_names_are_one_line_exit_2(ring_run, tmp_path, capsys):
    malformed = tmp_path / "malformed.csv"
    malformed.write_text("x,y\n1,2\n3,4,5\n")
    code, _, err = run(["train", "--data", str(malformed), "--out", str(tmp_path / "m")], capsys)
    assert one_line_exit_2(code, err) and f"{malformed}, row 3: 3 columns, but the rows above have 2" in err

    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "checkpoint.npz").write_text("junk\n")
    code, _, err = run(["train", "--out", str(junk), "--resume"], capsys)
    assert one_line_exit_2(code, err) and f"cannot read checkpoint {junk}/checkpoint.npz" in err
    code, _, err = run(["sample", str(junk), "-n", "5", "--out", str(tmp_path / "x.npy")], capsys)
    assert one_line_exit_2(code, err) and "cannot read checkpoint" in err
    code, _, err = run(["sample", str(tmp_path / "nowhere"), "-n", "5", "--out", str(tmp_path / "x.npy")], capsys)
    assert one_line_exit_2(code, err) and "nowhere does not exist" in err
    (tmp_path / "dir.npy").mkdir()
    code, _, err = run(["sample", ring_run, "-n", "5", "--out", str(tmp_path / "dir.npy")], capsys)
    assert one_line_exit_2(code, err) and f"cannot write {tmp_path / 'dir.npy'}" in err

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for name, content in snapshot(ring_run).items():
        (damaged / name).write_bytes(content)
    (damaged / "history.npz").write_text("junk\n")
    code, _, err = run(["plot", str(damaged)], capsys)
    assert one_line_exit_2(code, err) and f"cannot read {damaged}/history.npz" in err
    assert not (tmp_path / "x.npy").exists()


@pytest.mark.parametrize("argv, message", [
    (["bench", "--steps", "0"], "bench needs --steps > 0"),
    (["gradcheck", "--seed", "-1"], "--seed must be a non-negative integer"),
    (["step", "--data", "digits", "--out", "{tmp}"], "step draws 1D and 2D data; digits has 64 dimensions"),
    (["modes", "--methods", "nope", "--out", "{tmp}/modes.md"], "unknown method 'nope'"),
    (["modes", "--out", "{tmp}"], "is a directory"),
])
def test_bad_values_of_the_other_commands_are_one_line_exit_2(tmp_path, capsys, argv, message):
    code, _, err = run([a.format(tmp=tmp_path) for a in argv], capsys)
    assert one_line_exit_2(code, err) and message in err


def plant(monkeypatch, owner, name, error):
    """Make owner.name raise `error`: a bug planted deep inside a command."""
    def planted(*args, **kwargs):
        raise error
    monkeypatch.setattr(owner, name, planted)


@pytest.mark.parametrize("command", ["train", "sample", "plot"])
def test_a_bug_is_exit_1_with_its_traceback_never_a_usage_error(ring_run, tmp_path, capsys, monkeypatch, command):
    from scratchgan import plots
    from scratchgan.engine import losses
    from scratchgan.game import sampling

    if command == "train":      # a ValueError from inside a training step, where shape checks live
        plant(monkeypatch, losses.NonSaturating, "g_loss", ValueError("planted"))
        argv, raised = ["train", "--data", "ring8", "--out", str(tmp_path / "bug"), *TINY], "ValueError: planted"
    elif command == "sample":
        plant(monkeypatch, sampling, "propose", ValueError("planted"))
        argv, raised = ["sample", ring_run, "-n", "5", "--out", str(tmp_path / "x.npy")], "ValueError: planted"
    else:                       # any exception at all, not only a ValueError
        plant(monkeypatch, plots, "plot_run", KeyError("planted"))
        argv, raised = ["plot", ring_run], "KeyError: 'planted'"
    code, _, err = run(argv, capsys)
    assert code == 1
    lines = err.rstrip("\n").splitlines()
    assert "Traceback (most recent call last):" in lines and lines[-2] == raised
    assert lines[-1] == ("internal error: this is a bug in scratchgan, not a mistake in your input; "
                         "please report it with the traceback above")
    assert not any(line.startswith("error:") for line in lines)


def test_usage_error_is_a_value_error_and_ctrl_c_passes_through(ring_run, tmp_path, monkeypatch):
    from scratchgan.game import sampling
    from scratchgan.engine.errors import UsageError

    assert issubclass(UsageError, ValueError)          # Python callers catching ValueError keep working
    plant(monkeypatch, sampling, "propose", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        cli.main(["sample", ring_run, "-n", "5", "--out", str(tmp_path / "x.npy")])


def test_divergence_stops_naming_the_step_and_keeps_the_last_good_checkpoint(tmp_path, capsys, monkeypatch):
    from scratchgan.engine import losses

    calls = {"n": 0}
    g_loss = losses.NonSaturating.g_loss

    def failing_g_loss(self, fake_logits):
        calls["n"] += 1
        loss, grad = g_loss(self, fake_logits)
        return (float("nan"), grad) if calls["n"] > 60 else (loss, grad)

    monkeypatch.setattr(losses.NonSaturating, "g_loss", failing_g_loss)
    out = str(tmp_path / "div")
    code, _, err = run(["train", "--data", "ring8", "--out", out, "--steps", "100", "--batch", "16",
                        "--checkpoint-every", "25"], capsys)
    assert code == 1
    assert "diverged at step 61" in err and "last good checkpoint" in err
    assert load_trainer(os.path.join(out, "checkpoint.npz")).step == 50
    assert "samples.npy" not in os.listdir(out)


@pytest.mark.parametrize("second_mmd2, kept", [(0.1, 1), (0.3, 0)])
def test_a_run_failing_its_two_sample_check_is_trained_again_and_the_closer_attempt_kept(
        tmp_path, capsys, monkeypatch, second_mmd2, kept):
    def check(self):
        first = self.config.run.attempt == 0
        return {"mmd2": 0.2 if first else second_mmd2, "p_value": 0.005 if first else 0.4,
                "knn_mmd2": 0.01, "knn_p_value": 0.3, "rejects": first}

    monkeypatch.setattr(Trainer, "two_sample_check", check)
    out = str(tmp_path / "again")
    code, stdout, err = run(["train", "--data", "grid25", "--out", out, "--restarts", "2", "--rejection", "0",
                             *TINY], capsys)
    assert code == 0
    assert "attempt 1: the two-sample check rejects H0 (MMD p = 0.005 between the modes, 0.300 within them)" in err
    assert f"2 attempts, the first failing its two-sample check; kept attempt {kept + 1}" in stdout
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    assert [c["rejects"] for c in metrics["two_sample_checks"]] == [True, False]
    assert metrics["config"]["run"]["attempt"] == kept
    assert load_trainer(os.path.join(out, "checkpoint.npz")).config.run.attempt == kept
    assert load_trainer(os.path.join(out, "checkpoint-attempt1.npz")).config.run.attempt == 0
    from scratchgan.plots import _metrics_note
    assert _metrics_note(out).endswith(f" · attempt {kept + 1} of 2")     # the figures' titles say it


def test_ctrl_c_saves_a_checkpoint_and_resume_equals_uninterrupted(tmp_path, capsys):
    out = str(tmp_path / "int")
    cmd = [sys.executable, "-m", "scratchgan", "train", "--data", "gaussian", "--out", out, "--steps", "200",
           "--batch", "32", "--n-samples", "100"]
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    proc.stderr.readline()                           # "training gaussian: ..."
    proc.stderr.readline()                           # the first progress line: training is under way
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted at step" in err and "--resume" in err
    stopped = load_trainer(os.path.join(out, "checkpoint.npz"))
    assert 0 < stopped.step < 200

    assert cli.main(["train", "--out", out, "--resume", "--n-samples", "100"]) == 0
    done = load_trainer(os.path.join(out, "checkpoint.npz"))
    whole = Trainer(stopped.config)
    whole.train(200)
    for a, b in zip(whole.G.parameters() + whole.D.parameters(), done.G.parameters() + done.D.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert whole.history["loss_g"] == done.history["loss_g"]


def test_bench_prints_steps_per_second_last(capsys):
    code, out, _ = run(["bench", "--steps", "5", "--warmup", "1"], capsys)
    assert code == 0
    assert re.fullmatch(r"[0-9.]+ steps/s", out.strip().splitlines()[-1])
    code, out, _ = run(["bench", "--steps", "3", "--warmup", "0", "--float64"], capsys)
    assert code == 0 and "float64" in out


def test_malformed_command_line_is_one_line_and_exit_2(capsys):
    from scratchgan.cli import main as cli_main

    with pytest.raises(SystemExit) as e:
        cli_main(["train", "--steps", "abc"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--steps" in err and "'abc'" in err


def test_the_summary_line_reports_the_modes_width_and_says_how_it_is_measured():
    from scratchgan.cli.train import summary

    m = dict(data="ring8", step=10, modes=8, n_modes=8, high_quality=0.99, reverse_kl=0.001, sample_mean=[0, 0],
             spread_median=0.43, spread_min=0.31)
    line = summary(m, 1.0)
    assert "mode width 0.43 of the data's in the median, 0.31 at the narrowest" in line
    assert "about each mode's own mean" in line
    assert "mode width" not in summary(dict(m, spread_median=None, spread_min=None), 1.0)
    assert "pieces" not in line
    found = dict(m, config={"model": {"pieces": True, "latent_classes": 8}})
    assert "8 pieces found in the data" in summary(found, 1.0)
