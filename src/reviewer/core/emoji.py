"""Emoji in message text, with the names a reader needs (🐒 → "monkey", U+1F412).

Names come from the ``emoji`` package's data (built from Unicode's emoji-test.txt and CLDR short
names), never from a hand-written table. A sequence — ZWJ family, skin tone, flag, keycap — is
one emoji with one name.
"""

from __future__ import annotations

import functools
import re
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


# What makes an emoji sequence: ZWJ, variation selectors, skin tones, regional indicators,
# keycap, tag characters; a run without them is a row of single-code-point emoji.
_JOINING = re.compile(
    "[#*0-9\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U0001f1e6-\U0001f1ff\U000e0020-\U000e007f]"
)


@functools.cache
def _emoji_characters() -> frozenset[str]:
    """Every non-ASCII character that occurs in some emoji."""
    return frozenset(ch for key in emoji_data.EMOJI_DATA for ch in key if not ch.isascii())


@functools.cache
def _candidates() -> re.Pattern[str]:
    """Runs of characters that occur in some emoji (a keycap's ASCII base included).

    The emoji package's tokenizer walks a text in Python; it runs only on these runs, which
    most text does not have, so tens of thousands of messages are searched quickly.
    """
    codes = sorted(ord(ch) for ch in _emoji_characters())
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    members = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return re.compile(f"[#*0-9]?[{members}]+")


def emoji_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every emoji in ``text``, in order, sequences kept whole."""
    # A set test first: the pattern's class of ~1,000 ranges is slow on long non-Latin text.
    if text.isascii() or _emoji_characters().isdisjoint(text):
        return
    for run in _candidates().finditer(text):
        offset, chars = run.start(), run.group()
        if not _JOINING.search(chars):
            for index, char in enumerate(chars):
                if char in emoji_data.EMOJI_DATA:
                    yield offset + index, offset + index + 1
            continue
        for token in emoji_data.analyze(chars, join_emoji=True):
            match = token.value
            if isinstance(match, emoji_data.EmojiMatch):
                yield offset + match.start, offset + match.end


def find_emoji(text: str) -> Iterator[EmojiUse]:
    """Every emoji in ``text`` in order, sequences kept whole."""
    for start, end in emoji_spans(text):
        chars = text[start:end]
        yield EmojiUse(chars, emoji_name(chars), start)


def distinct_emoji(text: str) -> list[EmojiUse]:
    """Each emoji of ``text`` once, in order of first appearance."""
    seen: dict[str, EmojiUse] = {}
    for use in find_emoji(text):
        seen.setdefault(use.chars, use)
    return list(seen.values())
