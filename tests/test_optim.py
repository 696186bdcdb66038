"""Optimizers against updates computed by hand, step by step, in the papers' notation."""

import numpy as np
import pytest

from scratchgan.engine import optim
from scratchgan.engine.nn import Parameter

GRADS = [np.array([0.5, -2.0, 0.0]), np.array([0.1, 1.0, -3.0]), np.array([-0.4, 0.2, 1.5]),
         np.array([2.0, -0.5, 0.25])]


def run(opt_cls, **kw):
    p = Parameter(np.array([1.0, -1.0, 0.5]))
    opt = opt_cls([p], **kw)
    path = []
    for g in GRADS:
        opt.zero_grad()
        p.grad += g
        opt.step()
        path.append(p.data.copy())
    return path


def test_sgd_plain_and_momentum():
    theta = np.array([1.0, -1.0, 0.5])
    for got, g in zip(run(optim.SGD, lr=0.1), GRADS):
        theta = theta - 0.1 * g
        np.testing.assert_allclose(got, theta, rtol=1e-14)
    # Heavy ball as PyTorch keeps it: b_1 = g_1, b_t = mu b_{t-1} + g_t, theta -= lr b_t.
    theta, buf, mu = np.array([1.0, -1.0, 0.5]), None, 0.9
    for got, g in zip(run(optim.SGD, lr=0.1, momentum=mu), GRADS):
        buf = g.copy() if buf is None else mu * buf + g
        theta = theta - 0.1 * buf
        np.testing.assert_allclose(got, theta, rtol=1e-14)


def test_adam_first_step_is_lr_times_sign():
    """With bias correction, m_hat = g and v_hat = g^2 at t = 1, so the first step is lr * g / (|g| + eps)."""
    first = run(optim.Adam, lr=0.01)[0]
    np.testing.assert_allclose(first, [1.0 - 0.01, -1.0 + 0.01, 0.5], rtol=1e-7)


def test_adam_matches_kingma_ba_algorithm_1():
    lr, b1, b2, eps = 0.05, 0.5, 0.999, 1e-8
    theta, m, v = np.array([1.0, -1.0, 0.5]), np.zeros(3), np.zeros(3)
    for t, (got, g) in enumerate(zip(run(optim.Adam, lr=lr, betas=(b1, b2), eps=eps), GRADS), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps * np.sqrt(1 - b2 ** t) / np.sqrt(1 - b2 ** t))
        np.testing.assert_allclose(got, theta, rtol=1e-6)


def test_rmsprop_matches_hand_computation():
    lr, alpha, eps = 0.01, 0.99, 1e-8
    theta, v = np.array([1.0, -1.0, 0.5]), np.zeros(3)
    for got, g in zip(run(optim.RMSprop, lr=lr, alpha=alpha, eps=eps), GRADS):
        v = alpha * v + (1 - alpha) * g ** 2
        theta = theta - lr * g / (np.sqrt(v) + eps)
        np.testing.assert_allclose(got, theta, rtol=1e-12)


def test_state_dict_round_trip_continues_identically():
    def make():
        p = Parameter(np.array([1.0, 2.0]))
        return p, optim.Adam([p], lr=0.1)

    p1, o1 = make()
    for g in GRADS[:2]:
        p1.grad[:] = g[:2]
        o1.step()
    p2, o2 = make()
    p2.data[:] = p1.data
    o2.load_state_dict(o1.state_dict())
    for g in GRADS[2:]:
        p1.grad[:] = g[:2]
        p2.grad[:] = g[:2]
        o1.step()
        o2.step()
    np.testing.assert_array_equal(p1.data, p2.data)


def test_float32_parameters_stay_float32():
    p = Parameter(np.ones(3, dtype=np.float32))
    for cls in (optim.SGD, optim.Adam, optim.RMSprop):
        opt = cls([p], lr=0.1)
        p.grad[:] = 0.5
        opt.step()
        assert p.data.dtype == np.float32


@pytest.mark.parametrize("lr", [0.0, -1e-3, float("nan")])
def test_bad_learning_rate_is_named(lr):
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        optim.Adam([Parameter(np.zeros(2))], lr=lr)
