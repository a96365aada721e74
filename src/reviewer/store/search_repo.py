"""Search reads: keyset pages of messages matching an FTS5 expression and row filters.

Every page is ``… WHERE id > :after … ORDER BY id LIMIT n`` (never OFFSET). With a MATCH, the
query is driven by ``message_fts``: FTS5 walks the term's doclist in rowid order (rowid =
message.id) and SQLite looks each candidate up in ``message`` by primary key to apply the
filters, stopping at the page size, so the first page of even the commonest word reads only
the first few dozen entries of its doclist. Filters that bound the id range (an exhibit's
conversations) become rowid bounds that FTS5 seeks to directly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal_column, select, table
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from reviewer.store.models import (
    Category,
    Conversation,
    Exhibit,
    Message,
    Participant,
    ReconciledAbsence,
    ReconciledChat,
    ReconciledCopy,
    ReviewMark,
    Tag,
)

_fts = table("message_fts", literal_column("rowid"))
_FTS_ROWID: ColumnElement[int] = literal_column("message_fts.rowid")
_MATCH = literal_column("message_fts").op("MATCH")


@dataclass(frozen=True, slots=True)
class RowFilter:
    """Filters as plain values; None means "any". Bounds are on message ids, inclusive high."""

    sender_ids: tuple[int, ...] | None = None
    message_ids: tuple[int, ...] | None = None  # only these (a small tagged set)
    categories: tuple[str, ...] | None = None
    conversation_ids: tuple[int, ...] | None = None
    timestamp_from: str | None = None  # inclusive, compared with the local timestamp string
    timestamp_before: str | None = None  # exclusive
    kind: str | None = None
    untagged: bool = False
    unreviewed: bool = False
    id_low: int = 0  # exclusive
    id_high: int | None = None
    # Copies of reconciled messages (DESIGN.md §9) some phone shows deleted, or that this
    # exhibit (id) lacks within the span it covers: the reconciled view's filters.
    deleted_somewhere: bool = False
    missing_from: int | None = None


@dataclass(frozen=True, slots=True)
class HitRow:
    id: int
    exhibit: str
    conversation: str
    timestamp: str | None
    sender: str | None
    kind: str
    text: str
    in_image: bool = False  # set by the search service for a match in an image's OCR text


# -- lookups the service resolves filters with ------------------------------------------------


def participants(session: Session) -> list[tuple[int, str]]:
    """Every participant's id and display name (a case holds at most a few thousand)."""
    rows = session.execute(select(Participant.id, Participant.display_name)).all()
    return [(pid, name) for pid, name in rows]


def category_keys(session: Session) -> list[str]:
    return list(session.scalars(select(Category.key).order_by(Category.position)))


def exhibit_conversations(session: Session, reference: str) -> tuple[int, ...] | None:
    """The conversation ids of an exhibit, or None when there is no such exhibit."""
    exhibit_id = session.scalar(select(Exhibit.id).where(Exhibit.reference == reference))
    if exhibit_id is None:
        return None
    query = select(Conversation.id).where(Conversation.exhibit_id == exhibit_id)
    return tuple(session.scalars(query.order_by(Conversation.id)))


def exhibit_id(session: Session, reference: str) -> int | None:
    return session.scalar(select(Exhibit.id).where(Exhibit.reference == reference))


def reconciled_chat_conversations(session: Session, chat_id: int) -> tuple[int, ...] | None:
    """The conversation ids of a reconciled chat, or None when there is no such chat."""
    found = session.scalar(select(ReconciledChat.conversations).where(ReconciledChat.id == chat_id))
    return None if found is None else tuple(sorted(int(c) for c in json.loads(found)))


def conversation_id_span(session: Session, conversation_ids: Sequence[int]) -> tuple[int, int]:
    """The smallest and largest message id of these conversations ((0, 0) when empty).

    Ids are assigned in conversation order, so these are the ids of the first and last ``seq``:
    two seeks per conversation on the (conversation_id, seq) key.
    """
    low, high = 0, 0
    for conversation_id in conversation_ids:
        ends = [
            session.scalar(
                select(Message.id)
                .where(Message.conversation_id == conversation_id)
                .order_by(order)
                .limit(1)
            )
            for order in (Message.seq.asc(), Message.seq.desc())
        ]
        if ends[0] is not None and ends[1] is not None:
            low = ends[0] if low == 0 else min(low, ends[0])
            high = max(high, ends[1])
    return low, high


def tagged_message_ids(
    session: Session, categories: Sequence[str], *, at_most: int
) -> list[int] | None:
    """The ids of messages tagged with any of these categories, in id order, or None when
    there are more than ``at_most``."""
    query = (
        select(Tag.message_id)
        .where(Tag.category.in_(list(categories)))
        .union(_copies_of(Tag, Tag.category.in_(list(categories))))
        .order_by("message_id")
        .limit(at_most + 1)
    )
    ids = list(session.scalars(query))
    return None if len(ids) > at_most else ids


# -- pages ------------------------------------------------------------------------------------


def match_page(
    session: Session, match: str, where: RowFilter, *, after: int, limit: int
) -> list[HitRow]:
    """Messages matching the FTS5 expression and the filters, ids > after, in id order."""
    query = _hit_columns(select_from=_fts).join(Message, Message.id == _FTS_ROWID)
    query = _joined(query).where(_MATCH(match), *_range(_FTS_ROWID, where, after))
    query = query.where(*_conditions(where)).order_by(_FTS_ROWID).limit(limit)
    return [HitRow(*row) for row in session.execute(query)]


def filter_page(session: Session, where: RowFilter, *, after: int, limit: int) -> list[HitRow]:
    """Messages matching only the filters, ids > after, in id order."""
    query = _joined(_hit_columns(select_from=Message))
    query = query.where(*_range(Message.id, where, after), *_conditions(where))
    return [HitRow(*row) for row in session.execute(query.order_by(Message.id).limit(limit))]


def text_page(
    session: Session, where: RowFilter, *, after: int, limit: int
) -> list[tuple[int, str]]:
    """Ids and texts of the next ``limit`` messages passing the filters (for a regex scan)."""
    query = select(Message.id, Message.text)
    query = query.where(*_range(Message.id, where, after), *_conditions(where))
    rows = session.execute(query.order_by(Message.id).limit(limit)).all()
    return [(mid, text) for mid, text in rows]


def hits_by_id(session: Session, ids: Sequence[int]) -> list[HitRow]:
    """The result rows of these messages, in id order."""
    if not ids:
        return []
    query = _joined(_hit_columns(select_from=Message)).where(Message.id.in_(list(ids)))
    return [HitRow(*row) for row in session.execute(query.order_by(Message.id))]


def match_count(session: Session, match: str, where: RowFilter) -> int:
    """How many messages match the FTS5 expression and the filters."""
    query = select(func.count()).select_from(_fts).where(_MATCH(match))
    if where != RowFilter():  # without filters, FTS5 counts its doclist alone
        query = query.join(Message, Message.id == _FTS_ROWID)
        query = query.where(*_range(_FTS_ROWID, where, 0), *_conditions(where))
    return int(session.scalar(query) or 0)


def filter_count(session: Session, where: RowFilter) -> int:
    query = select(func.count()).select_from(Message)
    query = query.where(*_range(Message.id, where, 0), *_conditions(where))
    return int(session.scalar(query) or 0)


# -- query parts ------------------------------------------------------------------------------


_sender = aliased(Participant)
_HitSelect = Select[int, str, str, str | None, str, str, str]


def _hit_columns(*, select_from: Any) -> _HitSelect:
    return select(
        Message.id,
        Exhibit.reference,
        Conversation.name,
        Message.timestamp,
        _sender.display_name,
        Message.kind,
        Message.text,
    ).select_from(select_from)


def _joined(query: _HitSelect) -> _HitSelect:
    return (
        query.join(Conversation, Conversation.id == Message.conversation_id)
        .join(Exhibit, Exhibit.id == Conversation.exhibit_id)
        .outerjoin(_sender, _sender.id == Message.sender_id)
    )


def _range(
    column: ColumnElement[int] | InstrumentedAttribute[int], where: RowFilter, after: int
) -> list[ColumnElement[bool]]:
    """Keyset and id bounds on the driving id column (FTS5 seeks straight to a rowid bound;
    a small id set is probed id by id instead of walking the doclist)."""
    bounds = [column > max(after, where.id_low)]
    if where.id_high is not None:
        bounds.append(column <= where.id_high)
    if where.message_ids is not None:
        bounds.append(column.in_(where.message_ids))
    return bounds


def _conditions(where: RowFilter) -> list[ColumnElement[bool]]:
    """The WHERE terms of a filter (every one is checked per candidate row)."""
    conditions: list[ColumnElement[bool]] = []
    if where.sender_ids is not None:
        conditions.append(Message.sender_id.in_(where.sender_ids))
    if where.conversation_ids is not None:
        conditions.append(Message.conversation_id.in_(where.conversation_ids))
    if where.categories is not None:
        chosen = Tag.category.in_(where.categories)
        tagged = select(Tag.message_id).where(chosen).union(_copies_of(Tag, chosen))
        conditions.append(Message.id.in_(tagged))
    if where.timestamp_from is not None:
        conditions.append(Message.timestamp >= where.timestamp_from)
    if where.timestamp_before is not None:
        conditions.append(Message.timestamp < where.timestamp_before)
    if where.kind is not None:
        conditions.append(Message.kind == where.kind)
    if where.untagged or where.unreviewed:
        conditions.append(~exists().where(Tag.message_id == Message.id))
        conditions.append(Message.id.not_in(_copies_of(Tag)))
    if where.unreviewed:
        conditions.append(~exists().where(ReviewMark.message_id == Message.id))
        conditions.append(Message.id.not_in(_copies_of(ReviewMark)))
    if where.deleted_somewhere:
        copy, deleted = aliased(ReconciledCopy), aliased(ReconciledCopy)
        conditions.append(
            Message.id.in_(
                select(copy.message_id)
                .join(deleted, deleted.reconciled_id == copy.reconciled_id)
                .where(deleted.state == "deleted")
            )
        )
    if where.missing_from is not None:
        copy = aliased(ReconciledCopy)
        conditions.append(
            Message.id.in_(
                select(copy.message_id)
                .join(ReconciledAbsence, ReconciledAbsence.reconciled_id == copy.reconciled_id)
                .where(
                    ReconciledAbsence.exhibit_id == where.missing_from,
                    ReconciledAbsence.reason == "in-range",
                )
            )
        )
    return conditions


def _copies_of(review: type[Tag] | type[ReviewMark], *where: ColumnElement[bool]) -> Select[int]:
    """Messages another copy of whose reconciled message (DESIGN.md §9) carries a tag (or a
    review mark): review acts on the reconciled message, so they count as tagged too."""
    copy, other = aliased(ReconciledCopy), aliased(ReconciledCopy)
    return (
        select(copy.message_id)
        .join(other, other.reconciled_id == copy.reconciled_id)
        .join(review, review.message_id == other.message_id)
        .where(other.message_id != copy.message_id, *where)
    )
