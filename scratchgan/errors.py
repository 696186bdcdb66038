"""The one error of the user's making: UsageError, which the command line prints as one line with exit code 2.

Any module may raise it (or a plain ValueError / FileNotFoundError, which the command line treats the same
way) for a bad value, a missing or malformed file, or an unknown name. It sits at the bottom of the house,
so that raising it never means importing the command line.
"""


class UsageError(Exception):
    """A problem with the user's input, reported as one line `error: ...` and exit code 2."""
