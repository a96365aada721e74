"""Case ▸ Analyse media…: which analyses to run (text in images, sexual-content score,
near-duplicates), the case's sexual-content threshold, "analyse media after each import",
and the run's progress with Cancel (DESIGN.md §10).

The run belongs to the window's ``MediaSession``, not to this dialog: closing the dialog
leaves it running, with its progress in the status bar; Cancel stops it and keeps every file
already analysed (the next run resumes).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui.media_session import MediaSession, report_text
from reviewer.gui.tasks import Task, format_counts, set_bar, stage_text

if TYPE_CHECKING:
    from reviewer.review.media.analysers import Kind
    from reviewer.services.media_analysis import AnalyseReport

log = logging.getLogger("reviewer.gui")

ANALYSES: tuple[tuple[Kind, str], ...] = (
    ("ocr", "Text in images (OCR)"),
    ("sexual", "Sexual-content score"),
    ("similar", "Near-duplicates (the same picture forwarded again)"),
)


class AnalysisDialog(QDialog):
    """Attributes:
    checks: analysis kind -> its check box (disabled when this build lacks the engine).
    """

    def __init__(self, session: MediaSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Analyse media")
        self.setMinimumWidth(520)
        intro = QLabel(
            "Reads every picture, video and sticker in the case on this computer. The results "
            "are machine suggestions, never tags. Files already analysed are skipped, and a "
            "cancelled run resumes where it stopped."
        )
        intro.setWordWrap(True)
        self.checks: dict[Kind, QCheckBox] = {}
        form = QFormLayout()
        for kind, label in ANALYSES:
            check = QCheckBox(label)
            check.setChecked(True)
            check.setEnabled(False)  # until the engines are known
            check.toggled.connect(self._update)
            self.checks[kind] = check
            form.addRow(check)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.05, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setToolTip(
            "A picture scored at or above this suggests category sexual for its messages (a "
            "reviewer confirms or dismisses it) and stays blurred until revealed one by one"
        )
        form.addRow("Suggest “sexual” at or above score", self.threshold)
        self.redo = QCheckBox("Analyse again files already analysed by this engine version")
        form.addRow(self.redo)
        self.after_import = QCheckBox("Analyse media after each import (case setting)")
        form.addRow(self.after_import)

        self.stage = QLabel("")
        self.counts = QLabel("")
        self.counts.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        status = QHBoxLayout()
        status.addWidget(self.stage, 1)
        status.addWidget(self.counts)

        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            "Analyse", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(
            "Cancel analysis", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setToolTip("Close this window; a run keeps going in the background")
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.session.cancel)
        self.close_button.clicked.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addLayout(status)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self._engines: dict[Kind, str | None] | None = None
        session.progressed.connect(self._progressed)
        session.finished.connect(self._finished)
        session.failed.connect(self._failed)
        self.after_import.toggled.connect(self._save_after_import)
        if session.running and session.last_progress is not None:
            self._progressed(*session.last_progress)
        self._update()
        self.read_settings()

    # -- settings ---------------------------------------------------------------------------

    def read_settings(self) -> Task[Any]:
        """Engines this build has and the case's settings (importing the engines' modules
        takes a moment: off the UI thread)."""
        case = self.session.case

        def read(_progress: Any, _cancel: Any) -> tuple[dict[Kind, str | None], float, bool]:
            from reviewer.services import media_settings

            return (
                media_settings.available_engines(case),
                media_settings.sexual_threshold(case),
                media_settings.analyse_after_import(case),
            )

        return (
            Task(read, writer=False, parent=self)
            .success(self._settings_read)
            .failure(lambda exc: self.message.setText(f"Cannot read the settings: {exc}"))
            .run()
        )

    def _settings_read(self, found: tuple[dict[Kind, str | None], float, bool]) -> None:
        engines, threshold, after_import = found
        self._engines = engines
        for kind, label in ANALYSES:
            engine = engines.get(kind)
            check = self.checks[kind]
            check.setText(f"{label} — {engine}" if engine else f"{label} — not in this build")
            check.setChecked(bool(engine))
        self.threshold.setValue(threshold)
        self.after_import.blockSignals(True)
        self.after_import.setChecked(after_import)
        self.after_import.blockSignals(False)
        self._update()

    def _save_after_import(self, on: bool) -> None:
        if self._engines is None:  # the settings are not read yet
            return
        case, actor = self.session.case, self.session.actor

        def write(_progress: Any, _cancel: Any) -> bool:
            from reviewer.services.media_settings import set_analyse_after_import

            return set_analyse_after_import(case, actor, on)

        Task(write, queue="media-settings", parent=self).errors_to(self).run()

    # -- running ----------------------------------------------------------------------------

    def kinds(self) -> tuple[Kind, ...]:
        return tuple(kind for kind, _ in ANALYSES if self.checks[kind].isChecked())

    def start(self) -> None:
        kinds = self.kinds()
        if not kinds:
            return
        threshold = self.threshold.value() if "sexual" in kinds else None
        self.message.setText("")
        self.message.setStyleSheet("")
        if self.session.start(kinds, redo=self.redo.isChecked(), threshold=threshold):
            self.stage.setText("Starting…")
            self.counts.setText("")
            self.bar.setRange(0, 0)
        self._update()

    def _update(self) -> None:
        running = self.session.running
        known = self._engines is not None
        for kind, check in self.checks.items():
            check.setEnabled(known and not running and bool((self._engines or {}).get(kind)))
        self.threshold.setEnabled(not running and self.checks["sexual"].isChecked())
        self.redo.setEnabled(not running)
        self.start_button.setEnabled(known and not running and bool(self.kinds()))
        self.cancel_button.setEnabled(running)
        for widget in (self.stage, self.counts, self.bar):
            widget.setVisible(running)

    def _progressed(self, stage: str, done: int, total: object) -> None:
        count = total if isinstance(total, int) else None
        self.stage.setText(stage_text(stage))
        self.counts.setText(format_counts(done, count) or "0")
        set_bar(self.bar, done, count)
        self._update()

    def _finished(self, report: AnalyseReport) -> None:
        self._update()
        self.message.setText(report_text(report))

    def _failed(self, text: str) -> None:
        self._update()
        self.message.setText(text)
        self.message.setStyleSheet("color: #d64545")
