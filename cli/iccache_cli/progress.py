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
        self.label = None  # a phase name shown before the bar, when set

    def elapsed(self):
        return time.monotonic() - self.start

    def line(self):
        label = "%s " % self.label if self.label else ""
        if not self.total:  # the size of the work is unknown: elapsed time only
            t = int(self.elapsed())
            spin = "-\\|/"[int(self.elapsed() * 10) % 4]
            return "%s[%s] %d rows  %d:%02d elapsed" % (label, spin, self.rows, t // 60, t % 60)
        frac = min(1.0, self.done / self.total)
        filled = int(frac * self.width)
        t = self.elapsed()
        rate = self.rows / t if t > 0 else 0.0
        eta = t * (1 - frac) / frac if frac > 0 else 0.0
        return label + "[%s%s] %3d%% %d rows  %.0f rows/s  ETA %d:%02d" % (
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
