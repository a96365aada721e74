"""Progress of long commands on one rewritten stderr line."""

from __future__ import annotations

import sys
from typing import TextIO

from reviewer.core.progress import ProgressSink


class StderrProgress(ProgressSink):
    """Progress on one rewritten stderr line, only when stderr is a terminal."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self._stream = stream
        self._live = stream.isatty()

    def report(self, stage: str, done: int, total: int | None) -> None:
        if not self._live:
            return
        of = f" of {total:,}" if total else ""
        self._stream.write(f"\r{stage}: {done:,}{of}\033[K")
        self._stream.flush()

    def finish(self) -> None:
        if self._live:
            self._stream.write("\r\033[K")
            self._stream.flush()
