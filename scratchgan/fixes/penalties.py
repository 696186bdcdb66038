"""Gradient penalties, and the double backprop they need, derived by hand.

Two penalties constrain the discriminator (critic) D through its gradient with respect to its *input*:

    WGAN-GP (Gulrajani et al. 2017):  P = weight * mean_i (||grad_x D(x_i)||_2 - 1)^2   on interpolates
                                      x_hat = eps x_real + (1 - eps) G(z), eps ~ U[0, 1] per sample
    R1 (Mescheder et al. 2018):       P = (gamma / 2) * mean_i ||grad_x D(x_i)||_2^2    on real samples

Training minimises L_D + P over D's parameters phi, so it needs dP/dphi: the derivative of an input
gradient with respect to the weights. This is "double backprop" (Drucker & LeCun 1992); here it is
written out layer by layer instead of left to an autodiff engine.

The derivation. D is a Sequential of K layers, numbered from 0 as in the code (layers[k]); write a_0 = x,
a_{k+1} = layer_k(a_k), D(x) = a_K of shape (n, 1). So a_k is layer k's input and g_k = dD/da_k the gradient
there (the code's gs[k]). The input gradient is itself a computation, the ordinary backward pass seeded with
dD/dD = 1:

    g_K = 1                                   (n, 1)
    g_k = g_{k+1} @ W^T                       Linear layer k           (backward of y = a W + b)
    g_k = g_{k+1} * f'(a_k)                   activation layer k       (backward of y = f(a))
    grad_x D(x) = g_0                         (n, d); row i is grad D(x_i) since rows do not interact

P depends on phi through this chain and through the forward activations a_k that f' reads. Reverse-mode
differentiation of THIS computation (a backward pass of the backward pass) runs its steps in reverse order,
that is from g_0 up to g_K, carrying adjoints gbar_k = dP/dg_k:

    gbar_0 = dP/dg_0                          from the penalty's formula (below)
    Linear:      g_k = g_{k+1} W^T is linear in g_{k+1} and in W, so
                 gbar_{k+1} = gbar_k @ W                        (the Linear's forward, without bias)
                 dP/dW     += gbar_k^T @ g_{k+1}                (in, out); no bias term: b is not in g
    activation:  g_k = g_{k+1} * f'(a_k) is a product of g_{k+1} and f'(a_k), so
                 gbar_{k+1} = gbar_k * f'(a_k)                  (a diagonal Jacobian is its own transpose)
                 abar_k     = gbar_k * g_{k+1} * f''(a_k)       an adjoint for the FORWARD activation a_k

The abar are adjoints of the forward pass's intermediate values; the forward pass depends on phi too, so
they flow back through it as an ordinary backward pass, entering at each activation's input:

    delta = 0 at the output; for k = K-1 .. 0:  delta = layer_k.backward(delta)   (adds a_k^T delta into dW,
                                                                                   sum delta into db)
                                                delta += abar_k when layer k is an activation

The second derivatives f'' of the library's activations:
    Tanh:       f' = 1 - y^2,       f'' = -2 y (1 - y^2)
    Sigmoid:    f' = s (1 - s),     f'' = s (1 - s) (1 - 2 s)
    Softplus:   f' = s = sigmoid(x),  f'' = s (1 - s)
    ReLU, LeakyReLU: piecewise linear, so f'' = 0 everywhere except at the kink x = 0, where f' jumps and
        f'' does not exist. We use the piecewise rule f'' = 0: it is the exact derivative wherever no
        pre-activation sits at 0, i.e. almost surely, and the finite-difference check agrees with it there.
        The consequence to know: for a ReLU net the input gradient is piecewise CONSTANT in x, its
        dependence on phi comes only through the weights (the abar are all zero), and the second phase
        adds nothing. With Tanh, Sigmoid or Softplus the abar are not zero and the second phase matters.

The penalty's own derivative dP/dg_0, row by row:
    gradient_penalty: P = w/n sum_i (||g_i|| - 1)^2   ->  gbar_i = (2 w / n) (||g_i|| - 1) g_i / ||g_i||
    r1:               P = gamma/(2n) sum_i ||g_i||^2  ->  gbar_i = (gamma / n) g_i

Every function here ADDS its dP/dphi into the Parameters' .grad (as backward passes do) and returns the
penalty's value. Only D's parameters receive gradient: the points x are constants here (for WGAN-GP the
interpolates are formed from a detached G(z), as in the paper's Algorithm 1).
"""

import numpy as np

from ..engine.nn import FixedAffine, frozen, LeakyReLU, Linear, ReLU, Sequential, Sigmoid, sigmoid, Softplus, Tanh
from .base import Fix

ACTIVATION_TYPES = (ReLU, LeakyReLU, Tanh, Sigmoid, Softplus)


def _flat_layers(D):
    """D's layers in order, nested Sequentials flattened; a ValueError for a layer we cannot double-backprop."""
    if isinstance(D, Sequential):
        out = []
        for layer in D.layers:
            out += _flat_layers(layer)
        return out
    if isinstance(D, (Linear,) + ACTIVATION_TYPES) or _is_fixed_affine(D):
        return [D]
    raise ValueError(f"penalties: cannot differentiate the input gradient through {D!r}; "
                     f"D must be a Sequential of Linear, ReLU, LeakyReLU, Tanh, Sigmoid, Softplus (and FixedAffine)")


def _is_fixed_affine(layer):
    """The trainer's untrained input standardisation y = x * scale + shift (nn.FixedAffine).

    Its backward g_in = g_out * scale is linear in g_out with constant coefficients: in the double backprop
    it passes gbar on like an activation with f' = scale and f'' = 0, and has no parameters."""
    return isinstance(layer, FixedAffine)


def second_derivative(layer):
    """f''(a) at the input a of the last forward pass of an activation layer, shape of a; None when f'' = 0.

    Reads the layer's forward cache: Tanh and Sigmoid cache y = f(a), Softplus caches a.
    ReLU and LeakyReLU are piecewise linear: f'' = 0 off the kink (the piecewise rule), so None.
    """
    if isinstance(layer, (ReLU, LeakyReLU)) or _is_fixed_affine(layer):
        return None
    if isinstance(layer, Tanh):
        y = layer.y
        return -2.0 * y * (1.0 - y * y)
    if isinstance(layer, Sigmoid):
        s = layer.y
        return s * (1.0 - s) * (1.0 - 2.0 * s)
    if isinstance(layer, Softplus):
        s = sigmoid(layer.x)
        return s * (1.0 - s)
    raise ValueError(f"penalties: no second derivative for {layer!r}")


def input_gradient(D, x):
    """grad_x D(x_i) for every row: (n, d) for x of shape (n, d), D(x) of shape (n, 1).

    Runs D forward on x, then D's backward pass seeded with ones, without touching the parameters' .grad.
    Returns (g_0, gs, layers): gs[k] = g_k, the gradient at the input of layers[k] ... output, so that
    gs[0] = grad_x D and gs[K] = ones (n, 1). D's layers keep the forward caches of x afterwards.
    """
    layers = _flat_layers(D)
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"penalties: expected points of shape (batch, features), got {getattr(x, 'shape', x)}")
    out = D.forward(x)
    if out.ndim != 2 or out.shape[1] != 1:
        raise ValueError(f"penalties: D must output one score per row, shape (n, 1); got {out.shape}")
    with frozen(D):
        gs = [np.ones_like(out)]                           # g_K = dD/dD = 1
        for layer in reversed(layers):
            gs.append(layer.backward(gs[-1]))              # g_{k-1} from g_k: the ordinary backward pass
    gs.reverse()                                           # gs[k] is the gradient at layers[k]'s input
    return gs[0], gs, layers


def backward_of_input_gradient(layers, gs, gbar0):
    """Add dP/dphi into the parameters' .grad, given gbar0 = dP/d(grad_x D), shape (n, d).

    layers, gs: from input_gradient (the forward caches must still be those of the same x).
    Phase 1, from the input up: carry gbar_k = dP/dg_k through the backward pass in reverse, adding the
    Linear weights' share gbar_k^T g_{k+1} and collecting abar_k = gbar_k g_{k+1} f''(a_k) at each activation.
    Phase 2, from the output down: an ordinary backward pass through the forward graph, fed with abar.
    """
    gbar = gbar0
    abar = [None] * len(layers)                            # abar[k]: adjoint at layers[k]'s input a
    for k, layer in enumerate(layers):                     # gbar is dP/d gs[k] here
        g_out = gs[k + 1]                                  # the g this layer's backward received
        if isinstance(layer, Linear):
            # g_in = g_out @ W^T  =>  dP/dW = gbar^T @ g_out (in, out);  dP/dg_out = gbar @ W
            if layer.W.requires_grad:
                layer.W.grad += gbar.T @ g_out
            gbar = gbar @ layer.W.data
        else:
            # g_in = g_out * f'(a)  =>  dP/dg_out = gbar * f'(a) (= the layer's own backward applied to
            # gbar, an elementwise product);  dP/da = gbar * g_out * f''(a)   (FixedAffine: f' = scale, f'' = 0)
            f2 = second_derivative(layer)
            if f2 is not None:
                abar[k] = gbar * g_out * f2
            gbar = layer.backward(gbar)
    # gbar is now dP/dg_K; g_K = 1 is a constant, so nothing more on that side.
    if all(a is None for a in abar):
        return                                             # ReLU / LeakyReLU only: f'' = 0, no phase 2
    delta = np.zeros_like(gs[-1])                          # dP/d(output of the last layer)
    for k in range(len(layers) - 1, -1, -1):
        layer = layers[k]
        delta = layer.backward(delta)                      # Linear: W.grad += a^T delta, b.grad += sum delta
        if abar[k] is not None:
            delta = delta + abar[k]                        # enter the forward graph at this activation's input
    # delta is dP/dx here; the points are constants, so it is dropped.


def _check_weight(name, value):
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")


def gradient_penalty(D, x, weight=10.0):
    """WGAN-GP's two-sided penalty on the given points; adds dP/dphi into D's parameters, returns P.

        P = weight * mean_i (||grad_x D(x_i)||_2 - 1)^2       x: (n, d), D(x): (n, 1)

    Pass the interpolates (see interpolates()) to get the penalty of Gulrajani et al. 2017.
    dP/dg_i = (2 weight / n) (||g_i|| - 1) g_i / ||g_i||. At g_i = 0 this has no limit: near 0 it has length
    about 2 weight / n and points along -g_i, any direction. We use 0 for that row: it is a valid (Clarke)
    subgradient, the average of the gradients around 0, and such points are measure zero.
    """
    _check_weight("gradient_penalty: weight", weight)
    g0, gs, layers = input_gradient(D, x)
    n = x.shape[0]
    norm = np.sqrt(np.sum(g0 * g0, axis=1, keepdims=True))            # (n, 1)
    gap = norm - 1.0
    value = weight * float(np.mean(gap * gap))
    safe = np.where(norm > 0, norm, 1.0)
    gbar0 = (2.0 * weight / n) * (gap / safe) * g0                      # (n, d)
    gbar0 = np.where(norm > 0, gbar0, 0.0).astype(g0.dtype, copy=False)
    backward_of_input_gradient(layers, gs, gbar0)
    return value


def r1(D, x, gamma=10.0):
    """R1 (Mescheder et al. 2018) on the given (real) points; adds dP/dphi into D's parameters, returns P.

        P = (gamma / 2) * mean_i ||grad_x D(x_i)||_2^2         x: (n, d), D(x): (n, 1)

    dP/dg_i = (gamma / n) g_i. It pushes D to be flat on the data, which damps the oscillation of
    simultaneous and alternating gradient steps around the equilibrium (see scratchgan.theory.dirac).
    """
    _check_weight("r1: gamma", gamma)
    g0, gs, layers = input_gradient(D, x)
    n = x.shape[0]
    value = 0.5 * gamma * float(np.mean(np.sum(g0 * g0, axis=1)))
    backward_of_input_gradient(layers, gs, (gamma / n) * g0)
    return value


def interpolates(x_real, x_fake, rng):
    """Random points on the segments between real and fake samples (WGAN-GP's x_hat).

        x_hat_i = eps_i x_real_i + (1 - eps_i) x_fake_i,     eps_i ~ U[0, 1], one per row

    x_real, x_fake: (n, d) with the same n; rng: np.random.Generator. Returns (n, d) in x_real's dtype.
    """
    if x_real.shape != x_fake.shape:
        raise ValueError(f"interpolates: real and fake batches must have the same shape, "
                         f"got {x_real.shape} and {x_fake.shape}")
    eps = rng.random((x_real.shape[0], 1)).astype(x_real.dtype, copy=False)
    return eps * x_real + (1.0 - eps) * x_fake


PENALTIES = {"gp": gradient_penalty, "r1": r1}


class GradientPenalty(Fix):
    """WGAN-GP: + w E (||grad_x D(x_hat)|| - 1)^2 at x_hat = eps x_real + (1 - eps) x_fake (Gulrajani et al.)."""

    name = "penalty gp"

    def __init__(self, weight):
        self.weight = weight

    def d_terms(self, trainer, D, x_real, x_fake):
        gradient_penalty(D, interpolates(x_real, x_fake, trainer.rng), self.weight)


class R1(Fix):
    """R1: + (w / 2) E ||grad_x D(x_real)||^2 on real data (Mescheder et al. 2018)."""

    name = "penalty r1"

    def __init__(self, weight):
        self.weight = weight

    def d_terms(self, trainer, D, x_real, x_fake):
        r1(D, x_real, self.weight)
