"""Reads for browsing a reconciled chat (DESIGN.md §9): the chats with their exhibits and
sizes, and the ordered earliest-imported copies of a chat's messages, optionally only those
deleted on some phone or missing (in range) from one exhibit. Plain driver rows."""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core import timeutil
from reviewer.store import browse_repo
from reviewer.store.models import Conversation, Exhibit, ReconciledChat


@dataclass(frozen=True, slots=True)
class ChatRow:
    id: int
    name: str
    exhibits: tuple[str, ...]  # references, earliest-imported first
    message_count: int


def chats(session: Session) -> list[ChatRow]:
    """Every reconciled chat, in the order reconcile stored them."""
    exhibit_of = dict(
        session.execute(
            select(Conversation.id, Exhibit.id).join(Exhibit, Conversation.exhibit_id == Exhibit.id)
        ).all()
    )
    references = dict(session.execute(select(Exhibit.id, Exhibit.reference)).all())
    counts: dict[int, int] = dict(
        session.connection()
        .exec_driver_sql("SELECT chat_id, COUNT(*) FROM reconciled_message GROUP BY chat_id")
        .fetchall()
    )
    rows: list[ChatRow] = []
    for chat_id, name, conversations in session.execute(
        select(ReconciledChat.id, ReconciledChat.name, ReconciledChat.conversations).order_by(
            ReconciledChat.id
        )
    ):
        exhibit_ids = sorted({exhibit_of[c] for c in json.loads(conversations) if c in exhibit_of})
        rows.append(
            ChatRow(
                chat_id,
                name,
                tuple(references[e] for e in exhibit_ids),
                int(counts.get(chat_id, 0)),
            )
        )
    return rows


def chat_message_ids(
    session: Session, chat_id: int, *, deleted: bool = False, missing_from: str | None = None
) -> array[int]:
    """The earliest-imported copy of each message of the chat, in chat order (one index scan
    fetching ids only); ``deleted``: only messages some exhibit shows deleted;
    ``missing_from``: only messages that exhibit lacks within the span it covers."""
    sql = "SELECT m.first_message_id FROM reconciled_message m WHERE m.chat_id = ?"
    params: list[object] = [chat_id]
    if deleted:
        sql += (
            " AND EXISTS (SELECT 1 FROM reconciled_copy c"
            " WHERE c.reconciled_id = m.id AND c.state = 'deleted')"
        )
    if missing_from is not None:
        sql += (
            " AND EXISTS (SELECT 1 FROM reconciled_absence a JOIN exhibit e"
            " ON e.id = a.exhibit_id WHERE a.reconciled_id = m.id"
            " AND a.reason = 'in-range' AND e.reference = ?)"
        )
        params.append(missing_from)
    sql += " ORDER BY m.position"
    cursor = session.connection().exec_driver_sql(sql, tuple(params))
    ids: array[int] = array("q")
    while rows := cursor.fetchmany(10000):
        ids.extend(row[0] for row in rows)
    return ids


@dataclass(frozen=True, slots=True)
class ChatClock:
    """The one clock a reconciled chat's days are read on: the zone of its earliest-imported
    exhibit (whose copies stand for the messages it holds), and each exhibit's clock offset
    against the chat's reference, in seconds."""

    exhibit: str
    zone: str
    offsets: dict[str, float]


def chat_clock(session: Session, chat_id: int) -> ChatClock:
    row = session.execute(
        select(ReconciledChat.conversations, ReconciledChat.offsets).where(
            ReconciledChat.id == chat_id
        )
    ).one()
    conversations = json.loads(row[0])
    reference, zone = session.execute(
        select(Exhibit.reference, Exhibit.timezone)
        .join(Conversation, Conversation.exhibit_id == Exhibit.id)
        .where(Conversation.id.in_(conversations))
        .order_by(Conversation.id)
        .limit(1)
    ).one()
    offsets = {str(k): float(v) for k, v in json.loads(row[1] or "{}").items()}
    return ChatClock(str(reference), str(zone), offsets)


def chat_days(session: Session, chat_id: int) -> list[tuple[str, int, int, int]]:
    """(date, first id, messages, tagged messages) per day of a reconciled chat, each message
    once, tagged when any copy is (one pass). A message's day is that of its canonical copy's
    time, moved onto the clock of the chat's earliest-imported exhibit (its offset taken out)
    and read in that exhibit's zone (``chat_clock``): one zone for the whole chat, so a phone
    set to another zone cannot split a day near midnight."""
    clock = chat_clock(session, chat_id)
    tz = timeutil.zone(clock.zone)
    base = clock.offsets.get(clock.exhibit, 0.0)
    shift = {ref: timedelta(seconds=base - offset) for ref, offset in clock.offsets.items()}
    cursor = session.connection().exec_driver_sql(
        "SELECT m.first_message_id, m.utc, e.reference, EXISTS (SELECT 1 FROM"
        " reconciled_copy c JOIN tag g ON g.message_id = c.message_id"
        " WHERE c.reconciled_id = m.id) FROM reconciled_message m"
        " JOIN reconciled_copy f ON f.message_id = m.first_message_id"
        " JOIN exhibit e ON e.id = f.exhibit_id WHERE m.chat_id = ? ORDER BY m.position",
        (chat_id,),
    )

    hours: dict[tuple[str, str], str | None] = {}  # (UTC hour, exhibit) -> its one date

    def day(utc: str | None, reference: str) -> str | None:
        if not utc:
            return None
        move = shift.get(reference, _NO_SHIFT)
        key = (utc[:13], reference)
        whole = hours.get(key, "")
        if whole == "":  # the hour's date, unless local midnight falls within it
            start = datetime.fromisoformat(utc[:13] + ":00:00+00:00") + move
            first, last = ((start + _HOUR * k).astimezone(tz).date() for k in (0, 1))
            whole = hours[key] = first.isoformat() if first == last else None
        if whole is not None:
            return whole
        instant = datetime.fromisoformat(utc.replace("Z", "+00:00"))
        return (instant + move).astimezone(tz).date().isoformat()

    return browse_repo.days_of(
        (mid, day(utc, reference), bool(tagged)) for mid, utc, reference, tagged in cursor
    )


_NO_SHIFT = timedelta(0)
_HOUR = timedelta(seconds=3599)


def next_unreviewed(session: Session, chat_id: int, after_message_id: int) -> int | None:
    """The earliest-imported copy of the first message of the chat after the one
    ``after_message_id`` stands for (from the start when it stands for none) on no copy of
    which a tag or review mark is held."""
    connection = session.connection()
    found = connection.exec_driver_sql(
        "SELECT position FROM reconciled_message WHERE chat_id = ? AND first_message_id = ?",
        (chat_id, after_message_id),
    ).first()
    row = connection.exec_driver_sql(
        "SELECT m.first_message_id FROM reconciled_message m"
        " WHERE m.chat_id = ? AND m.position > ? AND NOT EXISTS (SELECT 1 FROM reconciled_copy c"
        " WHERE c.reconciled_id = m.id AND (c.message_id IN (SELECT message_id FROM tag)"
        " OR c.message_id IN (SELECT message_id FROM review_mark)))"
        " ORDER BY m.position LIMIT 1",
        (chat_id, -1 if found is None else int(found[0])),
    ).first()
    return None if row is None else int(row[0])
