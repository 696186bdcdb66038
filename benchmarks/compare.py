#!/usr/bin/env python3
"""scratchgan against PyTorch on the reference training step: steps per second, side by side.

Runs `python -m scratchgan bench` (with the Python that runs this script, which must have scratchgan
installed) and benchmarks/torch_step.py (the same step in PyTorch, CPU) one after the other, ROUNDS times
(--rounds, default 3). Each round prints both rates and their ratio; the last line is the median ratio
scratchgan/PyTorch. Above 1 means scratchgan is faster. Alternating the two spreads the machine's slow
and fast moments over both, so trust the ratio of one run, not the absolute figures, which depend on the
machine and on what else it is doing.

Both run with one thread: scratchgan asks its BLAS for one thread when imported, torch_step.py calls
torch.set_num_threads(1), and this script sets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS
to 1 for both children so that a value in your shell cannot tilt the comparison.

PyTorch is never installed into scratchgan's environment and is no dependency of the package or its
tests. On first use this script makes a side venv (--venv, or the TORCH_VENV environment variable,
default /tmp/scratchgan-torch-ref) and runs `pip install torch==2.13.0 numpy` in it. Mind the pin: on
the project's development machines pip finds a CPU wheel of exactly torch 2.13.0 on local disk (its
find-links), so that install is quick and offline, whereas a plain `pip install torch` would take a newer
release from PyPI, whose Linux build is the CUDA one, a download of several GB (it runs on CPU all the
same). Elsewhere, PyTorch's CPU index avoids the large download: --index-url URL is passed on to pip.
The pin also keeps ratios measured at different times comparable.

    python benchmarks/compare.py [--rounds 3] [--steps 2000] [--warmup 100] [--venv DIR]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_STEP = os.path.join(HERE, "torch_step.py")
TORCH_PIN = "torch==2.13.0"
DEFAULT_VENV = "/tmp/scratchgan-torch-ref"
ONE_THREAD = {var: "1" for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def torch_python(venv, index_url=None):
    """The side venv's python, with torch installed in it (made on first use)."""
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        print(f"making the side venv {venv} for PyTorch", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    has_torch = subprocess.run([py, "-c", "import torch"], capture_output=True).returncode == 0
    if not has_torch:
        print(f"installing {TORCH_PIN} and numpy into {venv} (first use only)", flush=True)
        cmd = [py, "-m", "pip", "install", "-q", TORCH_PIN, "numpy"]
        if index_url:
            cmd += ["--index-url", index_url]
        subprocess.run(cmd, check=True)
    return py


def last_rate(cmd):
    """Run cmd; return (its steps/s read from the last line of its output, its first line)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **ONE_THREAD})
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"failed (exit {proc.returncode}): {' '.join(cmd)}")
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s+steps/s\s*", lines[-1] if lines else "")
    if not match:
        sys.exit(f"the last line of {' '.join(cmd)} is not '<number> steps/s': {lines[-1:]}")
    return float(match.group(1)), lines[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Median speed ratio scratchgan/PyTorch on the reference step.")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--steps", type=int, help="timed steps for both (default: their own, 2000)")
    parser.add_argument("--warmup", type=int, help="untimed steps for both (default: their own, 100)")
    parser.add_argument("--venv", default=os.environ.get("TORCH_VENV", DEFAULT_VENV),
                        help=f"side venv for PyTorch (default $TORCH_VENV or {DEFAULT_VENV})")
    parser.add_argument("--index-url", help="pip index to install torch from (e.g. PyTorch's CPU index)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    passed = []
    if args.steps is not None:
        passed += ["--steps", str(args.steps)]
    if args.warmup is not None:
        passed += ["--warmup", str(args.warmup)]
    ours_cmd = [sys.executable, "-m", "scratchgan", "bench"] + passed
    torch_cmd = [torch_python(args.venv, args.index_url), TORCH_STEP] + passed

    ratios = []
    for r in range(1, args.rounds + 1):
        ours, ours_head = last_rate(ours_cmd)
        ref, ref_head = last_rate(torch_cmd)
        if r == 1:
            print(f"scratchgan: {ours_head}")
            print(f"pytorch:    {ref_head}")
        ratios.append(ours / ref)
        print(f"round {r}: scratchgan {ours:.1f} steps/s, pytorch {ref:.1f} steps/s, ratio {ours / ref:.2f}",
              flush=True)
    print(f"median ratio scratchgan/pytorch over {args.rounds} round(s): {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
