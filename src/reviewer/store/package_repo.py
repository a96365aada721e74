"""Rows a package (DESIGN.md §11) copies from its parent case, and review state read back.

The copy runs on the package's connection with the parent's database attached as ``parent``:
each table is copied with ``INSERT … SELECT`` keeping every id, so a message, participant or
evidence file is the same number in both cases. Both databases are at the same schema (the
package is created at the current one and the parent is upgraded on opening), and columns
are named from the models, never assumed to be in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from reviewer.store import fts, package_reconciled
from reviewer.store.models import (
    Attachment,
    CaseInfo,
    Category,
    Conversation,
    EvidenceFile,
    Exhibit,
    LexiconRun,
    Message,
    MessageNote,
    Participant,
    ReviewMark,
    Setting,
    Stance,
    Suggestion,
    Tag,
)

PARENT = "parent"
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Cut:
    """What to take: exhibit references (empty: all) and local dates ``YYYY-MM-DD``."""

    exhibits: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None  # inclusive


@dataclass(frozen=True, slots=True)
class Copied:
    exhibits: tuple[str, ...]
    conversations: int
    messages: int
    context_messages: int  # replied-to messages outside the cut, taken so replies resolve
    evidence: tuple[str, ...]  # SHA-256 of every evidence file the package holds
    first_id: int | None
    last_id: int | None


def _columns(table: Any) -> str:
    assert isinstance(table, Table)
    return ", ".join(f'"{column.name}"' for column in table.columns)


def _copy(
    session: Session, model: Any, where: str = "", params: dict[str, Any] | None = None
) -> int:
    table = model.__table__
    columns = _columns(table)
    sql = (
        f'INSERT INTO main."{table.name}" ({columns}) SELECT {columns} FROM {PARENT}."{table.name}"'
    )
    result = session.execute(text(f"{sql} {where}"), params or {})
    return int(getattr(result, "rowcount", 0) or 0)


def parent_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the attached parent's last audit entry, in this transaction's snapshot
    (so the head a package names is exactly the state its rows were copied from)."""
    row = session.execute(
        text(f"SELECT seq, hash FROM {PARENT}.audit_entry ORDER BY seq DESC LIMIT 1")
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def unknown_exhibits(
    session: Session, references: Sequence[str], *, schema: str = PARENT
) -> list[str]:
    """References of ``references`` the case (the attached parent by default) lacks."""
    known = set(session.scalars(text(f"SELECT reference FROM {schema}.exhibit")))
    return [ref for ref in references if ref not in known]


def _selection(cut: Cut, schema: str) -> tuple[str, dict[str, Any]]:
    """SELECT of the ids of the cut's messages (replied-to ones aside) in ``schema``."""
    params: dict[str, Any] = {}
    where = "WHERE 1"
    if cut.exhibits:
        names = {f"x{i}": ref for i, ref in enumerate(cut.exhibits)}
        params.update(names)
        where += f" AND e.reference IN ({', '.join(':' + n for n in names)})"
    if cut.date_from is not None:
        where += " AND m.timestamp >= :date_from"
        params["date_from"] = cut.date_from
    if cut.date_to is not None:
        where += " AND m.timestamp < :date_to_next"
        params["date_to_next"] = cut.date_to + "T99"  # every time of that day sorts below
    sql = (
        f"SELECT m.id FROM {schema}.message m "
        f"JOIN {schema}.conversation c ON c.id = m.conversation_id "
        f"JOIN {schema}.exhibit e ON e.id = c.exhibit_id {where}"
    )
    return sql, params


def count_cut(session: Session, cut: Cut) -> tuple[tuple[str, ...], int, int, int]:
    """Exhibit references, conversations, messages and tagged messages a cut of this case
    (``main``) would take."""
    sql, params = _selection(cut, "main")
    row = session.execute(
        text(
            "SELECT group_concat(DISTINCT e.reference), count(DISTINCT m.conversation_id), "
            "count(DISTINCT m.id), count(DISTINCT t.message_id) FROM message m "
            "JOIN conversation c ON c.id = m.conversation_id "
            "JOIN exhibit e ON e.id = c.exhibit_id "
            f"LEFT JOIN tag t ON t.message_id = m.id WHERE m.id IN ({sql})"
        ),
        params,
    ).one()
    refs = tuple(sorted(str(row[0]).split(","))) if row[0] else ()
    return refs, int(row[1]), int(row[2]), int(row[3])


def copy_cut(session: Session, cut: Cut, *, blind: bool) -> Copied:
    """Copy the case record, settings, taxonomy and the cut's exhibits, evidence rows,
    conversations, participants, messages (indexed for search), attachments and their
    reconciliation (``package_reconciled``); unless
    ``blind``, also their tags, notes, review marks, stances and suggestions."""
    session.execute(text("DROP TABLE IF EXISTS temp.pick_msg"))
    session.execute(text("DROP TABLE IF EXISTS temp.pick_conv"))
    session.execute(text("CREATE TEMP TABLE pick_msg (id INTEGER PRIMARY KEY)"))
    session.execute(text("CREATE TEMP TABLE pick_conv (id INTEGER PRIMARY KEY)"))
    try:
        return _copy_cut(session, cut, blind=blind)
    finally:
        session.execute(text("DROP TABLE IF EXISTS temp.pick_msg"))
        session.execute(text("DROP TABLE IF EXISTS temp.pick_conv"))


def _copy_cut(session: Session, cut: Cut, *, blind: bool) -> Copied:
    sql, params = _selection(cut, PARENT)
    session.execute(text(f"INSERT INTO pick_msg (id) {sql}"), params)
    picked = int(session.execute(text("SELECT count(*) FROM pick_msg")).scalar_one())
    while True:  # replied-to messages, so every reply in the package resolves
        added = session.execute(
            text(
                f"INSERT OR IGNORE INTO pick_msg (id) SELECT m.reply_to_id FROM {PARENT}.message m "
                "WHERE m.id IN (SELECT id FROM pick_msg) AND m.reply_to_id IS NOT NULL"
            )
        )
        if not getattr(added, "rowcount", 0):
            break
    total = int(session.execute(text("SELECT count(*) FROM pick_msg")).scalar_one())
    session.execute(
        text(
            f"INSERT INTO pick_conv (id) SELECT DISTINCT conversation_id FROM {PARENT}.message "
            "WHERE id IN (SELECT id FROM pick_msg)"
        )
    )
    exhibit_ids = (
        f"SELECT DISTINCT exhibit_id FROM {PARENT}.conversation "
        "WHERE id IN (SELECT id FROM pick_conv)"
    )
    _copy(session, CaseInfo)
    _copy(session, Setting)
    _copy(session, Category)
    _copy(session, Exhibit, f"WHERE id IN ({exhibit_ids})")
    whole = cut.date_from is None and cut.date_to is None
    roles = "('chat', 'original')" if whole else "('chat')"
    _copy(
        session,
        EvidenceFile,
        f"WHERE (exhibit_id IN ({exhibit_ids}) AND role IN {roles}) OR id IN "
        f"(SELECT evidence_file_id FROM {PARENT}.attachment WHERE evidence_file_id IS NOT NULL "
        "AND message_id IN (SELECT id FROM pick_msg))",
    )
    conversations = _copy(session, Conversation, "WHERE id IN (SELECT id FROM pick_conv)")
    _copy(session, Participant, f"WHERE exhibit_id IN ({exhibit_ids})")
    _copy(session, Message, "WHERE id IN (SELECT id FROM pick_msg) ORDER BY id")
    _copy(session, Attachment, "WHERE message_id IN (SELECT id FROM pick_msg)")
    package_reconciled.copy_reconciled(session)
    first, last = session.execute(text("SELECT min(id), max(id) FROM main.message")).one()
    if first is not None:
        session.execute(
            text(
                f"INSERT INTO main.message_fts(rowid, text) SELECT id, {fts.INDEX_TEXT_SQL} "
                "FROM main.message"
            )
        )
    if not blind:
        in_pick = "WHERE message_id IN (SELECT id FROM pick_msg)"
        for model in (Tag, MessageNote, ReviewMark, Stance):
            _copy(session, model, in_pick)
        _copy(
            session,
            LexiconRun,
            f"WHERE id IN (SELECT run_id FROM {PARENT}.suggestion {in_pick})",
        )
        _copy(session, Suggestion, in_pick)
    refs = tuple(session.scalars(text("SELECT reference FROM main.exhibit ORDER BY reference")))
    hashes = tuple(
        session.scalars(text("SELECT DISTINCT sha256 FROM main.evidence_file ORDER BY sha256"))
    )
    return Copied(refs, conversations, picked, total - picked, hashes, first, last)


@dataclass(slots=True)
class ReviewState:
    """Review data keyed by item: ``(message, category)`` tags, ``message`` notes and marks,
    ``(message, participant)`` stances; each value with who decided and when."""

    tags: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    notes: dict[int, dict[str, Any]] = field(default_factory=dict)
    marks: dict[int, dict[str, Any]] = field(default_factory=dict)
    stances: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, list[list[Any]]]:
        return {
            "tags": [
                [m, c, v["by"], v["at"], v["note"]] for (m, c), v in sorted(self.tags.items())
            ],
            "notes": [[m, v["text"], v["by"], v["at"]] for m, v in sorted(self.notes.items())],
            "marks": [[m, v["by"], v["at"]] for m, v in sorted(self.marks.items())],
            "stances": [
                [m, p, v["stance"], v["by"], v["at"]] for (m, p), v in sorted(self.stances.items())
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReviewState:
        state = cls()
        for m, c, by, at, note in data.get("tags", []):
            state.tags[(int(m), str(c))] = {"by": by, "at": at, "note": note}
        for m, body, by, at in data.get("notes", []):
            state.notes[int(m)] = {"text": body, "by": by, "at": at}
        for m, by, at in data.get("marks", []):
            state.marks[int(m)] = {"by": by, "at": at}
        for m, p, stance, by, at in data.get("stances", []):
            state.stances[(int(m), int(p))] = {"stance": stance, "by": by, "at": at}
        return state

    def message_ids(self) -> set[int]:
        ids = {m for m, _ in self.tags} | set(self.notes) | set(self.marks)
        return ids | {m for m, _ in self.stances}


def review_state(session: Session) -> ReviewState:
    """Every tag, note, review mark and stance of a case."""
    state = ReviewState()
    for tag in session.scalars(select(Tag)):
        state.tags[(tag.message_id, tag.category)] = {
            "by": tag.reviewer,
            "at": tag.created_utc,
            "note": tag.note,
        }
    for note in session.scalars(select(MessageNote)):
        state.notes[note.message_id] = {
            "text": note.text,
            "by": note.reviewer,
            "at": note.updated_utc,
        }
    for mark in session.scalars(select(ReviewMark)):
        state.marks[mark.message_id] = {"by": mark.reviewer, "at": mark.updated_utc}
    for stance in session.scalars(select(Stance)):
        state.stances[(stance.message_id, stance.participant_id)] = {
            "stance": stance.stance,
            "by": stance.reviewer,
            "at": stance.updated_utc,
        }
    return state


_IDENTITY = (
    Message.id,
    Message.conversation_id,
    Message.seq,
    Message.utc,
    Message.sender_id,
    Message.kind,
    Message.text,
    Message.src_offset,
    Message.src_length,
)


def message_identities(session: Session, ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    """For each of ``ids`` the case holds: the columns that make a message that message."""
    wanted = sorted(set(ids))
    found: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in session.execute(select(*_IDENTITY).where(Message.id.in_(chunk))):
            found[int(row[0])] = tuple(row)
    return found


def message_ids(session: Session) -> set[int]:
    return set(session.scalars(select(Message.id)))
