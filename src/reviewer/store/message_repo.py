"""Keyset-paged reads of messages with their exhibit, sender and attachments."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, aliased

from reviewer.store.models import Attachment, Conversation, Exhibit, Message, Participant


def decode_list(text: str | None) -> tuple[str, ...]:
    """A list column of ``message`` (flags, event subjects) as the importer stores it: JSON,
    or NULL for none. Text that is not a JSON list is kept whole, as one item."""
    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return (text,)
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    filename: str
    sha256: str | None
    mime: str | None
    size: int | None
    present: bool


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    exhibit: str
    chat_file: str
    conversation: str
    seq: int
    timestamp: str | None
    utc: str | None
    time_flag: str | None
    sender: str | None
    kind: str
    text: str
    edited: bool
    reply_to: int | None
    src_line: int
    src_lines: int
    src_offset: int
    src_length: int
    attachments: tuple[AttachmentRow, ...]


def _rows_query() -> Select[*tuple[Any, ...]]:
    sender = aliased(Participant)
    return (
        select(
            Message.id,
            Exhibit.reference.label("exhibit"),
            Exhibit.chat_file,
            Conversation.name.label("conversation"),
            Message.seq,
            Message.timestamp,
            Message.utc,
            Message.time_flag,
            sender.display_name.label("sender"),
            Message.kind,
            Message.text,
            Message.edited,
            Message.reply_to_id.label("reply_to"),
            Message.src_line,
            Message.src_lines,
            Message.src_offset,
            Message.src_length,
        )
        .join(Conversation, Message.conversation_id == Conversation.id)
        .join(Exhibit, Conversation.exhibit_id == Exhibit.id)
        .outerjoin(sender, Message.sender_id == sender.id)
    )


def iter_messages(
    session: Session, *, exhibit: str | None = None, page: int = 5000
) -> Iterator[MessageRow]:
    """Messages in conversation order (ids are assigned in file order at import)."""
    query = _rows_query().order_by(Message.id).limit(page)
    if exhibit is not None:
        query = query.where(Exhibit.reference == exhibit)
    last = 0
    while True:
        rows = session.execute(query.where(Message.id > last)).all()
        if not rows:
            return
        attachments = _attachments(session, [row.id for row in rows])
        for row in rows:
            yield MessageRow(**row._asdict(), attachments=attachments.get(row.id, ()))
        last = rows[-1].id


def messages_by_id(session: Session, ids: Sequence[int]) -> dict[int, MessageRow]:
    """The rows of these messages (at most a few thousand ids), by id."""
    if not ids:
        return {}
    rows = session.execute(_rows_query().where(Message.id.in_(ids))).all()
    attachments = _attachments_where(session, Attachment.message_id.in_(ids))
    return {
        row.id: MessageRow(**row._asdict(), attachments=attachments.get(row.id, ())) for row in rows
    }


def _attachments(session: Session, ids: Sequence[int]) -> dict[int, tuple[AttachmentRow, ...]]:
    """A page's attachments (its ids are consecutive in conversation order)."""
    return _attachments_where(
        session, (Attachment.message_id >= ids[0]) & (Attachment.message_id <= ids[-1])
    )


def _attachments_where(
    session: Session, condition: ColumnElement[bool]
) -> dict[int, tuple[AttachmentRow, ...]]:
    found: dict[int, list[AttachmentRow]] = defaultdict(list)
    rows = session.execute(
        select(
            Attachment.message_id,
            Attachment.filename,
            Attachment.sha256,
            Attachment.mime,
            Attachment.size,
            Attachment.present,
        )
        .where(condition)
        .order_by(Attachment.message_id, Attachment.ordinal)
    ).all()
    for message_id, filename, sha256, mime, size, present in rows:
        found[message_id].append(AttachmentRow(filename, sha256, mime, size, present))
    return {key: tuple(value) for key, value in found.items()}
