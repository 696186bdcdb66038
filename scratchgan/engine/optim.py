"""Optimizers, following PyTorch's update rules line by line (torch.optim.SGD, Adam, RMSprop, defaults off).

Each optimizer holds a list of Parameters; `step()` updates every p.data in place from p.grad, and
`zero_grad()` clears the grads. `state_dict()` / `load_state_dict()` give the buffers as plain arrays so a
checkpoint can store them.
"""

import math

import numpy as np


def _check_lr(name, lr):
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"{name}: learning rate must be a positive number, got lr={lr}")


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        _check_lr(type(self).__name__, lr)
        self.lr = float(lr)
        self.t = 0  # number of steps taken

    def zero_grad(self):
        for p in self.params:
            p.grad[...] = 0.0

    def state_dict(self):
        """{'t': int, 'buffers': {name: [array per parameter]}}."""
        return {"t": self.t, "buffers": {k: [b.copy() for b in v] for k, v in self._buffers().items()}}

    def load_state_dict(self, state):
        self.t = int(state["t"])
        for name, arrays in state["buffers"].items():
            mine = self._buffers()[name]
            if len(arrays) != len(mine):
                raise ValueError(f"{type(self).__name__}: optimizer state has {len(arrays)} '{name}' buffers, "
                                 f"this optimizer has {len(mine)} parameters")
            for dst, src in zip(mine, arrays):
                if dst.shape != src.shape:
                    raise ValueError(f"{type(self).__name__}: '{name}' buffer of shape {src.shape} does not fit "
                                     f"a parameter of shape {dst.shape}")
                dst[...] = src

    def _buffers(self):
        return {}


class SGD(Optimizer):
    """Stochastic gradient descent with (heavy-ball) momentum, as torch.optim.SGD keeps it:

        b_1 = g_1,   b_t = momentum * b_{t-1} + g_t   (t > 1)
        theta <- theta - lr * b_t                      (b_t = g_t when momentum = 0)
    """

    def __init__(self, params, lr, momentum=0.0):
        super().__init__(params, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self.buf = [np.zeros_like(p.data) for p in self.params]

    def _buffers(self):
        return {"momentum": self.buf}

    def step(self):
        self.t += 1
        for p, b in zip(self.params, self.buf):
            if self.momentum == 0.0:
                p.data -= self.lr * p.grad
                continue
            if self.t == 1:
                b[...] = p.grad
            else:
                b *= self.momentum
                b += p.grad
            p.data -= self.lr * b


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction, as torch.optim.Adam computes it:

        m_t = beta1 m_{t-1} + (1 - beta1) g_t            first moment
        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2          second moment
        theta <- theta - (lr / (1 - beta1^t)) * m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)

    which is theta - lr * m_hat / (sqrt(v_hat) + eps) with m_hat, v_hat the bias-corrected moments.
    """

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        beta1, beta2 = betas
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self.scratch = [np.empty_like(p.data) for p in self.params]  # work space for step(), not state

    def _buffers(self):
        return {"m": self.m, "v": self.v}

    def step(self):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1.0 - b1 ** self.t)
        # math.sqrt, not np.sqrt: a np.float64 scalar would make every `s *= inv_sqrt_bc2` below run in float64
        # and cast back (about 5x slower on float32 parameters); a Python float keeps the arrays' dtype.
        inv_sqrt_bc2 = 1.0 / math.sqrt(1.0 - b2 ** self.t)
        for p, m, v, s in zip(self.params, self.m, self.v, self.scratch):
            g = p.grad
            # In-place updates into a scratch buffer s: the same formulas, without allocating arrays.
            np.subtract(g, m, out=s)           # m <- beta1 m + (1 - beta1) g  =  m + (1 - beta1)(g - m)
            s *= 1.0 - b1                      #    (PyTorch's m.lerp_(g, 1 - beta1))
            m += s
            np.multiply(g, g, out=s)           # v <- beta2 v + (1 - beta2) g^2
            s *= 1.0 - b2
            v *= b2
            v += s
            np.sqrt(v, out=s)                  # denominator sqrt(v) / sqrt(1 - beta2^t) + eps
            s *= inv_sqrt_bc2
            s += self.eps
            np.divide(m, s, out=s)             # theta <- theta - step_size * m / denominator
            s *= step_size
            p.data -= s


class RMSprop(Optimizer):
    """RMSprop as torch.optim.RMSprop (no momentum, not centred); the WGAN paper's optimizer:

        v_t = alpha v_{t-1} + (1 - alpha) g_t^2
        theta <- theta - lr * g_t / (sqrt(v_t) + eps)
    """

    def __init__(self, params, lr, alpha=0.99, eps=1e-8):
        super().__init__(params, lr)
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"RMSprop: alpha must be in [0, 1), got {alpha}")
        self.alpha, self.eps = float(alpha), float(eps)
        self.v = [np.zeros_like(p.data) for p in self.params]

    def _buffers(self):
        return {"v": self.v}

    def step(self):
        self.t += 1
        a = self.alpha
        for p, v in zip(self.params, self.v):
            g = p.grad
            v *= a
            v += (1.0 - a) * (g * g)
            denom = np.sqrt(v)
            denom += self.eps
            p.data -= self.lr * (g / denom)


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}
