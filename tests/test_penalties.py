"""Gradient penalties: values, the hand-derived double backprop against finite differences, behaviour."""

import numpy as np
import pytest

from scratchgan.engine import gradcheck, nn
from scratchgan.engine.batchnorm import BatchNorm
from scratchgan.engine.optim import Adam
from scratchgan.fixes import penalties

ACTS = ["relu", "leaky_relu", "tanh", "sigmoid", "softplus"]
PENALTIES = {"gp": penalties.gradient_penalty, "r1": penalties.r1}


def numeric_input_gradient(D, x, eps=1e-6):
    """grad_x D(x_i) row by row, by central differences of D's output (independent of input_gradient)."""
    g = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            xp, xm = x.copy(), x.copy()
            xp[i, j] += eps
            xm[i, j] -= eps
            g[i, j] = (D.forward(xp)[i, 0] - D.forward(xm)[i, 0]) / (2 * eps)
    return g


def points_off_the_kinks(D, rng, shape, margin=1e-3):
    """Draw x ~ N(0, I) until no ReLU / LeakyReLU input is within `margin` of its kink at 0.

    The piecewise rule (f'' = 0) is the exact derivative only off the kinks; a central difference whose
    +-eps straddles a kink measures the jump instead (a perturbation of 1e-5 in a weight moves a
    pre-activation by about 1e-5 |input|, far less than the margin)."""
    while True:
        x = rng.standard_normal(shape)
        h, ok = x, True
        for layer in D.layers:
            if isinstance(layer, (nn.ReLU, nn.LeakyReLU)) and np.abs(h).min() < margin:
                ok = False
            h = layer.forward(h)
        if ok:
            return x


def check_penalty(D, x, fn, weight):
    params = D.parameters()
    D.zero_grad()
    fn(D, x, weight)
    analytic = {f"p{i}": p.grad.copy() for i, p in enumerate(params)}
    arrays = {f"p{i}": p.data for i, p in enumerate(params)}
    return gradcheck.check_function(lambda: fn(D, x, weight), arrays, analytic)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("act", ACTS)
def test_values_match_the_formulas(act, seed):
    rng = np.random.default_rng(seed)
    D = nn.mlp([3, 10, 10, 1], rng=rng, activation=act, dtype=np.float64)
    x = rng.standard_normal((5, 3))
    g = numeric_input_gradient(D, x)
    norms = np.linalg.norm(g, axis=1)
    assert np.allclose(penalties.input_gradient(D, x)[0], g, atol=1e-8)
    assert penalties.gradient_penalty(D, x, 7.0) == pytest.approx(7.0 * np.mean((norms - 1) ** 2), rel=1e-7)
    assert penalties.r1(D, x, 3.0) == pytest.approx(1.5 * np.mean(norms ** 2), rel=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", ["gp", "r1"])
@pytest.mark.parametrize("act", ACTS)
def test_double_backprop_matches_finite_differences_of_the_penalty(act, name, seed):
    """A deep stack (4 hidden layers) of each activation, every parameter entry, float64."""
    rng = np.random.default_rng(seed)
    D = nn.mlp([3, 8, 8, 8, 8, 1], rng=rng, activation=act, dtype=np.float64)
    res = check_penalty(D, points_off_the_kinks(D, rng, (6, 3)), PENALTIES[name], 1.0)
    assert res.max_error < 1e-6, str(res)


@pytest.mark.parametrize("name", ["gp", "r1"])
@pytest.mark.parametrize("seed", [0, 1])
def test_double_backprop_through_mixed_and_nested_stacks(name, seed):
    rng = np.random.default_rng(seed)
    f64 = np.float64
    D = nn.Sequential(nn.Linear(2, 8, rng=rng, dtype=f64), nn.Tanh(),
                      nn.Sequential(nn.Linear(8, 8, rng=rng, dtype=f64), nn.Softplus(),
                                    nn.Linear(8, 8, rng=rng, dtype=f64), nn.LeakyReLU(0.2)),
                      nn.Linear(8, 8, rng=rng, dtype=f64), nn.Sigmoid(),
                      nn.Linear(8, 8, rng=rng, dtype=f64), nn.ReLU(), nn.Linear(8, 1, rng=rng, dtype=f64))
    layers = penalties._flat_layers(D)
    res = check_penalty(D, points_off_the_kinks(nn.Sequential(*layers), rng, (7, 2)), PENALTIES[name], 1.0)
    assert res.max_error < 1e-6, str(res)


def test_piecewise_linear_nets_have_no_bias_gradient_but_smooth_ones_do():
    """For ReLU / LeakyReLU, f'' = 0 off the kinks: the input gradient is W_1 diag(mask) W_2 ..., which
    does not depend on the biases (given the masks), so dP/db = 0; with tanh it does depend on them."""
    for act, zero in (("relu", True), ("leaky_relu", True), ("tanh", False), ("softplus", False)):
        rng = np.random.default_rng(5)
        D = nn.mlp([2, 16, 16, 1], rng=rng, activation=act, dtype=np.float64)
        for layer in D.layers:
            if isinstance(layer, nn.Linear):
                layer.b.data[:] = rng.standard_normal(layer.b.shape)
        D.zero_grad()
        penalties.gradient_penalty(D, rng.standard_normal((8, 2)))
        hidden_bias_grad = np.abs(D.layers[0].b.grad).max()
        assert (hidden_bias_grad == 0) == zero, (act, hidden_bias_grad)


def test_penalty_gradients_accumulate_and_respect_requires_grad():
    rng = np.random.default_rng(3)
    D = nn.mlp([2, 8, 1], rng=rng, activation="tanh", dtype=np.float64)
    x = rng.standard_normal((4, 2))
    D.zero_grad()
    penalties.r1(D, x)
    once = [p.grad.copy() for p in D.parameters()]
    penalties.r1(D, x)
    assert all(np.allclose(p.grad, 2 * g) for p, g in zip(D.parameters(), once))
    D.zero_grad()
    D.layers[0].W.requires_grad = False
    penalties.gradient_penalty(D, x)
    assert not D.layers[0].W.grad.any() and D.layers[2].W.grad.any()
    assert D.layers[0].W.requires_grad is False and D.layers[2].W.requires_grad is True


def test_float32_stays_float32():
    rng = np.random.default_rng(4)
    D = nn.mlp([2, 16, 16, 1], rng=rng, activation="softplus")
    x = rng.standard_normal((8, 2)).astype(np.float32)
    for fn in PENALTIES.values():
        D.zero_grad()
        assert np.isfinite(fn(D, x))
        assert all(p.grad.dtype == np.float32 for p in D.parameters())


def test_linear_critic_has_the_closed_form():
    """D(x) = x w + b has grad_x D = w everywhere: GP = weight (||w|| - 1)^2, dGP/dw = 2 weight (||w|| - 1) w/||w||."""
    rng = np.random.default_rng(6)
    D = nn.Linear(3, 1, rng=rng, dtype=np.float64)
    w = D.W.data[:, 0]
    D.zero_grad()
    value = penalties.gradient_penalty(D, rng.standard_normal((5, 3)), weight=4.0)
    norm = np.linalg.norm(w)
    assert value == pytest.approx(4.0 * (norm - 1) ** 2)
    assert np.allclose(D.W.grad[:, 0], 8.0 * (norm - 1) * w / norm)
    assert not D.b.grad.any()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_minimising_each_penalty_reaches_its_target_norm(seed):
    """Descending GP alone drives ||grad_x D|| to 1 on the points; descending R1 alone drives it to 0."""
    for fn, target in ((penalties.gradient_penalty, 1.0), (penalties.r1, 0.0)):
        rng = np.random.default_rng(seed)
        D = nn.mlp([2, 32, 32, 1], rng=rng, activation="leaky_relu")
        x = rng.standard_normal((64, 2)).astype(np.float32) * 2
        opt = Adam(D.parameters(), lr=3e-3)
        start = np.linalg.norm(penalties.input_gradient(D, x)[0], axis=1)
        for _ in range(300):
            D.zero_grad()
            fn(D, x, 1.0)
            opt.step()
        norms = np.linalg.norm(penalties.input_gradient(D, x)[0], axis=1)
        assert np.abs(norms - target).mean() < 0.25 * np.abs(start - target).mean()


def test_interpolates_lie_on_the_segments():
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((50, 2)), rng.standard_normal((50, 2))
    x_hat = penalties.interpolates(a, b, np.random.default_rng(8))
    # x_hat - b = eps (a - b) with one eps in [0, 1] per row
    eps = np.sum((x_hat - b) * (a - b), axis=1) / np.sum((a - b) ** 2, axis=1)
    assert np.allclose(x_hat - b, eps[:, None] * (a - b))
    assert eps.min() >= 0 and eps.max() <= 1 and eps.std() > 0.2
    with pytest.raises(ValueError, match="same shape"):
        penalties.interpolates(a, b[:10], rng)


def test_bad_inputs_are_value_errors():
    rng = np.random.default_rng(9)
    with pytest.raises(ValueError, match="BatchNorm"):
        penalties.r1(nn.Sequential(nn.Linear(2, 4, rng=rng), BatchNorm(4), nn.Linear(4, 1, rng=rng)),
                     np.zeros((4, 2), np.float32))
    with pytest.raises(ValueError, match="one score per row"):
        penalties.r1(nn.Linear(2, 3, rng=rng), np.zeros((4, 2), np.float32))
    with pytest.raises(ValueError, match="weight"):
        penalties.gradient_penalty(nn.Linear(2, 1, rng=rng), np.zeros((4, 2), np.float32), weight=-1.0)
    with pytest.raises(ValueError, match="shape"):
        penalties.r1(nn.Linear(2, 1, rng=rng), np.zeros(4, np.float32))
