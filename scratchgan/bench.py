"""Speed of one training step: the reference configuration, timed.

The step is the Trainer's own (Trainer.train_step) in the reference configuration:

- data: ring8, 8 Gaussians on a circle of radius 2 with std 0.02, fresh samples every step
- G: z in R^16 ~ N(0, I) -> Linear 128 -> ReLU -> Linear 128 -> ReLU -> Linear 2
- D: 2 -> Linear 128 -> LeakyReLU(0.2) -> Linear 128 -> LeakyReLU(0.2) -> Linear 1 (a logit)
- 256 real + 256 generated samples per step, the non-saturating loss, k = 1
- Adam (lr 1e-4, betas (0.5, 0.999), eps 1e-8) on both networks, constant learning rates; float32 unless
  asked otherwise
- one BLAS thread (scratchgan/__init__.py asks for one unless the user has set OPENBLAS_NUM_THREADS,
  OMP_NUM_THREADS or MKL_NUM_THREADS)

One step = one D update plus one G update; `warmup` untimed steps come first (100 by default), then
`steps` timed steps (2000 by default), timed by the wall clock. `python -m scratchgan bench` prints the
result as its last line, `<number> steps/s`. The same step written in PyTorch is benchmarks/torch_step.py
in the repository, and benchmarks/compare.py runs the two alternately and prints the median ratio
scratchgan/PyTorch; benchmarks/README.md says how to run it and read it.
"""

import resource
import time
import tracemalloc

from .game.config import TrainConfig
from .game.trainer import Trainer

REFERENCE = """\
data: ring8 (8 Gaussians on a circle of radius 2, std 0.02), fresh samples every step
G: z in R^16 ~ N(0, I) -> Linear 128 -> ReLU -> Linear 128 -> ReLU -> Linear 2
D: 2 -> Linear 128 -> LeakyReLU(0.2) -> Linear 128 -> LeakyReLU(0.2) -> Linear 1 (logit)
batch 256 real + 256 fake; non-saturating loss; k = 1
Adam lr 1e-4, betas (0.5, 0.999), eps 1e-8, on both networks; float32; one thread
one step = one D update + one G update; warm-up steps, then timed steps (wall clock)
PyTorch peer and comparison: benchmarks/ in the repository (torch_step.py, compare.py)"""


def reference_config(dtype="float32", seed=0, steps=2100):
    """The TrainConfig of the reference step (constant learning rates, no EMA, no evaluations)."""
    return TrainConfig.of(data="ring8", loss="nonsaturating", steps=steps, k=1, batch=256, lr_d=1e-4, lr_g=1e-4,
                       beta1=0.5, beta2=0.999, z_dim=16, g_hidden=(128, 128), d_hidden=(128, 128),
                       g_activation="relu", d_activation="leaky_relu", lr_final=1.0, ema=0.0,
                       eval_every=0, dtype=dtype, seed=seed)


def run_bench(steps=2000, warmup=100, dtype="float32", seed=0):
    """Build the reference trainer, run `warmup` untimed steps, then time `steps` steps.

    Returns (steps_per_second, trainer). Steps are timed with time.perf_counter (wall clock)."""
    if steps <= 0 or warmup < 0:
        raise ValueError(f"bench needs steps > 0 and warmup >= 0, got steps={steps}, warmup={warmup}")
    trainer = Trainer(reference_config(dtype, seed, steps=warmup + steps))
    for _ in range(warmup):
        trainer.train_step()
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    elapsed = time.perf_counter() - start
    return steps / elapsed, trainer


def peak_memory(dtype="float32", steps=10, seed=0):
    """Peak bytes allocated (tracemalloc, which sees NumPy's arrays) while building the reference trainer
    and running `steps` steps: the step's working set. Measured apart from the timed run (tracing slows
    allocations down)."""
    tracemalloc.start()
    try:
        trainer = Trainer(reference_config(dtype, seed, steps=steps))
        for _ in range(steps):
            trainer.train_step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def max_rss_bytes():
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
