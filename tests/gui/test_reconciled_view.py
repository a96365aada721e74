"""The chat view on a reconciled chat: three phones' exports of one group, imported and
reconciled, shown once per message with exhibit badges, deleted and missing marks, filters,
and review that acts once on a reconciled message through any copy."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QStyleOptionViewItem, QTreeWidgetItem
from pytestqt.qtbot import QtBot
from test_main_window import settle

from helpers import ACTOR
from reconcile_phones import import_phone, three_phones, true_chat
from reviewer.gui import tasks
from reviewer.gui.main_window import MainWindow
from reviewer.gui.navigator import COUNTED_ONCE, COUNTED_PER_COPY
from reviewer.gui.reconciled_view import ALL, DELETED, MISSING
from reviewer.services import browse, tagging
from reviewer.services.audit_log import entries as audit_entries
from reviewer.services.case import Case, create_case, open_case
from reviewer.services.reconcile import reconcile
from reviewer.services.reconciled_browse import Badges, copies_page


@pytest.fixture(scope="module")
def reconciled_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reconciled") / "case"
    chat = true_chat(160)
    with create_case(root, reference="OP-12", actor=ACTOR) as case:
        for phone in three_phones(chat):
            import_phone(case, phone, chat, root.parent / "exports", ACTOR)
        reconcile(case, ACTOR)
    return root


@pytest.fixture
def case(reconciled_root: Path, tmp_path: Path) -> Iterator[Case]:
    root = tmp_path / "case"
    shutil.copytree(reconciled_root, root)
    with open_case(root) as opened:
        yield opened


@pytest.fixture
def window(qtbot: QtBot, case: Case, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(case, ACTOR, role="Investigator", settings=settings)
    qtbot.addWidget(win)
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot)
    yield win
    tasks.wait_for_all()


def _open_reconciled(qtbot: QtBot, window: MainWindow) -> QTreeWidgetItem:
    section = window.navigator.reconciled
    assert not section.isHidden()
    assert section.childCount() == 1
    item = section.child(0)
    assert item is not None
    assert "— reconciled (AB/1, CD/2, EF/3)" in item.text(0)
    window.navigator.itemClicked.emit(item, 0)
    settle(qtbot)
    return item


def _all_badges(window: MainWindow) -> dict[int, Badges]:
    ids = list(window.model.ids())
    found: dict[int, Badges] = {}
    for start in range(0, len(ids), 200):
        found.update(copies_page(window.case, ids[start : start + 200]))
    return found


def _chip_labels(window: MainWindow, message_id: int) -> list[str]:
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 760, 100)
    option.font = window.chat.font()
    index = window.model.index(window.model.row_of(message_id))
    layout = window.chat.delegate().layout(option, index)
    assert layout is not None
    return [chip.label for chip in layout.chips]


def test_reconciled_chat_shows_each_message_once_with_badges(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    item = _open_reconciled(qtbot, window)
    ids = list(window.model.ids())
    assert len(ids) == len(set(ids)) == int(item.text(1).replace(",", ""))
    assert window.reconciled.bar.isVisible()
    assert window.timeline.isVisible()  # the chat's days, each message once
    qtbot.waitUntil(lambda: sum(d.count for d in window.timeline.days) == len(ids))
    assert {d.first_id for d in window.timeline.days} <= set(ids)
    assert "Days in Europe/London, the zone of AB/1." in window.timeline.toolTip()
    badges = _all_badges(window)
    assert set(badges) == set(ids)
    on_three = next(mid for mid, b in badges.items() if len(b.held_on) == 3 and not b.deleted_on)
    assert ids.count(on_three) == 1
    assert _chip_labels(window, on_three) == ["AB/1", "CD/2", "EF/3"]
    deleted = next(mid for mid, b in badges.items() if b.deleted_on == ("EF/3",))
    assert "deleted on EF/3" in _chip_labels(window, deleted)
    missing = next(mid for mid, b in badges.items() if b.missing_from)
    assert f"missing from {badges[missing].missing_from[0]}" in _chip_labels(window, missing)
    # badges were read a page at a time, not per message
    assert window.reconciled.fetches <= len(ids) // browse.PAGE_SIZE + 3
    window.jump_to(deleted)
    settle(qtbot)
    window.grab().save(str(tmp_path / "reconciled.png"))


def test_filters_deleted_and_missing(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    _open_reconciled(qtbot, window)
    everything = _all_badges(window)
    window.reconciled.bar.choose(DELETED)
    settle(qtbot)
    shown = list(window.model.ids())
    assert shown == [mid for mid in window.model.ids() if everything[mid].deleted_on]
    assert 0 < len(shown) == sum(1 for b in everything.values() if b.deleted_on)
    window.reconciled.bar.choose(MISSING + "CD/2")
    settle(qtbot)
    shown = list(window.model.ids())
    assert 0 < len(shown) == sum(1 for b in everything.values() if "CD/2" in b.missing_from)
    assert all("CD/2" in everything[mid].missing_from for mid in shown)
    window.jump_to(shown[0])
    settle(qtbot)
    window.grab().save(str(tmp_path / "missing.png"))
    # a plain conversation again: no bar, no badges
    first = next(iter(window.navigator._conversation_items))
    window.show_conversation(first)
    assert not window.reconciled.bar.isVisible()
    assert window.timeline.isVisible()
    assert window.timeline.zone_note == "" and "Days in" not in window.timeline.toolTip()
    assert window.chat.delegate().badges is None


def test_tagging_from_reconciled_view_tags_the_first_copy(qtbot: QtBot, window: MainWindow) -> None:
    _open_reconciled(qtbot, window)
    badges = _all_badges(window)
    views = browse.message_views(window.case, list(badges))
    message = next(
        mid for mid, b in badges.items() if len(b.held_on) == 3 and views[mid].kind == "text"
    )
    assert views[message].exhibit == "AB/1"  # the earliest-imported copy stands for it
    window.jump_to(message)
    assert window.panel.message_ids == [message]
    window.chat.setFocus()
    key = next(k for k, v in window.category_hotkeys().items() if v == "derogatory")
    qtbot.keyClick(window.chat, key)
    settle(qtbot)
    assert browse.message_views(window.case, [message])[message].tags == ("derogatory",)
    assert "Derogatory" in " ".join(_chip_labels(window, message))
    assert _chip_labels(window, message)[-3:] == ["AB/1", "CD/2", "EF/3"]


def test_leaving_before_the_ids_arrive_keeps_the_conversation(
    qtbot: QtBot, window: MainWindow
) -> None:
    item = window.navigator.reconciled.child(0)
    assert item is not None
    first = next(iter(window.navigator._conversation_items))
    window.navigator.itemClicked.emit(item, 0)  # the chat's ids are read in the background
    window.show_conversation(first)  # ...and the reviewer has moved on already
    settle(qtbot)
    assert list(window.model.ids()) == list(browse.conversation_message_ids(window.case, first))
    assert window.chat.delegate().badges is None


def test_a_tag_made_through_another_copy_is_on_the_reconciled_message(
    qtbot: QtBot, case: Case, window: MainWindow
) -> None:
    with case.reading() as session:
        first, other = (
            session.connection()
            .exec_driver_sql(
                "SELECT m.first_message_id, c.message_id FROM reconciled_message m "
                "JOIN reconciled_copy c ON c.reconciled_id = m.id "
                "WHERE c.message_id != m.first_message_id AND c.state = 'present' LIMIT 1"
            )
            .one()
        )
    window.show_conversation(browse.message_views(case, [other])[other].conversation_id)
    settle(qtbot)
    window.jump_to(other)  # the reviewer tags in one exhibit's own conversation
    window.set_category("violent", True)
    settle(qtbot)
    assert "Violent" in " ".join(_chip_labels(window, other))
    violent = window.navigator._category_items["violent"]
    qtbot.waitUntil(lambda: window.navigator.category_count("violent") == "3")  # 3 phones
    assert violent.toolTip(1) == COUNTED_PER_COPY
    _open_reconciled(qtbot, window)
    qtbot.waitUntil(lambda: violent.toolTip(1) == COUNTED_ONCE)
    assert window.navigator.category_count("violent") == "1"
    assert "Violent" in " ".join(_chip_labels(window, first))
    assert not any(label.startswith("tagged on") for label in _chip_labels(window, first))
    qtbot.waitUntil(lambda: sum(d.tagged for d in window.timeline.days) == 1)  # once
    window.jump_to(first)
    assert [v.tags for v in window.panel.views] == [("violent",)]
    window.set_category("violent", False)  # untagging through the reconciled view
    settle(qtbot)
    assert "Violent" not in " ".join(_chip_labels(window, first))
    views = browse.message_views(case, [first, other])
    assert views[first].tags == views[other].tags == ()
    with case.reading() as session:
        added, removed = list(audit_entries(session))[-2:]
    assert (added["action"], added["details"]["through"]) == ("tag.added", {str(first): other})
    assert (removed["action"], removed["details"]["messages"]) == ("tag.removed", [first])


def test_search_in_a_reconciled_chat_finds_each_message_once(
    qtbot: QtBot, case: Case, window: MainWindow
) -> None:
    with case.reading() as session:
        first, text = (
            session.connection()
            .exec_driver_sql(
                "SELECT m.first_message_id, t.text FROM reconciled_message m "
                "JOIN message t ON t.id = m.first_message_id WHERE t.kind = 'text' "
                "AND (SELECT COUNT(*) FROM reconciled_copy c WHERE c.reconciled_id = m.id) = 3 "
                "AND length(t.text) > 40 LIMIT 1"
            )
            .one()
        )
    phrase = '"' + " ".join(text.split()[:5]) + '"'
    window.search_bar.text.setText(phrase)  # in a conversation: one hit per phone's copy
    window.run_search()
    qtbot.waitUntil(lambda: window.search_bar.position.text() != "")
    per_copy = window._hit_total
    assert per_copy == 3
    _open_reconciled(qtbot, window)
    window.run_search()
    qtbot.waitUntil(lambda: window._hit_total is not None and window._hits != [])
    assert window._hit_total == 1  # the message once
    assert window.search_bar.position.text() == "1 of 1"
    assert first in window._hits
    window._go_to_hit(window._hits.index(first))
    assert window.reconciled.chat is not None  # still in the reconciled chat
    assert window.chat.current_id() == first


def test_next_unreviewed_skips_a_message_reviewed_on_another_phone(
    qtbot: QtBot, case: Case, window: MainWindow
) -> None:
    _open_reconciled(qtbot, window)
    ids = list(window.model.ids())
    badges = _all_badges(window)
    k = next(k for k in range(10, len(ids) - 2) if len(badges[ids[k + 1]].held_on) == 3)
    with case.reading() as session:
        (other,) = (
            session.connection()
            .exec_driver_sql(
                "SELECT c.message_id FROM reconciled_copy c JOIN reconciled_copy me"
                " ON me.reconciled_id = c.reconciled_id WHERE me.message_id = ?"
                " AND c.message_id != ? ORDER BY c.message_id DESC LIMIT 1",
                (ids[k + 1], ids[k + 1]),
            )
            .one()
        )
    tagging.mark_reviewed(case, ACTOR, [other])  # on the last phone, in its own conversation
    window.jump_to(ids[k])
    window.next_unreviewed()
    qtbot.waitUntil(lambda: window.chat.current_id() != ids[k])
    assert window.chat.current_id() == ids[k + 2]
    assert window.reconciled.chat is not None


def test_search_keeps_to_the_deleted_and_missing_filters(
    qtbot: QtBot, case: Case, window: MainWindow
) -> None:
    _open_reconciled(qtbot, window)
    everything = _all_badges(window)
    texts = {v.id: v.text for v in browse.message_views(case, list(everything)).values()}
    common = Counter(w for text in texts.values() for w in set(text.split()) if w.isalpha())

    def word_of(wanted: Callable[[Badges], bool]) -> str:  # a word of a filtered message
        mid = next(m for m, b in everything.items() if wanted(b) and texts[m].split())
        return max(texts[mid].split(), key=lambda w: common[w])

    deleted = word_of(lambda b: bool(b.deleted_on))
    missing = word_of(lambda b: "CD/2" in b.missing_from)
    window.search_bar.text.setText(f"{deleted} OR {missing}")
    window.run_search()
    qtbot.waitUntil(lambda: window._hit_total is not None and window._hits != [])
    every_hit = window._hit_total
    assert every_hit is not None
    for choice, wanted in (
        (DELETED, lambda b: bool(b.deleted_on)),
        (MISSING + "CD/2", lambda b: "CD/2" in b.missing_from),
    ):
        window.reconciled.bar.choose(choice)  # the search runs again under the filter
        settle(qtbot)
        qtbot.waitUntil(lambda: window._hit_total is not None and window._hit_total < every_hit)
        hits = set(window._hits)
        assert hits and all(wanted(everything[mid]) for mid in hits)
        assert hits <= set(window.model.ids())  # every hit is a row the filter shows
        window._go_to_hit(0)
        assert window.reconciled.chat is not None and window.chat.current_id() in hits
    window.reconciled.bar.choose(ALL)
    settle(qtbot)
    qtbot.waitUntil(lambda: window._hit_total == every_hit)
