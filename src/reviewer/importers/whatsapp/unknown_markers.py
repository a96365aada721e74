"""Repeated marker-shaped bodies that no table knows: reported, never silently typed text.

WhatsApp writes its placeholders (``<Media omitted>``, ``⟨LRM⟩image omitted``, ``<This message
was edited>`` …) byte for byte the same under every sender, in the phone's UI language. When
the language is one ``markers.py`` lacks, body classification keeps such a body as ``text``
under its sender with the ``unrecognised-pattern`` flag (or ``unrecognised-suffix`` for a
trailing ``<…>``). This module tallies those bodies per sender while a chat is walked, and
turns the ones that repeat across senders into import warnings naming the string and the
count, so a reviewer checks them instead of reading them as words people typed.

Threshold: the same string from at least ``MIN_SENDERS`` (3) distinct senders; or, since a
one-to-one chat has only two, from 2 senders at least ``MIN_PAIR_COUNT`` (4) times in all.
People do repeat short texts, but only bodies of marker shape are counted: enclosed in
``<…>``, led by WhatsApp's ⟨LRM⟩ on iOS, or a ``<…>`` tail — shapes typed text seldom has,
and never byte-identical across several people. The message kind is left as it is (the bytes
and the source span are untouched); only the warning is added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

MIN_SENDERS: Final = 3
MIN_PAIR_COUNT: Final = 4
MAX_LENGTH: Final = 80  # longer bodies are sentences, not placeholders
MAX_TRACKED: Final = 500  # distinct strings kept per walk (memory bound on odd files)
SHOWN: Final = 20  # warnings listed

UNKNOWN_FLAGS: Final = frozenset({"unrecognised-pattern", "unrecognised-suffix"})

# candidate string -> sender -> count
Tally = dict[str, dict[str, int]]


def candidate(text: str, flags: tuple[str, ...]) -> str | None:
    """The marker-shaped string of a classified body, if it is worth counting."""
    if "unrecognised-suffix" in flags:
        cut = text.rstrip().rfind("<")
        return text[cut:].strip() if cut >= 0 else None
    if "unrecognised-pattern" not in flags:
        return None
    text = text.strip()
    if not text or len(text) > MAX_LENGTH or "\n" in text:
        return None
    return text


def add(tally: Tally, marker: str, sender: str | None) -> None:
    """Count ``marker`` once more for ``sender``."""
    senders = tally.get(marker)
    if senders is None:
        if len(tally) >= MAX_TRACKED:
            return
        senders = tally[marker] = {}
    key = sender or ""
    senders[key] = senders.get(key, 0) + 1


def since(now: Tally, before: Tally) -> Tally:
    """What ``now`` counted after ``before`` was copied (for chunked walks)."""
    out: Tally = {}
    for marker, senders in now.items():
        old = before.get(marker, {})
        part = {s: n - old.get(s, 0) for s, n in senders.items() if n > old.get(s, 0)}
        if part:
            out[marker] = part
    return out


def copy(tally: Tally) -> Tally:
    return {marker: dict(senders) for marker, senders in tally.items()}


def merge(parts: Iterable[Tally]) -> Tally:
    """One tally of several walked parts of a chat."""
    out: Tally = {}
    for part in parts:
        for marker, senders in part.items():
            into = out.setdefault(marker, {})
            for sender, n in senders.items():
                into[sender] = into.get(sender, 0) + n
    return out


def warnings(file_name: str, tally: Tally) -> list[str]:
    """One warning per repeated marker-shaped string, most frequent first."""
    found: list[tuple[int, int, str]] = []
    for marker, senders in tally.items():
        people = len([s for s in senders if s])
        total = sum(senders.values())
        if people >= MIN_SENDERS or (people == 2 and total >= MIN_PAIR_COUNT):
            found.append((total, people, marker))
    found.sort(key=lambda item: (-item[0], item[2]))
    out = [
        f"{file_name}: {marker!r} occurs {total} times from {people} senders and looks like a "
        "WhatsApp marker or system line in a wording the importer does not know; kept as "
        "text with the unrecognised flag: check these messages"
        for total, people, marker in found[:SHOWN]
    ]
    if len(found) > SHOWN:
        out.append(f"{file_name}: {len(found) - SHOWN} more repeated unrecognised markers")
    return out
