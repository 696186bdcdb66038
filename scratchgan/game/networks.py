"""The two players as networks: G maps z to a sample, D maps a sample to a logit, both MLPs by default.

build_generator      G: z_dim -> g_hidden... -> dim, then the data box's affine map
build_discriminator  D: the inverse map, then dim -> d_hidden... -> 1 (a logit); PacGAN packing if asked
(with config.fixes.conditional, both take the label too: a OneHotLabels layer joins onehot(y) to their input)
data_scale           the centre and scale of a dataset's box, which both maps use
"""

import numpy as np

from ..data import data_scale
from ..engine import nn
from ..fixes import packing
from ..fixes.conditional import OneHotLabels
from ..fixes.pieces import PieceFrame, PieceGenerator
from .config import DTYPES


def build_generator(config, data, rng, pieces=None):
    """G: an MLP z_dim (+ latent_classes) -> g_hidden... -> dim (linear output), then x = m + s * output
    (see nn.FixedAffine).

    As in D, the first layer's biases are drawn from U(-1, 1) instead of 0. With zero biases every kink
    w.z + b = 0 of the first layer passes through z = 0, so G(t z) = t G(z) for t > 0: the initial G maps rays
    of latent space to rays, a fan folded around the origin, and the first, large steps of training must undo
    those folds (on grid25, seeds whose fold survives the first few hundred steps leave modes nearly empty).
    Spread biases put the kinks all over the latent box, where G needs them to cut it into one piece per mode.
    pieces: the data's Pieces (config.model.pieces; scratchgan/fixes/pieces.py): the MLP's output is placed in
    the frame of z's class instead, with an affine path from eps beside it: x = m_c + s_c * (A eps + output)
    (PieceGenerator; A is drawn from rng after the MLP)."""
    dtype, model = DTYPES[config.run.dtype], config.model
    z_width = model.z_dim + model.latent_classes
    if model.g_batchnorm:                         # the DCGAN recipe: Linear, BatchNorm, ReLU blocks
        from ..engine.batchnorm import dcgan_generator
        net = dcgan_generator([z_width, *model.g_hidden, data.dim], rng=rng, dtype=dtype)
    else:
        labels = data.n_classes if config.fixes.conditional else 0      # G(z, y): onehot(y) joins z (conditional)
        net = nn.mlp([z_width + labels, *model.g_hidden, data.dim], rng=rng, activation=model.g_activation,
                     dtype=dtype)
        if model.g_first_bias == "uniform":
            first = net.layers[0]
            first.b.data[...] = rng.uniform(-1.0, 1.0, size=first.b.data.shape)
        if config.fixes.conditional:
            net = nn.Sequential(OneHotLabels(data.n_classes), *net.layers)
    if pieces is not None:
        return PieceGenerator(net, pieces, model.z_dim, dtype, rng=rng)
    m, s = data_scale(data)
    return nn.Sequential(*net.layers, nn.FixedAffine(s, m, dtype))


def build_discriminator(config, data, rng, pieces=None):
    """D: (x - m) / s (see nn.FixedAffine), then an MLP dim -> d_hidden... -> 1 whose output is a logit l,
    D(x) = sigmoid(l). The first layer's biases are drawn from U(-1, 1) instead of 0, so its units' kinks
    (hyperplanes w.x + b = 0) spread over the data box instead of all passing through its centre.
    pieces: the data's Pieces (config.model.pieces): D reads x in the frame of its piece, with the piece's
    one-hot, instead of the box's (PieceFrame)."""
    dtype = DTYPES[config.run.dtype]
    k = config.fixes.pack                         # PacGAN: D reads k samples side by side (k = 1: plain D)
    labels = data.n_classes if config.fixes.conditional else 0          # D(x, y): onehot(y) joins x (conditional)
    labels = pieces.K if pieces is not None else labels                 # D([(x - m_k) / s_k, e_k]) (pieces)
    net = nn.mlp([data.dim * k + labels, *config.model.d_hidden, 1], rng=rng, activation=config.model.d_activation,
                 dtype=dtype)
    first = net.layers[0]
    first.b.data[...] = rng.uniform(-1.0, 1.0, size=first.b.data.shape)
    if pieces is not None:
        return nn.Sequential(PieceFrame(pieces, dtype), *net.layers)
    m, s = data_scale(data)
    layers = [OneHotLabels(data.n_classes)] if config.fixes.conditional else []
    D = nn.Sequential(nn.FixedAffine(np.tile(1.0 / s, k), np.tile(-m / s, k), dtype), *layers, *net.layers)
    return packing.Packed(D, k) if k > 1 else D
