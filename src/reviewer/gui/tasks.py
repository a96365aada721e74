"""Background tasks: run a callable off the UI thread, with progress, cancel and results on
the main thread.

A :class:`Task` is set up fluently and started with :meth:`Task.run`::

    Task(lambda progress, cancel: import_export(case, path, actor, progress=progress,
                                                cancel=cancel))
        .success(self._imported)
        .failure(self._failed)
        .with_progress(self, "Importing")
        .run()

The callable runs on a worker thread and must not touch any widget. It receives a
:class:`SignalProgress` (a ``core.progress.ProgressSink`` whose reports arrive on the main
thread as Qt signals) and a ``core.progress.CancelToken``. Everything that writes to the case
goes through one single-thread pool (``writer=True``, the default), so writes are serialised;
read-only work may pass ``writer=False``; ``queue="name"`` runs on a single-thread pool of that
name, in submission order (the reviewer's edits, ``gui.edits``).

The progress dialog of :meth:`Task.with_progress` appears only after ``DIALOG_DELAY_MS``, so
quick tasks never flash a window. Errors are shown in words: a ``ReviewerError`` as its
message, anything else as "internal error" with the traceback collapsed under "Show
Details…".
"""

from __future__ import annotations

import contextlib
import functools
import logging
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.errors import Cancelled, ReviewerError
from reviewer.core.progress import CancelToken

log = logging.getLogger("reviewer.gui.tasks")

T = TypeVar("T")

#: How long a task may run before its progress dialog appears.
DIALOG_DELAY_MS = 300

#: Human words for the stage names the services report.
STAGE_LABELS = {
    "copy": "Copying the export into the evidence store",
    "parse": "Reading messages",
    "store": "Storing messages",
    "media": "Storing attachments",
    "index": "Indexing",
}

_pools: dict[bool | str, QThreadPool] = {}


def _pool(writer: bool | str) -> QThreadPool:
    """One single-thread pool for everything that writes; a shared pool for reads; a named
    single-thread pool per ``queue`` (work that must keep its order without waiting behind an
    import or export on the writer thread)."""
    if writer not in _pools:
        pool = QThreadPool()
        pool.setMaxThreadCount(2 if writer is False else 1)
        _pools[writer] = pool
    return _pools[writer]


def wait_for_all(msecs: int = 30_000) -> bool:
    """Block until every background task has finished (for shutdown and tests)."""
    return all(pool.waitForDone(msecs) for pool in _pools.values())


class SignalProgress(QObject):
    """A ``ProgressSink`` whose reports become the ``progressed`` signal.

    ``report`` is called on the worker thread; because this object lives on the main thread,
    connected slots run there (a queued connection).

    Signals:
        progressed(str, int, object): stage, done, total (an int or None).
    """

    progressed = Signal(str, int, object)

    def report(self, stage: str, done: int, total: int | None) -> None:
        self.progressed.emit(stage, done, total)


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)


class _Runnable(QRunnable):
    """Runs on a pool thread: calls the task's function and emits its outcome."""

    def __init__(
        self,
        fn: Callable[[SignalProgress, CancelToken], Any],
        progress: SignalProgress,
        cancel: CancelToken,
        signals: _Signals,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._progress = progress
        self._cancel = cancel
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._fn(self._progress, self._cancel)
        except BaseException as exc:  # delivered to the main thread, never swallowed
            self._deliver(self._signals.failed, exc, traceback.format_exc())
        else:
            self._deliver(self._signals.succeeded, result)

    @staticmethod
    def _deliver(signal: Any, *args: object) -> None:
        # RuntimeError: the task's owner was deleted while the work ran; nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            signal.emit(*args)


class Task(QObject, Generic[T]):
    """A background operation; build it, attach callbacks, then :meth:`run` it.

    Attributes:
        cancel_token: set by the progress dialog's Cancel button (or :meth:`cancel`).
        progress: the sink handed to the function.

    Signals:
        finished(): after the success or failure callback has run (on the main thread).
    """

    finished = Signal()

    def __init__(
        self,
        fn: Callable[[SignalProgress, CancelToken], T],
        *,
        writer: bool = True,
        queue: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fn = fn
        self._writer: bool | str = queue if queue is not None else writer
        self._on_success: Callable[[T], object] | None = None
        self._on_failure: Callable[[BaseException], object] | None = None
        self._error_parent: QWidget | None = None
        self._dialog: ProgressDialog | None = None
        self._dialog_parent: QWidget | None = None
        self._dialog_title = ""
        self._timer: QTimer | None = None
        self._running = False
        self.progress = SignalProgress(self)
        self.cancel_token = CancelToken()
        self._signals = _Signals(self)
        self._signals.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self._signals.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.progress.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)

    # -- building --------------------------------------------------------------------------

    def success(self, callback: Callable[[T], object]) -> Task[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], object]) -> Task[T]:
        """Handle errors yourself; without this they are shown with :func:`show_error`."""
        self._on_failure = callback
        return self

    def errors_to(self, parent: QWidget) -> Task[T]:
        """Show errors (when no failure callback is set) over ``parent``."""
        self._error_parent = parent
        return self

    def with_progress(self, parent: QWidget | None, title: str) -> Task[T]:
        """Show a progress dialog with Cancel if the task is still running after a moment."""
        self._dialog_parent = parent
        self._dialog_title = title
        self._error_parent = self._error_parent or parent
        return self

    # -- running ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    @property
    def dialog(self) -> ProgressDialog | None:
        """The progress dialog, once it has been shown."""
        return self._dialog

    def run(self) -> Task[T]:
        self._running = True
        # Keep this object alive while its work is in flight, even if the caller drops it.
        _in_flight[id(self)] = self
        # A task deleted with its parent before its outcome arrives must not stay in flight
        # (the slot holds the id, not the task, so it keeps nothing alive).
        self._forget = functools.partial(_in_flight.pop, id(self), None)
        self.destroyed.connect(self._forget)
        if self._dialog_title:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self._show_dialog)
            self._timer.start(DIALOG_DELAY_MS)
        _pool(self._writer).start(
            _Runnable(self._fn, self.progress, self.cancel_token, self._signals)
        )
        return self

    def cancel(self) -> None:
        self.cancel_token.cancel()
        if self._dialog is not None:
            self._dialog.set_cancelling()

    # -- main-thread slots -----------------------------------------------------------------

    def _show_dialog(self) -> None:
        if not self._running:
            return
        self._dialog = ProgressDialog(self._dialog_title, self._dialog_parent)
        self._dialog.cancelRequested.connect(self.cancel)
        if self._last_progress is not None:
            self._dialog.update_progress(*self._last_progress)
        self._dialog.show()

    _last_progress: tuple[str, int, int | None] | None = None

    def _progressed(self, stage: str, done: int, total: object) -> None:
        count = total if isinstance(total, int) else None
        self._last_progress = (stage, done, count)
        if self._dialog is not None:
            self._dialog.update_progress(stage, done, count)

    def _finish(self) -> None:
        self._running = False
        if self._timer is not None:
            self._timer.stop()
        if self._dialog is not None:
            self._dialog.accept()
            self._dialog.deleteLater()
            self._dialog = None

    def _succeeded(self, result: object) -> None:
        self._finish()
        try:
            if self._on_success is not None:
                self._on_success(result)  # type: ignore[arg-type]
        finally:
            self.finished.emit()
            self._delivered()

    def _failed(self, exc: BaseException, details: str) -> None:
        self._finish()
        try:
            if self._on_failure is not None:
                self._on_failure(exc)
            elif not isinstance(exc, Cancelled):
                show_error(self._error_parent, exc, details)
        finally:
            self.finished.emit()
            self._delivered()

    def _delivered(self) -> None:
        self.destroyed.disconnect(self._forget)
        _in_flight.pop(id(self), None)


_in_flight: dict[int, Task[Any]] = {}


def in_flight() -> int:
    """How many tasks have not yet delivered their outcome (for tests and benchmarks)."""
    return len(_in_flight)


class ProgressDialog(QDialog):
    """Stage, counts, a bar and Cancel.

    Signals:
        cancelRequested(): the reviewer pressed Cancel (or closed the window).
    """

    cancelRequested = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(420)
        self.stage = QLabel(title + "…")
        self.counts = QLabel("")
        self.counts.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.stage, 1)
        row.addWidget(self.counts)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)

    def update_progress(self, stage: str, done: int, total: int | None) -> None:
        show_progress(self.stage, self.counts, self.bar, stage, done, total)

    def set_cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.stage.setText("Cancelling…")

    def _cancel(self) -> None:
        self.set_cancelling()
        self.cancelRequested.emit()

    def reject(self) -> None:  # Escape or the window's close button: cancel, don't hide
        self._cancel()


def stage_text(stage: str) -> str:
    """A stage the services report, in words: "Reading messages…", "Writing RSMF…"."""
    return STAGE_LABELS.get(stage, stage[:1].upper() + stage[1:]) + "…"


def show_progress(
    stage_label: QLabel, counts: QLabel, bar: QProgressBar, stage: str, done: int, total: object
) -> None:
    """One progress report on a stage label, counts and bar (a total that is not a number:
    the bar is busy)."""
    count = total if isinstance(total, int) else None
    stage_label.setText(stage_text(stage))
    counts.setText(format_counts(done, count))
    set_bar(bar, done, count)


def format_counts(done: int, total: int | None) -> str:
    return f"{done:,} of {total:,}" if total else (f"{done:,}" if done else "")


def set_bar(bar: QProgressBar, done: int, total: int | None) -> None:
    """Determinate when the total is known, busy otherwise (Qt ranges are 32-bit)."""
    if total:
        bar.setRange(0, 1000)
        bar.setValue(min(1000, int(done * 1000 / total)))
    else:
        bar.setRange(0, 0)


def error_text(exc: BaseException) -> str:
    """What the reviewer reads: a ReviewerError's own words, else "internal error"."""
    if isinstance(exc, ReviewerError):
        return str(exc)
    return f"Internal error: {type(exc).__name__}. Your work up to this point is saved."


def show_error(parent: QWidget | None, exc: BaseException, details: str = "") -> QMessageBox:
    """A non-blocking message box; a bug's traceback is in the collapsed details only."""
    box = QMessageBox(parent)
    box.setWindowTitle("reviewer")
    box.setText(error_text(exc))
    if isinstance(exc, ReviewerError):
        box.setIcon(QMessageBox.Icon.Warning)
    else:
        log.error("internal error in a background task\n%s", details)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setInformativeText("Please report this, with the details, to your administrator.")
        box.setDetailedText(details or "".join(traceback.format_exception(exc)))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
