"""The minimax game as a loop: Algorithm 1 of Goodfellow et al. 2014, k D-steps then one G-step.

Trainer        owns G, D, their optimizers and the random streams; train_step is one iteration of
               Algorithm 1, with the switches of the fixes (instance noise, penalties, packing, ...)
TrainingDiverged   raised when a loss, a gradient or a parameter stops being finite
"""

import math

import numpy as np

from . import conditional, losses, metrics, mmd, nn, optim, penalties, sampling, tricks, warmstart
from .config import DTYPES
from .data import get_dataset
from .errors import UsageError
from .latent import sample_latent
from .gan_backward import discriminator_backward, generator_backward
from .networks import build_discriminator, build_generator, data_scale


def make_optimizer(config, params, lr):
    """config.optimizer over params: Adam(betas=(beta1, beta2)), RMSprop (alpha 0.99) or plain SGD."""
    if config.optimizer == "adam":
        return optim.Adam(params, lr=lr, betas=(config.beta1, config.beta2))
    return optim.OPTIMIZERS[config.optimizer](params, lr=lr)


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
        if config.conditional and self.data.n_classes is None:
            raise UsageError(f"conditional needs labelled data (digits, or a mixture such as ring8 or grid25); "
                             f"{self.data.name} has no labels")
        smoothing = {"real_label": 1.0 - config.label_smoothing} if config.label_smoothing else {}
        self.objective = objective if objective is not None else losses.get_loss(config.loss, **smoothing)
        self.G = G if G is not None else build_generator(config, self.data, self.rng)
        if G is None and config.g_init == "moments":
            warmstart.warm_start(self.G, self.data, config.z_dim, config.noise, self.rng, data_scale(self.data)[1],
                                 batch=config.batch, dtype=self.dtype, classes=config.latent_classes)
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
        """z: (n, z_dim + latent_classes) draws from p(z) (scratchgan.latent), from the training stream unless
        another Generator is given."""
        cfg = self.config
        return sample_latent(n, cfg.z_dim, self.rng if rng is None else rng, cfg.noise, cfg.latent_classes,
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

    def train_step(self, observe=None):
        """One iteration: k D-steps, then one G-step. Returns its history record (a dict of floats).

        observe: None, or a function observe(stage, **arrays) called at each stage of the iteration, in order
        (scratchgan.slowmo prints them): "samples" (z, x_real, x_fake of a D-step), "d_backward" (loss_d,
        real_logits, fake_logits, sigma: D's .grad now holds dL_D/dphi), "d_update" (after D's optimizer
        step), then "g_backward" (z, loss_g: G's .grad holds dL_G/dtheta) and "g_update". It only looks: the
        iteration is the same with or without it."""
        cfg = self.config
        factor = self.lr_factor(self.step)
        self.opt_d.lr = cfg.lr_d * factor
        self.opt_g.lr = cfg.lr_g * factor

        sigma = (tricks.annealed(cfg.instance_noise, self.step, cfg.instance_noise_until * cfg.steps)
                 if cfg.instance_noise else 0.0)
        for _ in range(cfg.k):
            if cfg.conditional:     # D(x, y) sees each real x with its own label, each G(z, y) with the y it was made for
                x_real, y_real = self.data.sample_labelled(cfg.batch, self.rng, dtype=self.dtype)
                y_fake = conditional.draw_labels(cfg.batch, self.data.n_classes, self.rng)
                conditional.set_labels(self.G, y_fake)
                conditional.set_labels(self.D, np.concatenate([y_real, y_fake]))     # the stacked batch's labels
            else:
                x_real = self.real(cfg.batch)
            z = self.noise(cfg.batch)
            x_fake = self.G.forward(z)                       # G(z) as a constant: G's backward is not run
            if observe is not None:
                observe("samples", z=z, x_real=x_real, x_fake=x_fake)
            self.opt_d.zero_grad()
            loss_d, real_logits, fake_logits = self.discriminator_step_backward(x_real, x_fake, sigma)
            if observe is not None:
                observe("d_backward", loss_d=loss_d, real_logits=real_logits, fake_logits=fake_logits, sigma=sigma)
            norm_d = grad_norm(self.opt_d.params)
            if not (math.isfinite(loss_d) and math.isfinite(norm_d)):
                raise TrainingDiverged(f"training diverged at step {self.step + 1}: discriminator loss "
                                       f"{loss_d}, gradient norm {norm_d}")
            self.opt_d.step()
            if cfg.clip:
                tricks.clip_weights(self.D.parameters(), cfg.clip)   # WGAN: after every critic step
            if self.hist_d is not None:
                self.hist_d.update()
            if observe is not None:
                observe("d_update")

        self.opt_g.zero_grad()
        z = self.noise(cfg.batch)
        if cfg.conditional:
            y = conditional.draw_labels(cfg.batch, self.data.n_classes, self.rng)
            conditional.set_labels(self.G, y)
            conditional.set_labels(self.D, y)
        loss_g = self.generator_step_backward(z, sigma)
        if observe is not None:
            observe("g_backward", z=z, loss_g=loss_g)
        norm_g = grad_norm(self.opt_g.params)
        if not (math.isfinite(loss_g) and math.isfinite(norm_g)):
            raise TrainingDiverged(f"training diverged at step {self.step + 1}: generator loss {loss_g}, "
                                   f"gradient norm {norm_g}")
        self.opt_g.step()
        if self.hist_g is not None:
            self.hist_g.update()
        if observe is not None:
            observe("g_update")
        if self.ema is not None:
            self.ema.update(self.step)      # decay capped at (1 + step) / (10 + step) early on
        if cfg.conditional:                 # outside training, the networks see the classes in turn unless told
            conditional.set_labels(self.G, None)
            conditional.set_labels(self.D, None)

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

    def sample(self, n, rng=None, *, rejection=True, label=None):
        """(n, dim) samples of the finished (or current) generator: EMA weights, truncation and rejection as
        configured; z from .sample_rng unless rng is given; label=k (conditional runs): all of class k.
        See scratchgan.sampling.sample."""
        return sampling.sample(self, n, rng, rejection=rejection, label=label)

    def ratio_discriminator(self):
        """The D of rejection sampling, fitted to the sampler of the current step (sampling.ratio_discriminator)."""
        return sampling.ratio_discriminator(self)

    def two_sample_check(self):
        """Did training work? The MMD two-sample test of the finished sampler (sampling.two_sample_check)."""
        return sampling.two_sample_check(self)

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
