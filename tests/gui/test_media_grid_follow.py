"""The media grid and the blur rule following what the reviewer does in the main window: a
sexual suggestion confirmed (blurred at once everywhere) or dismissed (unflagged), another
conversation, reconciled chat or search shown while the grid is open, a near-duplicate group
untagged as one decision, and the category keys after the taxonomy changes (issue 13)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from test_media_grid import (
    Pictures,
    _export,
    hotkey,
    open_grid,
    row_of,
    settle,
    shown,
    tags,
    use_stand_ins,
)
from test_media_grid import (
    analysed as _analysed,
)
from test_media_grid import (
    window as _window,
)

from helpers import ACTOR
from reviewer.gui.main_window import MainWindow
from reviewer.gui.media_grid import MediaGrid
from reviewer.gui.media_viewer import MediaViewer
from reviewer.review.taxonomy import default_taxonomy_text
from reviewer.services import audit_log, browse, reconciled_browse, screening, tagging
from reviewer.services import taxonomy as taxonomy_service
from reviewer.services.case import Case, create_case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.media_analysis import AnalyseOptions, AnalyseReport, analyse
from reviewer.services.media_grid import MediaTile
from reviewer.services.reconcile import reconcile
from reviewer.services.reconcile_decisions import decide_link
from reviewer.store.models import Message, Suggestion

analysed = _analysed  # the media grid tests' case and window
window = _window


def tile_of(grid: MediaGrid, sha: str) -> MediaTile:
    return shown(grid)[row_of(grid, sha)]


def press(qtbot: QtBot, window: MainWindow, key: str | Qt.Key) -> None:
    """A key on the main window's chat view (the window active, as when the reviewer works
    in it)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    window.chat.setFocus()
    qtbot.keyClick(window.chat, key)


def test_deciding_a_sexual_suggestion_blurs_or_unblurs_at_once(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures], tmp_path: Path
) -> None:
    case, pictures = analysed
    # a sexual lexicon term found in the screenshot's text (a score of 0.05: flagged only by
    # the suggestion), screened while the window is open, as `reviewer screen` would
    lexicon = tmp_path / "words.toml"
    lexicon.write_text('entry = [ { term = "rota", category = "sexual" } ]\n')
    screening.screen(case, ACTOR, lexicon)
    grid = open_grid(qtbot, window)
    window.reveal_action.setChecked(True)
    flagged, screenshot = tile_of(grid, pictures.flagged), tile_of(grid, pictures.screenshot)
    assert grid.is_blurred(flagged) and grid.is_blurred(screenshot)  # both flagged
    grid.rule.confirm = lambda _parent, _reason: True
    grid.select_rows([row_of(grid, pictures.flagged)])
    grid.view.setFocus()
    qtbot.keyClick(grid.view, Qt.Key.Key_Space)  # revealed on its own, after the question
    qtbot.keyClick(grid.view, Qt.Key.Key_Return)
    (viewer,) = [d for d in grid.findChildren(MediaViewer) if d.isVisible()]
    assert not grid.is_blurred(flagged) and not viewer.blurred
    assert not window.chat.is_blurred(flagged.message_id, flagged.sha256)

    # S goes to the picture's suggestion (after the screenshot's), Enter confirms it: the
    # picture is blurred again at once in the grid, the viewer and the chat view
    window.jump_to(screenshot.message_id)
    press(qtbot, window, "s")
    assert window.current_suggestion is not None
    assert window.current_suggestion.message_id == flagged.message_id
    press(qtbot, window, Qt.Key.Key_Return)
    assert grid.is_blurred(flagged) and viewer.blurred
    assert window.chat.is_blurred(flagged.message_id, flagged.sha256)
    settle(qtbot)
    assert tags(case, "sexual") == [flagged.message_id]
    assert grid.is_blurred(flagged) and viewer.blurred  # still, once the flags are read back
    viewer.close()

    # Delete dismisses the screenshot's suggestion: no longer flagged, so "Reveal images"
    # shows it, here and in the chat view, and it leaves the grid's "flagged only" tiles
    grid.flagged_box.setChecked(True)
    assert {t.sha256 for t in shown(grid)} == {pictures.flagged, pictures.screenshot}
    window.jump_to(flagged.message_id - 2)
    press(qtbot, window, "s")
    assert window.current_suggestion is not None
    assert window.current_suggestion.message_id == screenshot.message_id
    press(qtbot, window, Qt.Key.Key_Delete)
    settle(qtbot)
    with case.reading() as session:
        status = session.scalar(
            select(Suggestion.status).where(Suggestion.message_id == screenshot.message_id)
        )
    assert status == "dismissed"
    assert not grid.is_blurred(screenshot)
    assert not window.chat.is_blurred(screenshot.message_id, screenshot.sha256)
    assert grid.is_blurred(flagged)  # its score still flags it
    assert [t.sha256 for t in shown(grid)] == [pictures.flagged]
    assert grid.count_label.text() == "1 of 7 pictures · 1 flagged"


def test_the_grid_follows_a_new_search_and_back(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures]
) -> None:
    _, pictures = analysed
    grid = open_grid(qtbot, window)
    assert len(shown(grid)) == 7
    window.search_bar.text.setText("rota")  # run while the grid is open
    window.run_search()
    settle(qtbot)
    assert grid.source_box.currentText() == "Search results for “rota”"
    assert [t.sha256 for t in shown(grid)] == [pictures.screenshot]
    # stepping through hits or following a tile does not take the grid off the results
    grid.select_rows([0])
    settle(qtbot)
    assert [t.sha256 for t in shown(grid)] == [pictures.screenshot]
    # the reviewer goes back to the conversation; the search run again after an analysis
    # run does not take the grid away from it
    grid.source_box.setCurrentIndex(0)
    qtbot.waitUntil(lambda: len(shown(grid)) == 7, timeout=10_000)
    window.media.finished.emit(AnalyseReport(run_id=9, engines=[], unavailable=[]))
    settle(qtbot)
    assert grid.source_box.currentIndex() == 0 and len(shown(grid)) == 7
    window.search_bar.text.setText("")
    window.run_search()
    settle(qtbot)
    assert grid.source_box.count() == 1
    assert grid.source_box.currentText().startswith("Conversation “Shift B”")
    assert len(shown(grid)) == 7


def test_untagging_a_whole_group_is_one_decision_audited_per_message(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures]
) -> None:
    case, pictures = analysed
    grid = open_grid(qtbot, window)
    members = sorted(t.message_id for t in shown(grid) if t.sha256 in pictures.meme)
    grid.select_rows([row_of(grid, pictures.meme[2])])
    grid.view.setFocus()
    key = hotkey(window, "derogatory")
    qtbot.keyClick(grid.view, key, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert tags(case, "derogatory") == members
    # Ctrl + the key again: every picture of the group has it, so it comes off the group
    qtbot.keyClick(grid.view, key, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert tags(case, "derogatory") == []
    assert not any("derogatory" in t.tags for t in shown(grid))
    group = tile_of(grid, pictures.meme[2]).group
    with case.reading() as session:
        removed = [e for e in audit_log.entries(session) if e["action"] == "tag.removed"]
    assert sorted(e["details"]["messages"][0] for e in removed) == members  # one per message
    assert all(e["details"]["similar_group"] == group for e in removed)
    # one message of the group tagged by hand: Ctrl + key tags the rest (not a removal) …
    grid.select_rows([row_of(grid, pictures.meme[0])])
    qtbot.keyClick(grid.view, key)
    settle(qtbot)
    assert tags(case, "derogatory") == members[:1]
    qtbot.keyClick(grid.view, key, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert tags(case, "derogatory") == members
    # … and the menu's removal takes it off the whole group
    menu = grid.group_button.menu()
    assert menu is not None
    (removal,) = [a for a in menu.actions() if a.menu() is not None]
    assert removal.text() == "Remove from the whole group"
    submenu: Any = removal.menu()
    next(a for a in submenu.actions() if a.text().startswith("Derogatory")).trigger()
    settle(qtbot)
    assert tags(case, "derogatory") == []


def test_the_category_keys_follow_the_taxonomy(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures], tmp_path: Path
) -> None:
    case, pictures = analysed
    grid = open_grid(qtbot, window)
    old = hotkey(window, "derogatory")
    text = default_taxonomy_text()  # the case's, as created
    edited = tmp_path / "taxonomy.toml"
    edited.write_text(
        text.replace('label = "Derogatory or demeaning"', 'label = "Demeaning"').replace(
            f'group = "content"\nhotkey = "{old}"', 'group = "content"\nhotkey = "9"', 1
        )
    )
    taxonomy_service.load_file(case, edited, ACTOR)
    window.reload()  # as after an import, a merge or an adjudication
    settle(qtbot)
    assert hotkey(window, "derogatory") == "9"
    grid.select_rows([row_of(grid, pictures.photo)])
    grid.view.setFocus()
    qtbot.keyClick(grid.view, old)  # the old key tags nothing now
    settle(qtbot)
    assert tags(case, "derogatory") == []
    qtbot.keyClick(grid.view, "9")
    settle(qtbot)
    assert tags(case, "derogatory") == [tile_of(grid, pictures.photo).message_id]
    menu = grid.group_button.menu()
    assert menu is not None
    assert "Demeaning\tCtrl+9" in [a.text() for a in menu.actions()]
    assert "9" in grid.hint.text().split(" tag ")[0]


@pytest.fixture
def two_phones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Case, Pictures]]:
    """The chat exported by Sam's phone without its media (CD/2, imported first, so its
    copies stand for the messages) and by Alex's with them (AB/1); reconciled and analysed."""
    export, pictures = _export(tmp_path / "WhatsApp Chat - Shift B.zip")
    text_only = tmp_path / "sam" / "WhatsApp Chat - Shift B.txt"
    text_only.parent.mkdir()
    with zipfile.ZipFile(export) as archive:
        text_only.write_bytes(archive.read("_chat.txt"))
    use_stand_ins(monkeypatch, pictures)
    with create_case(tmp_path / "case", reference="OP-78", actor=ACTOR) as case:
        import_export(case, text_only, ACTOR, ImportOptions(exhibit="CD/2", custodian="Sam Reid"))
        import_export(case, export, ACTOR, ImportOptions(exhibit="AB/1", custodian="Alex Turner"))
        (link,) = reconcile(case, ACTOR).links
        decide_link(case, ACTOR, link.id, confirm=True)
        reconcile(case, ACTOR)
        analyse(case, ACTOR, AnalyseOptions(workers=1))
        yield case, pictures


def test_the_grid_follows_the_window_into_a_reconciled_chat_and_out(
    qtbot: QtBot, two_phones: tuple[Case, Pictures], tmp_path: Path
) -> None:
    case, pictures = two_phones
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(case, ACTOR, settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot)
    by_exhibit = {c.exhibit: c.id for c in browse.conversations(case)}
    sam, alex = by_exhibit["CD/2"], by_exhibit["AB/1"]
    window.show_conversation(sam)
    settle(qtbot)
    grid = open_grid(qtbot, window)
    assert shown(grid) == [] and grid.count_label.text() == "0 pictures"  # media omitted

    # the reviewer opens the reconciled chat: each picture once, from Alex's phone, on the
    # messages the chat shows (Sam's copies, which review acts on), with both exhibits
    (chat,) = reconciled_browse.reconciled_chats(case)
    window.navigator.reconciledActivated.emit(chat.id)
    settle(qtbot)
    assert grid.source_box.currentText() == "Shift B — reconciled (CD/2, AB/1)"
    tiles = shown(grid)
    assert len(tiles) == 7 and len({(t.message_id, t.sha256) for t in tiles}) == 7
    assert {t.exhibits for t in tiles} == {("CD/2", "AB/1")}
    shown_ids = set(window.model.ids())
    assert {t.message_id for t in tiles} <= shown_ids
    with case.reading() as session:
        owners = set(
            session.scalars(
                select(Message.conversation_id).where(Message.id.in_([t.message_id for t in tiles]))
            )
        )
    assert owners == {sam}
    # following a picture keeps the window in the chat; a key tags the message once
    grid.select_rows([row_of(grid, pictures.photo)])
    settle(qtbot)
    assert window.reconciled.chat is not None
    assert window.chat.current_id() == tile_of(grid, pictures.photo).message_id
    grid.view.setFocus()
    qtbot.keyClick(grid.view, hotkey(window, "derogatory"))
    settle(qtbot)
    assert tags(case, "derogatory") == [tile_of(grid, pictures.photo).message_id]
    assert tagging.category_counts(case, once=True)["derogatory"] == 1
    grid.grab().save(str(tmp_path / "media-grid-reconciled.png"))

    # another conversation in the navigator: the grid shows it
    window.navigator.conversationActivated.emit(alex)
    settle(qtbot)
    assert grid.source_box.currentText().startswith("Conversation “Shift B” (AB/1)")
    assert len(shown(grid)) == 7 and all(t.exhibits == () for t in shown(grid))
    assert {t.conversation_id for t in shown(grid)} == {alex}
    settle(qtbot)
