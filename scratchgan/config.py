"""What defines a run: the options (TrainConfig) and their checks, the per-dataset recipes, the papers' presets.

TrainConfig        every option of a run, stored in each checkpoint as JSON so the run can be resumed
DEFAULT_CONFIGS    per dataset, the recipe `python -m scratchgan train --data NAME` uses
PRESETS            the papers' settings (WGAN, WGAN-GP, DCGAN), applied over a recipe by `train --preset`
default_config     a dataset's recipe with overrides, validated
"""

import dataclasses
import math

import numpy as np

from . import losses, nn, optim, penalties
from .data import NOISE_KINDS, check_dataset_name, get_dataset, is_table_path
from .errors import UsageError

DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run; stored in every checkpoint (as JSON) so a run can be resumed.

    data, loss          dataset name (scratchgan.data.DATASETS) and objective name (scratchgan.losses.LOSSES)
    steps               training iterations in total (one iteration = k D-steps then one G-step)
    k                   discriminator steps per iteration (Algorithm 1 of Goodfellow et al. 2014)
    batch               minibatch size m: m real and m generated samples per D-step, m generated per G-step
    lr_d, lr_g          learning rates of D and G (for any optimizer);  beta1, beta2: Adam's moment decays
    lr_decay_start      fraction of `steps` after which both learning rates fall linearly ...
    lr_final            ... to lr_final times their value at the last step (1.0: constant learning rates)
    z_dim, noise        G's input z in R^z_dim, z ~ N(0, I) ("normal") or U(-1, 1)^z_dim ("uniform")
    latent_classes      C > 0: z also carries a discrete code, c uniform on 0..C-1, as 3 e_c in R^C, so p(z) has
                        C separate pieces and G can give each its own mode with no bridges between them
                        (scratchgan.latent); G's input is then z_dim + C wide. 0: no code
    g_hidden, d_hidden  hidden widths of the two MLPs (G: z_dim -> g_hidden... -> dim, D: dim -> ... -> 1)
    g_activation, d_activation   their activations (scratchgan.nn.ACTIVATIONS)
    g_first_bias        "uniform": G's first-layer biases from U(-1, 1) (see build_generator); "zero": all 0
    g_init              "random": G as initialised; "moments": first fitted to the affine map that gives its
                        samples the data's mean and covariance (scratchgan.warmstart)
    ema                 decay beta of an exponential moving average of G's weights, used by sample();
                        0 turns it off (sample() then uses G itself)
    truncation          fraction of latent draws sample() rejects, those where ||dG/deps|| is largest (the
                        bridges between modes; scratchgan.truncation, Tanielian et al. 2020); 0: off.
                        eps is z's continuous part (z without the latent_classes code)
    rejection           sigma > 0: sample() ends with discriminator rejection sampling (Azadi et al. 2019;
                        scratchgan.rejection), with a fresh D fitted to the final sampler on inputs blurred
                        by N(0, sigma^2); 0: off
    optimizer           "adam" (betas beta1, beta2), "rmsprop" (the WGAN paper's) or "sgd", for both nets
    penalty             "none", "gp" (WGAN-GP: penalty_weight * E (||grad D(x_hat)|| - 1)^2 on interpolates)
                        or "r1" (penalty_weight / 2 * E ||grad D(x_real)||^2), added to D's loss
    clip                c > 0: clip D's weights to [-c, c] after every D-step (WGAN); 0: off
    label_smoothing     alpha: real label 1 - alpha in D's cross-entropy (minimax / nonsaturating only)
    instance_noise      sigma_0: N(0, sigma_t^2) noise on D's inputs, real and fake, annealed linearly to 0
    instance_noise_until  ... reaching 0 after this fraction of `steps` (1.0: at the end of training)
    pack                m: D judges packs of m samples (PacGAN); batch must be divisible by m
    feature_matching    G minimises || E d(x) - E d(G(z)) ||^2, d = D's last hidden layer, instead of its loss
    hist_avg            w: adds w ||theta - mean of past theta||^2 to both players' losses (historical averaging)
    g_batchnorm         G is Linear-BatchNorm-ReLU blocks (the DCGAN recipe) instead of a plain MLP
    mmd                 w: adds w MMD^2(G(z), x_real) (Gaussian kernels, scratchgan.mmd) to G's loss; 0: off
    conditional         G(z, y) and D(x, y): the label y (a mixture's component, a digit's class) is given to both
                        as a one-hot vector (scratchgan.conditional; Mirza & Osindero 2014); needs labelled data
    restarts            how many times run.train_with_restarts may train again, from a fresh random stream, when
                        the finished run fails its two-sample test (sampling.two_sample_check); 0: never
    seed                the one seed every random number of the run derives from
    attempt             which attempt of this seed: 0 is the run of `seed` itself, a > 0 the a-th restart
    dtype               "float32" (fast) or "float64"
    log_every           the callback of Trainer.train runs every log_every iterations
    eval_every          Trainer.train evaluates (Trainer.evaluate) every eval_every iterations; 0: never
    eval_samples        how many generated samples an evaluation draws
    """

    data: str = "ring8"
    loss: str = "nonsaturating"
    steps: int = 5000
    k: int = 1
    batch: int = 256
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    beta1: float = 0.5
    beta2: float = 0.999
    lr_decay_start: float = 1.0
    lr_final: float = 1.0
    z_dim: int = 16
    noise: str = "normal"
    latent_classes: int = 0
    g_hidden: tuple = (128, 128)
    d_hidden: tuple = (128, 128)
    g_activation: str = "relu"
    d_activation: str = "leaky_relu"
    g_first_bias: str = "uniform"
    g_init: str = "random"
    ema: float = 0.0
    optimizer: str = "adam"
    penalty: str = "none"
    penalty_weight: float = 10.0
    clip: float = 0.0
    label_smoothing: float = 0.0
    instance_noise: float = 0.0
    instance_noise_until: float = 1.0
    pack: int = 1
    feature_matching: bool = False
    hist_avg: float = 0.0
    g_batchnorm: bool = False
    seed: int = 0
    dtype: str = "float32"
    log_every: int = 25
    eval_every: int = 0
    eval_samples: int = 2000
    truncation: float = 0.0
    rejection: float = 0.0
    mmd: float = 0.0
    restarts: int = 0
    attempt: int = 0
    conditional: bool = False

    def __post_init__(self):
        self.g_hidden = tuple(int(h) for h in self.g_hidden)
        self.d_hidden = tuple(int(h) for h in self.d_hidden)

    def to_dict(self):
        """A JSON-ready dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, d):
        """The inverse of to_dict; an unknown key raises a UsageError naming it."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise UsageError(f"unknown training option(s): {', '.join(unknown)}")
        return cls(**d)

    def validate(self):
        """Raise a one-line UsageError naming the first bad option; return self."""
        def positive_int(name):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise UsageError(f"{name} must be a positive integer, got {v!r}")

        def positive_number(name):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise UsageError(f"{name} must be a positive number, got {v!r}")

        def in_unit(name, lo_open=False, hi_open=True):
            v = getattr(self, name)
            ok = isinstance(v, (int, float)) and (0 < v if lo_open else 0 <= v) and (v < 1 if hi_open else v <= 1)
            if not ok:
                raise UsageError(f"{name} must be in {'(' if lo_open else '['}0, 1{')' if hi_open else ']'}, "
                                 f"got {v!r}")

        check_dataset_name(self.data)
        if self.loss not in losses.LOSSES:
            raise UsageError(f"unknown loss {self.loss!r}; choose one of: {', '.join(losses.LOSSES)}")
        for name in ("steps", "k", "batch", "z_dim", "log_every", "eval_samples"):
            positive_int(name)
        for name in ("lr_d", "lr_g"):
            positive_number(name)
        in_unit("beta1")
        in_unit("beta2")
        in_unit("ema")
        in_unit("truncation")
        in_unit("lr_decay_start", hi_open=False)
        in_unit("lr_final", lo_open=True, hi_open=False)
        in_unit("instance_noise_until", lo_open=True, hi_open=False)
        if isinstance(self.eval_every, bool) or not isinstance(self.eval_every, int) or self.eval_every < 0:
            raise UsageError(f"eval_every must be a non-negative integer, got {self.eval_every!r}")
        for name in ("g_hidden", "d_hidden"):
            if any(h <= 0 for h in getattr(self, name)):
                raise UsageError(f"{name} must hold positive layer widths, got {getattr(self, name)}")
        if self.noise not in NOISE_KINDS:
            raise UsageError(f"unknown noise {self.noise!r}; choose one of: {', '.join(NOISE_KINDS)}")
        if self.dtype not in DTYPES:
            raise UsageError(f"unknown dtype {self.dtype!r}; choose one of: {', '.join(DTYPES)}")
        for name in ("g_activation", "d_activation"):
            if getattr(self, name) not in nn.ACTIVATIONS:
                raise UsageError(f"unknown {name} {getattr(self, name)!r}; "
                                 f"choose one of: {', '.join(nn.ACTIVATIONS)}")
        if self.g_init not in ("random", "moments"):
            raise UsageError(f"unknown g_init {self.g_init!r}; choose one of: random, moments")
        if self.g_first_bias not in ("uniform", "zero"):
            raise UsageError(f"unknown g_first_bias {self.g_first_bias!r}; choose one of: uniform, zero")
        for name in ("seed", "restarts", "attempt", "latent_classes"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise UsageError(f"{name} must be a non-negative integer, got {v!r}")
        validate_fixes(self)
        return self


def validate_fixes(config):
    """The checks of the options of the fixes (optimizer ... g_batchnorm); a one-line UsageError each."""
    if config.optimizer not in optim.OPTIMIZERS:
        raise UsageError(f"unknown optimizer {config.optimizer!r}; choose one of: {', '.join(optim.OPTIMIZERS)}")
    if config.penalty not in ("none",) + tuple(penalties.PENALTIES):
        raise UsageError(f"unknown penalty {config.penalty!r}; choose one of: none, {', '.join(penalties.PENALTIES)}")
    for name in ("penalty_weight", "clip", "instance_noise", "hist_avg", "rejection", "mmd"):
        v = getattr(config, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise UsageError(f"{name} must be a number >= 0, got {v!r}")
    a = config.label_smoothing
    if isinstance(a, bool) or not isinstance(a, (int, float)) or not 0 <= a < 1:
        raise UsageError(f"label_smoothing must be in [0, 1), got {a!r}")
    if a > 0 and config.loss not in ("minimax", "nonsaturating"):
        raise UsageError(f"label_smoothing needs a cross-entropy loss (minimax, nonsaturating), not {config.loss!r}")
    m = config.pack
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m <= 0:
        raise UsageError(f"pack must be a positive integer, got {m!r}")
    if config.batch % m:
        raise UsageError(f"batch {config.batch} must be divisible by pack {m}")
    for name in ("feature_matching", "g_batchnorm", "conditional"):
        if not isinstance(getattr(config, name), bool):
            raise UsageError(f"{name} must be true or false, got {getattr(config, name)!r}")
    for name, on in (("g_batchnorm", config.g_batchnorm), ("mmd", config.mmd > 0)):
        if on and config.batch < 2:
            raise UsageError(f"{name} needs a batch of at least 2 (it uses the batch's statistics), "
                             f"got batch {config.batch}")
    if config.feature_matching and m > 1:
        raise UsageError("feature_matching and pack > 1 do not combine (D's features are per pack)")
    if config.conditional:
        clash = [name for name, on in (("latent_classes", config.latent_classes > 0),
                                       ("pack", m > 1), ("penalty", config.penalty != "none"),
                                       ("feature_matching", config.feature_matching), ("mmd", config.mmd > 0),
                                       ("truncation", config.truncation > 0), ("rejection", config.rejection > 0),
                                       ("g_init moments", config.g_init == "moments"),
                                       ("g_batchnorm", config.g_batchnorm)) if on]
        if clash:
            raise UsageError(f"conditional does not combine with {', '.join(clash)}: turn "
                             f"{'it' if len(clash) == 1 else 'them'} off "
                             f"(e.g. --latent-classes 0 --pack 1 --truncation 0)")


# Per-dataset defaults: what `python -m scratchgan train --data NAME` uses. Each trains well out of the box
# (docs/modes.md gives the measurements). The common recipe: non-saturating loss, Adam with beta1 = 0.5, a LeakyReLU D,
# large batches, a linear learning-rate decay over the last part of training (samples tighten onto the
# modes) and an EMA of G's weights for sampling. On the 2D toys, a 2D latent z and instance noise on D's inputs
# during the first half of training (D's view of the data is blurred, so its gradient moves mass between
# distant regions; Sonderby et al. 2016). On the mixtures ring8 and grid25, the latent also carries a discrete
# code with one class per mixture component (latent_classes; scratchgan/latent.py): p(z) then has separate
# pieces, G sends each to a mode of its own, and no samples lie on bridges between modes, so the generator
# alone meets the mode benchmark's targets, with no filter after training (docs/modes.md). grid25 keeps the
# uniform z on the square it used before the code, and needs no instance noise.
DEFAULT_CONFIGS = {
    "gaussian": dict(steps=2000, batch=256, lr_d=2e-4, lr_g=2e-4, z_dim=4, g_hidden=(32, 32),
                     d_hidden=(32, 32), lr_decay_start=0.5, lr_final=0.05, ema=0.99, eval_every=100),
    "mixture1d": dict(steps=3000, batch=256, lr_d=1e-3, lr_g=1e-3, z_dim=2, g_hidden=(64, 64),
                      d_hidden=(64, 64), lr_decay_start=0.5, lr_final=0.05, ema=0.99, instance_noise=0.5,
                      instance_noise_until=0.5, eval_every=150),
    "ring8": dict(steps=3000, batch=256, lr_d=2e-3, lr_g=2e-3, z_dim=2, latent_classes=8, g_hidden=(128, 128),
                  d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.02, ema=0.999, instance_noise=0.3,
                  instance_noise_until=0.5, eval_every=150),
    "grid25": dict(steps=6000, batch=256, lr_d=2e-3, lr_g=2e-3, z_dim=2, latent_classes=25, noise="uniform",
                   g_hidden=(128, 128), d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.02, ema=0.999,
                   eval_every=300),
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


def table_recipe(dim, n):
    """The default recipe for a table of your own, from its dimension d and its number of rows n.

    The 2D toys' recipe without the mixture-specific filters: an MLP pair with hidden widths that grow
    with d, a latent of about d dimensions (at least 2, at most 32), instance noise for the first half, a
    linear learning-rate decay over the second half and an EMA of G. Steps grow with n (more rows, more to
    learn) between 3,000 and 10,000."""
    width = 64 if dim <= 2 else 128 if dim <= 16 else 256
    steps = int(min(10000, max(3000, 5 * n)))
    return dict(steps=steps, batch=min(256, max(32, n // 4)), lr_d=1e-3, lr_g=1e-3, z_dim=int(min(32, max(2, dim))),
                g_hidden=(width, width), d_hidden=(width, width), lr_decay_start=0.5, lr_final=0.05, ema=0.999,
                instance_noise=0.1, instance_noise_until=0.5, eval_every=0)


def default_config(data, **overrides):
    """The TrainConfig that trains `data` well out of the box, with `overrides` (field=value) applied.

    data: a dataset's name (DEFAULT_CONFIGS holds their recipes) or the path of a table of your own (its
    recipe comes from table_recipe)."""
    check_dataset_name(data)
    if is_table_path(data):
        rows = get_dataset(data).rows
        recipe = table_recipe(rows.shape[1], rows.shape[0])
    else:
        recipe = DEFAULT_CONFIGS.get(data, {})
    fields = dict(recipe, data=data)
    fields.update(overrides)
    return TrainConfig.from_dict(fields).validate()
