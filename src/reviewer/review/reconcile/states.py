"""Each copy's state, and why an exhibit of the chat has no copy of a message (DESIGN.md §9)."""

from __future__ import annotations

from typing import Final

from reviewer.review.reconcile.align import ChatAlignment
from reviewer.review.reconcile.items import Item

__all__ = ["IN_RANGE", "OUT_OF_RANGE", "absences", "copy_state"]

IN_RANGE: Final = "in-range"
OUT_OF_RANGE: Final = "out-of-range"


def copy_state(item: Item) -> str:
    """``deleted`` ("This message was deleted" on that phone), ``media-omitted`` (exported
    without media), ``edited`` (the phone marks it edited), else ``present``."""
    if item.kind == "deleted":
        return "deleted"
    if item.omitted:
        return "media-omitted"
    if item.edited:
        return "edited"
    return "present"


def absences(alignment: ChatAlignment) -> list[tuple[tuple[int, str], ...]]:
    """Per row, the tracks without a copy and why: ``in-range`` when the row lies between the
    track's first and last copies in chat order (the track covers that time: deleted for me,
    or posted while its owner was out of the group), else ``out-of-range`` (before the export
    starts — a late join — or after it ends). Order, not time, decides, so a message in the
    same minute as a minute-only export's first line is still placed right."""
    count = len(alignment.tracks)
    first = [len(alignment.rows)] * count
    last = [-1] * count
    for r, row in enumerate(alignment.rows):
        for n, _ in row:
            first[n] = min(first[n], r)
            last[n] = r
    found: list[tuple[tuple[int, str], ...]] = []
    for r, row in enumerate(alignment.rows):
        have = {n for n, _ in row}
        found.append(
            tuple(
                (n, IN_RANGE if first[n] < r < last[n] else OUT_OF_RANGE)
                for n in range(count)
                if n not in have
            )
        )
    return found
