"""Reads about participants: who they are, how much they wrote, and a conversation's system
lines and speakers (the inputs of ``review.membership``)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewer.store.models import Conversation, Exhibit, Message, Participant


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    id: int
    exhibit_id: int
    exhibit: str
    display_name: str
    match_key: str
    message_count: int
    first_timestamp: str | None
    last_timestamp: str | None
    person_id: int | None
    is_custodian: bool
    is_subject: bool


@dataclass(frozen=True, slots=True)
class EventRow:
    seq: int
    timestamp: str | None
    event: str
    actor: str | None
    subjects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SpeakerRow:
    participant_id: int
    display_name: str
    first_seq: int
    last_seq: int


@dataclass(frozen=True, slots=True)
class MessagePlace:
    conversation_id: int
    exhibit_id: int
    seq: int


def participant_rows(
    session: Session, *, exhibit_id: int | None = None, ids: Collection[int] | None = None
) -> list[ParticipantRow]:
    """Participants with their message counts and first/last local timestamps, by id."""
    stats = (
        select(
            Message.sender_id.label("pid"),
            func.count().label("n"),
            func.min(Message.timestamp).label("first"),
            func.max(Message.timestamp).label("last"),
        )
        .where(Message.sender_id.is_not(None))
        .group_by(Message.sender_id)
    )
    if ids is not None:
        stats = stats.where(Message.sender_id.in_(ids))
    counts = stats.subquery()
    query = (
        select(
            Participant,
            Exhibit.reference,
            func.coalesce(counts.c.n, 0),
            counts.c.first,
            counts.c.last,
        )
        .join(Exhibit, Participant.exhibit_id == Exhibit.id)
        .outerjoin(counts, counts.c.pid == Participant.id)
        .order_by(Participant.id)
    )
    if exhibit_id is not None:
        query = query.where(Participant.exhibit_id == exhibit_id)
    if ids is not None:
        query = query.where(Participant.id.in_(ids))
    return [
        ParticipantRow(
            id=p.id,
            exhibit_id=p.exhibit_id,
            exhibit=reference,
            display_name=p.display_name,
            match_key=p.match_key,
            message_count=int(count),
            first_timestamp=first,
            last_timestamp=last,
            person_id=p.person_id,
            is_custodian=bool(p.is_custodian),
            is_subject=bool(p.is_subject),
        )
        for p, reference, count, first, last in session.execute(query).all()
    ]


def exhibit_id(session: Session, reference: str) -> int | None:
    return session.scalar(select(Exhibit.id).where(Exhibit.reference == reference))


def conversation_ids(session: Session, exhibit: int) -> list[int]:
    return list(
        session.scalars(
            select(Conversation.id)
            .where(Conversation.exhibit_id == exhibit)
            .order_by(Conversation.id)
        )
    )


def message_place(session: Session, message_id: int) -> MessagePlace | None:
    row = session.execute(
        select(Message.conversation_id, Conversation.exhibit_id, Message.seq)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .where(Message.id == message_id)
    ).first()
    return MessagePlace(*row) if row else None


def conversation_exhibit(session: Session, conversation_id: int) -> int | None:
    """The exhibit a conversation belongs to."""
    found = session.scalar(
        select(Conversation.exhibit_id).where(Conversation.id == conversation_id)
    )
    return int(found) if found is not None else None


def system_events(session: Session, conversation: int, kinds: Collection[str]) -> list[EventRow]:
    """The conversation's system lines of the given kinds, in file order."""
    rows = session.execute(
        select(
            Message.seq,
            Message.timestamp,
            Message.system_event,
            Message.event_actor,
            Message.event_subjects,
        )
        .where(Message.conversation_id == conversation, Message.system_event.in_(kinds))
        .order_by(Message.seq)
    ).all()
    return [
        EventRow(seq, timestamp, event or "", actor, _subjects(subjects))
        for seq, timestamp, event, actor, subjects in rows
    ]


def speakers(session: Session, conversation: int) -> list[SpeakerRow]:
    """Everyone who posted in the conversation, with the seqs of their first and last post."""
    rows = session.execute(
        select(
            Participant.id,
            Participant.display_name,
            func.min(Message.seq),
            func.max(Message.seq),
        )
        .join(Participant, Message.sender_id == Participant.id)
        .where(Message.conversation_id == conversation)
        .group_by(Participant.id)
        .order_by(Participant.id)
    ).all()
    return [SpeakerRow(*row) for row in rows]


def first_post_after(
    session: Session, conversation: int, participant_id: int, seq: int
) -> int | None:
    """The seq of the participant's first post after ``seq`` in the conversation, if any."""
    return session.scalar(
        select(func.min(Message.seq)).where(
            Message.conversation_id == conversation,
            Message.seq > seq,
            Message.sender_id == participant_id,
        )
    )


def exhibit_custodian(session: Session, exhibit: int) -> tuple[str | None, str | None]:
    """(display name of the participant flagged as custodian, the exhibit's custodian text)."""
    flagged = session.scalar(
        select(Participant.display_name)
        .where(Participant.exhibit_id == exhibit, Participant.is_custodian)
        .order_by(Participant.id)
        .limit(1)
    )
    text = session.scalar(select(Exhibit.custodian).where(Exhibit.id == exhibit))
    return flagged, text


def exhibit_participants(session: Session, exhibit: int) -> list[tuple[int, str]]:
    """(id, display name) of an exhibit's participants."""
    rows = session.execute(
        select(Participant.id, Participant.display_name)
        .where(Participant.exhibit_id == exhibit)
        .order_by(Participant.id)
    ).all()
    return [(pid, name) for pid, name in rows]


def linked_group(session: Session, ids: Collection[int]) -> list[Participant]:
    """The participants with these ids and everyone already linked to any of them."""
    given = session.scalars(select(Participant).where(Participant.id.in_(ids))).all()
    persons = {p.person_id for p in given if p.person_id is not None} | set(ids)
    linked = session.scalars(select(Participant).where(Participant.person_id.in_(persons))).all()
    return sorted({p.id: p for p in (*given, *linked)}.values(), key=lambda p: p.id)


def _subjects(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    value = json.loads(text)
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
