import numpy as np
import pytest
from scipy import integrate

from scratchgan.data import DATASETS, get_dataset, sample_noise


def test_ring8_has_eight_distinct_centres_on_the_circle():
    ds = get_dataset("ring8")
    c = ds.centers
    assert c.shape == (8, 2) and ds.std == 0.02
    np.testing.assert_allclose(np.hypot(c[:, 0], c[:, 1]), 2.0, atol=1e-12)
    angles = np.sort(np.mod(np.arctan2(c[:, 1], c[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 8, atol=1e-12)   # evenly spaced, none repeated
    d = np.sqrt(((c[:, None] - c[None]) ** 2).sum(-1)) + np.eye(8) * 10
    assert d.min() > 1.5                                                        # neighbours 2*2*sin(pi/8) apart


def test_grid25_centres_are_the_full_grid():
    ds = get_dataset("grid25")
    assert ds.centers.shape == (25, 2) and ds.std == 0.05
    got = {tuple(p) for p in ds.centers}
    want = {(float(a), float(b)) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert got == want


@pytest.mark.parametrize("name", ["gaussian", "mixture1d", "ring8", "grid25"])
def test_mixture_samples_match_centres_and_std(name):
    ds = get_dataset(name)
    rng = np.random.default_rng(1)
    x = ds.sample(20000, rng)
    assert x.shape == (20000, ds.dim) and x.dtype == np.float32
    # assign each sample to its centre: the offsets are N(0, std^2 I) and the modes equally likely
    d2 = ((x[:, None, :] - ds.centers[None]) ** 2).sum(-1)
    k = d2.argmin(1)
    offsets = x - ds.centers[k]
    assert abs(offsets.std() / ds.std - 1) < 0.03
    counts = np.bincount(k, minlength=len(ds.centers))
    expected = len(x) / len(ds.centers)
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_gaussian_is_n_4_half():
    x = get_dataset("gaussian").sample(40000, np.random.default_rng(2))
    assert abs(x.mean() - 4.0) < 0.02 and abs(x.std() - 0.5) < 0.01


@pytest.mark.parametrize("name", ["gaussian", "mixture1d"])
def test_1d_pdf_integrates_to_one_and_matches_histogram(name):
    ds = get_dataset(name)
    lo, hi = ds.bounds[0]
    total, _ = integrate.quad(lambda t: ds.pdf(np.array([[t]]))[0], lo, hi, limit=200)
    assert abs(total - 1) < 1e-6
    x = ds.sample(50000, np.random.default_rng(3))[:, 0]
    hist, edges = np.histogram(x, bins=40, range=(lo, hi), density=True)
    mid = 0.5 * (edges[1:] + edges[:-1])
    assert np.max(np.abs(hist - ds.pdf(mid[:, None]))) < 0.1 * ds.pdf(mid[:, None]).max()


def test_2d_log_prob_integrates_to_one_and_is_stable():
    ds = get_dataset("ring8")
    # each of the 8 equal components holds 1/8 of the mass, almost all within 7.5 std of its centre
    h, w = 0.002, 7.5 * ds.std
    for c in ds.centers[[0, 3]]:
        gx, gy = np.meshgrid(np.arange(c[0] - w, c[0] + w, h) + h / 2, np.arange(c[1] - w, c[1] + w, h) + h / 2)
        mass = ds.pdf(np.stack([gx.ravel(), gy.ravel()], 1)).sum() * h * h
        assert abs(mass - 1 / 8) < 1e-3
    far = ds.log_prob(np.array([[100.0, 100.0]]))       # exp underflows; the logsumexp does not
    assert np.isfinite(far).all() and far[0] < -1e6


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_samples_inside_its_bounds_reproducibly(name):
    ds = get_dataset(name)
    x = ds.sample(5000, np.random.default_rng(7))
    assert x.shape == (5000, ds.dim) and x.dtype == np.float32 and ds.bounds.shape == (ds.dim, 2)
    assert np.all(x >= ds.bounds[:, 0]) and np.all(x <= ds.bounds[:, 1])
    np.testing.assert_array_equal(x, ds.sample(5000, np.random.default_rng(7)))
    assert ds.sample(10, np.random.default_rng(0), dtype=np.float64).dtype == np.float64


def test_spiral_and_moons_shapes():
    x = get_dataset("spiral").sample(4000, np.random.default_rng(0))
    r = np.hypot(x[:, 0], x[:, 1])
    assert 0.6 < r.min() and r.max() < 3.2                  # radius t / 5 for t in [1.5 pi, 4.5 pi], plus noise
    m = get_dataset("moons").sample(4000, np.random.default_rng(0))
    assert abs(m.mean(0)).max() < 0.1                        # centred
    assert get_dataset("spiral").centers is None and get_dataset("moons").std is None


def test_noise():
    rng = np.random.default_rng(0)
    z = sample_noise(20000, 3, rng)
    assert z.shape == (20000, 3) and z.dtype == np.float32
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    u = sample_noise(20000, 2, rng, kind="uniform")
    assert u.min() >= -1 and u.max() <= 1 and abs(u.var() - 1 / 3) < 0.01


def test_bad_input_is_a_one_line_value_error():
    with pytest.raises(ValueError, match="unknown dataset 'rings'.*ring8.*grid25"):
        get_dataset("rings")
    with pytest.raises(ValueError, match="np.random.Generator"):
        get_dataset("ring8").sample(10, 0)
    with pytest.raises(ValueError, match="non-negative integer"):
        get_dataset("ring8").sample(-1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown noise kind"):
        sample_noise(3, 2, np.random.default_rng(0), kind="gauss")
