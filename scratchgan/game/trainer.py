"""The minimax game as a loop: Algorithm 1 of Goodfellow et al. 2014, k D-steps then one G-step.

Trainer        owns G, D, their optimizers and the random streams; train_step is one iteration of
               Algorithm 1, line by line as demos/minimal_gan.py writes it, and the fixes a run switches
               on (instance noise, penalties, packing, ...) plug in at named points (scratchgan.fixes)
TrainingDiverged   raised when a loss, a gradient or a parameter stops being finite
"""

import math

import numpy as np

from .. import fixes as loop_fixes
from ..data import data_scale, get_dataset
from ..data.latent import sample_latent
from ..data.pieces import pieces_of_data
from ..engine import losses, nn, optim
from ..engine.errors import UsageError
from ..engine.gan_backward import discriminator_backward, generator_backward
from ..fixes import ema, warmstart
from ..fixes.learned_prior import LearnedPrior
from ..measure import metrics
from . import sampling
from .config import DTYPES
from .networks import build_discriminator, build_generator


def make_optimizer(config, params, lr):
    """config.game.optimizer over params: Adam(betas=(beta1, beta2)), RMSprop (alpha 0.99) or plain SGD."""
    if config.game.optimizer == "adam":
        return optim.Adam(params, lr=lr, betas=(config.game.beta1, config.game.beta2))
    return optim.OPTIMIZERS[config.game.optimizer](params, lr=lr)


def grad_norm(params):
    """The global gradient norm sqrt(sum_p |dL/dp|^2) over a list of Parameters."""
    return math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))


class TrainingDiverged(RuntimeError):
    """A loss or a gradient became NaN or infinite; the message names the iteration."""


HISTORY_KEYS = ("step", "loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g", "lr_factor")


def unobserved(stage, **arrays):
    """The observer of an iteration nobody watches."""


def with_pieces(config, data):
    """(config, pieces) for a run with config.model.pieces: the data's Pieces (scratchgan.data.pieces) when there
    are at least 2, else None (one piece: the plain networks), and the config with latent_classes set to their
    number K (0 for one piece), so the code gets one class per piece. A config that already holds a number (a
    resumed run's) must hold this K."""
    pieces = pieces_of_data(data)
    found = pieces.K if pieces.K > 1 else 0
    classes = config.model.latent_classes
    if classes not in (0, found):
        raise UsageError(f"pieces found {found} pieces in {data.name}, but latent_classes is {classes}: "
                         f"leave latent_classes at 0, pieces sets it")
    return config.replace(latent_classes=found), (pieces if found else None)


class Trainer:
    """The minimax game of Goodfellow et al. 2014, Algorithm 1, with minibatch stochastic gradients.

    Each training iteration (`train_step`):
        for k steps:                                      (the discriminator ascends V)
            x_1..x_m ~ pi,  z_1..z_m ~ p(z)               fresh minibatches every D-step
            phi <- Adam step on  L_D = -[(1/m) sum log D(x_i) + (1/m) sum log(1 - D(G(z_i)))]
        z_1..z_m ~ p(z)                                   (the generator descends its loss, e.g.)
        theta <- Adam step on  L_G = -(1/m) sum log D(G(z_i))     (non-saturating)
    with L_D and L_G given by `objective` (scratchgan.engine.losses). G's gradient flows *through* D into theta,
    but D's parameters are not touched (generator_backward freezes them).

    Randomness. The one seed config.run.seed is split with np.random.SeedSequence(seed).spawn(2) (for a
    restart, config.run.attempt = a > 0: SeedSequence([seed, a]).spawn(2)) into
      .rng         draws the networks' initial weights, then every minibatch of training, in order;
      .sample_rng  draws the noise of sample() and evaluate() only,
    so sampling or evaluating never changes the training stream: the same seed gives bit-identical runs,
    whatever is sampled on the way, and both streams' states go into a checkpoint, so N iterations, save,
    load and N more give exactly the run of 2N iterations.

    Attributes: G, D (Modules), data (a Dataset), objective, config (TrainConfig), opt_g, opt_d (Adam),
    G_ema (a copy of G holding the moving average, or None), prior (the LearnedPrior over the latent code's
    classes, scratchgan.fixes.learned_prior, or None: uniform), history (dict name -> list: the HISTORY_KEYS
    get one entry per iteration; keys starting with eval_ one per evaluation), step (iterations done).
    Any Modules may serve as G and D: pass them in, otherwise MLPs are built from the config.
    """

    def __init__(self, config, *, G=None, D=None, data=None, objective=None, fixes=()):
        self.config = config.validate()
        self.dtype = DTYPES[config.run.dtype]
        entropy = config.run.seed if config.run.attempt == 0 else [config.run.seed, config.run.attempt]
        train_seed, sample_seed = np.random.SeedSequence(entropy).spawn(2)
        self.rng = np.random.default_rng(train_seed)
        self.sample_rng = np.random.default_rng(sample_seed)
        self.data = data if data is not None else get_dataset(config.run.data)
        self.pieces = None
        if config.model.pieces:                  # the classes of the code: one per piece of the data
            config, self.pieces = with_pieces(config, self.data)
            self.config = config
        if config.fixes.conditional and self.data.n_classes is None:
            raise UsageError(f"conditional needs labelled data (digits, or a mixture such as ring8 or grid25); "
                             f"{self.data.name} has no labels")
        smoothing = {"real_label": 1.0 - config.fixes.label_smoothing} if config.fixes.label_smoothing else {}
        self.objective = objective if objective is not None else losses.get_loss(config.game.loss, **smoothing)
        self.G = G if G is not None else build_generator(config, self.data, self.rng, self.pieces)
        if G is None and config.model.g_init == "moments":
            warmstart.warm_start(self.G, self.data, config.model.z_dim, config.model.noise, self.rng,
                                 data_scale(self.data)[1], batch=config.game.batch, dtype=self.dtype,
                                 classes=config.model.latent_classes)
        self.D = D if D is not None else build_discriminator(config, self.data, self.rng, self.pieces)
        self.prior = (LearnedPrior(config.model.latent_classes, self.data, self.rng, self.dtype)
                      if config.model.learned_prior else None)        # r over the code's classes, or uniform
        self.opt_g = make_optimizer(config, self.G.parameters(), config.game.lr_g)
        self.opt_d = make_optimizer(config, self.D.parameters(), config.game.lr_d)
        self.ema = ema.MovingAverage(self.G, config.fixes.ema) if config.fixes.ema > 0 else None
        self.G_ema = self.ema.module if self.ema is not None else None
        self._ratio = None        # (step, D) of rejection sampling, see ratio_discriminator
        self.sigma = 0.0          # instance noise's sigma at this iteration (0: none)
        self.fixes = loop_fixes.Fixes(loop_fixes.from_config(self) + list(fixes))   # the config's, then yours
        self.step = 0
        self.history = {key: [] for key in HISTORY_KEYS}
        for key in self.eval_keys():
            self.history[key] = []

    # -- randomness ---------------------------------------------------------------------------------------

    def noise(self, n, rng=None):
        """z: (n, z_dim + latent_classes) draws from p(z) (scratchgan.data.latent), from the training stream
        unless another Generator is given; the code's classes from the learned prior's r if there is one."""
        model = self.config.model
        return sample_latent(n, model.z_dim, self.rng if rng is None else rng, model.noise, model.latent_classes,
                             dtype=self.dtype, probs=self.class_probs())

    def class_probs(self):
        """The code's class probabilities: the learned prior's r, the pieces' shares w, or None (uniform)."""
        if self.prior is not None:
            return self.prior.probs()
        return None if self.pieces is None else self.pieces.weights

    def real(self, n):
        """x: (n, dim) draws from the data distribution pi, from the training stream."""
        return self.data.sample(n, self.rng, dtype=self.dtype)

    # -- one iteration ------------------------------------------------------------------------------------

    def lr_factor(self, step):
        """Multiplier of both learning rates at iteration `step` (0-based): 1 until lr_decay_start * steps,
        then falling linearly to lr_final at the last iteration (steps - 1) and staying there."""
        cfg = self.config
        start = cfg.game.lr_decay_start * cfg.run.steps
        if cfg.game.lr_final == 1.0 or step < start:
            return 1.0
        frac = min(1.0, (step - start) / max(cfg.run.steps - 1 - start, 1.0))
        return 1.0 + frac * (cfg.game.lr_final - 1.0)

    def train_step(self, observe=unobserved):
        """One iteration of Algorithm 1: k D-steps, then one G-step. Returns its history record (floats).

        The fixes of the run (self.fixes, scratchgan.fixes) act at their named points. observe(stage, **arrays)
        is called between the stages, in order (scratchgan.game.step_trace prints them): "samples" (z, x_real,
        x_fake of a D-step), "d_backward" (loss_d, real_logits, fake_logits, sigma: D's .grad holds dL_D/dphi),
        "d_update", then "g_backward" (z, loss_g: G's .grad holds dL_G/dtheta) and "g_update". It only looks:
        the iteration is the same with or without it."""
        m, fixes = self.config.game.batch, self.fixes
        lr_factor = self.set_learning_rates()                # constant, then a linear decay (lr_factor)
        fixes.begin_iteration(self)                          # e.g. instance noise's sigma for this iteration
        for _ in range(self.config.game.k):                  # "for k steps do"
            x_real = fixes.real_batch(self, m)               # "sample m examples x ~ pi"
            z = self.noise(m)                                # "sample m noise samples z ~ p(z)"
            x_fake = self.G.forward(z)                       # G(z), a constant for D's step
            observe("samples", z=z, x_real=x_real, x_fake=x_fake)
            self.opt_d.zero_grad()
            L_D, real_logits, fake_logits = self.discriminator_step_backward(x_real, x_fake)   # into D's .grad
            observe("d_backward", loss_d=L_D, real_logits=real_logits, fake_logits=fake_logits, sigma=self.sigma)
            norm_d = self.finite_gradient("discriminator", L_D, self.opt_d.params)
            self.opt_d.step()                                # "update D by ascending its stochastic gradient"
            fixes.after_d_update(self)                       # e.g. weight clipping
            observe("d_update")

        z = self.noise(m)                                    # "sample m noise samples z ~ p(z)"
        fixes.before_g_step(self)                            # e.g. the labels y of G(z, y)
        self.opt_g.zero_grad()
        L_G = self.generator_step_backward(z)                # dL_G/dtheta, through a frozen D, into G's .grad
        observe("g_backward", z=z, loss_g=L_G)
        norm_g = self.finite_gradient("generator", L_G, self.opt_g.params)
        self.opt_g.step()                                    # "update G by descending its stochastic gradient"
        fixes.after_g_update(self)                           # e.g. historical averaging's running mean
        observe("g_update")
        fixes.end_iteration(self)                            # e.g. the EMA of G's weights
        self.step += 1
        return self.record(L_D, L_G, real_logits, fake_logits, norm_d, norm_g, lr_factor)

    def set_learning_rates(self):
        """Both optimizers' learning rates for this iteration: config.game.lr_d and lr_g times lr_factor(step)."""
        factor = self.lr_factor(self.step)
        self.opt_d.lr = self.config.game.lr_d * factor
        self.opt_g.lr = self.config.game.lr_g * factor
        return factor

    def finite_gradient(self, player, loss, params):
        """The global gradient norm of a player's step; raises TrainingDiverged if it or the loss is not finite."""
        norm = grad_norm(params)
        if not (math.isfinite(loss) and math.isfinite(norm)):
            raise TrainingDiverged(f"training diverged at step {self.step + 1}: {player} loss {loss}, "
                                   f"gradient norm {norm}")
        return norm

    def record(self, loss_d, loss_g, real_logits, fake_logits, norm_d, norm_g, lr_factor):
        """Append the iteration's numbers to self.history and return them as a dict of floats."""
        record = {
            "step": self.step,
            "loss_d": loss_d,
            "loss_g": loss_g,
            # mean D(x) and D(G(z)) as probabilities, on the last D-step's batches (before its update)
            "d_real": float(nn.sigmoid(real_logits).mean()),
            "d_fake": float(nn.sigmoid(fake_logits).mean()),
            "grad_norm_d": norm_d,
            "grad_norm_g": norm_g,
            "lr_factor": lr_factor,
        }
        for key, value in record.items():
            self.history[key].append(value)
        return record

    def discriminator_step_backward(self, x_real, x_fake):
        """D's gradient for one D-step into D's .grad; returns (L_D, real_logits, fake_logits), L_D being the
        objective's loss alone (the fixes' extra terms add their gradients but not their values).

        L_D = objective.d_loss(D(x_real), D(x_fake)), after the fixes' d_inputs (instance noise on both
        batches, packing) and before their d_terms (gradient penalty or R1, historical averaging)."""
        D, x_real, x_fake = self.fixes.d_inputs(self, self.D, x_real, x_fake)
        out = discriminator_backward(D, self.objective, x_real, x_fake)
        self.fixes.d_terms(self, D, x_real, x_fake)
        return out

    def generator_step_backward(self, z):
        """G's gradient for the G-step into G's .grad, through D (D's parameters untouched); returns L_G.

        L_G = objective.g_loss(D(G(z))), with G's samples as the fixes' g_generator makes them (instance
        noise: G(z) + sigma N(0, I)), unless a fix replaces the loss (feature matching); then the fixes'
        g_terms (the MMD term, historical averaging) add theirs."""
        G = self.fixes.g_generator(self, self.G)
        loss = self.fixes.g_loss_backward(self, G, z)
        if loss is None:
            loss, _ = generator_backward(G, self.D, self.objective, z)
        return loss + self.fixes.g_terms(self, z)

    def check_finite(self):
        """Raise TrainingDiverged if any parameter of G or D is NaN or infinite."""
        for net_name, net in (("G", self.G), ("D", self.D)):
            for i, p in enumerate(net.parameters()):
                if not np.all(np.isfinite(p.data)):
                    raise TrainingDiverged(f"training diverged by step {self.step}: parameter {i} "
                                           f"({p.name}) of {net_name} is not finite")

    def train(self, n_steps, callback=None):
        """Run n_steps iterations; evaluate every config.run.eval_every and call callback(self) every
        config.run.log_every iterations (counted on self.step, so resumed runs keep the same rhythm)."""
        cfg = self.config
        for _ in range(int(n_steps)):
            self.train_step()
            if cfg.run.eval_every and self.step % cfg.run.eval_every == 0:
                self.evaluate()
            if callback is not None and self.step % cfg.run.log_every == 0:
                callback(self)
        return self

    # -- using the generator ------------------------------------------------------------------------------

    def sample(self, n, rng=None, *, rejection=True, label=None):
        """(n, dim) samples of the finished (or current) generator: EMA weights, truncation and rejection as
        configured; z from .sample_rng unless rng is given; label=k (conditional runs): all of class k.
        See scratchgan.game.sampling.sample."""
        return sampling.sample(self, n, rng, rejection=rejection, label=label)

    def ratio_discriminator(self):
        """The D of rejection sampling, fitted to the sampler of the current step (sampling.ratio_discriminator)
        and kept until G changes, that is until the next training step."""
        if self._ratio is None or self._ratio[0] != self.step:
            self._ratio = (self.step, sampling.ratio_discriminator(self))
        return self._ratio[1]

    def two_sample_check(self):
        """Did training work? The MMD two-sample test of the finished sampler (sampling.two_sample_check)."""
        return sampling.two_sample_check(self)

    def eval_keys(self):
        keys = ["eval_step", "eval_mmd"]
        if self.data.centers is not None:
            keys += ["eval_modes", "eval_high_quality", "eval_reverse_kl"]
        return keys

    def evaluate(self):
        """Measure the current generator on config.run.eval_samples samples (drawn from .sample_rng) and append
        to history: eval_step, eval_mmd (the unbiased MMD^2 estimate, metrics.mmd_test, on 500 of them against
    500 data samples), and for mixtures
        of Gaussians eval_modes, eval_high_quality, eval_reverse_kl (metrics.mode_coverage). Returns them."""
        n = self.config.run.eval_samples
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
