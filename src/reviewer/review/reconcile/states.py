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
    """Per row, the tracks without a copy and why: ``in-range`` when the track covers the
    row's time (on its own clock, within its precision), else ``out-of-range``."""
    tracks = alignment.tracks
    spans = [track.span() for track in tracks]
    found: list[tuple[tuple[int, str], ...]] = []
    for row, t in zip(alignment.rows, alignment.times, strict=True):
        have = {n for n, _ in row}
        missing: list[tuple[int, str]] = []
        for n, span in enumerate(spans):
            if n in have:
                continue
            local = t + alignment.offsets[n]
            covered = span is not None and span[0] - 1 <= local <= span[1] + 1
            missing.append((n, IN_RANGE if covered else OUT_OF_RANGE))
        found.append(tuple(missing))
    return found
