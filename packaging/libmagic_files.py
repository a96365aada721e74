"""Where the build machine's libmagic and its compiled database are (used by reviewer.spec).

Set LIBMAGIC and MAGIC_DB to override. On Windows, python-magic's own hook collects the DLLs
that the python-magic-bin or libmagic wheels carry (see NOTES-windows-macos.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_LIB_DIRS = (
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
    "/opt/homebrew/lib",
    "/opt/local/lib",
)
_LIB_NAMES = {"linux": "libmagic.so.1", "darwin": "libmagic.1.dylib"}
_DB_PATHS = (
    "/usr/share/misc/magic.mgc",
    "/usr/lib/file/magic.mgc",
    "/usr/share/file/magic.mgc",
    "/opt/homebrew/share/misc/magic.mgc",
    "/usr/local/share/misc/magic.mgc",
    "/opt/local/share/misc/magic.mgc",
)


def libmagic_binaries() -> list[tuple[str, str]]:
    """(path, ".") for the shared library, placed at the top of the bundle."""
    name = _LIB_NAMES.get(sys.platform)
    if name is None:
        return []
    override = os.environ.get("LIBMAGIC")
    candidates = [Path(override)] if override else [Path(d) / name for d in _LIB_DIRS]
    for path in candidates:
        if path.exists():
            # The soname path (usually a symlink) is given, so the copy keeps that name: the
            # runtime hook and the dynamic loader look for it.
            return [(str(path), ".")]
    raise SystemExit(f"reviewer.spec: {name} not found (install libmagic1, or set LIBMAGIC)")


def magic_database() -> Path:
    override = os.environ.get("MAGIC_DB")
    for candidate in [override] if override else _DB_PATHS:
        if candidate and Path(candidate).exists():
            return Path(candidate).resolve()
    raise SystemExit("reviewer.spec: magic.mgc not found (install libmagic-mgc, or set MAGIC_DB)")
