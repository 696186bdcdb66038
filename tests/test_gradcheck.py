"""The two compositions GAN training differentiates, and the gradient checker itself."""

import numpy as np
import pytest

from scratchgan.cli import main
from scratchgan.engine import gradcheck, losses, nn

F64 = np.float64


def nets(rng, g_act="relu", d_act="leaky_relu"):
    G = nn.mlp([4, 12, 12, 2], rng=rng, activation=g_act, dtype=F64)
    D = nn.mlp([2, 12, 12, 1], rng=rng, activation=d_act, dtype=F64)
    return G, D


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
@pytest.mark.parametrize("acts", [("relu", "leaky_relu"), ("tanh", "tanh"), ("softplus", "sigmoid")])
def test_discriminator_and_generator_compositions(loss, acts):
    rng = np.random.default_rng(11)
    G, D = nets(rng, *acts)
    res = gradcheck.check_gan(G, D, losses.get_loss(loss), rng.standard_normal((8, 2)), rng.standard_normal((8, 4)))
    assert res["discriminator"].max_error < 1e-6, str(res["discriminator"])
    assert res["generator"].max_error < 1e-6, str(res["generator"])


def test_generator_gradient_goes_through_d():
    """If G's gradient skipped D (numpy-ml's WGAN-GP bug), the check must fail: here G is trained on a
    gradient taken as if D were the identity on its first coordinate."""
    rng = np.random.default_rng(12)
    G, D = nets(rng)
    obj = losses.NonSaturating()
    z = rng.standard_normal((8, 4))

    def broken_generator_backward(G, D, objective, z):
        x = G.forward(z)
        _, d_logits = objective.g_loss(x[:, :1])
        G.backward(np.concatenate([d_logits, np.zeros_like(d_logits)], axis=1))

    G.zero_grad()
    broken_generator_backward(G, D, obj, z)
    arrays = {f"G{i}": p.data for i, p in enumerate(G.parameters())}
    analytic = {f"G{i}": p.grad.copy() for i, p in enumerate(G.parameters())}
    res = gradcheck.check_function(lambda: obj.g_loss(D.forward(G.forward(z)))[0], arrays, analytic)
    assert res.max_error > 1e-2


def test_checker_refuses_float32():
    rng = np.random.default_rng(13)
    layer = nn.Linear(2, 2, rng=rng)
    with pytest.raises(ValueError, match="float64"):
        gradcheck.check_module(layer, np.ones((3, 2), dtype=np.float32))


def test_subset_of_entries_for_big_tensors():
    rng = np.random.default_rng(14)
    layer = nn.Linear(64, 64, rng=rng, dtype=F64)
    res = gradcheck.check_module(layer, rng.standard_normal((4, 64)), max_entries=20)
    assert res.max_error < 1e-6
    assert set(res.per_tensor) == {"x", "W0", "b1"}


def test_cli_gradcheck_prints_every_row_below_tolerance(capsys):
    assert main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines()[1:-1]]
    assert len(rows) >= 12
    errors = [float(line.split()[-1]) for line in rows]
    assert max(errors) < 1e-6
    assert "worst relative error" in out.splitlines()[-1]


def test_check_module_catches_a_backward_that_overwrites_instead_of_accumulating():
    from scratchgan.engine import nn

    class Overwrites(nn.Linear):
        def backward(self, dy):
            self.W.grad[...] = self.x.T @ dy          # '=' where nn.Linear adds: a second batch would be lost
            self.b.grad[...] = dy.sum(axis=0)
            return dy @ self.W.data.T

    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3))
    good = nn.Linear(3, 2, rng=np.random.default_rng(1), dtype=np.float64)
    bad = Overwrites(3, 2, rng=np.random.default_rng(1), dtype=np.float64)
    assert gradcheck.check_module(good, x).max_error < 1e-7
    assert gradcheck.check_module(bad, x).max_error > 0.4
