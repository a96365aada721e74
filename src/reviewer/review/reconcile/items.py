"""A message as alignment sees it, and how alike two copies are.

Times are UTC seconds as the importer stored them (it has resolved date order, clock and
language); ``precision`` is 60 for an export written without seconds, else 1. Text is compared
by a key: NFKC, case-folded, direction marks dropped, white space collapsed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from rapidfuzz.distance import Indel

__all__ = [
    "EXACT",
    "Item",
    "Track",
    "detect_precision",
    "similarity",
    "text_key",
]

_DROP_MARKS: Final = dict.fromkeys(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C, 0xFEFF]
)
#: Weight of two copies with the same text: the strongest evidence short of a shared hash.
EXACT: Final = 10.0
_HASH: Final = 12.0
# The same attachment file name (a re-encoded copy, or one export lacking the file): WhatsApp
# names a file by its time and a counter, so within the time window this is nearly a hash.
_NAME: Final = 9.0
_FUZZY_FLOOR: Final = 0.7  # edits keep most of the text; below this they are not one message
_DELETED: Final = 3.0
_MEDIA: Final = 4.0
_SYSTEM: Final = 2.0
_REWRITTEN: Final = 2.5
_TEXTUAL: Final = frozenset({"text", "poll", "location", "contact", "call", "unparsed"})


def text_key(text: str) -> str:
    """The matching key of a body: what survives export differences between phones."""
    if text.isascii():
        return " ".join(text.split()).lower()
    text = unicodedata.normalize("NFKC", text).translate(_DROP_MARKS)
    return " ".join(text.split()).casefold()


class Item(NamedTuple):
    """One message of one exhibit's conversation, in the exhibit's order (a tuple: a case
    holds hundreds of thousands, built in one pass)."""

    id: int
    t: float | None  # UTC seconds as written by this exhibit (its own clock)
    sender: int | None  # participant id; None for system lines
    kind: str
    key: str  # text_key of the body
    edited: bool = False
    omitted: bool = False  # "media omitted" placeholder
    event: str | None = None  # system_event
    hashes: frozenset[str] = frozenset()  # SHA-256 of attachments present
    # attachment file names as the export wrote them (folded), whether or not the file is in it
    names: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Track:
    """One exhibit's copy of the chat: its messages in order and the precision of its times."""

    exhibit: int
    items: Sequence[Item]
    precision: int = 1
    name: str = ""


def detect_precision(times: Sequence[float | None]) -> int:
    """60 when every time falls on a whole minute (an export without seconds), else 1."""
    known = [t for t in times if t is not None]
    if len(known) >= 3 and all(t % 60 == 0 for t in known):
        return 60
    return 1


def similarity(a: Item, b: Item) -> float:
    """How strongly two messages of different exhibits look like copies of one message:
    0 when they cannot be, ``EXACT`` for the same text, less for weaker evidence (a deleted
    or omitted placeholder, an edited text). Senders are not compared here."""
    ka, kb = a.kind, b.kind
    if ka == "system" or kb == "system":
        if ka == kb and a.event is not None and a.event == b.event:
            return _SYSTEM + (1.0 if a.key == b.key else 0.0)
        return 0.0
    if ka == "deleted" or kb == "deleted":
        return _DELETED
    if ka == "media" or kb == "media":
        return _media(a, b)
    if ka not in _TEXTUAL or kb not in _TEXTUAL:
        return 0.0
    found = _text(a.key, b.key)
    if found == 0.0 and (a.edited or b.edited) and ka == kb:
        return _REWRITTEN  # an edit that rewrote the text: only time (and sender) tell
    return found


def _text(a: str, b: str) -> float:
    if a == b:
        return EXACT
    if min(len(a), len(b)) < 4:
        return 0.0
    ratio = Indel.normalized_similarity(a, b)
    if ratio < _FUZZY_FLOOR:
        shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
        if len(shorter) < 8 or shorter not in longer:  # an edit that added words keeps the old
            return 0.0
        ratio = _FUZZY_FLOOR
    return 4.0 + 4.0 * (ratio - _FUZZY_FLOOR) / (1.0 - _FUZZY_FLOOR)


def _media(a: Item, b: Item) -> float:
    if a.hashes & b.hashes:
        return _HASH
    if a.names & b.names:
        return _NAME
    if a.kind != b.kind:  # media against text: only a caption kept as text matches
        return 6.0 if a.key and a.key == b.key else 0.0
    if a.key and b.key:
        return EXACT if a.key == b.key else max(_text(a.key, b.key), 1.0)
    return _MEDIA
