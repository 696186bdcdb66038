"""The mode-collapse benchmark's plumbing (the real benchmark runs for minutes: `python -m scratchgan modes`)."""

import numpy as np
import pytest

from scratchgan import modebench
from scratchgan.cli import main
from scratchgan.game import sampling
from scratchgan.game.recipes import default_config


def test_methods_change_only_what_defines_them():
    base = default_config("ring8")
    for name, overrides in modebench.METHODS.items():
        cfg = default_config("ring8", **overrides)
        assert (cfg.model.g_hidden, cfg.model.d_hidden, cfg.game.batch) == (base.model.g_hidden, base.model.d_hidden, base.game.batch), name
        assert cfg.sampling.truncation == 0.0 and cfg.sampling.rejection == 0.0 and cfg.run.restarts == 0, name   # G alone, every row
        if name != "default":
            assert cfg.fixes.instance_noise == 0.0 and cfg.model.latent_classes == 0
    assert default_config("ring8", **modebench.METHODS["wgan-gp"]).fixes.penalty == "gp"
    assert default_config("ring8", **modebench.METHODS["pacgan"]).fixes.pack == 2


def test_run_one_scores_the_protocol_sample():
    (r,) = modebench.run_one("ring8", "nonsaturating", seed=1, steps=5)
    assert set(r) >= {"modes", "high_quality", "reverse_kl", "spread", "spread_min", "spread_centre", "seconds"}
    assert 0 <= r["modes"] <= 8 and 0.0 <= r["high_quality"] <= 1.0 and r["reverse_kl"] >= 0


def test_the_default_is_also_scored_stage_by_stage(monkeypatch):
    # the stages switch the filters on over one trained run; with 5 steps the check rejects it, so the last
    # stage trains once more (restarts=1)
    monkeypatch.setattr(sampling, "RATIO_STEPS", 50)          # rejection's D: a quick fit is enough here
    rows = modebench.run_one("ring8", "default", seed=1, steps=5)
    assert [r["method"] for r in rows] == ["default", *modebench.STAGES]
    assert [r["attempts"] for r in rows] == [1, 1, 1, 2]
    assert rows[0]["seconds"] < min(r["seconds"] for r in rows[1:])   # each stage's time includes the training
    text = modebench.table(rows, ["ring8"], ["default"])
    assert text.count("| ring8 | default") == 4


def test_table_reports_mean_and_std_over_seeds():
    rows = [dict(data="ring8", method="r1", seed=s, modes=m, high_quality=h, reverse_kl=k, spread=w,
                 spread_min=w - 0.2, seconds=10.0)
            for s, m, h, k, w in [(1, 8, 0.9, 0.01, 0.9), (2, 6, 0.7, 0.03, 0.5)]]
    text = modebench.table(rows, ["ring8"], ["r1"])
    assert ("| ring8 | r1 | no | 7.0 ± 1.0 | 80.0 ± 10.0 | 0.020 ± 0.010 | 0.70 ± 0.20 | 0.50 ± 0.20 | 10 ± 0 | 1,2 |"
            in text)


def test_the_told_column_says_whether_a_recipe_sets_the_number_of_latent_classes(monkeypatch):
    assert not modebench.told("ring8", "default") and not modebench.told("grid25", "default: + restart")
    assert not modebench.told("ring8", "r1")
    monkeypatch.setitem(modebench.METHODS, "told", dict(modebench.PLAIN, latent_classes=8))
    assert modebench.told("ring8", "told")


def test_score_measures_the_spread_of_the_modes():
    from scratchgan.data import get_dataset

    data, rng = get_dataset("ring8"), np.random.default_rng(0)
    c = data.centers[rng.integers(0, 8, 2500)]
    half = c + 0.5 * data.std * rng.standard_normal(c.shape)
    r = modebench.score(half, data)
    assert r["modes"] == 8 and 0.45 <= r["spread"] <= 0.52 and 0.45 <= r["spread_centre"] <= 0.52
    assert r["spread_min"] <= r["spread"] and r["spread_centre_min"] <= r["spread_centre"]
    assert np.isnan(modebench.score(np.full((10, 2), np.nan), data)["spread"])


def test_cli_rejects_datasets_without_centres_and_unknown_methods(tmp_path, capsys):
    assert main(["modes", "--data", "moons", "--out", str(tmp_path / "t.md")]) == 2
    assert "centres" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown method 'gan'"):
        modebench.run_all(["ring8"], ["gan"], [1])
