"""Import an export into the open case: file or folder, exhibit reference, custodian, time
zone, and the date order only when the file needs it; progress with counts and Cancel."""

from __future__ import annotations

import zoneinfo
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.errors import AmbiguousDateOrderError, Cancelled
from reviewer.core.progress import CancelToken
from reviewer.core.records import DateOrder
from reviewer.gui.task_dialog import TaskDialog
from reviewer.gui.tasks import SignalProgress, Task, error_text, show_progress
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, ImportResult
from reviewer.services.worker_process import import_in_process


@cache
def time_zones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")


def zone_combo(default: str) -> QComboBox:
    """An editable, completing list of IANA time zones."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(time_zones())
    combo.setCurrentText(default)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = combo.completer()
    if completer is not None:
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return combo


class ImportDialog(TaskDialog):
    """Signals:
    imported(object): the ImportResult, after a successful import.
    """

    imported = Signal(object)

    def __init__(self, case: Case, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.actor = actor
        self.task: Task[ImportResult] | None = None
        self.result_value: ImportResult | None = None
        self.setWindowTitle("Import an export")
        self.setMinimumWidth(560)
        summary = case.summary()

        self.path = QLineEdit()
        self.path.setPlaceholderText("A WhatsApp .zip or .txt export, or an export folder")
        self.path.textChanged.connect(self._update_buttons)
        file_button = QPushButton("File…")
        file_button.clicked.connect(self._choose_file)
        folder_button = QPushButton("Folder…")
        folder_button.clicked.connect(self._choose_folder)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(file_button)
        path_row.addWidget(folder_button)

        self.exhibit = QLineEdit()
        self.exhibit.setPlaceholderText("e.g. AB/1 (default: EX1, EX2, …)")
        self.custodian = QLineEdit()
        self.custodian.setPlaceholderText("Whose phone the export came from, as named in the chat")
        self.timezone = zone_combo(summary.timezone)
        self.date_order = QComboBox()
        self.date_order.addItem("Day before month (DMY: 05/03 = 5 March)", DateOrder.DMY)
        self.date_order.addItem("Month before day (MDY: 05/03 = May 3)", DateOrder.MDY)
        self.date_order.addItem("Year first (YMD)", DateOrder.YMD)
        self.date_order_label = QLabel("Date order")
        self.date_order_hint = QLabel(
            "The dates in this file could be read either way. Check a message whose day is "
            "above 12, or ask whoever made the export, then choose:"
        )
        self.date_order_hint.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Export", path_row)
        form.addRow("Exhibit reference", self.exhibit)
        form.addRow("Custodian", self.custodian)
        form.addRow("Time zone", self.timezone)
        form.addRow(self.date_order_hint)
        form.addRow(self.date_order_label, self.date_order)
        self._show_date_order(False)

        self.stage = QLabel("")
        self.counts = QLabel("")
        self.counts.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status_row = QHBoxLayout()
        status_row.addWidget(self.stage, 1)
        status_row.addWidget(self.counts)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addLayout(status_row)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._set_busy(False)
        self._update_buttons()

    # -- form ------------------------------------------------------------------------------

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose an export", "", "Chat exports (*.zip *.txt *.json);;All files (*)"
        )
        if path:
            self.path.setText(path)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose an export folder")
        if path:
            self.path.setText(path)

    def _show_date_order(self, visible: bool) -> None:
        for widget in (self.date_order, self.date_order_label, self.date_order_hint):
            widget.setVisible(visible)

    def _update_buttons(self) -> None:
        busy = self.task is not None and self.task.running
        self.import_button.setEnabled(bool(self.path.text().strip()) and not busy)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.path, self.exhibit, self.custodian, self.timezone, self.date_order):
            widget.setEnabled(not busy)
        self.bar.setVisible(busy)
        self.stage.setVisible(busy)
        self.counts.setVisible(busy)
        self.cancel_button.setText("Cancel import" if busy else "Close")
        self._update_buttons()

    def options(self) -> ImportOptions:
        order = self.date_order.currentData() if self.date_order.isVisible() else None
        return ImportOptions(
            exhibit=self.exhibit.text().strip() or None,
            custodian=self.custodian.text().strip() or None,
            timezone=self.timezone.currentText().strip() or None,
            date_order=order,
        )

    # -- running ---------------------------------------------------------------------------

    def start(self) -> None:
        """Run the import in a worker process, from the writer thread; the dialog stays
        responsive."""
        export = Path(self.path.text().strip()).expanduser()
        options = self.options()
        case, actor = self.case, self.actor

        def run(progress: SignalProgress, cancel: CancelToken) -> ImportResult:
            # in a worker process: its Python threads would take the GIL from the window's
            return import_in_process(
                case.root, export, actor, options, progress=progress, cancel=cancel
            )

        self.message.setText("")
        self.stage.setText("Starting…")
        self.counts.setText("")
        self.bar.setRange(0, 0)
        self.task = Task(run, parent=self).success(self._done).failure(self._failed)
        self.task.progress.progressed.connect(self._progressed)
        self.task.run()
        self._set_busy(True)

    def _progressed(self, stage: str, done: int, total: object) -> None:
        show_progress(self.stage, self.counts, self.bar, stage, done, total)

    def _done(self, result: ImportResult) -> None:
        self.result_value = result
        self._set_busy(False)
        self.cancel_button.setEnabled(True)
        self.imported.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.cancel_button.setEnabled(True)
        if isinstance(exc, AmbiguousDateOrderError):
            self._show_date_order(True)
            self.message.setText(
                "This export's dates could be day-first or month-first. Choose the date order "
                "and press Import again."
            )
            self.date_order.setFocus()
        elif isinstance(exc, Cancelled):
            self.message.setText("Import cancelled; nothing was stored.")
        else:
            self.message.setText(error_text(exc))
        self.message.setStyleSheet("" if isinstance(exc, Cancelled) else "color: #d64545")
