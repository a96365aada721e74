"""Before Qt starts on Linux: can it open a window? If not, say why in one line.

Qt's xcb (X11) and wayland platform plugins need system libraries that a fresh Linux install
may lack (``libxcb-cursor0`` since Qt 6.5); without them, or without a display, Qt prints
several lines of its own and aborts. :func:`window_problem` finds the situation first — by
loading the platform plugin as Qt would, and naming each missing library with the
Debian/Ubuntu package that provides it — so ``reviewer`` can print one line and exit.

Nothing here imports Qt: a missing library must not stop this module from loading.
``REVIEWER_NO_PREFLIGHT=1`` skips the check.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

#: A loader: loads a shared library (a path or a soname) and returns None, or the error text.
Loader = Callable[[str], str | None]

#: The system libraries of PySide6's Qt on Linux (readelf -d of the platform plugins and Qt's
#: own libraries) and the Debian/Ubuntu package of each. Qt's own libraries travel in PySide6.
GUI_LIBRARIES: dict[str, str] = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
}
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
}
WAYLAND_LIBRARIES: dict[str, str] = {
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
}
PACKAGES: dict[str, str] = {**GUI_LIBRARIES, **XCB_LIBRARIES, **WAYLAND_LIBRARIES}

PLUGINS = {
    "xcb": ("libqxcb.so", {**GUI_LIBRARIES, **XCB_LIBRARIES}, "DISPLAY", "X11"),
    "wayland": ("libqwayland.so", {**GUI_LIBRARIES, **WAYLAND_LIBRARIES}, "WAYLAND_DISPLAY", ""),
}

_MISSING = re.compile(r"(lib[\w.+-]*?\.so(?:\.\d+)*): cannot open shared object file")


def load_library(name: str) -> str | None:
    """Load a shared library as Qt would (all its dependencies, now); None, or why not."""
    try:
        ctypes.CDLL(name)
    except OSError as exc:
        return str(exc)
    return None


def plugin_dir() -> Path | None:
    """PySide6's ``Qt/plugins/platforms`` folder, found without importing Qt."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "Qt" / "plugins" / "platforms"
        if folder.is_dir():
            return folder
    return None


def candidates(env: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order (``QT_QPA_PLATFORM``, else the session's)."""
    requested = env.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        return [name.split(":")[0].strip() for name in requested.split(";") if name.strip()]
    if env.get("XDG_SESSION_TYPE") == "wayland":
        return ["wayland", "xcb"]
    return ["xcb"]


def missing_libraries(plugin: Path | None, wanted: Mapping[str, str], load: Loader) -> list[str]:
    """The system libraries missing for ``plugin`` (empty when it loads): the one the loader
    names first, then every other library of ``wanted`` that does not load either."""
    if plugin is not None and plugin.exists():
        error = load(str(plugin))
        if error is None:
            return []
        found = _MISSING.search(error)
        named = [found.group(1)] if found else []
    else:
        named = []
    others = [name for name in wanted if name not in named and load(name) is not None]
    return named + others


def missing_message(libraries: list[str]) -> str:
    """``the system library X is missing (Debian/Ubuntu: sudo apt-get install P)``."""
    packages = list(dict.fromkeys(PACKAGES[name] for name in libraries if name in PACKAGES))
    if len(libraries) == 1:
        text = f"the system library {libraries[0]} is missing"
    else:
        text = f"the system libraries {', '.join(libraries)} are missing"
    if packages:
        text += f" (Debian/Ubuntu: sudo apt-get install {' '.join(packages)})"
    return text


def _plugin_problem(
    name: str, env: Mapping[str, str], folder: Path | None, load: Loader
) -> tuple[bool, str] | None:
    """None when the plugin can work; else (about libraries?, what is wrong)."""
    file, wanted, display, kind = PLUGINS[name]
    missing = missing_libraries(folder / file if folder is not None else None, wanted, load)
    if missing:
        return True, missing_message(missing)
    if not env.get(display):
        what = f"no {kind} display" if kind else f"no {name} display"
        return False, f"{what} ({display} is not set); start reviewer from a desktop session"
    return None


def window_problem(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    load: Loader = load_library,
    folder: Path | None = None,
) -> str | None:
    """Why Qt could not open a window here, as one line for the user; None if it can (or
    the platform is not X11/Wayland on Linux, which Qt reports itself)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or env.get("REVIEWER_NO_PREFLIGHT"):
        return None
    names = candidates(env)
    if not names or any(name not in PLUGINS for name in names):
        return None
    folder = plugin_dir() if folder is None else folder
    problems: list[tuple[bool, str]] = []
    for name in names:
        problem = _plugin_problem(name, env, folder, load)
        if problem is None:
            return None
        problems.append(problem)
    libraries = [text for about_libraries, text in problems if about_libraries]
    return f"cannot open a window: {(libraries or [problems[0][1]])[0]}"


def import_problem(exc: ImportError) -> str | None:
    """A Qt import that failed for a missing system library, as one line; else None."""
    found = _MISSING.search(str(exc))
    if found is None:
        return None
    return f"cannot open a window: {missing_message([found.group(1)])}"
