"""PySide6 user interface."""

from reviewer.gui._none_refcount import protect

protect()  # before any Qt call: see _none_refcount (PySide6 6.12 on CPython 3.11)
