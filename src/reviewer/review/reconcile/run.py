"""Reconcile one chat held by several tracks: link sender names from the unique-text anchors
of each pair of tracks (time and text only), align all tracks with senders as a consistency
signal, and propose the name links the whole alignment supports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

from reviewer.review.reconcile.align import ChatAlignment, align_tracks, anchor_matches
from reviewer.review.reconcile.items import Track
from reviewer.review.reconcile.people import (
    NameLink,
    links_from_rows,
    person_map,
    propose_people,
)

__all__ = ["reconcile_chat"]

Matches = Sequence[tuple[int, int]]


def reconcile_chat(
    tracks: Sequence[Track],
    *,
    known: Iterable[NameLink] = (),
    refused: Iterable[tuple[int, int]] = (),
    anchors: Mapping[tuple[int, int], Matches] | None = None,
) -> tuple[ChatAlignment, list[NameLink]]:
    """The alignment of the tracks and the name links it supports. ``known`` links (confirmed
    by a reviewer) always steer alignment; ``refused`` participant pairs never do.
    ``anchors`` may hand over ``anchor_matches`` already worked out, by (track, track)."""
    if len(tracks) < 2:
        return align_tracks(tracks), []
    no = {(min(a, b), max(a, b)) for a, b in refused}
    rows: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for n, m in combinations(range(len(tracks)), 2):
        found = (anchors or {}).get((n, m))
        if found is None:
            found = anchor_matches(tracks[n], tracks[m])[1]
        rows.extend(((n, i), (m, j)) for i, j in found)
    derived = [link for link in links_from_rows(tracks, rows) if (link.a, link.b) not in no]
    del rows
    alignment = align_tracks(tracks, person_map([*derived, *known]))
    return alignment, [link for link in propose_people(alignment) if (link.a, link.b) not in no]
