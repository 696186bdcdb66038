"""Training curves: losses, D's verdicts, gradient norms and evaluations over a run, alone or beside a frame.

plot_curves         the curves of a whole run as one PNG (curves.png)
_draw_side_curves   the losses and mean D outputs up to a frame's step, on the right of that frame
_history_arrays     a Trainer's history (lists, or an NpzFile) as float arrays
"""

import numpy as np
from matplotlib.ticker import NullFormatter

from .base import CURVES_DPI, FAKE_COLOR, is_critic, new_figure, REAL_COLOR, save_figure


def _history_arrays(history):
    """A history (dict name -> list, or an NpzFile) as a dict name -> 1D float array; None stays None."""
    if history is None:
        return None
    return {k: np.asarray(history[k], dtype=np.float64) for k in history.keys()}


EQUILIBRIUM = {
    # loss at the global optimum p_g = pi, where D = 1/2 everywhere (lecture claim 5)
    "minimax": {"loss_d": np.log(4.0), "loss_g": -np.log(2.0)},
    "nonsaturating": {"loss_d": np.log(4.0), "loss_g": np.log(2.0)},
}


def _smooth(y, width):
    """Moving average of y over `width` points (edges averaged over what exists)."""
    y = np.asarray(y, dtype=np.float64)
    if width <= 1 or len(y) < 3:
        return y
    kernel = np.ones(width)
    return np.convolve(y, kernel, mode="same") / np.convolve(np.ones_like(y), kernel, mode="same")


def _has_curves(history):
    return history is not None and len(history.get("step", [])) > 0 and all(
        k in history for k in ("loss_d", "loss_g", "d_real", "d_fake"))


def _draw_side_curves(ax_loss, ax_d, history, step, critic):
    """The run's losses and mean D outputs up to `step` (full x range fixed), a marker at `step`."""
    steps = np.asarray(history["step"])
    shown = steps <= step
    width = max(1, len(steps) // 40)
    lo, hi = np.inf, -np.inf
    for key, color, label in (("loss_d", "tab:blue", "$L_D$"), ("loss_g", "tab:orange", "$L_G$")):
        smooth = _smooth(history[key], width)
        ax_loss.plot(steps[shown], smooth[shown], color=color, label=label)
        lo, hi = min(lo, smooth.min()), max(hi, smooth.max())
    # axes fixed by the whole run, so that they stay still while an animation plays
    margin = 0.05 * (hi - lo) + 1e-6
    ax_loss.set_ylim(lo - margin, hi + margin)
    ax_loss.set_xlim(steps.min(), steps.max() if steps.max() > steps.min() else steps.min() + 1)
    ax_loss.set_ylabel("loss")
    # the legend sits above the panel (where a title would go), so it never hides a curve
    ax_loss.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax_loss.axvline(step, color="0.5", lw=0.8)
    # the Trainer logs sigmoid of D's output for every loss; for a raw score we say so (sigma(D))
    if critic:
        label_real, label_fake = r"mean $\sigma$(D(x)), real", r"mean $\sigma$(D(G(z))), fake"
    else:
        label_real, label_fake = "mean D(x), real", "mean D(G(z)), fake"
    ax_d.plot(steps[shown], _smooth(history["d_real"], width)[shown], color=REAL_COLOR, label=label_real)
    ax_d.plot(steps[shown], _smooth(history["d_fake"], width)[shown], color=FAKE_COLOR, label=label_fake)
    if not critic:
        ax_d.axhline(0.5, color="0.5", ls=":", lw=1.0)
    ax_d.set_ylim(0, 1)
    ax_d.set_xlim(ax_loss.get_xlim())
    ax_d.axvline(step, color="0.5", lw=0.8)
    ax_d.set_xlabel("step")
    ax_d.set_ylabel(r"mean $\sigma$(D)" if critic else "mean D")
    ax_d.legend(fontsize=8, loc="lower left")


def plot_curves(history, path, *, data="?", loss="?", n_modes=None, eval_note="evaluation", dpi=CURVES_DPI):
    """Training curves of a run as one PNG; returns path.

    history: dict name -> (T,) arrays with at least step, loss_d, loss_g, d_real, d_fake,
    grad_norm_d, grad_norm_g; when present also eval_step with eval_modes, eval_high_quality, eval_mmd.
    Panels: the two losses (with their values at the equilibrium D = 1/2 for the standard GAN losses),
    mean D(x) and D(G(z)), gradient norms (log scale), and, when evaluated, modes covered, % high quality
    and MMD. Faint lines: every logged value; bold: a moving average over ~2.5% of the run.
    n_modes: the mixture's number of modes K, drawn as the target of the modes panel.
    eval_note: where the eval_ arrays come from, shown in the panels' titles.
    Layout: up to 3 panels in one row, 4 in a 2 x 2 grid, 5 or 6 in 2 x 3 (5 x 3.4 inches each).
    """
    h = _history_arrays(history)
    missing = [k for k in ("step", "loss_d", "loss_g", "d_real", "d_fake") if k not in h]
    if missing:
        raise ValueError(f"history lacks {', '.join(missing)}")
    steps = h["step"]
    width = max(1, len(steps) // 40)
    critic = is_critic(loss)

    def curve(ax, key, color, label):
        ax.plot(steps, h[key], color=color, alpha=0.25, lw=0.8)
        ax.plot(steps, _smooth(h[key], width), color=color, lw=1.8, label=label)

    panels = ["loss", "d", "grad"] if "grad_norm_d" in h and "grad_norm_g" in h else ["loss", "d"]
    n_evals = len(h.get("eval_step", []))
    if n_evals > 0 and len(h.get("eval_modes", [])) == n_evals:
        panels.append("modes")
    if n_evals > 0 and len(h.get("eval_mmd", [])) == n_evals:
        panels.append("mmd")
    ncols = {1: 1, 2: 2, 3: 3, 4: 2}.get(len(panels), 3)
    nrows = int(np.ceil(len(panels) / ncols))
    fig = new_figure(5.0 * ncols, 3.4 * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)

    for ax, panel in zip(axes, panels):
        if panel == "loss":
            curve(ax, "loss_d", "tab:blue", "$L_D$ (discriminator)")
            curve(ax, "loss_g", "tab:orange", "$L_G$ (generator)")
            eq = EQUILIBRIUM.get(str(loss))
            if eq:
                ax.axhline(eq["loss_d"], color="tab:blue", ls=":", lw=1, label=r"$L_D$ at $p_g=\pi$: log 4")
                ax.axhline(eq["loss_g"], color="tab:orange", ls=":", lw=1,
                           label=rf"$L_G$ at $p_g=\pi$: {eq['loss_g']:+.3f}")
            # the first few steps can spike far above the rest: fit the axis to the 1st-99th percentile
            values = np.concatenate([h["loss_d"], h["loss_g"]])
            lo, hi = np.percentile(values, [1, 99])
            references = list(eq.values()) if eq else []        # keep the equilibrium lines in view
            lo, hi = min([lo] + references), max([hi] + references)
            ax.set_ylim(lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo) + 1e-6)
            ax.set_ylabel("loss")
            ax.set_title("losses")
        elif panel == "d":
            # the Trainer logs sigmoid of D's output; for raw-score losses that is sigma(score)
            if critic:
                curve(ax, "d_real", REAL_COLOR, r"mean $\sigma$(D(x)), real")
                curve(ax, "d_fake", FAKE_COLOR, r"mean $\sigma$(D(G(z))), generated")
                ax.set_ylabel(r"mean $\sigma$(D)   (D: a raw score)")
            else:
                curve(ax, "d_real", REAL_COLOR, "mean D(x), real")
                curve(ax, "d_fake", FAKE_COLOR, "mean D(G(z)), generated")
                ax.axhline(0.5, color="0.4", ls=":", lw=1, label="1/2 (equilibrium)")
                ax.set_ylabel("mean D")
            ax.set_ylim(-0.02, 1.02)
            ax.set_title("the discriminator's verdicts")
        elif panel == "grad":
            curve(ax, "grad_norm_d", "tab:blue", r"$\|\nabla_\phi L_D\|$")
            curve(ax, "grad_norm_g", "tab:orange", r"$\|\nabla_\theta L_G\|$")
            if np.all(h["grad_norm_d"] > 0) and np.all(h["grad_norm_g"] > 0):
                ax.set_yscale("log")
                ax.yaxis.set_minor_formatter(NullFormatter())      # label only the powers of ten
            ax.set_ylabel("gradient norm")
            ax.set_title("gradient norms")
        elif panel == "modes":
            es = h["eval_step"]
            ax.plot(es, h["eval_modes"], "o-", color="tab:green", ms=3, label="modes covered")
            ax.set_ylabel("modes covered")
            ax.set_ylim(bottom=0)
            if n_modes:
                ax.axhline(n_modes, color="tab:green", ls=":", lw=1, label=f"all {n_modes} mode" + ("s" if n_modes != 1 else ""))
                ax.set_ylim(0, n_modes * 1.08 + 0.1)
            lines = ax.get_lines()
            if len(h.get("eval_high_quality", [])) == n_evals:
                right = ax.twinx()
                hq = 100.0 * h["eval_high_quality"]
                lines += right.plot(es, hq, "s--", color="tab:red", ms=3, label="% high quality")
                right.set_ylabel("% high-quality samples")
                right.set_ylim(0, 105)
            ax.legend(lines, [l.get_label() for l in lines], fontsize=8, loc="lower right")
            ax.set_title(f"mode coverage ({eval_note})", fontsize=10 if len(eval_note) > 20 else 12)
        elif panel == "mmd":
            es = h["eval_step"]
            ax.plot(es, h["eval_mmd"], "o-", color="tab:purple", ms=3, label=r"MMD$^2$(real, generated)")
            ax.set_ylabel(r"MMD$^2$")
            ax.set_title(f"two-sample distance ({eval_note})", fontsize=10 if len(eval_note) > 20 else 12)
        if panel != "modes":
            ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[:len(panels)]:
        ax.set_xlabel("step")
        ax.tick_params(labelbottom=True)
    fig.suptitle(f"{data} · {loss} loss · steps 0 to {int(steps[-1])}: training curves", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return save_figure(fig, path, dpi)
