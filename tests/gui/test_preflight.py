"""Before Qt starts: a missing system library or display is one clear line, not Qt's abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.gui.preflight import (
    PACKAGES,
    PLUGINS,
    XCB_LIBRARIES,
    Loader,
    candidates,
    import_problem,
    missing_message,
    window_problem,
)

X11 = {"DISPLAY": ":0"}
PLATFORM_LIBRARIES = {file: libraries for file, libraries, _var, _kind in PLUGINS.values()}


def fake_loader(missing: set[str]) -> Loader:
    """A loader where the ``missing`` sonames do not load, and a platform plugin fails on the
    first of them, worded as the dynamic loader words it."""

    def load(name: str) -> str | None:
        if name.endswith(("/libqxcb.so", "/libqwayland.so")):
            first = min(missing & set(PLATFORM_LIBRARIES[name.rsplit("/", 1)[1]]), default=None)
            return None if first is None else f"{first}: cannot open shared object file: No such"
        return f"{name}: cannot open shared object file" if name in missing else None

    return load


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    for name in ("libqxcb.so", "libqwayland.so"):
        (tmp_path / name).write_bytes(b"")
    return tmp_path


def problem(env: dict[str, str], loader: Loader, plugins: Path) -> str | None:
    return window_problem(env, "linux", loader, plugins)


def test_a_missing_xcb_library_is_named_with_its_package(plugins: Path) -> None:
    loader = fake_loader({"libxcb-cursor.so.0"})
    assert problem(X11, loader, plugins) == (
        "cannot open a window: the system library libxcb-cursor.so.0 is missing "
        "(Debian/Ubuntu: sudo apt-get install libxcb-cursor0)"
    )


def test_every_missing_library_is_listed_once(plugins: Path) -> None:
    loader = fake_loader({"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libEGL.so.1"})
    found = problem({"QT_QPA_PLATFORM": "xcb", **X11}, loader, plugins)
    assert found is not None
    assert found == (
        "cannot open a window: the system libraries libEGL.so.1, libxcb-icccm.so.4, "
        "libxcb-keysyms.so.1 are missing "
        "(Debian/Ubuntu: sudo apt-get install libegl1 libxcb-icccm4 libxcb-keysyms1)"
    )


def test_no_display_is_said_plainly(plugins: Path) -> None:
    found = problem({"QT_QPA_PLATFORM": "xcb"}, fake_loader(set()), plugins)
    assert found == (
        "cannot open a window: no X11 display (DISPLAY is not set); "
        "start reviewer from a desktop session"
    )


def test_a_working_setup_passes_and_other_platforms_are_not_checked(plugins: Path) -> None:
    assert problem(X11, fake_loader(set()), plugins) is None
    broken = fake_loader({"libxcb-cursor.so.0"})
    assert problem({"QT_QPA_PLATFORM": "offscreen"}, broken, plugins) is None
    assert window_problem({}, "win32", broken, plugins) is None
    assert problem({"REVIEWER_NO_PREFLIGHT": "1"}, broken, plugins) is None


def test_a_wayland_session_falls_back_to_xcb(plugins: Path) -> None:
    assert candidates({"XDG_SESSION_TYPE": "wayland"}) == ["wayland", "xcb"]
    assert candidates({"QT_QPA_PLATFORM": "wayland;xcb:foo"}) == ["wayland", "xcb"]
    wayland = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}
    assert problem(wayland, fake_loader({"libxcb-cursor.so.0"}), plugins) is None
    # no Wayland display: Qt falls back to xcb, whose missing library is the problem to fix
    session = {"XDG_SESSION_TYPE": "wayland", **X11}
    found = problem(session, fake_loader({"libxcb-cursor.so.0"}), plugins)
    assert found is not None and "libxcb-cursor0" in found


def test_a_plugin_that_loads_is_enough(plugins: Path) -> None:
    """In a frozen build a library may travel beside Qt, found by the plugin but not by its
    soname: the plugin loading decides."""

    def load(name: str) -> str | None:
        return "not found by soname" if name == "libxcb-cursor.so.0" else None

    assert problem(X11, load, plugins) is None


def test_every_xcb_library_has_a_package() -> None:
    assert set(XCB_LIBRARIES) <= set(PACKAGES)
    assert missing_message(["libunknown.so.3"]) == "the system library libunknown.so.3 is missing"


def test_a_qt_import_failing_on_a_library_is_one_line() -> None:
    exc = ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
    assert import_problem(exc) == (
        "cannot open a window: the system library libGL.so.1 is missing "
        "(Debian/Ubuntu: sudo apt-get install libgl1)"
    )
    assert import_problem(ImportError("No module named 'PySide6'")) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is Linux's")
def test_reviewer_demo_without_a_display_says_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="xcb", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    env.pop("REVIEWER_NO_PREFLIGHT", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            "--reviewer",
            "Test",
            "demo",
            "--case",
            str(tmp_path / "case"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("reviewer: cannot open a window: "), lines
    assert "qt.qpa" not in done.stderr and "Aborted" not in done.stderr
    assert not (tmp_path / "case").exists()
