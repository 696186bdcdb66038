"""The output directory of a command: created if needed and proved writable before any work starts."""

import os
import tempfile

from ..engine.errors import UsageError


def check_writable_dir(out):
    """Create directory `out` if needed and prove it writable with a scratch file; else a UsageError."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"cannot write to --out {out}: it exists and is not a directory")
    try:
        os.makedirs(out, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        raise UsageError(f"cannot write to --out {out}: {e.strerror or e}") from None
