"""Work around PySide6 6.12 reference-count bugs on CPython 3.11.

Every PySide6 method that returns ``void`` (``QPainter.setPen``, ``QWidget.update`` …)
hands back ``None`` without taking a new reference to it, and every ``SignalInstance.emit``
does the same with ``True``. CPython 3.12 made ``None``, ``True`` and ``False`` immortal, so
there the bugs are invisible; on 3.11 each call lowers the count by one until the
interpreter aborts with "Fatal Python error: none_dealloc" (after a few thousand paint
calls, i.e. a few seconds of scrolling) or "bool_dealloc" (after a few hundred signals, i.e.
a session of tagging: every change emits several).

``protect()`` gives each affected singleton a reference count so large that no session can
use it up, which is what 3.12 does by design. It does nothing on 3.12+ or when the bugs are
absent.
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


def leaks_true() -> bool:
    """Whether emitting a PySide6 signal drops a reference to True here."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        probed = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.probed.emit()
    return sys.getrefcount(True) < before


def protect() -> None:
    """Make None (and True and False) effectively immortal on CPython < 3.12 when PySide6
    leaks them (idempotent)."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    if leaks_none():
        ctypes.c_ssize_t.from_address(id(None)).value += _HEADROOM
    if leaks_true():
        for value in (True, False):
            ctypes.c_ssize_t.from_address(id(value)).value += _HEADROOM
    _done = True
