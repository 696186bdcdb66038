"""The settings: one home each (a section by concern), one check each, one flag each, old checkpoints' flat form."""

import dataclasses
import json

import pytest

from scratchgan import cli
from scratchgan.engine.errors import UsageError
from scratchgan.game.config import SECTION_OF, SECTIONS, TrainConfig
from scratchgan.game.recipes import default_config, DEFAULT_CONFIGS, FILTERS, PRESETS


def test_every_setting_has_one_section_and_a_flat_name_unique_across_sections():
    names = [f.name for cls in SECTIONS.values() for f in dataclasses.fields(cls)]
    assert len(names) == len(set(names)) == len(SECTION_OF) == 46
    assert {name: SECTION_OF[name] for name in ("z_dim", "g_hidden", "k", "lr_d", "pack", "ema", "truncation",
                                                 "data", "seed")} == \
        dict(z_dim="model", g_hidden="model", k="game", lr_d="game", pack="fixes", ema="fixes",
             truncation="sampling", data="run", seed="run")


def test_flat_nested_and_back():
    c = TrainConfig.of(data="grid25", k=3, g_hidden=[64, 64, 64], pack=2, batch=128)
    assert (c.run.data, c.game.k, c.model.g_hidden, c.fixes.pack) == ("grid25", 3, (64, 64, 64), 2)
    d = json.loads(json.dumps(c.to_dict()))                 # a checkpoint's JSON
    assert set(d) == set(SECTIONS) and d["model"]["g_hidden"] == [64, 64, 64]
    assert TrainConfig.from_dict(d) == c
    assert TrainConfig.from_dict(c.flat()) == c             # 0.1.0's checkpoints store the flat dict
    assert c.replace(k=5).game.k == 5 and c.game.k == 3 and c.get("pack") == 2
    with pytest.raises(UsageError, match="unknown training option.s.: widht"):
        TrainConfig.of(widht=3)


def test_every_recipe_and_preset_uses_only_known_names_and_validates():
    for name in DEFAULT_CONFIGS:
        assert default_config(name).run.data == name
    for recipe in list(PRESETS.values()) + list(FILTERS.values()):
        assert set(recipe) <= set(SECTION_OF)
    default_config("ring8", **PRESETS["wgan-gp"])


@pytest.mark.parametrize("name, value, message", [
    ("steps", 0, "steps must be a positive integer, got 0"),
    ("z_dim", 2.5, "z_dim must be a positive integer, got 2.5"),
    ("seed", -1, "seed must be a non-negative integer, got -1"),
    ("lr_g", float("nan"), "lr_g must be a positive number, got nan"),
    ("beta2", 1.0, r"beta2 must be in \[0, 1\), got 1.0"),
    ("lr_final", 0.0, r"lr_final must be in \(0, 1\], got 0.0"),
    ("clip", -0.1, "clip must be a number >= 0, got -0.1"),
    ("feature_matching", 1, "feature_matching must be true or false, got 1"),
    ("d_hidden", (32, -1), r"d_hidden must hold positive layer widths, got \(32, -1\)"),
    ("d_hidden", (), r"d_hidden must hold positive layer widths, got \(\)"),
    ("loss", "wgann", "unknown loss 'wgann'; choose one of: minimax"),
    ("data", "ring9", "unknown dataset 'ring9'"),
    ("k", True, "k must be a positive integer, got True"),
    ("learned_prior", "yes", "learned_prior must be true or false, got 'yes'"),
    ("learned_prior", True, r"learned_prior needs a latent code to learn the prior of: set latent_classes > 0"),
])
def test_each_mistake_gets_its_one_message(name, value, message):
    with pytest.raises(UsageError, match=message):
        TrainConfig.of(**{name: value}).validate()


def train_flags():
    parser = cli.build_parser()
    train = next(a for a in parser._subparsers._group_actions[0].choices.values() if a.prog.endswith("train"))
    return {action.dest: action.option_strings for action in train._actions}


def test_the_command_line_has_a_flag_for_every_setting_generated_from_the_fields():
    flags = train_flags()
    for name in SECTION_OF:
        if name != "attempt":                               # a restart's number: state, not a choice
            assert "--" + name.replace("_", "-") in flags[name], name
    assert "--n-critic" in flags["k"] and "--no-feature-matching" in flags["feature_matching"]
    assert "attempt" not in flags


def test_model_flags_reach_the_networks(tmp_path):
    from scratchgan.cli.train import train_setup
    args = cli.build_parser().parse_args(["train", "--data", "ring8", "--out", str(tmp_path), "--z-dim", "3",
                                          "--g-hidden", "16,16,16", "--d-hidden", "8", "--g-activation", "tanh",
                                          "--latent-classes", "0", "--no-pieces"])
    trainer = train_setup(args)[0]
    widths = [layer.W.shape for layer in trainer.G.layers if hasattr(layer, "W")]
    assert widths == [(3, 16), (16, 16), (16, 16), (16, 2)]
    assert [layer.W.shape for layer in trainer.D.layers if hasattr(layer, "W")] == [(2, 8), (8, 1)]
    assert type(trainer.G.layers[1]).__name__ == "Tanh"


def test_malformed_widths_are_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["train", "--data", "ring8", "--g-hidden", "64,x"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--g-hidden: expected widths like 128,128, got '64,x'" in err
