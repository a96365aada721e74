"""Work around a PySide6 6.12 reference-count bug on CPython 3.11.

Every PySide6 method that returns ``void`` (``QPainter.setPen``, ``QWidget.update`` …)
hands back ``None`` without taking a new reference to it. CPython 3.12 made ``None``
immortal, so there the bug is invisible; on 3.11 each call lowers ``None``'s count by one
until the interpreter aborts with "Fatal Python error: none_dealloc" — after a few thousand
paint calls, i.e. a few seconds of scrolling.

``protect()`` gives ``None`` a reference count so large that no session can use it up,
which is what 3.12 does by design. It does nothing on 3.12+ or when the bug is absent.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40
_done = False


def leaks_none() -> bool:
    """Whether a void PySide6 call drops a reference to None here."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before


def protect() -> None:
    """Make None effectively immortal on CPython < 3.12 when PySide6 leaks it (idempotent)."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    if leaks_none():
        ctypes.c_ssize_t.from_address(id(None)).value += _HEADROOM
    _done = True
