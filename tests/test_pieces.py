"""The data's pieces (scratchgan/data/pieces.py) and the networks that use them (scratchgan/fixes/pieces.py)."""

import subprocess
import sys

import numpy as np
import pytest

from scratchgan.data import get_dataset
from scratchgan.data.latent import join_code
from scratchgan.data.pieces import find_pieces, MAX_PIECES, pieces_of_data
from scratchgan.engine.errors import UsageError
from scratchgan.fixes.pieces import PieceGenerator
from scratchgan.game.checkpoint import load_trainer, save_checkpoint
from scratchgan.game.config import TrainConfig
from scratchgan.game.recipes import default_config
from scratchgan.game.trainer import Trainer
from test_checkpoint import assert_same_state


@pytest.mark.parametrize("name, K", [("ring8", 8), ("grid25", 25), ("moons", 2), ("spiral", 1), ("gaussian", 1)])
def test_the_pieces_are_the_datas_separate_clouds(name, K):
    pieces = pieces_of_data(get_dataset(name))
    assert pieces.K == K
    assert np.isclose(pieces.weights.sum(), 1.0) and pieces.weights.min() > 0


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_each_piece_is_one_mixture_component_with_its_share_and_width(name):
    data = get_dataset(name)
    x, component = data.sample_labelled(20000, np.random.default_rng(5), dtype=np.float64)
    pieces = pieces_of_data(data)
    piece = pieces.assign(x)
    for k in range(pieces.K):           # every piece holds the points of exactly one component, and all of them
        assert len(np.unique(component[piece == k])) == 1
    assert len(np.unique(component)) == pieces.K
    assert np.allclose(pieces.weights, 1 / pieces.K, atol=0.01)
    assert np.allclose(pieces.scale, data.std, rtol=0.1)
    assert np.allclose(np.sort(np.linalg.norm(pieces.mean, axis=1)),
                       np.sort(np.linalg.norm(data.centers, axis=1)), atol=0.01)


@pytest.mark.parametrize("name", ["ring8", "grid25", "moons"])
def test_the_anchors_give_every_point_the_piece_of_its_nearest_reference_point(name):
    data = get_dataset(name)
    pieces = pieces_of_data(data)
    x = data.sample(20000, np.random.default_rng(6), dtype=np.float64)
    nearest = np.argmin(((x[:, None, :] - pieces.rows[None, ::7, :]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(pieces.assign(x), pieces.labels[::7][nearest])


def test_stray_points_join_a_piece_and_one_shape_or_a_dust_of_points_is_one_piece():
    rng = np.random.default_rng(0)
    two = np.concatenate([rng.normal(0, 0.1, (300, 2)), rng.normal(5, 0.1, (300, 2)),
                          rng.normal(2.5, 0.01, (12, 2))])          # a stray group of 12 between them
    pieces = find_pieces(two)
    assert pieces.K == 2
    assert np.isclose(pieces.weights.sum(), 1.0)
    integers = np.repeat(np.arange(MAX_PIECES + 10, dtype=float), 40)[:, None]     # every value its own cloud
    assert find_pieces(integers).K == 1
    assert find_pieces(rng.normal(size=(30, 2))).K == 1            # too few rows to hold two pieces
    with pytest.raises(ValueError, match="rows must be"):
        find_pieces(np.zeros(5))


def test_a_named_datasets_pieces_are_measured_on_many_draws():
    # found on 10,000 draws, measured on 200,000 more: each of grid25's 25 shares within 4% of 1/25 (on the
    # 10,000 alone they were off by up to 8%), each mean within 0.05 std of its centre, each width within 4%
    data = get_dataset("grid25")
    found = pieces_of_data(data)
    assert found.K == 25
    nearest = np.argmin(((found.mean[:, None, :] - data.centers[None]) ** 2).sum(-1), axis=1)
    assert sorted(nearest) == list(range(25))
    assert np.all(np.abs(25 * found.weights - 1) < 0.04)
    assert np.all(np.abs(found.mean - data.centers[nearest]) < 0.05 * data.std)
    assert np.all(np.abs(found.scale / data.std - 1) < 0.04)


def test_the_trainer_gives_each_piece_a_class_drawn_with_its_share():
    t = Trainer(default_config("ring8", steps=2))
    assert t.config.model.latent_classes == 8 and t.pieces.K == 8
    assert isinstance(t.G, PieceGenerator)
    z = t.noise(40000, np.random.default_rng(1))
    shares = np.bincount(np.argmax(z[:, t.config.model.z_dim:], axis=1), minlength=8) / len(z)
    assert np.allclose(shares, t.pieces.weights, atol=0.01)
    eps = np.zeros((8, t.config.model.z_dim), dtype=np.float32)
    x = t.G.forward(join_code(eps, np.arange(8), 8))               # class c lands in piece c's frame
    np.testing.assert_array_equal(t.pieces.assign(x), np.arange(8))


def test_the_affine_path_from_eps_is_trained_with_g():
    t = Trainer(default_config("ring8", steps=3, eval_every=0))
    A0, b0 = t.G.affine.W.data.copy(), t.G.affine.b.data.copy()
    assert any(p is t.G.affine.W for p in t.G.parameters())
    t.train(3)
    assert not np.array_equal(t.G.affine.W.data, A0) and not np.array_equal(t.G.affine.b.data, b0)
    z = join_code(np.zeros((8, t.config.model.z_dim), np.float32), np.arange(8), 8)
    h = t.G.net.forward(z) + t.G.affine.b.data                     # eps = 0: only the bias of A eps + b
    np.testing.assert_allclose(t.G.forward(z), t.pieces.mean + t.pieces.scale * h, rtol=1e-5, atol=1e-6)


def test_one_piece_keeps_the_plain_networks():
    t = Trainer(TrainConfig.of(data="spiral", steps=2, pieces=True))
    assert t.pieces is None and t.config.model.latent_classes == 0
    plain = Trainer(TrainConfig.of(data="spiral", steps=2))
    for a, b in zip(t.G.parameters(), plain.G.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_resume_with_pieces_equals_uninterrupted_training(tmp_path):
    cfg = default_config("grid25", steps=30, eval_every=10, batch=32, g_hidden=(16,), d_hidden=(16,))
    whole = Trainer(cfg)
    whole.train(30)
    first = Trainer(cfg)
    first.train(15)
    save_checkpoint(first, tmp_path / "c.npz")
    resumed = load_trainer(tmp_path / "c.npz")
    assert resumed.config.model.latent_classes == 25
    resumed.train(15)
    assert_same_state(whole, resumed)


def test_clashes_and_a_wrong_number_of_classes_are_one_line_errors():
    with pytest.raises(UsageError, match=r"pieces does not combine with conditional, pack: .*--no-pieces"):
        TrainConfig.of(data="ring8", pieces=True, conditional=True, pack=2).validate()
    with pytest.raises(UsageError, match="pieces found 8 pieces in ring8, but latent_classes is 5"):
        Trainer(TrainConfig.of(data="ring8", pieces=True, latent_classes=5))


def test_a_setting_the_pieces_do_not_combine_with_turns_them_off_in_train(tmp_path):
    out = subprocess.run([sys.executable, "-m", "scratchgan", "train", "--data", "ring8", "--preset", "wgan-gp",
                          "--steps", "3", "--eval-every", "0", "--out", str(tmp_path / "r")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([sys.executable, "-m", "scratchgan", "train", "--data", "ring8", "--pieces", "--pack", "2",
                          "--steps", "3", "--out", str(tmp_path / "s")], capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.strip().splitlines() == [
        "error: pieces does not combine with pack: turn it off, or pieces (--no-pieces)"]


def test_what_goes_with_the_pieces_goes_with_them():
    # the tanh G belongs to the pieces' generator (its affine path): a clashing override turns both off, and
    # a G activation asked for by name is kept
    model = default_config("ring8").model
    assert model.pieces and model.g_activation == "tanh"
    model = default_config("ring8", pack=2).model
    assert not model.pieces and model.g_activation == "relu"
    assert default_config("ring8", pack=2).fixes.local_mmd == 0.0
    assert default_config("ring8", pack=2, g_activation="tanh").model.g_activation == "tanh"


def test_in_training_D_reads_each_fake_in_the_frame_of_the_class_it_was_made_for():
    # PieceLabels: the D-step's stacked batch is labelled by the real points' pieces and the fakes' classes; the
    # labels serve one pass only, after which D reads each point in the frame of the piece it falls in
    from scratchgan.fixes.pieces import piece_frame
    t = Trainer(default_config("ring8", steps=2, batch=16))
    frame = piece_frame(t.D)
    z = t.noise(16)
    x_fake = t.G.forward(z)
    x_real = t.real(16)
    t.fixes.d_inputs(t, t.D, x_real, x_fake)
    classes = np.argmax(z[:, t.config.model.z_dim:], axis=1)
    np.testing.assert_array_equal(frame.labels, np.concatenate([t.pieces.assign(x_real), classes]))
    t.D.forward(np.concatenate([x_real, x_fake]))
    np.testing.assert_array_equal(frame.k[16:], classes)
    assert frame.labels is None
    stray = np.repeat(t.pieces.mean[:1], 16, axis=0).astype(np.float32)    # 16 points on piece 0 ...
    frame.labels = np.full(16, 3)                                           # ... judged as piece 3's
    u = frame.forward(stray)
    assert np.all(u[:, 2 + 3] == 1) and np.abs(u[:, :2]).max() > 10        # far out in piece 3's frame
    np.testing.assert_array_equal(frame.forward(stray)[:, 2], 1)           # unlabelled: its own piece, 0
    frame.labels = np.zeros(5, dtype=int)
    with pytest.raises(ValueError, match="5 labels set for a batch of 16 rows"):
        frame.forward(stray)


@pytest.mark.slow
def test_the_two_moons_as_a_file_keep_both_moons(tmp_path):
    # Two pieces close together: without D's labels in training both classes went to one moon (energy distance
    # 0.38 to the held-out rows); seed chosen before running
    from scratchgan.measure.metrics import energy_distance
    rows = get_dataset("moons").sample(2500, np.random.default_rng(8), dtype=np.float64)
    np.savetxt(tmp_path / "moons.csv", rows, delimiter=",")
    t = Trainer(default_config(str(tmp_path / "moons.csv"), seed=9))
    assert t.config.model.latent_classes == 2
    t.train(t.config.run.steps)
    x = t.sample(2500).astype(np.float64)
    assert energy_distance(x, t.data.heldout) < 0.01
    assert np.allclose(np.bincount(t.pieces.assign(x), minlength=2) / len(x), t.pieces.weights, atol=0.03)
