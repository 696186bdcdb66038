"""Write scratchgan/datasets/digits.npz from the copy of the UCI digits that scikit-learn ships.

Run once, in a side venv that has scikit-learn (it is never a dependency of scratchgan):
    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python tools/extract_digits.py
The file holds images (1797, 64) uint8 in 0..16 (8x8, row by row) and labels (1797,) uint8 in 0..9,
in scikit-learn's order. Its source and licence are in scratchgan/datasets/README.md.
"""

import os

import numpy as np
from sklearn.datasets import load_digits

digits = load_digits()
images = digits.data.astype(np.uint8)
labels = digits.target.astype(np.uint8)
assert images.shape == (1797, 64) and images.max() == 16 and set(labels) == set(range(10))
path = os.path.join(os.path.dirname(__file__), os.pardir, "scratchgan", "datasets", "digits.npz")
np.savez_compressed(path, images=images, labels=labels)
print(f"wrote {os.path.normpath(path)}: {os.path.getsize(path)} bytes")
