"""How often the one-page GAN learns all eight modes: demos/minimal_gan.py over many seeds, one table.

    python benchmarks/minimal_gan_seeds.py --seeds 300-319 [--jobs 2]

Runs the demo once per seed (in subprocesses, `--jobs` at a time) and prints, for each seed, the modes
found, the high-quality fraction and the reverse KL of its 2,500 samples, then the success rate: the share
of seeds with 8/8 modes and high quality >= 70%, the test's bar. The BLAS kernel is whatever the
environment picks; set OPENBLAS_CORETYPE (say Prescott) to see another CPU's rounding on this one.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

from scratchgan import data
from scratchgan.measure import metrics

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "demos", "minimal_gan.py")


def seed_range(text):
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=seed_range, default=seed_range("300-319"))
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    ring = data.ring8()
    kernel = os.environ.get("OPENBLAS_CORETYPE", "default")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        pending = list(args.seeds)
        while pending:
            batch, pending = pending[:args.jobs], pending[args.jobs:]
            procs = [(seed, subprocess.Popen([sys.executable, SCRIPT, "--seed", str(seed), "--steps",
                                              str(args.steps), "--out", os.path.join(tmp, str(seed))],
                                             stdout=subprocess.DEVNULL)) for seed in batch]
            for seed, proc in procs:
                if proc.wait() != 0:
                    sys.exit(f"seed {seed} failed")
                samples = np.load(os.path.join(tmp, str(seed), "samples.npy"))
                cov = metrics.mode_coverage(samples, ring.centers, ring.std)
                ok = cov["modes"] == 8 and cov["high_quality"] >= 0.70
                results.append(ok)
                print(f"kernel {kernel:<12} seed {seed:>4}  modes {cov['modes']}/8  "
                      f"high quality {100 * cov['high_quality']:5.1f}%  reverse KL {cov['reverse_kl']:.3f}  "
                      f"{'ok' if ok else 'MISSED'}", flush=True)
    print(f"kernel {kernel}: {sum(results)}/{len(results)} seeds reach 8/8 modes and >= 70% high quality")


if __name__ == "__main__":
    main()
