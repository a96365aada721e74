"""Dialogs and the task runner: import with progress, cancel and date order; first run;
the start window; errors in words; the delayed progress dialog."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from reviewer.core.errors import InputError
from reviewer.core.progress import CancelToken
from reviewer.core.records import DateOrder
from reviewer.gui import tasks
from reviewer.gui.app import Controller, FirstRunDialog, ask_reviewer
from reviewer.gui.import_dialog import ImportDialog
from reviewer.gui.start_window import StartWindow, recent_cases, remember_case
from reviewer.gui.tasks import SignalProgress, Task, show_error
from reviewer.services import audit_log, browse
from reviewer.services.actor import Actor
from reviewer.services.case import Case

AMBIGUOUS = "".join(
    f"0{d}/0{d + 1}/2024, 10:0{d} - Alex Turner: message {d}\n" for d in range(1, 8)
)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _block_writer() -> threading.Event:
    """Occupy the single writer thread until the returned event is set."""
    release = threading.Event()
    Task(lambda _p, _c: release.wait(10)).run()
    return release


def evidence_files(case: Case) -> list[Path]:
    return [p for p in (case.root / "evidence").rglob("*") if p.is_file()]


def test_import_reports_progress_and_imports(
    qtbot: QtBot, case: Case, actor: Actor, ios_zip: Path
) -> None:
    dialog = ImportDialog(case, actor)
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    dialog.path.setText(str(ios_zip))
    dialog.exhibit.setText("AB/1")
    dialog.custodian.setText("Sam Reid")
    assert dialog.timezone.currentText() == "Europe/London"  # the case's
    assert not dialog.date_order.isVisible()
    stages: list[str] = []
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as signal:
        dialog.start()
        assert dialog.task is not None
        dialog.task.progress.progressed.connect(lambda stage, *_: stages.append(stage))
        assert dialog.bar.isVisibleTo(dialog)
    assert signal.args is not None and signal.args[0].messages == 8
    assert stages
    assert [c.exhibit for c in browse.conversations(case)] == ["AB/1"]


def test_cancel_leaves_nothing_stored(
    qtbot: QtBot, case: Case, actor: Actor, ios_zip: Path
) -> None:
    dialog = ImportDialog(case, actor)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(ios_zip))
    release = _block_writer()
    dialog.start()
    assert dialog.cancel_button.text() == "Cancel import"
    dialog.cancel_button.click()
    assert dialog.stage.text() == "Cancelling…"
    release.set()
    assert dialog.task is not None
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=20_000)  # type: ignore[union-attr]
    assert dialog.message.text() == "Import cancelled; nothing was stored."
    assert browse.conversations(case) == []
    assert evidence_files(case) == []
    with case.reading() as session:
        actions = [e["action"] for e in audit_log.entries(session)]
    assert actions == ["case.created", "exhibit.import-cancelled"]


def test_ambiguous_date_order_asks_and_retries(
    qtbot: QtBot, case: Case, actor: Actor, tmp_path: Path
) -> None:
    export = tmp_path / "WhatsApp Chat with Shift B.txt"
    export.write_text(AMBIGUOUS, encoding="utf-8")
    dialog = ImportDialog(case, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(export))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.date_order.isVisible(), timeout=20_000)
    assert "day-first or month-first" in dialog.message.text()
    dialog.date_order.setCurrentIndex(dialog.date_order.findData(DateOrder.MDY))
    with qtbot.waitSignal(dialog.imported, timeout=20_000):
        dialog.import_button.click()
    assert dialog.result_value is not None and dialog.result_value.messages == 7


def test_import_error_is_shown_in_words(
    qtbot: QtBot, case: Case, actor: Actor, tmp_path: Path
) -> None:
    dialog = ImportDialog(case, actor)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "missing.zip"))
    dialog.start()
    assert dialog.task is not None
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=20_000)  # type: ignore[union-attr]
    assert "no such file or folder" in dialog.message.text()
    assert "Traceback" not in dialog.message.text()


def test_first_run_dialog_needs_a_name(qtbot: QtBot) -> None:
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.name, "J. Smith")
    assert ok.isEnabled()
    dialog.role.setCurrentText("Lead investigator")
    assert dialog.value() == ("J. Smith", "Lead investigator")


def test_remembered_reviewer_skips_the_first_run_dialog(settings: QSettings) -> None:
    settings.setValue("reviewer/name", "J. Smith")
    settings.setValue("reviewer/role", "Analyst")
    assert ask_reviewer(settings) == ("J. Smith", "Analyst")


def test_start_window_opens_a_recent_case(
    qtbot: QtBot, case: Case, actor: Actor, settings: QSettings
) -> None:
    remember_case(settings, case.root)
    controller = Controller(actor, "Investigator", settings)
    start = controller.show_start()
    qtbot.addWidget(start)
    assert start.recent.count() == 1
    item = start.recent.item(0)
    assert case.root.name in item.text()
    start.recent.itemActivated.emit(item)
    qtbot.waitUntil(lambda: bool(controller.windows), timeout=20_000)
    window = controller.windows[0]  # deletes itself on close
    assert window.case.root == case.root
    assert not start.isVisible()
    # the long-lived objects are out of the collector's reach while the window is open
    assert gc.get_freeze_count() > 10_000
    tasks.wait_for_all()
    window.close()
    assert controller.windows == []
    assert start.isVisible()
    assert gc.get_freeze_count() == 0  # and collectable again once it is closed
    assert recent_cases(settings) == [case.root]


def test_start_window_without_recent_cases(qtbot: QtBot, settings: QSettings) -> None:
    start = StartWindow(settings)
    qtbot.addWidget(start)
    assert start.recent.count() == 1
    assert "No recent cases" in start.recent.item(0).text()
    assert not start.open_recent.isEnabled()
    with qtbot.waitSignal(start.demoRequested):
        start.demo_button.click()


def test_quick_task_never_shows_a_dialog(qtbot: QtBot) -> None:
    task = Task(lambda _p, _c: 42).with_progress(None, "Quick")
    results: list[int] = []
    with qtbot.waitSignal(task.finished):
        task.success(results.append).run()
    assert results == [42]
    qtbot.wait(tasks.DIALOG_DELAY_MS + 50)
    assert task.dialog is None


def test_slow_task_shows_progress_and_cancels(qtbot: QtBot) -> None:
    started = threading.Event()

    def slow(progress: SignalProgress, cancel: CancelToken) -> None:
        progress.report("store", 10, 100)
        started.set()
        while not cancel.cancelled:
            threading.Event().wait(0.01)
        cancel.raise_if_cancelled()

    failures: list[BaseException] = []
    task = Task(slow).with_progress(None, "Slow").failure(failures.append).run()
    qtbot.waitUntil(lambda: task.dialog is not None, timeout=3000)
    dialog = task.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.counts.text() == "10 of 100")
    with qtbot.waitSignal(task.finished, timeout=5000):
        dialog.cancel_button.click()
    assert type(failures[0]).__name__ == "Cancelled"
    assert task.dialog is None


def test_errors_in_words(qtbot: QtBot) -> None:
    box = show_error(None, InputError("not a WhatsApp export", file="x.zip"))
    qtbot.addWidget(box)
    assert box.text() == "x.zip: not a WhatsApp export"
    assert box.detailedText() == ""
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        bug = show_error(None, exc)
    qtbot.addWidget(bug)
    assert bug.text().startswith("Internal error: RuntimeError")
    assert bug.icon() == QMessageBox.Icon.Critical
    assert "Traceback" in bug.detailedText()
