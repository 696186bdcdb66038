"""`scratchgan sample RUN_DIR -n N [--label K] --out FILE`: new samples from a finished run, as .npy or .csv."""

import io
import os

import numpy as np

from ..engine.errors import UsageError
from ..game.checkpoint import atomic_write
from ..game.run import load_run


def add_parser(sub):
    """The `sample` subcommand and its options, on the subparsers `sub`."""
    p = sub.add_parser("sample", help="draw samples from a finished run with its own sampler, to .npy or .csv")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a directory written by `train --out RUN_DIR`")
    p.add_argument("-n", type=int, default=1000, metavar="N", help="how many samples (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="the seed of the sampling stream (default 0)")
    p.add_argument("--label", type=int, metavar="K", help="a conditional run: draw only class K")
    p.add_argument("--out", metavar="FILE", required=True, help="FILE.npy or FILE.csv")
    p.set_defaults(func=run)


def run(args):
    """Load the run, check the output path, draw the samples and write them atomically."""
    ext = os.path.splitext(args.out)[1].lower()
    if ext not in (".npy", ".csv"):
        raise UsageError(f"--out must end in .npy or .csv, got {args.out}")
    if args.n <= 0:
        raise UsageError(f"-n must be a positive integer, got {args.n}")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {args.out}: directory {folder} does not exist")
    loaded = load_run(args.run_dir)
    x = loaded.sample(args.n, seed=args.seed, label=args.label)
    if ext == ".npy":
        write = lambda f: np.save(f, x, allow_pickle=False)
    else:
        text = io.StringIO()
        np.savetxt(text, x, delimiter=",", fmt="%.7g",
                   header=",".join(f"x{i + 1}" for i in range(x.shape[1])), comments="")
        write = lambda f: f.write(text.getvalue().encode())
    try:
        atomic_write(args.out, write)
    except OSError as e:                       # the file the user named cannot be written (a directory, ...)
        raise UsageError(f"cannot write {args.out}: {e.strerror or e}") from None
    print(f"wrote {args.out}: {x.shape[0]} samples of dimension {x.shape[1]} from {args.run_dir} "
          f"(step {loaded.trainer.step}, seed {args.seed})")
    return 0
