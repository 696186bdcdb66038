"""scratchgan: generative adversarial networks from scratch in NumPy.

Reading path: nn (layers and backprop) -> losses (GAN objectives) -> optim -> gradcheck -> training.
"""

import os

# Toy GANs multiply small matrices (a few hundred rows by 128 columns). For these, a multi-threaded BLAS
# spends more time waking and synchronising threads than multiplying: one thread is about 3x faster on a
# 2-core machine. We ask for one thread unless the user has chosen otherwise; this only works when
# scratchgan is imported before NumPy (as `python -m scratchgan` does).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
