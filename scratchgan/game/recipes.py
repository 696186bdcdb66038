"""The recipes: settings that train each dataset well out of the box, and the papers' presets.

DEFAULT_CONFIGS    per dataset, the recipe `python -m scratchgan train --data NAME` uses
table_recipe       the recipe for a table of your own, from its shape
FILTERS            the filters that repair a trained generator, as switches (the mode table turns them on)
PRESETS            the papers' settings (WGAN, WGAN-GP, DCGAN), applied over a recipe by `train --preset`
default_config     a dataset's recipe with overrides, validated

A recipe is a dict of flat setting names (scratchgan.game.config: z_dim, k, pack, ...) and their values.
"""

from ..data import check_dataset_name, get_dataset, is_table_path
from ..data.pieces import pieces_of_data
from .config import PIECES_CLASH, TrainConfig


# Per-dataset defaults: what `python -m scratchgan train --data NAME` uses. Each trains well out of the box
# (docs/modes.md gives the measurements). The common recipe: non-saturating loss, Adam with beta1 = 0.5, a LeakyReLU D,
# large batches, a linear learning-rate decay over the last part of training (samples tighten onto the
# modes) and an EMA of G's weights for sampling. On the 1D and 2D toys that are one connected shape, a 2D latent
# z and instance noise on D's inputs during the first half of training (D's view of the data is blurred, so its
# gradient moves mass between distant regions; Sonderby et al. 2016).
# Data in separate pieces (ring8, grid25, and a table of your own whose nearest-neighbour graph falls apart) get
# the PIECES recipe, which is told nothing about them: the trainer finds the pieces itself
# (scratchgan/data/pieces.py), gives each a class of G's latent code, drawn with the piece's share, and a frame
# of its own for G and D (scratchgan/fixes/pieces.py), and an MMD term at the data's own scale keeps every mode as
# wide as the data's (local_mmd; scratchgan/fixes/mmd.py). G is smooth (tanh), beside its affine path from eps
# (PieceGenerator): with ReLU and no affine path, the run's local two-sample test still saw the seams inside the
# modes. The generator alone then meets the mode benchmark's targets, width included, with no filter after
# training (docs/modes.md).
PIECES = dict(pieces=True, batch=256, lr_d=2e-3, lr_g=2e-3, z_dim=4, g_hidden=(64, 64), d_hidden=(64, 64),
              g_activation="tanh", lr_decay_start=0.5, lr_final=0.02, ema=0.999, local_mmd=3.0)
# What goes with the pieces, switched back to the plain settings when they are off (a clashing override, the
# mode table's other methods, the theory demos): no pieces, no local MMD term, and a ReLU G, since the tanh G
# was chosen for its affine path, which only the pieces' generator has.
NO_PIECES = dict(pieces=False, local_mmd=0.0, g_activation="relu")

DEFAULT_CONFIGS = {
    "gaussian": dict(steps=2000, batch=256, lr_d=2e-4, lr_g=2e-4, z_dim=4, g_hidden=(32, 32),
                     d_hidden=(32, 32), lr_decay_start=0.5, lr_final=0.05, ema=0.99, eval_every=100),
    "mixture1d": dict(steps=3000, batch=256, lr_d=1e-3, lr_g=1e-3, z_dim=2, g_hidden=(64, 64),
                      d_hidden=(64, 64), lr_decay_start=0.5, lr_final=0.05, ema=0.99, instance_noise=0.5,
                      instance_noise_until=0.5, eval_every=150),
    "ring8": dict(PIECES, steps=2000, eval_every=200),
    "grid25": dict(PIECES, steps=4000, eval_every=200),
    "spiral": dict(steps=5000, batch=256, lr_d=1e-3, lr_g=1e-3, z_dim=2, g_hidden=(128, 128),
                   d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.05, ema=0.999, instance_noise=0.1,
                   instance_noise_until=0.5, eval_every=250),
    "moons": dict(steps=4000, batch=256, lr_d=1e-3, lr_g=1e-3, z_dim=2, g_hidden=(128, 128),
                  d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.05, ema=0.999, instance_noise=0.1,
                  instance_noise_until=0.5, eval_every=200),
    "digits": dict(steps=15000, batch=128, lr_d=5e-4, lr_g=5e-4, z_dim=16, g_hidden=(256, 256),
                   d_hidden=(256, 256), lr_decay_start=0.5, lr_final=0.05, ema=0.999, pack=2, eval_every=0),
}


# The filters that repair a trained generator, as switches: `train --data ring8 --truncation 0.3 --rejection 0.15
# --restarts 1`. Before the discrete latent (latent_classes) they were part of the mixtures' recipes; the mode
# table (`python -m scratchgan modes`) switches them on one by one over the default's trained run.
FILTERS = {
    "ring8": dict(truncation=0.3, rejection=0.15, restarts=1),
    "grid25": dict(truncation=0.3, rejection=0.3, restarts=1),
}


# The papers' settings, applied over the dataset's defaults by `train --preset NAME` (options given on the
# command line win). wgan: Arjovsky et al. 2017, Algorithm 1; wgan-gp: Gulrajani et al. 2017, Algorithm 1;
# dcgan: Radford et al. 2015, Section 3 (BatchNorm in G; ReLU in G, LeakyReLU 0.2 in D; Adam 2e-4, 0.5).
PRESETS = {
    "wgan": dict(loss="wasserstein", clip=0.01, k=5, optimizer="rmsprop", lr_d=5e-5, lr_g=5e-5),
    "wgan-gp": dict(loss="wasserstein", penalty="gp", penalty_weight=10.0, k=5, optimizer="adam",
                    beta1=0.0, beta2=0.9, lr_d=1e-4, lr_g=1e-4),
    "dcgan": dict(loss="nonsaturating", g_batchnorm=True, g_activation="relu", d_activation="leaky_relu",
                  optimizer="adam", lr_d=2e-4, lr_g=2e-4, beta1=0.5, beta2=0.999, batch=128),
}


def table_recipe(dim, n, pieces=1):
    """The default recipe for a table of your own, from its dimension d, its number of rows n and the number of
    separate pieces its rows fall into (scratchgan.data.pieces; the trainer finds them again).

    In pieces (2 or more): the PIECES recipe, with a latent of about d dimensions (at least 4, at most 32),
    wider networks for more dimensions and 3,000 to 6,000 steps, growing with n.
    One piece: the 2D toys' recipe without the mixture-specific parts: an MLP pair with hidden widths that grow
    with d, a latent of about d dimensions (at least 2, at most 32), instance noise for the first half, a
    linear learning-rate decay over the second half and an EMA of G. Steps grow with n (more rows, more to
    learn) between 3,000 and 10,000. pieces=True is set there too, and finds the one piece: the networks are
    the plain ones."""
    width = 64 if dim <= 2 else 128 if dim <= 16 else 256
    batch = min(256, max(32, n // 4))
    if pieces > 1:
        return dict(PIECES, steps=int(min(6000, max(3000, 5 * n))), batch=batch, z_dim=int(min(32, max(4, dim))),
                    g_hidden=(width, width), d_hidden=(width, width), eval_every=0)
    steps = int(min(10000, max(3000, 5 * n)))
    return dict(steps=steps, batch=batch, lr_d=1e-3, lr_g=1e-3, z_dim=int(min(32, max(2, dim))),
                g_hidden=(width, width), d_hidden=(width, width), lr_decay_start=0.5, lr_final=0.05, ema=0.999,
                instance_noise=0.1, instance_noise_until=0.5, eval_every=0, pieces=True)


def default_config(data, **overrides):
    """The TrainConfig that trains `data` well out of the box, with `overrides` (field=value) applied.

    data: a dataset's name (DEFAULT_CONFIGS holds their recipes) or the path of a table of your own (its
    recipe comes from table_recipe). An override the pieces do not combine with (config.PIECES_CLASH: conditional,
    a penalty, pack, ...) turns the recipe's pieces off with what goes with them (NO_PIECES), unless pieces is
    given too."""
    check_dataset_name(data)
    if is_table_path(data):
        table = get_dataset(data)
        recipe = table_recipe(table.rows.shape[1], table.rows.shape[0], pieces_of_data(table).K)
    else:
        recipe = DEFAULT_CONFIGS.get(data, {})
    fields = dict(recipe, data=data)
    if recipe.get("pieces") and "pieces" not in overrides and any(
            on(overrides[name]) for name, on in PIECES_CLASH.items() if name in overrides):
        fields.update(NO_PIECES)                      # asked for a setting the pieces do not combine with
    fields.update(overrides)
    return TrainConfig.of(**fields).validate()
