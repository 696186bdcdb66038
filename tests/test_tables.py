"""Your own data: every bad file is one line and exit 2 through `train`, the good ones read right, a table
trains end to end, and a table of more than two columns is drawn through its principal components."""

import json
import os

import numpy as np
import pytest

from scratchgan import plots
from scratchgan.cli import main
from scratchgan.data import Rows, split_rows, table
from scratchgan.data.tables import MIN_ROWS, read_table
from scratchgan.plots.table import plot_table_samples, principal_axes, project

PNG = b"\x89PNG\r\n\x1a\n"


def rows_text(n=30, d=2, sep=",", header=None):
    """n lines of d numbers (line i: i, i/2, i/4, ...) joined by sep, after an optional header line."""
    lines = [sep.join(f"{i / 2 ** j:g}" for j in range(d)) for i in range(n)]
    return "\n".join(([header] if header else []) + lines) + "\n"


def expected(n=30, d=2):
    return np.array([[i / 2 ** j for j in range(d)] for i in range(n)])


def replace_line(text, line_no, new):
    """text with its line line_no (from 1) replaced by new."""
    lines = text.split("\n")
    lines[line_no - 1] = new
    return "\n".join(lines)


def write(path, content):
    """Write a str (as UTF-8, newlines kept as given), bytes, an array (.npy) or a dict of arrays (.npz)."""
    if isinstance(content, dict):
        np.savez(path, **content)
    elif isinstance(content, np.ndarray):
        np.save(path, content, allow_pickle=True)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def train_error(path, tmp_path, capsys):
    """Run `train --data path` and return its one error line, after checking exit 2 and nothing written."""
    out = tmp_path / "run"
    assert main(["train", "--data", str(path), "--out", str(out), "--steps", "50"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("error: ") and "\n" not in err, captured.err
    assert str(path) in err
    assert not out.exists() or not any(out.iterdir())
    return err


HEADED = rows_text(header="x,y")           # data row i is on line i + 2

BAD_FILES = [
    # (file name, content, what the message must say)
    ("nan.csv", replace_line(HEADED, 5, "3,nan"), ["row 5, column 2", "'nan' is not a number", "missing value"]),
    ("inf.csv", replace_line(HEADED, 5, "-inf,1.5"), ["row 5, column 1", "'-inf' is infinite"]),
    ("overflow.csv", replace_line(HEADED, 5, "3,1e400"), ["row 5, column 2", "'1e400' is infinite"]),
    ("nan.npy", np.where(np.arange(60).reshape(30, 2) == 5, np.nan, 1.0),
     ["row 3, column 2", "NaN, not a number", "in all, 1 cell is NaN or infinite"]),
    ("inf.npy", np.where(np.arange(60).reshape(30, 2) % 20 == 8, np.inf, 1.0),
     ["row 5, column 1", "infinite", "in all, 3 cells are"]),
    ("word.csv", replace_line(HEADED, 5, "3,abc"), ["row 5, column 2", "'abc' is not a number"]),
    ("na.csv", replace_line(HEADED, 7, "NA,2.5"), ["row 7, column 1", "'NA' is not a number", "missing value"]),
    ("empty_cell.csv", replace_line(HEADED, 6, "4,"), ["row 6, column 2", "the cell is empty"]),
    ("ragged.csv", replace_line(HEADED, 9, "7,3.5,1"), ["row 9:", "3 columns, but the rows above have 2"]),
    ("short.txt", replace_line(rows_text(sep=" "), 4, "3"), ["row 4:", "1 column, but the rows above have 2"]),
    ("empty.csv", "", ["the file is empty"]),
    ("blank.csv", "\n  \n# only a comment\n", ["holds no rows"]),
    ("header.csv", "x,y\n", ["holds a header but no rows of numbers"]),
    ("few.csv", rows_text(n=5, header="x,y"), ["5 rows of numbers", f"give at least {MIN_ROWS}"]),
    ("one.npy", np.ones((1, 3)), ["1 row of numbers", f"give at least {MIN_ROWS}"]),
    ("flat.npy", np.arange(30.0), ["shape (30,)", "must be 2-D", "reshape(-1, 1)"]),
    ("cube.npy", np.zeros((30, 2, 2)), ["shape (30, 2, 2)", "must be 2-D"]),
    ("nocols.npy", np.zeros((30, 0)), ["no columns"]),
    ("none.npz", {}, ["exactly one array, this one holds 0"]),
    ("two.npz", {"a": np.ones((30, 2)), "b": np.ones((30, 2))}, ["exactly one array, this one holds 2 (a, b)"]),
    ("text.npy", np.array([["a", "b"]] * 30), ["holds text (dtype <U1)"]),
    ("objects.npy", np.array([[1.0, None]] * 30, dtype=object), ["Python objects (dtype object)"]),
    ("objects.npz", {"x": np.array([[1.0, None]] * 30, dtype=object)}, ["Python objects"]),
    ("complex.npy", np.ones((30, 2), complex), ["complex numbers"]),
    ("junk.csv", bytes(range(256)) * 8, ["not a text file", "NUL bytes"]),
    ("latin1.csv", ("x,\xe9t\xe9\n" + rows_text()).encode("latin-1"), ["row 1: byte 0xe9 is not UTF-8"]),
    ("sheet.csv", b"PK\x03\x04" + bytes(200), ["not a text file", "zip archive", "Excel"]),
    ("array.csv", None, ["not a text file", "name it .npy"]),          # a real .npy named .csv
    ("junk.npy", b"1,2\n3,4\n" * 20, ["not a .npy file", "looks like text"]),
    ("junk.npz", b"hello" * 50, ["not a .npz file"]),
    ("broken.npz", b"PK\x03\x04" + b"\x00garbage" * 20, ["cannot read it as .npz"]),
    ("mixed.csv", "x,2\n" + rows_text(), ["row 1: a header or a row?", "'x' is not a number but '2' is"]),
    ("decimal_comma.csv", "x;y\n" + rows_text().replace(",", ";").replace("1.5", "1,5"),
     ["row 5, column 2", "'1,5' is not a number", "decimal"]),
    ("space_header.csv", "x y\n" + rows_text(), ["row 2, column 1", "'0,0' is not a number", "split on spaces"]),
    ("header_again.csv", replace_line(HEADED, 12, "x,y"), ["row 12, column 1", "'x' is not a number"]),
]


@pytest.mark.parametrize("name, content, says", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_one_line_naming_it_and_exit_2(tmp_path, capsys, name, content, says):
    if name == "array.csv":
        np.save(tmp_path / "a.npy", np.ones((30, 2)))
        content = (tmp_path / "a.npy").read_bytes()
    path = write(tmp_path / name, content)
    err = train_error(path, tmp_path, capsys)
    for words in says:
        assert words in err, err
    with pytest.raises(ValueError) as e:        # the library says the same, without the `error: `
        read_table(path)
    assert f"error: {e.value}" == err


def test_a_missing_file_or_a_folder_or_an_unknown_kind_is_one_line(tmp_path, capsys):
    assert "file not found" in train_error(tmp_path / "nowhere.csv", tmp_path, capsys)
    (tmp_path / "folder.csv").mkdir()
    assert "is a directory" in train_error(tmp_path / "folder.csv", tmp_path, capsys)
    sheet = write(tmp_path / "data.xlsx", b"PK")
    assert main(["train", "--data", str(sheet), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown dataset") and ".csv" in err and "\n" not in err


def test_an_unreadable_file_is_one_line(tmp_path, capsys, monkeypatch):
    import scratchgan.data.tables as tables

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    path = write(tmp_path / "locked.csv", rows_text())
    monkeypatch.setattr(tables, "open", refuse, raising=False)       # as root, chmod 000 would not stop us
    assert "cannot read it (Permission denied)" in train_error(path, tmp_path, capsys)


GOOD_TEXT = [
    ("commas.csv", rows_text()),
    ("header.csv", rows_text(header="x,y")),
    ("spaces.txt", rows_text(sep=" ")),
    ("tabs.txt", rows_text(sep="\t", header="x\ty")),
    ("ragged_spaces.txt", rows_text(sep="   ").replace("\n", "  \n")),
    ("padded.csv", rows_text(sep=" , ", header="x , y")),
    ("windows.csv", rows_text(header="x,y").replace("\n", "\r\n")),
    ("old_mac.csv", rows_text(header="x,y").replace("\n", "\r")),
    ("bom.csv", "\ufeff" + rows_text(header="x,y")),
    ("bom_no_header.csv", "\ufeff" + rows_text()),         # the mark must not make row 1 a header
    ("quoted.csv", '"x","y"\n' + "".join(f'"{a}","{b}"\n' for a, b in expected())),
    ("trailing_comma.csv", rows_text(header="x,y").replace("\n", ",\n")),
    ("semicolons.csv", rows_text(sep=";", header="x;y")),
    ("comments.csv", "# made by hand\n" + rows_text(header="x,y").replace("\n3,", "\n# a note\n\n3,", 1)),
    ("no_final_newline.csv", rows_text(header="x,y").rstrip("\n")),
    ("empty_header_cell.csv", ",y\n" + rows_text()),
]


@pytest.mark.parametrize("name, content", GOOD_TEXT, ids=[g[0] for g in GOOD_TEXT])
def test_good_text_tables_read_right(tmp_path, name, content):
    path = write(tmp_path / name, content)
    table_ = read_table(path)
    assert table_.dtype == np.float64
    np.testing.assert_array_equal(table_, expected())


def test_good_binary_tables_read_right(tmp_path):
    x = np.random.default_rng(0).standard_normal((40, 3)).astype(np.float32)
    np.testing.assert_array_equal(read_table(write(tmp_path / "x.npy", x)), x.astype(np.float64))
    np.testing.assert_array_equal(read_table(write(tmp_path / "x.npz", {"rows": x})), x)
    np.savez_compressed(tmp_path / "c.npz", x)
    np.testing.assert_array_equal(read_table(tmp_path / "c.npz"), x)
    ints = np.arange(60, dtype=np.int32).reshape(30, 2)
    np.testing.assert_array_equal(read_table(write(tmp_path / "i.npy", ints)), ints)
    one_column = rows_text(d=1, header="x")
    assert read_table(write(tmp_path / "one.csv", one_column)).shape == (30, 1)


def test_a_table_holds_out_a_fixed_fifth(tmp_path):
    path = write(tmp_path / "t.csv", rows_text(n=100, header="x,y"))
    data = table(str(path))
    assert isinstance(data, Rows) and data.dim == 2 and data.name == "t.csv"
    assert data.rows.shape == (80, 2) and data.heldout.shape == (20, 2)
    train, held = split_rows(100, 0.2)
    np.testing.assert_array_equal(data.heldout, expected(100)[held])
    np.testing.assert_array_equal(table(str(path)).heldout, data.heldout)      # the same rows every time


def mixture(n, d, seed=0):
    """n rows of a mixture of two Gaussians in d dimensions, the last column in other units."""
    rng = np.random.default_rng(seed)
    x = np.where(rng.random((n, 1)) < 0.6, -1.5, 1.5) + 0.4 * rng.standard_normal((n, d))
    x[:, -1] = 10 * x[:, -1] + 50
    return x


def train_table(tmp_path, d, capsys):
    path = tmp_path / f"mix{d}.csv"
    rows = mixture(200, d)
    np.savetxt(path, rows, delimiter=",", fmt="%.6f", header=",".join(f"c{j}" for j in range(d)), comments="")
    out = tmp_path / "run"
    assert main(["train", "--data", str(path), "--out", str(out), "--steps", "50", "--n-samples", "500"]) == 0
    assert "MMD p =" in capsys.readouterr().out
    samples = np.load(out / "samples.npy")
    assert samples.shape == (500, d)
    with open(out / "metrics.json") as f:
        metrics = json.load(f)
    assert 0 <= metrics["mmd_p_value"] <= 1 and 0 <= metrics["c2st_accuracy"] <= 1
    assert {"mmd2", "mmd_rejects_h0", "c2st_p_value", "c2st_rejects_h0"} <= set(metrics)
    # the two-sample tests ran against the held-out rows, which training never saw
    _, held = split_rows(200, 0.2)
    np.testing.assert_allclose(metrics["data_mean"], np.round(rows, 6)[held].mean(axis=0), rtol=1e-9)
    assert (out / "curves.png").read_bytes().startswith(PNG)
    return out, metrics


def test_train_on_a_2d_csv_writes_samples_metrics_and_the_figures(tmp_path, capsys):
    out, _ = train_table(tmp_path, 2, capsys)
    for figure in ("frame.png", "samples.png"):
        assert (out / figure).read_bytes().startswith(PNG)
    # new rows from the run, as a CSV that reads back as a table
    assert main(["sample", str(out), "-n", "40", "--out", str(tmp_path / "new.csv")]) == 0
    assert read_table(tmp_path / "new.csv").shape == (40, 2)


WIRED = hasattr(plots, "plot_table_samples")


@pytest.mark.skipif(not WIRED, reason="plots.plot_run does not draw plot_table_samples yet (see the report)")
def test_train_on_a_5d_csv_draws_the_table_figure(tmp_path, capsys):
    out, _ = train_table(tmp_path, 5, capsys)
    assert (out / "samples.png").read_bytes().startswith(PNG)
    assert not (out / "frame.png").exists()                 # no line or plane to draw D on


def test_train_on_a_5d_csv_writes_samples_and_metrics(tmp_path, capsys):
    train_table(tmp_path, 5, capsys)


def test_principal_axes_find_the_long_direction_and_its_share_of_the_variance():
    rng = np.random.default_rng(1)
    t = rng.standard_normal((4000, 1))
    rows = np.concatenate([t, t, 0.1 * rng.standard_normal((4000, 1))], axis=1) * [1.0, 1.0, 1.0]
    rows += 0.05 * rng.standard_normal(rows.shape)
    pca = principal_axes(rows)
    np.testing.assert_allclose(np.abs(pca["axes"][0]), [0.7071, 0.7071, 0], atol=0.02)
    assert pca["axes"][0].max() > 0                                  # signed: its largest entry positive
    assert 0.6 < pca["explained"][0] < 0.7 and pca["explained"].sum() <= 1 + 1e-12
    p = project(rows, pca)
    assert p.shape == (4000, 2)
    np.testing.assert_allclose(p.mean(axis=0), 0, atol=1e-9)
    # a column in thousandfold units weighs the same (the columns are standardized)
    scaled = principal_axes(rows * [1000.0, 1.0, 1.0])
    np.testing.assert_allclose(np.abs(scaled["axes"]), np.abs(pca["axes"]), atol=1e-9)
    # a constant column does not break it
    assert np.all(np.isfinite(principal_axes(np.c_[rows, np.ones(4000)])["axes"]))
    with pytest.raises(ValueError, match="d >= 2"):
        principal_axes(rows[:, :1])


@pytest.mark.parametrize("d", [3, 8])
def test_plot_table_samples_writes_a_png(tmp_path, d):
    rows = mixture(300, d)
    train, held = split_rows(300, 0.2)
    data = Rows("mix.csv", rows[train], rows[held])
    samples = mixture(3000, d, seed=1)
    samples[:3] = np.nan                                       # a few broken samples are left out
    samples[3:40] *= 30                                        # far-off ones are counted, not drawn
    metrics = {"mmd_p_value": 0.31, "c2st_accuracy": 0.53, "c2st_p_value": 0.4}
    path = plot_table_samples(samples, data, str(tmp_path / "s.png"), metrics=metrics, title=" · test")
    assert path == str(tmp_path / "s.png")
    assert (tmp_path / "s.png").read_bytes().startswith(PNG) and os.path.getsize(path) > 20000
    with pytest.raises(ValueError, match="samples must have shape"):
        plot_table_samples(samples[:, :2], data, str(tmp_path / "bad.png"))
