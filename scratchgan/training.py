"""The two gradients a GAN step needs, and (below them) the minimax training loop.

discriminator_backward: L_D(phi) on a real batch and a fake batch, backpropagated into D's parameters.
generator_backward:     L_G(theta) = loss(D(G(z))), backpropagated *through* D (whose parameters are held
                        fixed) into G's parameters.
These are the compositions the gradient checker verifies (scratchgan.gradcheck.check_gan), and the ones
the trainer calls.
"""

import dataclasses
import math

import numpy as np

from . import losses, mmd, nn, optim, penalties, tricks
from .data import DATASETS, NOISE_KINDS, get_dataset, sample_noise
from .truncation import truncated_sample


def discriminator_backward(D, objective, x_real, x_fake):
    """Add dL_D/dphi into D's .grad and return (L_D, real_logits, fake_logits).

    x_real: (n_r, d), x_fake: (n_f, d), typically G(z) computed without tracking G.
    L_D, dL/dl_real, dL/dl_fake = objective.d_loss(D(x_real), D(x_fake)); then the chain rule through D.
    Both batches go through D as one stacked batch of n_r + n_f rows: one forward and one backward pass,
    and the same gradient as two separate passes (the rows do not interact, BatchNorm aside).
    """
    n_r = x_real.shape[0]
    logits = D.forward(np.concatenate([x_real, x_fake]))
    real_logits, fake_logits = logits[:n_r], logits[n_r:]
    loss, d_real, d_fake = objective.d_loss(real_logits, fake_logits)
    nn.backward_params_only(D, np.concatenate([d_real, d_fake]))   # D.backward, without dL/dx (x is data)
    return loss, real_logits, fake_logits


def generator_backward(G, D, objective, z):
    """Add dL_G/dtheta into G's .grad and return (L_G, fake_logits).

    x = G(z);  l = D(x);  L_G, dL/dl = objective.g_loss(l);
    dL/dx = D.backward(dL/dl)   (D's parameters are frozen: only the input gradient is taken)
    G.backward(dL/dx)           (accumulates dL/dtheta).
    """
    x_fake = G.forward(z)
    fake_logits = D.forward(x_fake)
    loss, d_logits = objective.g_loss(fake_logits)
    D.requires_grad_(False)
    try:
        dx = D.backward(d_logits)
    finally:
        D.requires_grad_(True)
    nn.backward_params_only(G, dx)   # G.backward(dx), without dL/dz (z is noise)
    return loss, fake_logits


# =========================================================================================================
# The training loop
# =========================================================================================================

DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run; stored in every checkpoint (as JSON) so a run can be resumed.

    data, loss          dataset name (scratchgan.data.DATASETS) and objective name (scratchgan.losses.LOSSES)
    steps               training iterations in total (one iteration = k D-steps then one G-step)
    k                   discriminator steps per iteration (Algorithm 1 of Goodfellow et al. 2014)
    batch               minibatch size m: m real and m generated samples per D-step, m generated per G-step
    lr_d, lr_g          Adam learning rates of D and G;  beta1, beta2: Adam's moment decays
    lr_decay_start      fraction of `steps` after which both learning rates fall linearly ...
    lr_final            ... to lr_final times their value at the last step (1.0: constant learning rates)
    z_dim, noise        G's input z in R^z_dim, z ~ N(0, I) ("normal") or U(-1, 1)^z_dim ("uniform")
    g_hidden, d_hidden  hidden widths of the two MLPs (G: z_dim -> g_hidden... -> dim, D: dim -> ... -> 1)
    g_activation, d_activation   their activations (scratchgan.nn.ACTIVATIONS)
    g_first_bias        "uniform": G's first-layer biases from U(-1, 1) (see build_generator); "zero": all 0
    g_init              "random": G as initialised; "moments": first fitted to the affine map that gives its
                        samples the data's mean and covariance (scratchgan.warmstart)
    ema                 decay beta of an exponential moving average of G's weights, used by sample();
                        0 turns it off (sample() then uses G itself)
    truncation          fraction of latent draws sample() rejects, those where ||dG/dz|| is largest (the
                        bridges between modes; scratchgan.truncation, Tanielian et al. 2020); 0: off
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
    restarts            how many times train_with_restarts may train again, from a fresh random stream, when
                        the finished run fails its two-sample test (Trainer.two_sample_check); 0: never
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

    def __post_init__(self):
        self.g_hidden = tuple(int(h) for h in self.g_hidden)
        self.d_hidden = tuple(int(h) for h in self.d_hidden)

    def to_dict(self):
        """A JSON-ready dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, d):
        """The inverse of to_dict; an unknown key raises a ValueError naming it."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown training option(s): {', '.join(unknown)}")
        return cls(**d)

    def validate(self):
        """Raise a one-line ValueError naming the first bad option; return self."""
        def positive_int(name):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")

        def positive_number(name):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"{name} must be a positive number, got {v!r}")

        def in_unit(name, lo_open=False, hi_open=True):
            v = getattr(self, name)
            ok = isinstance(v, (int, float)) and (0 < v if lo_open else 0 <= v) and (v < 1 if hi_open else v <= 1)
            if not ok:
                raise ValueError(f"{name} must be in {'(' if lo_open else '['}0, 1{')' if hi_open else ']'}, "
                                 f"got {v!r}")

        if self.data not in DATASETS:
            raise ValueError(f"unknown dataset {self.data!r}; choose one of: {', '.join(DATASETS)}")
        if self.loss not in losses.LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of: {', '.join(losses.LOSSES)}")
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
            raise ValueError(f"eval_every must be a non-negative integer, got {self.eval_every!r}")
        for name in ("g_hidden", "d_hidden"):
            if any(h <= 0 for h in getattr(self, name)):
                raise ValueError(f"{name} must hold positive layer widths, got {getattr(self, name)}")
        if self.noise not in NOISE_KINDS:
            raise ValueError(f"unknown noise {self.noise!r}; choose one of: {', '.join(NOISE_KINDS)}")
        if self.dtype not in DTYPES:
            raise ValueError(f"unknown dtype {self.dtype!r}; choose one of: {', '.join(DTYPES)}")
        for name in ("g_activation", "d_activation"):
            if getattr(self, name) not in nn.ACTIVATIONS:
                raise ValueError(f"unknown {name} {getattr(self, name)!r}; "
                                 f"choose one of: {', '.join(nn.ACTIVATIONS)}")
        if self.g_init not in ("random", "moments"):
            raise ValueError(f"unknown g_init {self.g_init!r}; choose one of: random, moments")
        if self.g_first_bias not in ("uniform", "zero"):
            raise ValueError(f"unknown g_first_bias {self.g_first_bias!r}; choose one of: uniform, zero")
        for name in ("seed", "restarts", "attempt"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
        validate_fixes(self)
        return self


def validate_fixes(config):
    """The checks of the options of the fixes (optimizer ... g_batchnorm); a one-line ValueError each."""
    if config.optimizer not in optim.OPTIMIZERS:
        raise ValueError(f"unknown optimizer {config.optimizer!r}; choose one of: {', '.join(optim.OPTIMIZERS)}")
    if config.penalty not in ("none",) + tuple(penalties.PENALTIES):
        raise ValueError(f"unknown penalty {config.penalty!r}; choose one of: none, {', '.join(penalties.PENALTIES)}")
    for name in ("penalty_weight", "clip", "instance_noise", "hist_avg", "rejection", "mmd"):
        v = getattr(config, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise ValueError(f"{name} must be a number >= 0, got {v!r}")
    a = config.label_smoothing
    if isinstance(a, bool) or not isinstance(a, (int, float)) or not 0 <= a < 1:
        raise ValueError(f"label_smoothing must be in [0, 1), got {a!r}")
    if a > 0 and config.loss not in ("minimax", "nonsaturating"):
        raise ValueError(f"label_smoothing needs a cross-entropy loss (minimax, nonsaturating), not {config.loss!r}")
    m = config.pack
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m <= 0:
        raise ValueError(f"pack must be a positive integer, got {m!r}")
    if config.batch % m:
        raise ValueError(f"batch {config.batch} must be divisible by pack {m}")
    for name in ("feature_matching", "g_batchnorm"):
        if not isinstance(getattr(config, name), bool):
            raise ValueError(f"{name} must be true or false, got {getattr(config, name)!r}")
    if config.feature_matching and m > 1:
        raise ValueError("feature_matching and pack > 1 do not combine (D's features are per pack)")


# Per-dataset defaults: what `python -m scratchgan train --data NAME` uses. Each trains well out of the box
# (see the README's table). The common recipe: non-saturating loss, Adam with beta1 = 0.5, a LeakyReLU D,
# large batches, a linear learning-rate decay over the last part of training (samples tighten onto the
# modes) and an EMA of G's weights for sampling. On the mixtures two more things matter most: instance noise
# on D's inputs during the first part of training (D's view of the modes is blurred, so its gradient moves
# mass *between* modes and their shares even out; Sonderby et al. 2016), and a 2D latent z (G then has only
# two directions to squeeze into each tight mode, and the modes come out more balanced than with z in R^16).
# On ring8, PacGAN packing (pack=2: D judges pairs of samples, Lin et al. 2018) evens out the modes' shares
# (reverse KL about 0.001 on every seed tried, against 0.02-0.15 on some seeds without it). On grid25, a
# uniform z on the square [-1, 1]^2 maps naturally onto the 5 x 5 grid of modes in equal shares (a Gaussian z
# starves the 16 outer modes, which must then come from its tails): reverse KL 0.19 -> 0.01 in our runs.
# Both sample in two filtering stages. Jacobian truncation (truncation=0.3): a continuous G cannot avoid thin
# "bridges" of samples between modes, and those sit where ||dG/dz|| is largest; dropping the 30% most stretched
# latent draws removes them (scratchgan/truncation.py), but it also shifts the modes' shares. Discriminator
# rejection sampling (rejection=sigma) then evens the shares out: a fresh D, fitted to the truncated sampler
# on inputs blurred at the scale of the modes' spacing, estimates pi_k / p_k for each mode, and rejection with
# it keeps G's samples in proportion (scratchgan/rejection.py). Last, restarts=1: a finished run whose samples
# fail the MMD two-sample test against fresh data (Trainer.two_sample_check; about one grid25 run in eight
# leaves a mode empty) is trained once more from a fresh random stream, and the attempt closer to the data is
# kept (train_with_restarts). The README's "Mode collapse, measured" gives what each stage changes, over seeds.
DEFAULT_CONFIGS = {
    "gaussian": dict(steps=2000, batch=256, lr_d=2e-4, lr_g=2e-4, z_dim=4, g_hidden=(32, 32),
                     d_hidden=(32, 32), lr_decay_start=0.5, lr_final=0.05, ema=0.99, eval_every=100),
    "mixture1d": dict(steps=3000, batch=256, lr_d=1e-3, lr_g=1e-3, z_dim=2, g_hidden=(64, 64),
                      d_hidden=(64, 64), lr_decay_start=0.5, lr_final=0.05, ema=0.99, instance_noise=0.5,
                      instance_noise_until=0.5, eval_every=150),
    "ring8": dict(steps=8000, batch=256, lr_d=2e-3, lr_g=2e-3, z_dim=2, g_hidden=(128, 128),
                  d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.02, ema=0.999, instance_noise=0.3,
                  instance_noise_until=0.5, pack=2, truncation=0.3, rejection=0.15, restarts=1, eval_every=400),
    "grid25": dict(steps=12000, batch=256, lr_d=2e-3, lr_g=2e-3, z_dim=2, noise="uniform",
                   g_hidden=(128, 128), d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.02, ema=0.999,
                   instance_noise=0.3, instance_noise_until=0.5, truncation=0.3, rejection=0.3, restarts=1,
                   eval_every=500),
    "spiral": dict(steps=5000, batch=256, lr_d=1e-3, lr_g=1e-3, z_dim=2, g_hidden=(128, 128),
                   d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.05, ema=0.999, instance_noise=0.1,
                   instance_noise_until=0.5, eval_every=250),
    "moons": dict(steps=4000, batch=256, lr_d=1e-3, lr_g=1e-3, z_dim=2, g_hidden=(128, 128),
                  d_hidden=(128, 128), lr_decay_start=0.5, lr_final=0.05, ema=0.999, instance_noise=0.1,
                  instance_noise_until=0.5, eval_every=200),
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


def make_optimizer(config, params, lr):
    """config.optimizer over params: Adam(betas=(beta1, beta2)), RMSprop (alpha 0.99) or plain SGD."""
    if config.optimizer == "adam":
        return optim.Adam(params, lr=lr, betas=(config.beta1, config.beta2))
    return optim.OPTIMIZERS[config.optimizer](params, lr=lr)


def default_config(data, **overrides):
    """The TrainConfig that trains `data` well out of the box, with `overrides` (field=value) applied."""
    if data not in DATASETS:
        raise ValueError(f"unknown dataset {data!r}; choose one of: {', '.join(DATASETS)}")
    fields = dict(DEFAULT_CONFIGS.get(data, {}), data=data)
    fields.update(overrides)
    return TrainConfig.from_dict(fields).validate()


class FixedAffine(nn.Module):
    """y = x * scale + shift, elementwise with constant (untrained) scale, shift of shape (d,);  dx = dy * scale.

    The networks work in standardised coordinates: D first maps the data box to about [-2, 2]^d, and G's
    output goes through the inverse map, so the same architecture and learning rates suit N(4, 0.5^2) and
    a grid spanning [-4, 4]^2 (D's ReLU kinks sit where the data are, not all far off at the origin).
    """

    def __init__(self, scale, shift, dtype=nn.DEFAULT_DTYPE):
        self.scale = np.asarray(scale, dtype=dtype)
        self.shift = np.asarray(shift, dtype=dtype)

    def __repr__(self):
        return f"FixedAffine(scale={self.scale.tolist()}, shift={self.shift.tolist()})"

    def forward(self, x):
        return x * self.scale + self.shift

    def backward(self, dy):
        return dy * self.scale


def data_scale(data):
    """(centre m, scale s) of a dataset's plotting box: m its midpoint, s a quarter of its widths, so the box
    maps to [-2, 2]^d under (x - m) / s."""
    lo, hi = data.bounds[:, 0], data.bounds[:, 1]
    return (lo + hi) / 2, (hi - lo) / 4


def build_generator(config, data, rng):
    """G: an MLP z_dim -> g_hidden... -> dim (linear output), then x = m + s * output (see FixedAffine).

    As in D, the first layer's biases are drawn from U(-1, 1) instead of 0. With zero biases every kink
    w.z + b = 0 of the first layer passes through z = 0, so G(t z) = t G(z) for t > 0: the initial G maps rays
    of latent space to rays, a fan folded around the origin, and the first, large steps of training must undo
    those folds (on grid25, seeds whose fold survives the first few hundred steps leave modes nearly empty).
    Spread biases put the kinks all over the latent box, where G needs them to cut it into one piece per mode."""
    dtype = DTYPES[config.dtype]
    if config.g_batchnorm:                  # the DCGAN recipe: Linear, BatchNorm, ReLU blocks
        from .batchnorm import dcgan_generator
        net = dcgan_generator([config.z_dim, *config.g_hidden, data.dim], rng=rng, dtype=dtype)
    else:
        net = nn.mlp([config.z_dim, *config.g_hidden, data.dim], rng=rng, activation=config.g_activation,
                     dtype=dtype)
        if config.g_first_bias == "uniform":
            first = net.layers[0]
            first.b.data[...] = rng.uniform(-1.0, 1.0, size=first.b.data.shape)
    m, s = data_scale(data)
    return nn.Sequential(*net.layers, FixedAffine(s, m, dtype))


def build_discriminator(config, data, rng):
    """D: (x - m) / s (see FixedAffine), then an MLP dim -> d_hidden... -> 1 whose output is a logit l,
    D(x) = sigmoid(l). The first layer's biases are drawn from U(-1, 1) instead of 0, so its units' kinks
    (hyperplanes w.x + b = 0) spread over the data box instead of all passing through its centre."""
    dtype = DTYPES[config.dtype]
    k = config.pack                         # PacGAN: D reads k samples side by side (k = 1: plain D)
    net = nn.mlp([data.dim * k, *config.d_hidden, 1], rng=rng, activation=config.d_activation, dtype=dtype)
    first = net.layers[0]
    first.b.data[...] = rng.uniform(-1.0, 1.0, size=first.b.data.shape)
    m, s = data_scale(data)
    D = nn.Sequential(FixedAffine(np.tile(1.0 / s, k), np.tile(-m / s, k), dtype), *net.layers)
    return tricks.Packed(D, k) if k > 1 else D


def grad_norm(params):
    """The global gradient norm sqrt(sum_p |dL/dp|^2) over a list of Parameters."""
    return math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))


class TrainingDiverged(RuntimeError):
    """A loss or a gradient became NaN or infinite; the message names the iteration."""


HISTORY_KEYS = ("step", "loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g", "lr_factor")


MMD_BANDWIDTHS = (0.25, 0.5, 1.0)   # the MMD term's kernel widths, in units of the data box's scale
MMD_BATCH = 128                     # its samples of G and of the data per step


class Trainer:
    """The minimax game of Goodfellow et al. 2014, Algorithm 1, with minibatch stochastic gradients.

    Each training iteration (`train_step`):
        for k steps:                                      (the discriminator ascends V)
            x_1..x_m ~ pi,  z_1..z_m ~ p(z)               fresh minibatches every D-step
            phi <- Adam step on  L_D = -[(1/m) sum log D(x_i) + (1/m) sum log(1 - D(G(z_i)))]
        z_1..z_m ~ p(z)                                   (the generator descends its loss, e.g.)
        theta <- Adam step on  L_G = -(1/m) sum log D(G(z_i))     (non-saturating)
    with L_D and L_G given by `objective` (scratchgan.losses). G's gradient flows *through* D into theta,
    but D's parameters are not touched (generator_backward freezes them).

    Randomness. The one seed config.seed is split with np.random.SeedSequence(seed).spawn(2) (for a
    restart, config.attempt = a > 0: SeedSequence([seed, a]).spawn(2)) into
      .rng         draws the networks' initial weights, then every minibatch of training, in order;
      .sample_rng  draws the noise of sample() and evaluate() only,
    so sampling or evaluating never changes the training stream: the same seed gives bit-identical runs,
    whatever is sampled on the way, and both streams' states go into a checkpoint, so N iterations, save,
    load and N more give exactly the run of 2N iterations.

    Attributes: G, D (Modules), data (a Dataset), objective, config (TrainConfig), opt_g, opt_d (Adam),
    G_ema (a copy of G holding the moving average, or None), history (dict name -> list: the HISTORY_KEYS
    get one entry per iteration; keys starting with eval_ one per evaluation), step (iterations done).
    Any Modules may serve as G and D: pass them in, otherwise MLPs are built from the config.
    """

    def __init__(self, config, *, G=None, D=None, data=None, objective=None):
        self.config = config.validate()
        self.dtype = DTYPES[config.dtype]
        entropy = config.seed if config.attempt == 0 else [config.seed, config.attempt]
        train_seed, sample_seed = np.random.SeedSequence(entropy).spawn(2)
        self.rng = np.random.default_rng(train_seed)
        self.sample_rng = np.random.default_rng(sample_seed)
        self.data = data if data is not None else get_dataset(config.data)
        smoothing = {"real_label": 1.0 - config.label_smoothing} if config.label_smoothing else {}
        self.objective = objective if objective is not None else losses.get_loss(config.loss, **smoothing)
        self.G = G if G is not None else build_generator(config, self.data, self.rng)
        if G is None and config.g_init == "moments":
            from .warmstart import warm_start
            warm_start(self.G, self.data, config.z_dim, config.noise, self.rng, data_scale(self.data)[1],
                       batch=config.batch, dtype=self.dtype)
        self.D = D if D is not None else build_discriminator(config, self.data, self.rng)
        self.opt_g = make_optimizer(config, self.G.parameters(), config.lr_g)
        self.opt_d = make_optimizer(config, self.D.parameters(), config.lr_d)
        self.ema = tricks.EMA(self.G, config.ema) if config.ema > 0 else None
        self.G_ema = self.ema.module if self.ema is not None else None
        self._ratio = None        # (step, D) of rejection sampling, see ratio_discriminator
        w = config.hist_avg                 # historical averaging of each player's parameters, if on
        self.hist_g = tricks.HistoricalAverage(self.G.parameters(), w) if w else None
        self.hist_d = tricks.HistoricalAverage(self.D.parameters(), w) if w else None
        self.noise_layer = tricks.InstanceNoise(0.0, self.rng)
        self.step = 0
        self.history = {key: [] for key in HISTORY_KEYS}
        for key in self.eval_keys():
            self.history[key] = []

    # -- randomness ---------------------------------------------------------------------------------------

    def noise(self, n, rng=None):
        """z: (n, z_dim) draws from p(z), from the training stream unless another Generator is given."""
        return sample_noise(n, self.config.z_dim, self.rng if rng is None else rng, self.config.noise,
                            dtype=self.dtype)

    def real(self, n):
        """x: (n, dim) draws from the data distribution pi, from the training stream."""
        return self.data.sample(n, self.rng, dtype=self.dtype)

    # -- one iteration ------------------------------------------------------------------------------------

    def lr_factor(self, step):
        """Multiplier of both learning rates at iteration `step` (0-based): 1 until lr_decay_start * steps,
        then falling linearly to lr_final at the last iteration (steps - 1) and staying there."""
        cfg = self.config
        start = cfg.lr_decay_start * cfg.steps
        if cfg.lr_final == 1.0 or step < start:
            return 1.0
        frac = min(1.0, (step - start) / max(cfg.steps - 1 - start, 1.0))
        return 1.0 + frac * (cfg.lr_final - 1.0)

    def train_step(self):
        """One iteration: k D-steps, then one G-step. Returns its history record (a dict of floats)."""
        cfg = self.config
        factor = self.lr_factor(self.step)
        self.opt_d.lr = cfg.lr_d * factor
        self.opt_g.lr = cfg.lr_g * factor

        sigma = (tricks.annealed(cfg.instance_noise, self.step, cfg.instance_noise_until * cfg.steps)
                 if cfg.instance_noise else 0.0)
        for _ in range(cfg.k):
            x_real = self.real(cfg.batch)
            x_fake = self.G.forward(self.noise(cfg.batch))   # G(z) as a constant: G's backward is not run
            self.opt_d.zero_grad()
            loss_d, real_logits, fake_logits = self.discriminator_step_backward(x_real, x_fake, sigma)
            norm_d = grad_norm(self.opt_d.params)
            if not (math.isfinite(loss_d) and math.isfinite(norm_d)):
                raise TrainingDiverged(f"training diverged at step {self.step + 1}: discriminator loss "
                                       f"{loss_d}, gradient norm {norm_d}")
            self.opt_d.step()
            if cfg.clip:
                tricks.clip_weights(self.D.parameters(), cfg.clip)   # WGAN: after every critic step
            if self.hist_d is not None:
                self.hist_d.update()

        self.opt_g.zero_grad()
        loss_g = self.generator_step_backward(self.noise(cfg.batch), sigma)
        norm_g = grad_norm(self.opt_g.params)
        if not (math.isfinite(loss_g) and math.isfinite(norm_g)):
            raise TrainingDiverged(f"training diverged at step {self.step + 1}: generator loss {loss_g}, "
                                   f"gradient norm {norm_g}")
        self.opt_g.step()
        if self.hist_g is not None:
            self.hist_g.update()
        if self.ema is not None:
            self.ema.update(self.step)      # decay capped at (1 + step) / (10 + step) early on

        self.step += 1
        record = {
            "step": self.step,
            "loss_d": loss_d,
            "loss_g": loss_g,
            # mean D(x) and D(G(z)) as probabilities, on the last D-step's batches (before its update)
            "d_real": float(nn.sigmoid(real_logits).mean()),
            "d_fake": float(nn.sigmoid(fake_logits).mean()),
            "grad_norm_d": norm_d,
            "grad_norm_g": norm_g,
            "lr_factor": factor,
        }
        for key, value in record.items():
            self.history[key].append(value)
        return record

    def discriminator_step_backward(self, x_real, x_fake, sigma=0.0):
        """D's gradient for one D-step into D's .grad, with the config's switches; returns
        (L_D, real_logits, fake_logits), L_D being the objective's loss alone (no penalty terms).

        instance noise   both batches get + sigma N(0, I)
        pack             D's inner network sees pack(x_real, m) and pack(x_fake, m)
        penalty gp       + w E (||grad_x D(x_hat)|| - 1)^2,  x_hat = eps x_real + (1 - eps) x_fake
        penalty r1       + (w / 2) E ||grad_x D(x_real)||^2
        hist_avg         + w ||phi - mean of past phi||^2
        """
        cfg = self.config
        if sigma:
            x_real = tricks.add_instance_noise(x_real, sigma, self.rng)
            x_fake = tricks.add_instance_noise(x_fake, sigma, self.rng)
        D = self.D
        if cfg.pack > 1:
            D, x_real, x_fake = self.D.D, tricks.pack(x_real, cfg.pack), tricks.pack(x_fake, cfg.pack)
        out = discriminator_backward(D, self.objective, x_real, x_fake)
        if cfg.penalty == "gp":
            penalties.gradient_penalty(D, penalties.interpolates(x_real, x_fake, self.rng), cfg.penalty_weight)
        elif cfg.penalty == "r1":
            penalties.r1(D, x_real, cfg.penalty_weight)
        if self.hist_d is not None:
            self.hist_d.backward()
        return out

    def generator_step_backward(self, z, sigma=0.0):
        """G's gradient for the G-step into G's .grad, through D (D's parameters untouched); returns L_G.

        The objective's g_loss of D(G(z)), or with feature_matching || E d(x_real) - E d(G(z)) ||^2; with
        instance noise G's samples reach D as G(z) + sigma N(0, I) (the noise passes dx through unchanged);
        with mmd + w MMD^2(G(z_1..m), m fresh data points), m = MMD_BATCH, on G's clean samples (a second
        forward and backward pass of G: scratchgan.mmd); with hist_avg + w ||theta - mean of past theta||^2.
        """
        cfg = self.config
        G = self.G
        if sigma:
            self.noise_layer.sigma = sigma
            G = nn.Sequential(self.G, self.noise_layer)
        if cfg.feature_matching:
            x_real = tricks.add_instance_noise(self.real(cfg.batch), sigma, self.rng)
            loss = tricks.feature_matching_backward(G, self.D, x_real, z)
        else:
            loss, _ = generator_backward(G, self.D, self.objective, z)
        if cfg.mmd:
            _, s = data_scale(self.data)
            m = min(MMD_BATCH, cfg.batch)
            loss += mmd.mmd_generator_backward(self.G, self.real(m), z[:m], MMD_BANDWIDTHS, cfg.mmd, s)
        if self.hist_g is not None:
            self.hist_g.backward()
        return loss

    def check_finite(self):
        """Raise TrainingDiverged if any parameter of G or D is NaN or infinite."""
        for net_name, net in (("G", self.G), ("D", self.D)):
            for i, p in enumerate(net.parameters()):
                if not np.all(np.isfinite(p.data)):
                    raise TrainingDiverged(f"training diverged by step {self.step}: parameter {i} "
                                           f"({p.name}) of {net_name} is not finite")

    def train(self, n_steps, callback=None):
        """Run n_steps iterations; evaluate every config.eval_every and call callback(self) every
        config.log_every iterations (counted on self.step, so resumed runs keep the same rhythm)."""
        cfg = self.config
        for _ in range(int(n_steps)):
            self.train_step()
            if cfg.eval_every and self.step % cfg.eval_every == 0:
                self.evaluate()
            if callback is not None and self.step % cfg.log_every == 0:
                callback(self)
        return self

    # -- using the generator ------------------------------------------------------------------------------

    def sample(self, n, rng=None, *, rejection=True):
        """(n, dim) samples G(z) (from the EMA weights when config.ema > 0), z from .sample_rng by default.
        With config.truncation = q > 0, n / (1 - q) latent points are drawn and the n whose ||dG/dz|| is
        smallest are kept (scratchgan.truncation).
        With config.rejection = sigma > 0 (and rejection=True), those samples are the proposals of
        discriminator rejection sampling (scratchgan.rejection): a D fitted to them at the current step
        keeps each with probability min(1, exp(l(x) - log M)). Evaluations during training pass
        rejection=False (fitting that D takes a few seconds)."""
        rng = self.sample_rng if rng is None else rng
        if self.config.rejection > 0 and rejection:
            from .rejection import rejection_sample

            x, _ = rejection_sample(lambda m: self._propose(m, rng), self.ratio_discriminator(), int(n), rng)
            return x
        return self._propose(int(n), rng)

    def _propose(self, n, rng):
        """n samples of the (EMA) generator with Jacobian truncation: sample() without rejection."""
        G = self.G_ema if self.G_ema is not None else self.G
        G.eval()
        try:
            x, _ = truncated_sample(G, lambda m: self.noise(m, rng), n, self.config.truncation)
            return x
        finally:
            G.train()

    RATIO_STEPS = 3000       # Adam steps of the rejection sampler's discriminator
    RATIO_POOL = 20000       # proposals it is fitted on

    def ratio_discriminator(self):
        """The D of rejection sampling, fitted to the sampler of the current step (cached until G changes).

        A fresh unpacked D of config's architecture, trained by scratchgan.rejection.fit_ratio on data
        against RATIO_POOL proposals, inputs blurred by N(0, config.rejection^2). It has its own random
        stream, seeded by (config.seed, step), so fitting it never changes the training or sampling streams
        and a resumed run refits the same D."""
        if self._ratio is None or self._ratio[0] != self.step:
            from .rejection import fit_ratio

            rng = np.random.default_rng([self.config.seed, self.step, 7])
            D = build_discriminator(dataclasses.replace(self.config, pack=1), self.data, rng)
            fit_ratio(D, lambda m, r: self.data.sample(m, r, dtype=self.dtype), self._propose(self.RATIO_POOL, rng),
                      self.config.rejection, self.RATIO_STEPS, self.config.batch, rng)
            self._ratio = (self.step, D)
        return self._ratio[1]

    CHECK_SAMPLES = 2500     # samples of G and of the data in the two-sample check
    CHECK_BANDWIDTH = 0.2    # its kernel's width, in units of the data box's scale (data_scale)
    CHECK_ALPHA = 0.01       # its level

    def two_sample_check(self):
        """Did training work? The likelihood-free test of H0: pi = p(x | theta), run on the finished sampler.

        CHECK_SAMPLES samples of sample() (truncation and rejection included) against as many fresh data
        points, metrics.mmd_test with a Gaussian kernel of width CHECK_BANDWIDTH * s (s: the data box's
        scale, data_scale; on grid25 the width is 0.58, about a third of the spacing between modes, so an
        empty or starved mode shows) and 200 permutations. Its own random stream, seeded by (seed, attempt, step), leaves the others untouched.
        Returns {"mmd2", "p_value", "rejects"}, rejects = p_value <= CHECK_ALPHA."""
        from . import metrics

        rng = np.random.default_rng([self.config.seed, self.config.attempt, self.step, 11])
        x = self.sample(self.CHECK_SAMPLES, rng).astype(np.float64)
        y = self.data.sample(self.CHECK_SAMPLES, rng, dtype=np.float64)
        h = self.CHECK_BANDWIDTH * float(np.mean(data_scale(self.data)[1]))
        mmd2, p = metrics.mmd_test(x, y, n_permutations=200, rng=rng, bandwidth=h)
        return {"mmd2": mmd2, "p_value": p, "rejects": bool(p <= self.CHECK_ALPHA)}

    def eval_keys(self):
        keys = ["eval_step", "eval_mmd"]
        if self.data.centers is not None:
            keys += ["eval_modes", "eval_high_quality", "eval_reverse_kl"]
        return keys

    def evaluate(self):
        """Measure the current generator on config.eval_samples samples (drawn from .sample_rng) and append
        to history: eval_step, eval_mmd (the unbiased MMD^2 estimate, metrics.mmd_test, on 500 of them against
    500 data samples), and for mixtures
        of Gaussians eval_modes, eval_high_quality, eval_reverse_kl (metrics.mode_coverage). Returns them."""
        from . import metrics

        n = self.config.eval_samples
        x_fake = self.sample(n, rejection=False)
        record = {"eval_step": self.step}
        if not np.all(np.isfinite(x_fake)):
            record["eval_mmd"] = float("nan")
        else:
            m = min(n, 500)
            x_real = self.data.sample(m, self.sample_rng)
            record["eval_mmd"] = metrics.mmd_test(x_real, x_fake[:m], n_permutations=1, rng=self.sample_rng)[0]
        if self.data.centers is not None:
            cov = metrics.mode_coverage(x_fake, self.data.centers, self.data.std)
            record.update(eval_modes=cov["modes"], eval_high_quality=cov["high_quality"],
                          eval_reverse_kl=cov["reverse_kl"])
        for key, value in record.items():
            self.history[key].append(value)
        return record


def train_to_the_end(trainer):
    """Train until trainer.step reaches trainer.config.steps (the default `train` of train_with_restarts)."""
    return trainer.train(trainer.config.steps - trainer.step)


def train_with_restarts(config, *, trainer=None, train=train_to_the_end, on_restart=None):
    """Train to config.steps; while the finished run fails its two-sample check and its attempt number is
    below config.restarts, train again from a fresh random stream (config.attempt + 1). Of the attempts,
    keep the one whose samples the check found closest to the data (smallest MMD^2).

    GAN training is a non-convex game: on grid25, about one seed in eight ends with a mode G never fills
    (README, "Mode collapse, measured"). The check sees it without knowing where the modes are, so, like
    k-means run from several starts, a failed run is simply run again.

    trainer: start from this one (e.g. resumed from a checkpoint) instead of Trainer(config).
    train: function(trainer) that trains it to the end (the command line's adds checkpoints and progress).
    on_restart: function(trainer, check), called with each rejected attempt before the next one starts.
    Returns (kept trainer, the check result of every attempt in order; empty when config.restarts = 0)."""
    trainer = Trainer(config) if trainer is None else trainer
    train(trainer)
    best, best_mmd2, checks = trainer, math.inf, []
    while config.restarts:
        check = trainer.two_sample_check()
        checks.append(check)
        if check["mmd2"] < best_mmd2:
            best, best_mmd2 = trainer, check["mmd2"]
        if not check["rejects"] or trainer.config.attempt >= config.restarts:
            break
        if on_restart is not None:
            on_restart(trainer, check)
        trainer = Trainer(dataclasses.replace(trainer.config, attempt=trainer.config.attempt + 1))
        train(trainer)
    return best, checks


def final_metrics(trainer, samples, n_test=1000):
    """The numbers a finished run reports in metrics.json, as a flat dict of plain floats, ints and bools.

    samples: (M, dim) generated samples.  Always: data, step, n_samples, sample_mean, sample_std (per
    dimension), data_mean, data_std (of as many fresh data samples), and the two-sample tests of
    metrics.two_sample_report on n_test data and n_test generated samples (mmd2, mmd_p_value,
    mmd_rejects_h0, c2st_accuracy, c2st_p_value, c2st_rejects_h0, alpha). For mixtures of isotropic
    Gaussians: modes, n_modes, high_quality, reverse_kl (metrics.mode_coverage on all M samples). Where the
    density is known: mean_log_prob = (1/M) sum log pi(G(z)) and data_mean_log_prob (the same on data,
    i.e. minus the entropy of pi). In 1D: ks_statistic, ks_p_value, wasserstein1.
    Random draws come from trainer.sample_rng, never the training stream.
    """
    from . import metrics

    data, rng = trainer.data, trainer.sample_rng
    real = data.sample(len(samples), rng, dtype=np.float64)
    out = {"data": data.name, "step": trainer.step, "n_samples": len(samples),
           "sample_mean": samples.mean(axis=0).tolist(), "sample_std": samples.std(axis=0).tolist(),
           "data_mean": real.mean(axis=0).tolist(), "data_std": real.std(axis=0).tolist()}
    if not np.all(np.isfinite(samples)):
        out["finite"] = False
        return out
    if data.centers is not None:
        coverage = metrics.mode_coverage(samples, data.centers, data.std)
        out.update(modes=int(coverage["modes"]), n_modes=len(data.centers),
                   high_quality=float(coverage["high_quality"]), reverse_kl=float(coverage["reverse_kl"]))
    if hasattr(data, "log_prob"):
        out.update(mean_log_prob=float(data.log_prob(samples).mean()),
                   data_mean_log_prob=float(data.log_prob(real).mean()))
    n = min(n_test, len(samples))
    if n >= 4:
        out.update(metrics.two_sample_report(real[:n], samples[:n], rng=rng))
    if data.dim == 1:
        ks, p = metrics.ks_test(real, samples)
        out.update(ks_statistic=float(ks), ks_p_value=float(p),
                   wasserstein1=float(metrics.wasserstein_1d(real, samples)))
    return out
