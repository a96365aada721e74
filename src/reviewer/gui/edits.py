"""The reviewer's changes to a case, written off the UI thread in the order they were made.

Tags, notes, stances, review marks and suggestion decisions go through one :class:`EditQueue`
per window: a single-thread pool of its own (not the writer pool an import or export runs on),
so a tag followed by an untag is written, audited and reported in that order, and the UI
thread never waits for the database.

While another task holds the case's write lock (an import storing messages), a change waits
in the background: the service's busy timeout, then again, until ``retry_for`` seconds have
passed. The queue reports how many changes are pending and whether they have been waiting
long enough to say so. A change that ultimately fails is reported to the caller, which shows
it: nothing the reviewer did is dropped silently.

Each change may carry an :class:`Effect`, what it will do to the messages it names, so the
window can show it before it is written (:meth:`EditQueue.overlay`); effects are idempotent
"set" operations, so applying one that has already been written changes nothing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from reviewer.core.errors import CaseBusyError
from reviewer.gui.tasks import Task
from reviewer.services.browse import MessageView
from reviewer.services.case import Case
from reviewer.services.tagging import Changes

T = TypeVar("T")

#: How long a change keeps trying while another task holds the write lock.
RETRY_FOR_S = 15 * 60.0
#: A change pending longer than this is shown as waiting for the case.
WAITING_AFTER_MS = 400
#: Pause between attempts (each attempt already waits the database's busy timeout).
RETRY_PAUSE_S = 0.05


@dataclass(frozen=True, slots=True)
class Effect:
    """What a pending change does to the messages it names, to show before it is written.

    Attributes:
        ids: the messages.
        tag: a category added (``apply``) or removed.
        reviewed: review mark set (True) or cleared (False).
        note: the new note text ("" removes it).
        stance: (participant id, stance key or None).
    """

    ids: tuple[int, ...]
    tag: str | None = None
    apply: bool = True
    reviewed: bool | None = None
    note: str | None = None
    stance: tuple[int, str | None] | None = None

    def on(self, view: MessageView) -> MessageView:
        """``view`` as it will be once this change is written."""
        if view.id not in self.ids:
            return view
        changes: dict[str, Any] = {}
        tags = view.tags
        if self.tag is not None:
            if self.apply and self.tag not in tags:
                tags = (*tags, self.tag)
            elif not self.apply and self.tag in tags:
                tags = tuple(t for t in tags if t != self.tag)
            changes["tags"] = tags
        state = view.review_state
        if self.reviewed is not None:
            state = "reviewed" if self.reviewed else "unreviewed"
        if tags:
            state = "tagged"
        elif state == "tagged":
            state = "unreviewed"  # its last tag removed; a review mark shows once written
        changes["review_state"] = state
        if self.note is not None:
            changes["note"] = self.note.strip() or None
        if self.stance is not None:
            participant, key = self.stance
            stances = dict(view.stances)
            if key is None:
                stances.pop(participant, None)
            else:
                stances[participant] = key
            changes["stances"] = tuple(sorted(stances.items()))
        return dataclasses.replace(view, **changes)


class NotSaved(Exception):
    """A change that was not written, with what it was (for the message the reviewer reads).

    Attributes:
        what: the change in words ("tag Derogatory on message #12").
        cause: the error that stopped it.
    """

    def __init__(self, what: str, cause: BaseException) -> None:
        super().__init__(f"Not saved: {what}. {cause}")
        self.what = what
        self.cause = cause


@dataclass(eq=False, slots=True)
class _Pending:
    what: str
    effect: Effect | None
    since: float


class EditQueue(QObject):
    """The window's changes to its case, in order, off the UI thread.

    Signals:
        pendingChanged(): the number of pending changes, or whether they wait, changed.
    """

    pendingChanged = Signal()

    def __init__(
        self, case: Case, parent: QObject | None = None, *, retry_for: float = RETRY_FOR_S
    ) -> None:
        super().__init__(parent)
        self.case = case
        self.retry_for = retry_for
        self._queue = f"edits:{case.root}"
        self._pending: list[_Pending] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._changed)

    # -- state -------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """How many changes are not yet written (or reported as failed)."""
        return len(self._pending)

    @property
    def waiting(self) -> bool:
        """Whether the oldest pending change has waited long enough to say so."""
        if not self._pending:
            return False
        return (time.monotonic() - self._pending[0].since) * 1000 >= WAITING_AFTER_MS

    def effects(self) -> list[Effect]:
        return [p.effect for p in self._pending if p.effect is not None]

    def overlay(self, views: Mapping[int, MessageView]) -> dict[int, MessageView]:
        """``views`` as they will be once every pending change is written."""
        shown = dict(views)
        for effect in self.effects():
            for message_id in effect.ids:
                view = shown.get(message_id)
                if view is not None:
                    shown[message_id] = effect.on(view)
        return shown

    # -- submitting --------------------------------------------------------------------------

    def submit(
        self,
        what: str,
        operation: Callable[[Case], Changes],
        *,
        effect: Effect | None = None,
        done: Callable[[Changes], object],
        failed: Callable[[NotSaved], object],
    ) -> None:
        """Write ``operation(case)`` after every change submitted before it. ``done`` or
        ``failed`` (with a :class:`NotSaved`) runs on the UI thread once it is settled."""
        item = _Pending(what, effect, time.monotonic())
        self._pending.append(item)
        case, retry_for = self.case, self.retry_for

        def run(_progress: Any, _cancel: Any) -> Changes:
            deadline = time.monotonic() + retry_for
            while True:
                try:
                    return operation(case)
                except CaseBusyError:
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(RETRY_PAUSE_S)

        def succeeded(changes: Changes) -> None:
            self._settle(item)
            done(changes)

        def failure(exc: BaseException) -> None:
            self._settle(item)
            failed(NotSaved(what, exc))

        Task(run, queue=self._queue, parent=self).success(succeeded).failure(failure).run()
        self._changed()

    def after_writes(self, read: Callable[[Case], T], done: Callable[[T], object]) -> None:
        """Read after the changes submitted so far are written (same queue, so in order);
        ``done`` runs on the UI thread. A failed read is logged by the task runner."""
        case = self.case
        Task(lambda _p, _c: read(case), queue=self._queue, parent=self).success(done).run()

    def _settle(self, item: _Pending) -> None:
        if item in self._pending:
            self._pending.remove(item)
        self._changed()

    def _changed(self) -> None:
        self.pendingChanged.emit()
        if self._pending and not self.waiting:
            # Say "waiting" once the oldest change has been pending long enough.
            left = WAITING_AFTER_MS - (time.monotonic() - self._pending[0].since) * 1000
            self._timer.start(max(1, int(left) + 1))
        elif not self._pending:
            self._timer.stop()
