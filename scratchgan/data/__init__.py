"""What the GAN learns from and starts from: the data pi (toys, digits, your own table) and the noise p(z).

    datasets.py    the distributions pi: the 1D and 2D toys, the digits, a table of your own; the noise p(eps)
    tables.py      reading and checking a table of your own (.npy, .npz, .csv, .txt)
    latent.py      G's input z: the continuous eps, joined by a discrete code when the data comes in pieces
    files/         the data files shipped with the package (the digits)

The names of datasets.py are also names of this package: scratchgan.data.get_dataset("ring8").
"""

from .datasets import (check_dataset_name, data_scale, Dataset, DATASETS, digits, DIGITS_FILE, gaussian,
    GaussianMixture, get_dataset, grid25, is_table_path, mixture1d, Moons, NOISE_KINDS, ring8, Rows, sample_noise,
    Spiral, split_rows, table)
