"""Tables of more than two columns, seen through their first two principal components.

A GAN trained on a table of d > 2 columns cannot be drawn as the 2D field or the 1D densities: there is no
plane to draw D's verdict on. What can be drawn is what the two-sample tests measure, real rows against
generated ones, in the view that shows the most of the table:

principal_axes       the PCA of the training rows (numpy's SVD of the standardized table): the two leading
                     directions and the fraction of the variance each explains
project              rows (n, d) -> their coordinates (n, 2) on those directions
plot_table_samples   one PNG: training rows, held-out rows and generated samples on PC1-PC2, and the first
                     columns' histograms, real against generated (a run's samples.png when d > 2)

The PCA is fitted on the training rows only, so the held-out rows and the samples are shown in the same
coordinates, and a generator that collapsed onto part of the data shows as purple missing from green.
"""

import numpy as np

from .base import CURVES_DPI, FAKE_COLOR, new_figure, REAL_COLOR, save_figure

MAX_POINTS = 2000     # generated samples drawn on the scatter (the first ones: they are independent draws)
MAX_MARGINALS = 6     # columns whose histograms are drawn


def principal_axes(rows):
    """The PCA of rows (n, d), d >= 2: a dict with mean (d,), scale (d,), axes (2, d) and explained (2,).

    Each column is first standardized (minus its mean, over its std), so that a column in large units (an
    income) does not outweigh one in small units (a ratio); a constant column keeps scale 1. The axes are the
    first two right singular vectors of the standardized matrix, each signed so that its largest entry is
    positive (the same table always gives the same picture); explained[k] = s_k^2 / sum s^2, the fraction of
    the standardized variance along axis k."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] < 2:
        raise ValueError(f"principal_axes needs rows of shape (n, d) with d >= 2, got {rows.shape}")
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-12] = 1.0
    _, s, vt = np.linalg.svd((rows - mean) / scale, full_matrices=False)
    axes = vt[:2].copy()
    axes *= np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])[:, None]
    total = float(np.sum(s ** 2))
    explained = s[:2] ** 2 / total if total > 0 else np.zeros(2)
    return {"mean": mean, "scale": scale, "axes": axes, "explained": explained}


def project(x, pca):
    """Rows x (n, d) in the coordinates (n, 2) of principal_axes' PC1 and PC2."""
    return ((np.asarray(x, dtype=np.float64) - pca["mean"]) / pca["scale"]) @ pca["axes"].T


def _box(real, fake, margin=0.08):
    """(lo, hi) of each of the 2 coordinates: the real points' range plus a margin, widened to hold 99% of
    the generated points, but at most to three times the real range (a diverged G stays readable)."""
    lo, hi = real.min(axis=0), real.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    lo, hi = lo - margin * span, hi + margin * span
    if len(fake):
        lo = np.maximum(np.minimum(lo, np.percentile(fake, 0.5, axis=0)), lo - span)
        hi = np.minimum(np.maximum(hi, np.percentile(fake, 99.5, axis=0)), hi + span)
    return lo, hi


def _metrics_line(metrics):
    """'MMD p = 0.41 · C2ST accuracy 0.52 (chance 0.5)' from a run's metrics.json dict, or ''."""
    if not metrics or "mmd_p_value" not in metrics:
        return ""
    return (f"two-sample tests against the held-out rows: MMD p = {metrics['mmd_p_value']:.3f}, "
            f"C2ST accuracy {metrics['c2st_accuracy']:.3f} (chance 0.5, p = {metrics['c2st_p_value']:.3f})")


def _draw_projection(ax, pca, train, heldout, fake, n_fake):
    """The PC1-PC2 scatter: training rows faint green, generated samples purple, held-out rows green on top."""
    p_train, p_fake = project(train, pca), project(fake, pca)
    p_held = project(heldout, pca) if heldout is not None and len(heldout) else np.zeros((0, 2))
    real = np.concatenate([p_train, p_held])
    (x0, y0), (x1, y1) = _box(real, p_fake)
    ax.scatter(p_train[:, 0], p_train[:, 1], s=6, color=REAL_COLOR, alpha=0.3, linewidths=0,
               label=f"training rows ({len(train)})")
    ax.scatter(p_fake[:, 0], p_fake[:, 1], s=5, color=FAKE_COLOR, alpha=0.35, linewidths=0,
               label=f"G ({len(fake)} of {n_fake} samples)")
    if len(p_held):
        ax.scatter(p_held[:, 0], p_held[:, 1], s=14, color=REAL_COLOR, alpha=0.9, edgecolors="white",
                   linewidths=0.4, label=f"held-out rows ({len(p_held)})")
    outside = int(np.sum(np.any((p_fake < [x0, y0]) | (p_fake > [x1, y1]), axis=1)))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ex = pca["explained"]
    ax.set_xlabel(f"PC1: {100 * ex[0]:.0f}% of the variance")
    ax.set_ylabel(f"PC2: {100 * ex[1]:.0f}% of the variance")
    note = f" · {outside} of G outside" if outside else ""
    ax.set_title(f"the training rows' first two principal components{note}", fontsize=9)
    ax.legend(loc="best", fontsize=7, markerscale=2.5, framealpha=0.85)


def _draw_marginal(ax, j, real, fake, bounds):
    """Column j's histogram: every real row (filled green) against the generated samples (purple line)."""
    lo, hi = bounds if bounds is not None else (real[:, j].min(), real[:, j].max())
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, 31)
    ax.hist(real[:, j], bins=edges, density=True, color=REAL_COLOR, alpha=0.35, label="real rows")
    ax.hist(fake[:, j], bins=edges, density=True, histtype="step", color=FAKE_COLOR, linewidth=1.4, label="G")
    outside = np.mean((fake[:, j] < lo) | (fake[:, j] > hi)) if len(fake) else 0.0
    note = f" · {100 * outside:.0f}% of G outside" if outside >= 0.005 else ""
    ax.set_title(f"column {j + 1}{note}", fontsize=8)
    ax.set_yticks([])
    ax.tick_params(labelsize=7)


def plot_table_samples(samples, data, path, *, metrics=None, title="", dpi=CURVES_DPI):
    """Draw a table's rows against a run's generated samples, as one PNG; returns path.

    samples: (M, d) generated rows (a run's samples.npy), d >= 2.  data: the dataset, a data.Rows with
    .rows (the training rows, on which the PCA is fitted) and .heldout (drawn on top), .bounds (the
    histograms' range) and .name; a dataset without rows is sampled instead.  metrics: a run's metrics.json
    dict, whose two-sample tests are written under the title, or None.  title: appended to the title.

    Left, PC1 against PC2 (principal_axes); right, the histograms of the first min(d, 6) columns."""
    samples = np.asarray(samples, dtype=np.float64)
    train = getattr(data, "rows", None)
    if train is None:
        train = np.asarray(data.sample(max(len(samples), 1000), np.random.default_rng(0)), dtype=np.float64)
    heldout = getattr(data, "heldout", None)
    d = train.shape[1]
    if samples.ndim != 2 or samples.shape[1] != d or d < 2:
        raise ValueError(f"plot_table_samples: samples must have shape (M, {d}) with {d} >= 2 columns, "
                         f"got {samples.shape}")
    samples = samples[np.all(np.isfinite(samples), axis=1)]
    fake = samples[:MAX_POINTS]
    real = train if heldout is None else np.concatenate([train, heldout])
    k = min(d, MAX_MARGINALS)
    n_rows, n_cols = (1, k) if k <= 3 else (2, 3)

    fig = new_figure(11.0, 5.2)
    grid = fig.add_gridspec(1, 2, width_ratios=[1.0, 1.25], left=0.075, right=0.98, bottom=0.11, top=0.84,
                            wspace=0.12)
    ax = fig.add_subplot(grid[0])
    _draw_projection(ax, principal_axes(train), train, heldout, fake, len(samples))
    cells = grid[1].subgridspec(n_rows, n_cols, hspace=0.45, wspace=0.12)
    bounds = getattr(data, "bounds", None)
    for j in range(k):
        hax = fig.add_subplot(cells[j // n_cols, j % n_cols])
        _draw_marginal(hax, j, real, samples, None if bounds is None else bounds[j])
        if j == 0:
            hax.legend(fontsize=7, loc="upper right")
    more = f" (the first {k} of {d} columns)" if d > k else ""
    fig.suptitle(f"{data.name}: {d} columns, {len(real)} real rows against {len(samples)} generated{more}{title}",
                 fontsize=11, y=0.975)
    line = _metrics_line(metrics)
    if line:
        fig.text(0.5, 0.905, line, ha="center", fontsize=9, color="0.25")
    return save_figure(fig, path, dpi)
