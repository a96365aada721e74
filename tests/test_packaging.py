"""Packaging (issue #6): library versions and licences, the About dialog, icons, desktop
metadata, and, when asked for (REVIEWER_PACKAGING=1), the build and its smoke test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from reviewer import __version__, versions

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
APP_ID = "org.reviewer.Reviewer"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def test_library_versions_cover_the_stack() -> None:
    found = versions.library_versions()
    for name in (
        "Python",
        "Qt",
        "PySide6",
        "SQLAlchemy",
        "SQLite",
        "Pillow",
        "libmagic",
        "Alembic",
        "tzdata",
    ):
        assert found[name] not in ("", versions.NOT_INSTALLED), name
    assert found["libmagic"].count(".") == 1  # 5.44, not 544
    assert list(found) == list(versions.licences())


def test_every_library_has_a_licence() -> None:
    assert all(versions.licences().values())
    assert versions.licences()["Qt"] == "LGPL-3.0-only"
    assert versions.LICENCE == "GPL-3.0-or-later"


def test_version_text_starts_with_reviewer_and_names_the_libraries() -> None:
    lines = versions.version_text().splitlines()
    assert lines[0] == f"reviewer {__version__}"
    names = [line.split()[0] for line in lines[1:]]
    assert names == list(versions.VERSION_LINES)


def test_versions_module_imports_no_qt() -> None:
    """The command line imports it; Qt must load only when a version is asked for."""
    code = "import sys, reviewer.versions; print(any(m.startswith('PySide6') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_missing_library_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise ImportError("gone")

    _read, licence, note = versions._TABLE["Qt"]
    monkeypatch.setitem(versions._TABLE, "Qt", (broken, licence, note))
    assert versions.library_versions()["Qt"] == versions.NOT_INSTALLED


@pytest.mark.parametrize("size", SIZES)
def test_icons_are_rendered_in_every_size(size: int) -> None:
    for path in (
        ROOT / f"src/reviewer/resources/icons/reviewer-{size}.png",
        LINUX / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png",
    ):
        with Image.open(path) as image:
            assert image.size == (size, size)
            assert image.mode == "RGBA"
    assert (ROOT / "resources/icons/reviewer.svg").is_file()


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate not installed (Debian: desktop-file-utils)",
)
def test_desktop_file_is_valid() -> None:
    done = subprocess.run(
        ["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")], capture_output=True, text=True
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None, reason="appstreamcli not installed (Debian: appstream)"
)
def test_metainfo_is_valid() -> None:
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.gui
def test_about_dialog_lists_versions_and_licences(qtbot: Any) -> None:
    from reviewer.gui.about import AboutDialog, app_icon

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.text()
    assert text.startswith(f"reviewer {__version__} (GPL-3.0-or-later)")
    assert "Qt " in text and "LGPL-3.0-only" in text and "libmagic" in text
    assert dialog.table.rowCount() == len(versions.components()) + len(versions.BUNDLED_DATA)
    assert len(app_icon().availableSizes()) == len(SIZES)


@pytest.mark.packaging
@pytest.mark.skipif(
    os.environ.get("REVIEWER_PACKAGING") != "1",
    reason="builds the application (minutes); set REVIEWER_PACKAGING=1",
)
def test_build_and_smoke_test() -> None:
    """packaging/build.sh builds dist/reviewer and runs packaging/smoke_test.py on it."""
    done = subprocess.run(
        [str(ROOT / "packaging" / "build.sh")],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "smoke test passed" in done.stdout
