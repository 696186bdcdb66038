"""The command line: `python -m scratchgan COMMAND ...` (also installed as `scratchgan`), one module a command.

    gradcheck   cli/gradcheck.py   every hand-written gradient against central differences
    train       cli/train.py       train a GAN, write samples, metrics and figures
    step        cli/step.py        one training iteration in slow motion
    sample      cli/sample.py      new samples from a finished run
    bench       cli/bench.py       time the reference training step
    modes       cli/modes.py       the mode-collapse benchmark
    plot        cli/plot.py        redraw a finished run's figures

Each module has add_parser(sub), which declares the command's options, and run(args). A mistake of the
user's (a bad value, a missing file) raises UsageError, ValueError or FileNotFoundError, which `main` prints
as one line `error: ...` with exit code 2.
"""

import argparse
import sys

from ..errors import UsageError
from . import bench, gradcheck, modes, plot, sample, step, train


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a malformed command line (say `--steps abc`) gets one line `error: ...` and exit code 2,
    like every other mistake, instead of a usage block. Subcommand parsers inherit the class."""

    def error(self, message):
        print(f"error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser():
    """The parser of every command: each command module adds its own subparser."""
    parser = OneLineErrorParser(prog="scratchgan", description="GANs from scratch in NumPy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    for command in (gradcheck, train, step, sample, bench, modes, plot):
        command.add_parser(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
