"""The lab's settings: each option of a run the page offers, its one-line formula, and whether it can change mid-run.

SETTINGS lists them in the page's order, in four groups (the game, the networks, the fixes, sampling). Each is a
TrainConfig field, by its flat name, so that `default_config(data, **{name: value})` builds the run:

    name      the field (lr_d, k, loss, ...)
    kind      "choice", "int", "float", "bool" or "widths" (hidden layer widths, typed as 128,128)
    live      True when the running Trainer reads the field afresh at every iteration (Trainer.train_step reads
              config.k, set_learning_rates reads config.lr_d and lr_g, sampling reads truncation and rejection),
              so it can change mid-run; False when it is built into the run (the loss object, the networks,
              the optimizers, the fixes' list): changing it needs a reset, and the page says so
    formula   one line: what the setting does, as docs/fixes.md writes it

parse_settings turns the page's strings into field values, with a one-line UsageError for what is not a value.
"""

from .library import ACTIVATIONS, LOSSES, OPTIMIZERS, PENALTIES, UsageError


def setting(name, kind, formula, *, live=False, choices=None, group="the game"):
    """One row of SETTINGS as a dict (JSON-ready for the page)."""
    return {"name": name, "kind": kind, "formula": formula, "live": live, "choices": choices, "group": group}


GAME, NETS, FIXES, SAMPLING = "the game", "the networks", "the fixes", "sampling the result"

SETTINGS = [
    setting("loss", "choice", "L_D and L_G on D's logit l: minimax, non-saturating -log D(G(z)), Wasserstein "
            "critic, hinge, least squares", choices=list(LOSSES)),
    setting("k", "int", "k D-steps, each on fresh minibatches, then one G-step (Algorithm 1)", live=True),
    setting("lr_d", "float", "D's learning rate: phi <- phi - lr_d * (the optimizer's step)", live=True),
    setting("lr_g", "float", "G's learning rate: theta <- theta - lr_g * (the optimizer's step)", live=True),
    setting("optimizer", "choice", "adam: m_hat / (sqrt(v_hat) + eps); rmsprop: g / (sqrt(v) + eps); sgd: g",
            choices=list(OPTIMIZERS)),
    setting("beta1", "float", "Adam's m <- beta1 m + (1 - beta1) g"),
    setting("beta2", "float", "Adam's v <- beta2 v + (1 - beta2) g^2"),
    setting("batch", "int", "m real and m generated samples per D-step, m generated per G-step"),
    setting("steps", "int", "the run's length: the learning-rate decay and the noise schedules are fractions of "
            "it", live=True),
    setting("seed", "int", "the one seed of the initial weights and of every minibatch"),
    setting("g_hidden", "widths", "G: z -> hidden widths -> x, an MLP", group=NETS),
    setting("d_hidden", "widths", "D: x -> hidden widths -> logit l, D(x) = sigmoid(l)", group=NETS),
    setting("g_activation", "choice", "G's nonlinearity between layers", choices=list(ACTIVATIONS), group=NETS),
    setting("d_activation", "choice", "D's nonlinearity between layers", choices=list(ACTIVATIONS), group=NETS),
    setting("z_dim", "int", "the latent: z in R^z_dim", group=NETS),
    setting("noise", "choice", "z ~ N(0, I) or U(-1, 1)^z_dim", choices=["normal", "uniform"], group=NETS),
    setting("latent_classes", "int", "z = (eps, 3 e_c), c uniform on 0..C-1: one piece of p(z) per mode "
            "(0: none)", group=NETS),
    setting("instance_noise", "float", "D sees x + sigma_t N(0, I), real and fake; sigma_t falls linearly "
            "from the value to 0", group=FIXES),
    setting("instance_noise_until", "float", "the fraction of the steps after which sigma_t is 0", group=FIXES),
    setting("penalty", "choice", "gp: + w E(||grad D(x_hat)|| - 1)^2 on interpolates; r1: + (w/2) E_pi "
            "||grad D(x)||^2", choices=["none"] + list(PENALTIES), group=FIXES),
    setting("penalty_weight", "float", "w of the penalty (lambda of gp, gamma of r1)", group=FIXES),
    setting("clip", "float", "after every D-step each weight of D is clipped to [-c, c] (WGAN; 0: off)",
            group=FIXES),
    setting("label_smoothing", "float", "real label 1 - a in D's cross-entropy: D* = (1 - a) pi / (pi + p_g)",
            group=FIXES),
    setting("pack", "int", "PacGAN: D judges m samples side by side, (n, d) -> (n/m, m d)", group=FIXES),
    setting("feature_matching", "bool", "L_G = || E_pi d(x) - E d(G(z)) ||^2, d = D's last hidden layer",
            group=FIXES),
    setting("hist_avg", "float", "+ w ||theta - (1/t) sum_i theta_i||^2 on both players (0: off)", group=FIXES),
    setting("mmd", "float", "+ w MMD^2(G(z), x) on G's loss, Gaussian kernels (0: off)", group=FIXES),
    setting("g_batchnorm", "bool", "G of Linear-BatchNorm-ReLU blocks (DCGAN)", group=FIXES),
    setting("g_init", "choice", "moments: G first fitted to x = mu + L z / s_z, L L^T the data's covariance",
            choices=["random", "moments"], group=FIXES),
    setting("ema", "float", "sample from theta_ema <- beta theta_ema + (1 - beta) theta (0: G itself)",
            group=SAMPLING),
    setting("truncation", "float", "sampling drops the fraction q of z with the largest ||dG/deps|| (0: off)",
            live=True, group=SAMPLING),
    setting("rejection", "float", "sampling keeps x with probability min(1, exp(l(x) - log M)), a fresh D's "
            "logit (0: off)", live=True, group=SAMPLING),
]

BY_NAME = {s["name"]: s for s in SETTINGS}


def parse_value(spec, text):
    """The field value of one setting from the page's text (or JSON value); a UsageError naming it if not."""
    name, kind = spec["name"], spec["kind"]
    if kind == "bool":
        if isinstance(text, bool):
            return text
        if str(text).lower() in ("true", "1", "on", "yes"):
            return True
        if str(text).lower() in ("false", "0", "off", "no", ""):
            return False
        raise UsageError(f"{name} must be on or off, got {text!r}")
    if kind == "choice":
        if str(text) not in spec["choices"]:
            raise UsageError(f"unknown {name} {text!r}; choose one of: {', '.join(spec['choices'])}")
        return str(text)
    if kind == "widths":
        parts = text if isinstance(text, (list, tuple)) else str(text).replace(" ", ",").split(",")
        try:
            widths = tuple(int(p) for p in parts if str(p).strip() != "")
        except ValueError:
            raise UsageError(f"{name} must be layer widths such as 128,128, got {text!r}") from None
        if not widths:
            raise UsageError(f"{name} must hold at least one layer width, such as 128,128")
        return widths
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a number, got {text!r}") from None
    if kind == "int":
        if number != int(number):
            raise UsageError(f"{name} must be a whole number, got {text!r}")
        return int(number)
    return number


def parse_settings(settings):
    """{name: value} for the page's {name: text}; an unknown name or a bad value is a one-line UsageError."""
    if not isinstance(settings, dict):
        raise UsageError("settings must be an object {name: value}")
    values = {}
    for name, text in settings.items():
        if name not in BY_NAME:
            raise UsageError(f"unknown setting {name!r}")
        values[name] = parse_value(BY_NAME[name], text)
    return values


def shown_values(config):
    """{name: value} of every setting, as the page's form shows them, from a TrainConfig."""
    values = {}
    for spec in SETTINGS:
        value = getattr(config, spec["name"])
        values[spec["name"]] = ",".join(map(str, value)) if spec["kind"] == "widths" else value
    return values
