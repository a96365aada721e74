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


def prepare(text: str | None, uncovered: Uncovered, message_id: int | None = None) -> Prepared:
    """``text`` as segments (see the module doc); a plain string in the common case."""
    if not text:
        return ""
    text = _normalise(text)
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return text
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
    if all(kind == "t" for kind, _ in segments):
        return "".join(chunk for _, chunk in segments)
    return segments


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
