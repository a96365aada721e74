"""Reads of the reconciliation layer by message: which reconciled message a message is a copy
of, that message's copies (with their source lines) and absences, and counts that take a
reconciled message once (DESIGN.md §9)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

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


def tagged_duplicates(session: Session) -> dict[str, int]:
    """Per exhibit reference: tagged messages to leave out of a count that takes each
    reconciled message once — tagged copies whose reconciled message has a tagged copy in an
    earlier-imported exhibit (or an earlier message of the same exhibit)."""
    rows = session.connection().exec_driver_sql(
        "SELECT e.reference, COUNT(DISTINCT c.message_id) FROM reconciled_copy c "
        "JOIN exhibit e ON e.id = c.exhibit_id "
        "WHERE c.message_id IN (SELECT message_id FROM tag) AND EXISTS ("
        "  SELECT 1 FROM reconciled_copy o WHERE o.reconciled_id = c.reconciled_id "
        "  AND o.message_id IN (SELECT message_id FROM tag) "
        "  AND (o.exhibit_id < c.exhibit_id "
        "       OR (o.exhibit_id = c.exhibit_id AND o.message_id < c.message_id))) "
        "GROUP BY e.reference"
    )
    return {str(ref): int(count) for ref, count in rows}


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
