"""The Wasserstein, hinge and least-squares objectives: values from their formulas, gradients, behaviour."""

import numpy as np
import pytest

from scratchgan.engine import gradcheck, losses

NEW = ["wasserstein", "hinge", "least_squares"]


def batches(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.5, 2.0, (9, 1)), rng.normal(-0.5, 2.0, (7, 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_values_match_formulas(seed):
    real, fake = batches(seed)
    assert losses.Wasserstein().d_loss(real, fake)[0] == pytest.approx(fake.mean() - real.mean(), rel=1e-12)
    assert losses.Wasserstein().g_loss(fake)[0] == pytest.approx(-fake.mean(), rel=1e-12)
    hinge = np.mean([max(0.0, 1 - r) for r in real.ravel()]) + np.mean([max(0.0, 1 + f) for f in fake.ravel()])
    assert losses.Hinge().d_loss(real, fake)[0] == pytest.approx(hinge, rel=1e-12)
    assert losses.Hinge().g_loss(fake)[0] == pytest.approx(-fake.mean(), rel=1e-12)
    a, b, c = -1.0, 1.0, 0.0
    ls = losses.LeastSquares(a=a, b=b, c=c)
    assert ls.d_loss(real, fake)[0] == pytest.approx(0.5 * np.mean((real - b) ** 2) + 0.5 * np.mean((fake - a) ** 2))
    assert ls.g_loss(fake)[0] == pytest.approx(0.5 * np.mean((fake - c) ** 2))


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_finite_differences(name, seed):
    obj = losses.get_loss(name)
    real, fake = batches(seed)
    _, d_real, d_fake = obj.d_loss(real, fake)
    res = gradcheck.check_function(lambda: obj.d_loss(real, fake)[0], {"real": real, "fake": fake},
                                   {"real": d_real, "fake": d_fake})
    assert res.max_error < 1e-6, str(res)
    _, g_fake = obj.g_loss(fake)
    res = gradcheck.check_function(lambda: obj.g_loss(fake)[0], {"fake": fake}, {"fake": g_fake})
    assert res.max_error < 1e-6, str(res)


@pytest.mark.parametrize("name", NEW)
def test_gradients_keep_shape_and_float32(name):
    obj = losses.get_loss(name)
    real, fake = (a.astype(np.float32) for a in batches(3))
    _, d_real, d_fake = obj.d_loss(real, fake)
    _, g_fake = obj.g_loss(fake)
    for g, ref in ((d_real, real), (d_fake, fake), (g_fake, fake)):
        assert g.shape == ref.shape and g.dtype == np.float32


def test_wasserstein_and_hinge_generator_gradients_never_vanish():
    """Where the sigmoid losses saturate (D sure the fakes are fake, or sure they are real), these do not."""
    for logit in (-1000.0, 0.0, 1000.0):
        fake = np.full((4, 1), logit)
        for obj in (losses.Wasserstein(), losses.Hinge()):
            assert np.allclose(obj.g_loss(fake)[1], -1.0 / 4)
    far = np.full((4, 1), -50.0)                    # least squares: the gradient grows with the distance
    near = np.full((4, 1), -5.0)
    ls = losses.LeastSquares()
    assert abs(ls.g_loss(far)[1][0, 0]) > abs(ls.g_loss(near)[1][0, 0]) > 0


def test_hinge_ignores_samples_beyond_the_margin():
    real = np.array([[2.0], [0.5]])                  # the first is past the margin l >= 1
    fake = np.array([[-3.0], [0.0]])                 # the first is past the margin l <= -1
    _, d_real, d_fake = losses.Hinge().d_loss(real, fake)
    assert d_real[0, 0] == 0 and d_real[1, 0] < 0
    assert d_fake[0, 0] == 0 and d_fake[1, 0] > 0


def test_least_squares_minimum_is_at_the_targets():
    """D's loss is 0 exactly when real scores equal b and fake scores equal a; G's when fakes equal c."""
    ls = losses.LeastSquares(a=-1.0, b=1.0, c=0.0)
    loss, d_real, d_fake = ls.d_loss(np.ones((3, 1)), -np.ones((3, 1)))
    assert loss == 0 and not d_real.any() and not d_fake.any()
    assert ls.g_loss(np.zeros((3, 1)))[0] == 0


def test_aliases_and_label_smoothing_through_get_loss():
    assert isinstance(losses.get_loss("wgan"), losses.Wasserstein)
    assert isinstance(losses.get_loss("ls"), losses.LeastSquares)
    smoothed = losses.get_loss("nonsaturating", real_label=0.9)
    real, fake = batches(4)
    _, d_real, _ = smoothed.d_loss(real, fake)
    # the smoothed target moves D's optimum on the reals: dL/dl = (sigmoid(l) - 0.9) / n
    assert np.allclose(d_real, (1 / (1 + np.exp(-real)) - 0.9) / real.shape[0])


def test_bad_options_are_one_line_value_errors():
    with pytest.raises(ValueError, match="does not take"):
        losses.get_loss("wasserstein", real_label=0.9)
    with pytest.raises(ValueError, match="unknown loss"):
        losses.get_loss("wgan-gpp")
    with pytest.raises(ValueError, match="logits"):
        losses.Hinge().d_loss(np.zeros((3, 2)), np.zeros((3, 1)))
