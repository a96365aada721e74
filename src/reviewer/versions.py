"""The versions and licences of reviewer and the libraries it runs on, for ``reviewer
--version`` and the About dialog (an agency's software approval asks for both).

Nothing is imported at module level beyond the standard library: the command line imports this
module, so Qt is imported only when asked for (and reported as not installed if it is absent).
"""

from __future__ import annotations

import mmap
import os
import platform
import re
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from reviewer import __version__

#: reviewer's own licence (pyproject.toml).
LICENCE = "GPL-3.0-or-later"
NOT_INSTALLED = "not installed"


@dataclass(frozen=True, slots=True)
class Component:
    """One library as the About dialog lists it."""

    name: str
    version: str
    licence: str
    note: str = ""


def _dist(name: str) -> Callable[[], str]:
    """A version from installed metadata (the frozen build copies it for these packages)."""
    return lambda: installed_version(name)


def installed_version(name: str) -> str:
    """The version of an installed distribution, as ``importlib.metadata.version`` gives it.

    Read from the first ``NAME-VERSION.dist-info/METADATA`` on ``sys.path`` (the one
    importlib.metadata would find): importing importlib.metadata costs ``reviewer --version``
    about 40 ms, a third of its budget. Other layouts (eggs, zips) are left to it.
    """
    wanted = _normalise(name)
    for entry in sys.path:
        try:
            found = [n for n in os.listdir(entry or ".") if n.endswith(".dist-info")]
        except OSError:
            continue
        for folder in found:
            if _normalise(folder.partition("-")[0]) == wanted:
                version = _metadata_version(Path(entry or ".") / folder / "METADATA")
                if version is not None:
                    return version
    from importlib import metadata  # raises PackageNotFoundError, an ImportError

    return metadata.version(name)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def _metadata_version(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8") as file:
            for line in file:
                if not line.strip():
                    break  # the end of the headers
                if line.startswith("Version:"):
                    return line.removeprefix("Version:").strip()
    except OSError:
        pass
    return None


def _qt() -> str:
    # The Qt the bindings run on, which is what matters for its licence and behaviour. Read
    # from the Qt Core library PySide6 ships when it can be found (a few milliseconds), else
    # from Qt itself: loading QtCore would cost `reviewer --version` most of its time budget.
    # Imported by name so the "Qt only in gui" import contract holds for the command line.
    return _bundled_qt_version() or str(import_module("PySide6.QtCore").qVersion())


# The Qt Core library inside the PySide6 package (pip wheels and the frozen application):
# Linux, macOS, Windows.
_QT_CORE = ("Qt/lib/libQt6Core.so.6", "Qt/lib/QtCore.framework/Versions/A/QtCore", "Qt6Core.dll")
# QLibraryInfo::build(): "Qt 6.8.1 (x86_64-little_endian-lp64 shared (dynamic) release build…"
_QT_BUILD = re.compile(rb"Qt (\d+\.\d+\.\d+) \([\w-]+_endian")


def _bundled_qt_version() -> str | None:
    """The version in the build string of the Qt Core library bundled with PySide6, without
    loading it; None when there is no bundled library (a system PySide6) or no such string."""
    spec = find_spec("PySide6")  # finds the package without running its __init__
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for name in _QT_CORE:
            library = Path(folder) / name
            if library.is_file():
                return _build_string_version(library)
    return None


def _build_string_version(library: Path) -> str | None:
    with (
        library.open("rb") as file,
        mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data,
        memoryview(data) as view,
    ):
        match = _QT_BUILD.search(view)
        version = match[1].decode("ascii") if match else None
        del match  # it holds the view, which must be released before the map closes
    return version


def _libmagic() -> str:
    # magic.version() is libmagic's magic_version(): 544 means 5.44. Importing python-magic
    # loads libmagic, so an ImportError here also covers a missing shared library. On Linux
    # the library is loaded by its soname, the one python-magic loads (in the frozen
    # application the runtime hook has already loaded the bundled copy under that soname):
    # python-magic's import runs `ldconfig -p` to find it, ~40 ms of `reviewer --version`.
    number = _libmagic_by_soname() or int(import_module("magic").version())
    return f"{number // 100}.{number % 100:02d}"


def _libmagic_by_soname() -> int | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return int(ctypes.CDLL("libmagic.so.1").magic_version())
    except (OSError, AttributeError):
        return None


def _tzdata() -> str:
    return f"{import_module('tzdata').IANA_VERSION} (package {installed_version('tzdata')})"


# name -> (how to read its version, SPDX licence, note). Checked against each package's
# metadata or licence file; libmagic is `file` (Christos Zoulas), BSD-2-Clause.
_TABLE: dict[str, tuple[Callable[[], str], str, str]] = {
    "Python": (platform.python_version, "PSF-2.0", "the interpreter"),
    "Qt": (_qt, "LGPL-3.0-only", "GUI toolkit (dynamically linked)"),
    "PySide6": (_dist("PySide6"), "LGPL-3.0-only", "Qt for Python bindings"),
    "SQLAlchemy": (_dist("SQLAlchemy"), "MIT", "database toolkit"),
    "SQLite": (lambda: sqlite3.sqlite_version, "blessing", "case database (public domain)"),
    "Alembic": (_dist("alembic"), "MIT", "database migrations"),
    "Mako": (_dist("Mako"), "MIT", "used by Alembic"),
    "Pillow": (_dist("pillow"), "MIT-CMU", "images and thumbnails"),
    "python-magic": (_dist("python-magic"), "MIT", "file type detection"),
    "libmagic": (_libmagic, "BSD-2-Clause", "file type detection (file's library)"),
    "tzdata": (_tzdata, "Apache-2.0", "IANA time zone data (the data is public domain)"),
    "Jinja2": (_dist("Jinja2"), "BSD-3-Clause", "HTML report"),
    "MarkupSafe": (_dist("MarkupSafe"), "BSD-3-Clause", "used by Jinja2"),
    "Typst": (_dist("typst"), "Apache-2.0", "PDF report (typesetting, text shaping)"),
    "regex": (_dist("regex"), "Apache-2.0 AND CNRI-Python", "Unicode properties (PDF report)"),
    "pyzipper": (_dist("pyzipper"), "MIT", "bundle archives (zip, AES-256)"),
    "bagit": (_dist("bagit"), "CC0-1.0", "BagIt bundles (public domain dedication)"),
    "jsonschema": (_dist("jsonschema"), "MIT", "RSMF schema check"),
    "msgspec": (_dist("msgspec"), "BSD-3-Clause", "JSON of the bundle's records and reports"),
    "RapidFuzz": (_dist("rapidfuzz"), "MIT", "reconciliation: edited-text similarity"),
    "pypdf": (_dist("pypdf"), "BSD-3-Clause", "reads the PDF report's audit chain head (verify)"),
    "PyAV": (
        _dist("av"),
        "BSD-3-Clause AND LGPL-2.1-or-later",
        "video and audio: durations, key frames (FFmpeg's libraries, LGPL, in its wheel)",
    ),
    "RapidOCR": (
        _dist("rapidocr"),
        "Apache-2.0",
        "OCR of images; PP-OCRv6 small models (PaddleOCR, Apache-2.0) in its wheel",
    ),
    "NudeNet": (
        _dist("nudenet"),
        "MIT",
        "sexual-content detector and its 320n model (YOLOv8n; see docs/media-analysis.md)",
    ),
    "ONNX Runtime": (_dist("onnxruntime"), "MIT", "runs the OCR and sexual-content models"),
    "OpenCV": (
        _dist("opencv-python-headless"),
        "Apache-2.0",
        "image operations inside RapidOCR (headless build)",
    ),
    "NumPy": (_dist("numpy"), "BSD-3-Clause", "arrays for the OCR and detector models"),
}

#: What ``reviewer --version`` prints after reviewer's own line (the issue names these).
VERSION_LINES = ("Python", "Qt", "PySide6", "SQLAlchemy", "SQLite", "Pillow", "libmagic")

#: Data shipped inside the package, listed in the About dialog with its licence.
RSMF_SCHEMA = Component("RSMF 2.0.0 schema", "2.0.0", "BSD-3-Clause", "Relativity (kCura LLC)")


def bundled_data() -> tuple[Component, ...]:
    """Data shipped inside the package: one entry per bundled font family (the catalogue is
    ``reviewer.core.fonts.FONTS``, read only when asked: the command line never needs it),
    then the RSMF schema."""
    from reviewer.core.fonts import FONTS

    families: dict[str, Component] = {}
    for font in FONTS:
        families.setdefault(
            font.family,
            Component(f"{font.family} font", font.version, font.licence, font.covers),
        )
    return (*families.values(), RSMF_SCHEMA)


def __getattr__(name: str) -> tuple[Component, ...]:
    """``BUNDLED_DATA``: :func:`bundled_data`, computed when first read."""
    if name == "BUNDLED_DATA":
        return bundled_data()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _version(name: str) -> str:
    try:
        return _TABLE[name][0]()
    except (ImportError, OSError):  # PackageNotFoundError is an ImportError
        return NOT_INSTALLED
    except Exception as exc:  # `--version` and About must work even when a library is odd
        return f"unknown ({type(exc).__name__})"


def library_versions() -> dict[str, str]:
    """Every library's version, in a stable order; ``"not installed"`` where it is absent."""
    return {name: _version(name) for name in _TABLE}


def licences() -> dict[str, str]:
    """Every library's licence (SPDX identifier), in the same order."""
    return {name: licence for name, (_read, licence, _note) in _TABLE.items()}


def components() -> list[Component]:
    """The libraries with version, licence and what they are for (for the About dialog)."""
    versions = library_versions()
    return [
        Component(name, versions[name], licence, note)
        for name, (_read, licence, note) in _TABLE.items()
    ]


def version_text() -> str:
    """``reviewer X.Y.Z`` and then one line per library, for ``reviewer --version``. Reads
    only the versions it prints; the About dialog lists the rest."""
    versions = {name: _version(name) for name in VERSION_LINES}
    width = max(len(name) for name in VERSION_LINES)
    lines = [f"reviewer {__version__}"]
    lines += [f"  {name:<{width}}  {versions[name]}" for name in VERSION_LINES]
    return "\n".join(lines)
