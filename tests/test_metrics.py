"""Tests of scratchgan.metrics: mode coverage on exact constructed inputs, the two-sample tests' error rates."""

import numpy as np
import pytest

from scratchgan import metrics

# ---------------------------------------------------------------------------------------------------------
# mode_coverage
# ---------------------------------------------------------------------------------------------------------

SQUARE = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])  # K = 4 centres, far apart


def test_mode_coverage_all_modes_uniform():
    # two samples on every centre, each 0.5 std away: every mode captured, all high quality, p uniform
    std = 1.0
    samples = np.repeat(SQUARE, 2, axis=0) + np.array([0.5, 0.0])
    out = metrics.mode_coverage(samples, SQUARE, std)
    assert out["modes"] == 4
    assert out["high_quality"] == 1.0
    assert out["reverse_kl"] == pytest.approx(0.0, abs=1e-12)


def test_mode_coverage_collapse_to_one_mode():
    std = 0.5
    samples = SQUARE[2] + np.zeros((7, 2))
    out = metrics.mode_coverage(samples, SQUARE, std)
    assert out["modes"] == 1
    assert out["high_quality"] == 1.0
    assert out["reverse_kl"] == pytest.approx(np.log(4), rel=1e-12)   # p = (0, 0, 1, 0): 1 * log(4 * 1)


def test_mode_coverage_low_quality_samples_count_in_kl_not_in_modes():
    std = 1.0
    samples = np.array([
        [0.0, 0.0],          # at centre 0, high quality
        [0.0, 2.9],          # 2.9 std from centre 0: high quality
        [10.0, 3.5],         # 3.5 std from centre 1 (nearest): low quality -> mode 1 not captured
        [4.0, 9.0],          # nearest centre 2 at distance sqrt(16 + 1) > 3: low quality
    ])
    out = metrics.mode_coverage(samples, SQUARE, std)
    assert out["modes"] == 1
    assert out["high_quality"] == pytest.approx(0.5)
    # histogram over ALL samples: p = (2/4, 1/4, 1/4, 0)
    p = np.array([0.5, 0.25, 0.25])
    assert out["reverse_kl"] == pytest.approx(np.sum(p * np.log(4 * p)), rel=1e-12)


def test_mode_coverage_boundary_is_three_std_inclusive():
    out = metrics.mode_coverage(np.array([[3.0, 0.0]]), SQUARE, 1.0)
    assert out["modes"] == 1 and out["high_quality"] == 1.0
    out = metrics.mode_coverage(np.array([[3.0001, 0.0]]), SQUARE, 1.0)
    assert out["modes"] == 0 and out["high_quality"] == 0.0


def test_mode_coverage_rejects_bad_input():
    with pytest.raises(ValueError, match="dimension"):
        metrics.mode_coverage(np.zeros((5, 3)), SQUARE, 1.0)
    with pytest.raises(ValueError, match="std"):
        metrics.mode_coverage(np.zeros((5, 2)), SQUARE, 0.0)
    with pytest.raises(ValueError, match="samples"):
        metrics.mode_coverage(np.zeros((0, 2)), SQUARE, 1.0)
