"""Line up the messages of several exhibits of one chat, keeping every exhibit's order.

Exhibits are added one at a time to a growing list of *columns* (one column per message of the
chat, holding its copies). Adding one exhibit to the columns:

1. **Clock offset.** Texts that occur exactly once in both are candidate matches; the mode of
   their time differences (a window as wide as the two precisions) and the median inside it
   is the exhibit's constant offset (a wrong zone or clock). Alignment never needs senders.
2. **Anchors.** Those unique matches whose times agree after the offset, thinned to the
   longest chain that keeps both orders.
3. **Gaps.** Between consecutive anchors, every pair of a column and a message whose times
   agree (within the precisions) and whose content can be one message (``items.similarity``)
   is a candidate; the heaviest order-preserving chain of candidates is matched. Candidates
   come from a time window, so the cost stays near-linear.
4. **Merge.** Messages left unmatched become new columns, interleaved by time with the
   unmatched columns of their gap.

Run once without senders, then ``people`` links sender names from what aligned, and a second
run with those links prefers pairs whose senders agree and penalises pairs whose senders are
known to differ (the same short text sent twice within a minute by two people), so much that
a placeholder is never matched across senders.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from reviewer.review.reconcile.items import Item, Track, similarity
from reviewer.review.reconcile.sequence import heaviest_chain, longest_chain

__all__ = ["ChatAlignment", "align_tracks", "anchor_matches", "estimate_offset", "tolerance"]

SLACK: Final = 20.0  # seconds beyond the precisions: offset estimate noise, delivery skew
_ANCHOR_MIN_KEY: Final = 6  # texts shorter than this ("ok", "😂") are never anchors
_SMALL_GAP: Final = 4096  # gaps with fewer cell pairs are compared exhaustively
_SENDER_BONUS: Final = 1.5
# Senders known to differ: a placeholder (deleted, omitted media) cannot be that message, while
# the same long text still can (one phone may show two people under one saved name).
_SENDER_PENALTY: Final = 5.0
_MIN_OFFSET_SUPPORT: Final = 3
_SKEW: Final = 1.0  # seconds two phones may differ on one message beyond their precision


def tolerance(precision_a: int, precision_b: int) -> float:
    """How far apart (in seconds, midpoints, after the offset) two copies' times may be."""
    return (precision_a + precision_b) / 2 + SLACK


@dataclass(slots=True)
class _Column:
    copies: list[tuple[int, int]]  # (track number, item index)
    t: float  # midpoint of its time, on the first track's clock
    precision: int
    rep: Item  # the copy compared against newcomers
    person: int | None


@dataclass(frozen=True, slots=True)
class ChatAlignment:
    """The reconciled messages of one chat, in chat order.

    ``rows[k]`` lists the copies of message k as (track number, item index) pairs;
    ``times[k]`` is its time on the first track's clock (midpoint of its precision);
    ``offsets[n]`` is track n's clock minus the first track's, in seconds.
    """

    tracks: Sequence[Track]
    rows: list[tuple[tuple[int, int], ...]]
    times: list[float]
    offsets: list[float]
    anchors: list[int] = field(default_factory=list)  # unique-text anchors per track
    reference: int = 0  # the track whose clock the times are on (offset 0)


def align_tracks(
    tracks: Sequence[Track], persons: Mapping[int, int] | None = None
) -> ChatAlignment:
    """Align the exhibits' tracks (any number). ``persons`` maps participant ids to a person
    id where names are known to be one person; pairs whose persons differ are refused."""
    persons = persons or {}
    order = sorted(range(len(tracks)), key=lambda n: (tracks[n].precision, -len(tracks[n].items)))
    offsets = [0.0] * len(tracks)
    anchors = [0] * len(tracks)
    columns: list[_Column] = []
    for position, n in enumerate(order):
        track = tracks[n]
        times = _filled_times(track)
        if position == 0:
            columns = [
                _Column(
                    [(n, i)], t + track.precision / 2, track.precision, item, _person(item, persons)
                )
                for i, (item, t) in enumerate(zip(track.items, times, strict=True))
            ]
            continue
        columns, offsets[n], anchors[n] = _add_track(columns, n, track, times, persons)
    return ChatAlignment(
        tracks=tracks,
        rows=[tuple(sorted(c.copies)) for c in columns],
        times=[c.t for c in columns],
        offsets=offsets,
        anchors=anchors,
        reference=order[0] if order else 0,
    )


def anchor_matches(a: Track, b: Track) -> tuple[float, list[tuple[int, int]]]:
    """b's clock offset against a's, and the matches of texts unique in both whose times agree
    after it, thinned to the longest chain that keeps both orders: (a index, b index)."""
    a_keys = [i.key if i.kind != "deleted" else "" for i in a.items]
    b_keys = [i.key if i.kind != "deleted" else "" for i in b.items]
    a_half, b_half = a.precision / 2, b.precision / 2
    a_mid = [(i.t or 0.0) + a_half for i in a.items]
    b_mid = [(i.t or 0.0) + b_half for i in b.items]
    limit = tolerance(a.precision, b.precision)
    offset, unique = estimate_offset(a_keys, a_mid, [a_half] * len(a_mid), b_keys, b_mid, b_half)
    agreeing = [(i, j) for i, j in unique if abs(b_mid[j] - offset - a_mid[i]) <= limit]
    return offset, longest_chain(agreeing)


def estimate_offset(
    x_keys: Sequence[str],
    x_times: Sequence[float],
    x_half: Sequence[float],
    y_keys: Sequence[str],
    y_times: Sequence[float],
    y_half: float,
) -> tuple[float, list[tuple[int, int]]]:
    """The constant by which y's clock is ahead of x's, from texts unique in both, and those
    unique matches as (x index, y index).

    Times are midpoints and ``*_half`` half their precision: each match says the offset lies
    in an interval (a minute wide against an export without seconds), and the offset is the
    middle of the stretch that most intervals share. 0 when fewer than three share it, unless
    every match agrees (an exhibit that shares only a message or two)."""
    pairs = unique_pairs(x_keys, y_keys)
    if not pairs:
        return 0.0, pairs
    events: list[tuple[float, int]] = []
    for i, j in pairs:
        spread = x_half[i] + y_half + _SKEW
        diff = y_times[j] - x_times[i]
        events.append((diff - spread, -1))  # opens (sorts before a close at the same point)
        events.append((diff + spread, 1))
    events.sort()
    depth = best = 0
    start = end = 0.0
    for at, kind in events:
        if kind < 0:
            depth += 1
            if depth > best:
                best, start, end = depth, at, at
        else:
            if depth == best and end == start:
                end = at
            depth -= 1
    if best < _MIN_OFFSET_SUPPORT and best < len(pairs):  # a few that disagree: no offset
        return 0.0, pairs
    return (start + end) / 2, pairs


def unique_pairs(x_keys: Sequence[str], y_keys: Sequence[str]) -> list[tuple[int, int]]:
    """(x index, y index) of keys long enough to mean something that occur once in each,
    by x index."""
    x_once = _once(x_keys)
    pairs = [(x_once[key], j) for key, j in _once(y_keys).items() if key in x_once]
    pairs.sort()
    return pairs


def _once(keys: Sequence[str]) -> dict[str, int]:
    seen: dict[str, int] = {}
    repeated: set[str] = set()
    for index, key in enumerate(keys):
        if len(key) < _ANCHOR_MIN_KEY:
            continue
        if key in seen:
            repeated.add(key)
        else:
            seen[key] = index
    for key in repeated:
        del seen[key]
    return seen


def _person(item: Item, persons: Mapping[int, int]) -> int | None:
    return None if item.sender is None else persons.get(item.sender)


def _filled_times(track: Track) -> list[float]:
    """Each item's time; an item without one takes its predecessor's (or successor's)."""
    known = [item.t for item in track.items]
    fallback = next((t for t in known if t is not None), 0.0)
    filled: list[float] = []
    for t in known:
        fallback = fallback if t is None else t
        filled.append(fallback)
    return filled


def _add_track(
    columns: list[_Column],
    n: int,
    track: Track,
    times: Sequence[float],
    persons: Mapping[int, int],
) -> tuple[list[_Column], float, int]:
    items = track.items
    half = track.precision / 2
    mids = [t + half for t in times]
    col_keys = [c.rep.key if c.rep.kind != "deleted" else "" for c in columns]
    col_times = [c.t for c in columns]
    col_half = [c.precision / 2 for c in columns]
    keys = [item.key if item.kind != "deleted" else "" for item in items]
    offset, unique = estimate_offset(col_keys, col_times, col_half, keys, mids, half)
    scorer = _Scorer(columns, items, mids, offset, track.precision, persons)
    anchors = longest_chain([(i, j) for i, j in unique if scorer.is_anchor(i, j)])
    matches: list[tuple[int, int]] = []
    previous = (-1, -1)
    for anchor in [*anchors, (len(columns), len(items))]:
        if previous[0] + 1 < anchor[0] and previous[1] + 1 < anchor[1]:
            matches.extend(scorer.gap(previous[0] + 1, anchor[0], previous[1] + 1, anchor[1]))
        if anchor[0] < len(columns):
            matches.append(anchor)
        previous = anchor
    return _merge(columns, n, track, mids, offset, matches, persons), offset, len(anchors)


class _Scorer:
    """Scores a column against an item of the track being added."""

    def __init__(
        self,
        columns: Sequence[_Column],
        items: Sequence[Item],
        mids: Sequence[float],
        offset: float,
        precision: int,
        persons: Mapping[int, int],
    ) -> None:
        self.columns = columns
        self.items = items
        self.mids = mids
        self.offset = offset
        self.precision = precision
        self.persons = persons

    def is_anchor(self, i: int, j: int) -> bool:
        """Whether a unique text match (same key) is sure: same kind of message, times agree,
        and senders not known to differ."""
        column, item = self.columns[i], self.items[j]
        if column.rep.kind != item.kind or item.kind in ("system", "deleted"):
            return False
        limit = tolerance(column.precision, self.precision)
        if abs(self.mids[j] - self.offset - column.t) > limit:
            return False
        person = _person(item, self.persons)
        return person is None or column.person is None or person == column.person

    def score(self, i: int, j: int) -> float:
        column, item = self.columns[i], self.items[j]
        limit = tolerance(column.precision, self.precision)
        distance = abs(self.mids[j] - self.offset - column.t)
        if distance > limit:
            return 0.0
        base = similarity(column.rep, item)
        if base <= 0.0:
            return 0.0
        person = _person(item, self.persons)
        if person is not None and column.person is not None:
            base += _SENDER_BONUS if person == column.person else -_SENDER_PENALTY
        return max(0.0, base + (1.0 - distance / limit))

    def gap(self, c0: int, c1: int, j0: int, j1: int) -> list[tuple[int, int]]:
        """The heaviest order-keeping matches between columns [c0, c1) and items [j0, j1)."""
        if c0 >= c1 or j0 >= j1:
            return []
        pairs: list[tuple[int, int]] = []
        weights: list[float] = []
        candidates: Iterable[tuple[int, int]]
        if (c1 - c0) * (j1 - j0) <= _SMALL_GAP:
            candidates = ((i, j) for i in range(c0, c1) for j in range(j0, j1))
        else:
            candidates = self._windowed(c0, c1, j0, j1)
        for i, j in candidates:
            w = self.score(i, j)
            if w > 0.0:
                pairs.append((i, j))
                weights.append(w)
        return heaviest_chain(pairs, weights)

    def _windowed(self, c0: int, c1: int, j0: int, j1: int) -> list[tuple[int, int]]:
        by_time = sorted(range(c0, c1), key=lambda i: self.columns[i].t)
        starts = [self.columns[i].t for i in by_time]
        reach = max(self.columns[i].precision for i in range(c0, c1))
        limit = tolerance(reach, self.precision)
        found: list[tuple[int, int]] = []
        for j in range(j0, j1):
            at = self.mids[j] - self.offset
            lo = bisect_left(starts, at - limit)
            hi = bisect_right(starts, at + limit)
            found.extend((i, j) for i in by_time[lo:hi])
        return found


def _merge(
    columns: list[_Column],
    n: int,
    track: Track,
    mids: Sequence[float],
    offset: float,
    matches: Sequence[tuple[int, int]],
    persons: Mapping[int, int],
) -> list[_Column]:
    """Columns with the track's matched items added and its other items inserted by time."""
    items = track.items
    for i, j in matches:
        column = columns[i]
        column.copies.append((n, j))
        item = items[j]
        if _better(item, track.precision, column):
            column.rep = item
        if column.person is None:
            column.person = _person(item, persons)
    merged: list[_Column] = []
    ci = cj = 0
    for i, j in [*matches, (len(columns), len(items))]:
        # unmatched columns [ci, i) and unmatched items [cj, j), interleaved by time
        while ci < i or cj < j:
            take_item = cj < j and (ci >= i or mids[cj] - offset < columns[ci].t)
            if take_item:
                item = items[cj]
                merged.append(
                    _Column(
                        [(n, cj)], mids[cj] - offset, track.precision, item, _person(item, persons)
                    )
                )
                cj += 1
            else:
                merged.append(columns[ci])
                ci += 1
        if i < len(columns):
            merged.append(columns[i])
        ci, cj = i + 1, j + 1
    return merged


def _better(item: Item, precision: int, column: _Column) -> bool:
    """Whether a new copy should represent its column: a real text beats a placeholder."""
    rank_new = (item.kind == "deleted", item.omitted, precision)
    rank_old = (column.rep.kind == "deleted", column.rep.omitted, column.precision)
    return rank_new < rank_old
