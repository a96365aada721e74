"""Right-to-left text (Arabic, Urdu, Persian, Hebrew) for the PDF report.

A PDF draws glyphs left to right as given, and reportlab reorders bidirectional text only with
a package this project cannot install. So the report shapes such text (Arabic letters in their
joined forms, by arabic-reshaper), breaks it into lines itself, and puts each *line* into
display order (the Unicode bidirectional algorithm, by python-bidi): reordering before line
breaking would set a wrapped paragraph's lines in the wrong order. Only the report's drawing
changes; the bundle's CSV, JSONL, RSMF and HTML keep the text as written.
"""

from __future__ import annotations

import unicodedata

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import get_display  # type: ignore[import-untyped]

_RTL_CLASSES = frozenset({"R", "AL"})


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter."""
    return not text.isascii() and any(unicodedata.bidirectional(c) in _RTL_CLASSES for c in text)


def right_to_left(text: str) -> bool:
    """Whether ``text`` reads right to left: its first strong letter is a right-to-left one."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _RTL_CLASSES:
            return True
        if kind == "L":
            return False
    return False


def shaped(text: str) -> str:
    """``text`` with Arabic letters in their joined forms, still in logical order (so it can be
    measured and broken into lines)."""
    return str(arabic_reshaper.reshape(text)) if has_rtl(text) else text


def visual(line: str) -> str:
    """One shaped line in the order its glyphs are drawn, left to right."""
    return str(get_display(line)) if has_rtl(line) else line
