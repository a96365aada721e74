"""Media analysis in one window (DESIGN.md §10): the blur rule and the flags it reads, runs of
``services.media_analysis`` in the background with their progress in the status bar, the run
after an import (a case setting), and the audit entry of each flagged picture revealed.

A run is the CLI's ``reviewer analyse``: worker processes at low priority, each file
committed as it is done, so Cancel (or closing the window) keeps what was stored and the
next run resumes. It runs on a queue of its own, not the writer thread, so an import, export
or the reviewer's changes never wait behind minutes of analysis (each file's write is short).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from reviewer.core.progress import CancelToken
from reviewer.gui.edits import EditQueue
from reviewer.gui.media_blur import BlurRule
from reviewer.gui.tasks import SignalProgress, Task, error_text, format_counts, stage_text
from reviewer.gui.tasks import set_bar as _set_bar
from reviewer.services import media_flags
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.tagging import Changes

if TYPE_CHECKING:  # the analysis services import the imaging libraries: only when run
    from reviewer.review.media.analysers import Kind
    from reviewer.services.media_analysis import AnalyseReport

log = logging.getLogger("reviewer.gui")


class AnalysisStatus(QWidget):
    """The status bar's "Analysing media (text in images)… 12 of 40 [bar] [Cancel]", shown
    only while a run is going."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analysisStatus")
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(120)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop the media analysis; what was analysed is kept")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self.hide()

    def show_progress(self, stage: str, done: int, total: int | None) -> None:
        self.label.setText(f"{stage_text(stage)} {format_counts(done, total)}")
        _set_bar(self.bar, done, total)
        self.show()


class MediaSession(QObject):
    """Attributes:
        blur: the window's ``BlurRule`` (chat view, media viewer, media grid).
        status: the status-bar widget.
        task: the run in progress, if any.

    Signals:
        progressed(str, int, object): stage, files done, files to do (or None).
        finished(object): the ``AnalyseReport`` of a run that ended (completed or cancelled);
            the window then reads the flags again (``refresh_flags``).
        failed(str): a run that failed, in words.
        revealNotSaved(object): the ``NotSaved`` of a reveal whose audit entry failed.
    """

    #: Every file in the worker processes, however few (``AnalyseOptions.isolate``): the
    #: engines' models (~210 MB) never load into the window's process.
    isolate = True

    progressed = Signal(str, int, object)
    finished = Signal(object)
    failed = Signal(str)
    revealNotSaved = Signal(object)

    def __init__(
        self, case: Case, actor: Actor, edits: EditQueue, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.case = case
        self.actor = actor
        self.edits = edits
        self.blur = BlurRule(self)
        self.blur.flaggedRevealed.connect(self._audit_reveal)
        self.status = AnalysisStatus()
        self.status.cancel_button.clicked.connect(self.cancel)
        self.task: Task[AnalyseReport] | None = None
        self.last_progress: tuple[str, int, int | None] | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def refresh_flags(self) -> Task[media_flags.FlaggedMedia]:
        """Read the flagged pictures again, off the UI thread."""
        case = self.case

        def read(_progress: Any, _cancel: Any) -> media_flags.FlaggedMedia:
            return media_flags.flagged_media(case)

        def done(flags: media_flags.FlaggedMedia) -> None:
            self.blur.set_flags(flags)

        return (
            Task(read, writer=False, parent=self)
            .success(done)
            .failure(lambda exc: log.warning("flagged media: %s", exc))
            .run()
        )

    def start(
        self, kinds: tuple[Kind, ...] = (), *, redo: bool = False, threshold: float | None = None
    ) -> Task[AnalyseReport] | None:
        """Start a run (None when one is already going): the kinds asked for (all this build
        has when empty); ``threshold`` is stored first (audited when it changes)."""
        if self.running:
            return None
        case, actor, isolate = self.case, self.actor, self.isolate

        def run(progress: SignalProgress, cancel: CancelToken) -> AnalyseReport:
            from reviewer.services.media_analysis import AnalyseOptions, analyse
            from reviewer.services.sexual_suggestions import set_threshold

            options = AnalyseOptions(kinds, redo=redo, isolate=isolate)
            if threshold is not None:
                set_threshold(case, actor, threshold)
            return analyse(case, actor, options, progress=progress, cancel=cancel)

        self.last_progress = None
        self.task = Task(run, queue="media", parent=self).success(self._done).failure(self._failed)
        self.task.progress.progressed.connect(self._progressed)
        self.task.run()
        self.status.show_progress("analysing media", 0, None)
        return self.task

    def start_after_import(self) -> Task[AnalyseReport] | None:
        """After an import in this window: every engine, when the case asks for it."""
        from reviewer.services.media_settings import analyse_after_import

        if not analyse_after_import(self.case):
            return None
        return self.start()

    def cancel(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.status.label.setText("Cancelling media analysis…")
            self.status.cancel_button.setEnabled(False)

    def _progressed(self, stage: str, done: int, total: object) -> None:
        count = total if isinstance(total, int) else None
        self.last_progress = (stage, done, count)
        self.status.show_progress(stage, done, count)
        self.progressed.emit(stage, done, count)

    def _ended(self) -> None:
        self.status.hide()
        self.status.cancel_button.setEnabled(True)

    def _done(self, report: AnalyseReport) -> None:
        self._ended()
        self.finished.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self._ended()
        self.failed.emit(error_text(exc))

    def _audit_reveal(self, sha256: str, message_id: int, reason: str) -> None:
        """Through the window's edit queue: written in order with the reviewer's changes, and
        the window does not close before it is."""
        actor = self.actor

        def write(case: Case) -> Changes:
            media_flags.record_reveal(case, actor, sha256, message_id, reason)
            return Changes((), (), None)

        self.edits.submit(
            "the record of a revealed picture",
            write,
            done=lambda _c: None,
            failed=self.revealNotSaved.emit,
        )


def report_text(report: AnalyseReport) -> str:
    """One line, as ``reviewer analyse`` prints it."""
    text = f"Media analysis: {report.summary()}"
    if report.cancelled:
        done = sum(report.analysed.values()) + sum(report.failed.values())
        text += f" — cancelled after {done:,} of {report.todo:,}; run again to resume"
    return text
