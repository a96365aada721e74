"""Reads of the reconciliation layer by message: which reconciled message a message is a copy
of, that message's copies (with their source lines) and absences, and the copies review acts on
(DESIGN.md §9; the group and review counts are plain SQL in ``review_repo``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from reviewer.store import review_repo, sqlite_db
from reviewer.store.review_repo import Group as Group  # re-exported: callers name it here

_CHUNK: Final = 500


@dataclass(frozen=True, slots=True)
class CopyRow:
    exhibit: str  # reference
    message_id: int
    state: str  # present, deleted, media-omitted, edited
    line: int  # first line of the copy in its exhibit's chat file


@dataclass(frozen=True, slots=True)
class Copies:
    """One reconciled message: its copies, earliest-imported exhibit first, and absences."""

    reconciled_id: int
    first_message_id: int
    copies: tuple[CopyRow, ...]
    absent: tuple[tuple[str, str], ...]  # (exhibit reference, reason)


def copies_of(session: Session, message_ids: Iterable[int]) -> dict[int, Copies]:
    """For each given message that is a copy of a reconciled message, that message's copies
    and absences (messages never reconciled are left out)."""
    connection = session.connection()
    owner: dict[int, int] = {}
    for chunk in _chunks(sorted(set(message_ids))):
        marks = ",".join("?" * len(chunk))
        owner.update(
            connection.exec_driver_sql(
                "SELECT message_id, reconciled_id FROM reconciled_copy "
                f"WHERE message_id IN ({marks})",
                tuple(chunk),
            ).fetchall()
        )
    found: dict[int, Copies] = {}
    for chunk in _chunks(sorted(set(owner.values()))):
        marks = ",".join("?" * len(chunk))
        firsts: dict[int, int] = dict(
            connection.exec_driver_sql(
                f"SELECT id, first_message_id FROM reconciled_message WHERE id IN ({marks})",
                tuple(chunk),
            ).fetchall()
        )
        copies: dict[int, list[CopyRow]] = defaultdict(list)
        for rid, ref, mid, state, line in connection.exec_driver_sql(
            "SELECT c.reconciled_id, e.reference, c.message_id, c.state, m.src_line "
            "FROM reconciled_copy c JOIN exhibit e ON e.id = c.exhibit_id "
            "JOIN message m ON m.id = c.message_id "
            f"WHERE c.reconciled_id IN ({marks}) ORDER BY c.exhibit_id, c.message_id",
            tuple(chunk),
        ):
            copies[rid].append(CopyRow(ref, mid, state, line))
        absent: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for rid, ref, reason in connection.exec_driver_sql(
            "SELECT a.reconciled_id, e.reference, a.reason FROM reconciled_absence a "
            "JOIN exhibit e ON e.id = a.exhibit_id "
            f"WHERE a.reconciled_id IN ({marks}) ORDER BY a.exhibit_id",
            tuple(chunk),
        ):
            absent[rid].append((ref, reason))
        for rid in chunk:
            found[rid] = Copies(rid, firsts[rid], tuple(copies[rid]), tuple(absent[rid]))
    return {mid: found[rid] for mid, rid in owner.items()}


def review_groups(session: Session, message_ids: Iterable[int]) -> dict[int, Group]:
    """For each given message, the group of copies review acts on (DESIGN.md §9)."""
    return review_repo.review_groups(sqlite_db.raw(session), message_ids)


def tagged_siblings(session: Session, message_id: int) -> list[int]:
    """The other copies of ``message_id``'s reconciled message that carry a tag."""
    rows = session.connection().exec_driver_sql(
        "SELECT DISTINCT c.message_id FROM reconciled_copy c "
        "JOIN reconciled_copy me ON me.reconciled_id = c.reconciled_id "
        "JOIN tag t ON t.message_id = c.message_id "
        "WHERE me.message_id = ? AND c.message_id != ? ORDER BY c.message_id",
        (message_id, message_id),
    )
    return [int(mid) for (mid,) in rows]


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
