"""The latent z with a discrete code (scratchgan.data.latent): its distribution, its pieces, and G built for it."""

import numpy as np
import pytest

from scratchgan.data import sample_noise
from scratchgan.data.latent import CLASS_SCALE, latent_class, sample_latent
from scratchgan.game.config import TrainConfig
from scratchgan.game.recipes import default_config
from scratchgan.game.trainer import Trainer
from scratchgan.plots.field2d import latent_grid


def test_without_classes_z_is_exactly_the_continuous_draw():
    a = sample_latent(100, 3, np.random.default_rng(1), "uniform")
    b = sample_noise(100, 3, np.random.default_rng(1), "uniform")
    assert np.array_equal(a, b)


@pytest.mark.parametrize("kind", ["normal", "uniform"])
def test_z_is_the_continuous_draw_then_a_scaled_one_hot_code(kind):
    z = sample_latent(40000, 2, np.random.default_rng(0), kind, classes=8)
    assert z.shape == (40000, 10) and z.dtype == np.float32
    eps, code = z[:, :2], z[:, 2:]
    assert np.array_equal(eps, sample_noise(40000, 2, np.random.default_rng(0), kind))   # eps is drawn first
    assert np.all(np.sort(code, axis=1)[:, :-1] == 0) and np.all(code.max(axis=1) == CLASS_SCALE)
    shares = np.bincount(latent_class(z, 2), minlength=8) / len(z)
    assert np.abs(shares - 1 / 8).max() < 0.01                        # c ~ Uniform{0..7}


def test_the_pieces_of_p_z_are_apart():
    # points of different pieces are at least a sqrt(2) apart (their codes alone differ by that much), so no
    # path inside the support of p(z) joins two pieces
    z = sample_latent(2000, 2, np.random.default_rng(0), "uniform", classes=5).astype(np.float64)
    c = latent_class(z, 2)
    d = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(-1))
    differ = c[:, None] != c[None, :]
    assert d[differ].min() >= CLASS_SCALE * np.sqrt(2) - 1e-9
    assert d[~differ].max() <= 2 * np.sqrt(2) + 1e-9              # within a piece: the square [-1, 1]^2
    with pytest.raises(ValueError, match="no code"):
        latent_class(z[:, :2], 2)


def test_trainer_draws_z_with_the_code_and_G_takes_it():
    t = Trainer(default_config("ring8", latent_classes=8, pieces=False, steps=3, eval_every=0))
    q = t.config.model.z_dim
    assert t.noise(5).shape == (5, q + 8)
    assert t.G.layers[0].n_in == q + 8
    t.train(3)
    assert t.sample(7).shape == (7, 2)


def test_latent_classes_must_be_a_non_negative_integer():
    with pytest.raises(ValueError, match="latent_classes must be a non-negative integer"):
        TrainConfig.of(latent_classes=-1).validate()
    with pytest.raises(ValueError, match="latent_classes must be a non-negative integer"):
        TrainConfig.of(latent_classes=2.5).validate()


def test_the_manifold_grid_has_one_piece_per_class():
    z = sample_latent(1000, 2, np.random.default_rng(0), "normal", classes=3)
    grid = latent_grid(z, 5, classes=3)
    assert grid.shape == (3, 5, 5, 5)
    for c in range(3):
        assert np.all(grid[c, :, :, 2 + c] == CLASS_SCALE) and np.all(np.delete(grid[c], 2 + c, axis=-1)[..., 2:] == 0)
    assert np.array_equal(grid[0, :, :, :2], latent_grid(z[:, :2], 5)[:, :, :2])


def test_the_1d_frame_maps_a_line_inside_the_first_piece():
    from scratchgan.plots import frame_meta
    t = Trainer(default_config("mixture1d", latent_classes=3, steps=2, eval_every=0))
    z_line = frame_meta(t)["z_line"]
    assert z_line.shape[1] == 2 + 3 and np.all(latent_class(z_line, 2) == 0)
    assert np.all(z_line[:, 2] == CLASS_SCALE) and np.all(z_line[:, 3:] == 0) and np.ptp(z_line[:, 0]) > 0


def test_no_recipe_is_told_the_number_of_modes():
    # issue 22: the recipes hold no mode count; the trainer finds the pieces in the data (scratchgan/data/pieces.py)
    from scratchgan.data import get_dataset
    for name, k in (("ring8", 8), ("grid25", 25)):
        assert len(get_dataset(name).centers) == k
        config = default_config(name)
        assert config.model.latent_classes == 0 and config.model.pieces
        assert Trainer(config.replace(steps=1)).config.model.latent_classes == k
