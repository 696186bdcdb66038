"""A fix as a piece of the loop: the hooks where it plugs into Algorithm 1, and the run's list of them.

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
(docs/tutorial.md). Each of the library's fixes has a module of its own in this folder, with its formula,
its paper and its Fix (scratchgan/fixes/__init__.py lists them).

Fix            the base class: every hook does nothing
Fixes          the run's fixes in order, with one method per hook, which calls that hook of every fix
"""


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
