"""The emoji glossary at the end of the PDF report: every distinct emoji of the included
messages, its name and code points, and where it occurs (the report's own item numbers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.bundle import report_common as rc
from reviewer.core.emoji import EmojiUse, distinct_emoji

MAX_REFERENCES = 40


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    chars: str
    name: str
    codepoints: str
    references: tuple[str, ...]  # "item 3", "context of item 3", in report order, each once
    messages: int  # how many included messages hold it


def emoji_glossary(conversations: Sequence[rc.Conversation]) -> list[GlossaryEntry]:
    """Each distinct emoji once, in order of first appearance in the report."""
    found: dict[str, tuple[EmojiUse, dict[str, None]]] = {}  # chars -> first use, references
    messages: Counter[str] = Counter()
    for conversation in conversations:
        numbers = _nearest_items(conversation)
        for item, number in zip(conversation.items, numbers, strict=True):
            text = item.message.text
            if not text or text.isascii():
                continue
            where = (
                f"item {item.number}" if item.number is not None else f"context of item {number}"
            )
            for use in distinct_emoji(text):
                found.setdefault(use.chars, (use, {}))[1][where] = None
                messages[use.chars] += 1
    return [
        GlossaryEntry(chars, use.name, use.codepoints, tuple(refs), messages[chars])
        for chars, (use, refs) in found.items()
    ]


def _nearest_items(conversation: rc.Conversation) -> list[int | None]:
    """For each item, its own number, else the previous tagged item's (or the next one's)."""
    result: list[int | None] = []
    last: int | None = None
    for item in conversation.items:
        last = item.number if item.number is not None else last
        result.append(last)
    following: int | None = None
    for index in range(len(result) - 1, -1, -1):
        number = conversation.items[index].number
        following = number if number is not None else following
        if result[index] is None:
            result[index] = following
    return result
