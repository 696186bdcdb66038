"""Self-conditioning on the data's pieces: each piece gets a class of G's code and a frame of its own (issue 22).

scratchgan.data.pieces finds the data's K pieces (the components of a graph that joins points a few local
spacings apart: the clouds of a mixture), each with its share w_k, mean m_k and per-coordinate standard
deviation s_k. Two things change:

G, the code. z = (eps, a e_c) carries one class per piece (scratchgan.data.latent), drawn with the pieces'
shares, c ~ w, and G places its output in the frame of its piece:

    G(z) = m_c + s_c * (A eps + G'(z))                (PieceGenerator; * elementwise)

so G only has to draw a cloud of about unit width around 0 for each class, the same task for every piece.
A eps + b is an affine path from the noise, beside the MLP G' (as in a residual block): a Gaussian cloud is
its plain part, and G' bends it into the piece's shape. Without it G' had to build each Gaussian out of the
kinks or saturations of its units, and the run's local two-sample test saw the seams (docs/modes.md).

D, the frame. D looks at each point in the frame of its piece, with the piece's one-hot e_k:

    D(x, k) = D'([(x - m_k) / s_k, e_k])          (PieceFrame)

k is a real point's own piece (the piece of its nearest anchor, Pieces.assign) and a generated point's class c,
the piece it was made for: during training D is conditioned on the piece as in a conditional GAN, with the
pieces as labels (PieceLabels sets them for each pass). So a sample of class c that strays onto another piece
is judged against piece c's data, where it is out of place: G cannot send two classes to one piece (without
this, on the two moons, both classes went to one moon). Outside training (the plots, rejection sampling, the
checks) no label is set, and D reads each point in the frame of the piece it falls in: a function of x alone.

Why the frame. A mode of std 0.02 in a box of width 5 is below the resolution of D's features when D
standardises by the box: a G that squeezes every mode to a third of its width pays almost nothing for it,
and training does squeeze (docs/modes.md). In the piece's frame each mode is about a unit cloud, whose
width D resolves as well as it resolves the width of a single Gaussian. With the piece as the label, the game
is the conditional one: D learns pi(x | k) / (pi(x | k) + p(x | k)) for each piece, and p = pi is still its
optimum, since the classes are drawn with the pieces' shares (docs/conditional.md has the derivation).

Derivations (k fixed within a piece; labels and frames are constants):
    PieceGenerator   x = m_c + s_c h,  h = G'(z) + A eps + b
                                                       dL/dh = s_c * dL/dx, into G' and into A, b;
                                                       dL/deps = (G'.backward)_eps + dL/dh A^T
    PieceFrame       u = (x - m_k) / s_k               dL/dx = dL/du / s_k   (the e_k block has no x in it)

The clustering is the self-conditioned GAN's (Liu et al. 2020), done on the data rather than on D's features;
the per-piece generators and frames are those of partition-guided GANs (Armandpour et al. 2021), with one G
shared by all pieces through the code.

PieceGenerator   G = m_c + s_c * (A eps + G'(z)), c read from z's code
PieceFrame       D's first layer: x -> [(x - m_k) / s_k, e_k], k the label set for the pass, else x's piece
PieceLabels      the fix that labels D's passes in training: real points by their piece, fakes by their class
"""

import numpy as np

from ..data.latent import latent_class
from ..engine.nn import _check_grad, _check_input, Linear, Module, Sequential
from .base import Fix


class PieceGenerator(Module):
    """x = m_c + s_c * (A eps + net(z)): (n, z_dim + K) -> (n, d), c the class of z's code (latent.latent_class).

    net: G' (a Module z -> (n, d)); pieces: scratchgan.data.pieces.Pieces with K pieces; z_dim: the width of
    eps, z's continuous part, its first z_dim columns. A eps + b is a Linear layer (z_dim -> d, He-initialised
    from rng), the affine path: with it, a Gaussian cloud in the piece's frame is the plain part of G, and G'
    learns only how the piece departs from one. Its parameters are net's, then A and b."""

    def __init__(self, net, pieces, z_dim, dtype=np.float32, *, rng):
        self.net, self.z_dim = net, int(z_dim)
        self.affine = Linear(self.z_dim, pieces.mean.shape[1], rng=rng, dtype=dtype)
        self.mean = pieces.mean.astype(dtype)
        self.scale = pieces.scale.astype(dtype)

    def __repr__(self):
        return f"PieceGenerator({self.net!r} + {self.affine!r} of eps, K={len(self.mean)})"

    def parameters(self):
        return self.net.parameters() + self.affine.parameters()

    def train(self, mode=True):
        self.training = mode
        self.net.train(mode)
        return self

    def forward(self, z):
        self.c = latent_class(z, self.z_dim)
        h = self.net.forward(z) + self.affine.forward(z[:, :self.z_dim])     # h = G'(z) + A eps + b
        return self.mean[self.c] + self.scale[self.c] * h

    def backward(self, dy, need_dx=True):
        dh = dy * self.scale[self.c]                      # x = m_c + s_c h  ->  dL/dh = s_c dL/dx
        d_eps = self.affine.backward(dh, need_dx=need_dx)  # h = G'(z) + A eps + b: both paths get dL/dh
        if isinstance(self.net, Sequential):
            dz = self.net.backward(dh, need_dx=need_dx)
        else:
            dz = self.net.backward(dh)
        if need_dx:
            dz[:, :self.z_dim] += d_eps                   # eps feeds both paths: their gradients add
        return dz


class PieceFrame(Module):
    """u = [(x - m_k) / s_k, e_k]: (n, d) -> (n, d + K);  dx = du[:, :d] / s_k.

    No parameters. Each row is measured in the frame of piece k and carries its one-hot e_k, so D's first
    Linear layer gives each piece a bias of its own. k: .labels, (n,) ints set for the next forward pass only
    (PieceLabels does it in training), else the piece each row falls in (pieces.assign)."""

    def __init__(self, pieces, dtype=np.float32):
        self.pieces = pieces
        self.mean = pieces.mean.astype(dtype)
        self.inv_scale = (1.0 / pieces.scale).astype(dtype)
        self.K = len(self.mean)
        self.labels = None

    def __repr__(self):
        return f"PieceFrame(K={self.K})"

    def forward(self, x):
        _check_input(self, x, self.mean.shape[1])
        n, d = x.shape
        if self.labels is None:
            self.k = self.pieces.assign(x)
        elif len(self.labels) != n:
            raise ValueError(f"{self!r}: {len(self.labels)} labels set for a batch of {n} rows")
        else:
            self.k, self.labels = self.labels, None          # used by this pass only
        out = np.zeros((n, d + self.K), dtype=x.dtype)
        out[:, :d] = (x - self.mean[self.k]) * self.inv_scale[self.k]
        out[np.arange(n), d + self.k] = 1.0
        self.y_shape = out.shape
        return out

    def backward(self, du):
        _check_grad(self, du, self.y_shape)
        d = self.mean.shape[1]
        return du[:, :d] * self.inv_scale[self.k]           # u = (x - m_k) / s_k  ->  dL/dx = dL/du / s_k


def piece_frame(D):
    """D's PieceFrame layer: D itself, or the first layer of a Sequential D; None if D has none."""
    if isinstance(D, PieceFrame):
        return D
    if isinstance(D, Sequential) and D.layers and isinstance(D.layers[0], PieceFrame):
        return D.layers[0]
    return None


class ClassLabelling(Module):
    """G as the G-step's D sees it: forward(z) = G(z), and D's frame is told the class of each sample for its
    next pass (the class c of z's code, PieceGenerator.c). backward is G's."""

    def __init__(self, G, frame):
        self.G, self.frame = G, frame

    def parameters(self):
        return self.G.parameters()

    def forward(self, z):
        x = self.G.forward(z)
        self.frame.labels = self.G.c
        return x

    def backward(self, dy, need_dx=True):
        return self.G.backward(dy, need_dx=need_dx)


class PieceLabels(Fix):
    """D(x, k) in training: the real batch labelled by its pieces, the fake batch by the classes it was made
    for (the D-step's x_fake = G(z) was the generator's last pass), and the G-step's samples likewise."""

    name = "pieces"

    def __init__(self, frame):
        self.frame = frame

    def d_inputs(self, trainer, D, x_real, x_fake):
        # D's pass is over the stacked batch [x_real; x_fake] (engine.gan_backward.discriminator_backward)
        self.frame.labels = np.concatenate([self.frame.pieces.assign(x_real), trainer.G.c])
        return D, x_real, x_fake

    def g_generator(self, trainer, G):
        return ClassLabelling(G, self.frame)
