"""The fixes as named pieces of the loop: each one plugs into Algorithm 1 at the points it changes.

Trainer.train_step is the plain algorithm. It calls the fixes of its run, in order, at these points:

    begin_iteration(trainer)                   before the k D-steps (a schedule, e.g. instance noise's sigma)
    real_batch(trainer, m) -> x or None        the real minibatch, if this fix draws it (conditional labels)
    d_inputs(trainer, D, x_real, x_fake)       -> (D, x_real, x_fake): what D's loss is computed on
    d_terms(trainer, D, x_real, x_fake)        extra terms of L_D, each adding its gradient to D's .grad
    after_d_update(trainer)                    after D's optimizer step (weight clipping)
    before_g_step(trainer)                     after z is drawn for the G-step (conditional labels)
    g_generator(trainer, G) -> G               what produces the samples D judges (instance noise on G(z))
    g_loss_backward(trainer, G, z)             L_G of a loss that replaces the objective's, or None
                                               (feature matching)
    g_terms(trainer, z) -> float               extra terms of L_G, each adding its gradient to G's .grad
    after_g_update(trainer)                    after G's optimizer step
    end_iteration(trainer)                     after the observer has seen G's update (EMA, labels reset)

Every hook of the base class Fix does nothing, so a fix writes only the hooks it needs. To add a fix of your
own, subclass Fix and pass it in: Trainer(config, fixes=[...]) adds it after the config's own
(docs/tutorial.md). The formulas and papers of each piece are in scratchgan.tricks, penalties, mmd and
conditional; this module only says where in the loop each one acts.

Fixes          the run's fixes in order, with one method per hook, which calls that hook of every fix
from_config    the list of pieces a TrainConfig switches on, in the order they act
"""

import numpy as np

from . import conditional, mmd, nn, penalties, tricks
from .networks import data_scale


class Fix:
    """A change to the plain loop. Override the hooks you need; the others leave the loop as it is."""

    name = "fix"

    def begin_iteration(self, trainer):
        pass

    def real_batch(self, trainer, m):
        return None

    def d_inputs(self, trainer, D, x_real, x_fake):
        return D, x_real, x_fake

    def d_terms(self, trainer, D, x_real, x_fake):
        pass

    def after_d_update(self, trainer):
        pass

    def before_g_step(self, trainer):
        pass

    def g_generator(self, trainer, G):
        return G

    def g_loss_backward(self, trainer, G, z):
        return None

    def g_terms(self, trainer, z):
        return 0.0

    def after_g_update(self, trainer):
        pass

    def end_iteration(self, trainer):
        pass

    def __repr__(self):
        return self.name


class InstanceNoise(Fix):
    """D sees x + sigma N(0, I), real and fake alike, sigma annealed from sigma0 to 0 (Sonderby et al. 2016)."""

    name = "instance_noise"

    def __init__(self, sigma0, until, rng):
        self.sigma0, self.until = sigma0, until
        self.layer = tricks.InstanceNoise(0.0, rng)       # G(z) + sigma N(0, I) as a layer, for G's step

    def begin_iteration(self, trainer):
        trainer.sigma = tricks.annealed(self.sigma0, trainer.step, self.until * trainer.config.run.steps)

    def d_inputs(self, trainer, D, x_real, x_fake):
        if not trainer.sigma:
            return D, x_real, x_fake
        return (D, tricks.add_instance_noise(x_real, trainer.sigma, trainer.rng),
                tricks.add_instance_noise(x_fake, trainer.sigma, trainer.rng))

    def g_generator(self, trainer, G):
        if not trainer.sigma:
            return G
        self.layer.sigma = trainer.sigma
        return nn.Sequential(G, self.layer)                # d(G(z) + noise)/dG(z) = I: dx passes through


class Packing(Fix):
    """PacGAN (Lin et al. 2018): D's inner network judges m samples side by side, on both batches."""

    name = "pack"

    def __init__(self, m):
        self.m = m

    def d_inputs(self, trainer, D, x_real, x_fake):
        # D is tricks.Packed(inner, m): its inner network judges the packed rows
        return D.inner, tricks.pack(x_real, self.m), tricks.pack(x_fake, self.m)


class GradientPenalty(Fix):
    """WGAN-GP: + w E (||grad_x D(x_hat)|| - 1)^2 at x_hat = eps x_real + (1 - eps) x_fake (Gulrajani et al.)."""

    name = "penalty gp"

    def __init__(self, weight):
        self.weight = weight

    def d_terms(self, trainer, D, x_real, x_fake):
        penalties.gradient_penalty(D, penalties.interpolates(x_real, x_fake, trainer.rng), self.weight)


class R1(Fix):
    """R1: + (w / 2) E ||grad_x D(x_real)||^2 on real data (Mescheder et al. 2018)."""

    name = "penalty r1"

    def __init__(self, weight):
        self.weight = weight

    def d_terms(self, trainer, D, x_real, x_fake):
        penalties.r1(D, x_real, self.weight)


class WeightClipping(Fix):
    """WGAN's crude Lipschitz constraint: D's weights clipped to [-c, c] after every D-step."""

    name = "clip"

    def __init__(self, c):
        self.c = c

    def after_d_update(self, trainer):
        tricks.clip_weights(trainer.D.parameters(), self.c)


class HistoricalAveraging(Fix):
    """+ w ||theta - mean of past theta||^2 on each player (Salimans et al. 2016), both gradients added."""

    name = "hist_avg"

    def __init__(self, D, G, weight):
        self.hist_d = tricks.HistoricalAverage(D.parameters(), weight)
        self.hist_g = tricks.HistoricalAverage(G.parameters(), weight)

    def d_terms(self, trainer, D, x_real, x_fake):
        self.hist_d.backward()

    def after_d_update(self, trainer):
        self.hist_d.update()

    def g_terms(self, trainer, z):
        self.hist_g.backward()
        return 0.0

    def after_g_update(self, trainer):
        self.hist_g.update()


class FeatureMatching(Fix):
    """G's loss becomes || E d(x_real) - E d(G(z)) ||^2 on D's last hidden layer (Salimans et al. 2016)."""

    name = "feature_matching"

    def g_loss_backward(self, trainer, G, z):
        x_real = tricks.add_instance_noise(trainer.real(trainer.config.game.batch), trainer.sigma, trainer.rng)
        return tricks.feature_matching_backward(G, trainer.D, x_real, z)


MMD_BANDWIDTHS = (0.25, 0.5, 1.0)   # the MMD term's kernel widths, in units of the data box's scale
MMD_BATCH = 128                     # its samples of G and of the data per step


class MMDTerm(Fix):
    """+ w MMD^2(G(z_1..m), m fresh data points) on G's clean samples (scratchgan.mmd), m = MMD_BATCH."""

    name = "mmd"

    def __init__(self, weight):
        self.weight = weight

    def g_terms(self, trainer, z):
        _, s = data_scale(trainer.data)
        m = min(MMD_BATCH, trainer.config.game.batch)
        return mmd.mmd_generator_backward(trainer.G, trainer.real(m), z[:m], MMD_BANDWIDTHS, self.weight, s)


class EMA(Fix):
    """G_ema <- decay G_ema + (1 - decay) G after every iteration: the weights sampling uses (tricks.EMA)."""

    name = "ema"

    def __init__(self, ema):
        self.ema = ema

    def end_iteration(self, trainer):
        self.ema.update(trainer.step)       # decay capped at (1 + step) / (10 + step) early on


class ConditionalLabels(Fix):
    """G(z, y) and D(x, y): each real x comes with its own label, each G(z, y) with the y it was made for."""

    name = "conditional"

    def real_batch(self, trainer, m):
        x_real, y_real = trainer.data.sample_labelled(m, trainer.rng, dtype=trainer.dtype)
        y_fake = conditional.draw_labels(m, trainer.data.n_classes, trainer.rng)
        conditional.set_labels(trainer.G, y_fake)
        conditional.set_labels(trainer.D, np.concatenate([y_real, y_fake]))    # the stacked batch's labels
        return x_real

    def before_g_step(self, trainer):
        y = conditional.draw_labels(trainer.config.game.batch, trainer.data.n_classes, trainer.rng)
        conditional.set_labels(trainer.G, y)
        conditional.set_labels(trainer.D, y)

    def end_iteration(self, trainer):
        conditional.set_labels(trainer.G, None)     # outside training, the networks see the classes in turn
        conditional.set_labels(trainer.D, None)


class Fixes:
    """The run's fixes, in order. Each method calls that hook of every fix, so the loop calls one line."""

    def __init__(self, fixes):
        self.fixes = list(fixes)

    def __iter__(self):
        return iter(self.fixes)

    def __repr__(self):
        return f"Fixes({', '.join(map(repr, self.fixes)) or 'none'})"

    def begin_iteration(self, trainer):
        trainer.sigma = 0.0                    # instance noise's sigma: 0 unless its fix sets it
        for fix in self.fixes:
            fix.begin_iteration(trainer)

    def real_batch(self, trainer, m):
        """The D-step's real batch x ~ pi, (m, dim): drawn by the first fix that draws it (conditional
        labels), else by trainer.real(m)."""
        for fix in self.fixes:
            x = fix.real_batch(trainer, m)
            if x is not None:
                return x
        return trainer.real(m)

    def d_inputs(self, trainer, D, x_real, x_fake):
        for fix in self.fixes:                 # in order: instance noise first, then packing
            D, x_real, x_fake = fix.d_inputs(trainer, D, x_real, x_fake)
        return D, x_real, x_fake

    def d_terms(self, trainer, D, x_real, x_fake):
        for fix in self.fixes:
            fix.d_terms(trainer, D, x_real, x_fake)

    def after_d_update(self, trainer):
        for fix in self.fixes:
            fix.after_d_update(trainer)

    def before_g_step(self, trainer):
        for fix in self.fixes:
            fix.before_g_step(trainer)

    def g_generator(self, trainer, G):
        for fix in self.fixes:
            G = fix.g_generator(trainer, G)
        return G

    def g_loss_backward(self, trainer, G, z):
        """L_G of the first fix that replaces the objective's loss (its gradient now in G's .grad), or None."""
        for fix in self.fixes:
            loss = fix.g_loss_backward(trainer, G, z)
            if loss is not None:
                return loss
        return None

    def g_terms(self, trainer, z):
        return sum(fix.g_terms(trainer, z) for fix in self.fixes)

    def after_g_update(self, trainer):
        for fix in self.fixes:
            fix.after_g_update(trainer)

    def end_iteration(self, trainer):
        for fix in self.fixes:
            fix.end_iteration(trainer)


def from_config(trainer):
    """The pieces trainer.config switches on, in the order they act within each hook."""
    cfg, fixes = trainer.config, []
    if cfg.fixes.conditional:
        fixes.append(ConditionalLabels())
    if cfg.fixes.instance_noise:
        fixes.append(InstanceNoise(cfg.fixes.instance_noise, cfg.fixes.instance_noise_until, trainer.rng))
    if cfg.fixes.pack > 1:
        fixes.append(Packing(cfg.fixes.pack))
    if cfg.fixes.penalty == "gp":
        fixes.append(GradientPenalty(cfg.fixes.penalty_weight))
    elif cfg.fixes.penalty == "r1":
        fixes.append(R1(cfg.fixes.penalty_weight))
    if cfg.fixes.clip:
        fixes.append(WeightClipping(cfg.fixes.clip))
    if cfg.fixes.feature_matching:
        fixes.append(FeatureMatching())
    if cfg.fixes.mmd:
        fixes.append(MMDTerm(cfg.fixes.mmd))
    if cfg.fixes.hist_avg:
        fixes.append(HistoricalAveraging(trainer.D, trainer.G, cfg.fixes.hist_avg))
    if trainer.ema is not None:
        fixes.append(EMA(trainer.ema))
    return fixes
