"""A simple text progress bar for fits (private).

Shown on stderr only when the fit has run for more than ``delay`` seconds and stderr is a terminal. The C++
core reports phase changes (sampling, assembly, solve, done) with a fraction, and the fraction of the solve's
blocks done during a long solve; a small Python thread redraws
the line a few times a second so that the elapsed time keeps moving during a long solve (the fit itself runs
with the GIL released).
"""
from __future__ import annotations

import sys
import threading
import time

__all__ = ["TextProgress", "run_fit"]


def _noop(phase, fraction):
    pass


def run_fit(fit, progress, label="hamsam fit"):
    """Returns ``fit(callback)`` with the callback ``progress`` asks for: None, a bar on stderr if the fit runs
    longer than 1 s and stderr is a terminal; True, the bar even if it is not; False, none; a callable, called as
    ``progress(phase, fraction)``. Ctrl-C stops the fit whatever the choice (the bindings poll Python's signals
    during every long call and raise KeyboardInterrupt)."""
    if progress is None or progress is True:
        bar = TextProgress(require_tty=progress is None, label=label)
        with bar:
            return fit(bar if bar.enabled else _noop)
    if progress is False:
        return fit(_noop)
    if callable(progress):
        return fit(progress)
    raise ValueError(f"progress must be None, True, False or a callable(phase, fraction), got {progress!r}")


class TextProgress:
    def __init__(self, stream=None, delay=1.0, require_tty=True, interval=0.2, width=30, label="hamsam fit"):
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.interval = interval
        self.width = width
        self.label = label
        self.phase = "start"
        self.fraction = 0.0
        self._drawn = False
        self._t0 = None
        self._stop = threading.Event()
        self._thread = None
        try:
            self.enabled = (not require_tty) or bool(self.stream.isatty())
        except Exception:
            self.enabled = False

    def __call__(self, phase, fraction):
        self.phase = phase
        self.fraction = float(fraction)

    def __enter__(self):
        self._t0 = time.monotonic()
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="hamsam-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            if exc_type is None:
                self.fraction = 1.0
                self.phase = "done"
            self._draw()
            self._write("\n")
        return False

    def _run(self):
        while not self._stop.wait(self.interval):
            if time.monotonic() - self._t0 > self.delay:
                self._draw()

    def _write(self, text):
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:
            pass

    def _draw(self):
        f = min(max(self.fraction, 0.0), 1.0)
        filled = int(round(f * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self._t0
        self._write(f"\r{self.label} [{bar}] {100 * f:3.0f}% {self.phase:<9} {elapsed:7.1f} s")
        self._drawn = True
