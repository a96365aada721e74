"""Reads for reconciliation (conversations, their messages in order, names) and its writes:
conversation and person links, and the reconciled messages with their copies and absences."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session

from reviewer.store.models import (
    Attachment,
    Conversation,
    ConversationLink,
    Exhibit,
    Message,
    Participant,
    PersonLink,
    ReconciledAbsence,
    ReconciledChat,
    ReconciledCopy,
    ReconciledMessage,
)


@dataclass(frozen=True, slots=True)
class ConversationRow:
    id: int
    exhibit_id: int
    exhibit: str
    name: str
    messages: int


@dataclass(frozen=True, slots=True)
class ChatRows:
    """One reconciled chat to store: ``messages`` rows are (utc, first message id, copies,
    absences) with copies as (message id, exhibit id, state) and absences as (exhibit id,
    reason)."""

    name: str
    conversations: Sequence[int]
    offsets: dict[str, float]
    messages: Iterable[
        tuple[str | None, int, Sequence[tuple[int, int, str]], Sequence[tuple[int, str]]]
    ]  # read once, in chunks: it may be a generator


def conversations(session: Session) -> list[ConversationRow]:
    counts = (
        select(Message.conversation_id, func.count().label("n"))
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = session.execute(
        select(Conversation.id, Exhibit.id, Exhibit.reference, Conversation.name, counts.c.n)
        .join(Exhibit, Conversation.exhibit_id == Exhibit.id)
        .join(counts, counts.c.conversation_id == Conversation.id)
        .order_by(Exhibit.id, Conversation.id)
    ).all()
    return [ConversationRow(*row) for row in rows]


def message_rows(
    session: Session, conversation_id: int
) -> Iterator[tuple[int, int | None, int | None, str, str, bool, str | None, str | None]]:
    """(id, UTC as seconds since 1970, sender id, kind, text, edited, flags, system event) in
    the exhibit's order (plain tuples straight from the driver: this reads every message of
    the case, and SQLite converts the times faster than Python)."""
    cursor = session.connection().exec_driver_sql(
        "SELECT id, CAST(strftime('%s', utc) AS INTEGER), sender_id, kind, text, edited, flags, "
        "system_event FROM message "
        "WHERE conversation_id = ? ORDER BY seq",
        (conversation_id,),
    )
    while rows := cursor.fetchmany(10000):
        yield from rows


def attachment_names(session: Session, conversation_id: int) -> dict[int, frozenset[str]]:
    """Attachment file names as the export wrote them (whether the file is in it or not),
    case-folded, by message id."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(Attachment.message_id, Attachment.filename)
        .join(Message, Attachment.message_id == Message.id)
        .where(Message.conversation_id == conversation_id)
    )
    for message_id, filename in rows:
        name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip().casefold()
        if name:
            found[message_id].add(name)
    return {k: frozenset(v) for k, v in found.items()}


def attachment_hashes(session: Session, conversation_id: int) -> dict[int, frozenset[str]]:
    """SHA-256 of the attachments present, by message id."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(Attachment.message_id, Attachment.sha256)
        .join(Message, Attachment.message_id == Message.id)
        .where(
            Message.conversation_id == conversation_id,
            Attachment.present,
            Attachment.sha256.is_not(None),
        )
    )
    for message_id, sha256 in rows:
        if sha256 is not None:
            found[message_id].add(sha256)
    return {k: frozenset(v) for k, v in found.items()}


def exhibit_custodian(session: Session, exhibit_id: int) -> tuple[int | None, str | None]:
    """(the participant flagged as the exhibit's custodian, the custodian named at import)."""
    flagged = session.scalar(
        select(Participant.id)
        .where(Participant.exhibit_id == exhibit_id, Participant.is_custodian)
        .order_by(Participant.id)
        .limit(1)
    )
    named = session.scalar(select(Exhibit.custodian).where(Exhibit.id == exhibit_id))
    return flagged, named


def participant_names(session: Session, exhibit_id: int) -> dict[int, tuple[str, str]]:
    """Participant id -> (display name, match key) of an exhibit."""
    rows = session.execute(
        select(Participant.id, Participant.display_name, Participant.match_key).where(
            Participant.exhibit_id == exhibit_id
        )
    )
    return {pid: (name, key) for pid, name, key in rows}


def subject_texts(session: Session, conversation_id: int) -> list[str]:
    """Texts of the conversation's group creation and subject-change lines."""
    return list(
        session.scalars(
            select(Message.text).where(
                Message.conversation_id == conversation_id,
                Message.system_event.in_(("created", "subject")),
            )
        )
    )


def conversation_links(session: Session) -> list[ConversationLink]:
    return list(session.scalars(select(ConversationLink).order_by(ConversationLink.id)))


def person_links(session: Session) -> list[PersonLink]:
    return list(session.scalars(select(PersonLink).order_by(PersonLink.id)))


def replace_reconciled(session: Session, chats: Iterable[ChatRows]) -> tuple[int, int]:
    """Drop the previous run's reconciled rows and store these; (messages, copies) written.
    Rows go to the database in chunks, so a chat's rows are never all in memory at once."""
    for model in (ReconciledAbsence, ReconciledCopy, ReconciledMessage, ReconciledChat):
        session.execute(delete(model))
    connection = session.connection()
    message_count = copy_count = 0
    next_id = 1
    for chat in chats:
        record = ReconciledChat(
            name=chat.name,
            conversations=json.dumps(list(chat.conversations)),
            offsets=json.dumps(chat.offsets, ensure_ascii=False, sort_keys=True),
        )
        session.add(record)
        session.flush()
        messages: list[tuple[int, int, int, str | None, int]] = []
        copies: list[tuple[int, int, int, str]] = []
        absences: list[tuple[int, int, str]] = []
        for position, (utc, first, chat_copies, chat_absences) in enumerate(chat.messages):
            messages.append((next_id, record.id, position, utc, first))
            copies.extend((mid, next_id, exhibit, state) for mid, exhibit, state in chat_copies)
            absences.extend((next_id, exhibit, reason) for exhibit, reason in chat_absences)
            next_id += 1
            if len(messages) >= _CHUNK:
                copy_count += _flush(connection, messages, copies, absences)
                message_count += _CHUNK
        message_count += len(messages)
        copy_count += _flush(connection, messages, copies, absences)
    return message_count, copy_count


_CHUNK = 20000


def _flush(
    connection: Connection,
    messages: list[tuple[int, int, int, str | None, int]],
    copies: list[tuple[int, int, int, str]],
    absences: list[tuple[int, int, str]],
) -> int:
    """Insert and clear the buffered rows; the number of copies written."""
    written = len(copies)
    if messages:
        connection.exec_driver_sql(
            "INSERT INTO reconciled_message (id, chat_id, position, utc, first_message_id) "
            "VALUES (?, ?, ?, ?, ?)",
            messages,
        )
    if copies:
        connection.exec_driver_sql(
            "INSERT INTO reconciled_copy (message_id, reconciled_id, exhibit_id, state) "
            "VALUES (?, ?, ?, ?)",
            copies,
        )
    if absences:
        connection.exec_driver_sql(
            "INSERT INTO reconciled_absence (reconciled_id, exhibit_id, reason) VALUES (?, ?, ?)",
            absences,
        )
    messages.clear()
    copies.clear()
    absences.clear()
    return written


@dataclass(frozen=True, slots=True)
class ReconciledRow:
    id: int
    chat: str
    first_message_id: int
    copies: tuple[tuple[str, int, str], ...]  # (exhibit reference, message id, state)
    absent: tuple[tuple[str, str], ...]  # (exhibit reference, reason)


def iter_reconciled(session: Session, page: int = 5000) -> Iterator[ReconciledRow]:
    """Reconciled messages chat by chat, in chat order, with their copies (earliest-imported
    exhibit first) and absences. Plain driver tuples: this reads every copy of the case."""
    references = {eid: ref for eid, ref in session.execute(select(Exhibit.id, Exhibit.reference))}
    chats = session.execute(
        select(ReconciledChat.id, ReconciledChat.name).order_by(ReconciledChat.id)
    ).all()
    connection = session.connection()
    for chat_id, chat_name in chats:
        last = -1
        while True:
            rows = connection.exec_driver_sql(
                "SELECT id, position, first_message_id FROM reconciled_message "
                "WHERE chat_id = ? AND position > ? ORDER BY position LIMIT ?",
                (chat_id, last, page),
            ).fetchall()
            if not rows:
                break
            span = (rows[0][0], rows[-1][0])
            copies: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
            for rid, mid, exhibit, state in connection.exec_driver_sql(
                "SELECT reconciled_id, message_id, exhibit_id, state FROM reconciled_copy "
                "WHERE reconciled_id BETWEEN ? AND ? ORDER BY exhibit_id, message_id",
                span,
            ):
                copies[rid].append((references[exhibit], mid, state))
            absent: dict[int, list[tuple[str, str]]] = defaultdict(list)
            for rid, exhibit, reason in connection.exec_driver_sql(
                "SELECT reconciled_id, exhibit_id, reason FROM reconciled_absence "
                "WHERE reconciled_id BETWEEN ? AND ? ORDER BY exhibit_id",
                span,
            ):
                absent[rid].append((references[exhibit], reason))
            for rid, _position, first in rows:
                yield ReconciledRow(rid, chat_name, first, tuple(copies[rid]), tuple(absent[rid]))
            last = rows[-1][1]


def has_reconciled(session: Session) -> bool:
    """Whether reconcile has run (a case without messages has nothing to reconcile)."""
    if session.scalar(select(ReconciledChat.id).limit(1)) is not None:
        return True
    return session.scalar(select(Message.id).limit(1)) is None
