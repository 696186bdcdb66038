"""The floor of a training step: how much of the reference step is spent in its matrix products.

Whatever the Python around them costs, a step cannot run faster than its matrix products. This script
records the products of one reference step (scratchgan.bench.reference_config: the step `python -m scratchgan
bench` times), then times, in alternating rounds:

  step      Trainer.train_step(), the whole step
  products  the same products alone, replayed on arrays of the same shapes, dtype and memory layout:
            x @ W for every Linear.forward, x^T @ dy for every weight gradient and dy @ W^T for every input
            gradient that Linear.backward forms as a matrix product (nn.matmul_transposed)

and prints each round's times and, last, the median share products / step. The rest of the step (the
activations, the losses, Adam, the sampling of data and noise, Python) is what a faster implementation
could still remove.

Run from the repository root with scratchgan installed: python benchmarks/matmul_share.py [--rounds N]
"""

import argparse
import time

import scratchgan  # noqa: F401  (first: asks NumPy's BLAS for one thread)
import numpy as np

from scratchgan.bench import reference_config
from scratchgan.engine import nn
from scratchgan.game.trainer import Trainer


def record_products(trainer):
    """The (a, b, transpose_a) operands of every matrix product of one trainer.train_step(), in order."""
    products = []
    forward, backward = nn.Linear.forward, nn.Linear.backward

    def recording_forward(layer, x):
        products.append((x.shape, layer.W.data.shape, False, x.dtype))               # x @ W
        return forward(layer, x)

    def recording_backward(layer, dy, need_dx=True):
        if layer.W.requires_grad:
            products.append((layer.x.shape, dy.shape, True, dy.dtype))                # x^T @ dy
        if need_dx and layer.W.data.shape[1] > 1:
            products.append((dy.shape, layer.W.data.T.shape, False, dy.dtype))       # dy @ W^T
        return backward(layer, dy, need_dx)

    nn.Linear.forward, nn.Linear.backward = recording_forward, recording_backward
    try:
        trainer.train_step()
    finally:
        nn.Linear.forward, nn.Linear.backward = forward, backward
    return products


def replay(products, rng):
    """A function running the recorded products once on fixed random operands."""
    operands = []
    for a_shape, b_shape, transpose_a, dtype in products:
        a = rng.standard_normal(a_shape).astype(dtype)
        b = rng.standard_normal(b_shape).astype(dtype)
        operands.append((a, b, transpose_a))

    def run():
        for a, b, transpose_a in operands:
            (a.T @ b) if transpose_a else (a @ b)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=1000, help="steps (and product replays) timed per round")
    args = parser.parse_args()
    trainer = Trainer(reference_config(steps=10 ** 9))
    for _ in range(100):
        trainer.train_step()                                   # warm-up
    products = record_products(trainer)
    run = replay(products, np.random.default_rng(0))
    print(f"{len(products)} matrix products per step")
    shares = []
    for r in range(args.rounds):
        start = time.perf_counter()
        for _ in range(args.steps):
            trainer.train_step()
        step = (time.perf_counter() - start) / args.steps
        start = time.perf_counter()
        for _ in range(args.steps):
            run()
        prod = (time.perf_counter() - start) / args.steps
        shares.append(prod / step)
        print(f"round {r + 1}: step {1e6 * step:.0f} us, its products {1e6 * prod:.0f} us, share {shares[-1]:.2f}")
    print(f"median share of the step in matrix products: {np.median(shares):.2f}")


if __name__ == "__main__":
    main()
