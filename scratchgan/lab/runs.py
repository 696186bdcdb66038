"""The lab's runs, one per tab: create, find and drive them; data from a drawing or a file; export to a run directory.

Sessions        the server's runs by id (a random one per tab), at most MAX_SESSIONS: opening one more drops the
                one unseen the longest, after stopping its worker
drawn_table     points drawn with the mouse, written as a .npy into the run's temporary folder and then read
                back by the library's reader, exactly as a file of your own is (so at least 20 points, finite)
save_upload     an uploaded file, written under a safe name into the run's temporary folder, never elsewhere
export_run      the run as a run directory `scratchgan sample` and `scratchgan plot` accept: checkpoint.npz,
                history.npz, samples.npy and metrics.json, as `scratchgan train` writes them (the data file too,
                for a table, so the directory outlives the lab's temporary folder)
"""

import os
import re
import secrets
import shutil
import threading
import time

import numpy as np

from . import frames
from .library import (DATASETS, final_metrics, get_dataset, history_arrays, save_checkpoint, save_json, save_npy,
    save_npz, TABLE_EXTENSIONS, UsageError)
from .session import Session, SPEEDS
from .settings import parse_settings, SETTINGS

MAX_SESSIONS = 8
EXPORT_SAMPLES = 2000          # samples.npy of an exported run
MAX_POINTS = 20000


def toy_datasets():
    """The names of the datasets the lab can draw: every toy of dimension 1 or 2 (the digits are 64)."""
    return [name for name, make in DATASETS.items() if name != "digits" and make().dim <= 2]


class Sessions:
    """The runs of the server, by id. Each has its own temporary folder inside `tmp` for its data files."""

    def __init__(self, tmp, max_upload):
        self.tmp, self.max_upload = tmp, max_upload
        self.runs = {}
        self.lock = threading.Lock()
        self.toys = toy_datasets()

    def info(self):
        return {"datasets": self.toys, "settings": SETTINGS, "speeds": list(SPEEDS),
                "extensions": list(TABLE_EXTENSIONS), "max_upload": self.max_upload}

    def create(self, request):
        """A new run for a new tab: {"data": NAME (default ring8), "settings": {...}}; its state and picture."""
        data = request.get("data", "ring8")
        if data not in self.toys:
            raise UsageError(f"unknown dataset {data!r}; choose one of: {', '.join(self.toys)}")
        session = Session(secrets.token_hex(8))
        session.build(data, parse_settings(request.get("settings", {})))
        with self.lock:
            if len(self.runs) >= MAX_SESSIONS:
                oldest = min(self.runs.values(), key=lambda s: s.last_seen)
                oldest.pause()
                del self.runs[oldest.id]
                shutil.rmtree(os.path.join(self.tmp, oldest.id), ignore_errors=True)
            self.runs[session.id] = session
        return self.read(session, "meta", {})

    def get(self, session_id):
        session = self.runs.get(session_id)
        if session is None:
            raise KeyError("no such run (was the lab restarted, or this tab idle for long?): reload the page")
        session.last_seen = time.monotonic()
        return session

    def read(self, session, what, query):
        """state, meta (the state with the run's fixed picture) or history (from ?since=I on)."""
        if what == "history":
            since = int(query.get("since", ["0"])[0] or 0)
            with session.lock:
                return frames.history_json(session.trainer.history, max(0, since))
        with session.lock:
            state = session.state()
            if what == "meta":
                state["meta"] = session.meta
            return state

    def action(self, session, what, request, runs_dir):
        """The page's POST actions on a run; returns the run's state (and the action's result)."""
        result = None
        if what == "play":
            session.play()
        elif what == "pause":
            session.pause()
        elif what in ("iteration", "d_step", "g_step", "stages"):
            result = session.act(what)
        elif what == "speed":
            session.set_speed(str(request.get("speed")))
        elif what == "settings":
            result = session.apply(request.get("settings", {}))
        elif what == "reset":
            session.reset(request.get("settings", {}))
        elif what == "data":
            data = request.get("data")
            if data not in self.toys:
                raise UsageError(f"unknown dataset {data!r}; choose one of: {', '.join(self.toys)}")
            session.build(data, {})                # a new dataset starts from its own recipe
        elif what == "draw":
            session.build(drawn_table(self.folder(session), request.get("points")), {})
        elif what == "export":
            result = export_run(session, runs_dir)
        else:
            raise KeyError(f"no such action: {what}")
        state = self.read(session, "meta" if what in ("reset", "data", "draw") else "state", {})
        state["result"] = result
        return state

    def upload(self, session, name, body):
        """A table uploaded from the page: saved in the run's folder, then read as `--data FILE` reads it."""
        path = save_upload(self.folder(session), name, body)
        session.build(path, {})
        state = self.read(session, "meta", {})
        state["result"] = {"file": os.path.basename(path), "rows": int(len(session.trainer.data.rows))}
        return state

    def folder(self, session):
        path = os.path.join(self.tmp, session.id)
        os.makedirs(path, exist_ok=True)
        return path

    def close(self):
        with self.lock:
            for session in self.runs.values():
                session.pause()
            self.runs.clear()


def safe_name(name):
    """A file name for an upload: its base name with only letters, digits, '.', '-' and '_', at most 60 long."""
    base = os.path.basename(str(name).replace("\\", "/"))
    stem, ext = os.path.splitext(base)
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", stem)[:56].strip("_") or "data"
    return stem + ext.lower()


def save_upload(folder, name, body):
    """Write an uploaded file into `folder` under safe_name(name); its extension must be a table's."""
    if not str(name).lower().endswith(TABLE_EXTENSIONS):
        raise UsageError(f"{safe_name(name) or 'the file'}: a table must be a {', '.join(TABLE_EXTENSIONS)} file")
    if not body:
        raise UsageError(f"{safe_name(name)}: the file is empty")
    path = os.path.join(folder, safe_name(name))
    with open(path, "wb") as f:
        f.write(body)
    return path


def drawn_table(folder, points):
    """The points drawn on the page, [[x, y], ...], as drawn.npy in `folder`: a table of your own."""
    if not isinstance(points, list) or len(points) > MAX_POINTS:
        raise UsageError(f"points must be a list of at most {MAX_POINTS} [x, y] pairs")
    try:
        rows = np.array(points, dtype=np.float64).reshape(len(points), -1)
    except (TypeError, ValueError):
        raise UsageError("points must be [x, y] pairs of numbers") from None
    path = os.path.join(folder, "drawn.npy")
    np.save(path, rows, allow_pickle=False)
    get_dataset(path)                             # the library's checks: at least 20 rows, all finite
    return path


def export_run(session, runs_dir):
    """Write the run to a new directory under runs_dir that `sample` and `plot` accept; returns its path."""
    with session.lock:
        trainer = session.trainer
        trainer.check_finite()
        stem = os.path.splitext(os.path.basename(trainer.config.run.data))[0]
        out = os.path.join(runs_dir, f"lab-{stem}-step{trainer.step}")
        n = 1
        while os.path.exists(out):
            n += 1
            out = os.path.join(runs_dir, f"lab-{stem}-step{trainer.step}-{n}")
        os.makedirs(out)
        if os.path.isfile(trainer.config.run.data):     # a table: the run keeps its own copy of the data
            copy = os.path.abspath(os.path.join(out, "data" + os.path.splitext(trainer.config.run.data)[1]))
            shutil.copyfile(trainer.config.run.data, copy)
            trainer.config.run.data = copy
        save_checkpoint(trainer, os.path.join(out, "checkpoint.npz"))
        save_npz(os.path.join(out, "history.npz"), history_arrays(trainer.history))
        samples = trainer.sample(EXPORT_SAMPLES)
        save_npy(os.path.join(out, "samples.npy"), samples)
        metrics = final_metrics(trainer, samples)
        metrics.update(config=trainer.config.to_dict(), exported_by="scratchgan lab")
        save_json(os.path.join(out, "metrics.json"), metrics)
    return {"dir": out, "commands": [f"python -m scratchgan plot {out}",
                                     f"python -m scratchgan sample {out} -n 1000 --out {out}/more.npy"]}
