"""Help → About lists every bundled font with its version and licence, and shows the licence."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from reviewer.core.fonts import FONTS, font_dir
from reviewer.gui.about import AboutDialog


def test_about_lists_each_bundled_font(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert dialog.fonts.rowCount() == len(FONTS)
    for row, font in enumerate(FONTS):
        items = [dialog.fonts.item(row, column) for column in range(5)]
        cells = [item.text() if item is not None else "" for item in items]
        assert cells == [font.family, font.version, font.licence, font.covers, font.file]
    text = dialog.text()
    assert "Font Noto Color Emoji 2.042 (OFL-1.1): NotoColorEmoji.ttf" in text
    assert "Font WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0)" in text


def test_each_font_licence_can_be_read(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    for row, font in enumerate(FONTS):
        assert (font_dir() / font.licence_file).is_file(), font.licence_file
        viewer = dialog.show_licence(row)
        assert viewer is not None
        shown = viewer.findChild(QPlainTextEdit)
        assert shown is not None
        assert shown.toPlainText() == (font_dir() / font.licence_file).read_text("utf-8")
        assert font.licence in viewer.windowTitle()
        viewer.close()
    assert dialog.show_licence(-1) is None  # no font selected
