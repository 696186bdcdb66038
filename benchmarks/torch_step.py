#!/usr/bin/env python3
"""The reference toy-GAN training step, written the ordinary way in PyTorch (CPU), timed.

This is the peer that `python -m scratchgan bench` is held against: the same work, in the library a user
would otherwise reach for. The configuration is the one scratchgan.bench.REFERENCE describes:

- data: ring8, 8 Gaussians on a circle of radius 2 with std 0.02, fresh samples every step
- G: z in R^16 ~ N(0, I) -> Linear 128 -> ReLU -> Linear 128 -> ReLU -> Linear 2
- D: 2 -> Linear 128 -> LeakyReLU(0.2) -> Linear 128 -> LeakyReLU(0.2) -> Linear 1 (a logit)
- 256 real + 256 generated samples per step, the non-saturating loss, k = 1
- Adam, lr 1e-4, betas (0.5, 0.999), eps 1e-8, on both networks; float32 (float64 with --float64)
- one step = one D update (G(z) detached) and then one G update on a fresh z

Threads: one (torch.set_num_threads(1), changeable with --threads). scratchgan asks its BLAS for one thread
when it is imported (scratchgan/__init__.py sets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS
to 1 unless already set), so one PyTorch thread makes the comparison like for like.

Usage (in an environment that has torch; benchmarks/compare.py makes one):

    python benchmarks/torch_step.py [--steps 2000] [--warmup 100] [--float64] [--threads 1]

The options mirror `python -m scratchgan bench`. The last line printed is `<number> steps/s`, the form
compare.py reads.
"""

import argparse
import math
import time

import torch
from torch import nn


def build(dtype, batch=256, z_dim=16, hidden=128, seed=0):
    """The reference networks, optimisers and one-step function."""
    torch.manual_seed(seed)
    G = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(),
                      nn.Linear(hidden, hidden), nn.ReLU(),
                      nn.Linear(hidden, 2)).to(dtype)
    D = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2),
                      nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                      nn.Linear(hidden, 1)).to(dtype)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.5, 0.999), eps=1e-8)
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.5, 0.999), eps=1e-8)
    # Non-saturating GAN: D minimises BCE(D(x), 1) + BCE(D(G(z)), 0); G minimises BCE(D(G(z)), 1).
    bce = nn.BCEWithLogitsLoss()
    ones = torch.ones(batch, 1, dtype=dtype)
    zeros = torch.zeros(batch, 1, dtype=dtype)
    angles = [2 * math.pi * i / 8 for i in range(8)]
    centers = 2.0 * torch.tensor([[math.cos(a), math.sin(a)] for a in angles], dtype=dtype)

    def real_batch():
        k = torch.randint(0, 8, (batch,))
        return centers[k] + 0.02 * torch.randn(batch, 2, dtype=dtype)

    def step():
        x = real_batch()
        fake = G(torch.randn(batch, z_dim, dtype=dtype)).detach()   # D's step treats G(z) as a constant
        opt_d.zero_grad()
        loss_d = bce(D(x), ones) + bce(D(fake), zeros)
        loss_d.backward()
        opt_d.step()

        opt_g.zero_grad()
        loss_g = bce(D(G(torch.randn(batch, z_dim, dtype=dtype))), ones)
        loss_g.backward()                          # also fills D's .grad; zeroed before D's next step
        opt_g.step()

    return step


def run(steps=2000, warmup=100, dtype=torch.float32):
    """Run `warmup` untimed steps, then time `steps` steps (wall clock); returns steps per second."""
    if steps <= 0 or warmup < 0:
        raise SystemExit(f"torch_step needs steps > 0 and warmup >= 0, got steps={steps}, warmup={warmup}")
    step = build(dtype)
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time the reference GAN training step in PyTorch (CPU). "
                                                 "Last line: N steps/s.")
    parser.add_argument("--steps", type=int, default=2000, help="timed steps (default 2000)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed steps first (default 100)")
    parser.add_argument("--float64", action="store_true", help="run in float64 instead of float32")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1, as scratchgan)")
    args = parser.parse_args(argv)
    if args.steps <= 0 or args.warmup < 0 or args.threads < 1:
        parser.error("needs --steps > 0, --warmup >= 0 and --threads >= 1")

    torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.float64 else torch.float32
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} thread(s), {str(dtype).replace('torch.', '')}; "
          f"{args.warmup} warm-up steps, {args.steps} timed")
    rate = run(args.steps, args.warmup, dtype)
    print(f"{rate:.1f} steps/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
