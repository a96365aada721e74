"""Makes the chat view's missing thumbnails in the background, a few at a time, the most
recently asked for first (the ones on screen now), and says when some are ready."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from reviewer.gui.tasks import Task
from reviewer.services.browse import AttachmentView
from reviewer.services.thumbnails import ensure_thumbnails

QUEUE = "chat-thumbnails"


class ThumbnailMaker(QObject):
    """Signals:
    made(): thumbnails were written (repaint to show them).
    """

    made = Signal()

    BATCH = 8  # one batch of large photos is ~0.2 s of background work
    ASKED_MAX = 400  # older requests are dropped: scrolled past, asked again if seen again

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._asked: dict[Path, Path] = {}  # thumbnail -> original, oldest first
        self._failed: set[Path] = set()
        self._making: set[Path] = set()  # the batch running now

    @property
    def busy(self) -> bool:
        """Whether thumbnails are being made or waiting to be (tests wait on this)."""
        return bool(self._making or self._asked)

    def request(self, attachment: AttachmentView) -> None:
        """Make ``attachment``'s thumbnail unless it failed before or is already asked for."""
        thumb, original = attachment.thumbnail, attachment.evidence
        if thumb is None or original is None or thumb in self._failed or thumb in self._making:
            return
        self._asked.pop(thumb, None)
        self._asked[thumb] = original  # now the newest
        while len(self._asked) > self.ASKED_MAX:
            del self._asked[next(iter(self._asked))]
        if not self._making:
            self._start()

    def _start(self) -> None:
        batch: list[tuple[Path, Path]] = []
        while self._asked and len(batch) < self.BATCH:
            batch.append(self._asked.popitem())  # newest first
        if not batch:
            return
        self._making = {thumb for thumb, _ in batch}

        def make(_progress: Any, _cancel: Any) -> tuple[list[Path], set[Path]]:
            return [thumb for thumb, _ in batch], ensure_thumbnails(batch)

        Task(make, queue=QUEUE, parent=self).success(self._done).failure(self._error).run()

    def _done(self, outcome: tuple[list[Path], set[Path]]) -> None:
        tried, made = outcome
        self._failed.update(thumb for thumb in tried if thumb not in made)
        self._making = set()
        if made:
            self.made.emit()
        self._start()

    def _error(self, _exc: BaseException) -> None:  # a disk error: show placeholders, go on
        self._making = set()
        self._start()
