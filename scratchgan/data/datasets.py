"""Toy distributions pi(x) to learn, and the noise p(z) the generator starts from.

Every dataset is an object with

    .name      its registry name, e.g. "ring8"
    .dim       a sample is a row vector x of length dim: 1 or 2 for the toys, 64 for the digits
    .sample(n, rng) -> (n, dim) float32 array, drawn with the np.random.Generator `rng` (never the global RNG)
    .bounds    (dim, 2) array [[lo, hi], ...]: a plotting box that holds the data with a margin
    .centers   (K, dim) array of the mixture's means, or None when the data is not a mixture of
               isotropic Gaussians
    .std       the common standard deviation of those Gaussians, or None

and, for the mixtures of Gaussians (whose density is known in closed form, as the theory demos need it),

    .log_prob(x) -> (n,) float64 log pi(x) for x of shape (n, dim),   .pdf(x) = exp(log_prob(x)).

Labelled datasets (the mixtures, whose label is the component; the digits) also have
    .n_classes                                 the number of labels K (None when the data has none)
    .sample_labelled(n, rng) -> (x, y)         x as sample() draws it, y (n,) int64 labels in 0..K-1

Beyond the toys: `digits`, the 8x8 handwritten digits shipped with the package (Digits, 64 dimensions),
and your own data: get_dataset(PATH) reads an (n, d) table from a .npy, .npz, .csv or .txt file
(scratchgan.data.tables) and samples its rows (Table).

The 2D mixtures are the geometries the mode-collapse literature measures on (Metz et al. 2016 "Unrolled
GANs", Srivastava et al. 2017 "VEEGAN", Lin et al. 2018 "PacGAN"): 8 Gaussians on a circle of radius 2 with
std 0.02, and 25 Gaussians on the grid {-4, -2, 0, 2, 4}^2 with std 0.05, all with equal weights.
"""

import os

import numpy as np

from ..engine.errors import UsageError
from .tables import read_table, TABLE_EXTENSIONS

class Dataset:
    """Base class: a named distribution over R^dim that can be sampled."""

    name = ""
    dim = 0
    centers = None
    std = None
    bounds = None
    n_classes = None
    value_range = None       # (lo, hi) when every value lies in a range (the digits' pixels: 0..16), else None
    images = None            # (height, width) when each sample is an image of labelled digits (the digits: 8 x 8):
                             # its runs are drawn as grids of images and read by a digit classifier

    def sample(self, n, rng, dtype=np.float32):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r}, dim={self.dim})"


def _check_n_rng(name, n, rng):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"{name}.sample: n must be a non-negative integer, got {n!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{name}.sample: rng must be a np.random.Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")


class GaussianMixture(Dataset):
    """pi(x) = (1/K) sum_k N(x | c_k, s^2 I): K equally weighted isotropic Gaussians.

    centers: (K, dim) means c_k.  std: the common standard deviation s.

    Sampling: pick a component k uniformly, then x = c_k + s * eps with eps ~ N(0, I).
    Density, with d = dim:
        log pi(x) = logsumexp_k [ -|x - c_k|^2 / (2 s^2) ] - log K - (d/2) log(2 pi s^2)
    """

    def __init__(self, name, centers, std):
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[0] < 1:
            raise ValueError(f"{name}: centers must have shape (K, dim), got {centers.shape}")
        if not std > 0:
            raise ValueError(f"{name}: std must be positive, got {std}")
        self.name = name
        self.centers = centers
        self.std = float(std)
        self.dim = centers.shape[1]
        self._centers32 = centers.astype(np.float32)
        # plotting box: the centres' span, plus 5 std, plus a fifth of the span (at least 0.5) of margin
        lo, hi = centers.min(axis=0), centers.max(axis=0)
        pad = 5 * self.std + max(0.2 * float((hi - lo).max()), 0.5)
        self.bounds = np.stack([lo - pad, hi + pad], axis=1)
        self.n_classes = len(centers)

    def sample(self, n, rng, dtype=np.float32):
        """(n, dim) array of draws from pi."""
        return self.sample_labelled(n, rng, dtype)[0]

    def sample_labelled(self, n, rng, dtype=np.float32):
        """(x, k): (n, dim) draws from pi and (n,) the index of the component each was drawn from."""
        _check_n_rng(self.name, n, rng)
        k = rng.integers(0, len(self.centers), size=n)
        eps = rng.standard_normal((n, self.dim), dtype=np.float32)
        eps *= np.float32(self.std)
        eps += self._centers32[k]
        return (eps if dtype == np.float32 else eps.astype(dtype)), k

    def log_prob(self, x):
        """(n,) float64 log pi(x) for x of shape (n, dim)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"{self.name}.log_prob: expected x of shape (n, {self.dim}), got {x.shape}")
        s2 = self.std ** 2
        sq = ((x[:, None, :] - self.centers[None, :, :]) ** 2).sum(axis=2)          # (n, K) |x - c_k|^2
        log_terms = -sq / (2 * s2)
        m = log_terms.max(axis=1)                                                    # logsumexp, stably
        lse = m + np.log(np.exp(log_terms - m[:, None]).sum(axis=1))
        return lse - np.log(len(self.centers)) - 0.5 * self.dim * np.log(2 * np.pi * s2)

    def pdf(self, x):
        """(n,) float64 pi(x)."""
        return np.exp(self.log_prob(x))


def gaussian():
    """The classic 1D demo: pi = N(4, 0.5^2)."""
    return GaussianMixture("gaussian", [[4.0]], 0.5)


def mixture1d():
    """Three well separated 1D modes: pi = (1/3) [N(-3, 0.4^2) + N(0, 0.4^2) + N(3, 0.4^2)]."""
    return GaussianMixture("mixture1d", [[-3.0], [0.0], [3.0]], 0.4)


def ring8():
    """8 Gaussians at radius 2, angles 2 pi k / 8 for k = 0..7 (eight distinct centres), std 0.02."""
    angles = 2 * np.pi * np.arange(8) / 8
    return GaussianMixture("ring8", 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1), 0.02)


def grid25():
    """25 Gaussians at {-4, -2, 0, 2, 4}^2, std 0.05."""
    g = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
    gx, gy = np.meshgrid(g, g, indexing="ij")
    return GaussianMixture("grid25", np.stack([gx.ravel(), gy.ravel()], axis=1), 0.05)


class Spiral(Dataset):
    """A 2D Swiss roll: t ~ U(1.5 pi, 4.5 pi),  x = (t cos t, t sin t) / 5 + noise * eps,  eps ~ N(0, I).

    A one-dimensional curve, one and a half turns, radius from about 0.9 to 2.8; no closed-form density.
    """

    name = "spiral"
    dim = 2

    def __init__(self, noise=0.05):
        self.noise = float(noise)
        r = 4.5 * np.pi / 5 + 5 * self.noise + 0.4
        self.bounds = np.array([[-r, r], [-r, r]])

    def sample(self, n, rng, dtype=np.float32):
        _check_n_rng(self.name, n, rng)
        t = rng.uniform(1.5 * np.pi, 4.5 * np.pi, size=n)
        x = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / 5.0
        x += self.noise * rng.standard_normal((n, 2))
        return x.astype(dtype)


class Moons(Dataset):
    """Two interleaving half circles of radius 1 (the "two moons"), plus N(0, noise^2 I) noise.

    upper moon: (cos t, sin t),            t ~ U(0, pi)
    lower moon: (1 - cos t, 0.5 - sin t),  t ~ U(0, pi)
    each with probability 1/2; then centred by subtracting (0.5, 0.25).  No closed-form density.
    """

    name = "moons"
    dim = 2

    def __init__(self, noise=0.05):
        self.noise = float(noise)
        m = 5 * self.noise + 0.4
        self.bounds = np.array([[-1.5 - m, 1.5 + m], [-1.0 - m, 1.0 + m]])

    def sample(self, n, rng, dtype=np.float32):
        _check_n_rng(self.name, n, rng)
        t = rng.uniform(0.0, np.pi, size=n)
        lower = rng.random(n) < 0.5
        x = np.stack([np.cos(t), np.sin(t)], axis=1)
        x[lower] = np.stack([1.0 - np.cos(t[lower]), 0.5 - np.sin(t[lower])], axis=1)
        x -= np.array([0.5, 0.25])
        x += self.noise * rng.standard_normal((n, 2))
        return x.astype(dtype)


class Rows(Dataset):
    """A finite set of rows, sampled uniformly with replacement: the empirical distribution of a table.

    rows: (n, dim) the training rows; heldout: (m, dim) rows kept out of training, for the two-sample tests;
    labels, heldout_labels: their (n,) and (m,) int labels, or None. bounds: each column's range plus 5%.
    """

    def __init__(self, name, rows, heldout, labels=None, heldout_labels=None, n_classes=None):
        self.name = name
        self.rows = np.asarray(rows, dtype=np.float64)
        self.heldout = np.asarray(heldout, dtype=np.float64)
        self.dim = self.rows.shape[1]
        self.labels, self.heldout_labels, self.n_classes = labels, heldout_labels, n_classes
        self._rows32 = self.rows.astype(np.float32)
        lo, hi = self.rows.min(axis=0), self.rows.max(axis=0)
        pad = 0.05 * np.maximum(hi - lo, 1e-6)
        self.bounds = np.stack([lo - pad, hi + pad], axis=1)

    def sample(self, n, rng, dtype=np.float32):
        """(n, dim) rows drawn uniformly with replacement from the training rows."""
        _check_n_rng(self.name, n, rng)
        x = self._rows32[rng.integers(0, len(self.rows), size=n)]
        return x if dtype == np.float32 else x.astype(dtype)

    def sample_labelled(self, n, rng, dtype=np.float32):
        """(x, y): n rows drawn uniformly with replacement and their labels."""
        if self.labels is None:
            raise ValueError(f"{self.name} has no labels")
        _check_n_rng(self.name, n, rng)
        i = rng.integers(0, len(self.rows), size=n)
        x = self._rows32[i]
        return (x if dtype == np.float32 else x.astype(dtype)), self.labels[i]


def split_rows(n, heldout_fraction, seed=0):
    """(train indices, held-out indices) of n rows: a fixed random permutation, so every run holds out
    the same rows."""
    order = np.random.default_rng(seed).permutation(n)
    m = int(round(heldout_fraction * n))
    return np.sort(order[m:]), np.sort(order[:m])


DIGITS_FILE = os.path.join(os.path.dirname(__file__), "files", "digits.npz")


def digits():
    """The UCI handwritten digits: 1,797 images of 8 x 8 pixels in 0..16, labels 0..9 (files/README.md).

    A fixed sixth of the images (300) is held out of training: the digit metrics test on them."""
    with np.load(DIGITS_FILE) as f:
        images, labels = f["images"].astype(np.float64), f["labels"].astype(np.int64)
    train, held = split_rows(len(images), 300 / len(images))
    data = Rows("digits", images[train], images[held], labels[train], labels[held], n_classes=10)
    data.bounds = np.tile([[0.0, 16.0]], (64, 1))          # the pixels' own range, not the sample's
    data.value_range = (0.0, 16.0)                           # a sampled digit is clipped to it
    data.images = (8, 8)
    return data


def is_table_path(name):
    """True when a dataset name is a file of your own (it ends in .npy, .npz, .csv or .txt)."""
    return str(name).lower().endswith(TABLE_EXTENSIONS)


def table(path, heldout_fraction=0.2):
    """Your own data: the (n, d) table in the file `path` (scratchgan.data.tables.read_table); a fixed fifth of
    its rows is held out of training for the two-sample tests."""
    rows = read_table(path)
    train, held = split_rows(len(rows), heldout_fraction)
    return Rows(os.path.basename(path), rows[train], rows[held])


DATASETS = {
    "gaussian": gaussian,
    "mixture1d": mixture1d,
    "ring8": ring8,
    "grid25": grid25,
    "spiral": Spiral,
    "moons": Moons,
    "digits": digits,
}


def check_dataset_name(name):
    """Raise the one UsageError for a name that is neither a dataset (DATASETS) nor a table file's path."""
    if name not in DATASETS and not is_table_path(name):
        raise UsageError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}, "
                         f"or a file of your own ({', '.join(TABLE_EXTENSIONS)})")


def get_dataset(name):
    """A dataset from its name (see DATASETS) or a file's path (see table); an unknown name raises a
    UsageError listing the valid ones, a bad file one naming the file."""
    check_dataset_name(name)
    return table(name) if is_table_path(name) else DATASETS[name]()


def data_scale(data):
    """(centre m, scale s) of a dataset's plotting box: m its midpoint, s a quarter of its widths, so the box
    maps to [-2, 2]^d under (x - m) / s."""
    lo, hi = data.bounds[:, 0], data.bounds[:, 1]
    return (lo + hi) / 2, (hi - lo) / 4



NOISE_KINDS = ("normal", "uniform")


def sample_noise(n, dim, rng, kind="normal", dtype=np.float32):
    """The generator's input z: an (n, dim) array, z ~ N(0, I) ("normal") or U(-1, 1)^dim ("uniform")."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"sample_noise: rng must be a np.random.Generator, got {type(rng).__name__}")
    if kind == "normal":
        return rng.standard_normal((n, dim), dtype=dtype)
    if kind == "uniform":
        z = rng.random((n, dim), dtype=dtype)
        z *= 2
        z -= 1
        return z
    raise UsageError(f"unknown noise kind {kind!r}; choose one of: {', '.join(NOISE_KINDS)}")
