"""Right-to-left text (Arabic, Persian, Urdu, Hebrew) for the PDF report.

A PDF draws glyphs left to right as given, and reportlab reorders bidirectional text only with
a package this project cannot install. So the report prepares such text here: Arabic letters in
their joined forms (arabic-reshaper, keeping vowel marks and making no ligatures but the
obligatory lam-alef), characters the font lacks replaced, then the report breaks it into lines
itself and each *line* is put in display order (the Unicode bidirectional algorithm of
python-bidi, which also mirrors brackets): reordering before line breaking would set a wrapped
paragraph's lines in the wrong order. Only the report's drawing changes; the bundle's CSV,
JSONL, RSMF and HTML keep the text as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Container

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import get_display as fast_display  # type: ignore[import-untyped]
from bidi.algorithm import get_display  # type: ignore[import-untyped]

_RTL_CLASSES = frozenset({"R", "AL"})
# Direction marks, embeddings, overrides and isolates: they steer the reordering and are then
# dropped (the report's font has no glyphs for them).
_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_STRIP = {ord(c): None for c in _CONTROLS}
_DROP = frozenset("\ufe0e\ufe0f\u200d")  # presentation selectors and joiners: no glyph
_LRE, _PDF = "\u202a", "\u202c"


def _reshaper() -> arabic_reshaper.ArabicReshaper:
    ligatures = {
        key: key.startswith("ARABIC LIGATURE LAM WITH ALEF")
        for key in arabic_reshaper.reshaper_config.default_config
        if key.startswith("ARABIC LIGATURE") or key == "RIAL SIGN"
    }
    return arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False, **ligatures})


_RESHAPER = _reshaper()


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


def prepare(text: str, covered: Container[int]) -> str:
    """``text`` (one paragraph holding right-to-left letters) with Arabic letters joined, still
    in logical order, so it can be measured and broken into lines. A joined form the font
    lacks falls back to its letter; a character the font lacks altogether is named, as
    ``[U+0000]`` kept left to right."""
    out = []
    for char in str(_RESHAPER.reshape(text)):
        if char == "\t":
            out.append(" ")
        elif ord(char) in covered or char in _CONTROLS:
            out.append(char)
        elif char in _DROP:
            continue
        else:
            base = unicodedata.normalize("NFKC", char)
            if base and all(ord(b) in covered for b in base):
                out.append(base)
            else:
                named = "".join(f"[U+{ord(b):04X}]" for b in base or char)
                out.append(f"{_LRE}{named}{_PDF}")
    return "".join(out)


def visual(line: str, right: bool) -> str:
    """One prepared line in the order its glyphs are drawn, left to right, in a paragraph that
    reads right to left (``right``) or left to right."""
    base = "R" if right else "L"
    line = _as_embeddings(line)
    try:
        shown = get_display(line, base_dir=base)
    except (AssertionError, KeyError, IndexError):  # the reference algorithm gave up
        shown = fast_display(line, base_dir=base)  # no bracket mirroring, but never fails
    return str(shown).translate(_STRIP)


def _as_embeddings(line: str) -> str:
    """Isolates (WhatsApp puts them around names) as the embeddings the algorithm knows."""
    if not any(c in _ISOLATES for c in line):
        return line
    out = []
    for index, char in enumerate(line):
        if char == "\u2068":  # first strong isolate: the direction of what it holds
            inner = line[index + 1 :].split("\u2069", 1)[0]
            out.append("\u202b" if right_to_left(inner) else _LRE)
        else:
            out.append(_ISOLATES.get(char, char))
    return "".join(out)


_ISOLATES = {"\u2066": _LRE, "\u2067": "\u202b", "\u2069": _PDF}
