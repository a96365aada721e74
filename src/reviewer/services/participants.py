"""Participants: listing, who was in the group when, and the reviewer's assertions about them
(one person across names or exhibits, the custodian, a subject of the investigation).

Every change and its audit entry are one transaction. Changes to participants return
``tagging.Changes`` with no message ids: ``audit_seq`` is None when nothing changed.

Linking: participants a reviewer declares to be one person share ``person_id`` = the smallest
participant id of the group (the group includes everyone already linked to any of them).
Unlinking a participant takes it out of its group; the rest stay linked under their own
smallest id, and a group left with one member is dissolved.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.review.membership import (
    MEMBERSHIP_EVIDENCE,
    YOU,
    Membership,
    SystemEvent,
    derive_membership,
    name_key,
)
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.tagging import Changes
from reviewer.store import participant_repo
from reviewer.store.models import Exhibit, Participant


@dataclass(frozen=True, slots=True)
class ParticipantInfo:
    id: int
    exhibit: str
    display_name: str
    match_key: str
    message_count: int
    first_timestamp: str | None
    last_timestamp: str | None
    person_id: int | None
    is_custodian: bool
    is_subject: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "exhibit": self.exhibit,
            "display_name": self.display_name,
            "match_key": self.match_key,
            "message_count": self.message_count,
            "first_timestamp": self.first_timestamp,
            "last_timestamp": self.last_timestamp,
            "person_id": self.person_id,
            "is_custodian": self.is_custodian,
            "is_subject": self.is_subject,
        }


@dataclass(frozen=True, slots=True)
class PresentMember:
    """A member of the group when a message was posted; ``participant_id`` is None for someone
    who never posted in that exhibit (known only from system lines)."""

    participant_id: int | None
    name: str
    inferred: bool


def list_participants(case: Case, exhibit: str | None = None) -> list[ParticipantInfo]:
    """Participants of the case, or of one exhibit (by reference), by id."""
    with case.reading() as session:
        exhibit_id = None if exhibit is None else _exhibit_id(session, exhibit)
        rows = participant_repo.participant_rows(session, exhibit_id=exhibit_id)
    return [_info(row) for row in rows]


def membership(case: Case, exhibit: str) -> Membership:
    """Membership over time of an exhibit's conversation; its custodian is ``You``."""
    with case.reading() as session:
        exhibit_id = _exhibit_id(session, exhibit)
        conversations = participant_repo.conversation_ids(session, exhibit_id)
        if len(conversations) != 1:
            raise InputError(
                f"exhibit {exhibit} holds {len(conversations)} conversations; "
                "ask about a message instead"
            )
        return _membership(session, exhibit_id, conversations[0])


class GroupPresence:
    """Who was in one conversation's group when: derived once (a pass over its membership
    events and posts), then asked per message by its ``seq`` at no database cost. A viewer
    keeps one per conversation until the case changes (an import, a custodian flag)."""

    def __init__(self, membership: Membership, ids: dict[str, int]) -> None:
        self._membership = membership
        self._ids = ids

    def at(self, seq: int) -> list[PresentMember]:
        """Who was in the group when the line ``seq`` was posted, sorted by name."""
        derived = self._membership
        return [
            PresentMember(self._ids.get(derived.key(p.name)), p.name, p.inferred)
            for p in derived.present_at(seq)
        ]


def group_presence(case: Case, conversation_id: int) -> GroupPresence:
    """The membership of one conversation, to ask who was present at any of its messages."""
    with case.reading() as session:
        exhibit_id = participant_repo.conversation_exhibit(session, conversation_id)
        if exhibit_id is None:
            raise InputError(f"no conversation {conversation_id} in this case")
        return _group_presence(session, exhibit_id, conversation_id)


def _group_presence(session: Session, exhibit_id: int, conversation_id: int) -> GroupPresence:
    derived = _membership(session, exhibit_id, conversation_id)
    ids = {
        derived.key(name): pid
        for pid, name in participant_repo.exhibit_participants(session, exhibit_id)
    }
    return GroupPresence(derived, ids)


def present_at(case: Case, message_id: int) -> list[PresentMember]:
    """Who was in the group when a message was posted, sorted by name."""
    with case.reading() as session:
        place = participant_repo.message_place(session, message_id)
        if place is None:
            raise InputError(f"no message {message_id} in this case")
        presence = _group_presence(session, place.exhibit_id, place.conversation_id)
    return presence.at(place.seq)


def link_participants(case: Case, actor: Actor, ids: Sequence[int]) -> Changes:
    """Record that these participants (any exhibits) are one person."""
    wanted = sorted(set(ids))
    if len(wanted) < 2:
        raise InputError("give at least two different participant ids to link")
    with case.transaction() as session:
        _participants(session, wanted)
        group = participant_repo.linked_group(session, wanted)
        person = min(p.id for p in group)
        changed = [p for p in group if p.person_id != person]
        if not changed:
            return Changes(())
        for p in changed:
            p.person_id = person
        details = {
            "ids": [p.id for p in group],
            "person_id": person,
            "participants": [_describe(session, p) for p in group],
            "changed": [p.id for p in changed],
        }
        target = "participants " + ", ".join(str(p.id) for p in group)
        entry = audit_log.append(session, actor, "participant.linked", target, details)
        return Changes((), (), entry["seq"])


def unlink_participant(case: Case, actor: Actor, participant_id: int) -> Changes:
    """Take a participant out of the person it was linked to."""
    with case.transaction() as session:
        (participant,) = _participants(session, [participant_id])
        if participant.person_id is None:
            return Changes(())
        former = participant.person_id
        rest = [
            p
            for p in participant_repo.linked_group(session, [former])
            if p.id != participant_id and p.person_id == former
        ]
        participant.person_id = None
        regrouped = min((p.id for p in rest), default=None) if len(rest) > 1 else None
        for p in rest:
            p.person_id = regrouped
        details = {
            **_describe(session, participant),
            "former_person_id": former,
            "remaining": [p.id for p in rest],
            "remaining_person_id": regrouped,
        }
        entry = audit_log.append(
            session, actor, "participant.unlinked", f"participant {participant_id}", details
        )
        return Changes((), (), entry["seq"])


def set_custodian(case: Case, actor: Actor, participant_id: int) -> Changes:
    """Mark the participant whose phone the exhibit came from (one per exhibit)."""
    with case.transaction() as session:
        (participant,) = _participants(session, [participant_id])
        if participant.is_custodian:
            return Changes(())
        others = session.scalars(
            select(Participant).where(
                Participant.exhibit_id == participant.exhibit_id,
                Participant.is_custodian,
                Participant.id != participant_id,
            )
        ).all()
        previous = [p.id for p in others]
        for p in others:
            p.is_custodian = False
        participant.is_custodian = True
        details = {**_describe(session, participant), "previous": previous}
        entry = audit_log.append(
            session, actor, "participant.custodian", f"participant {participant_id}", details
        )
        return Changes((), (), entry["seq"])


def set_subject(case: Case, actor: Actor, participant_id: int, is_subject: bool) -> Changes:
    """Mark (or unmark) a participant as a subject of the investigation."""
    with case.transaction() as session:
        (participant,) = _participants(session, [participant_id])
        if bool(participant.is_subject) == is_subject:
            return Changes(())
        participant.is_subject = is_subject
        details = {**_describe(session, participant), "is_subject": is_subject}
        entry = audit_log.append(
            session, actor, "participant.subject", f"participant {participant_id}", details
        )
        return Changes((), (), entry["seq"])


# --------------------------------------------------------------------------- helpers


def _membership(session: Session, exhibit_id: int, conversation: int) -> Membership:
    rows = participant_repo.system_events(session, conversation, MEMBERSHIP_EVIDENCE)
    events = [SystemEvent(r.seq, r.timestamp, r.event, r.actor, r.subjects) for r in rows]
    you = _you(session, exhibit_id)
    speakers = participant_repo.speakers(session, conversation)
    posts = {s.participant_id: {s.first_seq, s.last_seq} for s in speakers}
    for pid, seq in _posts_after_leaves(session, conversation, events, speakers, you):
        posts[pid].add(seq)
    spans = {s.display_name: sorted(posts[s.participant_id]) for s in speakers}
    return derive_membership(events, spans, you=you)


def _posts_after_leaves(
    session: Session,
    conversation: int,
    events: Sequence[SystemEvent],
    speakers: Sequence[participant_repo.SpeakerRow],
    you: str | None,
) -> Iterator[tuple[int, int]]:
    """(participant id, seq) of each leaver's first post after leaving: beyond the first and
    last posts, the only ones ``derive_membership`` needs (it may open an inferred re-entry)."""
    by_key = {name_key(s.display_name): s.participant_id for s in speakers}
    you_key = name_key(you) if you else None
    for event in events:
        for name in _gone(event):
            key = name_key(name)
            pid = by_key.get(you_key if key == name_key(YOU) and you_key else key)
            if pid is None:
                continue
            after = participant_repo.first_post_after(session, conversation, pid, event.seq)
            if after is not None:
                yield pid, after


def _gone(event: SystemEvent) -> list[str]:
    """Names whose membership ``event`` may end."""
    if event.event in ("left", "removed"):
        return list(event.subjects)
    if event.event == "number-changed" and event.actor:
        return [event.actor]
    return []


def _you(session: Session, exhibit_id: int) -> str | None:
    """The custodian: the participant flagged as such, else the exhibit's custodian text
    (spelled as a participant with the same key, if there is one)."""
    flagged, text = participant_repo.exhibit_custodian(session, exhibit_id)
    if flagged is not None or text is None or not text.strip():
        return flagged
    key = name_key(text)
    for _, name in participant_repo.exhibit_participants(session, exhibit_id):
        if name_key(name) == key:
            return name
    return text.strip()


def _exhibit_id(session: Session, reference: str) -> int:
    found = participant_repo.exhibit_id(session, reference)
    if found is None:
        raise InputError(f"no exhibit {reference!r} in this case")
    return found


def _participants(session: Session, ids: Sequence[int]) -> list[Participant]:
    rows = session.scalars(select(Participant).where(Participant.id.in_(ids)))
    found = {p.id: p for p in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InputError(f"no participant {missing[0]} in this case")
    return [found[i] for i in ids]


def _describe(session: Session, participant: Participant) -> dict[str, Any]:
    exhibit = session.get(Exhibit, participant.exhibit_id)
    return {
        "id": participant.id,
        "name": participant.display_name,
        "exhibit": exhibit.reference if exhibit else None,
    }


def _info(row: participant_repo.ParticipantRow) -> ParticipantInfo:
    return ParticipantInfo(
        id=row.id,
        exhibit=row.exhibit,
        display_name=row.display_name,
        match_key=row.match_key,
        message_count=row.message_count,
        first_timestamp=row.first_timestamp,
        last_timestamp=row.last_timestamp,
        person_id=row.person_id,
        is_custodian=row.is_custodian,
        is_subject=row.is_subject,
    )
