"""`scratchgan step`: the slow-motion iteration prints the Trainer's own numbers, stage by stage."""

import re

import numpy as np
import pytest

from scratchgan.cli import main
from scratchgan.game import step_trace
from scratchgan.game.recipes import default_config
from scratchgan.game.trainer import Trainer


def printed(text, name):
    """The number printed as `name = value` (the last such line)."""
    values = re.findall(rf"{re.escape(name)}\s*=\s*(-?[0-9.]+(?:e[-+][0-9]+)?)\s*$", text, flags=re.M)
    assert values, f"{name} not printed"
    return values[-1]


def totals(text):
    """The 'all of them' norms of stages 4, 5, 6 and 7, in order."""
    return [float(v) for v in re.findall(r"all of them\s+([0-9.e+-]+)", text)]


@pytest.mark.parametrize("data, seed, after", [("ring8", 3, 0), ("gaussian", 4, 7)])
def test_step_prints_the_numbers_of_the_trainers_own_iteration(tmp_path, capsys, data, seed, after):
    assert main(["step", "--data", data, "--seed", str(seed), "--after", str(after), "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert (tmp_path / "step.png").stat().st_size > 20_000

    # the same run, trained by the Trainer alone, with nobody watching
    trainer = Trainer(default_config(data, seed=seed, eval_every=0))
    trainer.train(after)
    d_before = [p.data.copy() for p in trainer.D.parameters()]
    g_before = [p.data.copy() for p in trainer.G.parameters()]
    record = trainer.train_step()
    d_step = np.sqrt(sum(np.sum((p.data - b) ** 2) for p, b in zip(trainer.D.parameters(), d_before)))
    g_step = np.sqrt(sum(np.sum((p.data - b) ** 2) for p, b in zip(trainer.G.parameters(), g_before)))

    assert printed(text, "L_D") == f"{record['loss_d']:.6f}"
    assert printed(text, "L_G") == f"{record['loss_g']:.6f}"
    assert printed(text, "mean D(x_real)") == f"{record['d_real']:.6f}"
    assert printed(text, "mean D(G(z))") == f"{record['d_fake']:.6f}"
    grad_d, step_d, grad_g, step_g = totals(text)
    assert grad_d == pytest.approx(record["grad_norm_d"], rel=1e-5)
    assert grad_g == pytest.approx(record["grad_norm_g"], rel=1e-5)
    assert step_d == pytest.approx(d_step, rel=1e-5) and step_g == pytest.approx(g_step, rel=1e-5)
    stages = [line[:2] for line in text.splitlines() if re.match(r"[1-7]\. ", line)]
    assert stages == ["1.", "2.", "3.", "4.", "5.", "6.", "7."]


def test_watching_a_step_does_not_change_it():
    a = Trainer(default_config("ring8", seed=1, eval_every=0))
    b = Trainer(default_config("ring8", seed=1, eval_every=0))
    step_trace.trace_step(a)
    b.train_step()
    a.train(3)
    b.train(3)
    for p, q in zip(a.G.parameters(), b.G.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_step_refuses_bad_input_in_one_line(tmp_path, capsys):
    assert main(["step", "--data", "nope", "--out", str(tmp_path)]) == 2
    assert main(["step", "--data", "ring8", "--after", "-1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
