"""Layers: every backward pass against central differences (float64), accumulation, shapes, dtypes."""

import numpy as np
import pytest

from scratchgan.engine import gradcheck, nn

TOL = 1e-6
F64 = np.float64


def layer_cases(rng):
    return [
        (nn.Linear(3, 5, rng=rng, dtype=F64), 3),
        (nn.Linear(4, 2, rng=rng, init="glorot", dtype=F64), 4),
        (nn.ReLU(), 4),
        (nn.LeakyReLU(0.2), 4),
        (nn.LeakyReLU(0.01), 4),
        (nn.Tanh(), 4),
        (nn.Sigmoid(), 4),
        (nn.Softplus(), 4),
        (nn.mlp([3, 8, 8, 2], rng=rng, activation="relu", dtype=F64), 3),
        (nn.mlp([2, 8, 8, 1], rng=rng, activation="leaky_relu", dtype=F64), 2),
        (nn.mlp([2, 8, 8, 1], rng=rng, activation="tanh", out_activation="sigmoid", dtype=F64), 2),
    ]


@pytest.mark.parametrize("index", range(11))
def test_backward_matches_finite_differences(index):
    rng = np.random.default_rng(100 + index)
    layer, n_in = layer_cases(rng)[index]
    x = rng.standard_normal((6, n_in))
    result = gradcheck.check_module(layer, x)
    assert result.max_error < TOL, f"{layer!r}: {result}"


def test_gradcheck_catches_a_wrong_backward():
    """The checker itself must be able to fail: a Tanh whose backward forgets the square is caught."""

    class WrongTanh(nn.Tanh):
        def backward(self, dy):
            return dy * (1.0 - self.y)

    rng = np.random.default_rng(0)
    result = gradcheck.check_module(WrongTanh(), rng.standard_normal((4, 3)))
    assert result.max_error > 1e-2
    assert result.worst[0] == "x"


def test_linear_forward_is_affine_map():
    rng = np.random.default_rng(1)
    layer = nn.Linear(3, 2, rng=rng, dtype=F64)
    layer.b.data[:] = [0.5, -1.0]
    x = rng.standard_normal((4, 3))
    expected = np.array([[sum(x[i, k] * layer.W.data[k, j] for k in range(3)) + layer.b.data[j]
                          for j in range(2)] for i in range(4)])
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)
    assert [p.name for p in layer.parameters()] == ["W", "b"]
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)


def test_activations_values():
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(nn.ReLU().forward(x), [[0.0, 0.0, 3.0]])
    np.testing.assert_allclose(nn.LeakyReLU(0.2).forward(x), [[-0.4, 0.0, 3.0]])
    np.testing.assert_allclose(nn.Sigmoid().forward(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(nn.Softplus().forward(x), np.log1p(np.exp(x)))
    np.testing.assert_allclose(nn.Tanh().forward(x), np.tanh(x))


def test_sigmoid_is_stable_at_extremes():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y = nn.Sigmoid().forward(np.array([[-1000.0, 1000.0]], dtype=np.float32))
    np.testing.assert_array_equal(y, [[0.0, 1.0]])


def test_gradients_accumulate_and_zero_grad_clears():
    rng = np.random.default_rng(2)
    net = nn.mlp([3, 5, 2], rng=rng, dtype=F64)
    x = rng.standard_normal((4, 3))
    dy = rng.standard_normal((4, 2))
    net.forward(x)
    net.backward(dy)
    once = [p.grad.copy() for p in net.parameters()]
    assert all(np.any(g != 0) for g in once)
    net.forward(x)
    net.backward(dy)
    for p, g in zip(net.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-12)
    net.zero_grad()
    assert all(np.all(p.grad == 0) for p in net.parameters())


def test_requires_grad_false_skips_parameter_gradients_but_not_input_gradient():
    rng = np.random.default_rng(3)
    net = nn.mlp([3, 5, 2], rng=rng, dtype=F64)
    x = rng.standard_normal((4, 3))
    dy = rng.standard_normal((4, 2))
    net.forward(x)
    dx_tracked = net.backward(dy)
    net.zero_grad()
    net.requires_grad_(False)
    net.forward(x)
    dx_frozen = net.backward(dy)
    assert all(np.all(p.grad == 0) for p in net.parameters())
    np.testing.assert_array_equal(dx_tracked, dx_frozen)


def test_float32_default_stays_float32():
    rng = np.random.default_rng(4)
    net = nn.mlp([2, 8, 8, 1], rng=rng, activation="leaky_relu")
    x = rng.standard_normal((5, 2)).astype(np.float32)
    y = net.forward(x)
    dx = net.backward(np.ones_like(y))
    assert y.dtype == np.float32 and dx.dtype == np.float32
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32 for p in net.parameters())


def test_initialisers_have_their_variance():
    rng = np.random.default_rng(5)
    n_in, n_out = 400, 300
    he = nn.Linear(n_in, n_out, rng=rng, init="he", dtype=F64).W.data
    glorot = nn.Linear(n_in, n_out, rng=rng, init="glorot", dtype=F64).W.data
    assert he.var() == pytest.approx(2.0 / n_in, rel=0.03)
    assert glorot.var() == pytest.approx(2.0 / (n_in + n_out), rel=0.03)  # U(-a, a) has variance a^2 / 3
    with pytest.raises(ValueError, match="unknown init"):
        nn.Linear(2, 2, rng=rng, init="xavierr")


def test_same_rng_seed_gives_same_weights():
    a = nn.mlp([2, 16, 1], rng=np.random.default_rng(7))
    b = nn.mlp([2, 16, 1], rng=np.random.default_rng(7))
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_wrong_input_shape_names_layer_and_shapes():
    rng = np.random.default_rng(6)
    net = nn.mlp([2, 8, 1], rng=rng)
    with pytest.raises(ValueError, match=r"Linear\(2 -> 8\).*\(batch, 2\).*\(5, 3\)"):
        net.forward(np.zeros((5, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"Linear\(2 -> 8\).*\(batch, 2\).*\(5,\)"):
        net.forward(np.zeros(5, dtype=np.float32))
    net.forward(np.zeros((5, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=r"backward expected dy of shape \(5, 1\).*\(4, 1\)"):
        net.backward(np.zeros((4, 1), dtype=np.float32))


def test_mlp_structure():
    rng = np.random.default_rng(8)
    net = nn.mlp([2, 4, 3, 1], rng=rng, activation="tanh")
    kinds = [type(m).__name__ for m in net.layers]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert len(net.parameters()) == 6
    with pytest.raises(ValueError, match="unknown activation"):
        nn.mlp([2, 2], rng=rng, activation="gelu", out_activation="gelu")


def test_frozen_gives_the_input_gradient_leaves_grads_alone_and_restores_the_flags():
    rng = np.random.default_rng(0)
    net = nn.mlp([3, 4, 1], rng=rng, dtype=np.float64)
    net.parameters()[1].requires_grad = False               # a flag that was already off stays off
    x = rng.standard_normal((5, 3))
    net.forward(x)
    expected = net.backward(np.ones((5, 1)))
    net.zero_grad()
    net.forward(x)
    with nn.frozen(net):
        dx = net.backward(np.ones((5, 1)))
    np.testing.assert_array_equal(dx, expected)
    assert all(not p.grad.any() for p in net.parameters())
    assert [p.requires_grad for p in net.parameters()] == [True, False, True, True]


def test_sigmoid_is_accurate_in_both_tails():
    # the reference: float64, where 1 / (1 + e^-x) is accurate to ~1e-16 relative for x in [-700, 700]
    x = np.linspace(-100.0, 30.0, 2601)
    exact = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(nn.sigmoid(x), exact, rtol=1e-15, atol=0)
    x32 = x.astype(np.float32)
    got = nn.sigmoid(x32)
    assert got.dtype == np.float32
    exact = 1.0 / (1.0 + np.exp(-x32.astype(np.float64)))              # of the float32 inputs
    normal = x > -87.0                                                  # above that, float32 is subnormal
    np.testing.assert_allclose(got[normal], exact[normal], rtol=1e-6)  # 0.5 (1 + tanh(x / 2)): 44% off at -17
    np.testing.assert_allclose(got[~normal], exact[~normal], rtol=0, atol=1.5e-45)  # within a subnormal step
    tiny = nn.sigmoid(np.array([-103.9, -104.0], dtype=np.float32))
    assert tiny[0] > 0 and tiny[1] == 0                                 # e^x leaves float32's range at -103.97
    np.testing.assert_array_equal(nn.sigmoid(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])
