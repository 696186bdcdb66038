"""A long run at the terminal: its one-line progress report, and a Ctrl-C that lets it save first."""

import signal
import time


class DeferredInterrupt:
    """While active, a first Ctrl-C (SIGINT) only sets .requested, so training stops between two steps
    (the callback checks it) and a consistent checkpoint can be saved; a second one interrupts at once
    (.hard). Outside the main thread signals cannot be caught, and this does nothing."""

    def __enter__(self):
        self.requested = self.hard = False
        self._previous = None
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:
            pass
        return self

    def _handle(self, signum, frame):
        if self.requested:
            self.hard = True
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


class Progress:
    """One status line on `stream`: step, both losses, D's outputs, steps/s and the time left.

    On a terminal it is redrawn in place (carriage return) a few times a second; otherwise a line is
    printed about every tenth of the run."""

    def __init__(self, start, total, stream):
        self.step0, self.total, self.stream = start, total, stream
        self.tty = stream.isatty()
        self.t0 = self.last = time.perf_counter()
        self.next_step = 0
        self.drawn = False

    def update(self, trainer):
        now = time.perf_counter()
        if self.tty and now - self.last < 0.25 or not self.tty and trainer.step < self.next_step:
            return
        self.last = now
        self.next_step = trainer.step + max(1, self.total // 10)
        h = trainer.history
        rate = (trainer.step - self.step0) / max(now - self.t0, 1e-9)
        left = (self.total - trainer.step) / max(rate, 1e-9)
        line = (f"step {trainer.step:>{len(str(self.total))}}/{self.total}  loss_d {h['loss_d'][-1]:.3f}  "
                f"loss_g {h['loss_g'][-1]:.3f}  D(x) {h['d_real'][-1]:.2f}  D(G(z)) {h['d_fake'][-1]:.2f}  "
                f"{rate:.0f} steps/s  {left:.0f} s left")
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()
        self.drawn = True

    def finish(self):
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
        self.drawn = False
