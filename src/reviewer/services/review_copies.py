"""What review a message shows when it is a copy of a reconciled message (DESIGN.md §9): the
review of every copy of that message, so a tag, note, stance or review mark made through any
copy (written to the canonical copy by :mod:`reviewer.services.tagging`, or on several copies
before the chats were reconciled) shows on each of them and in the reconciled view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from reviewer.store import browse_repo, reconciled_copies

__all__ = ["Review", "join_notes", "read", "tags"]


@dataclass(frozen=True, slots=True)
class Review:
    """Per message id asked for: category keys (taxonomy order), note, (participant, stance)
    pairs and whether it is marked reviewed, each the union over its copies."""

    tags: dict[int, list[str]]
    notes: dict[int, str]
    stances: dict[int, list[tuple[int, str]]]
    reviewed: set[int]


def read(session: Session, ids: Sequence[int]) -> Review:
    """The review shown on these messages (a page): one read per table over all copies."""
    groups = reconciled_copies.review_groups(session, ids)
    every = sorted({m for g in groups.values() for m in g.members})
    tags = browse_repo.tags(session, every)
    notes = browse_repo.notes(session, every)
    stances = browse_repo.stances(session, every)
    marked = browse_repo.reviewed(session, every)
    if all(len(g.members) == 1 for g in groups.values()):  # nothing reconciled here
        return Review(dict(tags), notes, dict(stances), marked)
    same_person = _same_person(session, groups, stances)
    found = Review(_union_of_tags(session, groups, tags), {}, {}, set())
    for mid, group in groups.items():
        note = join_notes(notes[m] for m in group.members if m in notes)
        if note is not None:
            found.notes[mid] = note
        pairs: dict[int, str] = {}
        for m in group.members:
            for pid, stance in stances.get(m, ()):
                pairs.setdefault(same_person.get((mid, pid), pid), stance)
        if pairs:
            found.stances[mid] = sorted(pairs.items())
        if marked.intersection(group.members):
            found.reviewed.add(mid)
    return found


def tags(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Only the category keys :func:`read` gives (for views that show no other review)."""
    groups = reconciled_copies.review_groups(session, ids)
    every = sorted({m for g in groups.values() for m in g.members})
    found = browse_repo.tags(session, every)
    if all(len(g.members) == 1 for g in groups.values()):
        return dict(found)
    return _union_of_tags(session, groups, found)


def _union_of_tags(
    session: Session, groups: dict[int, reconciled_copies.Group], tags: dict[int, list[str]]
) -> dict[int, list[str]]:
    """Per message, the keys of all its copies, in taxonomy order."""
    position = browse_repo.category_positions(session)
    found: dict[int, list[str]] = {}
    for mid, group in groups.items():
        keys = {k for m in group.members for k in tags.get(m, ())}
        if keys:
            found[mid] = sorted(keys, key=lambda k: (position.get(k, 1 << 30), k))
    return found


def join_notes(texts: Iterable[str]) -> str | None:
    """The note of a reconciled message whose copies hold several (canonical copy first)."""
    held = [t for t in texts if t]
    return "\n\n".join(held) if held else None


def _same_person(
    session: Session,
    groups: dict[int, reconciled_copies.Group],
    stances: dict[int, list[tuple[int, str]]],
) -> dict[tuple[int, int], int]:
    """(message, participant of another exhibit) -> the participant of the message's own
    exhibit linked to them as one person, for stances recorded through other copies."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for mid, group in groups.items():
        for m in group.members:  # the canonical copy holds stances made through any copy
            wanted[mid].update(pid for pid, _ in stances.get(m, ()))
    if not any(wanted.values()):
        return {}
    exhibit_of = browse_repo.message_exhibits(session, list(wanted))
    linked = browse_repo.person_participants(session, sorted(set().union(*wanted.values())))
    found: dict[tuple[int, int], int] = {}
    for mid, pids in wanted.items():
        for pid in pids:
            for other, exhibit in linked.get(pid, ()):
                if exhibit == exhibit_of.get(mid):
                    found[(mid, pid)] = other
    return found
