"""A progress bar on stderr, drawn only when stderr is a terminal."""
from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]

# Redrawing more often than this costs more than it tells.
_MIN_INTERVAL = 0.1


class Progress:
    """``update(done)`` redraws ``[#####.....]  45%  123/456 blocks  12.3 MB/s``.

    :param total: the number of units of the whole job.
    :param unit_bytes: bytes per unit, for the rate.
    :param enabled: None means "when the stream is a terminal".
    """

    def __init__(self, total: int, unit_bytes: int = 1, *, enabled: bool | None = None,
                 stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.enabled = (self.stream.isatty() if hasattr(self.stream, "isatty") else False) \
            if enabled is None else enabled
        self.total = max(total, 1)
        self.unit_bytes = unit_bytes
        self.width = width
        self.started = time.monotonic()
        self._drawn = 0.0
        self._shown = False

    def line(self, done: int) -> str:
        fraction = min(done / self.total, 1.0)
        filled = int(fraction * self.width)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = done * self.unit_bytes / elapsed / 1e6
        return (f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction * 100:5.1f}%  "
                f"{done}/{self.total} blocks  {rate:.1f} MB/s")

    def update(self, done: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._drawn < _MIN_INTERVAL:
            return
        self._drawn = now
        self._shown = True
        self.stream.write("\r" + self.line(done))
        self.stream.flush()

    def finish(self, done: int) -> None:
        if self.enabled and self._shown:
            self.update(done, force=True)
            self.stream.write("\n")
            self.stream.flush()
