"""Help → About: reviewer's version and licence, and every library it runs on with its version
and licence (what an agency's software approval asks for). The table can be copied as text."""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer import __version__
from reviewer.versions import BUNDLED_DATA, LICENCE, Component, components

ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
COLUMNS = ("Component", "Version", "Licence", "Used for")


def app_icon() -> QIcon:
    """The application icon, every rendered size (resources/icons, from the SVG master)."""
    icon = QIcon()
    folder = resources.files("reviewer.resources") / "icons"
    for size in ICON_SIZES:
        pixmap = QPixmap()
        if pixmap.loadFromData((folder / f"reviewer-{size}.png").read_bytes()):
            icon.addPixmap(pixmap)
    return icon


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About reviewer")
        self.setMinimumSize(640, 520)
        self.rows = [*components(), *BUNDLED_DATA]

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        title = QLabel(
            f"<h2>reviewer {__version__}</h2>"
            "<p>Offline review of chat exports as evidence of misconduct.</p>"
            f"<p>Licence: {LICENCE} (GNU General Public License, version 3 or later). "
            "This application opens no network connection.</p>"
        )
        title.setWordWrap(True)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QHBoxLayout()
        header.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(title, 1)

        self.table = QTableWidget(len(self.rows), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, item in enumerate(self.rows):
            for column, text in enumerate((item.name, item.version, item.licence, item.note)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        heading = self.table.horizontalHeader()
        heading.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        heading.setStretchLastSection(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        copy = QPushButton("Copy to clipboard")
        copy.clicked.connect(self.copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(QLabel("Libraries and data included:"))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The dialog's content as plain text, one component per line."""
        return "\n".join(
            [f"reviewer {__version__} ({LICENCE})", *(_line(item) for item in self.rows)]
        )

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())


def _line(item: Component) -> str:
    return f"{item.name} {item.version} ({item.licence}): {item.note}"


def show_about(parent: QWidget | None = None) -> None:
    """Open the About dialog (modal). Wire to Help → About."""
    AboutDialog(parent).exec()
