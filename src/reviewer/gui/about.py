"""Help → About: reviewer's version and licence, every library it runs on with its version
and licence (what an agency's software approval asks for), and every bundled font with its
version, licence and licence text. The tables can be copied as text."""

from __future__ import annotations

import html
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
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer import __version__
from reviewer.core.fonts import FONTS, BundledFont, font_dir
from reviewer.versions import BUNDLED_DATA, LICENCE, Component, components

ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
COLUMNS = ("Component", "Version", "Licence", "Used for")
FONT_COLUMNS = ("Font", "Version", "Licence", "Covers", "File")


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

        self.table = _table(
            COLUMNS, [(item.name, item.version, item.licence, item.note) for item in self.rows]
        )
        self.fonts = _table(
            FONT_COLUMNS,
            [(f.family, f.version, f.licence, f.covers, f.file) for f in FONTS],
        )
        self.fonts.setToolTip("Double-click a font to read its licence")
        self.fonts.cellDoubleClicked.connect(lambda row, _column: self.show_licence(row))
        self.licence_button = QPushButton("Show licence…")
        self.licence_button.clicked.connect(lambda: self.show_licence(self.fonts.currentRow()))
        folder = QLabel(
            f"Font files and their licences: <code>{html.escape(str(font_dir()))}</code>"
        )
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder.setWordWrap(True)
        fonts_page = QWidget()
        fonts_layout = QVBoxLayout(fonts_page)
        fonts_layout.addWidget(
            QLabel(
                "reviewer draws every script and emoji with these fonts, whatever the "
                "computer has installed."
            )
        )
        fonts_layout.addWidget(self.fonts, 1)
        fonts_row = QHBoxLayout()
        fonts_row.addWidget(folder, 1)
        fonts_row.addWidget(self.licence_button)
        fonts_layout.addLayout(fonts_row)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "Libraries and data")
        self.tabs.addTab(fonts_page, "Fonts")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        copy = QPushButton("Copy to clipboard")
        copy.clicked.connect(self.copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The dialog's content as plain text, one component per line."""
        return "\n".join(
            [
                f"reviewer {__version__} ({LICENCE})",
                *(_line(item) for item in self.rows),
                *(_font_line(font) for font in FONTS),
            ]
        )

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

    def show_licence(self, row: int) -> QDialog | None:
        """Show the licence text of the font in ``row`` (non-modal); None for no row."""
        if not 0 <= row < len(FONTS):
            return None
        font = FONTS[row]
        viewer = QDialog(self)
        viewer.setWindowTitle(f"Licence of {font.family} ({font.licence})")
        viewer.resize(640, 560)
        text = QPlainTextEdit(licence_text(font))
        text.setReadOnly(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(viewer.reject)
        layout = QVBoxLayout(viewer)
        path = QLabel(str(font_dir() / font.licence_file))
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(path)
        layout.addWidget(text, 1)
        layout.addWidget(close)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        return viewer


def _line(item: Component) -> str:
    return f"{item.name} {item.version} ({item.licence}): {item.note}"


def _font_line(font: BundledFont) -> str:
    return (
        f"Font {font.family} {font.version} ({font.licence}): {font.file}, {font.covers}; "
        f"licence text {font.licence_file}"
    )


def licence_text(font: BundledFont) -> str:
    """The licence file shipped beside the font."""
    return (font_dir() / font.licence_file).read_text(encoding="utf-8")


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    for row, values in enumerate(rows):
        for column, text in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(text))
    heading = table.horizontalHeader()
    heading.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    heading.setStretchLastSection(True)
    return table


def show_about(parent: QWidget | None = None) -> None:
    """Open the About dialog (modal). Wire to Help → About."""
    AboutDialog(parent).exec()
