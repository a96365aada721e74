"""A background read asked for often (after every change) but run seldom: ``delay_ms`` after
the last request of a burst, at most ``max_wait_ms`` after its first, and never two at once
(a request while one runs reads again after it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from reviewer.gui.tasks import Task


class Coalesced(QObject):
    """Coalesces requests for one background read.

    ``start`` builds and runs the read's :class:`Task` (returning it), on the UI thread.
    """

    def __init__(
        self,
        parent: QObject,
        start: Callable[[], Task[Any]],
        *,
        delay_ms: int,
        max_wait_ms: int,
    ) -> None:
        super().__init__(parent)
        self._start = start
        self.delay_ms = delay_ms
        self.max_wait_ms = max_wait_ms
        self._due_since: float | None = None
        self._running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)

    @property
    def pending(self) -> bool:
        """Whether a read is due or running."""
        return self._running or self._due_since is not None

    def request(self) -> None:
        now = time.monotonic()
        if self._due_since is None:
            self._due_since = now
        if self._running:
            return  # read again when the running one ends
        waited = (now - self._due_since) * 1000
        self._timer.start(int(max(0.0, min(self.delay_ms, self.max_wait_ms - waited))))

    def _run(self) -> None:
        if self._running or self._due_since is None:
            return
        self._running = True
        self._due_since = None
        self._start().finished.connect(self._finished)

    def _finished(self) -> None:
        self._running = False
        if self._due_since is not None:
            self.request()
