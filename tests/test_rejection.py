"""Discriminator rejection sampling: the acceptance rule, the fitted ratio, and the trainer's use of them."""

import numpy as np
import pytest

from scratchgan.data import get_dataset
from scratchgan.fixes.rejection import accept, fit_ratio, rejection_sample
from scratchgan.game import sampling
from scratchgan.game.networks import build_discriminator
from scratchgan.game.recipes import default_config
from scratchgan.game.trainer import Trainer
from scratchgan.measure.metrics import mode_coverage


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_accepting_with_the_exact_log_ratio_turns_p_into_pi(seed):
    # p = N(0, 1), pi = N(1, 1): log pi/p = x - 1/2. The accepted samples must follow N(1, 1)
    # (the quantile cap under-weights the top 0.1% of the proposals' ratios, a small bias).
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(400_000)
    kept = x[accept(x - 0.5, rng, quantile=0.999)]
    assert abs(kept.mean() - 1.0) < 0.03
    assert abs(kept.std() - 1.0) < 0.03
    assert 0.05 < len(kept) / len(x) < 0.5


def unequal_ring(n, rng):
    """ring8 with the shares 3 : 1 alternating between neighbouring modes (reverse KL about 0.13)."""
    ring = get_dataset("ring8")
    w = np.tile([3.0, 1.0], 4)
    k = rng.choice(8, size=n, p=w / w.sum())
    return (ring.centers[k] + ring.std * rng.standard_normal((n, 2))).astype(np.float32)


def test_the_blurred_ratio_evens_out_the_modes_shares():
    ring = get_dataset("ring8")
    rng = np.random.default_rng(0)
    D = build_discriminator(default_config("ring8", pack=1), ring, rng)
    fit_ratio(D, lambda m, r: ring.sample(m, r), unequal_ring(20000, rng), sigma=0.15, steps=1500, batch=256,
              rng=rng)
    before = mode_coverage(unequal_ring(2500, rng), ring.centers, ring.std)["reverse_kl"]
    x, rate = rejection_sample(lambda m: unequal_ring(m, rng), D, 2500, rng)
    after = mode_coverage(x, ring.centers, ring.std)["reverse_kl"]
    assert before > 0.08
    assert after < 0.015
    assert 0.3 < rate < 0.9          # about 2/3 are accepted: the rich modes' 3 : 1 excess is thinned out


@pytest.fixture(autouse=True)
def few_ratio_steps(monkeypatch):
    """The ratio D gets 50 Adam steps instead of 3,000: these tests are about streams and caching."""
    monkeypatch.setattr(sampling, "RATIO_STEPS", 50)


def small_trainer(**overrides):
    config = default_config("ring8", steps=40, batch=64, eval_every=0, seed=3, **overrides)
    return Trainer(config)


def test_rejection_sampling_leaves_the_training_stream_alone():
    a, b = small_trainer(rejection=0.15), small_trainer(rejection=0.15)
    a.train(20)
    a.sample(100)                    # fits a ratio D and rejects; must not touch a.rng
    a.train(20)
    b.train(40)
    for p, q in zip(a.G.parameters(), b.G.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_rejection_sampling_is_reproducible_and_refits_when_g_changes():
    a, b = small_trainer(rejection=0.15), small_trainer(rejection=0.15)
    a.train(40)
    b.train(40)
    np.testing.assert_array_equal(a.sample(200), b.sample(200))
    first = a.ratio_discriminator()
    assert a.ratio_discriminator() is first          # cached while G is unchanged
    a.train(1)
    assert a.ratio_discriminator() is not first      # refitted for the new G


def test_negative_rejection_sigma_is_refused():
    with pytest.raises(ValueError, match="rejection must be a number >= 0"):
        default_config("ring8", rejection=-0.1)
