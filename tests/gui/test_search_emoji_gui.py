"""Typing an emoji into the search box finds its messages without regex mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from reviewer.gui import tasks
from reviewer.gui.main_window import MainWindow
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export

CHAT = (
    "[14/03/2024, 10:00:00] Sam Reid: he brought a banana 🐒\r\n"
    "[14/03/2024, 10:01:00] Alex Turner: no monkeys here\r\n"
    "[14/03/2024, 10:02:00] Jo Park: 🐒🐒 lol\r\n"
    "[14/03/2024, 10:03:00] Sam Reid: 👍🏽\r\n"
)


@pytest.fixture
def window(qtbot: QtBot, case: Case, actor: Actor, tmp_path: Path) -> Iterator[MainWindow]:
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    import_export(case, chat, actor, ImportOptions(exhibit="AB/1"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(case, actor, role="Investigator", settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    tasks.wait_for_all()
    yield win
    tasks.wait_for_all()


def type_in(box: QLineEdit, text: str) -> None:
    """Type ``text`` as a keyboard or emoji picker does: one key event carrying the text
    (QTest's keyClicks handles only ASCII)."""
    key = QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, text)
    QApplication.sendEvent(box, key)


def test_typing_an_emoji_shows_its_hit_count(qtbot: QtBot, window: MainWindow) -> None:
    box = window.search_bar.text
    box.setFocus()
    type_in(box, "🐒")
    assert box.text() == "🐒"
    assert not window.search_bar.regex.isChecked()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search_bar.position.text() != "")
    tasks.wait_for_all()
    qtbot.wait(20)
    assert window.search_bar.position.text() == "1 of 2"
    assert window.chat.current_id() == window._hits[0]
    assert "regex" not in window.statusBar().currentMessage().lower()

    box.clear()
    type_in(box, "👍🏽")
    assert box.text() == "👍🏽"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search_bar.position.text() == "1 of 1")
