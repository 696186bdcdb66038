"""Layers with hand-written backpropagation.

Read this file first. Every layer is a `Module` with two methods:

    y  = layer.forward(x)     # computes the output and caches what backward needs
    dx = layer.backward(dy)   # dy = dL/dy, returns dL/dx and ADDS dL/dtheta into each Parameter.grad

Gradients accumulate across backward calls, exactly as in PyTorch. `zero_grad()` clears them. A layer caches
only its last input, so each backward must follow its own forward: D.forward(real), D.forward(fake), then two
backwards would run the real batch's backward on the fake batch's activations. So the library sends real and
fake through D as one stacked batch, one forward and one backward (gan_backward.discriminator_backward); the
rows do not interact (BatchNorm aside), and D's parameters get the gradient of the summed loss.
Shapes: every layer takes a batch of row vectors, x of shape (n, d_in), and returns (n, d_out).

Arrays are float32 by default (fast); pass dtype=np.float64 for gradient checks.
"""

import contextlib

import numpy as np

DEFAULT_DTYPE = np.float32


class Parameter:
    """A trainable array and the gradient accumulated into it.

    data: ndarray, any shape.  grad: ndarray of the same shape and dtype, starts at zero.
    requires_grad: when False, backward passes skip this parameter's gradient (as in PyTorch); the trainer
    sets it on D's parameters during G's step, where only dL/dx through D is needed.
    """

    def __init__(self, data, name=""):
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name
        self.requires_grad = True

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class: forward(x) -> y, backward(dy) -> dx, parameters(), zero_grad()."""

    training = True

    def forward(self, x):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """Every Parameter of this module (and its children), in a fixed order."""
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad[...] = 0.0

    def requires_grad_(self, flag=True):
        """Turn gradient accumulation into this module's parameters on or off; returns self."""
        for p in self.parameters():
            p.requires_grad = flag
        return self

    def train(self, mode=True):
        """Switch training behaviour on or off (it matters only for layers such as BatchNorm)."""
        self.training = mode
        return self

    def eval(self):
        return self.train(False)


def _check_input(layer, x, n_features):
    """Raise a one-line ValueError naming the layer when x is not a (batch, n_features) array."""
    if not isinstance(x, np.ndarray) or x.ndim != 2 or (n_features is not None and x.shape[1] != n_features):
        got = getattr(x, "shape", type(x).__name__)
        want = f"(batch, {n_features})" if n_features is not None else "(batch, features)"
        raise ValueError(f"{layer!r}: expected input of shape {want}, got {got}")


def _check_grad(layer, dy, y_shape):
    if not isinstance(dy, np.ndarray) or dy.shape != y_shape:
        got = getattr(dy, "shape", type(dy).__name__)
        raise ValueError(f"{layer!r}: backward expected dy of shape {y_shape} (the output's), got {got}")


# ---------------------------------------------------------------------------------------------------------
# Linear
# ---------------------------------------------------------------------------------------------------------

def init_weight(n_in, n_out, init, rng, dtype):
    """Draw a (n_in, n_out) weight matrix.

    he:      N(0, 2 / n_in)              keeps the activation variance constant through ReLU layers
    glorot:  U(-a, a), a = sqrt(6 / (n_in + n_out))   keeps variance of activations and gradients for tanh
    normal:  N(0, 0.02^2)                the DCGAN initialisation
    """
    if init == "he":
        w = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
    elif init == "glorot":
        a = np.sqrt(6.0 / (n_in + n_out))
        w = rng.uniform(-a, a, size=(n_in, n_out))
    elif init == "normal":
        w = rng.standard_normal((n_in, n_out)) * 0.02
    else:
        raise ValueError(f"unknown init {init!r}; choose one of: he, glorot, normal")
    return w.astype(dtype)


class Linear(Module):
    """Affine layer y = x @ W + b.

    x: (n, n_in)   W: (n_in, n_out)   b: (n_out,)   y: (n, n_out)

    Backward, from y_ij = sum_k x_ik W_kj + b_j:
        dL/dW = x^T @ dy          (n_in, n_out)
        dL/db = sum_i dy_i        (n_out,)
        dL/dx = dy @ W^T          (n, n_in)
    """

    def __init__(self, n_in, n_out, *, rng, init="he", dtype=DEFAULT_DTYPE):
        if int(n_in) <= 0 or int(n_out) <= 0:
            raise ValueError(f"Linear needs positive sizes, got n_in={n_in}, n_out={n_out}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.W = Parameter(init_weight(self.n_in, self.n_out, init, rng, dtype), "W")
        self.b = Parameter(np.zeros(self.n_out, dtype=dtype), "b")
        self.x = None

    def __repr__(self):
        return f"Linear({self.n_in} -> {self.n_out})"

    def parameters(self):
        return [self.W, self.b]

    def forward(self, x):
        _check_input(self, x, self.n_in)
        self.x = x
        y = x @ self.W.data
        y += self.b.data          # in place: one array allocated, not two
        return y

    def backward(self, dy, need_dx=True):
        """need_dx=False: the caller has no use for dL/dx (x is data or noise, as for a network's first
        layer), so the product dy @ W^T is skipped and None returned; the parameters' gradients are the same."""
        _check_grad(self, dy, (self.x.shape[0], self.n_out))
        if self.W.requires_grad:
            self.W.grad += self.x.T @ dy
        if self.b.requires_grad:
            self.b.grad += dy.sum(axis=0)
        if not need_dx:
            return None
        return matmul_transposed(dy, self.W.data)


def matmul_transposed(dy, W):
    """dy @ W^T, the input gradient of a Linear layer.

    A speed helper, not new math: when W has one column (a logit layer, n_out = 1) the product is an outer
    product, dx_ij = dy_i W_j, and BLAS's matrix-multiply path for a 1-term inner dimension is about 4x
    slower than NumPy's broadcast multiply dy * W^T, which gives the same numbers (each sum has one term).
    """
    if W.shape[1] == 1:
        return dy * W.T
    return dy @ W.T


# ---------------------------------------------------------------------------------------------------------
# Activations: elementwise, so backward is dx = dy * f'(x)
# ---------------------------------------------------------------------------------------------------------

class ReLU(Module):
    """y = max(x, 0);  f'(x) = 1 where x > 0, else 0 (we take 0 at the kink x = 0)."""

    def __repr__(self):
        return "ReLU()"

    def forward(self, x):
        _check_input(self, x, None)
        self.mask = x > 0
        return x * self.mask

    def backward(self, dy):
        _check_grad(self, dy, self.mask.shape)
        return dy * self.mask


class LeakyReLU(Module):
    """y = x where x > 0, slope * x elsewhere;  f'(x) = 1 where x > 0, else slope."""

    def __init__(self, slope=0.2):
        self.slope = float(slope)

    def __repr__(self):
        return f"LeakyReLU({self.slope})"

    def forward(self, x):
        _check_input(self, x, None)
        # local slope g = f'(x): 1 on the positive side, `slope` on the other; then y = g * x.
        g = (x > 0).astype(x.dtype)
        g *= 1.0 - self.slope
        g += self.slope
        self.g = g
        return x * g

    def backward(self, dy):
        _check_grad(self, dy, self.g.shape)
        return dy * self.g


class Tanh(Module):
    """y = tanh(x);  f'(x) = 1 - tanh(x)^2 = 1 - y^2 (so we cache y, not x)."""

    def __repr__(self):
        return "Tanh()"

    def forward(self, x):
        _check_input(self, x, None)
        self.y = np.tanh(x)
        return self.y

    def backward(self, dy):
        _check_grad(self, dy, self.y.shape)
        return dy * (1.0 - self.y * self.y)


def sigmoid(x):
    """The logistic function 1 / (1 + e^-x), accurate in both tails.

    With e = exp(-|x|), which lies in (0, 1] and never overflows:
        sigmoid(x) = 1 / (1 + e)   for x >= 0
        sigmoid(x) = e / (1 + e)   for x < 0     (the same value: multiply 1 / (1 + e^-x) by e^x / e^x)
    The left tail is e^x to working precision, with no 1 - (nearly 1) cancellation: in float32,
    sigmoid(-17) = 4.14e-8 (0.5 (1 + tanh(x / 2)) gives 5.96e-8 there, and exactly 0 from about x = -20),
    and it rounds to 0 only below x = -103.97, where e^x falls under half of float32's smallest subnormal."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


class Sigmoid(Module):
    """y = sigmoid(x) = 1 / (1 + exp(-x));  f'(x) = y (1 - y).

    A GAN discriminator outputs a *logit* and the losses apply the sigmoid themselves (stably); use this
    layer inside a network, not as D's last layer.
    """

    def __repr__(self):
        return "Sigmoid()"

    def forward(self, x):
        _check_input(self, x, None)
        self.y = sigmoid(x)
        return self.y

    def backward(self, dy):
        _check_grad(self, dy, self.y.shape)
        return dy * self.y * (1.0 - self.y)


class Softplus(Module):
    """y = log(1 + exp(x)), a smooth ReLU;  f'(x) = sigmoid(x).  Twice differentiable (penalties like it)."""

    def __repr__(self):
        return "Softplus()"

    def forward(self, x):
        _check_input(self, x, None)
        self.x = x
        return np.logaddexp(0.0, x).astype(x.dtype, copy=False)

    def backward(self, dy):
        _check_grad(self, dy, self.x.shape)
        return dy * sigmoid(self.x)


# ---------------------------------------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------------------------------------

class FixedAffine(Module):
    """y = x * scale + shift, elementwise with constant (untrained) scale, shift of shape (d,);  dx = dy * scale.

    The networks work in standardised coordinates: D first maps the data box to about [-2, 2]^d, and G's
    output goes through the inverse map, so the same architecture and learning rates suit N(4, 0.5^2) and
    a grid spanning [-4, 4]^2 (D's ReLU kinks sit where the data are, not all far off at the origin).
    """

    def __init__(self, scale, shift, dtype=DEFAULT_DTYPE):
        self.scale = np.asarray(scale, dtype=dtype)
        self.shift = np.asarray(shift, dtype=dtype)

    def __repr__(self):
        return f"FixedAffine(scale={self.scale.tolist()}, shift={self.shift.tolist()})"

    def forward(self, x):
        return x * self.scale + self.shift

    def backward(self, dy):
        return dy * self.scale


class Sequential(Module):
    """Modules applied in order: forward runs them first to last, backward last to first (the chain rule)."""

    def __init__(self, *modules):
        self.layers = list(modules)

    def __repr__(self):
        return "Sequential(" + ", ".join(repr(m) for m in self.layers) + ")"

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy, need_dx=True):
        """need_dx=False: nobody needs dL/dx (x is data, or noise z), so the pass stops at the first layer
        with parameters (layers before it have nothing to learn) and that layer, if a Linear or a Sequential,
        skips its input gradient. Returns None then; the parameters' gradients are the same."""
        first = 0 if need_dx else next((i for i, m in enumerate(self.layers) if m.parameters()), len(self.layers))
        for i in range(len(self.layers) - 1, first - 1, -1):
            layer = self.layers[i]
            if i == first and not need_dx and isinstance(layer, (Linear, Sequential)):
                return layer.backward(dy, need_dx=False)
            dy = layer.backward(dy)
        return dy if need_dx else None

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self, mode=True):
        self.training = mode
        for layer in self.layers:
            layer.train(mode)
        return self


@contextlib.contextmanager
def frozen(module):
    """`with frozen(D): dx = D.backward(dy)`: backward passes through D inside the block give dL/dx but leave
    its parameters' .grad untouched (requires_grad off), as G's step needs of D; the flags are restored after."""
    flags = [p.requires_grad for p in module.parameters()]
    module.requires_grad_(False)
    try:
        yield module
    finally:
        for p, flag in zip(module.parameters(), flags):
            p.requires_grad = flag


def backward_params_only(net, dy):
    """net.backward(dy) for a caller that wants only the parameters' gradients, not dL/dx: the input is data
    or noise z (as PyTorch's autograd skips tensors that do not require grad). A Sequential then skips its
    first layer's input gradient (Sequential.backward with need_dx=False); any other Module runs its full
    backward. Returns None."""
    if isinstance(net, Sequential):
        net.backward(dy, need_dx=False)
    else:
        net.backward(dy)


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "softplus": Softplus,
}


def make_activation(name):
    """An activation module from its name: relu, leaky_relu, tanh, sigmoid, softplus."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]()


def mlp(sizes, *, rng, activation="relu", out_activation=None, init="he", dtype=DEFAULT_DTYPE):
    """A multilayer perceptron: Linear, activation, Linear, activation, ..., Linear [, out_activation].

    sizes: [d_in, h_1, ..., h_m, d_out].  For example mlp([2, 128, 128, 1], activation="leaky_relu", rng=rng)
    is the toy discriminator: 2 -> 128 -> 128 -> 1 logit.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"mlp needs at least [d_in, d_out], got sizes={sizes}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, rng=rng, init=init, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(make_activation(activation))
    if out_activation is not None:
        layers.append(make_activation(out_activation))
    return Sequential(*layers)
