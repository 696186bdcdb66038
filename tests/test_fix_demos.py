"""The fixes' demos run end to end (on a few iterations) and return the figure they wrote."""

import importlib.util
import os

import pytest

DEMOS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "demos")


def load_demo(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(DEMOS_DIR, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, args", [
    ("fixes_dirac", ["--steps", "50"]),
    ("fixes_compare", ["--steps", "30"]),
    ("fixes_w_vs_mmd", ["--steps", "200"]),  # trains (or reads) the runs of fixes_compare; evaluates every 100
    ("fixes_fold", ["--steps", "0", "20"]),
    ("fixes_latent", ["--steps", "0", "20"]),
])
def test_fix_demo_writes_and_returns_its_figure(name, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # the demos cache their runs under ./runs
    path = load_demo(name).main(["--out", str(tmp_path / "out"), *args])
    assert path == str(tmp_path / "out" / (name + ".png"))
    assert os.path.getsize(path) > 10_000
