"""Reading your own data: an (n, d) table of numbers from a .npy, .npz, .csv or .txt file, checked cell by cell.

read_table(path) returns a float64 array of shape (n, d), or raises a one-line ValueError that names the file
and, where it applies, the row and the column (both counted from 1; in a text file the row is the line):

    a missing file, an empty file, a .npz that does not hold exactly one array, an array that is not 2-D,
    a cell that is not a number, ragged rows, NaN or infinity, and too few rows to train on (MIN_ROWS).

Text files are comma-separated when their first line holds a comma, else whitespace-separated; a first
line that is not all numbers is a header and is skipped. Lines starting with # are comments.
"""

import math
import os

import numpy as np

TABLE_EXTENSIONS = (".npy", ".npz", ".csv", ".txt")
MIN_ROWS = 20        # a fifth is held out for the two-sample tests; the rest must fill a few minibatches


def read_table(path):
    """The (n, d) float64 table in `path`; any problem is a one-line ValueError naming the file."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in TABLE_EXTENSIONS:
        raise ValueError(f"{path}: a table must be a {', '.join(TABLE_EXTENSIONS)} file")
    if not os.path.isfile(path):
        raise ValueError(f"{path}: file not found")
    if os.path.getsize(path) == 0:
        raise ValueError(f"{path}: the file is empty")
    table = _read_array(path, ext) if ext in (".npy", ".npz") else _read_text(path)
    n = table.shape[0]
    if n < MIN_ROWS:
        raise ValueError(f"{path}: {n} rows are too few to train on; give at least {MIN_ROWS} "
                         f"(a fifth is held out to test the result)")
    return table


def _read_array(path, ext):
    """A .npy, or a .npz holding one array, as a checked 2-D float64 table."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise ValueError(f"{path}: cannot read it as {ext} ({str(e).splitlines()[0] if str(e) else type(e).__name__})") \
            from None
    if ext == ".npz":
        with loaded as archive:
            names = archive.files
            if len(names) != 1:
                raise ValueError(f"{path}: a .npz table must hold exactly one array, this one holds {len(names)}"
                                 + (f" ({', '.join(names[:5])})" if names else ""))
            array = archive[names[0]]
    else:
        array = loaded
    if array.ndim != 2:
        raise ValueError(f"{path}: the array has shape {array.shape}; a table must be 2-D, (rows, columns)")
    if array.shape[1] == 0:
        raise ValueError(f"{path}: the table has no columns")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{path}: the array holds {array.dtype} values, not numbers")
    table = array.astype(np.float64)
    bad = np.argwhere(~np.isfinite(table))
    if len(bad):
        r, c = bad[0]
        raise ValueError(f"{path}, row {r + 1}, column {c + 1}: {table[r, c]} is not a finite number")
    return table


def _read_text(path):
    """A comma- or whitespace-separated text table as a checked 2-D float64 table."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text file (it is not UTF-8)") from None
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise ValueError(f"{path}: the file holds no rows")
    sep = "," if "," in numbered[0][1] else None
    rows, width = [], None
    for k, (line_no, line) in enumerate(numbered):
        cells = [c.strip() for c in line.split(sep)]
        values = [_number(c) for c in cells]
        if k == 0 and any(v is None for v in values):
            continue                                      # a header row
        for col, (cell, v) in enumerate(zip(cells, values)):
            if v is None:
                raise ValueError(f"{path}, row {line_no}, column {col + 1}: {cell!r} is not a number")
            if not math.isfinite(v):
                raise ValueError(f"{path}, row {line_no}, column {col + 1}: {cell!r} is not a finite number")
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise ValueError(f"{path}, row {line_no}: {len(values)} columns, but the rows above have {width}")
        rows.append(values)
    if not rows:
        raise ValueError(f"{path}: the file holds a header but no rows of numbers")
    return np.array(rows, dtype=np.float64)


def _number(cell):
    """The float in a cell, or None when the cell is not a number (an empty cell is not a number)."""
    try:
        return float(cell)
    except ValueError:
        return None
