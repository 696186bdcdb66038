"""One training step in pictures: D before and after its update, G's samples before and after, G's pull.

Drawn from a trace of scratchgan.game.step_trace.trace_step (copies of the networks around their updates):

    2D data, four panels on D's verdict:  1-3 D judges the batch (before its update) | 5 D after its update |
                                          6 G's pull -dL_G/dx at G's samples | 7 G after its update
    1D data, two panels:                  D(x) before and after | G's samples before and after, with -dL_G/dx
"""

import numpy as np

from ..engine.nn import sigmoid
from .base import _eval_mode, FAKE_COLOR, HEATMAP, new_figure, _param_dtype, REAL_COLOR, _restore_mode, save_figure
from .field2d import generator_gradient


def _forward(net, x):
    """net(x) in evaluation mode, as float64 (n, out)."""
    modes = _eval_mode(net)
    try:
        return net.forward(np.asarray(x, dtype=_param_dtype(net))).astype(np.float64)
    finally:
        _restore_mode([net], modes)


def _pull(D, objective, x):
    """-dL_G/dx at each row of x (n, dim), through D in evaluation mode (field2d.generator_gradient)."""
    modes = _eval_mode(D)
    try:
        return generator_gradient(D, objective, np.asarray(x, dtype=np.float64))
    finally:
        _restore_mode([D], modes)


def _verdict(D, points, critic):
    logits = _forward(D, points)[:, 0]
    return logits if critic else sigmoid(logits)


def plot_step(trace, data, objective, path, *, critic=False, title="", dpi=100):
    """Draw a traced step to `path` (PNG); data: the run's Dataset (its bounds), objective: its loss."""
    if data.dim == 2:
        fig = _figure_2d(trace, data, objective, critic)
    elif data.dim == 1:
        fig = _figure_1d(trace, data, objective, critic)
    else:
        raise ValueError(f"plot_step draws 1D and 2D data, not {data.dim}-dimensional {data.name!r}")
    if title:
        fig.suptitle(title, fontsize=10)
    save_figure(fig, path, dpi)
    return path


def _figure_2d(trace, data, objective, critic):
    (x0, x1), (y0, y1) = data.bounds
    xs, ys = np.linspace(x0, x1, 120), np.linspace(y0, y1, 120)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    heat_before = _verdict(trace["D_before"], grid, critic).reshape(gx.shape)
    heat_after = _verdict(trace["D_after"], grid, critic).reshape(gx.shape)
    lo, hi = (min(heat_before.min(), heat_after.min()), max(heat_before.max(), heat_after.max())) if critic else (0, 1)
    g_before = _forward(trace["G_before"], trace["g_z"])
    g_after = _forward(trace["G_after"], trace["g_z"])
    pull = _pull(trace["D_after"], objective, g_before)

    fig = new_figure(16, 4.3)
    axes = fig.subplots(1, 4)
    panels = [(heat_before, "1-3. D judges the batch (before its update)"), (heat_after, "5. D after its update"),
              (heat_after, "6. G's pull -dL_G/dx, through D"), (heat_after, "7. G after its update")]
    for i, (ax, (heat, name)) in enumerate(zip(axes, panels)):
        image = ax.contourf(xs, ys, np.clip(heat, lo, hi), levels=np.linspace(lo, hi, 13), cmap=HEATMAP, alpha=0.6)
        if i < 2:
            ax.scatter(*trace["x_real"][:, :2].T, s=8, color=REAL_COLOR, label="real batch")
            ax.scatter(*trace["x_fake"][:, :2].T, s=8, color=FAKE_COLOR, label="fake batch G(z)")
        else:
            ax.scatter(*g_before.T, s=8, color=FAKE_COLOR, alpha=1.0 if i == 2 else 0.25, label="G(z) before")
        if i == 2:
            n = min(96, len(g_before))
            norms = np.linalg.norm(pull[:n], axis=1)
            ref = max(np.percentile(norms, 90), 1e-30)
            arrows = pull[:n] / np.maximum(norms, 1e-30)[:, None] * (0.08 * (x1 - x0) * np.minimum(norms / ref, 1.5))[:, None]
            ax.quiver(g_before[:n, 0], g_before[:n, 1], arrows[:, 0], arrows[:, 1], angles="xy", scale_units="xy",
                      scale=1, color="black", width=0.005, alpha=0.8)
            ax.set_xlabel(f"arrow lengths scaled: 90th percentile |dL_G/dx| = {ref:.2g}", fontsize=8)
        if i == 3:
            ax.scatter(*g_after.T, s=8, color=FAKE_COLOR, label="G(z) after")
            moved = np.linalg.norm(g_after - g_before, axis=1).mean()
            ax.set_xlabel(f"same z: mean |G_new(z) - G_old(z)| = {moved:.2g}", fontsize=8)
        ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", title=name)
        ax.title.set_fontsize(9)
        ax.legend(loc="upper left", fontsize=7)
    bar = fig.colorbar(image, ax=list(axes), fraction=0.015, pad=0.01)
    bar.set_label("critic score" if critic else "D(x): 0 fake, 1 real")
    return fig


def _figure_1d(trace, data, objective, critic):
    (x0, x1), = data.bounds
    x = np.linspace(x0, x1, 400)[:, None]
    g_before = _forward(trace["G_before"], trace["g_z"])[:, 0]
    g_after = _forward(trace["G_after"], trace["g_z"])[:, 0]
    fig = new_figure(12, 4.2)
    ax_d, ax_g = fig.subplots(1, 2)
    bins = np.linspace(x0, x1, 60)
    ax_d.hist(trace["x_real"][:, 0], bins=bins, density=True, color=REAL_COLOR, alpha=0.4, label="real batch")
    ax_d.hist(trace["x_fake"][:, 0], bins=bins, density=True, color=FAKE_COLOR, alpha=0.4, label="fake batch")
    twin = ax_d.twinx()
    twin.plot(x[:, 0], _verdict(trace["D_before"], x, critic), color="black", ls="--", label="D before (1-3)")
    twin.plot(x[:, 0], _verdict(trace["D_after"], x, critic), color="black", label="D after its update (5)")
    twin.set_ylabel("critic score" if critic else "D(x)")
    twin.legend(loc="upper right", fontsize=8)
    ax_d.legend(loc="upper left", fontsize=8)
    ax_d.set(title="D before and after its update", xlabel="x", ylabel="density")
    ax_g.hist(g_before, bins=bins, density=True, color=FAKE_COLOR, alpha=0.25, label="G(z) before")
    ax_g.hist(g_after, bins=bins, density=True, histtype="step", color=FAKE_COLOR, lw=1.5, label="G(z) after (7)")
    twin = ax_g.twinx()
    twin.plot(x[:, 0], _pull(trace["D_after"], objective, x)[:, 0], color="black", label="-dL_G/dx (6)")
    twin.axhline(0, color="grey", lw=0.5)
    twin.set_ylabel("G's pull -dL_G/dx")
    twin.legend(loc="upper right", fontsize=8)
    ax_g.legend(loc="upper left", fontsize=8)
    ax_g.set(title="G's samples, pulled through D, before and after", xlabel="x")
    return fig
