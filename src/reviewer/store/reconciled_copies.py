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


@dataclass(frozen=True, slots=True)
class Group:
    """The copies of one message's reconciled message, the canonical copy (the
    earliest-imported one, which holds review written through any copy) first; a message
    never reconciled is a group of one."""

    canonical: int
    members: tuple[int, ...]


def review_groups(session: Session, message_ids: Iterable[int]) -> dict[int, Group]:
    """For each given message, the group of copies review acts on (DESIGN.md §9)."""
    connection = session.connection()
    wanted = sorted(set(message_ids))
    canonical: dict[int, int] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for mid, first, copy in connection.exec_driver_sql(
            "SELECT me.message_id, r.first_message_id, c.message_id FROM reconciled_copy me "
            "JOIN reconciled_message r ON r.id = me.reconciled_id "
            "JOIN reconciled_copy c ON c.reconciled_id = me.reconciled_id "
            f"WHERE me.message_id IN ({marks}) ORDER BY me.message_id, c.message_id",
            tuple(chunk),
        ):
            canonical[mid] = first
            members[mid].append(copy)
    groups: dict[int, Group] = {}
    for mid in wanted:
        first = canonical.get(mid)
        if first is None:
            groups[mid] = Group(mid, (mid,))
        else:
            rest = tuple(m for m in members[mid] if m != first)
            groups[mid] = Group(first, (first, *rest))
    return groups


def copies_of_tagged(session: Session, categories: Sequence[str] | None = None) -> list[int]:
    """Messages another copy of whose reconciled message is tagged (with one of these
    categories, or with any): they show as tagged through that copy."""
    where = ""
    params: tuple[str, ...] = ()
    if categories is not None:
        where = f" AND t.category IN ({','.join('?' * len(categories))})"
        params = tuple(categories)
    rows = session.connection().exec_driver_sql(
        "SELECT DISTINCT c.message_id FROM tag t "
        "JOIN reconciled_copy o ON o.message_id = t.message_id "
        "JOIN reconciled_copy c ON c.reconciled_id = o.reconciled_id "
        f"WHERE c.message_id != t.message_id{where} ORDER BY c.message_id",
        params,
    )
    return [int(mid) for (mid,) in rows]


# Each reconciled message once: whether any copy is tagged, whether any is marked reviewed.
_UNITS = (
    "WITH tagged AS (SELECT DISTINCT message_id FROM tag), "
    "unit AS (SELECT c.reconciled_id AS id, MAX(t.message_id IS NOT NULL) AS tagged, "
    "MAX(r.message_id IS NOT NULL) AS marked FROM reconciled_copy c "
    "LEFT JOIN tagged t ON t.message_id = c.message_id "
    "LEFT JOIN review_mark r ON r.message_id = c.message_id GROUP BY c.reconciled_id) "
)


def review_counts(
    session: Session,
) -> tuple[tuple[int, int, int], dict[str, tuple[int, int, int]]] | None:
    """(total, reviewed, tagged) with each reconciled message counted once, and per exhibit
    reference the same counts of its own messages, each copy in the state of its reconciled
    message (tagged when any copy is; reviewed when any copy is marked and none tagged).
    None when nothing is reconciled."""
    connection = session.connection()
    if connection.exec_driver_sql("SELECT 1 FROM reconciled_copy LIMIT 1").first() is None:
        return None
    rows = connection.exec_driver_sql(
        _UNITS + "SELECT e.reference, COUNT(*), "
        "SUM(COALESCE(u.marked, r.message_id IS NOT NULL) "
        "    AND NOT COALESCE(u.tagged, t.message_id IS NOT NULL)), "
        "SUM(COALESCE(u.tagged, t.message_id IS NOT NULL)) "
        "FROM message m JOIN conversation v ON v.id = m.conversation_id "
        "JOIN exhibit e ON e.id = v.exhibit_id "
        "LEFT JOIN reconciled_copy c ON c.message_id = m.id "
        "LEFT JOIN unit u ON u.id = c.reconciled_id "
        "LEFT JOIN tagged t ON t.message_id = m.id "
        "LEFT JOIN review_mark r ON r.message_id = m.id "
        "GROUP BY e.reference ORDER BY e.reference"
    ).fetchall()
    once = connection.exec_driver_sql(
        _UNITS + "SELECT COUNT(*), COALESCE(SUM(marked AND NOT tagged), 0), "
        "COALESCE(SUM(tagged), 0) FROM unit"
    ).one()
    alone = connection.exec_driver_sql(
        "SELECT COUNT(*), COUNT(r.message_id) - COUNT(r.message_id) "
        "FILTER (WHERE t.message_id IS NOT NULL), COUNT(t.message_id) FROM message m "
        "LEFT JOIN (SELECT DISTINCT message_id FROM tag) t ON t.message_id = m.id "
        "LEFT JOIN review_mark r ON r.message_id = m.id "
        "WHERE m.id NOT IN (SELECT message_id FROM reconciled_copy)"
    ).one()
    by_exhibit = {str(ref): (int(n), int(r or 0), int(t or 0)) for ref, n, r, t in rows}
    total = tuple(int(a) + int(b) for a, b in zip(once, alone, strict=True))
    return (total[0], total[1], total[2]), by_exhibit


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
