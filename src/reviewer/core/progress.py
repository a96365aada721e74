"""Progress and cancel: injected by the caller, checked by long work between items."""

from __future__ import annotations

import threading
from typing import Protocol

from reviewer.core.errors import Cancelled


class ProgressSink(Protocol):
    """Receives progress of long work. ``total`` is None when unknown."""

    def report(self, stage: str, done: int, total: int | None) -> None: ...


class NullProgress:
    """A progress sink that ignores everything."""

    def report(self, stage: str, done: int, total: int | None) -> None:
        return None


class CancelToken:
    """Thread-safe flag a UI sets and a worker checks between items."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()
