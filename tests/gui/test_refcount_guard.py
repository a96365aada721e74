"""The PySide6 reference-count guard: signals emitted many times never use up True."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal

import reviewer.gui  # noqa: F401  (installs the guard)


class Emitter(QObject):
    fired = Signal()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True is immortal on 3.12+")
def test_many_signals_never_use_up_true() -> None:
    emitter = Emitter()
    before = sys.getrefcount(True)
    for _ in range(5000):  # more than True's whole count in a bare interpreter
        emitter.fired.emit()
    assert sys.getrefcount(True) > 1_000_000 or sys.getrefcount(True) >= before
