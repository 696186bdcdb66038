"""`scratchgan plot RUN_DIR`: redraw every figure of a finished run from its files."""

from .. import plots


def add_parser(sub):
    """The `plot` subcommand and its options, on the subparsers `sub`."""
    p = sub.add_parser("plot", help="redraw the figures of a finished run from its files")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a directory written by `train --out RUN_DIR`")
    p.add_argument("--html", action="store_true",
                   help="write animation.html, the recorded frames as a page you can pause and step; an error "
                        "when the run has no frames.npz (without --html it is written whenever frames.npz exists)")
    p.set_defaults(func=run)


def run(args):
    """Redraw every figure of a finished run (curves.png, frame.png, animation.gif and .html, samples.png)."""
    for path in plots.plot_run(args.run_dir, html=args.html):
        print(f"wrote {path}")
    return 0
