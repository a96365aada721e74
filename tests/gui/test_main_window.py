"""The main window on a small imported case: hotkeys, chips, counts, audit, blur, status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from reviewer.gui import tasks
from reviewer.gui.main_window import MainWindow
from reviewer.services import audit_log, browse
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export


@pytest.fixture
def imported(case: Case, actor: Actor, ios_zip: Path) -> Case:
    import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1", custodian="Sam Reid"))
    return case


@pytest.fixture
def window(qtbot: QtBot, imported: Case, actor: Actor, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(imported, actor, role="Investigator", settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot)
    yield win
    tasks.wait_for_all()


def settle(qtbot: QtBot) -> None:
    """Let background tasks (changes, then the counts and audit verification they start)
    finish and deliver."""
    tasks.wait_for_all()
    qtbot.waitUntil(lambda: tasks.in_flight() == 0 and not refreshing(), timeout=30_000)
    qtbot.wait(20)


def refreshing() -> bool:
    """Whether a window's counts refresh (after a burst of changes) is still to come."""
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    return any(w.refresh_pending() for w in windows)


def first_text_message(window: MainWindow) -> int:
    ids = list(window.model.ids())
    views = browse.message_views(window.case, ids)
    return next(i for i in ids if views[i].kind == "text")


def test_opens_on_the_first_conversation(window: MainWindow) -> None:
    assert window.model.rowCount() == 8
    assert "OP-1234" in window.windowTitle()
    assert window.timeline.days  # two days of messages
    assert len(window.timeline.days) == 2


def test_tag_by_hotkey_shows_chip_count_and_audit_entry(qtbot: QtBot, window: MainWindow) -> None:
    message = first_text_message(window)
    window.jump_to(message)
    assert window.panel.message_ids == [message]
    window.chat.setFocus()
    key = next(k for k, v in window.category_hotkeys().items() if v == "derogatory")
    qtbot.keyClick(window.chat, key)
    settle(qtbot)
    view = browse.message_views(window.case, [message])[message]
    assert view.tags == ("derogatory",)
    assert window.panel.category_state("derogatory") == Qt.CheckState.Checked
    assert window.navigator.category_count("derogatory") == "1"
    with window.case.reading() as session:
        last = list(audit_log.entries(session))[-1]
    assert last["action"] == "tag.added"
    assert last["details"]["messages"] == [message]
    assert last["actor"] == window.actor.name
    # the same key again removes it
    qtbot.keyClick(window.chat, key)
    settle(qtbot)
    assert browse.message_views(window.case, [message])[message].tags == ()
    assert window.navigator.category_count("derogatory") == "0"


def test_mixed_selection_shows_partial_state(qtbot: QtBot, window: MainWindow) -> None:
    ids = [i for i in window.model.ids()][:4]
    window.jump_to(ids[0])
    window.set_category("violent", True)
    settle(qtbot)
    window.panel.show_messages(ids, list(browse.message_views(window.case, ids).values()))
    assert window.panel.category_state("violent") == Qt.CheckState.PartiallyChecked


def test_mark_reviewed_moves_on_and_updates_status(qtbot: QtBot, window: MainWindow) -> None:
    message = first_text_message(window)
    window.jump_to(message)
    window.chat.setFocus()
    qtbot.keyClick(window.chat, "r")
    settle(qtbot)
    assert browse.message_views(window.case, [message])[message].review_state == "reviewed"
    assert window.chat.current_id() != message
    assert window.progress_label.text().startswith("Reviewed 1 / 8")


def test_blur_toggle_reveals_all_and_back(window: MainWindow) -> None:
    assert not window.chat.reveal_all()
    window.reveal_action.trigger()
    assert window.chat.reveal_all()
    assert window.reveal_action.text() == "Blur images"
    window.reveal_action.trigger()
    assert not window.chat.reveal_all()


def test_blur_is_not_remembered(qtbot: QtBot, imported: Case, actor: Actor, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = MainWindow(imported, actor, settings=settings)
    qtbot.addWidget(first)
    first.reveal_action.trigger()
    first._save_state()
    second = MainWindow(imported, actor, settings=settings)
    qtbot.addWidget(second)
    assert not second.chat.reveal_all()
    assert not second.reveal_action.isChecked()
    tasks.wait_for_all()


def test_status_bar_shows_progress_reviewer_and_audit_head(window: MainWindow) -> None:
    assert window.progress_label.text() == "Reviewed 0 / 8 · Tagged 0"
    assert window.reviewer_label.text() == "Reviewer: Test Reviewer (Investigator)"
    with window.case.reading() as session:
        head = audit_log.verify(session).head
    assert window.audit_label.text() == f"Audit head {head[:4]}…{head[-3:]} ✓ verified"
    assert window.audit_head == (f"{head[:4]}…{head[-3:]}", True)


def test_note_saved_on_ctrl_enter(qtbot: QtBot, window: MainWindow) -> None:
    message = first_text_message(window)
    window.jump_to(message)
    window.panel.note.setFocus()
    qtbot.keyClicks(window.panel.note, "check with PSD")
    qtbot.keyClick(window.panel.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert browse.message_views(window.case, [message])[message].note == "check with PSD"


def test_search_steps_through_hits(qtbot: QtBot, window: MainWindow) -> None:
    window.search_bar.text.setText("line")
    window.run_search()
    qtbot.waitUntil(lambda: window.search_bar.position.text() != "")
    settle(qtbot)
    assert window.search_bar.position.text() == "1 of 1"
    assert window.chat.current_id() == window._hits[0]


def test_jump_to_day(window: MainWindow) -> None:
    second = window.timeline.days[1]
    window.jump_to_day(second.date)
    assert window.chat.current_id() == second.first_id


def test_audit_view_lists_and_verifies(qtbot: QtBot, window: MainWindow) -> None:
    from reviewer.gui.audit_view import AuditView

    view = AuditView(window.case)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)  # read in the background
    assert view.model.rowCount() == 2  # case created, exhibit imported
    view.filter.setText("imported")
    assert view.proxy.rowCount() == 1
    view.verify()
    qtbot.waitUntil(lambda: view.result_label.text().startswith("✓"))


def test_day_index_runs_off_the_ui_thread(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    threads: list[threading.Thread] = []
    real = browse.day_index

    def recording(case: Case, conversation_id: int) -> list[browse.DayInfo]:
        threads.append(threading.current_thread())
        return real(case, conversation_id)

    monkeypatch.setattr(browse, "day_index", recording)
    window.timeline.set_days([])
    window.show_conversation(window._conversations[0].id)
    settle(qtbot)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert len(window.timeline.days) == 2


def test_panel_preselects_recorded_stances(qtbot: QtBot, window: MainWindow) -> None:
    from reviewer.services import tagging

    message = first_text_message(window)
    view = browse.message_views(window.case, [message])[message]
    assert view.sender_id is not None
    tagging.set_stance(window.case, window.actor, message, view.sender_id, "stance.author")
    window.jump_to(message)
    settle(qtbot)
    combo = window.panel._stance_combos[view.sender_id]
    assert combo.currentData() == "stance.author"
    others = [c for pid, c in window.panel._stance_combos.items() if pid != view.sender_id]
    assert all(c.currentData() is None for c in others)
    # choosing another stance records it and the panel shows the new one
    combo.setCurrentIndex(combo.findData("stance.endorsed"))
    settle(qtbot)
    assert browse.message_views(window.case, [message])[message].stances == (
        (view.sender_id, "stance.endorsed"),
    )
    assert window.panel._stance_combos[view.sender_id].currentData() == "stance.endorsed"


def test_the_next_message_with_the_same_people_reuses_the_stance_boxes(
    qtbot: QtBot, window: MainWindow
) -> None:
    from reviewer.services import tagging

    first = first_text_message(window)
    view = browse.message_views(window.case, [first])[first]
    assert view.sender_id is not None
    tagging.set_stance(window.case, window.actor, first, view.sender_id, "stance.author")
    window.jump_to(first)
    settle(qtbot)
    boxes = dict(window.panel._stance_combos)
    following = [i for i in window.model.ids() if i > first][:20]
    second = next(
        i
        for i in following
        if (window.jump_to(i), settle(qtbot)) and window.panel._stance_combos.keys() == boxes.keys()
    )
    # the same boxes (not rebuilt), showing this message's stances: none recorded
    assert all(window.panel._stance_combos[pid] is box for pid, box in boxes.items())
    assert all(box.currentData() is None for box in boxes.values())
    # a stance chosen now is recorded on this message, not on the first
    box = boxes[view.sender_id]
    box.setCurrentIndex(box.findData("stance.endorsed"))
    settle(qtbot)
    stances = browse.message_views(window.case, [first, second])
    assert stances[second].stances == ((view.sender_id, "stance.endorsed"),)
    assert stances[first].stances == ((view.sender_id, "stance.author"),)
    window.jump_to(first)
    settle(qtbot)
    assert window.panel._stance_combos[view.sender_id].currentData() == "stance.author"


def test_status_bar_counts_open_suggestions(qtbot: QtBot, window: MainWindow) -> None:
    from reviewer.services import screening

    assert "Suggestions" not in window.progress_label.text()
    screening.screen(window.case, window.actor)
    window.refresh_status()
    settle(qtbot)
    count = screening.open_count(window.case)
    if count:
        assert f"Suggestions {count:,} open" in window.progress_label.text()


def test_row_of_never_copies_a_sorted_id_array(window: MainWindow) -> None:
    from array import array

    ids = array("q", range(10, 2_000_010, 2))
    window.model.set_ids(ids)
    assert window.model.row_of(2_000_008) == len(ids) - 1
    assert window.model.row_of(11) == -1  # a miss: checked by bisection, no id -> row dict
    assert window.model._row_by_id is None
    window.model.set_ids([5, 3, 9])  # an unordered short list still works
    assert window.model.row_of(3) == 1 and window.model.row_of(4) == -1


def test_audit_model_passes_the_model_tester(qtmodeltester, case: Case) -> None:  # type: ignore[no-untyped-def]
    from reviewer.gui.audit_view import AuditModel
    from reviewer.services import audit_log

    with case.reading() as session:
        entries = list(audit_log.entries(session))
    model = AuditModel(entries)
    qtmodeltester.check(model)
    assert model.rowCount() == len(entries) >= 1
