"""Digits as pictures: generated 8 x 8 digits beside real ones, their nearest training images, and a frame of
them for the animation.

A digit is a row of 64 pixels (the 8 x 8 image row by row) in 0..16 (0 is the paper, 16 the ink), drawn with
the gray_r colour map: white paper, black ink. Pixels a generator puts outside [0, 16] are drawn as 0 or 16.

    digit_mosaic, digit_grid    many digits as one image with thin gaps, drawn on an Axes
    plot_digits_final           the final samples sorted by the digit the classifier reads, beside real digits
    plot_nearest_neighbours     generated digits over their nearest training image, with the distance
    digit_frame_meta            what stays fixed across a run's frames: names, fixed noise z, real digits
    digit_frame                 the numbers of one frame: G(z) for the fixed z (and the digit each one reads as)
    digit_frame_from_trainer    digit_frame of a Trainer's current G
    draw_digit_frame            one frame's pixels: generated grid, real grid, the training curves at the side
    plot_digit_frame            the trainer's current state as one PNG (frame.png of a digits run)

The frame functions follow plots.frame (frame_meta / frame_from_trainer / draw_frame): numbers first, a dict of
small arrays that animation.save_frames can stack, then pixels. This module imports only base and curves, so
frame.py may import it.
"""

import numpy as np

from .base import (_eval_mode, FRAME_DPI, FRAME_SIZE, frame_title, is_critic, new_figure, _param_dtype,
    _restore_mode, save_figure)
from .curves import _draw_side_curves, _has_curves, _history_arrays

SIDE = 8                  # an image is SIDE x SIDE pixels
PIXEL_MAX = 16.0          # ink
CMAP = "gray_r"           # 0 -> white, 16 -> black
GAP_COLOR = "#b9c7d8"     # the thin lines between digits (NaN cells of the mosaic)
FIG_DPI = 100
CONFIDENT = 0.9           # a frame counts the digits its images are read as with at least this probability


def _images(images, name="images"):
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 2 or images.shape[1] != SIDE * SIDE:
        raise ValueError(f"{name}: expected digits of shape (n, {SIDE * SIDE}), got {images.shape}")
    return images


def digit_mosaic(images, ncols, *, nrows=None, gap=1):
    """Digits (n, 64) laid out row by row in a grid of ncols columns, as one 2D array with `gap` pixels of NaN
    between them (and around them). Missing cells (n < nrows * ncols) are NaN too.

    Returns (nrows * (8 + gap) + gap, ncols * (8 + gap) + gap)."""
    images = _images(images)
    ncols = int(ncols)
    nrows = int(nrows) if nrows is not None else max(1, -(-len(images) // ncols))
    cell = SIDE + gap
    mosaic = np.full((nrows * cell + gap, ncols * cell + gap), np.nan)
    for i, img in enumerate(images[:nrows * ncols]):
        r, c = divmod(i, ncols)
        mosaic[gap + r * cell: gap + r * cell + SIDE, gap + c * cell: gap + c * cell + SIDE] = img.reshape(SIDE, SIDE)
    return mosaic


def _cmap():
    import matplotlib

    return matplotlib.colormaps[CMAP].with_extremes(bad=GAP_COLOR)


def digit_grid(ax, images, ncols, *, nrows=None, title=None, fontsize=9):
    """Draw digits (n, 64) on ax as a grid of ncols columns (digit_mosaic), gray_r over [0, 16], no ticks.
    Returns the AxesImage."""
    im = ax.imshow(digit_mosaic(images, ncols, nrows=nrows), cmap=_cmap(), vmin=0.0, vmax=PIXEL_MAX,
                   interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=fontsize)
    return im


def _by_class(images, classes, n_classes, per_class):
    """Digits regrouped so row k holds the first per_class images of class k (NaN where there are fewer)."""
    rows = np.full((n_classes * per_class, SIDE * SIDE), np.nan)
    for k in range(n_classes):
        mine = images[classes == k][:per_class]
        rows[k * per_class: k * per_class + len(mine)] = mine
    return rows


def plot_digits_final(samples, data, path, *, per_class=10, seed=0, title="", dpi=FIG_DPI):
    """The final generated digits beside real ones, one row per digit, as one PNG; returns path.

    samples: (n, 64) generated digits in 0..16.  data: the digits dataset (data.Rows with labels and held-out rows).
    Left: row k shows the first per_class samples that digit_metrics' classifier (seed `seed`) reads as k, in the
    order they were drawn, with the share of ALL samples read as k at the row's left: an empty or short row is a
    digit the generator misses. Right: per_class held-out real digits of each class, for comparison."""
    from ..measure.digits import class_histogram, digit_classifier

    samples = _images(samples, "samples")
    clf = digit_classifier(data, seed)
    k = clf.n_classes
    classes = clf.predict(samples)
    hist = class_histogram(classes, k)
    fig = new_figure(8.6, 5.0)
    ax_fake = fig.add_axes([0.06, 0.04, 0.42, 0.84])
    ax_real = fig.add_axes([0.56, 0.04, 0.42, 0.84])
    digit_grid(ax_fake, _by_class(samples, classes, k, per_class), per_class,
               title=f"generated, sorted by the digit the classifier reads ({len(samples)} samples)")
    digit_grid(ax_real, _by_class(data.heldout, np.asarray(data.heldout_labels), k, per_class), per_class,
               title="real (held-out digits)")
    cell = SIDE + 1
    for j in range(k):
        ax_fake.text(-1.0, 1 + j * cell + SIDE / 2, f"{j}: {100 * hist['fractions'][j]:.0f}%", ha="right",
                     va="center", fontsize=7)
        ax_real.text(-1.0, 1 + j * cell + SIDE / 2, f"{j}", ha="right", va="center", fontsize=7)
    fig.suptitle(f"{hist['classes']}/{k} digits hold at least 2% of the samples · class reverse KL "
                 f"{hist['reverse_kl']:.3f}{title}", fontsize=10)
    return save_figure(fig, path, dpi)


def plot_nearest_neighbours(samples, data, path, *, n=10, dpi=FIG_DPI):
    """Generated digits over their nearest training image (L2 distance in pixel units), as one PNG; returns path.

    Two blocks of n columns, each column a generated digit above its nearest training image and the distance:
    top, the first n samples (drawn at random: typical samples); bottom, the n samples nearest to the training set
    of all given (the most copy-like; copying shows as a distance near 0). The title gives the same distance for
    the held-out real digits (their median and their smallest, digit_metrics.digit_report's copy_threshold)."""
    from ..measure.digits import nearest_neighbour
    from ..measure.metrics import distances

    samples = _images(samples, "samples")
    rows = np.asarray(data.rows, dtype=np.float64)
    d_real = nearest_neighbour(data.heldout, rows)

    def nearest(x):
        """(the nearest training image of each digit (m, 64), their distances (m,))"""
        dist = distances(x, rows)
        j = dist.argmin(axis=1)
        return rows[j], dist[np.arange(len(x)), j]

    n = min(int(n), len(samples))
    d_all = nearest_neighbour(samples, rows)
    closest = np.argsort(d_all, kind="stable")[:n]
    blocks = [("the first samples", samples[:n]), ("the samples nearest to a training image", samples[closest])]
    fig = new_figure(max(6.0, 0.8 * n + 0.6), 5.0)
    width = 0.94 / n
    for b, (label, block) in enumerate(blocks):
        neighbours, dist = nearest(block)
        top = 0.84 - b * 0.44
        for i in range(len(block)):
            x0 = 0.03 + i * width
            digit_grid(fig.add_axes([x0, top - 0.155, width * 0.9, 0.155]), block[i:i + 1], 1)
            ax_n = fig.add_axes([x0, top - 0.33, width * 0.9, 0.155])
            digit_grid(ax_n, neighbours[i:i + 1], 1)
            ax_n.set_xlabel(f"{dist[i]:.1f}", fontsize=8, labelpad=1)
        fig.text(0.03, top + 0.012, f"{label}: generated (upper row), its nearest training image (lower row) "
                 "and their distance", fontsize=8)
    fig.suptitle(f"Nearest training images. Held-out real digits: median distance {np.median(d_real):.1f}, "
                 f"smallest {d_real.min():.1f}\ngenerated: median {np.median(d_all):.1f}, smallest {d_all.min():.1f}",
                 fontsize=9)
    return save_figure(fig, path, dpi)


# ---------------------------------------------------------------------------------------------------------
# Frames of an animation
# ---------------------------------------------------------------------------------------------------------

def digit_frame_meta(trainer, *, n_fake=64, n_real=64, seed=0):
    """What stays fixed across the frames of a digits run, like plots.frame.frame_meta.

    Returns a dict: kind "digits", data, loss (names), dim (64), critic (bool), ncols (8), z (n_fake, z_dim) the
    fixed noise whose images every frame shows, real (n_real, 64) held-out digits, both drawn with `seed`."""
    data = trainer.data
    rng = np.random.default_rng(seed)
    loss = str(trainer.config.game.loss)
    pool = np.asarray(getattr(data, "heldout", None) if getattr(data, "heldout", None) is not None
                      else data.sample(n_real, rng), dtype=np.float64)
    real = pool[rng.permutation(len(pool))[:n_real]]
    return {"kind": "digits", "data": data.name, "loss": loss, "dim": int(data.dim), "critic": is_critic(loss),
            "ncols": int(round(np.sqrt(n_fake))), "z": np.asarray(trainer.noise(n_fake, rng), dtype=np.float64), "real": real}


def digit_frame(G, z, *, step=0, classifier=None):
    """The numbers of one frame: the digits G(z) (n, 64) for the fixed noise z, G in evaluation mode.

    classifier: a digit_metrics.DigitClassifier, or None. Returns a dict of arrays: step (), images (n, 64)
    float32, and with a classifier classes (n,) the digit each image reads as and confidence (n,) the
    classifier's probability of that digit (a blob of ink is read as some digit too, but hesitantly)."""
    modes = _eval_mode(G)
    try:
        images = np.asarray(G.forward(np.asarray(z).astype(_param_dtype(G))), dtype=np.float32)
    finally:
        _restore_mode([G], modes)
    frame = {"step": np.array(int(step)), "images": images}
    if classifier is not None and np.all(np.isfinite(images)):
        probs = classifier.probabilities(images)
        frame["classes"] = probs.argmax(axis=1).astype(np.int64)
        frame["confidence"] = probs.max(axis=1).astype(np.float32)
    return frame


def digit_frame_from_trainer(trainer, meta, *, classifier="auto"):
    """digit_frame of the trainer's G (the generator in the game against D, as in the 2D frames; the run's
    samples come from its moving average) at the trainer's step, for meta["z"].

    classifier: "auto" uses digit_metrics.digit_classifier(trainer.data) when the data has labels (trained once
    per process, about a second), None for none."""
    if isinstance(classifier, str) and classifier == "auto":
        classifier = None
        if getattr(trainer.data, "labels", None) is not None:
            from ..measure.digits import digit_classifier
            classifier = digit_classifier(trainer.data)
    return digit_frame(trainer.G, meta["z"], step=int(getattr(trainer, "step", 0)), classifier=classifier)


def draw_digit_frame(fig, frame, meta, history=None, *, extra_title=""):
    """Lay out one frame on an empty figure (FRAME_SIZE, as plots.frame.draw_frame): the generated digits G(z)
    for the fixed z, a grid of real digits, and with a history the losses and mean D outputs up to this step.
    Axes sit at fixed positions so every frame of an animation has the same layout."""
    curves = _has_curves(history)
    ncols = int(meta.get("ncols", 8))
    fake_title = "G(z), the same z in every frame"
    if "classes" in frame and "confidence" in frame:
        sure = np.asarray(frame["confidence"]) >= CONFIDENT
        n_classes = len(np.unique(np.asarray(frame["classes"])[sure]))
        fake_title += f"\n{int(sure.sum())}/{len(sure)} read with p >= {CONFIDENT}, as {n_classes} of 10 digits"
    if curves:
        ax_fake = fig.add_axes([0.02, 0.08, 0.30, 0.72])
        ax_real = fig.add_axes([0.34, 0.08, 0.20, 0.72])
    else:
        ax_fake = fig.add_axes([0.12, 0.06, 0.40, 0.76])
        ax_real = fig.add_axes([0.60, 0.06, 0.30, 0.76])
    digit_grid(ax_fake, frame["images"], ncols, title=fake_title, fontsize=8)
    real = np.asarray(meta["real"])
    digit_grid(ax_real, real, ncols, title="real digits (held out)", fontsize=8)
    if curves:
        ax_loss = fig.add_axes([0.63, 0.50, 0.35, 0.32])
        ax_d = fig.add_axes([0.63, 0.12, 0.35, 0.32], sharex=ax_loss)
        _draw_side_curves(ax_loss, ax_d, history, int(frame["step"]), bool(meta["critic"]))
        ax_loss.tick_params(labelbottom=False)
    fig.suptitle(frame_title(meta, frame["step"], history, extra_title), fontsize=12)


def plot_digit_frame(trainer, path, *, history="trainer", meta=None, extra_title="", dpi=FRAME_DPI):
    """The trainer's current state as one PNG (a digits run's frame.png); returns path. history: "trainer" for
    trainer.history, a dict, or None (no curves)."""
    meta = meta if meta is not None else digit_frame_meta(trainer)
    if isinstance(history, str) and history == "trainer":
        history = _history_arrays(getattr(trainer, "history", None))
    fig = new_figure(*FRAME_SIZE)
    draw_digit_frame(fig, digit_frame_from_trainer(trainer, meta), meta, history, extra_title=extra_title)
    return save_figure(fig, path, dpi)
