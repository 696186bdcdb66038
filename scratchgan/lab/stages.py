"""The stages of one iteration and the source lines that run them: the slow motion and the code pane.

STAGES         the seven stages of `scratchgan step` (step_trace.format_trace numbers them 1-7), each with the
               marks that find its lines in Trainer.train_step and the functions it calls into
stage_texts    format_trace's lines cut into the seven stages' texts
code_for       a stage's source: the lines of Trainer.train_step it runs, marked, then the function it calls,
               read with inspect from the library's own files, so the pane shows the code that ran. Each
               snippet links to its file's page of the reading path (tools/pages.py writes them)

The marks are pieces of text of train_step's lines, searched in order: a mark is found on the first line,
after the previous stage's, that holds it. A mark that is no longer there leaves the stage with fewer marked
lines, never an error.
"""

import inspect
import os

from .library import discriminator_backward, generator_backward, generator_pull, Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # holds scratchgan/

# key, title (as the issue and GAN Lab name them), marks in train_step, what it calls (a function, or the
# attribute of the trainer whose class's method it is)
STAGES = [
    ("samples", "1. the batch: x ~ pi, z ~ p(z), G(z)",
     ("fixes.real_batch(self, m)", "z = self.noise(m)", "x_fake = self.G.forward(z)"), None),
    ("verdict", "2. D's verdict on the real and the fake batch",
     ("self.opt_d.zero_grad()", "self.discriminator_step_backward(x_real, x_fake)"), discriminator_backward),
    ("loss_d", "3. D's loss L_D", ("self.discriminator_step_backward(x_real, x_fake)",), ("objective", "d_loss")),
    ("d_grad", "4. D's gradient dL_D/dphi", ("self.discriminator_step_backward(x_real, x_fake)",
                                             "norm_d = self.finite_gradient"), discriminator_backward),
    ("d_update", "5. D's update", ("self.opt_d.step()", "fixes.after_d_update(self)"), ("opt_d", "step")),
    ("g_pull", "6. G's pull through D, and G's gradient",
     ("z = self.noise(m)", "fixes.before_g_step(self)", "self.opt_g.zero_grad()",
      "L_G = self.generator_step_backward(z)", "norm_g = self.finite_gradient"), generator_pull),
    ("g_update", "7. G's update", ("self.opt_g.step()", "fixes.after_g_update(self)"), ("opt_g", "step")),
]
STAGE_KEYS = [key for key, *_ in STAGES]

# what the code pane shows for the other actions: an iteration, a D-step alone, a G-step alone
ACTIONS = {
    "iteration": ("for _ in range(self.config.game.k):", "return self.record("),
    "d_step": ("for _ in range(self.config.game.k):", 'observe("d_update")'),
    "g_step": ("z = self.noise(m)", 'observe("g_update")'),
}
ACTION_CALLS = {"iteration": None, "d_step": discriminator_backward, "g_step": generator_backward}


def stage_texts(lines):
    """{stage key: its text} from format_trace's lines: the header goes to the first stage, then a line that
    starts "N. " begins stage N."""
    texts, current, header = {key: [] for key in STAGE_KEYS}, None, []
    for line in lines:
        head = line.split(".", 1)[0]
        if head.isdigit() and 1 <= int(head) <= len(STAGE_KEYS):
            current = STAGE_KEYS[int(head) - 1]
        (texts[current] if current else header).append(line)
    texts[STAGE_KEYS[0]] = header + texts[STAGE_KEYS[0]]
    return {key: "\n".join(text).strip("\n") for key, text in texts.items()}


def page_name(path):
    """The reading page of a source file, as tools/pages.py names it: scratchgan/trainer.py ->
    scratchgan-game-trainer.html."""
    return path[:-3].replace("/", "-") + ".html"


def snippet(function, marks=(), *, span=None):
    """A function's source for the pane: file (relative to the repository), its lines with their numbers,
    the marked line numbers, and the page of the reading path with the row where the function starts.

    marks: pieces of text; each marks the first line after the previous mark's that holds it.
    span: (first mark, last mark) to mark every line between them instead."""
    lines, first = inspect.getsourcelines(function)
    path = os.path.relpath(inspect.getsourcefile(function), ROOT).replace(os.sep, "/")
    marked, at = [], 0
    if span is not None:
        start = next((i for i, line in enumerate(lines) if span[0] in line), None)
        end = next((i for i, line in enumerate(lines) if span[1] in line and start is not None and i >= start),
                   None)
        if start is not None and end is not None:
            marked = list(range(first + start, first + end + 1))
    for mark in marks:
        found = next((i for i in range(at, len(lines)) if mark in lines[i]), None)
        if found is not None:
            marked.append(first + found)
            at = found + 1
    return {"file": path, "first": first, "lines": [line.rstrip("\n") for line in lines], "marked": marked,
            "name": function.__qualname__, "page": f"{page_name(path)}#L{first}"}


def called(trainer, call):
    """The function a stage calls into: a function itself, or (attribute, method) of the trainer's object."""
    if call is None or callable(call):
        return call
    attribute, method = call
    return getattr(type(getattr(trainer, attribute)), method)


def train_step_marks():
    """{stage key: the marks of train_step's lines it runs}, each stage searching after the previous one's
    lines, so that `z = self.noise(m)` of the G-step is not the D-step's."""
    lines, _ = inspect.getsourcelines(Trainer.train_step)
    found, at = {}, 0
    for key, _, marks, _ in STAGES:
        numbers = []
        for mark in marks:
            i = next((i for i in range(at, len(lines)) if mark in lines[i]), None)
            if i is not None:
                numbers.append(i)
        found[key] = numbers
        if numbers and key not in ("verdict", "loss_d"):      # stages 2-4 share D's backward line
            at = max(numbers) + 1
    return found


def code_for(trainer, what):
    """The code pane's snippets for a stage key (STAGE_KEYS) or an action (ACTIONS): train_step with the
    stage's lines marked, then the function that stage calls, if any."""
    if what in ACTIONS:
        snippets = [snippet(Trainer.train_step, span=ACTIONS[what])]
        call = ACTION_CALLS[what]
    else:
        step = snippet(Trainer.train_step)
        step["marked"] = [step["first"] + i for i in train_step_marks()[what]]
        snippets = [step]
        call = called(trainer, dict((key, c) for key, _, _, c in STAGES)[what])
    if call is not None:
        snippets.append(snippet(call))
    return {"what": what, "snippets": snippets}
