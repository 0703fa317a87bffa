"""A one-line progress bar on stderr: share done, rows, rate and ETA. Drawn only on a
terminal (or when forced), at most ten times a second, so piped output stays clean."""
import sys
import time


class Progress:
    def __init__(self, mode="auto", unit="rows", stream=None, width=30):
        self.stream = stream or sys.stderr
        self.on = mode == "always" or (mode == "auto" and self.stream.isatty())
        self.unit, self.width = unit, width
        self.total = self.done = self.rows = 0
        self.start = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def elapsed(self):
        return time.monotonic() - self.start

    def line(self):
        frac = min(1.0, self.done / self.total) if self.total else 0.0
        filled = int(frac * self.width)
        t = self.elapsed()
        rate = self.rows / t if t > 0 else 0.0
        eta = t * (1 - frac) / frac if frac > 0 else 0.0
        return "[%s%s] %3d%% %d rows  %.0f rows/s  ETA %d:%02d" % (
            "#" * filled, "." * (self.width - filled), round(100 * frac), self.rows, rate,
            int(eta) // 60, int(eta) % 60)

    def tick(self):
        if not self.on:
            return
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        self.stream.write("\r" + self.line())
        self.stream.flush()
        self.drawn = True

    def finish(self):
        if self.on:
            self.done = self.total
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()

    def clear(self):
        if self.on and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
