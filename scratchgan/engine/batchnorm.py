"""Batch normalisation (Ioffe & Szegedy 2015) with its backward pass by hand, and the DCGAN recipe.

BatchNorm is the one layer whose rows interact: each output depends on the whole batch through the batch
mean and variance, so its backward pass has two extra terms that flow through those statistics.
"""

import numpy as np

from .nn import _check_grad, _check_input, DEFAULT_DTYPE, LeakyReLU, Linear, Module, Parameter, ReLU, Sequential


class BatchNorm(Module):
    """y = gamma * x_hat + beta with x_hat = (x - mu) / sqrt(var + eps), per feature.

    x: (n, d)   gamma, beta: (d,)   y: (n, d)
    Training mode: mu = mean_i x_i and var = mean_i (x_i - mu)^2 are the batch's (biased) statistics, and
    the running averages are updated as in PyTorch:
        running_mean <- (1 - momentum) running_mean + momentum mu
        running_var  <- (1 - momentum) running_var  + momentum var * n / (n - 1)     (unbiased)
    Eval mode (layer.eval()): mu, var are the running averages, so each row is normalised on its own.

    Backward (training mode), with s = sqrt(var + eps) and dx_hat = dy * gamma:
        dL/dgamma = sum_i dy_i * x_hat_i          dL/dbeta = sum_i dy_i
        dL/dx = (dx_hat - mean_i dx_hat_i - x_hat * mean_i (dx_hat_i * x_hat_i)) / s
    The two means are the paths through mu and through var: x_hat is centred (sum x_hat = 0) and scaled
    (mean x_hat^2 = var / (var + eps)), so a change of x along the mean or along x_hat is (nearly) removed.
    Derivation: dx_hat_j/dx_i = (delta_ij - 1/n) / s - x_hat_j x_hat_i / (n s), summed against dx_hat_j.
    Eval mode is an affine map per feature: dL/dx = dy * gamma / sqrt(running_var + eps).
    """

    def __init__(self, n_features, *, momentum=0.1, eps=1e-5, dtype=DEFAULT_DTYPE):
        if int(n_features) <= 0:
            raise ValueError(f"BatchNorm needs a positive number of features, got {n_features}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm: momentum must be in [0, 1], got {momentum}")
        self.n_features = int(n_features)
        self.momentum, self.eps = float(momentum), float(eps)
        self.gamma = Parameter(np.ones(self.n_features, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(self.n_features, dtype=dtype), "beta")
        self.running_mean = np.zeros(self.n_features, dtype=dtype)
        self.running_var = np.ones(self.n_features, dtype=dtype)
        self.training = True

    def __repr__(self):
        return f"BatchNorm({self.n_features})"

    def parameters(self):
        return [self.gamma, self.beta]

    def forward(self, x):
        _check_input(self, x, self.n_features)
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(f"{self!r}: training mode needs a batch of at least 2 rows, got {n}")
            mu = x.mean(axis=0)
            xc = x - mu
            var = (xc * xc).mean(axis=0)
            m = self.momentum
            self.running_mean *= 1.0 - m
            self.running_mean += m * mu
            self.running_var *= 1.0 - m
            self.running_var += (m * n / (n - 1)) * var
        else:
            xc = x - self.running_mean
            var = self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)           # (d,)
        self.x_hat = xc * self.inv_std                          # (n, d)
        self.mode_training = self.training
        return self.gamma.data * self.x_hat + self.beta.data

    def backward(self, dy):
        _check_grad(self, dy, self.x_hat.shape)
        if self.gamma.requires_grad:
            self.gamma.grad += (dy * self.x_hat).sum(axis=0)
        if self.beta.requires_grad:
            self.beta.grad += dy.sum(axis=0)
        dx_hat = dy * self.gamma.data
        if not self.mode_training:
            return dx_hat * self.inv_std                        # running stats are constants
        # through x_hat directly, through mu (the mean term) and through var (the x_hat term)
        mean_dx_hat = dx_hat.mean(axis=0)
        mean_dx_hat_xhat = (dx_hat * self.x_hat).mean(axis=0)
        return (dx_hat - mean_dx_hat - self.x_hat * mean_dx_hat_xhat) * self.inv_std


def dcgan_generator(sizes, *, rng, dtype=DEFAULT_DTYPE, out_activation=None):
    """The DCGAN generator recipe (Radford et al. 2015) as an MLP: Linear, BatchNorm, ReLU per hidden layer,
    then a Linear output with no BatchNorm (and tanh in the paper, for images in [-1, 1]; pass
    out_activation=Tanh() for that; toy 2-D data such as ring8 are not in [-1, 1], so the default is none).

    sizes: [d_z, h_1, ..., h_m, d_x].  Weights N(0, 0.02^2), the paper's initialisation.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"dcgan_generator needs at least [d_z, d_x], got sizes={sizes}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, rng=rng, init="normal", dtype=dtype))
        if i < len(sizes) - 2:
            layers += [BatchNorm(n_out, dtype=dtype), ReLU()]
    if out_activation is not None:
        layers.append(out_activation)
    return Sequential(*layers)


def dcgan_discriminator(sizes, *, rng, dtype=DEFAULT_DTYPE, batchnorm=False):
    """The DCGAN discriminator recipe as an MLP: Linear, [BatchNorm,] LeakyReLU(0.2) per hidden layer, no
    BatchNorm on the input layer, a Linear to one logit (the losses apply the sigmoid).

    batchnorm=False by default: the library's D step runs real and fake as one stacked batch (and the
    gradient penalties need rows that do not interact), so BatchNorm in D would mix their statistics.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"dcgan_discriminator needs at least [d_x, 1], got sizes={sizes}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, rng=rng, init="normal", dtype=dtype))
        if i < len(sizes) - 2:
            if batchnorm and i > 0:
                layers.append(BatchNorm(n_out, dtype=dtype))
            layers.append(LeakyReLU(0.2))
    return Sequential(*layers)


