"""The game: the settings of a run, the two networks, Algorithm 1's loop, sampling, checkpoints and runs.

    config.py       TrainConfig: every setting, one home each, by concern (run, model, game, fixes, sampling)
    recipes.py      the settings that train each dataset out of the box, and the papers' presets
    networks.py     G and D built from a config
    trainer.py      the Trainer: Algorithm 1 (k D-steps, then one G-step), with the fixes plugged in
    sampling.py     sample(): G's draws, through the filters of sampling
    step_trace.py   one iteration of the Trainer, stage by stage (the `step` command)
    checkpoint.py   saving and resuming a run exactly
    run.py          a whole run: restarts when its two-sample check fails, its final metrics, load_run
"""
