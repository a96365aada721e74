"""Message text prepared for the PDF report: drawn as sent, never silently changed.

Each text becomes *segments* the Typst template lays out as plain text, never as markup:

* ``"t"`` text every bundled font set can draw (shaped by Typst, bidi by Typst);
* ``"e"`` an emoji presented as emoji (a sequence — ZWJ family, skin tone, flag, keycap, a
  symbol with VS16 — or an emoji-presentation character), drawn in the colour emoji font so it
  is one glyph whatever text font precedes it in the fallback order;
* ``"m"`` a character no bundled font has a glyph for, shown as a visible ``[U+XXXX]`` marker
  and reported — never dropped. Default-ignorable characters (ZWJ, variation selectors, bidi
  marks, tag characters, soft hyphen) need no glyph and stay as they are.

Tabs become four spaces (a tab has no width of its own in proportional type); ``\\r\\n`` and a
lone ``\\r`` become a line break. The exact text travels in the PDF's attachment.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import emoji as emoji_data
import regex  # type: ignore[import-untyped]

from reviewer.core.emoji import emoji_spans
from reviewer.core.fonts import covered_codepoints

Segment = tuple[str, str]  # (kind, text): kind is "t", "e" or "m"
Prepared = str | list[Segment]  # a plain string when the whole text is kind "t"

TAB = "    "
_FULLY_QUALIFIED = emoji_data.STATUS["fully_qualified"]
_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
# Controls with no glyph and no meaning on paper; \n is a line break, \t and \r are rewritten.
_CONTROL = regex.compile(r"[\p{Cc}--[\n]]", regex.V1)
_ASCII_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(slots=True)
class Uncovered:
    """Characters no bundled font can draw, with the message ids they occur in."""

    found: dict[int, set[int]] = field(default_factory=dict)  # code point -> message ids

    def add(self, code: int, message_id: int | None) -> None:
        ids = self.found.setdefault(code, set())
        if message_id is not None:
            ids.add(message_id)


def marker(code: int) -> str:
    """The visible stand-in for a character no bundled font has: ``[U+20000]``."""
    return f"[U+{code:04X}]"


def char_name(code: int) -> str:
    name = unicodedata.name(chr(code), "")
    if name:
        return name
    category = unicodedata.category(chr(code))
    return {"Co": "private use", "Cn": "unassigned", "Cs": "surrogate"}.get(
        category, f"unnamed ({category})"
    )


def _normalise(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\t", TAB) if "\t" in text else text


def prepare(
    text: str | None, uncovered: Uncovered, message_id: int | None = None, rtl: bool = False
) -> Prepared:
    """``text`` as segments (see the module doc); a plain string in the common case.

    ``rtl`` is the direction of the paragraph the text is set in (see :func:`_breakable`).
    """
    if not text:
        return ""
    text = _normalise(text)
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return _split_long(text, rtl) or text
    covered = covered_codepoints()
    segments: list[Segment] = []
    position = 0
    for start, end in emoji_spans(text):
        if start > position:
            _plain(text[position:start], covered, segments, uncovered, message_id)
        chars = text[start:end]
        if _as_emoji(chars) and _drawable(chars, covered):
            segments.append(("e", chars))
        else:
            _plain(chars, covered, segments, uncovered, message_id)
        position = end
    if position < len(text):
        _plain(text[position:], covered, segments, uncovered, message_id)
    result: list[Segment] = []
    for kind, chunk in segments:
        result += (_split_long(chunk, rtl) if kind == "t" else None) or [(kind, chunk)]
    if all(kind == "t" for kind, _ in result):
        return "".join(chunk for _, chunk in result)
    return result


# A run this long without a space may not fit on a line: kind "w", which the template sets in
# pieces of a few grapheme clusters, each a box, so the line can break between them (Typst
# would otherwise let the word run off the page). No character is added to the text. A run
# whose pieces the paragraph's direction would misorder (a link in a right-to-left message) is
# "wl" or "wr": set apart in a box filling the rest of the line, in its own direction, and
# broken there the same way.
_LONG = re.compile(r"\S{25,}")
_RTL_ONLY = frozenset({"R", "AL", "NSM"})
_NOT_IN_LTR = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI", "FSI", "LRE", "LRO", "PDF", "PDI"})


def _split_long(text: str, rtl: bool) -> list[Segment] | None:
    """``text`` with each long run that is safe to break as a ``"w"`` segment, or None."""
    parts: list[Segment] = []
    position = 0
    for run in _LONG.finditer(text):
        if run.start() > position:
            parts.append(("t", text[position : run.start()]))
        if _breakable(run.group(), rtl):
            parts.append(("w", run.group()))
        else:  # e.g. a link in an Arabic message: set apart, in its own direction
            parts.append(("wr" if direction(run.group()) == "rtl" else "wl", run.group()))
        position = run.end()
    if not parts:
        return None
    if position < len(text):
        parts.append(("t", text[position:]))
    return parts


def _breakable(run: str, rtl: bool) -> bool:
    """Whether pieces of ``run`` keep their order when each is a box: the bidi algorithm
    orders the boxes by the paragraph's direction, so every piece must read that way."""
    if rtl:
        return all(unicodedata.bidirectional(c) in _RTL_ONLY for c in run)
    return run.isascii() or not any(unicodedata.bidirectional(c) in _NOT_IN_LTR for c in run)


@functools.cache
def _plain_ok() -> frozenset[str]:
    """Characters a bundled font draws that need no closer look (controls excluded)."""
    return frozenset(
        chr(code) for code in covered_codepoints() if not _CONTROL.match(chr(code))
    ) | {"\n"}


def _as_emoji(chars: str) -> bool:
    """Drawn in the emoji font: a sequence (unless it asks for text presentation with VS15)
    or a character whose default presentation is emoji."""
    if "\ufe0e" in chars:
        return False
    if len(chars) > 1:
        return True
    data = emoji_data.EMOJI_DATA.get(chars)
    return data is not None and data.get("status") == _FULLY_QUALIFIED


def _drawable(chars: str, covered: frozenset[int]) -> bool:
    return all(ord(c) in covered or _IGNORABLE.match(c) for c in chars)


def _plain(
    text: str,
    covered: frozenset[int],
    segments: list[Segment],
    uncovered: Uncovered,
    message_id: int | None,
) -> None:
    if _plain_ok().issuperset(text):
        _append(segments, "t", text)
        return
    start = 0
    for index, char in enumerate(text):
        code = ord(char)
        if code < 0x80 and char != "\x7f" and (code >= 0x20 or char == "\n"):
            continue
        if code in covered and not _CONTROL.match(char):
            continue
        if _IGNORABLE.match(char):
            continue
        if index > start:
            _append(segments, "t", text[start:index])
        segments.append(("m", marker(code)))
        uncovered.add(code, message_id)
        start = index + 1
    if start < len(text):
        _append(segments, "t", text[start:])


def _append(segments: list[Segment], kind: str, chunk: str) -> None:
    if segments and segments[-1][0] == kind == "t":
        segments[-1] = ("t", segments[-1][1] + chunk)
    else:
        segments.append((kind, chunk))


_STRONG = {"L": "ltr", "R": "rtl", "AL": "rtl"}


def direction(text: str | None) -> str:
    """``"rtl"`` when the first strong character reads right to left, else ``"ltr"``."""
    if not text:
        return "ltr"
    if text.isascii():
        return "ltr"
    for char in text:
        found = _STRONG.get(unicodedata.bidirectional(char))
        if found:
            return found
    return "ltr"


def flatten(prepared: Iterable[Prepared]) -> str:
    """The characters a list of prepared texts draws (markers as written), for tests."""
    out = []
    for item in prepared:
        out.append(item if isinstance(item, str) else "".join(text for _, text in item))
    return "".join(out)
