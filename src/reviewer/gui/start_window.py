"""The start window: recent cases, a new case, open a case folder, or the demo case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer import __version__
from reviewer.gui.import_dialog import zone_combo
from reviewer.services.case import DB_NAME, DEFAULT_TIMEZONE

RECENT_KEY = "recent/cases"
RECENT_LIMIT = 10


def recent_cases(settings: QSettings) -> list[Path]:
    value = settings.value(RECENT_KEY, [])
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = []
    return [Path(str(p)) for p in items if p]


def remember_case(settings: QSettings, path: Path) -> None:
    paths = [str(path)] + [str(p) for p in recent_cases(settings) if p != path]
    settings.setValue(RECENT_KEY, paths[:RECENT_LIMIT])


def forget_case(settings: QSettings, path: Path) -> None:
    settings.setValue(RECENT_KEY, [str(p) for p in recent_cases(settings) if p != path])


@dataclass(frozen=True, slots=True)
class NewCase:
    folder: Path
    reference: str
    title: str | None
    timezone: str


class NewCaseDialog(QDialog):
    """Folder, reference, title and time zone of a new case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New case")
        self.setMinimumWidth(520)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("A new, empty folder for the case")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("e.g. OP-1234")
        self.title = QLineEdit()
        self.title.setPlaceholderText("Optional")
        self.timezone = zone_combo(DEFAULT_TIMEZONE)
        hint = QLabel("The time zone the exports' clocks were set to (each import can differ).")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form = QFormLayout(self)
        form.addRow("Folder", row)
        form.addRow("Reference", self.reference)
        form.addRow("Title", self.title)
        form.addRow("Time zone", self.timezone)
        form.addRow("", hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create case")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for edit in (self.folder, self.reference):
            edit.textChanged.connect(self._validate)
        self._validate()

    def _choose(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder for the new case")
        if path:
            self.folder.setText(path)

    def _validate(self) -> None:
        ok = bool(self.folder.text().strip() and self.reference.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def value(self) -> NewCase:
        return NewCase(
            folder=Path(self.folder.text().strip()).expanduser(),
            reference=self.reference.text().strip(),
            title=self.title.text().strip() or None,
            timezone=self.timezone.currentText().strip() or DEFAULT_TIMEZONE,
        )


class StartWindow(QWidget):
    """Signals:
    openRequested(object): a case folder (Path) to open.
    newCaseRequested(object): a NewCase to create and open.
    demoRequested(): build and open the demo case.
    """

    openRequested = Signal(object)
    newCaseRequested = Signal(object)
    demoRequested = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("reviewer")
        self.resize(640, 460)
        title = QLabel("reviewer")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(f"Review chat exports as evidence of misconduct · version {__version__}")
        subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.recent = QListWidget()
        self.recent.setAlternatingRowColors(True)
        self.recent.itemActivated.connect(self._activated)
        self.recent.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.open_recent = QPushButton("Open")
        self.open_recent.clicked.connect(self._open_selected)
        self.new_button = QPushButton("New case…")
        self.new_button.clicked.connect(self.new_case)
        self.open_button = QPushButton("Open case folder…")
        self.open_button.clicked.connect(self.open_case)
        self.demo_button = QPushButton("Open the demo case")
        self.demo_button.setToolTip("Build a case from a fictional demo chat and open it")
        self.demo_button.clicked.connect(self.demoRequested)

        side = QVBoxLayout()
        side.addWidget(self.new_button)
        side.addWidget(self.open_button)
        side.addSpacing(12)
        side.addWidget(self.demo_button)
        side.addStretch(1)
        recent_box = QVBoxLayout()
        recent_box.addWidget(QLabel("<b>Recent cases</b>"))
        recent_box.addWidget(self.recent, 1)
        recent_row = QHBoxLayout()
        recent_row.addStretch(1)
        recent_row.addWidget(self.open_recent)
        recent_box.addLayout(recent_row)
        body = QHBoxLayout()
        body.addLayout(recent_box, 1)
        body.addSpacing(12)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(10)
        layout.addLayout(body, 1)
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        for path in recent_cases(self.settings):
            exists = (path / DB_NAME).is_file()
            item = QListWidgetItem(f"{path.name}\n{path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path) if exists else f"{path}\n(no longer there)")
            if not exists:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.recent.addItem(item)
        if self.recent.count() == 0:
            empty = QListWidgetItem("No recent cases. Create one, open a folder, or try the demo.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(empty)
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.recent.currentItem()
        self.open_recent.setEnabled(item is not None and bool(item.data(Qt.ItemDataRole.UserRole)))

    def _activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.openRequested.emit(Path(path))

    def _open_selected(self) -> None:
        item = self.recent.currentItem()
        if item is not None:
            self._activated(item)

    def open_case(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a case folder")
        if path:
            self.openRequested.emit(Path(path))

    def new_case(self) -> None:
        dialog = NewCaseDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.newCaseRequested.emit(dialog.value())
