"""The media grid on an imported export whose pictures were analysed (near-duplicate hashes for
real; OCR and the sexual-content score by stand-ins keyed on each file's hash): what the tiles
show, sorting and filtering, tagging from the keyboard (per message and per near-duplicate
group, audited), flagged pictures kept blurred under "Reveal images", opening and following a
picture, and the grid of search results."""

from __future__ import annotations

import dataclasses
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

import media_fixtures as mf
from helpers import ACTOR
from reviewer.gui import media_grid_model, tasks
from reviewer.gui.main_window import MainWindow
from reviewer.gui.media_grid import MediaGrid
from reviewer.gui.media_grid_delegate import badges
from reviewer.gui.media_grid_model import Sort
from reviewer.gui.media_viewer import MediaViewer
from reviewer.review.media.analysers import AnalysisResult, Kind
from reviewer.services import audit_log
from reviewer.services.case import Case, create_case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.media_analysis import AnalyseOptions, AnalyseReport, analyse
from reviewer.services.media_grid import MediaTile
from reviewer.store.media_models import MediaAnalysis
from reviewer.store.models import Tag

SCREEN_TEXT = "ROTA CHANGE FRIDAY"


@dataclass(frozen=True)
class _Stand:
    """Stands in for an engine: a fixed result per file (evidence files are named by hash)."""

    kind: Kind
    values: tuple[tuple[str, Any], ...]
    default: Any
    engine: str = "stand-in"
    version: str = "1"
    model: str | None = None

    def accepts(self, mime: str) -> bool:
        return mime.startswith("image/")

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        value = dict(self.values).get(path.name, self.default)
        if self.kind == "ocr":
            return AnalysisResult(text=value, confidence=0.99 if value else None)
        return AnalysisResult(score=value)


def use_stand_ins(monkeypatch: pytest.MonkeyPatch, pictures: Pictures) -> None:
    """OCR reads SCREEN_TEXT in the screenshot; the scorer gives the flagged picture 0.91, the
    photo 0.30 and the rest 0.05."""
    mf.use_stand_ins(
        monkeypatch,
        {
            "ocr": _Stand("ocr", ((pictures.screenshot, SCREEN_TEXT),), ""),
            "sexual": _Stand("sexual", ((pictures.flagged, 0.91), (pictures.photo, 0.30)), 0.05),
        },
    )


@dataclass
class Pictures:
    meme: list[str]  # the original, two copies, the original forwarded again
    screenshot: str
    flagged: str  # scored 0.91
    photo: str  # scored 0.30


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _export(path: Path) -> tuple[Path, Pictures]:
    meme = mf.meme(21)
    files = [
        ("00000001-PHOTO-2024-03-14-10-00-01.jpg", mf.jpeg(meme)),
        ("00000002-PHOTO-2024-03-14-10-00-02.jpg", mf.reencoded(meme)),
        ("00000003-PHOTO-2024-03-14-10-00-03.png", mf.png(mf.screenshot(3))),
        ("00000004-PHOTO-2024-03-14-10-00-04.jpg", mf.jpeg(mf.photo(1))),
        ("00000005-PHOTO-2024-03-14-10-00-05.jpg", mf.resized(meme)),
        ("00000006-PHOTO-2024-03-14-10-00-06.jpg", mf.jpeg(mf.photo(2))),
        ("00000007-PHOTO-2024-03-14-10-00-07.jpg", mf.jpeg(meme)),
    ]
    lines = ["[14/03/2024, 09:58:00] Sam Reid: Morning all\r\n"]
    with zipfile.ZipFile(path, "w") as archive:
        for index, (name, data) in enumerate(files, 1):
            lines.append(
                f"[14/03/2024, 10:00:{index:02d}] Alex Turner: \u200e<attached: {name}>\r\n"
            )
            archive.writestr(name, data)
        lines.append("[14/03/2024, 10:05:00] Sam Reid: seen it\r\n")
        archive.writestr("_chat.txt", "".join(lines).encode())
    shas = [_sha(data) for _name, data in files]
    return path, Pictures(
        meme=[shas[0], shas[1], shas[4], shas[6]],
        screenshot=shas[2],
        flagged=shas[3],
        photo=shas[5],
    )


@pytest.fixture
def analysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Case, Pictures]]:
    export, pictures = _export(tmp_path / "WhatsApp Chat - Shift B.zip")
    use_stand_ins(monkeypatch, pictures)
    with create_case(tmp_path / "case", reference="OP-77", actor=ACTOR) as case:
        import_export(case, export, ACTOR, ImportOptions(exhibit="AB/1"))
        report = analyse(case, ACTOR, AnalyseOptions(workers=1))
        assert report.groups == 1 and report.suggested == 1
        yield case, pictures


@pytest.fixture
def window(qtbot: QtBot, analysed: tuple[Case, Pictures], tmp_path: Path) -> Iterator[MainWindow]:
    case, _ = analysed
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(case, ACTOR, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot)
    yield win
    settle(qtbot)  # the window's counts and audit refresh after changes, before it closes


def settle(qtbot: QtBot) -> None:
    """Let background work finish and deliver: changes, the reads they start (the window's
    counts and audit head, coalesced over a burst), the grid's tiles and thumbnails."""

    def busy() -> bool:
        for window in QApplication.topLevelWidgets():
            if isinstance(window, MainWindow) and window.refresh_pending():
                return True
            if isinstance(window, MediaGrid) and window.loader.busy:
                return True
        return tasks.in_flight() > 0

    tasks.wait_for_all()
    qtbot.waitUntil(lambda: not busy(), timeout=30_000)
    qtbot.wait(20)


def open_grid(qtbot: QtBot, window: MainWindow) -> MediaGrid:
    window.media_grid_action.trigger()
    qtbot.waitUntil(lambda: window.media_grid is not None, timeout=10_000)
    grid: MediaGrid = window.media_grid
    qtbot.waitUntil(lambda: grid.count_label.text() != "Reading…", timeout=30_000)
    qtbot.waitExposed(grid)
    settle(qtbot)
    return grid


def shown(grid: MediaGrid) -> list[MediaTile]:
    return grid.model.shown()


def row_of(grid: MediaGrid, sha: str) -> int:
    return next(i for i, t in enumerate(shown(grid)) if t.sha256 == sha)


def hotkey(window: MainWindow, category: str) -> str:
    return next(k for k, v in window.category_hotkeys().items() if v == category)


def tags(case: Case, category: str) -> list[int]:
    with case.reading() as session:
        return sorted(session.scalars(select(Tag.message_id).where(Tag.category == category)))


def test_tiles_badges_sorting_and_filters(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures], tmp_path: Path
) -> None:
    _, pictures = analysed
    grid = open_grid(qtbot, window)
    tiles = shown(grid)
    assert len(tiles) == 7  # every picture, in conversation order; no text messages
    assert [t.seq for t in tiles] == sorted(t.seq for t in tiles)
    assert grid.count_label.text() == "7 pictures · 1 flagged"
    flagged = tiles[row_of(grid, pictures.flagged)]
    assert badges(flagged, grid.model.is_flagged(flagged)) == [("top-left", "⚑ 0.91")]
    meme = tiles[row_of(grid, pictures.meme[0])]
    assert meme.group is not None
    assert ("top-right", f"≈{meme.group} ×4") in badges(meme, False)
    screenshot = tiles[row_of(grid, pictures.screenshot)]
    assert ("bottom-left", "Aa text") in badges(screenshot, False)
    assert screenshot.text == SCREEN_TEXT

    grid.select_rows([row_of(grid, pictures.photo)])
    grid.set_sort(Sort.SCORE)
    by_score = shown(grid)
    assert grid.view.currentIndex().row() == 1  # the current picture stays current
    assert [t.sha256 for t in by_score[:2]] == [pictures.flagged, pictures.photo]
    assert [t.score for t in by_score] == sorted((t.score or 0 for t in tiles), reverse=True)
    grid.set_sort(Sort.GROUP)
    assert {t.sha256 for t in shown(grid)[:4]} == set(pictures.meme)
    grid.set_sort(Sort.DATE)

    grid.flagged_box.setChecked(True)
    assert [t.sha256 for t in shown(grid)] == [pictures.flagged]
    assert grid.count_label.text() == "1 of 7 pictures · 1 flagged"
    grid.flagged_box.setChecked(False)
    grid.text_box.setChecked(True)
    assert [t.sha256 for t in shown(grid)] == [pictures.screenshot]
    grid.text_box.setChecked(False)
    grid.set_group_filter(meme.group)
    assert sorted(t.sha256 for t in shown(grid)) == sorted(pictures.meme)
    grid.set_group_filter(None)
    assert len(shown(grid)) == 7

    # the thumbnails were decoded in the background; every tile starts blurred
    qtbot.waitUntil(lambda: not grid.loader.busy, timeout=10_000)
    assert all(grid.is_blurred(t) for t in shown(grid))
    assert all(t.thumbnail.is_file() for t in shown(grid))  # made in the case's cache
    grid.grab().save(str(tmp_path / "media-grid.png"))
    assert (tmp_path / "media-grid.png").stat().st_size > 10_000


def test_a_category_key_tags_the_selected_pictures_messages(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures]
) -> None:
    case, pictures = analysed
    grid = open_grid(qtbot, window)
    rows = [row_of(grid, pictures.screenshot), row_of(grid, pictures.photo)]
    grid.select_rows(rows)
    ids = sorted(shown(grid)[r].message_id for r in rows)
    grid.view.setFocus()
    qtbot.keyClick(grid.view, hotkey(window, "derogatory"))
    settle(qtbot)
    assert tags(case, "derogatory") == ids
    with case.reading() as session:
        last = list(audit_log.entries(session))[-1]
    assert last["action"] == "tag.added" and last["details"]["messages"] == ids
    assert all("derogatory" in shown(grid)[r].tags for r in rows)
    # the same key again removes the tag (audited too)
    qtbot.keyClick(grid.view, hotkey(window, "derogatory"))
    settle(qtbot)
    assert tags(case, "derogatory") == []
    with case.reading() as session:
        assert list(audit_log.entries(session))[-1]["action"] == "tag.removed"
    assert not any(shown(grid)[r].tags for r in rows)


def test_ctrl_and_a_key_tags_the_whole_group_as_one_decision(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures]
) -> None:
    case, pictures = analysed
    grid = open_grid(qtbot, window)
    grid.select_rows([row_of(grid, pictures.meme[1])])
    grid.view.setFocus()
    qtbot.keyClick(grid.view, hotkey(window, "derogatory"), Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    members = sorted(t.message_id for t in shown(grid) if t.sha256 in pictures.meme)
    assert len(members) == 4
    assert tags(case, "derogatory") == members
    with case.reading() as session:
        added = [e for e in audit_log.entries(session) if e["action"] == "tag.added"]
    assert sorted(e["details"]["messages"][0] for e in added) == members  # one per message
    group = shown(grid)[row_of(grid, pictures.meme[1])].group
    assert all(e["details"]["similar_group"] == group for e in added)
    assert all("derogatory" in t.tags for t in shown(grid) if t.sha256 in pictures.meme)
    # the same from the "Tag group" menu
    menu = grid.group_button.menu()
    assert menu is not None
    next(a for a in menu.actions() if a.text().startswith("Violent")).trigger()
    settle(qtbot)
    assert tags(case, "violent") == members


def test_flagged_pictures_stay_blurred_when_images_are_revealed(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures]
) -> None:
    _, pictures = analysed
    grid = open_grid(qtbot, window)
    window.reveal_action.setChecked(True)
    flagged = shown(grid)[row_of(grid, pictures.flagged)]
    assert grid.is_blurred(flagged)
    assert not any(grid.is_blurred(t) for t in shown(grid) if t is not flagged)
    asked: list[str] = []
    grid.rule.confirm = lambda _parent, reason: asked.append(reason) or True
    grid.select_rows([row_of(grid, pictures.flagged), row_of(grid, pictures.photo)])
    grid.view.setFocus()
    qtbot.keyClick(grid.view, Qt.Key.Key_Space)
    assert grid.is_blurred(flagged) and asked == []  # one by one only
    assert "one at a time" in grid.count_label.text()
    grid.select_rows([row_of(grid, pictures.flagged)])
    qtbot.keyClick(grid.view, Qt.Key.Key_Space)
    assert not grid.is_blurred(flagged)
    assert len(asked) == 1 and "0.91" in asked[0]
    window.reveal_action.setChecked(False)  # blurring all again forgets single reveals
    assert all(grid.is_blurred(t) for t in shown(grid))


def test_enter_opens_the_viewer_and_the_current_picture_shows_in_chat(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures]
) -> None:
    _, pictures = analysed
    grid = open_grid(qtbot, window)
    row = row_of(grid, pictures.screenshot)
    grid.select_rows([row])
    tile = shown(grid)[row]
    assert window.chat.current_id() == tile.message_id
    grid.view.setFocus()
    qtbot.keyClick(grid.view, Qt.Key.Key_Return)
    viewers = [d for d in grid.findChildren(MediaViewer) if d.isVisible()]
    assert len(viewers) == 1 and viewers[0].sha256 == tile.sha256
    assert not viewers[0].blurred  # opened on purpose, not flagged
    viewers[0].close()
    # a flagged picture opened from the grid stays blurred in the viewer too
    grid.select_rows([row_of(grid, pictures.flagged)])
    qtbot.keyClick(grid.view, Qt.Key.Key_Return)
    viewers = [d for d in grid.findChildren(MediaViewer) if d.isVisible()]
    assert len(viewers) == 1 and viewers[0].sha256 == pictures.flagged
    assert viewers[0].blurred
    viewers[0].close()


def test_the_grid_of_search_results(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures]
) -> None:
    _, pictures = analysed
    window.search_bar.text.setText("rota")  # a word only in the screenshot
    window.run_search()
    settle(qtbot)
    grid = open_grid(qtbot, window)
    assert grid.source_box.count() == 2
    assert grid.source_box.currentText() == "Search results for “rota”"
    assert [t.sha256 for t in shown(grid)] == [pictures.screenshot]
    grid.source_box.setCurrentIndex(0)
    qtbot.waitUntil(lambda: len(shown(grid)) == 7, timeout=10_000)


def test_the_grid_reads_again_when_an_analysis_run_ends(
    qtbot: QtBot, window: MainWindow, analysed: tuple[Case, Pictures]
) -> None:
    case, pictures = analysed
    grid = open_grid(qtbot, window)
    grid.set_sort(Sort.SCORE)
    photo = shown(grid)[row_of(grid, pictures.photo)]
    with case.transaction() as session:  # as a run with a newer engine would leave it
        session.execute(
            update(MediaAnalysis)
            .where(MediaAnalysis.sha256 == pictures.photo, MediaAnalysis.kind == "sexual")
            .values(score=0.95)
        )
    window.media.finished.emit(AnalyseReport(run_id=9, engines=[], unavailable=[]))
    qtbot.waitUntil(lambda: shown(grid)[0].sha256 == pictures.photo, timeout=10_000)
    assert shown(grid)[0].score == 0.95 and photo.score == 0.30
    assert grid.sort_box.currentData() is Sort.SCORE  # sort and filters kept
    assert grid.model.is_flagged(shown(grid)[0])


def test_only_the_tiles_on_screen_are_decoded(
    qtbot: QtBot,
    window: MainWindow,
    analysed: tuple[Case, Pictures],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, pictures = analysed
    grid = open_grid(qtbot, window)
    source = next(t for t in shown(grid) if t.sha256 == pictures.photo)
    folder = tmp_path / "many"
    folder.mkdir()
    tiles = []
    for n in range(600):  # 600 pictures, each its own thumbnail file
        thumbnail = folder / f"{n}.jpg"
        thumbnail.write_bytes(source.evidence.read_bytes())
        tiles.append(dataclasses.replace(source, message_id=10_000 + n, thumbnail=thumbnail))
    decoded: list[Path] = []
    real = media_grid_model.decode_thumbnail

    def counting(path: Path, original: Path, side: int) -> Any:
        decoded.append(path)
        return real(path, original, side)

    monkeypatch.setattr(media_grid_model, "decode_thumbnail", counting)
    grid.resize(900, 700)
    grid.model.set_tiles(tiles)
    settle(qtbot)
    on_screen = {t.thumbnail for t in tiles if _on_screen(grid, t)}
    assert on_screen and set(decoded) >= on_screen
    assert len(decoded) <= 2 * len(on_screen)  # a screen (and a row either side), not 600
    first = len(decoded)
    grid.view.scrollToBottom()
    settle(qtbot)
    later = decoded[first:]
    assert later and all(int(path.stem) >= 600 - 2 * len(on_screen) for path in later)
    assert len(decoded) <= 4 * len(on_screen)


def _on_screen(grid: MediaGrid, tile: MediaTile) -> bool:
    row = grid.model.shown().index(tile)
    return grid.view.visualRect(grid.model.index(row)).intersects(grid.view.viewport().rect())
