"""The HTML player (scratchgan/plots/player.py): `train --animate` writes animation.html with one valid PNG per
recorded frame, the play / pause / step / slider controls and no link to the internet; `plot RUN_DIR --html` on
a run without frames is one line of error and exit code 2."""

import base64
import os
import re
import shutil

import numpy as np
import pytest

from scratchgan import cli, plots

TINY = ["--data", "ring8", "--steps", "60", "--batch", "32", "--n-samples", "200", "--checkpoint-every", "1000",
        "--rejection", "0", "--restarts", "0"]          # no filters after training: this test is about the player
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def embedded_frames(page):
    """[(step, PNG bytes)] of the frames in a player page, in order."""
    tags = re.findall(r"<img [^>]*>", page)
    frames = []
    for tag in tags:
        src = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', tag)
        step = re.search(r'data-step="(\d+)"', tag)
        assert src and step, tag[:80]
        frames.append((int(step.group(1)), base64.b64decode(src.group(1), validate=True)))
    return frames


@pytest.fixture(scope="module")
def animated_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("runs") / "ring8")
    assert cli.main(["train", *TINY, "--animate", "--out", out]) == 0
    return out


def test_train_animate_writes_a_player_with_every_recorded_frame(animated_run):
    with open(os.path.join(animated_run, "animation.html"), encoding="utf-8") as f:
        page = f.read()
    with np.load(os.path.join(animated_run, "frames.npz")) as f:
        steps = [int(s) for s in f["frame_step"]]
    frames = embedded_frames(page)
    assert len(steps) >= 2 and [step for step, _ in frames] == steps
    for _, png in frames:
        assert png.startswith(PNG_SIGNATURE) and len(png) > 1000
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")   # the IHDR chunk
        assert (width, height) == (800, 368)                 # FRAME_SIZE at the GIF's dpi
    assert not [f for f in os.listdir(animated_run) if ".tmp" in f]


def test_the_player_has_its_controls_and_works_offline(animated_run):
    with open(os.path.join(animated_run, "animation.html"), encoding="utf-8") as f:
        page = f.read()
    for control in ("first", "back", "play", "forward", "last"):
        assert re.search(rf'<button id="{control}"[^>]*>[^<]+</button>', page), control   # a visible text label
    n = len(embedded_frames(page))
    assert re.search(rf'<input id="slider" type="range" min="0" max="{n - 1}"', page)
    assert '<select id="speed">' in page and '<p id="label">step 0 of the run' in page
    assert "<script>" in page and "keydown" in page and "ArrowLeft" in page and "ArrowRight" in page
    # nothing to fetch: no address, no external script, stylesheet, font or icon
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "<script src" not in page and "@import" not in page and "url(" not in page


def test_plot_rewrites_the_player_and_html_asks_for_it(animated_run, capsys):
    os.remove(os.path.join(animated_run, "animation.html"))
    assert cli.main(["plot", animated_run, "--html"]) == 0
    assert "animation.html" in capsys.readouterr().out
    assert os.path.isfile(os.path.join(animated_run, "animation.html"))


def test_plot_html_without_frames_is_one_line_and_exit_2(animated_run, tmp_path, capsys):
    out = str(tmp_path / "plain")                             # the run as train leaves it without --animate
    shutil.copytree(animated_run, out)
    for name in ("frames.npz", "animation.gif", "animation.html"):
        os.remove(os.path.join(out, name))
    before = sorted(os.listdir(out))
    assert cli.main(["plot", out, "--html"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err
    assert "no recorded frames" in err and "--animate" in err
    assert sorted(os.listdir(out)) == before                  # nothing written
    assert cli.main(["plot", out]) == 0                       # without --html: the figures as before, no player
    assert "animation.html" not in os.listdir(out)


def test_player_html_needs_one_step_per_frame():
    with pytest.raises(ValueError, match="one step per frame"):
        plots.player_html([b"png"], [0, 10])
    with pytest.raises(ValueError, match="at least one frame"):
        plots.player_html([], [])
