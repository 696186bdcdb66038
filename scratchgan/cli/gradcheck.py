"""`scratchgan gradcheck`: every hand-written gradient against central differences, as one table."""

from .. import gradcheck_catalogue
from ..engine.errors import UsageError


def add_parser(sub):
    """The `gradcheck` subcommand and its options, on the subparsers `sub`."""
    p = sub.add_parser("gradcheck", help="check every hand-written gradient against finite differences")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tol", type=float, default=1e-6, help="largest acceptable relative error")
    p.set_defaults(func=run)


def run(args):
    """Check every layer, activation, loss and the two GAN compositions against central differences."""
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    rows = gradcheck_catalogue.all_checks(args.seed)
    worst = max(r.max_error for _, _, r in rows)
    width = max(len(n) for _, n, _ in rows)
    print(f"{'kind':<10}  {'what':<{width}}  max rel. error")
    for kind, name, r in rows:
        flag = "" if r.max_error < args.tol else "   <-- FAILS"
        print(f"{kind:<10}  {name:<{width}}  {r.max_error:.1e}{flag}")
    print(f"{len(rows)} checks, worst relative error {worst:.1e} (tolerance {args.tol:g})")
    return 0 if worst < args.tol else 1
