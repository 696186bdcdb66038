"""One run in the lab: a Trainer of the library, played, paused and stepped from the page, and its latest frame.

A Session belongs to one browser tab. It holds

    trainer      the library's Trainer, built by default_config(data, **overrides) exactly as `train` builds it
    view         the run's fixed picture (frames.View)
    frame        the latest frame as JSON bytes, numbered (frame_seq); the page asks for one newer than its own

Who touches the trainer. One lock guards it: the worker thread (while playing) holds it for one iteration at a
time, and the page's actions (one iteration, a D-step alone, a G-step alone, the slow motion, a setting, export)
hold it for theirs. So the networks are never read half-updated, and never by two threads at once: the layers
cache their last input for the backward pass, and a frame drawn in the middle of a step would overwrite it.
Frames are drawn by whoever holds the lock, at most FPS times a second while playing, and only while a page
is watching (it asked for a frame within the last WATCHED seconds).

A step that raises TrainingDiverged stops the run: the status is "diverged", the message names the step, and
the last good frame and every curve before it stay on the page (Export still writes the run if its parameters
are finite).
"""

import json
import threading
import time

import numpy as np

from . import frames, stages
from .library import (ConditionalLabels, default_config, format_trace, trace_step, Trainer, TrainingDiverged,
    UsageError)
from .settings import BY_NAME, parse_settings, shown_values

FPS = 17          # frames drawn per second while playing (the page redraws each one it gets; >= 15)
WATCHED = 3.0     # seconds after the page's last request for a frame during which frames are still drawn


def quiet():
    """NumPy's overflow warnings off, as a run diverges: the Trainer's finite checks catch it and say where."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


SPEEDS = {"full": 0, "100": 100, "20": 20, "5": 5, "1": 1}     # iterations per second; 0: as fast as it goes


def d_step_alone(trainer):
    """One D-step of Trainer.train_step's inner loop, and nothing else: the iteration count does not move.

    The lines are train_step's, in its order: the learning rates and the fixes' schedule for this iteration,
    a real batch x ~ pi and z ~ p(z), x_fake = G(z), L_D backpropagated into D (the fixes' inputs and terms
    included), D's gradient checked finite, D's optimizer step, then the fixes' after_d_update. Returns L_D."""
    m, fixes = trainer.config.game.batch, trainer.fixes
    trainer.set_learning_rates()
    fixes.begin_iteration(trainer)
    x_real = fixes.real_batch(trainer, m)
    z = trainer.noise(m)
    x_fake = trainer.G.forward(z)
    trainer.opt_d.zero_grad()
    loss_d, _, _ = trainer.discriminator_step_backward(x_real, x_fake)
    trainer.finite_gradient("discriminator", loss_d, trainer.opt_d.params)
    trainer.opt_d.step()
    fixes.after_d_update(trainer)
    release_labels(trainer)
    return loss_d


def release_labels(trainer):
    """After a D-step or a G-step alone: the labels G(z, y) and D(x, y) were given for that step only, so they go
    (ConditionalLabels.end_iteration, which the end of an iteration calls); the EMA and the rest stay as they are."""
    for fix in trainer.fixes:
        if isinstance(fix, ConditionalLabels):
            fix.end_iteration(trainer)


def g_step_alone(trainer):
    """The G-step of Trainer.train_step alone: z ~ p(z), L_G through D (frozen) into G, G's optimizer step.
    The iteration count does not move, and the fixes' end_iteration (the EMA) does not run. Returns L_G."""
    trainer.set_learning_rates()
    trainer.fixes.begin_iteration(trainer)
    z = trainer.noise(trainer.config.game.batch)
    trainer.fixes.before_g_step(trainer)
    trainer.opt_g.zero_grad()
    loss_g = trainer.generator_step_backward(z)
    trainer.finite_gradient("generator", loss_g, trainer.opt_g.params)
    trainer.opt_g.step()
    trainer.fixes.after_g_update(trainer)
    release_labels(trainer)
    return loss_g


class Session:
    """One tab's run: build, step, play and pause it; its frames; its settings. See the module docstring."""

    def __init__(self, session_id):
        self.id = session_id
        self.lock = threading.RLock()            # guards the trainer (see the module docstring)
        self.new_frame = threading.Condition()   # notified when a frame is published
        self.trainer, self.view, self.data, self.overrides = None, None, None, {}
        self.run_id = 0                          # which build of the run: the page resets its curves on a new one
        self.frame, self.frame_seq, self.frame_time = b"null", 0, 0.0
        self.status, self.message = "paused", ""
        self.activity = "iteration"              # what the code pane shows: an action or a stage key
        self.speed = 0
        self.playing = False
        self.worker = None
        self.last_seen = time.monotonic()        # the page's last request, for the WATCHED window and clean-up
        self.meta = None

    # -- building -----------------------------------------------------------------------------------------

    def build(self, data, overrides=None):
        """A fresh run of `data` (a dataset's name or a table file's path) with overrides {field: value}."""
        overrides = dict(self.overrides if overrides is None else overrides)
        config = default_config(data, eval_every=0, **overrides)
        if config.run.eval_every == 0:                # the lab always measures: the recipe's rhythm, else 200
            config.run.eval_every = default_config(data).run.eval_every or 200
        trainer = self.make_trainer(config)
        self.pause()
        with self.lock:
            self.trainer, self.data, self.overrides = trainer, data, overrides
            self.view = frames.View(trainer)
            self.meta = frames.meta_json(trainer, self.view)
            self.run_id += 1
            self.status, self.message, self.activity = "paused", "", "iteration"
            self.publish()

    @staticmethod
    def make_trainer(config):
        """The library's Trainer for config, after the lab's own check: it draws 1D and 2D data only."""
        trainer = Trainer(config)
        if trainer.data.dim > 2:
            raise UsageError(f"the lab draws 1D and 2D data; {trainer.data.name} has {trainer.data.dim} columns "
                             f"(train it with: python -m scratchgan train --data FILE)")
        return trainer

    def reset(self, settings=None):
        """Rebuild the run from its data with the current overrides and `settings` (page strings) on top."""
        overrides = dict(self.overrides, **parse_settings(settings or {}))
        self.build(self.data, overrides)

    def apply(self, settings):
        """Apply the page's settings: the live ones to the running trainer, at once; the others are returned
        as `needs_reset` (the page offers a reset with them). A bad value is a UsageError; nothing changes."""
        values = parse_settings(settings)
        with self.lock:
            config = self.trainer.config
            changed = {k: v for k, v in values.items() if config.get(k) != v}
            default_config(self.data, **dict(self.overrides, **changed))       # the library's checks
            if "steps" in changed and changed["steps"] < self.trainer.step:
                raise UsageError(f"steps must be at least the {self.trainer.step} iterations already done")
            live = {k: v for k, v in changed.items() if BY_NAME[k]["live"]}
            for name, value in live.items():
                config.set(name, value)
            self.overrides.update(live)
            if live and self.status == "done" and config.run.steps > self.trainer.step:
                self.status = "paused"
            waiting = sorted(set(changed) - set(live))
            return {"applied": sorted(live), "needs_reset": waiting}

    # -- stepping -----------------------------------------------------------------------------------------

    def act(self, action):
        """One of the page's single steps, with the run paused first: "iteration" (train_step), "d_step",
        "g_step" (alone), or "stages" (one iteration traced stage by stage; returns the stages)."""
        self.pause()
        with self.lock:
            if self.status == "diverged":
                raise UsageError(f"{self.message}; reset to start again")
            if action in ("iteration", "stages") and self.trainer.step >= self.trainer.config.run.steps:
                raise UsageError(f"the run has done its {self.trainer.config.run.steps} steps; raise steps to go on")
            self.activity = action
            result = None
            try:
                if action == "iteration":
                    self.iterate()
                elif action == "d_step":
                    with quiet():
                        result = {"loss_d": d_step_alone(self.trainer)}
                elif action == "g_step":
                    with quiet():
                        result = {"loss_g": g_step_alone(self.trainer)}
                elif action == "stages":
                    result = self.traced_iteration()
                else:
                    raise UsageError(f"unknown action {action!r}")
            except TrainingDiverged as e:
                self.diverged(e)
            self.publish()
            return result

    def iterate(self):
        """One iteration of Algorithm 1 (Trainer.train_step), then an evaluation when one is due."""
        trainer = self.trainer
        with quiet():                              # a diverging run is caught by the Trainer's finite checks
            trainer.train_step()
            if trainer.config.run.eval_every and trainer.step % trainer.config.run.eval_every == 0:
                trainer.evaluate()

    def traced_iteration(self):
        """One iteration traced as `scratchgan step` traces it: the stages' texts, frames and code."""
        trainer = self.trainer
        with quiet():
            record, trace = trace_step(trainer)
        texts = stages.stage_texts(format_trace(trainer, trace))
        pictures = frames.stage_frames(trainer, self.view, trace)
        if trainer.config.run.eval_every and trainer.step % trainer.config.run.eval_every == 0:
            trainer.evaluate()
        return {"step": trainer.step, "stages": [
            {"key": key, "title": title, "text": texts[key], "frame": pictures[key],
             "code": stages.code_for(trainer, key)} for key, title, _, _ in stages.STAGES]}

    def diverged(self, error):
        self.status = "diverged"
        self.message = f"{error}. The run stops here; what came before stays (export it, or reset)"

    # -- playing ------------------------------------------------------------------------------------------

    def play(self):
        """Train in a worker thread until pause(), the run's last step, or a divergence."""
        with self.lock:
            if self.status == "diverged":
                raise UsageError(f"{self.message}; reset to start again")
            if self.trainer.step >= self.trainer.config.run.steps:
                raise UsageError(f"the run has done its {self.trainer.config.run.steps} steps; raise steps to go on")
            if self.playing:
                return
            self.playing, self.status, self.activity = True, "playing", "iteration"
            self.worker = threading.Thread(target=self.run, name=f"lab-{self.id}", daemon=True)
            self.worker.start()

    def pause(self):
        """Stop the worker after its current iteration, and wait for it."""
        self.playing = False
        worker = self.worker
        if worker is not None and worker is not threading.current_thread():
            worker.join()
        self.worker = None
        if self.status == "playing":
            self.status = "paused"

    def run(self):
        """The worker: iterations as fast as `speed` allows, a frame every 1/FPS seconds while watched."""
        started, done = time.perf_counter(), 0
        while self.playing:
            with self.lock:
                try:
                    self.iterate()
                except TrainingDiverged as e:
                    self.diverged(e)
                    self.playing = False
                if self.trainer.step >= self.trainer.config.run.steps and self.status != "diverged":
                    self.status, self.playing = "done", False
                    self.message = f"done: the run's {self.trainer.config.run.steps} steps (raise steps to go on)"
                now = time.perf_counter()
                if not self.playing or (now - self.frame_time >= 1.0 / FPS
                                        and time.monotonic() - self.last_seen < WATCHED):
                    self.frame_time = now            # the next frame is due 1/FPS after this one began
                    self.publish()
            done += 1
            if self.speed:                             # pace to `speed` iterations a second
                time.sleep(max(0.0, started + done / self.speed - time.perf_counter()))
        if self.status == "playing":
            self.status = "paused"

    # -- frames -------------------------------------------------------------------------------------------

    def publish(self):
        """Draw the current frame (under the lock, by its holder) and wake the pages waiting for one. After a
        divergence the last good frame stays, marked diverged: the networks may no longer be finite."""
        if self.status == "diverged" and self.frame != b"null":
            frame = dict(json.loads(self.frame), status=self.status)
        else:
            frame = frames.frame_json(self.trainer, self.view, self.run_id, self.status)
        data = json.dumps(frame, separators=(",", ":")).encode()
        with self.new_frame:
            self.frame, self.frame_seq = data, self.frame_seq + 1
            self.new_frame.notify_all()

    def wait_frame(self, after, timeout=1.0):
        """(seq, frame bytes) of the first frame numbered above `after`, waiting up to `timeout` seconds;
        the current one if none came."""
        self.last_seen = time.monotonic()
        with self.new_frame:
            self.new_frame.wait_for(lambda: self.frame_seq > after, timeout)
            return self.frame_seq, self.frame

    def state(self):
        """What the page shows around the pictures: step, status, message, settings, speed, code pane."""
        trainer = self.trainer
        return {"id": self.id, "run": self.run_id, "data": self.data, "step": trainer.step,
                "steps": trainer.config.run.steps, "status": self.status, "message": self.message,
                "settings": shown_values(trainer.config), "playing": self.playing,
                "speed": next((k for k, v in SPEEDS.items() if v == self.speed), "full"),
                "code": stages.code_for(trainer, self.activity if self.activity in stages.ACTIONS else "iteration")}

    def set_speed(self, name):
        if name not in SPEEDS:
            raise UsageError(f"unknown speed {name!r}; choose one of: {', '.join(SPEEDS)}")
        self.speed = SPEEDS[name]
