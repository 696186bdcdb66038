"""The improved techniques: small, separate pieces the trainer switches on one by one.

    feature_matching_backward   G matches the mean of an intermediate layer of D (Salimans et al. 2016)
    HistoricalAverage           a pull towards the running mean of past parameters (Salimans et al. 2016)
    label smoothing             lives in the loss: losses.Minimax(real_label=1 - alpha)
    add_instance_noise          Gaussian noise on D's inputs, real and fake alike (Sonderby et al. 2016;
                                Arjovsky & Bottou 2017)
    pack, unpack                PacGAN: D judges m samples at once (Lin et al. 2018)
    EMA                         an exponential moving average of G's weights, used for sampling
                                (Yazici et al. 2019; Karras et al. 2018)
    clip_weights                WGAN's crude Lipschitz constraint (Arjovsky et al. 2017)

Each one that takes part in a gradient states its derivative; feature matching and packing are checked
against finite differences in tests/test_tricks.py and by `python -m scratchgan gradcheck`.
"""

import copy

import numpy as np

from .nn import Module, Sequential, frozen


# ---------------------------------------------------------------------------------------------------------
# Feature matching
# ---------------------------------------------------------------------------------------------------------

def feature_layers(D, layer):
    """The first `layer` layers of the Sequential D, as a Sequential sharing D's modules (no copy).

    d(x) = feature_layers(D, layer)(x) is "an intermediate layer of D". layer must be in 1 .. len - 1
    (len would be D's output itself, which is the ordinary generator loss, not feature matching).
    """
    if not isinstance(D, Sequential):
        raise ValueError(f"feature matching needs D to be a Sequential, got {type(D).__name__}")
    n = len(D.layers)
    if not 1 <= int(layer) <= n - 1:
        raise ValueError(f"feature matching: layer must be in 1..{n - 1} for a D of {n} layers, got {layer}")
    return Sequential(*D.layers[:int(layer)])


def default_feature_layer(D):
    """The input of D's last Linear: the last hidden representation, the usual choice for d."""
    return len(D.layers) - 1


def feature_matching_backward(G, D, x_real, z, layer=None):
    """Feature matching (Salimans et al. 2016, Section 3.1): add dL_G/dtheta into G's .grad, return L_G.

        L_G = || mean_i d(x_real_i) - mean_j d(G(z_j)) ||_2^2

    x_real: (n_r, d_x), z: (n_f, d_z); d = feature_layers(D, layer): (batch, d_x) -> (batch, h).
    mu_r = mean of d over the real batch (a constant for G), mu_f over the fakes; with u = mu_r - mu_f:
        dL_G/d d(G(z_j)) = -2 u / n_f          (the same row for every fake sample j)
    then backward through d (D's parameters frozen: only the input gradient) and through G.
    """
    layer = default_feature_layer(D) if layer is None else layer
    d = feature_layers(D, layer)
    mu_r = d.forward(x_real).mean(axis=0)                  # (h,)
    feat_fake = d.forward(G.forward(z))                    # (n_f, h); d's caches now hold the fake batch
    n_f = feat_fake.shape[0]
    u = mu_r - feat_fake.mean(axis=0)
    loss = float(u @ u)
    dfeat = np.broadcast_to(-2.0 * u / n_f, feat_fake.shape).astype(feat_fake.dtype)
    with frozen(D):
        dx = d.backward(dfeat)
    G.backward(dx)
    return loss


# ---------------------------------------------------------------------------------------------------------
# Historical averaging
# ---------------------------------------------------------------------------------------------------------

class HistoricalAverage:
    """Historical averaging (Salimans et al. 2016, Section 3.3) for one player's parameters:

        P(theta) = weight * sum over parameters || theta - (1/t) sum_{i=1..t} theta_i ||^2

    where theta_1 is the initial value and theta_2 .. theta_t the values after each of the t - 1 updates so
    far (the average is a running mean, a constant for the gradient). dP/dtheta = 2 weight (theta - avg),
    added into .grad by backward(). Call update() after each optimizer step. It resists the large orbits
    of a game that cycles.
    """

    def __init__(self, params, weight):
        if not np.isfinite(weight) or weight < 0:
            raise ValueError(f"HistoricalAverage: weight must be a finite number >= 0, got {weight}")
        self.params = list(params)
        self.weight = float(weight)
        self.avg = [p.data.copy() for p in self.params]    # theta_0: the initial value counts as t = 1
        self.t = 1

    def update(self):
        """avg <- avg + (theta - avg) / (t + 1): the running mean of all values seen."""
        self.t += 1
        for p, a in zip(self.params, self.avg):
            a += (p.data - a) / self.t

    def backward(self):
        """Add 2 weight (theta - avg) into each .grad and return the penalty's value."""
        value = 0.0
        for p, a in zip(self.params, self.avg):
            diff = p.data - a
            value += float(np.sum(diff * diff))
            if p.requires_grad:
                p.grad += (2.0 * self.weight) * diff
        return self.weight * value


# ---------------------------------------------------------------------------------------------------------
# Instance noise
# ---------------------------------------------------------------------------------------------------------

def add_instance_noise(x, sigma, rng):
    """x + sigma * N(0, I): D sees noisy reals AND noisy fakes, so their supports overlap (lecture claim 12).

    x: (n, d); sigma >= 0; rng: np.random.Generator. Returns a new (n, d) array in x's dtype.
    The noise does not depend on x, so d(x + noise)/dx = I: G's gradient passes through unchanged.
    """
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"instance noise: sigma must be a finite number >= 0, got {sigma}")
    if sigma == 0:
        return x
    return x + (sigma * rng.standard_normal(x.shape)).astype(x.dtype, copy=False)


def annealed(sigma0, step, total_steps):
    """The linear annealing schedule sigma_t = sigma0 * max(0, 1 - t / T) (noise fades as p nears pi)."""
    return float(sigma0) * max(0.0, 1.0 - step / max(total_steps, 1))


# ---------------------------------------------------------------------------------------------------------
# PacGAN
# ---------------------------------------------------------------------------------------------------------

def pack(x, m):
    """PacGAN packing (Lin et al. 2018): m consecutive samples become one row of D's input.

    x: (n, d) with n divisible by m  ->  (n / m, m d), row k = [x_{km}, x_{km+1}, ..., x_{km+m-1}].
    D then has m d inputs and judges m samples jointly; a collapsed G produces packs of near-identical
    samples, which D can tell apart from real packs, so mode collapse is penalised.
    """
    m = int(m)
    if m < 1:
        raise ValueError(f"pack: the packing degree m must be >= 1, got {m}")
    n, d = x.shape
    if n % m:
        raise ValueError(f"pack: batch size {n} is not divisible by the packing degree {m}")
    return x.reshape(n // m, m * d)


def unpack(dx_packed, m):
    """The backward of pack: a reshape moves entries without changing them, so its gradient is the
    inverse reshape. dx_packed: (n / m, m d) -> (n, d)."""
    k, md = dx_packed.shape
    return dx_packed.reshape(k * int(m), md // int(m))


class Packed(Module):
    """D applied to packs: forward(x) = D(pack(x, m)), backward(dy) = unpack(D.backward(dy), m); D is .inner.

    x: (n, d) -> scores (n / m, 1), D built with m d inputs. The training functions call D.forward and
    D.backward, so wrapping D in Packed is all PacGAN needs. A gradient penalty is taken on packs:
    penalties.r1(packed.inner, pack(x, m)) (the input gradient is per pack, as in the PacGAN paper).

    In eval mode (packed.eval(), used by the plots), each row x is scored as the pack of m copies of itself,
    D([x, x, ..., x]): a per-point picture of D (what it thinks of a fully collapsed pack at x), so heat
    maps and gradient fields keep one value per point. Backward then sums the m blocks of the gradient.
    """

    def __init__(self, D, m):
        self.inner, self.m = D, int(m)
        if self.m < 1:
            raise ValueError(f"Packed: the packing degree m must be >= 1, got {m}")

    def parameters(self):
        return self.inner.parameters()

    def train(self, mode=True):
        self.training = mode
        self.inner.train(mode)
        return self

    def __repr__(self):
        return f"Packed({self.inner!r}, m={self.m})"

    def forward(self, x):
        if not self.training:
            self.copies = True
            return self.inner.forward(np.tile(x, (1, self.m)))     # row i = [x_i, x_i, ..., x_i]
        self.copies = False
        return self.inner.forward(pack(x, self.m))

    def backward(self, dy):
        dx = self.inner.backward(dy)
        if self.copies:                                        # x_i was used m times: add the m blocks
            n, md = dx.shape
            return dx.reshape(n, self.m, md // self.m).sum(axis=1)
        return unpack(dx, self.m)


# ---------------------------------------------------------------------------------------------------------
# EMA of G's weights
# ---------------------------------------------------------------------------------------------------------

class InstanceNoise(Module):
    """A layer that adds instance noise: forward(x) = x + sigma N(0, I), backward(dy) = dy (the noise does
    not depend on x). Put it in front of D for G's step so G's samples reach D noisy, as the reals do.
    sigma may be changed between steps (annealing); rng: the np.random.Generator it draws from."""

    def __init__(self, sigma, rng):
        self.sigma, self.rng = float(sigma), rng

    def __repr__(self):
        return f"InstanceNoise({self.sigma:g})"

    def forward(self, x):
        return add_instance_noise(x, self.sigma, self.rng)

    def backward(self, dy):
        return dy


class EMA:
    """An exponential moving average of a module's parameters, kept in a copy used only for sampling:

        theta_ema <- decay * theta_ema + (1 - decay) * theta          after every G step
                   = theta_ema + (1 - decay) (theta - theta_ema)      (the form computed, as Adam's m)

    `ema.module` is a deep copy of the module with the averaged weights (and, for BatchNorm, its running
    statistics copied from the live module). The average smooths the oscillation of theta around the
    equilibrium (Yazici et al. 2019), so its samples are often better than the last iterate's.
    update(step) with the number of updates done so far caps the decay at (1 + step) / (10 + step), so early
    on the average forgets the random initial weights quickly (the Trainer does this).
    """

    def __init__(self, module, decay=0.999):
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"EMA: decay must be in [0, 1), got {decay}")
        self.source = module
        self.decay = float(decay)
        self.module = copy.deepcopy(module)
        self.module.eval()

    def update(self, step=None):
        d = self.decay if step is None else min(self.decay, (1.0 + step) / (10.0 + step))
        for p_ema, p in zip(self.module.parameters(), self.source.parameters()):
            p_ema.data += (1.0 - d) * (p.data - p_ema.data)
        copy_buffers(self.source, self.module)

    def forward(self, z):
        return self.module.forward(z)

    __call__ = forward


def copy_buffers(src, dst):
    """Copy running statistics (any attribute named running_*, e.g. BatchNorm's) from src's layers into
    dst's, for a dst that is a copy of src (an EMA's averaged copy needs the live statistics)."""
    if isinstance(src, Sequential):
        for a, b in zip(src.layers, dst.layers):
            copy_buffers(a, b)
        return
    for name, value in vars(src).items():
        if name.startswith("running_"):
            getattr(dst, name)[...] = value


# ---------------------------------------------------------------------------------------------------------
# Weight clipping
# ---------------------------------------------------------------------------------------------------------

def clip_weights(params, c):
    """WGAN's weight clipping: every parameter entry into [-c, c], in place, after each critic step.

    The critic's functions then form a compact set whose members are all K-Lipschitz for some K(c), so it
    estimates K * W (Arjovsky et al. 2017, Algorithm 1, c = 0.01). Too small c: vanishing gradients;
    too large: slow to reach the optimum (and Gulrajani et al. 2017 show it biases the critic to simple
    functions): the motivation for the gradient penalty.
    """
    if not np.isfinite(c) or c <= 0:
        raise ValueError(f"clip_weights: c must be a positive number, got {c}")
    for p in params:
        np.clip(p.data, -c, c, out=p.data)
