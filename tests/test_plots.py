"""Figures and animations: each plotting function runs headless on a tiny run and writes an image of the
expected pixel size; GIF frames change over training; recording leaves training untouched; a run directory
that lacks a file is reported by name."""

import os

import numpy as np
import pytest
from PIL import Image

from scratchgan import cli, plots
from scratchgan.engine import errors, losses, nn
from scratchgan.game import checkpoint
from scratchgan.game.recipes import default_config
from scratchgan.game.trainer import Trainer


def tiny_trainer(data, seed=0, steps=40):
    """A real Trainer with small networks (16-16 hidden, z in R^2) that calls back every 5 steps."""
    config = default_config(data, steps=steps, batch=32, g_hidden=(16, 16), d_hidden=(16, 16),
                                      z_dim=2, log_every=5, seed=seed, ema=0.0)
    return Trainer(config)


def png_size(path):
    assert os.path.getsize(path) > 1000
    with Image.open(path) as im:
        return im.size


def assert_png_size(path, expected):
    """The PNG at path is expected = (width, height) pixels, or one short in either: inches x dpi is a float
    (4.6 x 100 = 459.99...), which matplotlib 3.5 truncates to whole pixels and later versions round."""
    got = png_size(path)
    assert all(e - 1 <= g <= e for g, e in zip(got, expected)), (got, expected)


@pytest.fixture(scope="module")
def trained2d():
    t = tiny_trainer("ring8")
    t.train(20)
    return t


@pytest.mark.parametrize("data", ["gaussian", "ring8"])
def test_plot_frame_writes_png_of_expected_size(tmp_path, data):
    t = tiny_trainer(data)
    t.train(10)
    path = plots.plot_frame(t, str(tmp_path / "frame.png"), dpi=50)
    assert_png_size(path, (500, 230))                      # FRAME_SIZE (10 x 4.6 in) at 50 dpi


def test_plot_frame_without_history(tmp_path):
    t = tiny_trainer("grid25")
    path = plots.plot_frame(t, str(tmp_path / "frame.png"), history=None, dpi=40)
    assert_png_size(path, (400, 184))


def test_plot_curves_png_and_missing_key(tmp_path, trained2d):
    h = dict(trained2d.history)
    h["eval_step"] = [10, 20]
    h["eval_modes"] = [2, 4]
    h["eval_high_quality"] = [0.5, 0.8]
    path = plots.plot_curves(h, str(tmp_path / "curves.png"), data="ring8", loss="nonsaturating",
                             n_modes=8, dpi=50)
    assert_png_size(path, (500, 370))                      # 2 x 2 panels: 10 x 7.4 in
    del h["eval_step"]
    path = plots.plot_curves(h, str(tmp_path / "curves3.png"), dpi=50)
    assert_png_size(path, (750, 200))                      # 1 x 3 panels: 15 x 4 in
    del h["d_fake"]
    with pytest.raises(ValueError, match="d_fake"):
        plots.plot_curves(h, str(tmp_path / "c.png"))


def test_recorder_gif_frames_differ_and_training_is_untouched(tmp_path):
    # the same run with and without a recorder ends with identical weights
    plain = tiny_trainer("ring8", seed=3)
    plain.train(15)
    t = tiny_trainer("ring8", seed=3)
    rec = plots.FrameRecorder(every=5)
    rec(t)
    t.train(15, callback=rec)
    for p, q in zip(plain.G.parameters() + plain.D.parameters(), t.G.parameters() + t.D.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert [int(f["step"]) for f in rec.frames] == [0, 5, 10, 15]
    assert all(0 <= int(f["modes"]) <= 8 and 0 <= float(f["high_quality"]) <= 1 for f in rec.frames)

    path = plots.save_animation(rec.frames, rec.meta, str(tmp_path / "a.gif"), t.history, dpi=30,
                                hold_last=0)
    assert os.path.getsize(path) < 5e6
    with Image.open(path) as im:
        assert im.size == (300, 138)
        pixels = []
        for i in range(im.n_frames):
            im.seek(i)
            pixels.append(np.asarray(im.convert("RGB"), dtype=np.int16))
    assert len(pixels) == 4
    for a, b in zip(pixels[:-1], pixels[1:]):
        assert np.abs(a - b).sum() > 0


def test_frames_round_trip(tmp_path, trained2d):
    rec = plots.FrameRecorder(every=1)
    rec(trained2d)
    path = plots.save_frames(rec.frames, rec.meta, str(tmp_path / "frames.npz"))
    frames, meta = plots.load_frames(path)
    assert meta["data"] == "ring8" and meta["dim"] == 2 and meta["critic"] is False
    np.testing.assert_array_equal(frames[0]["heat"], rec.frames[0]["heat"])
    np.testing.assert_array_equal(meta["real"], rec.meta["real"])


def test_generator_gradient_is_minus_dloss_dx_and_leaves_d_alone():
    rng = np.random.default_rng(0)
    D = nn.mlp([2, 8, 1], rng=rng, activation="tanh", dtype=np.float64)
    objective = losses.NonSaturating()
    x = rng.standard_normal((5, 2))
    grads_before = [p.grad.copy() for p in D.parameters()]
    g = plots.generator_gradient(D, objective, x)
    for p, before in zip(D.parameters(), grads_before):
        np.testing.assert_array_equal(p.grad, before)
    # central differences of n * L_G(x) in x[2, 1]
    eps = 1e-6
    xp, xm = x.copy(), x.copy()
    xp[2, 1] += eps
    xm[2, 1] -= eps
    numeric = 5 * (objective.g_loss(D.forward(xp))[0] - objective.g_loss(D.forward(xm))[0]) / (2 * eps)
    assert g[2, 1] == pytest.approx(-numeric, rel=1e-5)


def test_kde_integrates_to_one():
    x = np.linspace(-6, 6, 2001)
    p = plots.kde_1d(np.random.default_rng(0).standard_normal(500), x)
    assert p.sum() * (x[1] - x[0]) == pytest.approx(1.0, abs=1e-3)


def test_plot_run_names_the_missing_file(tmp_path, capsys):
    with pytest.raises(errors.UsageError, match="history.npz"):
        plots.plot_run(str(tmp_path))
    np.savez(tmp_path / "history.npz", step=np.arange(3))
    assert cli.main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "checkpoint.npz" in err and "\n" not in err
    assert cli.main(["plot", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_plot_run_redraws_a_recorded_run(tmp_path, capsys):
    # a run directory as `train --animate` leaves it, then `python -m scratchgan plot` on it
    t = tiny_trainer("grid25", steps=20)
    rec = plots.FrameRecorder(every=10)
    rec(t)
    t.train(20, callback=rec)
    checkpoint.save_checkpoint(t, str(tmp_path / "checkpoint.npz"))
    checkpoint.save_npz(str(tmp_path / "history.npz"), checkpoint.history_arrays(t.history))
    plots.save_frames(rec.frames, rec.meta, str(tmp_path / "frames.npz"))
    np.save(tmp_path / "samples.npy", t.sample(200, rejection=False))
    assert cli.main(["plot", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # no evaluations during training: the curves get a 4th panel, the mode counts of the recorded frames
    for name, size in (("curves.png", (1000, 740)), ("frame.png", (1000, 460)), ("animation.gif", (800, 368)),
                       ("samples.png", (500, 520))):
        assert name in out
        assert_png_size(str(tmp_path / name), size)
    with Image.open(tmp_path / "animation.gif") as im:
        assert im.n_frames == 3                                # steps 0, 10, 20 (the held last frame merges)


@pytest.mark.parametrize("loss", ["nonsaturating", "wasserstein", "hinge"])
def test_heatmap_is_a_probability_or_the_raw_score(tmp_path, loss):
    config = default_config("ring8", loss=loss, steps=10, batch=32, g_hidden=(16,), d_hidden=(16,),
                                      z_dim=2, log_every=5, pack=1)      # one D(x) per point
    t = Trainer(config)
    t.train(10)
    meta = plots.frame_meta(t)
    frame = plots.frame_from_trainer(t, meta)
    corner = meta["bounds"][:, 0][None, :].astype(np.float32)        # grid point heat[0, 0]
    raw = float(t.D.forward(corner)[0, 0])
    expected = raw if loss != "nonsaturating" else float(nn.sigmoid(raw))
    assert meta["critic"] == (loss != "nonsaturating")
    assert frame["heat"][0, 0] == pytest.approx(expected, rel=1e-4, abs=1e-6)
    path = plots.plot_frame(t, str(tmp_path / "f.png"), dpi=40)
    assert_png_size(path, (400, 184))


def test_frame_mode_coverage_counts_modes_per_frame():
    centers = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    on_two = {"step": np.array(10), "fake": np.array([[0.0, 0.01], [4.0, 0.0], [4.01, 0.0], [2.0, 2.0]])}
    on_all = {"step": np.array(20), "fake": centers.copy()}
    cov = plots.frame_mode_coverage([on_two, on_all], centers, std=0.05)
    np.testing.assert_array_equal(cov["eval_step"], [10, 20])
    np.testing.assert_array_equal(cov["eval_modes"], [2, 3])
    np.testing.assert_allclose(cov["eval_high_quality"], [0.75, 1.0])
