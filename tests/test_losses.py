"""GAN objectives: closed-form values, stability at extreme logits, gradient checks, vanishing gradients."""

import warnings

import numpy as np
import pytest

from scratchgan.engine import gradcheck, losses

LOG2 = np.log(2.0)


def naive(real, fake):
    """The textbook formulas with an explicit sigmoid: fine for moderate logits only."""
    d = lambda l: 1.0 / (1.0 + np.exp(-l))
    v = np.mean(np.log(d(real))) + np.mean(np.log(1.0 - d(fake)))
    return {"d_loss": -v, "saturating": np.mean(np.log(1.0 - d(fake))),
            "nonsaturating": -np.mean(np.log(d(fake)))}


def test_values_at_chance():
    """When D outputs 1/2 everywhere, V = -log 4 (the value at the GAN's optimum)."""
    zeros = np.zeros((6, 1))
    for obj in (losses.Minimax(), losses.NonSaturating()):
        loss, _, _ = obj.d_loss(zeros, zeros)
        assert loss == pytest.approx(2 * LOG2, abs=1e-12)
    assert losses.Minimax().g_loss(zeros)[0] == pytest.approx(-LOG2, abs=1e-12)
    assert losses.NonSaturating().g_loss(zeros)[0] == pytest.approx(LOG2, abs=1e-12)


def test_values_match_textbook_formulas():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(1, 2, (9, 1)), rng.normal(-1, 2, (7, 1))
    ref = naive(real, fake)
    assert losses.Minimax().d_loss(real, fake)[0] == pytest.approx(ref["d_loss"], rel=1e-12)
    assert losses.Minimax().g_loss(fake)[0] == pytest.approx(ref["saturating"], rel=1e-12)
    assert losses.NonSaturating().g_loss(fake)[0] == pytest.approx(ref["nonsaturating"], rel=1e-12)


def test_label_smoothing_is_cross_entropy_with_soft_target():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(0, 2, (5, 1)), rng.normal(0, 2, (5, 1))
    alpha = 0.1
    d = 1 / (1 + np.exp(-real))
    expected = -np.mean((1 - alpha) * np.log(d) + alpha * np.log(1 - d)) - np.mean(np.log(1 - 1 / (1 + np.exp(-fake))))
    assert losses.Minimax(real_label=1 - alpha).d_loss(real, fake)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", ["minimax", "nonsaturating"])
@pytest.mark.parametrize("real_label", [1.0, 0.9])
def test_gradients_match_finite_differences(name, real_label):
    obj = losses.get_loss(name, real_label=real_label)
    rng = np.random.default_rng(2)
    real, fake = rng.normal(0, 3, (8, 1)), rng.normal(0, 3, (6, 1))
    _, d_real, d_fake = obj.d_loss(real, fake)
    res = gradcheck.check_function(lambda: obj.d_loss(real, fake)[0], {"real": real, "fake": fake},
                                   {"real": d_real, "fake": d_fake})
    assert res.max_error < 1e-6, str(res)
    _, g_fake = obj.g_loss(fake)
    res = gradcheck.check_function(lambda: obj.g_loss(fake)[0], {"fake": fake}, {"fake": g_fake})
    assert res.max_error < 1e-6, str(res)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_and_warning_free_at_extreme_logits(dtype):
    extreme = np.array([[-1000.0], [1000.0], [0.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is harmless
            for obj in (losses.Minimax(), losses.NonSaturating(), losses.Minimax(real_label=0.9)):
                loss, dr, df = obj.d_loss(extreme, extreme)
                g, dg = obj.g_loss(extreme)
                for value in (loss, g):
                    assert np.isfinite(value)
                for grad in (dr, df, dg):
                    assert np.all(np.isfinite(grad)) and grad.dtype == dtype
    # A real logit of -1000 is a confident, wrong D: its loss is about 1000, not inf.
    loss, _, _ = losses.Minimax().d_loss(np.array([[-1000.0]]), np.array([[-1000.0]]))
    assert loss == pytest.approx(1000.0)


def test_saturating_gradient_vanishes_where_d_rejects_fakes_and_nonsaturating_does_not():
    n = 4
    confident_reject = np.full((n, 1), -15.0)   # D(G(z)) = sigmoid(-15) ~ 3e-7
    _, g_sat = losses.Minimax().g_loss(confident_reject)
    _, g_ns = losses.NonSaturating().g_loss(confident_reject)
    assert np.max(np.abs(g_sat)) < 1e-6 / n
    assert np.min(np.abs(g_ns)) > 0.99 / n
    # ... and the other way round where D is fooled.
    fooled = np.full((n, 1), 15.0)
    assert np.max(np.abs(losses.NonSaturating().g_loss(fooled)[1])) < 1e-6 / n
    assert np.min(np.abs(losses.Minimax().g_loss(fooled)[1])) > 0.99 / n


def test_bad_logits_shape_and_unknown_loss():
    with pytest.raises(ValueError, match=r"\(batch, 1\).*\(4, 2\)"):
        losses.Minimax().d_loss(np.zeros((4, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="unknown loss 'vanila'.*minimax"):
        losses.get_loss("vanila")
