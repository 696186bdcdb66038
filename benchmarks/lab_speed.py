"""How fast does the lab train, next to the command line, while a page watches it? And does its memory stay flat?

    python benchmarks/lab_speed.py [--seconds 10] [--rounds 3] [--browser] [--memory-minutes 0]

Speed. On ring8 (its recipe, as `train --data ring8` runs it, evaluations every 150 steps included), in one
process, alternating so that both see the same machine:
    the command line's loop   Trainer.train(n), what `scratchgan train` runs, timed for --seconds
    the lab                   a LabServer on port 0, one run playing at full speed, watched by a page: by default
                              a client that long-polls /frame as the page's script does (every new frame is one
                              redraw); with --browser, the real page in headless Chromium (its own count of
                              canvas redraws, window.lab.draws), which also takes CPU from the two
Each round prints both rates; the last lines print the medians, the ratio lab / command line and the redraw rate.

Memory (--memory-minutes M): the lab plays and is watched for M minutes; the process's resident memory is
printed every 15 s, with its slope. The Trainer's history grows by one record per iteration (8 floats, as in
`train`); the rest should stay flat.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))   # for cdp.py

from scratchgan.game.recipes import default_config          # noqa: E402  (scratchgan first: it sets the BLAS threads)
from scratchgan.lab.server import start, stop         # noqa: E402
from scratchgan.game.trainer import Trainer                # noqa: E402

BIG = 10 ** 7          # steps: the runs never reach their end during a benchmark


def rss_mb():
    """This process's resident memory in MiB (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def command_line_rate(seconds):
    """Iterations per second of Trainer.train on ring8's recipe (evaluations included), for `seconds`."""
    trainer = Trainer(default_config("ring8", steps=BIG))
    trainer.train(20)                                   # warm up
    start_step, start_time = trainer.step, time.perf_counter()
    while time.perf_counter() - start_time < seconds:
        trainer.train(50)
    return (trainer.step - start_step) / (time.perf_counter() - start_time)


def call(server, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{server.server_address[1]}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"X-Lab-Token": server.token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def poll(port, token, run_id, frames):
    """What the page's script does, in a process of its own as a browser's is: ask for a frame newer than the
    last one, again and again, on one kept-alive connection as fetch() does, counting them in `frames`."""
    seq, conn = 0, http.client.HTTPConnection("127.0.0.1", port, timeout=60)   # one kept-alive connection
    while True:
        try:
            conn.request("GET", f"/api/session/{run_id}/frame?after={seq}", headers={"X-Lab-Token": token})
            answer = json.loads(conn.getresponse().read())
        except OSError:                                  # the server stopped
            return
        if answer["seq"] > seq:
            seq = answer["seq"]
            frames.value += 1


class Poller:
    """poll() in a separate process (spawned: the server's threads are not forked); .frames counts, .stop()."""

    def __init__(self, server, run_id):
        context = multiprocessing.get_context("spawn")
        self.count = context.Value("l", 0)
        self.process = context.Process(target=poll, args=(server.server_address[1], server.token, run_id, self.count),
                                       daemon=True)
        self.process.start()

    @property
    def frames(self):
        return self.count.value

    def stop(self):
        self.process.terminate()
        self.process.join()


def lab_rate(seconds, browser):
    """(iterations per second, redraws per second) of a lab run playing at full speed while watched."""
    server = start(port=0)
    chrome = None
    try:
        if browser:
            from cdp import Chrome
            chrome = Chrome(server.url)
            chrome.wait_for("window.lab && window.lab.seq > 0")
            run_id = chrome.evaluate("run.id")
            call(server, "POST", f"/api/session/{run_id}/reset", {"settings": {"steps": BIG}})
            chrome.wait_for("window.lab.seq > 1")
            count = lambda: chrome.evaluate("window.lab.draws")
        else:
            run_id = call(server, "POST", "/api/session", {"data": "ring8", "settings": {"steps": BIG}})["id"]
            poller = Poller(server, run_id)
            count = lambda: poller.frames
        session = server.sessions.runs[run_id]
        call(server, "POST", f"/api/session/{run_id}/play")
        time.sleep(1.0)                                  # warm up
        step0, draws0, t0 = session.trainer.step, count(), time.perf_counter()
        time.sleep(seconds)
        step1, draws1, t1 = session.trainer.step, count(), time.perf_counter()
        call(server, "POST", f"/api/session/{run_id}/pause")
        if not browser:
            poller.stop()
        return (step1 - step0) / (t1 - t0), (draws1 - draws0) / (t1 - t0)
    finally:
        if chrome is not None:
            chrome.close()
        stop(server)


def memory(minutes):
    """Play and watch one lab run for `minutes`; print the resident memory every 15 s and its slope."""
    server = start(port=0)
    run_id = call(server, "POST", "/api/session", {"data": "ring8", "settings": {"steps": BIG}})["id"]
    session = server.sessions.runs[run_id]
    poller = Poller(server, run_id)
    call(server, "POST", f"/api/session/{run_id}/play")
    t0, points = time.perf_counter(), []
    try:
        while time.perf_counter() - t0 < 60 * minutes:
            time.sleep(15)
            t, step = time.perf_counter() - t0, session.trainer.step
            points.append((t, rss_mb(), step))
            print(f"  {t:6.0f} s   step {step:7d}   frames {poller.frames:6d}   RSS {points[-1][1]:7.1f} MiB", flush=True)
    finally:
        poller.stop()
        call(server, "POST", f"/api/session/{run_id}/pause")
        stop(server)
    later = [p for p in points if p[0] >= 60] or points          # after the first minute's warm-up
    if len(later) >= 2:
        (ta, ma, sa), (tb, mb, sb) = later[0], later[-1]
        print(f"memory: {mb - ma:+.1f} MiB from {ta:.0f} s to {tb:.0f} s ({(mb - ma) / ((tb - ta) / 60):+.2f} MiB/min); "
              f"{sb - sa} iterations, the history's 8 floats each ~ {(sb - sa) * 8 * 32 / 2 ** 20:.1f} MiB of it")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds per measurement (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3; 0: memory only)")
    parser.add_argument("--browser", action="store_true", help="watch with the real page in headless Chromium")
    parser.add_argument("--memory-minutes", type=float, default=0.0, help="then a memory run of this many minutes")
    args = parser.parse_args(argv)
    cli, lab, draws = [], [], []
    for i in range(args.rounds):
        cli.append(command_line_rate(args.seconds))
        rate, redraws = lab_rate(args.seconds, args.browser)
        lab.append(rate)
        draws.append(redraws)
        print(f"round {i + 1}: command line {cli[-1]:.1f} it/s, lab {rate:.1f} it/s ({rate / cli[-1]:.0%}), "
              f"{redraws:.1f} redraws/s", flush=True)
    if args.rounds:
        ratio = statistics.median(a / b for a, b in zip(lab, cli))
        watcher = "the page in Chromium" if args.browser else "a polling client"
        print(f"median: command line {statistics.median(cli):.1f} it/s, lab {statistics.median(lab):.1f} it/s, "
              f"redraws {statistics.median(draws):.1f}/s ({watcher})")
        print(f"lab / command line: {ratio:.0%}")
    if args.memory_minutes:
        memory(args.memory_minutes)


if __name__ == "__main__":
    main()
