"""`scratchgan bench`: time the reference training step (scratchgan.bench); the last line is `N steps/s`.

The reference configuration is stated once, in scratchgan.bench (its docstring and REFERENCE), and printed by
`scratchgan bench --help`: ring8, G 16-128-128-2 (ReLU), D 2-128-128-1 (LeakyReLU 0.2), batch 256 + 256, the
non-saturating loss, k = 1, Adam lr 1e-4 betas (0.5, 0.999), float32, one thread.
"""

import argparse

from ..bench import max_rss_bytes, peak_memory, REFERENCE, run_bench
from ..engine.errors import UsageError


def add_parser(sub):
    """The `bench` subcommand and its options, on the subparsers `sub`."""
    p = sub.add_parser("bench", help="time the reference training step (last line: N steps/s)",
                       description="Time the reference training step; the last line is `N steps/s`.\n\n"
                                   + REFERENCE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=2000, help="timed steps (default 2000)")
    p.add_argument("--warmup", type=int, default=100, help="untimed steps first (default 100)")
    p.add_argument("--float64", action="store_true", help="run in float64 instead of float32")
    p.set_defaults(func=run)


def run(args):
    """Time the reference training step (bench.REFERENCE); the last line is `<number> steps/s`."""
    if args.steps <= 0 or args.warmup < 0:
        raise UsageError(f"bench needs --steps > 0 and --warmup >= 0, got --steps {args.steps}, "
                         f"--warmup {args.warmup}")
    dtype = "float64" if args.float64 else "float32"
    print(f"reference step: ring8, G 16-128-128-2 ReLU, D 2-128-128-1 LeakyReLU(0.2), batch 256+256, "
          f"non-saturating, k=1, Adam lr 1e-4 betas (0.5, 0.999), {dtype}; "
          f"{args.warmup} warm-up steps, {args.steps} timed")
    dtypes = [dtype] if args.float64 else ["float64", "float32"]     # float32, the reference, is timed last
    for dt in dtypes:
        print(f"{dt}: peak memory of the trainer and its step {peak_memory(dt) / 2**20:.1f} MiB (tracemalloc)")
    rate = None
    for dt in dtypes:
        # float64 alongside float32 gets a fifth of the steps: its figure is for comparison only
        steps = args.steps if dt == dtype else max(1, args.steps // 5)
        rate, _ = run_bench(steps=steps, warmup=args.warmup, dtype=dt)
        print(f"{dt}: {rate:.1f} steps/s ({steps} timed steps)")
    print(f"peak resident memory of the process {max_rss_bytes() / 2**20:.0f} MiB")
    print(f"{rate:.1f} steps/s")
    return 0
