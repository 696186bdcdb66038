"""The old home of the training code (scratchgan 0.1.0), kept so that scripts written for it still import.

Its contents now live one idea per module; new code should import from there:
    gan_backward   discriminator_backward, generator_backward
    config         TrainConfig, DTYPES, DEFAULT_CONFIGS, PRESETS, default_config, validate_fixes
    networks       build_generator, build_discriminator, data_scale   (FixedAffine: scratchgan.nn)
    trainer        Trainer, TrainingDiverged, make_optimizer, grad_norm, HISTORY_KEYS
    sampling       sample, propose, ratio_discriminator, two_sample_check
    run            train_with_restarts, train_to_the_end, final_metrics
"""

from .config import DEFAULT_CONFIGS, DTYPES, PRESETS, TrainConfig, default_config, validate_fixes  # noqa: F401
from .data import DATASETS, NOISE_KINDS, get_dataset, sample_noise  # noqa: F401
from .gan_backward import discriminator_backward, generator_backward  # noqa: F401
from .networks import build_discriminator, build_generator, data_scale  # noqa: F401
from .nn import FixedAffine  # noqa: F401
from .run import final_metrics, train_to_the_end, train_with_restarts  # noqa: F401
from .fixes import MMD_BANDWIDTHS, MMD_BATCH  # noqa: F401
from .trainer import HISTORY_KEYS, Trainer, TrainingDiverged, grad_norm, make_optimizer  # noqa: F401
