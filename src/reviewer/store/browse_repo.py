"""Reads for the chat view: conversation id lists, pages of messages by id, day counts.

Every query here is by primary key, by an index range or a single indexed scan; nothing
uses OFFSET. Values leave as plain tuples and frozen dataclasses, never ORM instances.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

# SQLite's default limit on host parameters is 32766 (3.32+); pages are far smaller.
_MAX_PARAMS = 900


@dataclass(frozen=True, slots=True)
class ConversationRow:
    id: int
    exhibit: str
    name: str
    message_count: int
    custodian_id: int | None


@dataclass(frozen=True, slots=True)
class MessageBase:
    id: int
    exhibit: str
    chat_file: str
    conversation_id: int
    seq: int
    timestamp: str | None
    utc: str | None
    time_flag: str | None
    sender: str | None
    sender_id: int | None
    kind: str
    text: str
    edited: bool
    flags: str | None
    system_event: str | None
    reply_to: int | None
    src_line: int


@dataclass(frozen=True, slots=True)
class AttachmentBase:
    message_id: int
    filename: str
    sha256: str | None
    mime: str | None
    present: bool
    width: int | None
    height: int | None


def _raw(session: Session) -> sqlite3.Connection:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def conversations(session: Session) -> list[ConversationRow]:
    """Every conversation with its exhibit, message count and the exhibit's custodian: the
    participant flagged as custodian, else the one named as the exhibit's custodian."""
    raw = _raw(session)
    rows = raw.execute(
        "SELECT c.id, e.reference, c.name,"
        " COALESCE((SELECT p.id FROM participant p WHERE p.exhibit_id = c.exhibit_id"
        "   AND p.is_custodian ORDER BY p.id LIMIT 1),"
        "  (SELECT p.id FROM participant p WHERE p.exhibit_id = c.exhibit_id"
        "   AND e.custodian IS NOT NULL AND lower(trim(p.display_name)) = lower(trim(e.custodian))"
        "   ORDER BY p.id LIMIT 1))"
        " FROM conversation c JOIN exhibit e ON e.id = c.exhibit_id ORDER BY e.id, c.id"
    ).fetchall()
    return [
        ConversationRow(cid, exhibit, name, conversation_count(session, cid), custodian)
        for cid, exhibit, name, custodian in rows
    ]


def conversation_span(session: Session, conversation_id: int) -> tuple[int, int, int] | None:
    """(first id, last id, count) of a conversation in seq order; None when it is empty."""
    raw = _raw(session)
    first = raw.execute(
        "SELECT id FROM message WHERE conversation_id = ? ORDER BY seq LIMIT 1", (conversation_id,)
    ).fetchone()
    if first is None:
        return None
    last = raw.execute(
        "SELECT id FROM message WHERE conversation_id = ? ORDER BY seq DESC LIMIT 1",
        (conversation_id,),
    ).fetchone()
    return int(first[0]), int(last[0]), conversation_count(session, conversation_id)


def conversation_count(session: Session, conversation_id: int) -> int:
    """Messages in a conversation: the exhibit's stored count when it is the exhibit's only
    conversation, else a count over the (conversation, seq) index."""
    raw = _raw(session)
    row = raw.execute(
        "SELECT e.message_count, (SELECT count(*) FROM conversation c2"
        " WHERE c2.exhibit_id = c.exhibit_id) FROM conversation c"
        " JOIN exhibit e ON e.id = c.exhibit_id WHERE c.id = ?",
        (conversation_id,),
    ).fetchone()
    if row is not None and row[1] == 1 and row[0] is not None:
        return int(row[0])
    count = raw.execute(
        "SELECT count(*) FROM message WHERE conversation_id = ?", (conversation_id,)
    ).fetchone()
    return int(count[0])


def conversation_ids(session: Session, conversation_id: int) -> array[int]:
    """All message ids of a conversation in seq order (one scan of the (conversation, seq)
    index, which covers the rowid)."""
    cursor = _raw(session).execute(
        "SELECT id FROM message WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
    )
    ids: array[int] = array("q")
    while True:
        chunk = cursor.fetchmany(65536)
        if not chunk:
            return ids
        ids.extend(row[0] for row in chunk)


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + _MAX_PARAMS] for i in range(0, len(ids), _MAX_PARAMS)]


def _in(column: str, ids: Sequence[int]) -> str:
    return f"{column} IN ({','.join('?' * len(ids))})"


def message_bases(session: Session, ids: Sequence[int]) -> list[MessageBase]:
    """The messages with these ids (any order), joined with exhibit and sender."""
    raw = _raw(session)
    found: list[MessageBase] = []
    for chunk in _chunks(ids):
        rows = raw.execute(
            "SELECT m.id, e.reference, e.chat_file, m.conversation_id, m.seq, m.timestamp,"
            " m.utc, m.time_flag, p.display_name, m.sender_id, m.kind, m.text, m.edited,"
            " m.flags, m.system_event, m.reply_to_id, m.src_line"
            " FROM message m JOIN conversation c ON c.id = m.conversation_id"
            " JOIN exhibit e ON e.id = c.exhibit_id"
            " LEFT JOIN participant p ON p.id = m.sender_id"
            f" WHERE {_in('m.id', chunk)}",
            tuple(chunk),
        ).fetchall()
        found.extend(
            MessageBase(
                id=row[0],
                exhibit=row[1],
                chat_file=row[2],
                conversation_id=row[3],
                seq=row[4],
                timestamp=row[5],
                utc=row[6],
                time_flag=row[7],
                sender=row[8],
                sender_id=row[9],
                kind=row[10],
                text=row[11],
                edited=bool(row[12]),
                flags=row[13],
                system_event=row[14],
                reply_to=row[15],
                src_line=row[16],
            )
            for row in rows
        )
    return found


def attachments(session: Session, ids: Sequence[int]) -> dict[int, list[AttachmentBase]]:
    raw = _raw(session)
    found: dict[int, list[AttachmentBase]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = raw.execute(
            "SELECT message_id, filename, sha256, mime, present, width, height FROM attachment"
            f" WHERE {_in('message_id', chunk)} ORDER BY message_id, ordinal",
            tuple(chunk),
        ).fetchall()
        for mid, filename, sha, mime, present, width, height in rows:
            found[mid].append(
                AttachmentBase(mid, filename, sha, mime, bool(present), width, height)
            )
    return found


def tags(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Category keys per message, in taxonomy order."""
    raw = _raw(session)
    found: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = raw.execute(
            "SELECT t.message_id, t.category FROM tag t LEFT JOIN category k ON k.key = t.category"
            f" WHERE {_in('t.message_id', chunk)} ORDER BY t.message_id, k.position, t.category",
            tuple(chunk),
        ).fetchall()
        for mid, category in rows:
            found[mid].append(category)
    return found


def stances(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """(participant id, stance key) per message, by participant id."""
    raw = _raw(session)
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = raw.execute(
            "SELECT message_id, participant_id, stance FROM stance"
            f" WHERE {_in('message_id', chunk)} ORDER BY message_id, participant_id",
            tuple(chunk),
        ).fetchall()
        for mid, pid, stance in rows:
            found[int(mid)].append((int(pid), str(stance)))
    return found


def notes(session: Session, ids: Sequence[int]) -> dict[int, str]:
    raw = _raw(session)
    found: dict[int, str] = {}
    for chunk in _chunks(ids):
        rows = raw.execute(
            f"SELECT message_id, text FROM message_note WHERE {_in('message_id', chunk)}",
            tuple(chunk),
        ).fetchall()
        found.update((int(mid), str(text)) for mid, text in rows)
    return found


def reviewed(session: Session, ids: Sequence[int]) -> set[int]:
    raw = _raw(session)
    found: set[int] = set()
    for chunk in _chunks(ids):
        rows = raw.execute(
            f"SELECT message_id FROM review_mark WHERE {_in('message_id', chunk)}", tuple(chunk)
        ).fetchall()
        found.update(int(row[0]) for row in rows)
    return found


def day_counts(session: Session, conversation_id: int) -> list[tuple[str, int, int, int]]:
    """(local date 'YYYY-MM-DD', first id, count, tagged count) per day, in seq order.

    Messages without a timestamp count towards the day before them. One pass over the
    conversation (O(n): run it off the UI thread for large conversations).
    """
    raw = _raw(session)
    tagged = {
        int(row[0])
        for row in raw.execute(
            "SELECT DISTINCT t.message_id FROM tag t JOIN message m ON m.id = t.message_id"
            " WHERE m.conversation_id = ?"
            # a copy of a reconciled message another copy of which is tagged (DESIGN.md §9)
            " UNION SELECT c.message_id FROM message m"
            " JOIN reconciled_copy c ON c.message_id = m.id"
            " JOIN reconciled_copy o ON o.reconciled_id = c.reconciled_id"
            " JOIN tag t ON t.message_id = o.message_id WHERE m.conversation_id = ?",
            (conversation_id, conversation_id),
        )
    }
    cursor = raw.execute(
        "SELECT id, substr(timestamp, 1, 10) FROM message WHERE conversation_id = ? ORDER BY seq",
        (conversation_id,),
    )
    return days_of((mid, date, mid in tagged) for mid, date in cursor)


def days_of(rows: Iterable[tuple[int, str | None, bool]]) -> list[tuple[str, int, int, int]]:
    """(date, first id, count, tagged count) per day of (id, local date, tagged) rows in
    order; rows without a date count towards the day before them."""
    days: list[tuple[str, int, int, int]] = []
    day: str | None = None
    first = count = tag_count = 0
    leading: list[tuple[int, bool]] = []  # rows before the first dated one
    for mid, date, is_tagged in rows:
        if day is None and date is None:
            leading.append((mid, is_tagged))
            continue
        if date is not None and date != day:
            if day is not None:
                days.append((day, first, count, tag_count))
            day, first, count, tag_count = date, mid, 0, 0
            if leading:
                first, count = leading[0][0], len(leading)
                tag_count = sum(1 for _, t in leading if t)
                leading = []
        count += 1
        if is_tagged:
            tag_count += 1
    if day is not None:
        days.append((day, first, count, tag_count))
    return days


def category_positions(session: Session) -> dict[str, int]:
    """Each category key's position in the taxonomy (for ordering merged tags)."""
    rows = _raw(session).execute("SELECT key, position FROM category").fetchall()
    return {str(key): int(position) for key, position in rows}


def message_exhibits(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """The exhibit id of each message."""
    raw = _raw(session)
    found: dict[int, int] = {}
    for chunk in _chunks(ids):
        rows = raw.execute(
            "SELECT m.id, c.exhibit_id FROM message m"
            " JOIN conversation c ON c.id = m.conversation_id"
            f" WHERE {_in('m.id', chunk)}",
            tuple(chunk),
        ).fetchall()
        found.update((int(mid), int(exhibit)) for mid, exhibit in rows)
    return found


def person_participants(
    session: Session, participant_ids: Sequence[int]
) -> dict[int, list[tuple[int, int]]]:
    """For each participant linked to a person, the other participants of that person in
    other exhibits, as (participant id, exhibit id)."""
    raw = _raw(session)
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for chunk in _chunks(participant_ids):
        rows = raw.execute(
            "SELECT p.id, q.id, q.exhibit_id FROM participant p"
            " JOIN participant q ON q.person_id = p.person_id AND q.exhibit_id != p.exhibit_id"
            f" WHERE p.person_id IS NOT NULL AND {_in('p.id', chunk)} ORDER BY p.id, q.id",
            tuple(chunk),
        ).fetchall()
        for pid, other, exhibit in rows:
            found[int(pid)].append((int(other), int(exhibit)))
    return found
