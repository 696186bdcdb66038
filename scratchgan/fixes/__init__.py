"""The fixes: each one a page of its own, with its formula, its paper and the piece that plugs it into the loop.

    base.py                   Fix (the hooks of the loop) and Fixes (a run's list of them)
    instance_noise.py         D sees x + sigma_t N(0, I), real and fake alike          Sonderby et al. 2016
    packing.py                D judges m samples at once                              PacGAN, Lin et al. 2018
    penalties.py              + lambda E (||grad D(x_hat)|| - 1)^2, or + gamma/2 E ||grad D(x)||^2   WGAN-GP, R1
    clipping.py               D's weights clipped to [-c, c]                          WGAN, Arjovsky et al. 2017
    historical_averaging.py   + w ||theta - mean of past theta||^2                    Salimans et al. 2016
    feature_matching.py       L_G = ||E d(x) - E d(G(z))||^2                          Salimans et al. 2016
    mmd.py                    + w MMD^2(G(z), x) on G's loss, wide or at the data's scale   Li et al. 2015
    ema.py                    sampling from a moving average of G's weights           Yazici et al. 2019
    learned_prior.py          the latent code's class weights learned, empty ones pruned   DMWGAN, Khayatkhoei 2018
    conditional.py            G(z, y) and D(x, y)                                     Mirza & Osindero 2014
    pieces.py                 the data's pieces as G's classes, each in a frame of its own    Liu et al. 2020
    warmstart.py              G first fitted to the data's mean and covariance
    truncation.py, rejection.py   the filters of sampling after training (Tanielian et al. 2020; Azadi et al. 2019)

Label smoothing lives in the loss (losses.Minimax(real_label=1 - alpha)), the DCGAN blocks in engine/batchnorm.py.
from_config below is the list of pieces a TrainConfig switches on; Trainer(config, fixes=[...]) adds your own.
"""

from .base import Fix, Fixes
from .clipping import WeightClipping
from .conditional import ConditionalLabels
from .ema import EMA
from .feature_matching import FeatureMatching
from .historical_averaging import HistoricalAveraging
from .instance_noise import InstanceNoise
from .learned_prior import LearnedPriorStep
from .mmd import LocalMMDTerm, MMDTerm
from .packing import Packing
from .penalties import GradientPenalty, R1
from .pieces import piece_frame, PieceLabels


def from_config(trainer):
    """The pieces trainer.config switches on, in the order they act within each hook."""
    cfg, fixes = trainer.config, []
    if cfg.fixes.conditional:
        fixes.append(ConditionalLabels())
    frame = piece_frame(trainer.D) if trainer.pieces is not None else None
    if frame is not None:
        fixes.append(PieceLabels(frame))
    if cfg.fixes.instance_noise:
        fixes.append(InstanceNoise(cfg.fixes.instance_noise, cfg.fixes.instance_noise_until, trainer.rng))
    if cfg.fixes.pack > 1:
        fixes.append(Packing(cfg.fixes.pack))
    if cfg.fixes.penalty == "gp":
        fixes.append(GradientPenalty(cfg.fixes.penalty_weight))
    elif cfg.fixes.penalty == "r1":
        fixes.append(R1(cfg.fixes.penalty_weight))
    if cfg.fixes.clip:
        fixes.append(WeightClipping(cfg.fixes.clip))
    if cfg.fixes.feature_matching:
        fixes.append(FeatureMatching())
    if cfg.fixes.mmd:
        fixes.append(MMDTerm(cfg.fixes.mmd))
    if cfg.fixes.local_mmd:
        fixes.append(LocalMMDTerm(cfg.fixes.local_mmd))
    if cfg.fixes.hist_avg:
        fixes.append(HistoricalAveraging(trainer.D, trainer.G, cfg.fixes.hist_avg))
    if trainer.prior is not None:
        fixes.append(LearnedPriorStep(trainer.prior))
    if trainer.ema is not None:
        fixes.append(EMA(trainer.ema))
    return fixes
