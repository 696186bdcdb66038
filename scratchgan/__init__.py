"""scratchgan: generative adversarial networks from scratch in NumPy.

Reading path: nn (layers and backprop) -> losses (GAN objectives) -> optim -> gradcheck -> gan_backward (the two
gradients of a GAN step) -> config, networks -> trainer (Algorithm 1) -> sampling -> run; the README has the map.
"""

import os

# Toy GANs multiply small matrices (a few hundred rows by 128 columns). For these, a multi-threaded BLAS
# spends more time waking and synchronising threads than multiplying: one thread is about 3x faster on a
# 2-core machine. We ask for one thread unless the user has chosen otherwise; this only works when
# scratchgan is imported before NumPy (as `python -m scratchgan` does).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")



def _keep_freed_memory_for_reuse():
    """Speed only, no math: ask glibc's malloc to keep freed memory for the next allocation.

    A training step allocates and frees the same few arrays of 128-256 KiB (activations, gradients) every
    step. By default glibc serves such sizes with mmap, or hands freed memory back to the system when the top
    of the heap grows past 128 KiB, so each step the kernel maps fresh zeroed pages again: about 160 page
    faults, some 10% of a step. With both thresholds at 64 MiB the freed blocks are reused instead. Does
    nothing where the C library is not glibc (macOS, Windows, musl)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3      # mallopt parameter numbers of glibc's malloc.h
        libc.mallopt(M_MMAP_THRESHOLD, 64 << 20)
        libc.mallopt(M_TRIM_THRESHOLD, 64 << 20)
    except (OSError, AttributeError):
        pass


_keep_freed_memory_for_reuse()

__version__ = "0.1.0"

from .game.run import load_run  # noqa: E402  (after the BLAS settings above, which must precede NumPy)
