"""Case → New package…, Merge package… and Adjudicate… (DESIGN.md §11)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from reviewer.gui.package_dialogs import AdjudicationDialog, MergePackageDialog, NewPackageDialog
from reviewer.services import integrity, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case, open_case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records

BEE = Actor("Bee Second", "bee-laptop")


def test_cut_review_merge_and_adjudicate(
    qtbot: QtBot, case: Case, actor: Actor, ios_zip: Path, tmp_path: Path
) -> None:
    import_export(case, ios_zip, actor)
    ids = [int(r["id"]) for r in message_records(case)]
    tagging.tag(case, actor, [ids[2]], "derogatory")

    cut = NewPackageDialog(case, actor, ["EX1"])
    qtbot.addWidget(cut)
    qtbot.waitUntil(lambda: "messages in" in cut.summary.text(), timeout=10_000)
    assert "1 of them tagged" in cut.summary.text()
    cut.blind.setChecked(True)
    assert "left out (blind)" in cut.summary.text()
    assert not cut.cut_button.isEnabled()  # no folder yet
    cut.out_dir.setText(str(tmp_path / "pkg"))
    cut.for_name.setText(BEE.name)
    assert cut.cut_button.isEnabled()
    with qtbot.waitSignal(cut.packaged, timeout=60_000):
        cut.start()
    assert "Package written" in cut.message.text()
    with open_case(tmp_path / "pkg") as package:
        assert integrity.check_evidence(package) == []
        tagging.tag(package, BEE, [ids[2]], "violent")  # the lead reviewed it: a conflict
        tagging.tag(package, BEE, [ids[4]], "sexual")  # nobody had: applied
        tagging.set_note(package, BEE, ids[3], "Bee's note")
    tagging.set_note(case, actor, ids[3], "Lead's note")  # meanwhile: a note conflict

    merge = MergePackageDialog(case, actor)
    qtbot.addWidget(merge)
    merge.folder.setText(str(tmp_path / "pkg"))
    merge.refresh_preview()
    qtbot.waitUntil(merge.merge_button.isEnabled, timeout=30_000)
    assert (merge.changes.count(), merge.conflicts.count()) == (1, 2)
    with qtbot.waitSignal(merge.merged, timeout=30_000):
        merge.start()
    assert "Merged: 1 changes, 2 conflicts" in merge.message.text()

    judge = AdjudicationDialog(case, actor)
    qtbot.addWidget(judge)
    qtbot.waitUntil(lambda: judge.items.count() > 0, timeout=10_000)
    first = judge.items.item(0)
    assert first is not None and first.text().startswith("conflict: ")
    rows = [judge.items.item(i).text() for i in range(judge.items.count())]
    violent = next(i for i, text in enumerate(rows) if "violent" in text)
    judge.items.setCurrentRow(violent)
    assert judge.keep_button.isEnabled() and not judge.take_button.isEnabled()
    judge.reason.setText("a threat, on reflection")
    with qtbot.waitSignal(judge.decided, timeout=30_000):
        judge.decide(True)
    qtbot.waitUntil(lambda: judge.items.count() == len(rows) - 1, timeout=10_000)
    note = next(i for i in range(judge.items.count()) if " note" in judge.items.item(i).text())
    judge.items.setCurrentRow(note)
    assert judge.take_button.isEnabled() and not judge.keep_button.isEnabled()
    with qtbot.waitSignal(judge.decided, timeout=30_000):
        judge.resolve(True)
    with case.reading() as session:
        from sqlalchemy import select

        from reviewer.store.models import Tag

        found = {(t.message_id, t.category, t.reviewer) for t in session.scalars(select(Tag))}
    assert (ids[2], "violent", BEE.name) in found and (ids[4], "sexual", BEE.name) in found
    with case.reading() as session:
        from reviewer.store.models import MessageNote

        kept = session.get(MessageNote, ids[3])
    assert kept is not None and kept.text == "Bee's note"


def test_the_case_menu_opens_the_package_dialogs(
    qtbot: QtBot, case: Case, actor: Actor, ios_zip: Path, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QDialog, QMenu

    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow

    import_export(case, ios_zip, actor)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(case, actor, settings=settings)
    qtbot.addWidget(window)
    case_menu = window.menuBar().actions()[0].menu()
    assert isinstance(case_menu, QMenu)
    titles = {action.text() for action in case_menu.actions()}
    assert {"New package…", "Merge package…", "Adjudicate…"} <= titles
    for action, kind in (
        (window.package_action, NewPackageDialog),
        (window.merge_action, MergePackageDialog),
        (window.adjudicate_action, AdjudicationDialog),
    ):
        action.trigger()
        found: list[QDialog] = []

        def opened(kind: type[QDialog] = kind, found: list[QDialog] = found) -> bool:
            found[:] = window.findChildren(kind)
            return bool(found)

        qtbot.waitUntil(opened, timeout=5_000)
        for dialog in found:
            dialog.reject()
    tasks.wait_for_all()
