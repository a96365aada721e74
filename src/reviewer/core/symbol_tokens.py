"""Emoji and symbols as words of the full-text index.

SQLite's ``unicode61`` tokenizer treats emoji and symbols as separators, so the word index never
holds them. :func:`spell_text` replaces every emoji sequence and every other symbol character
beyond ASCII (``£``, ``€``, ``°``, ``™``, ``★``, ``✓``) by index words spelt in private-use
characters, which ``unicode61`` keeps as token characters and folds in no way. The query side
spells what the reviewer typed that way, so FTS5 matches them like any other word, in phrases
and with the query operators.

The index holds :func:`index_text` of each message: a text with symbols twice, as written
(symbols separate its words, as they always did) and spelt, with :data:`SEAM` between. So a
phrase of words matches across a symbol as a reviewer expects ("costs 50" finds "costs £50"),
a phrase with the symbol matches only with it in place ("costs £50"), and "£" alone finds every
message holding one. No phrase a reviewer can type spans the seam.

One emoji is one word: a ZWJ sequence (👨‍👩‍👧), a flag (🇬🇧), a keycap (1️⃣) or a tag sequence
(🏴󠁧󠁢󠁳󠁣󠁴󠁿) stays whole. Variation selectors are dropped (❤️ and ❤ are the same word) and a skin tone
is a word of its own right after its emoji, so 👍 finds 👍 and 👍🏽 while 👍🏽 (the phrase
"👍 🏽") finds only the medium skin tone. ASCII symbols (``$``, ``+``, ``<``) and mathematical
and modifier symbols stay separators: a regex search finds them.

Spans are in code points of the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

_PUA = 0xE000  # hex digit d of a code point is chr(_PUA + d); each code point ends with _END
_END = chr(_PUA + 16)
SEAM = chr(_PUA + 17)  # an index word of its own between a text and its spelt copy
_TONES = "\U0001f3fb-\U0001f3ff"
_VS = "\ufe0e\ufe0f"
_ZWJ = "\u200d"
_SYMBOL_CATEGORIES = ("So", "Sc")
_EMOJI_BLOCKS = ((0x1F000, 0x1FAFF), (0x1FC00, 0x1FFFD))  # unassigned ones reserved for emoji


def symbol_tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """Start, end and index word of every emoji and symbol in ``text``, in order (a skin tone
    is a word of its own, spanning its code point)."""
    if text.isascii():
        return
    for found in _pattern().finditer(text):
        start, chars = found.start(), found.group()
        base = "".join(c for c in chars if c not in _VS and not _is_tone(c))
        if base:
            yield start, found.end(), _spell(base)
        for offset, char in enumerate(chars):
            if _is_tone(char):
                yield start + offset, start + offset + 1, _spell(char)


def index_text(text: str) -> str:
    """``text`` as the full-text index reads it (see the module docstring): a text without
    emoji or symbols is returned as it is (the same object); any other is followed by the seam
    and its :func:`spell_text`."""
    spelt = spell_text(text)
    if spelt is text:
        return text
    return f"{text} {SEAM} {spelt}"


def spell_text(text: str) -> str:
    """``text`` with each emoji and symbol replaced by its index words, with spaces around
    them; a text without any is returned as it is (the same object)."""
    if text.isascii():
        return text
    spelt, found = _pattern().subn(_replacement, text)
    return spelt if found else text


def has_symbols(text: str) -> bool:
    return not text.isascii() and _pattern().search(text) is not None


def _replacement(found: re.Match[str]) -> str:
    return _words(found.group())


@lru_cache(maxsize=4096)
def _words(chars: str) -> str:
    """The index words of one match, with a space either side."""
    base = "".join(c for c in chars if c not in _VS and not _is_tone(c))
    words = [_spell(base)] if base else []
    words.extend(_spell(c) for c in chars if _is_tone(c))
    return " " + " ".join(words) + " "


def _spell(chars: str) -> str:
    return "".join(
        "".join(chr(_PUA + int(digit, 16)) for digit in f"{ord(c):x}") + _END for c in chars
    )


def _is_tone(char: str) -> bool:
    return "\U0001f3fb" <= char <= "\U0001f3ff"


@cache
def _pattern() -> re.Pattern[str]:
    """One emoji sequence or symbol: a flag, a keycap, a tag sequence, or elements (a symbol
    with its variation selector and skin tone) joined by ZWJ.

    The pattern starts with one character class, so ``re`` scans for it in C; what follows
    depends on that first character (look-behinds), and only the Basic Multilingual Plane and
    the emoji blocks are in the class (each range beyond U+FFFF costs every character a test).
    """
    atom = _atom_class()
    element = f"[{atom}][{_VS}]?(?:[{_TONES}][{_VS}]?)?"
    joined = f"[{_VS}]?(?:[{_TONES}][{_VS}]?)?(?:{_ZWJ}{element})*"
    flag = "(?<=[\U0001f1e6-\U0001f1ff])[\U0001f1e6-\U0001f1ff]"
    tag = "(?<=\U0001f3f4)[\U000e0020-\U000e007e]+\U000e007f"
    keycap = f"(?<=[0-9#*])[{_VS}]?\u20e3"
    rest = f"(?<![0-9#*])(?:{flag}|{tag}|{joined})"
    return re.compile(f"[0-9#*{atom}](?:{keycap}|{rest})")


def _atom_class() -> str:
    """A character class of the emoji and So/Sc symbols of the Basic Multilingual Plane, and
    the emoji blocks beyond it (the symbols of other supplementary blocks stay separators)."""
    # Imported here, once: every case connection registers index_text, and the emoji data
    # would otherwise be loaded by commands that never index or search (`reviewer tag`).
    import emoji as emoji_data

    points = {ord(c) for key in emoji_data.EMOJI_DATA for c in key if 0x7F < ord(c) <= 0xFFFF}
    points -= {ord(c) for c in _VS + _ZWJ + "\u20e3"}
    points.update(
        cp for cp in range(0x80, 0x10000) if unicodedata.category(chr(cp)) in _SYMBOL_CATEGORIES
    )
    ranges = "".join(_ranges(sorted(points)))
    return ranges + "".join(f"{chr(low)}-{chr(high)}" for low, high in _EMOJI_BLOCKS)


def _ranges(points: list[int]) -> Iterator[str]:
    start = previous = points[0]
    for point in [*points[1:], -1]:
        if point == previous + 1:
            previous = point
            continue
        first, last = re.escape(chr(start)), re.escape(chr(previous))
        yield first if start == previous else f"{first}-{last}"
        start = previous = point
