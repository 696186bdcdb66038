"""Regenerate the gallery that the README and docs/README.md show: for gaussian, ring8 and grid25, one training
run recorded with --animate, then its animation, final frame and training curves copied into docs/gallery/.

    python demos/gallery.py                 # all three (a few minutes on one core)
    python demos/gallery.py ring8           # just one
    python demos/gallery.py --replot        # redraw from the existing runs (after changing scratchgan/plots/)

Each run is exactly the command `python -m scratchgan train --data NAME --animate --out
runs/gallery/NAME`, with every training option at the dataset's default; nothing here changes a figure.
"""

import argparse
import os
import shutil
import subprocess
import sys

DATASETS = ("gaussian", "ring8", "grid25")
RUNS = os.path.join("runs", "gallery")
GALLERY = os.path.join("docs", "gallery")
MAX_GIF_BYTES = 5_000_000          # one animation at most 5 MB, so the pages that show it stay light


def train_command(name):
    """The one command that makes a dataset's gallery pictures (as shown in the README)."""
    return [sys.executable, "-m", "scratchgan", "train", "--data", name, "--animate",
            "--out", os.path.join(RUNS, name)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", default=list(DATASETS), help="which of: " + ", ".join(DATASETS))
    parser.add_argument("--replot", action="store_true", help="only redraw the figures of existing runs")
    args = parser.parse_args(argv)
    for name in args.datasets:
        if name not in DATASETS:
            parser.error(f"unknown dataset {name!r}; choose from: {', '.join(DATASETS)}")

    os.makedirs(GALLERY, exist_ok=True)
    for name in args.datasets:
        run = os.path.join(RUNS, name)
        if args.replot:
            command = [sys.executable, "-m", "scratchgan", "plot", run]
        else:
            command = train_command(name)
        print("$ " + " ".join(["python"] + command[1:]), flush=True)
        subprocess.run(command, check=True)
        for source, target in (("animation.gif", f"{name}.gif"), ("frame.png", f"{name}_final.png"),
                               ("curves.png", f"{name}_curves.png"), ("samples.png", f"{name}_samples.png")):
            if source == "samples.png" and not os.path.isfile(os.path.join(run, source)):
                continue                       # 1D runs have no samples figure
            shutil.copyfile(os.path.join(run, source), os.path.join(GALLERY, target))
            size = os.path.getsize(os.path.join(GALLERY, target))
            print(f"  {os.path.join(GALLERY, target)}: {size / 1e6:.2f} MB")
            if target.endswith(".gif") and size > MAX_GIF_BYTES:
                raise SystemExit(f"error: {target} is {size / 1e6:.1f} MB, over the 5 MB limit of one animation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
