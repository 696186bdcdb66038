"""The lab in a real browser: headless Chromium loads the page, plays, pauses, steps, and takes a screenshot.

Driven through the DevTools Protocol by tests/cdp.py (the standard library only). Skipped, with the reason
printed, where no Chromium or Chrome is installed (.ci/run may install Debian's chromium).
"""

import io
import time

import numpy as np
import pytest

from cdp import Chrome, find_chromium
from scratchgan.lab.server import start, stop

CHROMIUM = find_chromium()
if CHROMIUM is None:
    print("test_lab_browser: skipped, no browser found (looked for " + ", ".join(
        ["$CHROMIUM", "chromium", "chromium-browser", "google-chrome", "chrome"]) + ")")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium or Chrome found: install chromium "
                                                          "(apt-get install chromium) or set $CHROMIUM")


def click(browser, element_id):
    browser.evaluate(f"document.getElementById('{element_id}').click()")


def heatmap_pixels(png, box):
    """The RGB pixels of a screenshot inside box (left, top, right, bottom), read with matplotlib."""
    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")[..., :3]
    left, top, right, bottom = box
    return pixels[top:bottom, left:right]


def test_the_page_plays_pauses_steps_and_draws_a_heatmap(tmp_path):
    server = start(port=0, runs_dir=str(tmp_path))
    browser = Chrome(server.url, binary=CHROMIUM)
    try:
        browser.wait_for("window.lab && window.lab.seq > 0 && window.lab.draws > 0")
        assert browser.evaluate("document.getElementById('message').className") != "error"
        click(browser, "play")
        browser.wait_for("window.lab.step >= 5")
        seen = browser.evaluate("window.lab.frames")
        browser.wait_for(f"window.lab.frames > {seen} + 2")          # frames keep coming while it plays
        click(browser, "play")                                          # the same button pauses
        browser.wait_for("window.lab.status === 'paused'")
        time.sleep(0.3)
        step = browser.evaluate("window.lab.step")
        time.sleep(0.5)
        assert browser.evaluate("window.lab.step") == step              # paused: no more iterations
        click(browser, "iteration")
        browser.wait_for(f"window.lab.step === {step + 1}")
        draws = browser.evaluate("window.lab.draws")
        browser.wait_for(f"window.lab.draws >= {draws}")
        assert browser.evaluate("document.getElementById('code-snippets').textContent").count("train_step") >= 1
        rect = browser.evaluate("(() => { const r = document.getElementById('field').getBoundingClientRect(); "
                                "return [r.left, r.top, r.right, r.bottom].map(Math.round); })()")
        png = browser.screenshot()
        (tmp_path / "lab.png").write_bytes(png)
        field = heatmap_pixels(png, (rect[0] + 10, rect[1] + 30, rect[2] - 10, rect[3] - 10))
        assert field.std(axis=(0, 1)).max() > 0.02, "the heatmap is blank"
        purple_or_green = np.abs(field[..., 0] - field[..., 1]) > 0.05
        assert purple_or_green.mean() > 0.3, "the heatmap has no colour"
    finally:
        browser.close()
        stop(server)
