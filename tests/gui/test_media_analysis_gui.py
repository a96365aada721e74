"""Media analysis in the window (DESIGN.md §10, issue 13): Case ▸ Analyse media… runs the
CLI's service in the background with progress and Cancel, and resumes; the media viewer shows
the machine-read text and its boxes; a flagged picture stays blurred under "Reveal images"
until revealed one by one (audited); a search hit only in an image's text says "in image".

The engines are stand-ins (no sexual picture may be used, and real OCR takes seconds); one
test runs the real OCR on a generated meme."""

from __future__ import annotations

import hashlib
import io
import os
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

import media_fixtures
import ocr_fixtures as fx
from reviewer.gui import tasks
from reviewer.gui.analysis_dialog import AnalysisDialog
from reviewer.gui.import_dialog import ImportDialog
from reviewer.gui.main_window import MainWindow
from reviewer.gui.media_analysis_panel import BOX_COLOUR, MACHINE_READ
from reviewer.gui.media_blur import BlurRule
from reviewer.gui.media_session import MediaSession
from reviewer.gui.media_viewer import MediaViewer
from reviewer.review.media import ocr
from reviewer.review.media.analysers import AnalysisResult, Kind
from reviewer.review.media.ocr import have_ocr
from reviewer.services import audit_log, browse, media_analysis, screening
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.media import media_records
from reviewer.services.media_flags import FlaggedMedia
from reviewer.services.sexual_suggestions import DEFAULT_THRESHOLD

WORDS = "FLOMBIX BRIEFING AT DAWN"
ONLY_IN_IMAGE = "flombix"
PICTURES = 6  # 1 and 2 flagged; 3 has the text


def checkerboard(cell: int, colour: str) -> bytes:
    """Sharp edges, so a blurred drawing is told from a clear one."""
    image = Image.new("RGB", (240, 180), "white")
    for x in range(0, 240, cell):
        for y in range(0, 180, cell):
            if (x // cell + y // cell) % 2:
                image.paste(colour, (x, y, x + cell, y + cell))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def export(path: Path, pictures: list[bytes], *, start: int = 0) -> Path:
    lines = ["[14/03/2024, 09:58:00] Sam Reid: Morning all\r\n"]
    with zipfile.ZipFile(path, "w") as archive:
        for i, data in enumerate(pictures, start + 1):
            name = f"{i:08d}-PHOTO-2024-03-14-10-{i:02d}-00.jpg"
            archive.writestr(name, data)
            who = "Alex Turner" if i % 2 else "Sam Reid"
            lines.append(f"[14/03/2024, 10:{i:02d}:00] {who}: \u200e<attached: {name}>\r\n")
        lines.append("[14/03/2024, 11:00:00] Sam Reid: the van again\r\n")
        archive.writestr("_chat.txt", "".join(lines).encode())
    return path


@dataclass(frozen=True)
class Pictures:
    data: list[bytes]

    def sha(self, number: int) -> str:
        return hashlib.sha256(self.data[number - 1]).hexdigest()


@dataclass(frozen=True)
class FakeOcr:
    """Stands in for RapidOCR: ``texts`` maps SHA-256 to what it "reads"."""

    texts: tuple[tuple[str, str], ...]
    delay: float = 0.0
    kind: Kind = "ocr"
    engine: str = "fake-ocr"
    version: str = "1.0+test"
    model: str | None = "fake-model-7"

    def accepts(self, mime: str) -> bool:
        return mime.startswith("image/")

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        time.sleep(self.delay)
        text = dict(self.texts).get(hashlib.sha256(path.read_bytes()).hexdigest(), "")
        if not text:
            return AnalysisResult(data={"boxes": []}, text=None, confidence=None)
        boxes = [
            {"box": [[20, 20], [220, 20], [220, 60], [20, 60]], "text": text, "confidence": 0.97}
        ]
        return AnalysisResult(data={"boxes": boxes}, text=text, confidence=0.97)


@dataclass(frozen=True)
class FakeScore:
    """Stands in for NudeNet: its model cannot be given a sexual picture in a test."""

    scores: tuple[tuple[str, float], ...]
    kind: Kind = "sexual"
    engine: str = "fake-nudity"
    version: str = "1"
    model: str | None = None

    def accepts(self, mime: str) -> bool:
        return mime.startswith("image/")

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        return AnalysisResult(score=dict(self.scores).get(sha, 0.05))


@pytest.fixture
def pictures() -> Pictures:
    colours = ["#c0392b", "#8e44ad", "#1d6fa5", "#2e7d32", "#b34d00", "#00796b", "#5d4fb3"]
    return Pictures([checkerboard(10 + i, colours[i]) for i in range(PICTURES)])


@pytest.fixture
def stand_ins(monkeypatch: pytest.MonkeyPatch, pictures: Pictures) -> dict[str, Any]:
    """Fake OCR and scorer in place of the real engines; every run in this process (the
    window's runs are otherwise all in worker processes)."""
    engines: dict[str, Any] = {
        "ocr": FakeOcr(((pictures.sha(3), WORDS),)),
        "sexual": FakeScore(((pictures.sha(1), 0.91), (pictures.sha(2), 0.83))),
    }
    media_fixtures.use_stand_ins(monkeypatch, engines)
    monkeypatch.setattr(media_analysis, "POOL_MIN_FILES", 10**6)
    monkeypatch.setattr(MediaSession, "isolate", False)
    return engines


@pytest.fixture
def window(
    qtbot: QtBot, case: Case, actor: Actor, tmp_path: Path, pictures: Pictures
) -> Iterator[MainWindow]:
    path = export(tmp_path / "WhatsApp Chat - Shift B.zip", pictures.data)
    import_export(case, path, actor, ImportOptions(exhibit="AB/1", custodian="Sam Reid"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(case, actor, settings=settings)
    qtbot.addWidget(win)
    win.resize(1300, 900)
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot)
    yield win
    win.media.cancel()
    tasks.wait_for_all()


def png(tmp_path: Path, name: str) -> str:
    """Where a test saves a rendering to look at (REVIEWER_PNG_DIR, else the test's folder)."""
    return str(Path(os.environ.get("REVIEWER_PNG_DIR", tmp_path)) / name)


def settle(qtbot: QtBot) -> None:
    tasks.wait_for_all()
    qtbot.waitUntil(lambda: tasks.in_flight() == 0, timeout=30_000)
    qtbot.wait(20)


def open_dialog(qtbot: QtBot, window: MainWindow) -> AnalysisDialog:
    window.analyse_action.trigger()
    dialog = next(d for d in window._dialogs if isinstance(d, AnalysisDialog))
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=30_000)
    return dialog


def analyse_from_dialog(qtbot: QtBot, window: MainWindow) -> Any:
    dialog = open_dialog(qtbot, window)
    with qtbot.waitSignal(window.media.finished, timeout=60_000) as finished:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    return finished.args[0]


def message_of(window: MainWindow, sha256: str) -> int:
    views = browse.message_views(window.case, list(window.model.ids()))
    return next(i for i, v in views.items() if any(a.sha256 == sha256 for a in v.attachments))


def actions(case: Case) -> list[dict[str, Any]]:
    with case.reading() as session:
        return list(audit_log.entries(session))


def test_analyse_media_from_the_dialog(
    qtbot: QtBot, window: MainWindow, stand_ins: dict[str, Any], pictures: Pictures
) -> None:
    seen: list[tuple[str, int, Any]] = []
    window.media.progressed.connect(lambda s, d, t: seen.append((s, d, t)))
    dialog = open_dialog(qtbot, window)
    assert "fake-ocr" in dialog.checks["ocr"].text()
    assert dialog.threshold.value() == pytest.approx(DEFAULT_THRESHOLD)  # the case's setting
    dialog.threshold.setValue(0.8)
    with qtbot.waitSignal(window.media.finished, timeout=60_000) as finished:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert not dialog.start_button.isEnabled()  # one run at a time
    settle(qtbot)
    report = finished.args[0]
    # progress: files done of the total, naming the engine, up to the end
    _stage, done, total = seen[-1]
    assert total == done == PICTURES * 3 and seen[0][1] == 0
    assert {s for s, _, _ in seen} >= {
        "analysing media (text in images)",
        "analysing media (sexual-content score)",
        "analysing media (near-duplicates)",
    }
    assert not window.media.status.isVisible()
    assert "18 analysed" in dialog.message.text()
    assert "2 new sexual-content suggestions" in dialog.message.text()
    assert report.suggested == 2
    # the records, as reviewer media prints them
    records = {r["sha256"]: r for r in media_records(window.case)}
    assert records[pictures.sha(3)]["ocr"]["text"] == WORDS
    assert records[pictures.sha(1)]["sexual"]["score"] == pytest.approx(0.91)
    assert all(r["sexual"] is not None for r in records.values())
    # audited: the threshold change, the run's start and end, the suggestions
    names = [e["action"] for e in actions(window.case)]
    assert names[-4:] == ["setting.changed", "analysis.started", "analysis.run", "sexual.suggested"]
    # the views refreshed: suggestions in the status bar, the flags for the blur
    qtbot.waitUntil(lambda: "Suggestions 2 open" in window.progress_label.text())
    assert window.media.blur.is_flagged(pictures.sha(1), None)
    assert screening.open_count(window.case) == 2
    dialog.close_button.click()


def test_cancel_midway_then_resume(
    qtbot: QtBot,
    window: MainWindow,
    stand_ins: dict[str, Any],
    pictures: Pictures,
    tmp_path: Path,
) -> None:
    stand_ins["ocr"] = FakeOcr(((pictures.sha(3), WORDS),), delay=0.3)
    dialog = open_dialog(qtbot, window)
    dialog.checks["sexual"].setChecked(False)
    dialog.checks["similar"].setChecked(False)
    with qtbot.waitSignal(window.media.finished, timeout=60_000) as finished:
        dialog.start()
        qtbot.waitUntil(lambda: (window.media.last_progress or ("", 0, 0))[1] >= 2)
        assert window.media.status.isVisible()
        assert "of 6" in window.media.status.label.text()
        window.grab().save(png(tmp_path, "window-analysing.png"))
        dialog.grab().save(png(tmp_path, "dialog-analysing.png"))
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    first = finished.args[0]
    assert first.cancelled and 2 <= first.analysed["ocr"] < PICTURES
    assert "cancelled after" in dialog.message.text()
    run = actions(window.case)[-1]
    assert run["action"] == "analysis.run" and run["details"]["status"] == "cancelled"
    # again: the files done are skipped, the rest analysed
    with qtbot.waitSignal(window.media.finished, timeout=60_000) as finished:
        dialog.start()
    second = finished.args[0]
    assert not second.cancelled
    assert second.skipped["ocr"] == first.analysed["ocr"]
    assert second.analysed["ocr"] == PICTURES - first.analysed["ocr"]


def test_viewer_shows_machine_read_text_and_boxes(
    qtbot: QtBot,
    window: MainWindow,
    stand_ins: dict[str, Any],
    pictures: Pictures,
    tmp_path: Path,
) -> None:
    analyse_from_dialog(qtbot, window)
    message = message_of(window, pictures.sha(3))
    window.open_media(message, 0)
    viewer = next(d for d in window._dialogs if isinstance(d, MediaViewer))
    qtbot.waitExposed(viewer)
    assert viewer.panel is not None
    assert viewer.panel.group.title() == MACHINE_READ
    assert viewer.panel.text.toPlainText() == WORDS
    engine = viewer.panel.engine.text()
    assert "fake-ocr" in engine and "fake-model-7" in engine and "1.0+test" in engine
    assert "confidence 0.97" in engine
    assert viewer.panel.score.text().startswith("0.05")
    assert "group" in viewer.panel.similar.text()
    assert not viewer.blurred  # not flagged; opened on purpose

    def edge() -> QColor:
        assert viewer.image_label is not None
        return QColor(viewer.image_label.pixmap().toImage().pixel(120, 20))  # on the top edge

    plain = edge()
    viewer.panel.boxes_toggle.setChecked(True)
    assert _close(edge(), BOX_COLOUR) and not _close(plain, BOX_COLOUR)
    viewer.panel.boxes_toggle.setChecked(False)
    assert edge() == plain
    viewer.panel.boxes_toggle.setChecked(True)
    viewer.grab().save(png(tmp_path, "viewer-text.png"))


def test_flagged_pictures_stay_blurred_until_revealed_one_by_one(
    qtbot: QtBot,
    window: MainWindow,
    stand_ins: dict[str, Any],
    pictures: Pictures,
    tmp_path: Path,
) -> None:
    analyse_from_dialog(qtbot, window)
    rule = window.media.blur
    first, second, plain = (message_of(window, pictures.sha(n)) for n in (1, 2, 4))
    window.reveal_action.trigger()  # Reveal images
    assert window.chat.is_blurred(first, pictures.sha(1))
    assert window.chat.is_blurred(second, pictures.sha(2))
    assert not window.chat.is_blurred(plain, pictures.sha(4))
    window.jump_to(first)
    thumb = _thumbnail(window, first)
    blurred = _render(window).copy(thumb)
    assert not _has_sharp_edges(blurred)
    _render(window).save(png(tmp_path, "chat-flagged.png"))
    # a click asks first; No keeps it blurred
    asked: list[str] = []
    rule.confirm = lambda _parent, reason: asked.append(reason) or False
    qtbot.mouseClick(window.chat.viewport(), Qt.MouseButton.LeftButton, pos=thumb.center())
    assert asked and "0.91" in asked[0] and window.chat.is_blurred(first, pictures.sha(1))
    # Yes reveals that picture only
    rule.confirm = lambda _parent, reason: True
    qtbot.mouseClick(window.chat.viewport(), Qt.MouseButton.LeftButton, pos=thumb.center())
    assert not window.chat.is_blurred(first, pictures.sha(1))
    assert window.chat.is_blurred(second, pictures.sha(2))
    window.chat.clear_selection()
    assert _has_sharp_edges(_render(window).copy(_thumbnail(window, first)))
    settle(qtbot)
    revealed = actions(window.case)[-1]
    assert revealed["action"] == "media.revealed" and revealed["actor"] == window.actor.name
    assert revealed["details"]["sha256"] == pictures.sha(1)
    assert revealed["details"]["message"] == first
    # the viewer of the other flagged picture is blurred too, until revealed there
    window.open_media(second, 0)
    viewer = next(d for d in window._dialogs if isinstance(d, MediaViewer))
    assert viewer.blurred and viewer.reveal_button.isVisibleTo(viewer)
    assert not viewer.system_button.isEnabled()  # no way round the blur
    viewer.grab().save(png(tmp_path, "viewer-flagged.png"))
    rule.confirm = lambda _parent, reason: False
    assert not viewer.reveal() and viewer.blurred
    rule.confirm = lambda _parent, reason: True
    assert viewer.reveal() and not viewer.blurred and viewer.system_button.isEnabled()
    assert not window.chat.is_blurred(second, pictures.sha(2))  # one rule for both
    # Blur images blurs everything again, the single reveals too
    window.reveal_action.trigger()
    assert window.chat.is_blurred(first, pictures.sha(1)) and viewer.blurred
    # the key: V on the current message reveals its pictures, a flagged one after asking
    window.reveal_action.trigger()
    window.jump_to(first)
    window.chat.setFocus()
    qtbot.keyClick(window.chat, Qt.Key.Key_V)
    assert not window.chat.is_blurred(first, pictures.sha(1))
    assert window.chat.is_blurred(second, pictures.sha(2))


def test_a_word_only_in_an_image_is_a_hit_in_image(
    qtbot: QtBot, window: MainWindow, stand_ins: dict[str, Any], pictures: Pictures
) -> None:
    window.search_bar.text.setText(ONLY_IN_IMAGE)
    window.run_search()
    settle(qtbot)
    assert window.search_bar.position.text() == "no hits"
    analyse_from_dialog(qtbot, window)  # re-runs the search: the word is found now
    qtbot.waitUntil(lambda: window.search_bar.position.text() == "1 hits")
    window.next_hit()
    message = message_of(window, pictures.sha(3))
    assert window.search_bar.position.text() == "1 of 1 · in image"
    assert window.chat.current_id() == message
    assert window.chat.delegate().image_mark(message) == "found in image"
    window.search_bar.text.setText("van")
    window.run_search()
    settle(qtbot)
    assert window.search_bar.position.text() == "1 of 1"  # in the message text


def test_analyse_after_import_is_a_case_setting(
    qtbot: QtBot,
    window: MainWindow,
    stand_ins: dict[str, Any],
    tmp_path: Path,
) -> None:
    dialog = open_dialog(qtbot, window)
    assert not dialog.after_import.isChecked()  # off by default
    dialog.after_import.setChecked(True)
    settle(qtbot)
    change = actions(window.case)[-1]
    assert change["action"] == "setting.changed"
    assert change["details"] == {"key": "analyse_after_import", "old": None, "new": True}
    dialog.close_button.click()
    path = export(tmp_path / "second.zip", [checkerboard(7, "#222222")], start=20)
    window.import_action.trigger()
    importer = window.findChild(ImportDialog)
    assert importer is not None
    importer.path.setText(str(path))
    importer.exhibit.setText("CD/2")
    with qtbot.waitSignal(window.media.finished, timeout=60_000) as finished:
        importer.start()
    settle(qtbot)
    report = finished.args[0]
    assert report.analysed["ocr"] == PICTURES + 1  # this export's picture and the first's
    assert {m["sha256"] for m in media_records(window.case) if m["ocr"] is None} == set()


@pytest.mark.skipif(not have_ocr(), reason="OCR engine not installed")
def test_real_ocr_from_the_dialog(
    qtbot: QtBot, case: Case, actor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_here() -> None:
        raise AssertionError("the OCR engine was loaded in the window's process")

    monkeypatch.setattr(ocr, "_engine", not_here)  # a worker process imports its own
    image, words = fx.meme(5, width=720)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path = export(tmp_path / "meme.zip", [out.getvalue()])
    import_export(case, path, actor, ImportOptions(exhibit="AB/1"))
    win = MainWindow(
        case, actor, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(win)
    win.show()
    settle(qtbot)
    dialog = open_dialog(qtbot, win)
    dialog.checks["sexual"].setChecked(False)
    dialog.checks["similar"].setChecked(False)
    with qtbot.waitSignal(win.media.finished, timeout=120_000):
        dialog.start()
    settle(qtbot)
    (record,) = media_records(case)
    read = fx.words_of(record["ocr"]["text"])
    assert fx.word_recall(words, record["ocr"]["text"]) >= 0.9, read
    win.search_bar.text.setText(next(w for w in words if w != "van"))
    win.run_search()
    settle(qtbot)
    win.next_hit()
    assert win.search_bar.position.text().endswith("· in image")


def _close(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 90


def _render(window: MainWindow) -> QImage:
    window.chat.viewport().repaint()
    return window.chat.viewport().grab().toImage()


def _thumbnail(window: MainWindow, message_id: int) -> QRect:
    chat = window.chat
    row = window.model.row_of(message_id)
    option = chat._option()
    option.rect = QRect(0, 0, chat.viewport().width(), chat._row_height(row))
    layout = chat.delegate().layout(option, window.model.index(row))
    assert layout is not None and layout.thumbs
    return layout.thumbs[0][0].translated(0, chat.visual_rect(row).top())


def _has_sharp_edges(image: QImage) -> bool:
    """Whether neighbouring pixels in the top quarter (above the label) differ strongly."""
    for y in range(2, image.height() // 4, 3):
        for x in range(2, image.width() - 3):
            a = QColor(image.pixel(x, y)).lightness()
            b = QColor(image.pixel(x + 1, y)).lightness()
            if abs(a - b) > 80:
                return True
    return False


def test_closing_the_window_stops_the_run_first(
    qtbot: QtBot, window: MainWindow, stand_ins: dict[str, Any], pictures: Pictures
) -> None:
    stand_ins["ocr"] = FakeOcr(((pictures.sha(3), WORDS),), delay=0.3)
    case = window.case
    with qtbot.waitSignal(window.closed, timeout=60_000):
        window.media.start(("ocr",))
        qtbot.waitUntil(lambda: (window.media.last_progress or ("", 0, 0))[1] >= 1)
        window.close()
        assert window.isVisible()  # waits for the run to stop
    assert not window.media.running
    with case.reading() as session:
        last = list(audit_log.entries(session))[-1]
    assert last["action"] == "analysis.run" and last["details"]["status"] == "cancelled"


def test_a_flagged_video_is_not_played_until_revealed(
    qtbot: QtBot, case: Case, actor: Actor, tmp_path: Path
) -> None:
    clip = media_fixtures.video(tmp_path / "clip.mp4")
    name = "00000001-VIDEO-2024-03-14-10-00-00.mp4"
    path = tmp_path / "video.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, clip.read_bytes())
        line = f"[14/03/2024, 10:00:00] Sam Reid: \u200e<attached: {name}>\r\n"
        archive.writestr("_chat.txt", line.encode())
    import_export(case, path, actor, ImportOptions(exhibit="AB/1"))
    (view,) = browse.message_views(case, browse.conversation_message_ids(case, 1)).values()
    (attachment,) = view.attachments
    assert attachment.sha256 is not None
    rule = BlurRule()
    rule.set_flags(FlaggedMedia(0.6, {attachment.sha256: 0.9}))
    rule.set_reveal_all(True)
    viewer = MediaViewer(case, attachment, blur=rule, message_id=view.id)
    qtbot.addWidget(viewer)
    assert viewer.player is None and not viewer.system_button.isEnabled()
    assert viewer.reveal_button.isVisibleTo(viewer)
    assert "Flagged: possibly sexual" in viewer.body.widget().text()
    rule.confirm = lambda _parent, reason: True
    assert viewer.reveal()
    assert viewer.system_button.isEnabled() and not viewer.reveal_button.isVisibleTo(viewer)
    shown = viewer.body.widget()
    assert viewer.player is not None or "Playback is not available" in shown.text()
