"""Package review under the once-rule (DESIGN.md §9, §11): a decision a package made on any
copy of a reconciled message is a decision on that message, held by the case's canonical
(earliest-imported) copy, as a tag made in the case through that copy would be; a stance is
on a person, whichever exhibit's spelling of them it names.

Merge and adjudication compare and write review keyed by the canonical copy of the case the
package goes back into (its reconciliation decides, not the package's): two reviewers tagging
two copies of one message made the same decision. Where a decision was made through another
copy, ``through`` keeps that copy's id for the audit entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.services.review_copies import join_notes
from reviewer.store import reconciled_copies
from reviewer.store.models import Participant
from reviewer.store.package_repo import ReviewState

Item = tuple[str, int, str]  # kind, message id, category / "" / participant id


class Canon:
    """Each message's canonical copy and the copies review acts on, read from the case in
    chunks as ids are asked for (a message never reconciled is its own canonical copy)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._groups: dict[int, reconciled_copies.Group] = {}
        self._people: dict[int, tuple[int, ...]] | None = None

    def load(self, ids: Iterable[int]) -> None:
        missing = {int(m) for m in ids} - self._groups.keys()
        if missing:
            self._groups.update(reconciled_copies.review_groups(self._session, missing))

    def __call__(self, message_id: int) -> int:
        self.load((message_id,))
        return self._groups[message_id].canonical

    def members(self, message_id: int) -> tuple[int, ...]:
        self.load((message_id,))
        return self._groups[message_id].members

    def same_person(self, participant_id: int) -> tuple[int, ...]:
        """The participants linked to this one as one person (``reviewer link``, a confirmed
        name link), smallest id first; itself alone when unlinked."""
        if self._people is None:
            by_person: dict[int, list[int]] = defaultdict(list)
            for pid, person in self._session.execute(select(Participant.id, Participant.person_id)):
                if person is not None:
                    by_person[int(person)].append(int(pid))
            self._people = {p: tuple(sorted(ids)) for ids in by_person.values() for p in ids}
        return self._people.get(participant_id, (participant_id,))

    def item(self, item: Item) -> Item:
        """An item keyed by its message's canonical copy and, for a stance, its person (the
        smallest participant id linked as that person)."""
        key = item[2]
        if item[0] == "stance" and key.lstrip("-").isdigit():
            key = str(self.same_person(int(key))[0])
        return (item[0], self(item[1]), key)


@dataclass(slots=True)
class Redirected:
    """A review state keyed by canonical copies; ``through``: item -> the copy it is held on
    (or was decided on) where that is not the canonical copy."""

    state: ReviewState
    through: dict[Item, int] = field(default_factory=dict)


def redirect(state: ReviewState, canon: Canon) -> Redirected:
    """``state`` with every item moved to its message's canonical copy. Several copies holding
    one item are one decision: the canonical copy's if it holds one, else the earliest; notes
    of several copies are joined, canonical copy first (as the case shows them)."""
    canon.load(state.message_ids())
    out = Redirected(ReviewState())

    def order(m: int, value: dict[str, Any]) -> tuple[bool, str, int]:
        return (m != canon(m), str(value.get("at") or ""), m)

    for (m, c), value in sorted(state.tags.items(), key=lambda kv: order(kv[0][0], kv[1])):
        _keep(out, out.state.tags, (canon(m), c), ("tag", canon(m), c), m, value)
    for m, value in sorted(state.marks.items(), key=lambda kv: order(kv[0], kv[1])):
        _keep(out, out.state.marks, canon(m), ("mark", canon(m), ""), m, value)
    for (m, p), value in sorted(state.stances.items(), key=lambda kv: order(kv[0][0], kv[1])):
        person = canon.same_person(p)[0]  # a stance on one person, whichever spelling
        item = ("stance", canon(m), str(person))
        _keep(out, out.state.stances, (canon(m), person), item, m, {**value, "participant": p})
    notes: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for m, value in sorted(state.notes.items(), key=lambda kv: order(kv[0], kv[1])):
        notes[canon(m)].append((m, value))
    for first, held in notes.items():
        m, value = held[0]
        text = join_notes(str(v["text"]) for _, v in held)
        out.state.notes[first] = {**value, "text": text}
        if m != first:
            out.through[("note", first, "")] = m
    return out


def _keep(
    out: Redirected,
    table: dict[Any, dict[str, Any]],
    key: Any,
    item: Item,
    message_id: int,
    value: dict[str, Any],
) -> None:
    if key in table:
        return
    table[key] = value
    if message_id != item[1]:
        out.through[item] = message_id
