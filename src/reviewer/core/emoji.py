"""Emoji in message text, with the names a reader needs (🐒 → "monkey", U+1F412).

Names come from the ``emoji`` package's data (built from Unicode's emoji-test.txt and CLDR short
names), never from a hand-written table. A sequence — ZWJ family, skin tone, flag, keycap — is
one emoji with one name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import emoji as emoji_data


@dataclass(frozen=True, slots=True)
class EmojiUse:
    """One emoji (a single code point or a whole sequence) found in a text."""

    chars: str
    name: str
    start: int  # index in the text, in code points

    @property
    def codepoints(self) -> str:
        """``U+1F44D U+1F3FD``: every code point, variation selectors and joiners included."""
        return codepoints(self.chars)


def codepoints(text: str) -> str:
    return " ".join(f"U+{ord(ch):04X}" for ch in text)


def emoji_name(chars: str) -> str:
    """The emoji's English name (``"thumbs up medium skin tone"``), or its code points."""
    data = emoji_data.EMOJI_DATA.get(chars)
    if data is None:
        # A text-style symbol written with VS16 (or without it) has its data under the other.
        alternative = chars[:-1] if chars.endswith("\ufe0f") else chars + "\ufe0f"
        data = emoji_data.EMOJI_DATA.get(alternative)
    if data is None:
        return codepoints(chars)
    name = str(data["en"]).strip(":").replace("_", " ")
    if _is_flag(chars):
        return f"flag: {name}"
    return name


def _is_flag(chars: str) -> bool:
    return len(chars) == 2 and all(0x1F1E6 <= ord(ch) <= 0x1F1FF for ch in chars)


def find_emoji(text: str) -> Iterator[EmojiUse]:
    """Every emoji in ``text`` in order, sequences kept whole."""
    for token in emoji_data.analyze(text, join_emoji=True):
        match = token.value
        if isinstance(match, emoji_data.EmojiMatch):
            yield EmojiUse(token.chars, emoji_name(token.chars), match.start)


def distinct_emoji(text: str) -> list[EmojiUse]:
    """Each emoji of ``text`` once, in order of first appearance."""
    seen: dict[str, EmojiUse] = {}
    for use in find_emoji(text):
        seen.setdefault(use.chars, use)
    return list(seen.values())
