"""The player: a run's recorded frames as one offline HTML page you can play, pause and step through.

A GIF cannot be paused. animation.html can: it holds every frame as a PNG (drawn by frame.draw_frame,
exactly as the GIF's frames) embedded as a base64 data URI, and a few lines of JavaScript that show one
frame at a time. The page loads nothing from anywhere (no fonts, icons, stylesheets or scripts from the
internet), so it works offline; its buttons are plain <button>s labelled with text.

    frame_pngs     each frame drawn as a PNG image (bytes)
    player_html    the page: the images, the controls (buttons, slider, speed) and the script
    save_player    both at once, written to animation.html

Controls: |◀ first, ◀ step back, ▶ play / ▮▮ pause, step forward ▶, last ▶|, a slider and a speed menu.
Keyboard: space plays or pauses, the left and right arrows step, Home and End jump to the ends.
"""

import base64
import html
import io

from .base import FRAME_SIZE, GIF_DPI, new_figure
from .curves import _history_arrays
from .frame import draw_frame

SPEEDS = (1, 2, 4, 8, 16)     # frames per second offered by the speed menu


def frame_pngs(frames, meta, history=None, *, dpi=GIF_DPI):
    """Draw each frame as the GIF draws it (frame.draw_frame on one FRAME_SIZE figure); a list of PNG bytes.

    frames: list of frame dicts (frame_2d / frame_1d) in training order; meta: from frame_meta;
    history: optional dict for the side curves. At the GIF's dpi (80) each image is 800 x 368 pixels.
    """
    history = _history_arrays(history)
    fig = new_figure(*FRAME_SIZE)
    pngs = []
    for frame in frames:
        fig.clear()
        draw_frame(fig, frame, meta, history)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        pngs.append(buffer.getvalue())
    return pngs


# The page's look. Plain CSS: system fonts only, nothing to download.
STYLE = """
body { font-family: sans-serif; color: #222; max-width: 820px; margin: 1em auto; padding: 0 10px; }
h1 { font-size: 1.1em; font-weight: normal; }
#frames img { max-width: 100%; height: auto; border: 1px solid #ddd; }
#controls { display: flex; align-items: center; gap: 6px; margin: 8px 0; }
#controls button { font: inherit; padding: 4px 10px; min-width: 4.5em; }
#controls #play { min-width: 6.5em; }       /* as wide for "pause" as for "play": the controls stay put */
#slider { flex: 1; }
#label { font-variant-numeric: tabular-nums; margin: 4px 0; }
.help { color: #666; font-size: 0.9em; }
"""

# The player's script: it finds the frames and the controls in the page, and shows one frame at a time.
SCRIPT = """
const frames = document.querySelectorAll("#frames img");   // one <img> per frame, all but one hidden
const slider = document.getElementById("slider");
const speed = document.getElementById("speed");             // frames per second
const playButton = document.getElementById("play");
const label = document.getElementById("label");
const last = frames.length - 1;
let current = 0;          // the index of the frame on show
let timer = null;         // the running setInterval while playing, null while paused

function show(i) {
  frames[current].hidden = true;
  current = Math.max(0, Math.min(last, i));
  frames[current].hidden = false;
  slider.value = current;
  label.textContent = `step ${frames[current].dataset.step} of the run (frame ${current + 1} of ${frames.length})`;
}

function play() {
  if (current === last) show(0);                 // at the end, play again from the start
  timer = setInterval(nextOrStop, 1000 / Number(speed.value));
  playButton.textContent = "▮▮ pause";
}

function nextOrStop() {
  show(current + 1);
  if (current === last) pause();                 // stop on the last frame: the result of the run
}

function pause() {
  clearInterval(timer);
  timer = null;
  playButton.textContent = "▶ play";
}

function togglePlay() {
  if (timer) pause();
  else play();
}

function goTo(i) { pause(); show(i); }

playButton.onclick = togglePlay;
document.getElementById("first").onclick = () => goTo(0);
document.getElementById("back").onclick = () => goTo(current - 1);
document.getElementById("forward").onclick = () => goTo(current + 1);
document.getElementById("last").onclick = () => goTo(last);
slider.oninput = () => goTo(Number(slider.value));
speed.onchange = () => { if (timer) { pause(); play(); } };   // a new speed takes effect at once

const keys = { " ": togglePlay, ArrowLeft: () => goTo(current - 1), ArrowRight: () => goTo(current + 1),
               Home: () => goTo(0), End: () => goTo(last) };
document.addEventListener("keydown", (event) => {
  const action = keys[event.key];
  if (!action || event.target === speed) return;              // in the speed menu the arrows choose a speed
  if (event.altKey || event.ctrlKey || event.metaKey) return;  // Alt+Left stays the browser's Back
  event.preventDefault();     // no page scroll, no second press of a focused button or slider
  action();
});
document.addEventListener("keyup", (event) => { if (event.key === " ") event.preventDefault(); });

show(0);
play();                       // start playing, as a GIF would; space pauses
"""


def _image(png, step, hidden):
    """One frame as an <img> tag carrying its PNG as a data URI and its training step."""
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return f'<img src="{uri}" data-step="{step}" alt="the run at step {step}"{" hidden" if hidden else ""}>'


def player_html(pngs, steps, *, title="scratchgan run", fps=8):
    """The whole player page as a string: the frames, the controls and the script, with no external resource.

    pngs: list of F PNG images (bytes), in training order; steps: the F training steps they show;
    fps: the speed it starts at (one of SPEEDS). Control ids: first, back, play, forward, last (buttons),
    slider (a range input over frame indices 0 .. F-1), speed (a menu of frames per second), label (the text
    "step N of the run (frame i of F)"); the frames are the <img> tags inside #frames.
    """
    if len(pngs) == 0 or len(pngs) != len(steps):
        raise ValueError(f"a player needs one step per frame and at least one frame; got {len(pngs)} frames "
                         f"and {len(steps)} steps")
    steps = [int(s) for s in steps]
    images = "\n".join(_image(png, step, hidden=i > 0) for i, (png, step) in enumerate(zip(pngs, steps)))
    options = "".join(f'<option value="{s}"{" selected" if s == fps else ""}>{s} frames/s</option>'
                      for s in SPEEDS)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<div id="frames">
{images}
</div>
<div id="controls">
<button id="first" title="first frame (Home)">|◀</button>
<button id="back" title="step back (left arrow)">◀ step</button>
<button id="play" title="play or pause (space)">▶ play</button>
<button id="forward" title="step forward (right arrow)">step ▶</button>
<button id="last" title="last frame (End)">▶|</button>
<input id="slider" type="range" min="0" max="{len(pngs) - 1}" value="0" aria-label="frame">
<label>speed <select id="speed">{options}</select></label>
</div>
<p id="label">step {steps[0]} of the run (frame 1 of {len(pngs)})</p>
<p class="help">Space: play or pause. Left and right arrows: one frame back or forward. Home, End: first, last.</p>
<script>{SCRIPT}</script>
</body>
</html>
"""


def save_player(frames, meta, path, history=None, *, fps=8, dpi=GIF_DPI):
    """Write the frames as the player page (animation.html), atomically; returns path.

    frames, meta, history: as for animation.save_animation; a few MB for about 40 frames at the GIF's dpi.
    """
    from ..game.checkpoint import atomic_write

    if not frames:
        raise ValueError("no frames to play (was the recorder called during training?)")
    page = player_html(frame_pngs(frames, meta, history, dpi=dpi), [f["step"] for f in frames],
                       title=f"scratchgan · {meta['data']} · {meta['loss']} loss · {len(frames)} frames", fps=fps)
    atomic_write(path, lambda f: f.write(page.encode("utf-8")))
    return path
