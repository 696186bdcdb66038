"""Central-difference gradient checking: the proof that every hand-written backward pass is right.

For a scalar function L(theta), each entry's derivative is estimated as

    dL/dtheta_i  ~  (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps)      error O(eps^2)

and compared with the analytic gradient through the relative error

    err_i = |analytic_i - numeric_i| / max(|analytic_i|, |numeric_i|, floor)

The floor (1e-4 by default) keeps entries whose true gradient is ~0 from dividing round-off by ~0: there
the error is measured on an absolute scale. Run it in float64: in float32 round-off alone is ~1e-3.

Use it on your own layers:
    result = check_module(my_layer, x)          # x in float64, the layer built with dtype=np.float64
    print(result)                               # max relative error and the worst entry
"""

from dataclasses import dataclass, field

import numpy as np

from .gan_backward import discriminator_backward, generator_backward


@dataclass
class GradCheckResult:
    """max_error: the worst relative error; worst: (tensor name, index, analytic, numeric) of that entry;
    per_tensor: {name: max relative error of that tensor}."""

    max_error: float = 0.0
    worst: tuple = None
    per_tensor: dict = field(default_factory=dict)

    def merge(self, other, prefix=""):
        for name, err in other.per_tensor.items():
            self.per_tensor[prefix + name] = err
        if other.worst is not None and (self.worst is None or other.max_error > self.max_error):
            self.max_error = other.max_error
            self.worst = (prefix + other.worst[0],) + tuple(other.worst[1:])
        return self

    def __str__(self):
        if self.worst is None:
            return "gradcheck: nothing checked"
        name, idx, a, n = self.worst
        return (f"max relative error {self.max_error:.2e} at {name}{list(idx)}: "
                f"analytic {a:.6e}, numeric {n:.6e}")


def _entries(shape, max_entries, rng):
    """All indices of an array of this shape, or a random subset of max_entries of them."""
    size = int(np.prod(shape))
    flat = np.arange(size)
    if max_entries is not None and size > max_entries:
        flat = rng.choice(size, size=max_entries, replace=False)
    return [np.unravel_index(i, shape) for i in flat]


def compare(name, array, analytic, loss_fn, *, eps=1e-5, floor=1e-4, max_entries=None, rng=None):
    """Perturb entries of `array` in place (restoring each) and compare d loss_fn() / d array with `analytic`.

    array: the ndarray that loss_fn reads (an input or a Parameter's .data), float64.
    analytic: ndarray of the same shape.  loss_fn: () -> float.
    """
    if array.dtype != np.float64:
        raise ValueError(f"gradcheck: {name} is {array.dtype}; check gradients in float64")
    if analytic.shape != array.shape:
        raise ValueError(f"gradcheck: analytic gradient of {name} has shape {analytic.shape}, "
                         f"expected {array.shape}")
    rng = rng if rng is not None else np.random.default_rng(0)
    result = GradCheckResult()
    worst_here = 0.0
    for idx in _entries(array.shape, max_entries, rng):
        old = array[idx]
        array[idx] = old + eps
        plus = loss_fn()
        array[idx] = old - eps
        minus = loss_fn()
        array[idx] = old
        numeric = (plus - minus) / (2.0 * eps)
        a = float(analytic[idx])
        err = abs(a - numeric) / max(abs(a), abs(numeric), floor)
        worst_here = max(worst_here, err)
        if result.worst is None or err > result.max_error:
            result.max_error = err
            result.worst = (name, tuple(int(i) for i in idx), a, numeric)
    result.per_tensor[name] = worst_here
    return result


def check_module(module, x, *, seed=0, eps=1e-5, floor=1e-4, max_entries=None):
    """Check module.backward against central differences of L = sum(w * module.forward(x)).

    w is a fixed random array of the output's shape, so every output entry takes part. Checks dL/dx and
    dL/dp for every Parameter p. module and x must be float64. Returns a GradCheckResult.

    Gradients must ACCUMULATE (backward adds into p.grad, as in PyTorch): forward and backward run twice
    without zero_grad in between, and half of what each p.grad then holds is what is compared, so a layer
    that overwrites p.grad instead of adding to it fails the check.
    """
    rng = np.random.default_rng(seed)
    y = module.forward(x)
    w = rng.standard_normal(y.shape)

    def loss():
        return float(np.sum(w * module.forward(x)))

    module.zero_grad()
    module.forward(x)
    module.backward(w)
    module.forward(x)
    dx = module.backward(w)                       # the second pass: p.grad now holds twice dL/dp
    analytic = {"x": dx.copy()}
    params = module.parameters()
    for i, p in enumerate(params):
        analytic[f"{p.name or 'param'}{i}"] = p.grad / 2

    result = compare("x", x, analytic["x"], loss, eps=eps, floor=floor, max_entries=max_entries, rng=rng)
    for i, p in enumerate(params):
        key = f"{p.name or 'param'}{i}"
        result.merge(compare(key, p.data, analytic[key], loss, eps=eps, floor=floor,
                             max_entries=max_entries, rng=rng))
    return result


def check_function(loss_fn, arrays, analytic, *, eps=1e-5, floor=1e-4, max_entries=None, seed=0):
    """Check a hand-written gradient of any scalar function.

    loss_fn: () -> float, reading the arrays in `arrays` ({name: float64 ndarray}).
    analytic: {name: ndarray}, the claimed dL/d(array) for each name.
    """
    rng = np.random.default_rng(seed)
    result = GradCheckResult()
    for name, array in arrays.items():
        result.merge(compare(name, array, analytic[name], loss_fn, eps=eps, floor=floor,
                             max_entries=max_entries, rng=rng))
    return result


def check_gan(G, D, objective, x_real, z, *, eps=1e-5, floor=1e-4, max_entries=None, seed=0):
    """Check the two compositions GAN training differentiates, with the trainer's own functions.

    D's loss with respect to D's parameters on a real and a fake batch, and G's loss through D into G's
    parameters. Returns {"discriminator": GradCheckResult, "generator": GradCheckResult}. All float64.
    """
    x_fake = G.forward(z).copy()

    def d_loss():
        logits_r, logits_f = D.forward(x_real), D.forward(x_fake)
        return objective.d_loss(logits_r, logits_f)[0]

    D.zero_grad()
    discriminator_backward(D, objective, x_real, x_fake)
    arrays = {f"D.{p.name}{i}": p.data for i, p in enumerate(D.parameters())}
    analytic = {f"D.{p.name}{i}": p.grad.copy() for i, p in enumerate(D.parameters())}
    d_result = check_function(d_loss, arrays, analytic, eps=eps, floor=floor, max_entries=max_entries, seed=seed)

    def g_loss():
        return objective.g_loss(D.forward(G.forward(z)))[0]

    G.zero_grad()
    D.zero_grad()
    generator_backward(G, D, objective, z)
    if any(np.any(p.grad != 0) for p in D.parameters()):
        raise AssertionError("generator_backward wrote into D's gradients; D must stay fixed during G's step")
    arrays = {f"G.{p.name}{i}": p.data for i, p in enumerate(G.parameters())}
    analytic = {f"G.{p.name}{i}": p.grad.copy() for i, p in enumerate(G.parameters())}
    g_result = check_function(g_loss, arrays, analytic, eps=eps, floor=floor, max_entries=max_entries, seed=seed)
    return {"discriminator": d_result, "generator": g_result}
