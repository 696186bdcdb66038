"""The command line: `python -m scratchgan COMMAND ...` (also installed as `scratchgan`), one module a command.

    gradcheck   cli/gradcheck.py   every hand-written gradient against central differences
    train       cli/train.py       train a GAN, write samples, metrics and figures
    step        cli/step.py        one training iteration in slow motion
    sample      cli/sample.py      new samples from a finished run
    bench       cli/bench.py       time the reference training step
    modes       cli/modes.py       the mode-collapse benchmark
    plot        cli/plot.py        redraw a finished run's figures
    lab         cli/lab.py         train live in the browser (scratchgan.lab)

Each module has add_parser(sub), which declares the command's options, and run(args). `main` runs the
command and tells the user's mistakes from the library's:

    exit 0      done (a command may return another code of its own: train's 1 and 130, gradcheck's 1)
    exit 2      a mistake in the input (a bad value, a missing or malformed file, an unknown name): the
                input points raise scratchgan.engine.errors.UsageError, printed as one line `error: ...`; a
                malformed command line (argparse) gets the same one line
    exit 1      any other exception, a plain ValueError from an internal check included: that is a bug, so
                its full traceback is printed, then one line `internal error: ...` asking for a report
    Ctrl-C and SystemExit pass through untouched (train saves a checkpoint on Ctrl-C itself)
"""

import argparse
import sys
import traceback

from ..engine.errors import UsageError
from . import bench, gradcheck, lab, modes, plot, sample, step, train


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

    for command in (gradcheck, train, step, sample, bench, modes, plot, lab):
        command.add_parser(sub)
    return parser


INTERNAL_ERROR = ("internal error: this is a bug in scratchgan, not a mistake in your input; "
                  "please report it with the traceback above")


def main(argv=None):
    """Run the command of `argv` and return its exit code: 2 and one line for a UsageError, 1 and the
    traceback for any other exception (a bug)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception:
        traceback.print_exc()
        print(INTERNAL_ERROR, file=sys.stderr)
        return 1
