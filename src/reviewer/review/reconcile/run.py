"""Reconcile one chat held by several tracks: align on time and text, link names from what
aligned, align again with senders as a consistency signal, and propose the name links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reviewer.review.reconcile.align import ChatAlignment, align_tracks
from reviewer.review.reconcile.items import Track
from reviewer.review.reconcile.people import NameLink, person_map, propose_people

__all__ = ["reconcile_chat"]


def reconcile_chat(
    tracks: Sequence[Track],
    *,
    known: Iterable[NameLink] = (),
    refused: Iterable[tuple[int, int]] = (),
) -> tuple[ChatAlignment, list[NameLink]]:
    """The alignment of the tracks and the name links it supports. ``known`` links (confirmed
    by a reviewer) always steer the second pass; ``refused`` participant pairs never do."""
    first = align_tracks(tracks)
    if len(tracks) < 2:
        return first, []
    no = {tuple(sorted(pair)) for pair in refused}
    derived = [link for link in propose_people(first) if (link.a, link.b) not in no]
    persons = person_map([*derived, *known])
    second = align_tracks(tracks, persons)
    return second, [link for link in propose_people(second) if (link.a, link.b) not in no]
