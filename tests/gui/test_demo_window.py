"""The main window on the bundled demo case, rendered to a PNG; the media viewer on a demo photo;
the shortcuts sheet; the New-case dialog."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from reviewer.gui import tasks
from reviewer.gui.chat.delegate import day_label
from reviewer.gui.chat.model import Role
from reviewer.gui.main_window import SHORTCUTS, MainWindow
from reviewer.gui.media_viewer import MediaViewer
from reviewer.gui.start_window import NewCaseDialog
from reviewer.services import audit_log, browse
from reviewer.services.actor import Actor
from reviewer.services.browse import AttachmentView
from reviewer.services.case import Case
from reviewer.services.demo import build_demo_case


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    actor = Actor("Test Reviewer", "TEST-PC")
    case = build_demo_case(actor, tmp_path_factory.mktemp("demo") / "case")
    root = case.root
    case.close()
    return root


@pytest.fixture
def demo(demo_root: Path) -> Iterator[Case]:
    from reviewer.services.case import open_case

    case = open_case(demo_root)
    yield case
    case.close()


@pytest.fixture
def window(qtbot: QtBot, demo: Case, actor: Actor, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(demo, actor, role="Investigator", settings=settings)
    qtbot.addWidget(win)
    win.resize(1400, 860)
    win.show()
    qtbot.waitExposed(win)
    tasks.wait_for_all()
    qtbot.wait(50)
    tasks.wait_for_all()
    yield win
    tasks.wait_for_all()


def _photos(case: Case) -> list[AttachmentView]:
    (conversation,) = browse.conversations(case)
    ids = browse.conversation_message_ids(case, conversation.id)
    found: list[AttachmentView] = []
    for start in range(0, len(ids), browse.PAGE_SIZE):
        views = browse.message_views(case, ids[start : start + browse.PAGE_SIZE])
        found.extend(a for v in views.values() for a in v.attachments if a.is_image and a.present)
    return found


def test_main_window_on_the_demo_renders_to_png(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "main-window.png"
    assert window.grab().save(str(path))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (window.width(), window.height())
    # a real picture, not a blank window: many colours (bubbles, names, chips, timeline)
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 40
    # the chat opens on the demo's first day, with its day separator
    model = window.model
    assert model.rowCount() > 2500
    first = model.index(0, 0)
    assert model.data(first, Role.Day) == "2024-09-02"
    assert model.data(first, Role.FirstOfDay)
    assert day_label("2024-09-02") == "Monday 2 September 2024"
    assert window.chat.verticalScrollBar().value() == 0
    # the timeline (loaded in the background) covers the three months
    days = window.timeline.days
    assert days[0].date.isoformat() == "2024-09-02" and len(days) >= 85
    # the status bar: progress, reviewer and the verified audit head
    with window.case.reading() as session:
        head = str(audit_log.verify(session).head)
    assert window.progress_label.text().startswith("Reviewed 0 / ")
    assert window.reviewer_label.text() == f"Reviewer: {window.actor.name} (Investigator)"
    assert window.audit_label.text() == f"Audit head {head[:4]}…{head[-3:]} ✓ verified"
    assert window.navigator.category_count("discriminatory") == "0"


def test_media_viewer_opens_a_demo_photo_read_only_with_its_hash(
    qtbot: QtBot, window: MainWindow
) -> None:
    photos = _photos(window.case)
    assert len(photos) >= 20
    with_gps = None
    for photo in photos:
        viewer = MediaViewer(window.case, photo, window)
        qtbot.addWidget(viewer)
        assert viewer.path is not None and viewer.path == photo.evidence
        mode = viewer.path.stat().st_mode
        assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # evidence: read-only
        digest = hashlib.sha256(viewer.path.read_bytes()).hexdigest()
        assert viewer.hash_label.text() == digest == photo.sha256
        assert "read-only" in viewer.source_label.text()
        labels = [w.text() for w in viewer.findChildren(QLabel)]
        if "EXIF GPS" in labels:
            with_gps = labels
            viewer.close()
            break
        viewer.close()
    assert with_gps is not None, "some demo photos carry a GPS position"
    assert "EXIF DateTimeOriginal" in with_gps
    assert any(text.startswith("51.") and ", -1." in text for text in with_gps)


def test_shortcuts_sheet_lists_every_shortcut_and_the_category_hotkeys(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.shortcuts_action.trigger()
    sheet = window.shortcuts_sheet
    assert sheet is not None
    qtbot.waitUntil(sheet.isVisible)
    text = sheet.text()
    for keys, what in SHORTCUTS:
        assert keys in text and what in text
    for key, category in window.category_hotkeys().items():
        assert f"<b>{key}</b>" in text
        assert window._taxonomy[category].label in text
    assert text.count("<table") == 1  # one table: the two parts line up
    sheet.close()


def test_new_case_dialog_needs_folder_and_reference(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = NewCaseDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "Create case" and not ok.isEnabled()
    dialog.folder.setText(str(tmp_path / "OP-9"))
    assert not ok.isEnabled()
    dialog.reference.setText("  OP-9  ")
    assert ok.isEnabled()
    dialog.title.setText("Night shift group")
    dialog.timezone.setCurrentText("Europe/Dublin")
    value = dialog.value()
    assert value.folder == tmp_path / "OP-9"
    assert value.reference == "OP-9" and value.title == "Night shift group"
    assert value.timezone == "Europe/Dublin"
    dialog.reference.setText(" ")
    assert not ok.isEnabled()
    with qtbot.waitSignal(dialog.rejected):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
