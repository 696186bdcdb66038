"""Figures and animations: each plotting function runs headless on a tiny run and writes an image of the
expected pixel size; GIF frames change over training; recording leaves training untouched; a run directory
that lacks a file is reported by name."""

import os

import numpy as np
import pytest
from PIL import Image

from scratchgan import cli, losses, nn, optim, plots, training


class TinyData:
    """A stand-in with the Dataset contract: 4 Gaussians on a square (2D) or N(1, 0.5^2) (1D)."""

    def __init__(self, dim):
        self.dim = dim
        self.std = 0.1 if dim == 2 else 0.5
        if dim == 2:
            self.name = "tiny4"
            self.centers = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
            self.bounds = np.array([[-2.0, 2.0], [-2.0, 2.0]])
        else:
            self.name = "tiny1d"
            self.centers = np.array([[1.0]])
            self.bounds = np.array([[-2.0, 4.0]])

    def sample(self, n, rng):
        k = rng.integers(0, len(self.centers), size=n)
        return (self.centers[k] + self.std * rng.standard_normal((n, self.dim))).astype(np.float32)

    def pdf(self, x):
        sq = ((x[:, None, :] - self.centers[None]) ** 2).sum(2)
        norm = (2 * np.pi * self.std ** 2) ** (self.dim / 2)
        return np.exp(-0.5 * sq / self.std ** 2).mean(1) / norm


class TinyConfig:
    loss = "nonsaturating"
    steps = 40


class TinyTrainer:
    """Just enough of the Trainer contract for the plots: G, D, data, objective, config, history, step,
    rng, noise(n), train(n_steps, callback)."""

    def __init__(self, dim, seed=0, latent_dim=2):
        self.rng = np.random.default_rng(seed)
        self.data = TinyData(dim)
        self.latent_dim = latent_dim
        self.G = nn.mlp([latent_dim, 16, 16, dim], rng=self.rng)
        self.D = nn.mlp([dim, 16, 16, 1], rng=self.rng, activation="leaky_relu")
        self.objective = losses.NonSaturating()
        self.config = TinyConfig()
        self.opt_g = optim.Adam(self.G.parameters(), 5e-3)
        self.opt_d = optim.Adam(self.D.parameters(), 5e-3)
        self.step = 0
        self.history = {k: [] for k in ("step", "loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d",
                                         "grad_norm_g")}

    def noise(self, n):
        return self.rng.standard_normal((n, self.latent_dim)).astype(np.float32)

    def train(self, n_steps, callback=None):
        for _ in range(n_steps):
            self.D.zero_grad()
            x_real = self.data.sample(32, self.rng)
            loss_d, real, fake = training.discriminator_backward(self.D, self.objective, x_real,
                                                                 self.G.forward(self.noise(32)))
            norm_d = np.sqrt(sum((p.grad ** 2).sum() for p in self.D.parameters()))
            self.opt_d.step()
            self.G.zero_grad()
            loss_g, _ = training.generator_backward(self.G, self.D, self.objective, self.noise(32))
            norm_g = np.sqrt(sum((p.grad ** 2).sum() for p in self.G.parameters()))
            self.opt_g.step()
            self.step += 1
            if self.step % 5 == 0:
                values = (self.step, loss_d, loss_g, nn.sigmoid(real).mean(), nn.sigmoid(fake).mean(),
                          norm_d, norm_g)
                for key, v in zip(self.history, values):
                    self.history[key].append(float(v))
                if callback is not None:
                    callback(self)


def png_size(path):
    assert os.path.getsize(path) > 1000
    with Image.open(path) as im:
        return im.size


@pytest.fixture(scope="module")
def trained2d():
    t = TinyTrainer(2)
    t.train(20)
    return t


@pytest.mark.parametrize("dim", [1, 2])
def test_plot_frame_writes_png_of_expected_size(tmp_path, dim):
    t = TinyTrainer(dim)
    t.train(10)
    path = plots.plot_frame(t, str(tmp_path / "frame.png"), dpi=50)
    assert png_size(path) == (500, 230)                      # FRAME_SIZE (10 x 4.6 in) at 50 dpi


def test_plot_frame_without_history(tmp_path):
    t = TinyTrainer(2)
    path = plots.plot_frame(t, str(tmp_path / "frame.png"), history=None, dpi=40)
    assert png_size(path) == (400, 184)


def test_plot_curves_png_and_missing_key(tmp_path, trained2d):
    h = dict(trained2d.history)
    h["eval_step"] = [10, 20]
    h["eval_modes"] = [2, 4]
    h["eval_high_quality"] = [0.5, 0.8]
    path = plots.plot_curves(h, str(tmp_path / "curves.png"), data="tiny4", loss="nonsaturating", dpi=50)
    assert png_size(path) == (500, 370)                      # 2 x 2 panels: 10 x 7.4 in
    del h["d_fake"]
    with pytest.raises(ValueError, match="d_fake"):
        plots.plot_curves(h, str(tmp_path / "c.png"))


def test_recorder_gif_frames_differ_and_training_is_untouched(tmp_path):
    # the same run with and without a recorder ends with identical weights
    plain = TinyTrainer(2, seed=3)
    plain.train(15)
    t = TinyTrainer(2, seed=3)
    rec = plots.FrameRecorder(every=5)
    rec(t)
    t.train(15, callback=rec)
    for p, q in zip(plain.G.parameters() + plain.D.parameters(), t.G.parameters() + t.D.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert [int(f["step"]) for f in rec.frames] == [0, 5, 10, 15]

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
    assert meta["data"] == "tiny4" and meta["dim"] == 2 and meta["critic"] is False
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
    with pytest.raises(cli.UsageError, match="history.npz"):
        plots.plot_run(str(tmp_path))
    np.savez(tmp_path / "history.npz", step=np.arange(3))
    assert cli.main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "checkpoint.npz" in err and "\n" not in err
    assert cli.main(["plot", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
