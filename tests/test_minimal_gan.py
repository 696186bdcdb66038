"""demos/minimal_gan.py, the GAN on one page, really learns ring8, and stays on one page."""

import os
import subprocess
import sys

import numpy as np
from scratchgan import data
from scratchgan.measure import metrics

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "demos", "minimal_gan.py")


def test_it_fits_on_one_page_and_uses_only_the_basic_modules():
    with open(SCRIPT) as f:
        text = f.read()
    assert len(text.splitlines()) <= 120
    imported = {line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imported <= {"argparse", "os", "numpy", "scratchgan", "scratchgan.engine"}
    assert "from scratchgan import data" in text and "from scratchgan.engine import losses, nn, optim" in text


# The one-page GAN does not learn all eight modes on every seed. Measured with
# benchmarks/minimal_gan_seeds.py on seeds 300-319: 20/20 under OpenBLAS's Haswell kernel and 20/20 under
# Prescott's; elsewhere, seed 5 under Prescott ended with 6/8 and seed 214 of 200-215 on an Intel Xeon with
# 7/8 (docs/portability.md). So the claim is a rate, not a seed: at least two of three unseen seeds learn
# all eight modes. With one seed in twenty failing, that claim fails by chance about once in a hundred runs.
SEEDS = (400, 401, 402)     # the settings were chosen on seeds 100-139; these seeds were never run before


def test_at_least_two_of_three_unseen_seeds_learn_all_eight_modes(tmp_path):
    # the three trainings run side by side, as many at once as there are cores to share
    runs = {seed: tmp_path / f"seed{seed}" for seed in SEEDS}
    procs = [subprocess.Popen([sys.executable, SCRIPT, "--seed", str(seed), "--out", str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for seed, out in runs.items()]
    for proc in procs:
        _, err = proc.communicate()
        assert proc.returncode == 0, err.decode()[-2000:]
    ring = data.ring8()
    learned = {}
    for seed, out in runs.items():
        samples = np.load(out / "samples.npy")
        assert samples.shape == (2500, 2)
        assert (out / "minimal_gan.png").stat().st_size > 10_000
        learned[seed] = metrics.mode_coverage(samples, ring.centers, ring.std)
    good = [seed for seed, cov in learned.items() if cov["modes"] == 8 and cov["high_quality"] >= 0.70]
    assert len(good) >= 2, learned
