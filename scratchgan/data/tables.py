"""Reading your own data: an (n, d) table of numbers from a .npy, .npz, .csv or .txt file, checked cell by cell.

read_table(path) returns a float64 array of shape (n, d), or raises a one-line UsageError that names the file
and, where it applies, the row and the column (both counted from 1; in a text file the row is the line, so
your editor's line numbers find it):

    a missing file, an empty file, a file that is not what its name says (binary junk named .csv, a .npy that
    is text, an Excel workbook renamed .csv), a .npz that does not hold exactly one array, an array that is not
    2-D or not numeric (strings, Python objects: .npy files are read with allow_pickle=False), a cell that is
    not a number, an empty cell, ragged rows, NaN or infinity, and too few rows to train on (MIN_ROWS).

Text files (.csv or .txt), what is accepted:
    encoding     UTF-8 (ASCII is UTF-8), with or without the byte-order mark some Windows programs write
    lines        Unix (\\n), Windows (\\r\\n) or old Mac (\\r) line ends; blank lines and lines starting with #
                 are skipped
    separator    decided by the first line: ; when it holds one (European spreadsheets, whose decimal comma
                 is refused with a hint: write 1.5, not 1,5), else , when it holds one, else spaces and tabs
    quotes       a cell in double quotes, "1.5", is the number 1.5 (spreadsheets quote cells)
    trailing     a separator at the end of the first line, and so of every line (some exports write one),
                 ends the line; it is not an empty last column
    header       a first line whose cells are all names (none is a number) is a header, and skipped; a first
                 line that mixes names and numbers is an error, never silently dropped. A header of numbers
                 cannot be told from data: it is read as the first row
    numbers      what Python's float() reads: 3, -0.5, 1e-3, 1_000; nan, inf and empty cells are refused
"""

import csv
import math
import os
import re
import zipfile
import zlib

import numpy as np

from ..engine import npfile
from ..engine.errors import UsageError

TABLE_EXTENSIONS = (".npy", ".npz", ".csv", ".txt")
MIN_ROWS = 20        # a fifth is held out for the two-sample tests; the rest must fill a few minibatches
NPY_MAGIC = b"\x93NUMPY"                     # how every file np.save writes begins
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip archive (np.savez; also .xlsx); the second is an empty one
MISSING = " (a missing value? fill it in or delete the row)"
MISSING_MARKS = ("na", "n/a", "#n/a", "nan", "null", "none", "?", "-", "--", "missing")


def read_table(path):
    """The (n, d) float64 table in `path`; any problem is a one-line UsageError naming the file."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in TABLE_EXTENSIONS:
        raise UsageError(f"{path}: a table must be a {', '.join(TABLE_EXTENSIONS)} file")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, not a file")
    if not os.path.isfile(path):
        raise UsageError(f"{path}: file not found")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise UsageError(f"{path}: cannot read it ({e.strerror or e})") from None
    if not head:
        raise UsageError(f"{path}: the file is empty")
    table = _read_array(path, ext, head) if ext in (".npy", ".npz") else _read_text(path)
    n = table.shape[0]
    if n < MIN_ROWS:
        raise UsageError(f"{path}: {n} row{'s' if n != 1 else ''} of numbers, too few to train on: give at least "
                         f"{MIN_ROWS} (a fifth is held out to test the result)")
    return table


def _what_it_is(head):
    """A hint at what a file really is, from its first bytes: ' (it is a ... file)' or ''."""
    if head.startswith(NPY_MAGIC):
        return " (it is a NumPy .npy file: name it .npy)"
    if head.startswith(ZIP_MAGICS):
        return " (it is a zip archive: a .npz written by np.savez, or an Excel workbook to export as CSV)"
    if head.isascii() and all(32 <= b < 127 or b in b"\t\r\n" for b in head):
        return " (it looks like text: name it .csv or .txt)"
    return ""


def _read_array(path, ext, head):
    """A .npy, or a .npz holding one array, as a checked 2-D float64 table."""
    if ext == ".npy" and not head.startswith(NPY_MAGIC):
        raise UsageError(f"{path}: not a .npy file, it does not begin as np.save writes one{_what_it_is(head)}")
    if ext == ".npz" and not head.startswith(ZIP_MAGICS):
        raise UsageError(f"{path}: not a .npz file, it is not the zip archive np.savez writes{_what_it_is(head)}")
    try:
        if ext == ".npy":
            array = npfile.load(path)
        else:
            with npfile.load(path) as archive:
                names = archive.files
                if len(names) != 1:
                    raise _Refused(f"a .npz table must hold exactly one array, this one holds {len(names)}"
                                   + (f" ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})"
                                      if names else ""))
                array = archive[names[0]]
    except _Refused as e:
        raise UsageError(f"{path}: {e}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        if "allow_pickle" in str(e):           # numpy's words for an array of Python objects
            raise UsageError(f"{path}: the array holds Python objects (dtype object), not numbers; "
                             f"save a numeric array, e.g. x.astype(float)") from None
        raise UsageError(f"{path}: cannot read it as {ext} ({npfile.reason(e)[:120]})") from None
    if array.ndim != 2:
        hint = "; one column of n numbers is x.reshape(-1, 1)" if array.ndim == 1 else ""
        raise UsageError(f"{path}: the array has shape {array.shape}; a table must be 2-D, (rows, columns){hint}")
    if array.shape[1] == 0:
        raise UsageError(f"{path}: the table has no columns")
    if array.dtype.kind not in "biuf":
        kind = {"U": "text", "S": "bytes", "V": "structured records", "c": "complex numbers",
                "M": "dates", "m": "time spans"}.get(array.dtype.kind, "values")
        raise UsageError(f"{path}: the array holds {kind} (dtype {str(array.dtype)[:40]}), not real numbers")
    table = array.astype(np.float64)
    bad = np.argwhere(~np.isfinite(table))
    if len(bad):
        r, c = bad[0]
        what = f"NaN, not a number{MISSING}" if np.isnan(table[r, c]) else "infinite, not a finite number"
        raise UsageError(f"{path}, row {r + 1}, column {c + 1}: {what}; in all, {len(bad)} cell"
                         f"{'s are' if len(bad) > 1 else ' is'} NaN or infinite")
    return table


class _Refused(Exception):
    """A reason to refuse a file, raised inside the reading so that the caller adds the file's name."""


def _read_text(path):
    """A comma-, semicolon- or whitespace-separated text table as a checked 2-D float64 table."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise UsageError(f"{path}: cannot read it ({e.strerror or e})") from None
    if b"\x00" in raw[:4096] or raw.startswith((NPY_MAGIC,) + ZIP_MAGICS):
        raise UsageError(f"{path}: not a text file{_what_it_is(raw[:8]) or ' (it holds NUL bytes)'}")
    try:
        text = raw.decode("utf-8-sig")             # -sig: drop the byte-order mark, if any
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise UsageError(f"{path}, row {line}: byte 0x{raw[e.start]:02x} is not UTF-8 text; a table must be "
                         f"UTF-8 text (a spreadsheet's 'CSV UTF-8')") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise UsageError(f"{path}: the file holds no rows (only blank lines and # comments)")
    first = numbered[0][1]
    sep = ";" if ";" in first else "," if "," in first else None
    trailing = sep is not None and first.rstrip().endswith(sep)
    rows, width = [], None
    for k, (line_no, line) in enumerate(numbered):
        cells = _cells(line, sep, trailing)
        values = [_number(c) for c in cells]
        if k == 0 and all(v is None for v in values):
            continue                                      # a header: every cell is a name
        names = [c for c, v in zip(cells, values) if v is None and c != ""]
        if k == 0 and names:
            number = next(c for c, v in zip(cells, values) if v is not None)
            raise UsageError(f"{path}, row {line_no}: a header or a row? {_show(names[0])} is not a number but "
                             f"{_show(number)} is; a header must hold only names, a row only numbers")
        for col, (cell, v) in enumerate(zip(cells, values)):
            where = f"{path}, row {line_no}, column {col + 1}"
            if cell == "":
                raise UsageError(f"{where}: the cell is empty{MISSING}")
            if v is None:
                raise UsageError(f"{where}: {_show(cell)} is not a number{_hint(cell, sep)}")
            if math.isnan(v):
                raise UsageError(f"{where}: {_show(cell)} is not a number{MISSING}")
            if math.isinf(v):
                raise UsageError(f"{where}: {_show(cell)} is infinite; a table must hold finite numbers")
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise UsageError(f"{path}, row {line_no}: {len(values)} column{'s' if len(values) != 1 else ''}, "
                             f"but the rows above have {width}")
        rows.append(values)
    if not rows:
        raise UsageError(f"{path}: the file holds a header but no rows of numbers")
    return np.array(rows, dtype=np.float64)


def _cells(line, sep, trailing):
    """The stripped cells of one line: split on `sep` (quotes understood) or on whitespace when sep is None;
    with `trailing`, a separator ending the line ends it."""
    if sep is None:
        return line.split()
    cells = [c.strip() for c in next(csv.reader([line], delimiter=sep, skipinitialspace=True))]
    if trailing and len(cells) > 1 and cells[-1] == "":
        cells.pop()
    return cells


def _number(cell):
    """The float in a cell, or None when the cell is not a number (an empty cell is not a number)."""
    try:
        return float(cell)
    except ValueError:
        return None


def _hint(cell, sep):
    """Why a cell that is not a number may be so: ' (a missing value? ...)', or ''."""
    if cell.lower() in MISSING_MARKS:
        return MISSING
    if sep is None and "," in cell:
        return " (the first line holds no comma, so the columns are split on spaces: give the header commas too)"
    if re.fullmatch(r"[-+]?\d*,\d+", cell):
        return " (write decimals with a point: 1.5, not 1,5)"
    return ""


def _show(cell):
    """A cell quoted for a message, cut short when long."""
    return repr(cell if len(cell) <= 24 else cell[:24] + "...")
