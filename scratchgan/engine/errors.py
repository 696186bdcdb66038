"""The one error of the user's making: UsageError, which the command line prints as one line with exit code 2.

The places where input comes in raise it: the command line's values, TrainConfig's validation, the names of
datasets, losses and noise, a table read from the user's file, a checkpoint or run directory the user points
at, the label asked of `sample`. A missing or unreadable file among those is a UsageError naming its path.
UsageError is a ValueError, so a Python caller who catches ValueError catches it too.

Everything else stays a plain ValueError: the checks of invariants inside the library (shapes in nn.py,
losses.py, optim.py, ...). Under the command line such an error is a bug, and `scratchgan.cli.main` prints
its traceback and exits 1 instead of blaming the user. This module sits at the bottom of the house, so that
raising UsageError never means importing the command line.
"""


class UsageError(ValueError):
    """A problem with the user's input, reported by the command line as one line `error: ...` and exit code 2."""
