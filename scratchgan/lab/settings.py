"""The lab's settings: each option of a run the page offers, its one-line formula, and whether it can change mid-run.

SETTINGS is read from scratchgan/game/config.py, the one home of every setting: its name, its section (the
page's group), its kind, its choices and its help (the one line the page shows, as `train --help` does). Only
two things are the lab's own:

    LIVE      the settings the running Trainer reads afresh at every iteration (Trainer.train_step reads
              config.game.k, set_learning_rates reads lr_d and lr_g, sampling reads truncation and rejection),
              so they can change mid-run; every other one is built into the run (the loss object, the networks,
              the optimizers, the fixes' list): changing it needs a reset, and the page says so
    HIDDEN    the settings the page does not offer (the data has its own control; the rest is bookkeeping)

parse_settings turns the page's strings into field values, with a one-line UsageError for what is not a value;
the values' checks are the config's own (default_config validates).
"""

import dataclasses

from .library import SECTIONS, UsageError, setting_kind

LIVE = ("k", "lr_d", "lr_g", "steps", "truncation", "rejection")
HIDDEN = ("data", "attempt", "restarts", "dtype", "log_every", "eval_every", "eval_samples")
GROUPS = {"game": "the game", "run": "the game", "model": "the networks", "fixes": "the fixes",
          "sampling": "sampling the result"}


def setting(section, field):
    """One row of SETTINGS, a JSON-ready dict, for a field of a section of scratchgan.game.config."""
    choices = getattr(field.metadata["check"], "choices", None)
    kind = setting_kind(field)
    return {"name": field.name, "kind": kind, "formula": field.metadata["help"], "live": field.name in LIVE,
            "choices": list(choices) if choices else None, "group": GROUPS[section]}


SETTINGS = [setting(section, f) for section in GROUPS for f in dataclasses.fields(SECTIONS[section])
            if f.name not in HIDDEN]

BY_NAME = {s["name"]: s for s in SETTINGS}


def parse_value(spec, text):
    """The field value of one setting from the page's text (or JSON value); a UsageError naming it if not."""
    name, kind = spec["name"], spec["kind"]
    if kind == "bool":
        if isinstance(text, bool):
            return text
        if str(text).lower() in ("true", "1", "on", "yes"):
            return True
        if str(text).lower() in ("false", "0", "off", "no", ""):
            return False
        raise UsageError(f"{name} must be on or off, got {text!r}")
    if kind == "choice":
        if str(text) not in spec["choices"]:
            raise UsageError(f"unknown {name} {text!r}; choose one of: {', '.join(spec['choices'])}")
        return str(text)
    if kind == "widths":
        parts = text if isinstance(text, (list, tuple)) else str(text).replace(" ", ",").split(",")
        try:
            widths = tuple(int(p) for p in parts if str(p).strip() != "")
        except ValueError:
            raise UsageError(f"{name} must be layer widths such as 128,128, got {text!r}") from None
        if not widths:
            raise UsageError(f"{name} must hold at least one layer width, such as 128,128")
        return widths
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a number, got {text!r}") from None
    if kind == "int":
        if number != int(number):
            raise UsageError(f"{name} must be a whole number, got {text!r}")
        return int(number)
    return number


def parse_settings(settings):
    """{name: value} for the page's {name: text}; an unknown name or a bad value is a one-line UsageError."""
    if not isinstance(settings, dict):
        raise UsageError("settings must be an object {name: value}")
    values = {}
    for name, text in settings.items():
        if name not in BY_NAME:
            raise UsageError(f"unknown setting {name!r}")
        values[name] = parse_value(BY_NAME[name], text)
    return values


def shown_values(config):
    """{name: value} of every setting, as the page's form shows them, from a TrainConfig."""
    values = {}
    for spec in SETTINGS:
        value = config.get(spec["name"])
        values[spec["name"]] = ",".join(map(str, value)) if spec["kind"] == "widths" else value
    return values
