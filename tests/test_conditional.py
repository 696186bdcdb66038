"""Conditional GANs: OneHotLabels, G(z, y) and D(x, y) in training, and sampling a class on demand."""

import json

import numpy as np
import pytest

from scratchgan.cli import main
from scratchgan.engine import gradcheck, losses, nn
from scratchgan.fixes import conditional
from scratchgan.game.recipes import default_config
from scratchgan.game.trainer import Trainer

F64 = np.float64


def test_one_hot_labels_joins_the_label_and_passes_only_x_back():
    layer = conditional.OneHotLabels(3)
    conditional.set_labels(layer, [2, 0])
    y = layer.forward(np.array([[5.0, 6.0], [7.0, 8.0]]))
    np.testing.assert_array_equal(y, [[5, 6, 0, 0, 1], [7, 8, 1, 0, 0]])
    np.testing.assert_array_equal(layer.backward(np.arange(10.0).reshape(2, 5)), [[0, 1], [5, 6]])
    conditional.set_labels(layer, None)                      # no labels: the classes in turn
    np.testing.assert_array_equal(layer.forward(np.zeros((4, 1)))[:, 1:].argmax(axis=1), [0, 1, 2, 0])
    conditional.set_labels(layer, [1, 1, 1])
    with pytest.raises(ValueError, match="OneHotLabels.*3 labels set for a batch of 2"):
        layer.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="ints in 0..2"):
        conditional.set_labels(layer, [0, 3])


def test_conditional_gan_gradients_match_finite_differences_with_labels_set():
    # the trainer's own compositions, with the labels a training step sets: the stacked D batch gets
    # [y_real, y_fake], G's step gives y to both G and D
    from scratchgan.engine.gan_backward import discriminator_backward, generator_backward

    rng = np.random.default_rng(0)
    G = nn.Sequential(conditional.OneHotLabels(4), *nn.mlp([3 + 4, 12, 2], rng=rng, activation="tanh", dtype=F64).layers)
    D = nn.Sequential(conditional.OneHotLabels(4), *nn.mlp([2 + 4, 12, 1], rng=rng, activation="tanh", dtype=F64).layers)
    objective = losses.NonSaturating()
    x_real, z = rng.standard_normal((6, 2)), rng.standard_normal((6, 3))
    y_real, y_fake, y = rng.integers(0, 4, 6), rng.integers(0, 4, 6), rng.integers(0, 4, 6)

    conditional.set_labels(G, y_fake)
    x_fake = G.forward(z)
    conditional.set_labels(D, np.concatenate([y_real, y_fake]))
    D.zero_grad()
    discriminator_backward(D, objective, x_real, x_fake)
    both = np.concatenate([x_real, x_fake])

    def d_loss():
        logits = D.forward(both)
        return objective.d_loss(logits[:6], logits[6:])[0]

    res_d = gradcheck.check_function(d_loss, {f"D{i}": p.data for i, p in enumerate(D.parameters())},
                                     {f"D{i}": p.grad.copy() for i, p in enumerate(D.parameters())})
    conditional.set_labels(G, y)
    conditional.set_labels(D, y)
    G.zero_grad()
    generator_backward(G, D, objective, z)
    res_g = gradcheck.check_function(lambda: objective.g_loss(D.forward(G.forward(z)))[0],
                                     {f"G{i}": p.data for i, p in enumerate(G.parameters())},
                                     {f"G{i}": p.grad.copy() for i, p in enumerate(G.parameters())})
    assert res_d.max_error < 1e-6 and res_g.max_error < 1e-6
    # and the label matters: G's gradient with other labels is another gradient
    other = [p.grad.copy() for p in G.parameters()]
    conditional.set_labels(G, (y + 1) % 4)
    conditional.set_labels(D, (y + 1) % 4)
    G.zero_grad()
    generator_backward(G, D, objective, z)
    assert not np.allclose(other[0], G.parameters()[0].grad)


def test_conditional_refuses_unlabelled_data_and_the_filters_it_does_not_combine_with():
    with pytest.raises(ValueError, match="moons has no labels"):
        Trainer(default_config("moons", conditional=True))
    with pytest.raises(ValueError, match="conditional does not combine with latent_classes"):
        default_config("ring8", conditional=True, latent_classes=8)
    with pytest.raises(ValueError, match="conditional does not combine with pack, truncation, rejection"):
        default_config("ring8", conditional=True, latent_classes=0, pack=2, truncation=0.3, rejection=0.1)


def test_a_conditional_ring_draws_each_label_at_its_own_mode(tmp_path, capsys):
    # seeds chosen before running; 1,200 steps are enough for the label to steer G
    out = tmp_path / "run"
    assert main(["train", "--data", "ring8", "--conditional", "--steps", "1200", "--seed", "21", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert min(metrics["label_agreement"]) >= 0.9, metrics["label_agreement"]
    assert main(["sample", str(out), "-n", "200", "--label", "5", "--out", str(tmp_path / "five.npy")]) == 0
    five = np.load(tmp_path / "five.npy")
    centre = 2 * np.array([np.cos(5 * np.pi / 4), np.sin(5 * np.pi / 4)])          # ring8's centre 5
    assert np.median(np.linalg.norm(five - centre, axis=1)) < 0.1
    capsys.readouterr()
    assert main(["sample", str(out), "-n", "5", "--label", "8", "--out", str(tmp_path / "x.npy")]) == 2
    assert "0..7" in capsys.readouterr().err


def test_fake_labels_are_uniform_and_the_digits_classes_nearly_so():
    # docs/conditional.md: D* has the simple form only when the fake labels follow the real ones
    from scratchgan.data import get_dataset

    labels = conditional.draw_labels(100_000, 10, np.random.default_rng(0))
    assert np.all(np.abs(np.bincount(labels, minlength=10) / 100_000 - 0.1) < 0.005)
    counts = np.bincount(get_dataset("digits").labels)
    assert counts.sum() == 1497 and counts.min() == 139 and counts.max() == 157
    k_pi = 10 * counts / counts.sum()
    assert round(k_pi.min(), 2) == 0.93 and round(k_pi.max(), 2) == 1.05
