"""Group membership over time, from an export's system lines and who spoke (DESIGN.md §4).

Pure: the caller hands over the ordered system events of one conversation and the seqs at
which each participant posted; ``derive_membership`` answers who was in the group when a given
message was posted, and says which answers are inferred rather than read from a system line.

Rules (``docs/export-formats.md`` §1.8–§1.9):

* ``created`` makes the creator a member from that line; ``added`` and ``joined`` make the
  subjects members from that line; ``left`` and ``removed`` end the subjects' membership at that
  line. An interval covers ``[joined_seq, left_seq)``: a person is present at the line that
  adds them and no longer at the line that removes them. A re-add opens a new interval.
* ``number-changed`` with two different identities (``+44 … changed to +44 …``) closes the old
  number's interval and opens one for the new number at the same line, carrying over whether it
  was inferred. ``X changed their phone number`` (same identity) only shows X was present.
* Names are matched by a key: invisible marks, a leading ``~`` and outer spaces dropped; phone
  numbers as ``+`` and their digits (``+44 7700 900123`` == ``+447700900123``); other names
  case-folded. ``You``/``you`` is the exporting user: the ``you`` name when given (the exhibit's
  custodian), else an identity of its own shown as ``You``.
* Evidence of presence: posting a message, and acting in a system line that only a member can
  write (adding, removing, renaming, settings, pins, admins, calls …). Evidence outside every
  interval opens an *inferred* interval: from the start of the export when nothing earlier
  concerns the person (the export starts mid-history, or their add line is missing), else from
  that evidence (someone speaks after leaving with no re-add recorded). When the export shows
  the group's creation, "the start" is that line (``joined_seq`` = its seq, ``how_joined``
  None): nobody was a member before it. A leave with no membership before it likewise gets an
  inferred interval from the start (a repeated leave: an empty one at the leave itself).
* The exporting user (when known, or when ``You`` occurs) is present at the first and the last
  line of the export, as their phone recorded every line: without a creation or add line they
  are an inferred member from the start.
* A join while already a member keeps the current interval, unless that interval was inferred:
  then the inferred one ends and the recorded one begins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

__all__ = [
    "MEMBERSHIP_EVENTS",
    "MEMBERSHIP_EVIDENCE",
    "YOU",
    "Interval",
    "Membership",
    "Presence",
    "SystemEvent",
    "derive_membership",
    "name_key",
]

YOU: Final = "You"
MEMBERSHIP_EVENTS: Final = frozenset(
    {"created", "added", "joined", "left", "removed", "number-changed"}
)
# System lines whose actor must have been a member at the time (``admin`` also its subjects).
_ACTOR_EVIDENCE: Final = frozenset(
    {
        "added",
        "removed",
        "subject",
        "icon",
        "description",
        "settings",
        "invite-link",
        "disappearing",
        "admin",
        "pin",
        "call",
    }
)
# Every system event that bears on membership: what to read for ``derive_membership``.
MEMBERSHIP_EVIDENCE: Final = MEMBERSHIP_EVENTS | _ACTOR_EVIDENCE
_JOINS: Final = frozenset({"added", "joined"})
_LEAVES: Final = frozenset({"left", "removed"})
_YOU_KEY: Final = "\x00you"
_MARKS: Final = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")
_PHONE: Final = re.compile(r"\+?[\d\s()\-.\u2010\u2011]+")


@dataclass(frozen=True, slots=True)
class SystemEvent:
    """One system line of a conversation: names as written (``You`` allowed)."""

    seq: int
    timestamp: str | None
    event: str
    actor: str | None
    subjects: tuple[str, ...] = ()


class Interval(NamedTuple):
    """One stretch of membership: present at seqs ``joined_seq <= seq < left_seq``.

    ``None`` for ``joined_seq`` means from the start of the export, for ``left_seq`` until its
    end. ``how_joined``/``how_left`` name the system event, or are None when not recorded.
    """

    joined_seq: int | None
    left_seq: int | None
    how_joined: str | None
    how_left: str | None
    inferred: bool

    def covers(self, seq: int) -> bool:
        return (self.joined_seq is None or self.joined_seq <= seq) and (
            self.left_seq is None or seq < self.left_seq
        )


class Presence(NamedTuple):
    name: str
    inferred: bool


def name_key(name: str) -> str:
    """Matching key of a name as written in a header or a system line (see module doc)."""
    text = _MARKS.sub("", unicodedata.normalize("NFKC", name))
    text = text.strip().lstrip("~").strip()
    if text.casefold() == "you":
        return _YOU_KEY
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and _PHONE.fullmatch(text):
        return "+" + digits
    return " ".join(text.casefold().split())


@dataclass(slots=True)
class _Person:
    name: str
    origin: int | None = None  # the creation line, when the export shows one
    intervals: list[Interval] = field(default_factory=list)
    open_start: int | None = None
    open_how: str | None = None
    open_inferred: bool = False
    is_open: bool = False

    def join(self, seq: int, how: str, *, inferred: bool = False) -> None:
        if self.is_open and not self.open_inferred:
            return
        if self.is_open:
            self.close(seq, None)
        self._open(seq, how, inferred)

    def leave(self, seq: int, how: str) -> bool:
        """End the open interval; returns whether it was inferred (or had to be)."""
        if not self.is_open:
            # Gone without a recorded membership: from the start, or a re-entry not recorded.
            self._open(self._unknown_start(seq), None, True)
        inferred = self.open_inferred
        self.close(seq, how)
        return inferred

    def evidence(self, seq: int) -> None:
        if not self.is_open:
            self._open(self._unknown_start(seq), None, True)

    def _unknown_start(self, seq: int) -> int | None:
        """Where a membership first seen at ``seq`` began: the start of the export (or the
        group's creation), or ``seq`` itself for a re-entry after a leave."""
        if self.intervals:
            return seq
        return self.origin if self.origin is not None and self.origin <= seq else None

    def close(self, seq: int, how: str | None) -> None:
        interval = Interval(self.open_start, seq, self.open_how, how, self.open_inferred)
        self.intervals.append(interval)
        self.is_open = False

    def finish(self) -> None:
        if self.is_open:
            self.intervals.append(
                Interval(self.open_start, None, self.open_how, None, self.open_inferred)
            )
            self.is_open = False

    def _open(self, seq: int | None, how: str | None, inferred: bool) -> None:
        self.open_start, self.open_how, self.open_inferred = seq, how, inferred
        self.is_open = True


class Membership:
    """Who was a member when; built by ``derive_membership``."""

    def __init__(
        self, people: Mapping[str, _Person], you: str | None, timestamps: Mapping[int, str | None]
    ) -> None:
        self._people = dict(people)
        self._you = you
        self._timestamps = dict(timestamps)

    @property
    def you(self) -> str | None:
        """The name under which the exporting user appears, if any."""
        return self._you

    def names(self) -> list[str]:
        """Everyone who was a member at some point, by name."""
        return sorted((p.name for p in self._people.values()), key=_order)

    def intervals(self, name: str) -> list[Interval]:
        """The membership intervals of a name (any spelling with the same key); [] if unknown."""
        person = self._people.get(self.key(name))
        return list(person.intervals) if person else []

    def present_at(self, seq: int) -> list[Presence]:
        """Who was in the group when the line ``seq`` was posted, sorted by name."""
        found = []
        for person in self._people.values():
            for interval in person.intervals:
                if interval.covers(seq):
                    found.append(Presence(person.name, interval.inferred))
                    break
        return sorted(found, key=lambda p: _order(p.name))

    def key(self, name: str) -> str:
        """The matching key of a name; ``You`` resolves to the exporting user when known."""
        key = name_key(name)
        if key == _YOU_KEY and self._you is not None:
            return name_key(self._you)
        return key

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly description: every member's intervals with their times."""
        return {
            "you": self._you,
            "members": [
                {
                    "name": name,
                    "intervals": [self._interval_json(i) for i in self.intervals(name)],
                }
                for name in self.names()
            ],
        }

    def _interval_json(self, interval: Interval) -> dict[str, Any]:
        return {
            "joined_seq": interval.joined_seq,
            "joined_at": self._time(interval.joined_seq),
            "how_joined": interval.how_joined,
            "left_seq": interval.left_seq,
            "left_at": self._time(interval.left_seq),
            "how_left": interval.how_left,
            "inferred": interval.inferred,
        }

    def _time(self, seq: int | None) -> str | None:
        return None if seq is None else self._timestamps.get(seq)


def derive_membership(
    events: Iterable[SystemEvent],
    speakers: Mapping[str, Sequence[int]],
    *,
    you: str | None,
) -> Membership:
    """Derive membership intervals of one conversation.

    ``events`` are its system lines (any order; membership and evidence events are used, the
    rest ignored). ``speakers`` maps each sender's name to the ascending seqs at which they
    posted: at least their first and last, and their first after each leave (that places an
    unrecorded re-entry exactly; more seqs change nothing).
    ``you`` is the exporting user's name (the custodian), or None when unknown.
    """
    ordered = sorted(events, key=lambda e: e.seq)
    created = [e.seq for e in ordered if e.event == "created"]
    builder = _Builder(you, created[0] if created else None)
    for name in speakers:
        builder.person(name)  # a sender's own spelling names the identity
    timeline = _timeline(ordered, speakers, builder.you_in(ordered))
    for seq, _, item in sorted(timeline, key=lambda t: (t[0], t[1])):
        if isinstance(item, SystemEvent):
            builder.apply(item)
        else:
            builder.person(item).evidence(seq)
    return builder.build({e.seq: e.timestamp for e in ordered})


_Item = tuple[int, int, "str | SystemEvent"]


def _timeline(
    events: Sequence[SystemEvent], speakers: Mapping[str, Sequence[int]], you: str | None
) -> list[_Item]:
    """Evidence (rank 0) sorts before a system event (rank 1) at the same seq."""
    items: list[_Item] = []
    for name, seqs in speakers.items():
        items.extend((s, 0, name) for s in _points(seqs))
    for event in events:
        items.append((event.seq, 1, event))
        for name in _evidence_names(event):
            items.append((event.seq, 0, name))
    if you is not None and items:
        items.extend(_exporter_evidence(events, items, you))
    return items


def _exporter_evidence(
    events: Sequence[SystemEvent], items: Sequence[_Item], you: str
) -> list[_Item]:
    """The exporter was present at the first line (unless their first own membership event is
    a join) and at the last (unless their last one is a leave)."""
    key = name_key(you)
    effects = [e for e in (_effect(event, key) for event in events) if e is not None]
    seqs = [i[0] for i in items]
    found: list[_Item] = []
    if not effects or effects[0] == "leave":
        found.append((min(seqs), 0, you))
    if not effects or effects[-1] == "join":
        found.append((max(seqs), 0, you))
    return found


def _effect(event: SystemEvent, key: str) -> str | None:
    """ "join", "leave" or None: what ``event`` does to the membership of the identity ``key``."""
    actor = event.actor is not None and _is(event.actor, key)
    subject = any(_is(n, key) for n in event.subjects)
    kind = event.event
    if (kind == "created" and actor) or (kind in _JOINS and subject):
        return "join"
    if kind in _LEAVES and subject:
        return "leave"
    if kind == "number-changed" and actor != subject:
        return "leave" if actor else "join"
    return None


def _is(name: str, key: str) -> bool:
    own = name_key(name)
    return own in (key, _YOU_KEY)


def _points(seqs: Sequence[int]) -> list[int]:
    return sorted(set(seqs))


def _evidence_names(event: SystemEvent) -> list[str]:
    if event.event not in _ACTOR_EVIDENCE:
        return []
    names = [event.actor] if event.actor else []
    if event.event == "admin":
        names.extend(event.subjects)
    return names


class _Builder:
    def __init__(self, you: str | None, origin: int | None) -> None:
        self._you = you
        self._origin = origin
        self._people: dict[str, _Person] = {}

    def you_in(self, events: Sequence[SystemEvent]) -> str | None:
        """The exporting user's name when known or written as ``You`` in some event."""
        if self._you is not None:
            return self._you
        for event in events:
            names = [event.actor, *event.subjects] if event.event in MEMBERSHIP_EVENTS else []
            if any(n is not None and name_key(n) == _YOU_KEY for n in names):
                return YOU
        return None

    def person(self, name: str) -> _Person:
        key = name_key(name)
        if key == _YOU_KEY:
            name = self._you or YOU
            key = name_key(name)
        person = self._people.get(key)
        if person is None:
            person = self._people[key] = _Person(_clean(name), self._origin)
        return person

    def apply(self, event: SystemEvent) -> None:
        kind, seq = event.event, event.seq
        if kind == "created" and event.actor:
            self.person(event.actor).join(seq, kind)
        elif kind in _JOINS:
            for name in event.subjects:
                self.person(name).join(seq, kind)
        elif kind in _LEAVES:
            for name in event.subjects:
                self.person(name).leave(seq, kind)
        elif kind == "number-changed":
            self._number_changed(event)

    def _number_changed(self, event: SystemEvent) -> None:
        if not event.actor:
            return
        old = self.person(event.actor)
        new = [self.person(n) for n in event.subjects if self.person(n) is not old]
        if not new:
            old.evidence(event.seq)
            return
        inferred = old.leave(event.seq, "number-changed")
        for person in new:
            person.join(event.seq, "number-changed", inferred=inferred)

    def build(self, timestamps: Mapping[int, str | None]) -> Membership:
        for person in self._people.values():
            person.finish()
        people = {k: p for k, p in self._people.items() if p.intervals}
        you = None if self._you is None and _YOU_KEY not in people else (self._you or YOU)
        return Membership(people, you, timestamps)


def _clean(name: str) -> str:
    return _MARKS.sub("", name).strip()


def _order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)
