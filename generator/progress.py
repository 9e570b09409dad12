"""A one-line progress bar on stderr, for long reads of big captures.

Drawn only when stderr is a terminal, and at most ten times a second, so
pipes and CI logs stay clean and the bar never costs more than a few calls.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

WIDTH = 24


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None, enabled: bool | None = None,
                 unit: str = "bytes") -> None:
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.start = time.monotonic()
        self.last = 0.0
        self.drawn = False

    @classmethod
    def for_file(cls, label: str, path: str) -> "Progress":
        return cls(label, os.path.getsize(path))

    def update(self, done: int, note: str = "") -> None:
        """``done`` of ``total`` (in ``unit``s: bytes of the file read so far, frames, classes); ``note`` says what was found."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and done < self.total:
            return
        self.last = now
        part = min(done / self.total, 1.0)
        bar = "#" * int(part * WIDTH)
        self.stream.write(f"\r{self.label} [{bar:<{WIDTH}}] {part:6.1%} {self._pace(done, now)} {note}\x1b[K")
        self.stream.flush()
        self.drawn = True

    def _pace(self, done: int, now: float) -> str:
        """The rate in the bar's unit, and once there is one, the time left at that rate."""
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed
        shown = f"{rate / 1e6:6.1f} MB/s" if self.unit == "bytes" else f"{rate:6.1f} {self.unit}/s"
        if 0 < done < self.total:
            left = int((self.total - done) / rate)
            shown += f" {left // 60}:{left % 60:02d} left"
        return shown

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
