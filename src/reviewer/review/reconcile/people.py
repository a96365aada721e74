"""Sender names of different exhibits that are one person, from the messages that aligned.

Two names are proposed as one person when their messages sit in the same reconciled rows:
``aligned`` counts those rows, ``share`` divides it by the larger of the two names' aligned
rows against the other exhibit, so a name that co-occurs with several others scores low.
Placeholders (deleted messages) and system lines are no evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from reviewer.review.reconcile.align import ChatAlignment
from reviewer.review.reconcile.items import Track

__all__ = ["NameLink", "links_from_rows", "person_map", "propose_people"]

_PROPOSE_MIN: Final = 2
_PROPOSE_SHARE: Final = 0.5


@dataclass(frozen=True, slots=True)
class NameLink:
    """Participants ``a`` and ``b`` (of different exhibits) proposed as one person."""

    a: int
    b: int
    aligned: int
    share: float
    # neither name co-occurs repeatedly with another name of the other exhibit (two people
    # saved under one name on a phone make that name ambiguous): only clear links steer
    # alignment
    clear: bool = True


def propose_people(alignment: ChatAlignment) -> list[NameLink]:
    """Proposed links from a whole alignment, strongest first."""
    return links_from_rows(alignment.tracks, alignment.rows)


def links_from_rows(
    tracks: Sequence[Track], rows: Iterable[Sequence[tuple[int, int]]]
) -> list[NameLink]:
    """Proposed links from rows of copies, each a sequence of (track number, item index):
    a whole alignment, or just the anchors of pairs of tracks. Strongest first."""
    pairs: Counter[tuple[int, int]] = Counter()
    totals: Counter[tuple[int, int]] = Counter()  # (participant, other track)
    for row in rows:
        if len(row) < 2:
            continue
        senders: list[tuple[int, int]] = []
        for n, index in row:
            item = tracks[n].items[index]
            if item.sender is not None and item.kind not in ("system", "deleted"):
                senders.append((n, item.sender))
        for x, (nx, sx) in enumerate(senders):
            for ny, sy in senders[x + 1 :]:
                if nx == ny:
                    continue
                pairs[(sx, sy) if sx < sy else (sy, sx)] += 1
                totals[(sx, ny)] += 1
                totals[(sy, nx)] += 1
    track_of = {
        item.sender: n for n, track in enumerate(tracks) for item in track.items if item.sender
    }
    partners: Counter[tuple[int, int]] = Counter()  # (participant, other track) -> names
    for (a, b), count in pairs.items():
        if count >= _PROPOSE_MIN:
            partners[(a, track_of[b])] += 1
            partners[(b, track_of[a])] += 1
    links: list[NameLink] = []
    for (a, b), count in pairs.items():
        if count < _PROPOSE_MIN:
            continue
        share = count / max(totals[(a, track_of[b])], totals[(b, track_of[a])])
        if share >= _PROPOSE_SHARE:
            clear = partners[(a, track_of[b])] == 1 and partners[(b, track_of[a])] == 1
            links.append(NameLink(a, b, count, round(share, 3), clear))
    links.sort(key=lambda link: (-link.aligned, link.a, link.b))
    return links


def person_map(
    links: Iterable[NameLink], *, min_aligned: int = 3, min_share: float = 0.9
) -> dict[int, int]:
    """Participant id -> person id (the smallest participant id of its group) for the links
    strong enough to steer alignment."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in links:
        if link.clear and link.aligned >= min_aligned and link.share >= min_share:
            ra, rb = root(link.a), root(link.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in list(parent)}
