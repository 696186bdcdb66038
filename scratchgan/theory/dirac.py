"""The Dirac-GAN (Mescheder et al. 2018, "Which training methods for GANs actually converge?"): the
smallest GAN, small enough to solve by hand, built from the library's own parts.

    data:           pi = delta_0, a point mass at 0
    generator:      G(z) = theta, a point mass at theta         (Shift: a Linear(1, 1), W fixed at 0, b = theta)
    discriminator:  D(x) = psi * x, a logit                     (Scale: a Linear(1, 1), b fixed at 0, W = psi)

The unique equilibrium is (theta, psi) = (0, 0). With the standard objective the game is
V(theta, psi) = f(D(0)) + f(-D(theta)) = log(1/2) + f(-psi theta), f(t) = log sigmoid(t), so

    G descends V:   d theta/dt = -dV/dtheta =  psi f'(-psi theta)
    D ascends V:    d psi/dt   =  dV/dpsi   = -theta f'(-psi theta)

and the Jacobian of this vector field at (0, 0) is

    J = [[ 0,      f'(0)],
         [-f'(0),  0    ]]        with f'(0) = sigmoid(0) = 1/2: eigenvalues +- i/2.

Purely imaginary eigenvalues: the continuous dynamics circle the equilibrium forever. Near (0, 0) a
simultaneous gradient step of size h is, to first order, the map I + h J, which is sqrt(1 + h^2/4) times a
rotation: each step multiplies the distance to (0, 0) by about sqrt(1 + h^2/4) > 1. With the minimax
objective the exact factor is known at any distance: both gradients carry s = sigmoid(psi theta), the step
h s (psi, -theta) is orthogonal to (theta, psi), so the distance grows by exactly sqrt(1 + h^2 s^2), which is
sqrt(1 + h^2/4) only where psi theta = 0. Simultaneous GAN training spirals out. Alternating steps (D first,
then G against the new D) give, near (0, 0), a map of determinant 1 whose eigenvalues lie on the unit circle
for h < 4: it circles at a constant "radius" (an ellipse) and never converges.
R1 adds gamma * psi to D's gradient (R1 = (gamma/2) psi^2, since grad_x D = psi), so

    J_R1 = [[ 0,      1/2   ],
            [-1/2,   -gamma ]]    eigenvalues (-gamma +- sqrt(gamma^2 - 1)) / 2, real part < 0,

and small enough steps converge. The functions below take these steps with the library's Linear,
losses, discriminator_backward / generator_backward, penalties and SGD, and give the analytic step matrices
to compare with.
"""

import numpy as np

from ..engine.gan_backward import discriminator_backward, generator_backward
from ..engine.losses import get_loss
from ..engine.nn import Linear
from ..engine.optim import SGD
from ..fixes.penalties import gradient_penalty, interpolates, r1
from ..game.config import TrainConfig
from ..game.trainer import Trainer

MODES = ("simultaneous", "alternating")


class Scale(Linear):
    """D(x) = psi * x: a Linear(1, 1) whose bias is fixed at 0 and is not a parameter (so no optimizer and
    no requires_grad_ toggling ever touches it). psi = self.W.data[0, 0]."""

    def __init__(self, psi, dtype=np.float64):
        super().__init__(1, 1, rng=np.random.default_rng(0), dtype=dtype)
        self.W.data[...] = psi
        self.b.requires_grad = False

    def __repr__(self):
        return "Scale(psi)"

    def parameters(self):
        return [self.W]


class Shift(Linear):
    """G(z) = theta: a Linear(1, 1) whose weight is fixed at 0 (not a parameter); theta = self.b.data[0]."""

    def __init__(self, theta, dtype=np.float64):
        super().__init__(1, 1, rng=np.random.default_rng(0), dtype=dtype)
        self.W.data[...] = 0.0
        self.W.requires_grad = False
        self.b.data[...] = theta

    def __repr__(self):
        return "Shift(theta)"

    def parameters(self):
        return [self.b]


class PointMass:
    """The data distribution delta_0 as a dataset for the Trainer: sample(n, rng) is n zeros, shape (n, 1)."""

    name, dim, centers, std = "dirac", 1, None, 0.0
    bounds = np.array([[-1.0, 1.0]])

    def sample(self, n, rng=None, dtype=np.float64):
        return np.zeros((int(n), 1), dtype=dtype)


def dirac_trainer(theta, psi, *, h=0.1, objective="minimax", penalty="none", weight=0.0):
    """The library's Trainer on the Dirac-GAN: Shift as G, Scale as D, PointMass as data, plain SGD of step
    h for both, one D-step per G-step. Its train_step is an ALTERNATING step (D first, then G)."""
    config = TrainConfig.of(data="gaussian", loss=objective, steps=10 ** 6, k=1, batch=1, lr_d=h, lr_g=h,
                         optimizer="sgd", z_dim=1, ema=0.0, dtype="float64", penalty=penalty,
                         penalty_weight=weight)
    return Trainer(config, G=Shift(theta), D=Scale(psi), data=PointMass())


class DiracGAN:
    """The two one-parameter players, the data point 0 and the optimizers, as library objects.

    theta = G.b.data[0], psi = D.W.data[0, 0]. objective: a loss object or name (losses.LOSSES).
    penalty: None, "r1" (on the real point 0) or "gp" (WGAN-GP on interpolates between 0 and theta);
    weight: gamma for r1, lambda for gp. h: the SGD step size of both players. float64 throughout.
    """

    def __init__(self, theta, psi, *, objective="minimax", h=0.1, penalty=None, weight=0.0, seed=0):
        if penalty not in (None, "r1", "gp"):
            raise ValueError(f"DiracGAN: penalty must be None, 'r1' or 'gp', got {penalty!r}")
        rng = np.random.default_rng(seed)
        self.G = Shift(theta)                        # G(z) = theta: a point mass at theta
        self.D = Scale(psi)                          # D(x) = psi * x
        self.objective = get_loss(objective) if isinstance(objective, str) else objective
        self.opt_G = SGD(self.G.parameters(), lr=h)  # theta and psi are the only parameters
        self.opt_D = SGD(self.D.parameters(), lr=h)
        self.penalty, self.weight = penalty, float(weight)
        self.rng = rng
        self.x_real = np.zeros((1, 1))               # the data: a point mass at 0
        self.z = np.zeros((1, 1))                    # G ignores z

    @property
    def point(self):
        """(theta, psi) as a float64 array of shape (2,)."""
        return np.array([self.G.b.data[0], self.D.W.data[0, 0]])

    def _d_gradient(self):
        """D's gradient at the current point, into D.W.grad: loss plus penalty."""
        self.D.zero_grad()
        x_fake = self.G.forward(self.z)
        discriminator_backward(self.D, self.objective, self.x_real, x_fake)
        if self.penalty == "r1":
            r1(self.D, self.x_real, self.weight)
        elif self.penalty == "gp":
            gradient_penalty(self.D, interpolates(self.x_real, x_fake, self.rng), self.weight)

    def _g_gradient(self):
        self.G.zero_grad()
        generator_backward(self.G, self.D, self.objective, self.z)

    def step(self, mode="simultaneous"):
        """One step of both players. simultaneous: both gradients at the same point, then both updates.
        alternating: D's update first, then G's gradient against the updated D."""
        if mode == "simultaneous":
            self._d_gradient()
            self._g_gradient()
            self.opt_D.step()
            self.opt_G.step()
        elif mode == "alternating":
            self._d_gradient()
            self.opt_D.step()
            self._g_gradient()
            self.opt_G.step()
        else:
            raise ValueError(f"unknown update mode {mode!r}; choose one of: {', '.join(MODES)}")

    def run(self, steps, mode="simultaneous"):
        """The trajectory: (steps + 1, 2) array of (theta, psi), starting point included."""
        path = [self.point]
        for _ in range(int(steps)):
            self.step(mode)
            path.append(self.point)
        return np.array(path)


def jacobian(gamma=0.0, fprime0=0.5):
    """The Jacobian at (0, 0) of the gradient vector field (d theta/dt, d psi/dt), R1 weight gamma."""
    return np.array([[0.0, fprime0], [-fprime0, -gamma]])


def step_matrix(h, mode="simultaneous", gamma=0.0, fprime0=0.5):
    """The linearised map (theta, psi) -> next (theta, psi) of one step of size h near (0, 0).

    simultaneous: I + h J.
    alternating:  first D: psi' = psi + h (-f'(0) theta - gamma psi), then G: theta' = theta + h f'(0) psi',
                  i.e. the product [[1, h f'(0)], [0, 1]] @ [[1, 0], [-h f'(0), 1 - h gamma]].
    """
    if mode == "simultaneous":
        return np.eye(2) + h * jacobian(gamma, fprime0)
    if mode == "alternating":
        d_step = np.array([[1.0, 0.0], [-h * fprime0, 1.0 - h * gamma]])
        g_step = np.array([[1.0, h * fprime0], [0.0, 1.0]])
        return g_step @ d_step
    raise ValueError(f"unknown update mode {mode!r}; choose one of: {', '.join(MODES)}")


def spectral_radius(matrix):
    """The largest |eigenvalue|: the asymptotic factor by which the distance to (0, 0) changes per step."""
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def fit_step_matrix(path):
    """The 2 x 2 matrix M that best maps each point of a trajectory to the next (least squares):
    path[1:] ~ path[:-1] @ M^T. Near (0, 0) the library's steps are linear, so M is measured there."""
    M_T, *_ = np.linalg.lstsq(path[:-1], path[1:], rcond=None)
    return M_T.T
