"""Self-conditioning on the data's pieces: each piece gets a class of G's code and a frame of its own (issue 22).

scratchgan.data.pieces finds the data's K pieces (the components of its nearest-neighbour graph: the clouds
of a mixture), each with its share w_k, mean m_k and per-coordinate standard deviation s_k. Two things change:

G, the code. z = (eps, a e_c) carries one class per piece (scratchgan.data.latent), drawn with the pieces'
shares, c ~ w, and G places its output in the frame of its piece:

    G(z) = m_c + s_c * G'(z)                          (PieceGenerator; * elementwise)

so G' only has to draw a cloud of about unit width around 0 for each class, the same task for every piece.

D, the frame. D looks at each point in the frame of the piece it falls in (the piece of its nearest
reference point, Pieces.assign):

    D(x) = D'([(x - m_k) / s_k, e_k]),   k = piece(x)          (PieceFrame; e_k one-hot)

Why the frame. A mode of std 0.02 in a box of width 5 is below the resolution of D's features when D
standardises by the box: a G that squeezes every mode to a third of its width pays almost nothing for it,
and training does squeeze (docs/modes.md). In the piece's frame each mode is about a unit cloud, whose
width D resolves as well as it resolves the width of a single Gaussian. D is still a function of x alone,
D(x) = D'(T(x)) with T piecewise smooth, so the game and its optimum D* = pi / (pi + p) are the vanilla
ones; T is constant in k except on the boundaries between pieces, far from the data.

Derivations (k fixed within a piece; labels and frames are constants):
    PieceGenerator   x = m_c + s_c h,  h = G'(z)       dL/dh = s_c * dL/dx, then G'.backward
    PieceFrame       u = (x - m_k) / s_k               dL/dx = dL/du / s_k   (the e_k block has no x in it)

The clustering is the self-conditioned GAN's (Liu et al. 2020), done on the data rather than on D's features;
the per-piece generators and frames are those of partition-guided GANs (Armandpour et al. 2021), with one G
shared by all pieces through the code.

PieceGenerator   G = m_c + s_c * G'(z), c read from z's code
PieceFrame       D's first layer: x -> [(x - m_k) / s_k, e_k]
"""

import numpy as np

from ..data.latent import latent_class
from ..engine.nn import _check_grad, _check_input, Module, Sequential


class PieceGenerator(Module):
    """x = m_c + s_c * net(z): (n, z_dim + K) -> (n, d), c the class of z's code (data.latent.latent_class).

    net: G' (a Module z -> h of shape (n, d)); pieces: scratchgan.data.pieces.Pieces with K pieces; z_dim: the
    width of eps, z's continuous part. Its parameters are net's."""

    def __init__(self, net, pieces, z_dim, dtype=np.float32):
        self.net, self.z_dim = net, int(z_dim)
        self.mean = pieces.mean.astype(dtype)
        self.scale = pieces.scale.astype(dtype)

    def __repr__(self):
        return f"PieceGenerator({self.net!r}, K={len(self.mean)})"

    def parameters(self):
        return self.net.parameters()

    def train(self, mode=True):
        self.training = mode
        self.net.train(mode)
        return self

    def forward(self, z):
        self.c = latent_class(z, self.z_dim)
        h = self.net.forward(z)
        return self.mean[self.c] + self.scale[self.c] * h

    def backward(self, dy, need_dx=True):
        dh = dy * self.scale[self.c]                      # x = m_c + s_c h  ->  dL/dh = s_c dL/dx
        if isinstance(self.net, Sequential):
            return self.net.backward(dh, need_dx=need_dx)
        return self.net.backward(dh)


class PieceFrame(Module):
    """u = [(x - m_k) / s_k, e_k], k = pieces.assign(x): (n, d) -> (n, d + K);  dx = du[:, :d] / s_k.

    No parameters. Each row is measured in the frame of the piece it falls in and carries that piece's
    one-hot e_k, so D's first Linear layer gives each piece a bias of its own."""

    def __init__(self, pieces, dtype=np.float32):
        self.pieces = pieces
        self.mean = pieces.mean.astype(dtype)
        self.inv_scale = (1.0 / pieces.scale).astype(dtype)
        self.K = len(self.mean)

    def __repr__(self):
        return f"PieceFrame(K={self.K})"

    def forward(self, x):
        _check_input(self, x, self.mean.shape[1])
        n, d = x.shape
        self.k = self.pieces.assign(x)
        out = np.zeros((n, d + self.K), dtype=x.dtype)
        out[:, :d] = (x - self.mean[self.k]) * self.inv_scale[self.k]
        out[np.arange(n), d + self.k] = 1.0
        self.y_shape = out.shape
        return out

    def backward(self, du):
        _check_grad(self, du, self.y_shape)
        d = self.mean.shape[1]
        return du[:, :d] * self.inv_scale[self.k]           # u = (x - m_k) / s_k  ->  dL/dx = dL/du / s_k
