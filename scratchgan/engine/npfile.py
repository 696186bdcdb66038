"""A NumPy file the user names: read whole and closed before it is parsed, and why it failed, in one line.

load        np.load of the file's bytes, allow_pickle=False. The file is read and closed first, because NumPy
            1.23 (and 2.4) left the file open when parsing it failed. An .npz comes back as an NpzFile
            over those bytes, so its members can still be read after the file is closed.
FAILURES    what reading or parsing a damaged or foreign file raises
reason      the first line of such an error, in words a user can act on
"""

import io
import zipfile

import numpy as np

FAILURES = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile)


def load(path):
    """np.load(path, allow_pickle=False), with the file closed before NumPy parses it."""
    with open(path, "rb") as f:
        data = f.read()
    return np.load(io.BytesIO(data), allow_pickle=False)


def reason(error):
    """One line saying why a file could not be read: the error's first line, or its type's name. NumPy's
    guess about pickles, for a file that is no NumPy format at all, becomes "it is not a NumPy file"."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return "it is not a NumPy file" if "allow_pickle" in text else text
