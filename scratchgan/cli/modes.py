"""`scratchgan modes`: the mode-collapse benchmark (scratchgan.modebench) as a markdown table."""

import os
import sys

from .. import modebench
from ..data import DATASETS, get_dataset
from ..engine.errors import UsageError
from .outdir import check_writable_dir


def add_parser(sub):
    """The `modes` subcommand and its options, on the subparsers `sub`."""
    p = sub.add_parser("modes", help="mode-collapse benchmark: every method on ring8 and grid25 over seeds")
    p.add_argument("--data", nargs="+", default=["ring8", "grid25"], help="datasets (default: ring8 grid25)")
    p.add_argument("--methods", nargs="+", help="methods (default: all of scratchgan.modebench.METHODS)")
    p.add_argument("--seeds", type=int, default=5, help="how many seeds, 1..N (default 5)")
    p.add_argument("--steps", type=int, help="override every method's training steps (default: the dataset's)")
    p.add_argument("--jobs", type=int, default=2, help="runs in parallel (default 2, one per core)")
    p.add_argument("--out", default="runs/modes.md", metavar="FILE", help="markdown table (default runs/modes.md)")
    p.set_defaults(func=run)


def run(args):
    """The mode-collapse benchmark (scratchgan.modebench): train, score, write a markdown table."""
    methods = args.methods or list(modebench.METHODS)
    for name in args.data:
        if name not in DATASETS or get_dataset(name).centers is None:
            raise UsageError(f"modes needs a mixture of Gaussians with centres (ring8, grid25), got {name!r}")
    if args.seeds <= 0 or args.jobs <= 0 or (args.steps is not None and args.steps <= 0):
        raise UsageError("--seeds, --jobs and --steps must be positive")
    if os.path.isdir(args.out):
        raise UsageError(f"--out {args.out} is a directory; give the markdown file to write, e.g. runs/modes.md")
    out_dir = os.path.dirname(os.path.abspath(args.out))
    check_writable_dir(out_dir)                # creates it if needed
    seeds = list(range(1, args.seeds + 1))
    results = modebench.run_all(args.data, methods, seeds, steps=args.steps, jobs=args.jobs,
                                log=lambda line: print(line, file=sys.stderr, flush=True))
    text = modebench.table(results, args.data, methods)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.replace(tmp, args.out)
    print(text)
    print(f"wrote {args.out}")
    return 0
