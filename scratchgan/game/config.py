"""The settings of a run, one home each: five sections by concern, each setting with its help and its check.

    Run        which data, how long, the seed, logging    data, steps, seed, restarts, dtype, ...
    Model      the two networks and G's latent z          z_dim, widths, depth (the widths' count), activations
    Game       the loss and Algorithm 1's loop            loss, k, the batch m, the optimizer and its rates
    Fixes      what changes the game to train better      instance noise, packing, penalties, clipping, ...
    Sampling   what sample() does after training          truncation, rejection

TrainConfig holds one of each (config.game.k, config.model.z_dim) and is stored in every checkpoint as JSON, so
a run can be resumed. Every setting has a flat name that is unique across the sections (k, z_dim, pack); the
recipes (scratchgan.game.recipes), the command line's flags (--k, --z-dim, --pack: generated from the fields below by
scratchgan/cli/train.py) and checkpoints of 0.1.0 (one flat dict) use those names.

Each field is declared with `setting(default, help, check)`: the help is the command line's, the check gives
the one message for a bad value. TrainConfig.validate runs every field's check, then the few rules that
involve two settings (a pack must divide the batch, ...). That is the one place a run's settings are checked.
"""

import dataclasses
import math

import numpy as np

from ..data import check_dataset_name, DATASETS, NOISE_KINDS
from ..engine import losses, nn, optim
from ..engine.errors import UsageError
from ..fixes import penalties

DTYPES = {"float32": np.float32, "float64": np.float64}


# ---- the checks: each takes (name, value) and raises a one-line UsageError for a bad value -----------------------

def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(v)


def positive_int(name, v):
    if not _is_int(v) or v <= 0:
        raise UsageError(f"{name} must be a positive integer, got {v!r}")


def non_negative_int(name, v):
    if not _is_int(v) or v < 0:
        raise UsageError(f"{name} must be a non-negative integer, got {v!r}")


def positive_number(name, v):
    if not _is_number(v) or v <= 0:
        raise UsageError(f"{name} must be a positive number, got {v!r}")


def non_negative_number(name, v):
    if not _is_number(v) or v < 0:
        raise UsageError(f"{name} must be a number >= 0, got {v!r}")


def boolean(name, v):
    if not isinstance(v, bool):
        raise UsageError(f"{name} must be true or false, got {v!r}")


def widths(name, v):
    if not isinstance(v, tuple) or not v or not all(_is_int(h) and h > 0 for h in v):
        raise UsageError(f"{name} must hold positive layer widths, got {v!r}")


def dataset(name, v):
    check_dataset_name(v)


def interval(lo_open, hi_open):
    """The check of a number in [0, 1), (0, 1] or [0, 1] (lo_open, hi_open say which ends are left out)."""
    text = f"{'(' if lo_open else '['}0, 1{')' if hi_open else ']'}"

    def check(name, v):
        if not _is_number(v) or not ((0 < v) if lo_open else (0 <= v)) or not ((v < 1) if hi_open else (v <= 1)):
            raise UsageError(f"{name} must be in {text}, got {v!r}")
    return check


def one_of(names):
    """The check of a name among `names` (a tuple, or the keys of a dict)."""
    names = tuple(names)

    def check(name, v):
        if v not in names:
            raise UsageError(f"unknown {name} {v!r}; choose one of: {', '.join(names)}")
    check.choices = names
    return check


def setting_kind(field):
    """What a setting holds, for the forms that offer it (train's flags, the lab's page): "choice" (its check
    names the choices), "bool", "widths" (a tuple of layer widths), "int", "float" or "text"."""
    if getattr(field.metadata["check"], "choices", None):
        return "choice"
    if isinstance(field.default, bool):                # before int: a bool is an int to Python
        return "bool"
    return {tuple: "widths", int: "int", float: "float"}.get(type(field.default), "text")


def setting(default, help, check):
    """A field of a section: its default, its one line of help (the command line's too) and its check."""
    return dataclasses.field(default=default, metadata={"help": help, "check": check})


# ---- the five sections ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Run:
    """The run: which data, how long, which seed.

    Also what a run does besides training: restarts, evaluations, logging."""
    data: str = setting("ring8", f"a dataset ({', '.join(DATASETS)}) or PATH, a table of your own (.npy, .npz, "
                                 ".csv, .txt)", dataset)
    steps: int = setting(5000, "training iterations in total", positive_int)
    seed: int = setting(0, "the one seed every random number of the run derives from", non_negative_int)
    restarts: int = setting(0, "train again, at most this many times, when the finished run fails its MMD "
                               "two-sample check (scratchgan/game/run.py)", non_negative_int)
    attempt: int = setting(0, "which attempt of this seed: 0 the seed's own run, a > 0 its a-th restart",
                           non_negative_int)
    dtype: str = setting("float32", "float32 (fast) or float64", one_of(DTYPES))
    log_every: int = setting(25, "Trainer.train's callback runs every this many iterations", positive_int)
    eval_every: int = setting(0, "Trainer.train evaluates every this many iterations; 0: never", non_negative_int)
    eval_samples: int = setting(2000, "generated samples an evaluation draws", positive_int)


# The settings the pieces (scratchgan/fixes/pieces.py) do not combine with, each with the test of "switched on":
# D's piece frame has no double backprop (penalty) nor packed or feature view, G's piece placement is not the
# DCGAN generator nor the moment-fitted one, and the code's classes are the pieces' (no labels, no learned prior).
PIECES_CLASH = {
    "conditional": bool,
    "learned_prior": bool,
    "pack": lambda v: v > 1,
    "penalty": lambda v: v != "none",
    "feature_matching": bool,
    "g_init": lambda v: v == "moments",
    "g_batchnorm": bool,
}


@dataclasses.dataclass
class Model:
    """The two networks and G's latent.

    G maps z in R^(z_dim [+ C]) through the widths g_hidden to the data, D maps the data through d_hidden to one
    logit. A network's depth is the number of its hidden widths (--g-hidden 64,64,64: three hidden layers)."""
    z_dim: int = setting(16, "size q of G's continuous input eps", positive_int)
    noise: str = setting("normal", "p(eps): N(0, I) or U(-1, 1)^q", one_of(NOISE_KINDS))
    latent_classes: int = setting(0, "C > 0: z also carries a code of C classes, 3 e_c, so p(z) has C separate pieces "
                                     "(scratchgan/data/latent.py); 0: no code", non_negative_int)
    learned_prior: bool = setting(False, "the code's class probabilities are learned and empty classes pruned, "
                                         "instead of uniform (DMWGAN; scratchgan/fixes/learned_prior.py); needs "
                                         "latent_classes > 0", boolean)
    pieces: bool = setting(False, "find the data's separate pieces (the components of a graph joining near "
                                  "points), give each a class of the code, drawn with its share, and a frame of its "
                                  "own for G and D (scratchgan/fixes/pieces.py); latent_classes is then set to "
                                  "their number",
                           boolean)
    g_hidden: tuple = setting((128, 128), "G's hidden widths, comma-separated (their count is G's depth)", widths)
    d_hidden: tuple = setting((128, 128), "D's hidden widths, comma-separated (their count is D's depth)", widths)
    g_activation: str = setting("relu", "G's activation", one_of(nn.ACTIVATIONS))
    d_activation: str = setting("leaky_relu", "D's activation", one_of(nn.ACTIVATIONS))
    g_first_bias: str = setting("uniform", "G's first-layer biases: U(-1, 1) or 0 (networks.build_generator)",
                                one_of(("uniform", "zero")))
    g_init: str = setting("random", "moments: first fit G to the affine map with the data's mean and covariance "
                                    "(scratchgan/fixes/warmstart.py)", one_of(("random", "moments")))
    g_batchnorm: bool = setting(False, "G is Linear-BatchNorm-ReLU blocks (DCGAN) instead of a plain MLP", boolean)


@dataclasses.dataclass
class Game:
    """The game and Algorithm 1's loop.

    Each iteration: k D-steps, each on m real and m generated samples, then one G-step on m generated samples."""
    loss: str = setting("nonsaturating", "the objective (scratchgan/engine/losses.py); also wgan, ls; wgan-gp means "
                                         "--preset wgan-gp", one_of(losses.LOSSES))
    k: int = setting(1, "k D-steps, each on fresh minibatches, then one G-step (Algorithm 1)", positive_int)
    batch: int = setting(256, "minibatch size m: m real and m generated samples per D-step, m per G-step", positive_int)
    optimizer: str = setting("adam", "both networks' optimizer: adam m_hat / (sqrt(v_hat) + eps), rmsprop "
                                     "g / (sqrt(v) + eps), sgd g", one_of(optim.OPTIMIZERS))
    lr_d: float = setting(1e-3, "D's learning rate: phi <- phi - lr_d (the optimizer's step)", positive_number)
    lr_g: float = setting(1e-3, "G's learning rate: theta <- theta - lr_g (the optimizer's step)", positive_number)
    beta1: float = setting(0.5, "Adam's m <- beta1 m + (1 - beta1) g", interval(False, True))
    beta2: float = setting(0.999, "Adam's v <- beta2 v + (1 - beta2) g^2", interval(False, True))
    lr_decay_start: float = setting(1.0, "fraction of the steps after which both rates fall linearly ...",
                                    interval(False, False))
    lr_final: float = setting(1.0, "... to this fraction of their value at the last step (1: constant)",
                              interval(True, False))


@dataclasses.dataclass
class Fixes:
    """The fixes, each off at its default.

    docs/fixes.md explains them; scratchgan/fixes/ plugs each into the Trainer as a piece of its own."""
    instance_noise: float = setting(0.0, "sigma_0: N(0, sigma_t^2) noise on D's inputs, real and fake, annealed "
                                         "linearly to 0 ...", non_negative_number)
    instance_noise_until: float = setting(1.0, "... reaching 0 after this fraction of the steps",
                                          interval(True, False))
    label_smoothing: float = setting(0.0, "alpha: real label 1 - alpha in D's cross-entropy, so "
                                          "D* = (1 - alpha) pi / (pi + p_g)",
                                     interval(False, True))
    pack: int = setting(1, "PacGAN: D judges packs of this many samples; it must divide the batch", positive_int)
    penalty: str = setting("none", "gp: lambda E (||grad D(x_hat)|| - 1)^2 on interpolates (WGAN-GP); r1: "
                                   "gamma / 2 E ||grad D(x_real)||^2", one_of(("none",) + tuple(penalties.PENALTIES)))
    penalty_weight: float = setting(10.0, "lambda of gp, gamma of r1", non_negative_number)
    clip: float = setting(0.0, "c > 0: clip D's weights to [-c, c] after every D-step (WGAN); 0: off",
                          non_negative_number)
    hist_avg: float = setting(0.0, "w: adds w ||theta - mean of past theta||^2 to both players' losses",
                              non_negative_number)
    feature_matching: bool = setting(False, "G minimises ||E d(x) - E d(G(z))||^2, d = D's last hidden layer",
                                     boolean)
    mmd: float = setting(0.0, "w: adds w MMD^2(G(z), x_real) to G's loss, Gaussian kernels (scratchgan/fixes/mmd.py)",
                         non_negative_number)
    local_mmd: float = setting(0.0, "w: adds w MMD^2(G(z), x_real) with one Gaussian kernel as wide as the data's "
                                    "20-NN distance, so each mode keeps the data's width", non_negative_number)
    ema: float = setting(0.0, "beta: sample from an exponential moving average of G's weights; 0: off",
                         interval(False, True))
    conditional: bool = setting(False, "G(z, y) and D(x, y) on labelled data, y one-hot (Mirza & Osindero 2014)",
                                boolean)


@dataclasses.dataclass
class Sampling:
    """The filters of sampling, each off at 0.

    sample() applies them to G's draws after training (scratchgan/game/sampling.py)."""
    truncation: float = setting(0.0, "reject this fraction of draws, those with the largest ||dG/deps||, eps being "
                                     "z without its class code (Tanielian et al. 2020)", interval(False, True))
    rejection: float = setting(0.0, "sigma > 0: end with discriminator rejection sampling, its fresh D fitted on "
                                    "inputs blurred by N(0, sigma^2) (Azadi et al. 2019)", non_negative_number)


SECTIONS = {"run": Run, "model": Model, "game": Game, "fixes": Fixes, "sampling": Sampling}
SECTION_OF = {f.name: section for section, cls in SECTIONS.items() for f in dataclasses.fields(cls)}


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run, by concern: config.run, .model, .game, .fixes and .sampling.

    Build one from flat names with TrainConfig.of(data="ring8", k=2) (or from_dict, which also reads the nested
    JSON of a checkpoint); change settings with replace(k=3); check them all with validate()."""
    run: Run = dataclasses.field(default_factory=Run)
    model: Model = dataclasses.field(default_factory=Model)
    game: Game = dataclasses.field(default_factory=Game)
    fixes: Fixes = dataclasses.field(default_factory=Fixes)
    sampling: Sampling = dataclasses.field(default_factory=Sampling)

    @classmethod
    def of(cls, **settings):
        """A TrainConfig from flat names (z_dim=2, k=5, ...); the others keep their defaults."""
        return cls.from_dict(settings)

    @classmethod
    def from_dict(cls, d):
        """A TrainConfig from flat names, from the nested dict of to_dict, or from both mixed (a checkpoint of
        0.1.0 stores the flat one). An unknown name raises a UsageError naming it."""
        flat = {}
        for key, value in d.items():
            if key in SECTIONS and isinstance(value, dict):
                flat.update(value)
            else:
                flat[key] = value
        unknown = sorted(set(flat) - set(SECTION_OF))
        if unknown:
            raise UsageError(f"unknown training option(s): {', '.join(unknown)}")
        parts = {section: {} for section in SECTIONS}
        for name, value in flat.items():
            if name in ("g_hidden", "d_hidden") and isinstance(value, list):
                value = tuple(value)                     # JSON has lists where the fields hold tuples
            parts[SECTION_OF[name]][name] = value
        return cls(**{section: SECTIONS[section](**values) for section, values in parts.items()})

    def to_dict(self):
        """A JSON-ready nested dict {section: {name: value}} (tuples become lists)."""
        return {section: {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(part).items()}
                for section, part in self.sections()}

    def flat(self):
        """{name: value} of every setting, with the flat names."""
        return {f.name: getattr(part, f.name) for _, part in self.sections() for f in dataclasses.fields(part)}

    def get(self, name):
        """The value of the setting with flat name `name` (config.get("k") is config.game.k)."""
        return getattr(getattr(self, SECTION_OF[name]), name)

    def set(self, name, value):
        """Change the setting with flat name `name` in place (the lab changes k or a learning rate mid-run)."""
        setattr(getattr(self, SECTION_OF[name]), name, value)

    def replace(self, **settings):
        """A copy with the settings given by flat name changed."""
        return TrainConfig.from_dict(dict(self.flat(), **settings))

    def sections(self):
        """[(section name, its dataclass)] in the order of SECTIONS: run, model, game, fixes, sampling."""
        return [(section, getattr(self, section)) for section in SECTIONS]

    def validate(self):
        """Raise a one-line UsageError naming the first bad setting; return self.

        First every field's own check (section by section), then the rules that involve two settings."""
        for _, part in self.sections():
            for f in dataclasses.fields(part):
                f.metadata["check"](f.name, getattr(part, f.name))
        model, game, fixes, sampling = self.model, self.game, self.fixes, self.sampling
        if fixes.label_smoothing > 0 and game.loss not in ("minimax", "nonsaturating"):
            raise UsageError(f"label_smoothing needs a cross-entropy loss (minimax, nonsaturating), not {game.loss!r}")
        if game.batch % fixes.pack:
            raise UsageError(f"batch {game.batch} must be divisible by pack {fixes.pack}")
        for name, on in (("g_batchnorm", model.g_batchnorm), ("mmd", fixes.mmd > 0),
                         ("local_mmd", fixes.local_mmd > 0)):
            if on and game.batch < 2:
                raise UsageError(f"{name} needs a batch of at least 2 (it uses the batch's statistics), "
                                 f"got batch {game.batch}")
        if fixes.feature_matching and fixes.pack > 1:
            raise UsageError("feature_matching and pack > 1 do not combine (D's features are per pack)")
        if model.learned_prior and not model.latent_classes:
            raise UsageError("learned_prior needs a latent code to learn the prior of: set latent_classes > 0 "
                             "(e.g. --latent-classes 32)")
        if model.pieces:
            clash = [name for name, on in PIECES_CLASH.items() if on(self.get(name))]
            if clash:
                raise UsageError(f"pieces does not combine with {', '.join(clash)}: turn "
                                 f"{'it' if len(clash) == 1 else 'them'} off, or pieces (--no-pieces)")
        if fixes.conditional:
            clash = [name for name, on in (("latent_classes", model.latent_classes > 0),
                                           ("pack", fixes.pack > 1), ("penalty", fixes.penalty != "none"),
                                           ("feature_matching", fixes.feature_matching), ("mmd", fixes.mmd > 0),
                                           ("local_mmd", fixes.local_mmd > 0),
                                           ("truncation", sampling.truncation > 0),
                                           ("rejection", sampling.rejection > 0),
                                           ("g_init moments", model.g_init == "moments"),
                                           ("g_batchnorm", model.g_batchnorm)) if on]
            if clash:
                raise UsageError(f"conditional does not combine with {', '.join(clash)}: turn "
                                 f"{'it' if len(clash) == 1 else 'them'} off "
                                 f"(e.g. --latent-classes 0 --pack 1 --truncation 0)")
        return self
