"""`scratchgan step --data NAME`: one iteration of Algorithm 1 in slow motion, printed stage by stage and drawn.

It is the Trainer's own step on the dataset's default recipe (scratchgan.game.step_trace), not a re-enactment: the
numbers printed are those `train --data NAME --seed S` computes in its iteration AFTER + 1.
"""

import os

from ..engine.errors import UsageError
from ..game.recipes import default_config
from ..game.step_trace import format_trace, trace_step
from ..game.trainer import Trainer
from ..plots.base import is_critic
from ..plots.step import plot_step
from .outdir import check_writable_dir


def add_parser(sub):
    """The `step` subcommand and its options, on the subparsers `sub`."""
    p = sub.add_parser("step", help="one training iteration in slow motion: every stage's shapes and numbers")
    p.add_argument("--data", metavar="NAME", required=True, help="gaussian, mixture1d, ring8, grid25, spiral or moons")
    p.add_argument("--seed", type=int, default=0, help="the seed of the run (default 0)")
    p.add_argument("--after", type=int, default=0, metavar="N",
                   help="train N iterations first, then show iteration N + 1 (default 0: the very first)")
    p.add_argument("--out", metavar="DIR", help="where to write step.png (default runs/step-NAME)")
    p.set_defaults(func=run)


def run(args):
    """Print the stages of one iteration and write DIR/step.png."""
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    config = default_config(args.data, seed=args.seed, eval_every=0)
    if not 0 <= args.after < config.run.steps:
        raise UsageError(f"--after must be in [0, {config.run.steps}) for {args.data}, got {args.after}")
    trainer = Trainer(config)
    if trainer.data.dim > 2:
        raise UsageError(f"step draws 1D and 2D data; {args.data} has {trainer.data.dim} dimensions")
    out = args.out or os.path.join("runs", f"step-{args.data}")
    check_writable_dir(out)
    trainer.train(args.after)
    record, trace = trace_step(trainer)
    for line in format_trace(trainer, trace):
        print(line)
    path = plot_step(trace, trainer.data, trainer.objective, os.path.join(out, "step.png"),
                     critic=is_critic(config.game.loss),
                     title=f"{config.run.data}: iteration {trainer.step} of Algorithm 1, stage by stage "
                           f"(seed {config.run.seed})")
    print(f"\nwrote {path}")
    return 0
