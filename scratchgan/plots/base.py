"""What every figure shares: colours and sizes, headless figures, and the networks read in evaluation mode.

Figures are drawn on `matplotlib.figure.Figure` objects rendered by the Agg canvas, never through pyplot:
this works headless and leaves an interactive user's pyplot backend alone.

new_figure, save_figure, save_demo_figure   a Figure with an Agg canvas, and writing it as a PNG
is_critic                                   does the objective's D output a raw score (a critic)?
discriminator_map                           D's verdict on points: sigmoid(logit), or a critic's raw score
_eval_mode, _restore_mode                   evaluate G and D as at test time, then put them back
"""

import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..engine.nn import sigmoid

REAL_COLOR = "#1b7837"        # green, as in GAN Lab
FAKE_COLOR = "#762a83"        # purple
HEATMAP = "PRGn"              # purple (D = 0, "fake") -> white (D = 1/2) -> green (D = 1, "real")
D_COLOR = "#2166ac"           # blue, Goodfellow et al.'s dashed D
DSTAR_COLOR = "#d6604d"       # red
MANIFOLD_COLOR = "#525252"    # dark grey

FRAME_SIZE = (10.0, 4.6)      # inches; at dpi 100 a 1000 x 460 PNG, at dpi 80 an 800 x 368 GIF frame
FRAME_DPI = 100
GIF_DPI = 80
CURVES_DPI = 100


def new_figure(width, height):
    """A matplotlib Figure (width x height inches) with an Agg canvas: no pyplot, no display needed."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, path, dpi):
    """Write fig as a PNG at `dpi` dots per inch; returns path."""
    fig.savefig(path, dpi=dpi)
    return path


def save_demo_figure(fig, out_dir, name, dpi=100):
    """A demo's last step: write fig to out_dir/name (creating out_dir), say where, return the path."""
    os.makedirs(out_dir, exist_ok=True)
    path = save_figure(fig, os.path.join(out_dir, name), dpi)
    print(f"wrote {path}")
    return path


def sample_panel(ax, x, colour, centers, lim, *, cmap="coolwarm", title=""):
    """One small panel of the demos' step-by-step figures: samples x (n, 2) coloured by `colour` (n,), the
    mixture's centres as black crosses, the square [-lim, lim]^2, no ticks, and a title."""
    ax.scatter(x[:, 0], x[:, 1], c=colour, cmap=cmap, s=1.5, linewidths=0)
    ax.scatter(centers[:, 0], centers[:, 1], marker="+", color="k", s=25, linewidths=0.8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


# Objectives whose D outputs a raw score rather than the logit of a probability (WGAN's critic f(x),
# the hinge loss's and LSGAN's scores); sigmoid of such a score means nothing, so we show the score itself.
RAW_SCORE_LOSSES = ("wasserstein", "wgan", "wgan-gp", "hinge", "least_squares", "least-squares", "ls", "lsgan")


def is_critic(loss_name):
    """True when the objective's D outputs a raw score (a critic), not the logit of a probability."""
    return str(loss_name).lower() in RAW_SCORE_LOSSES or "wgan" in str(loss_name).lower()


def _param_dtype(module):
    params = module.parameters()
    return params[0].data.dtype if params else np.float32


def _eval_mode(*modules):
    """Switch modules to evaluation behaviour (it matters for BatchNorm); returns their previous modes."""
    modes = [m.training for m in modules]
    for m in modules:
        m.eval()
    return modes


def _restore_mode(modules, modes):
    for m, mode in zip(modules, modes):
        m.train(mode)


def discriminator_map(D, x, critic=False):
    """D's verdict on points x (n, dim) -> (n,): D(x) = sigmoid(logit), or the raw critic value f(x)."""
    logits = D.forward(x.astype(_param_dtype(D)))[:, 0].astype(np.float64)
    return logits if critic else sigmoid(logits)


def frame_title(meta_or_names, step, history=None, extra=""):
    """A frame's title: "data · loss · step N", with L_D and L_G at that step when the history has them."""
    data, loss = meta_or_names["data"], meta_or_names["loss"]
    text = f"{data} · {loss} loss · step {int(step)}"
    if history is not None and len(history.get("step", [])):
        i = int(np.searchsorted(np.asarray(history["step"]), step, side="right")) - 1
        if i >= 0:
            text += f"   ($L_D$ = {history['loss_d'][i]:.3f}, $L_G$ = {history['loss_g'][i]:.3f})"
    return text + extra
