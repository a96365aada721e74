"""A package opened in the window has its evidence re-hashed in the background: an intact one
says so in the status bar, a damaged one is named in a warning (DESIGN.md §11)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from reviewer.gui.main_window import MainWindow
from reviewer.services.actor import Actor
from reviewer.services.case import Case, open_case
from reviewer.services.importing import import_export
from reviewer.services.packaging import cut_package
from reviewer.store.package_repo import Cut


def _open(qtbot: QtBot, folder: Path, actor: Actor, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    case = open_case(folder)
    window = MainWindow(case, actor, settings=settings)
    qtbot.addWidget(window)
    return window


def _problems(qtbot: QtBot, window: MainWindow) -> object:
    qtbot.waitUntil(
        lambda: (
            window.property("packageEvidenceProblems") is not None
            or "Package" in window.statusBar().currentMessage()
        ),
        timeout=30_000,
    )
    return window.property("packageEvidenceProblems")


def test_opening_a_package_checks_its_evidence(
    qtbot: QtBot,
    case: Case,
    actor: Actor,
    ios_zip: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_export(case, ios_zip, actor)
    package = tmp_path / "pkg"
    cut_package(case, package, actor, Cut(), for_name="Bee")

    intact = _open(qtbot, package, actor, tmp_path)
    assert _problems(qtbot, intact) in ([], None)
    assert "every evidence file matches" in intact.statusBar().currentMessage()
    intact.close()
    intact.case.close()

    warned: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _parent, _title, text, *_a: warned.append(text)
    )
    victim = next(p for p in (package / "evidence").rglob("*") if p.is_file())
    os.chmod(victim, stat.S_IRUSR | stat.S_IWUSR)
    victim.write_bytes(victim.read_bytes() + b"tampered")
    damaged = _open(qtbot, package, actor, tmp_path)
    problems = _problems(qtbot, damaged)
    assert isinstance(problems, list) and any(victim.name in p for p in problems)
    qtbot.waitUntil(lambda: bool(warned), timeout=10_000)
    assert victim.name in warned[0]
    assert "check failed" in damaged.statusBar().currentMessage()
    damaged.close()
    damaged.case.close()


def test_an_ordinary_case_is_not_checked_on_open(
    qtbot: QtBot, case: Case, actor: Actor, ios_zip: Path, tmp_path: Path
) -> None:
    import_export(case, ios_zip, actor)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(case, actor, settings=settings)
    qtbot.addWidget(window)
    qtbot.wait(300)
    assert "Package" not in window.statusBar().currentMessage()
