import os

import numpy as np
import pytest

from scratchgan.game.checkpoint import load_trainer, read_checkpoint, save_checkpoint
from scratchgan.game.config import TrainConfig
from scratchgan.game.trainer import Trainer


def tiny(**kw):
    fields = dict(data="ring8", steps=40, batch=32, z_dim=4, g_hidden=(16,), d_hidden=(16,), log_every=5,
                  eval_every=10, ema=0.9, lr_decay_start=0.5, lr_final=0.1)
    fields.update(kw)
    return TrainConfig.of(**fields)


def assert_same_state(a, b):
    """The two trainers agree bit for bit: networks, optimizers, the learned prior if any, streams, history,
    samples."""
    for name in ("G", "D", "G_ema"):
        for pa, pb in zip(getattr(a, name).parameters(), getattr(b, name).parameters()):
            np.testing.assert_array_equal(pa.data, pb.data)
    optimizers = [(a.opt_g, b.opt_g), (a.opt_d, b.opt_d)]
    if a.prior is not None:
        optimizers.append((a.prior.opt, b.prior.opt))
        np.testing.assert_array_equal(a.prior.zeta, b.prior.zeta)
        np.testing.assert_array_equal(a.prior.alive, b.prior.alive)
        for pa, pb in zip(a.prior.Q.parameters(), b.prior.Q.parameters()):
            np.testing.assert_array_equal(pa.data, pb.data)
    for oa, ob in optimizers:
        sa, sb = oa.state_dict(), ob.state_dict()
        assert sa["t"] == sb["t"] > 0
        for name in sa["buffers"]:
            for x, y in zip(sa["buffers"][name], sb["buffers"][name]):
                np.testing.assert_array_equal(x, y)
    assert a.step == b.step
    assert a.history.keys() == b.history.keys()
    for key in a.history:
        np.testing.assert_array_equal(np.array(a.history[key]), np.array(b.history[key]))
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    np.testing.assert_array_equal(a.sample(64), b.sample(64))


def test_resume_equals_uninterrupted_training(tmp_path):
    whole = Trainer(tiny())
    whole.train(40)

    first = Trainer(tiny())
    first.train(20)
    path = tmp_path / "checkpoint.npz"
    save_checkpoint(first, path)
    resumed = load_trainer(path)
    resumed.train(20)
    assert_same_state(whole, resumed)


def test_checkpoint_loads_without_pickle_and_leaves_no_temporary_file(tmp_path):
    t = Trainer(tiny())
    t.train(5)
    path = tmp_path / "c.npz"
    save_checkpoint(t, path)
    save_checkpoint(t, path)                       # overwriting an existing checkpoint works too
    assert os.listdir(tmp_path) == ["c.npz"]
    with np.load(path, allow_pickle=False) as f:
        assert "config" in f.files and int(f["step"]) == 5
    assert_same_state(t, load_trainer(path))


def test_missing_truncated_and_foreign_checkpoints_are_one_line_errors(tmp_path):
    with pytest.raises(ValueError, match="checkpoint not found"):
        load_trainer(tmp_path / "nope.npz")
    t = Trainer(tiny())
    good = tmp_path / "good.npz"
    save_checkpoint(t, good)
    data = good.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cannot read checkpoint .*truncated") as info:
        load_trainer(cut)
    assert "\n" not in str(info.value)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="cannot read checkpoint"):
        read_checkpoint(junk)
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(3))
    with pytest.raises(ValueError, match="not a scratchgan checkpoint"):
        read_checkpoint(other)


def test_checkpoint_of_another_architecture_does_not_fit(tmp_path):
    from scratchgan.engine import nn
    t = Trainer(tiny())
    path = tmp_path / "c.npz"
    save_checkpoint(t, path)
    wrong_G = nn.mlp([4, 8, 2], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="does not fit this trainer: G parameter 0 has shape"):
        load_trainer(path, G=wrong_G)


def test_a_npy_file_given_as_checkpoint_is_refused_in_one_line_at_the_command_line(tmp_path, capsys):
    from scratchgan.cli import main

    npy = tmp_path / "samples.npy"
    np.save(npy, np.zeros((5, 2)))
    before = npy.read_bytes()
    assert main(["train", "--resume", str(npy), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "one array" in err
    assert npy.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["samples.npy"]


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_checkpoint_holding_nan_or_inf_is_refused_at_load_touching_nothing(tmp_path, capsys, bad):
    from scratchgan.cli import main

    out = tmp_path / "run"
    assert main(["train", "--data", "gaussian", "--steps", "20", "--out", str(out)]) == 0
    arrays = dict(np.load(out / "checkpoint.npz"))
    arrays["D.2"] = arrays["D.2"].copy()
    arrays["D.2"].flat[3] = bad
    np.savez(out / "checkpoint.npz", **arrays)
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["train", "--out", str(out), "--resume", "--steps", "40"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "'D.2'" in err and "NaN or infinite" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files
    with pytest.raises(ValueError, match="corrupt"):
        load_trainer(out / "checkpoint.npz")
