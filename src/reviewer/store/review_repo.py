"""Review reads and the tag write in plain SQL on the case's ``sqlite3`` connection: what the
light commands (``reviewer tag``, ``reviewer progress``) need, without loading SQLAlchemy
(DESIGN.md §7, start-up time). ``audit_repo.raw`` gives the connection of an ORM session's
transaction, so the application's own transactions can use these too.

A copy of a reconciled message (DESIGN.md §9) is one message for review: :func:`review_groups`
names the copies, the canonical (earliest-imported) one first.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

_CHUNK: Final = 500


@dataclass(frozen=True, slots=True)
class Group:
    """The copies of one message's reconciled message, the canonical copy (the
    earliest-imported one, which holds review written through any copy) first; a message
    never reconciled is a group of one."""

    canonical: int
    members: tuple[int, ...]


def category(db: sqlite3.Connection, key: str) -> tuple[str, bool] | None:
    """(group, retired) of the category ``key`` of the case's taxonomy; None if it has none."""
    row = db.execute('SELECT "group", retired FROM category WHERE "key" = ?', (key,)).fetchone()
    return (str(row[0]), bool(row[1])) if row else None


def existing(db: sqlite3.Connection, message_ids: Sequence[int]) -> set[int]:
    """Which of these message ids the case holds."""
    found: set[int] = set()
    for chunk in _chunks(message_ids):
        found.update(
            mid
            for (mid,) in db.execute(f"SELECT id FROM message WHERE id IN {_marks(chunk)}", chunk)
        )
    return found


def review_groups(db: sqlite3.Connection, message_ids: Iterable[int]) -> dict[int, Group]:
    """For each given message, the group of copies review acts on (DESIGN.md §9)."""
    wanted = sorted(set(message_ids))
    canonical: dict[int, int] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(wanted):
        for mid, first, copy in db.execute(
            "SELECT me.message_id, r.first_message_id, c.message_id FROM reconciled_copy me "
            "JOIN reconciled_message r ON r.id = me.reconciled_id "
            "JOIN reconciled_copy c ON c.reconciled_id = me.reconciled_id "
            f"WHERE me.message_id IN {_marks(chunk)} ORDER BY me.message_id, c.message_id",
            chunk,
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


def tagged_with(db: sqlite3.Connection, key: str, message_ids: Sequence[int]) -> set[int]:
    """Which of these messages carry the category ``key``."""
    found: set[int] = set()
    for chunk in _chunks(message_ids):
        found.update(
            mid
            for (mid,) in db.execute(
                f"SELECT message_id FROM tag WHERE category = ? AND message_id IN {_marks(chunk)}",
                (key, *chunk),
            )
        )
    return found


def insert_tags(
    db: sqlite3.Connection,
    message_ids: Sequence[int],
    key: str,
    *,
    note: str | None,
    reviewer: str,
    created_utc: str,
) -> None:
    """Tag these messages (in this order) with ``key``."""
    db.executemany(
        "INSERT INTO tag (message_id, category, note, reviewer, created_utc) "
        "VALUES (?, ?, ?, ?, ?)",
        [(mid, key, note, reviewer, created_utc) for mid in message_ids],
    )


def message_range(db: sqlite3.Connection, first_id: int, last_id: int) -> list[int] | None:
    """Ids from ``first_id`` to ``last_id`` (either order) within ``first_id``'s conversation;
    None when the case has no message ``first_id``."""
    row = db.execute("SELECT conversation_id FROM message WHERE id = ?", (first_id,)).fetchone()
    if row is None:
        return None
    low, high = sorted((first_id, last_id))
    rows = db.execute(
        "SELECT id FROM message WHERE conversation_id = ? AND id BETWEEN ? AND ? ORDER BY id",
        (row[0], low, high),
    )
    return [mid for (mid,) in rows]


# Each reconciled message once: whether any copy is tagged, whether any is marked reviewed.
_UNITS = (
    "WITH tagged AS (SELECT DISTINCT message_id FROM tag), "
    "unit AS (SELECT c.reconciled_id AS id, MAX(t.message_id IS NOT NULL) AS tagged, "
    "MAX(r.message_id IS NOT NULL) AS marked FROM reconciled_copy c "
    "LEFT JOIN tagged t ON t.message_id = c.message_id "
    "LEFT JOIN review_mark r ON r.message_id = c.message_id GROUP BY c.reconciled_id) "
)
Counts = tuple[int, int, int]  # messages, reviewed (no concern), tagged


def review_counts(db: sqlite3.Connection) -> tuple[Counts, dict[str, Counts]]:
    """(total, reviewed, tagged) with each reconciled message counted once, and per exhibit
    reference the same counts of its own messages, each copy in the state of its reconciled
    message (tagged when any copy is; reviewed when any copy is marked and none tagged). A
    tagged message counts as tagged, not reviewed."""
    if db.execute("SELECT 1 FROM reconciled_copy LIMIT 1").fetchone() is None:
        rows = db.execute(
            "SELECT e.reference, COUNT(*), COUNT(r.message_id) - COUNT(r.message_id) "
            "FILTER (WHERE t.message_id IS NOT NULL), COUNT(t.message_id) FROM message m "
            "JOIN conversation v ON v.id = m.conversation_id "
            "JOIN exhibit e ON e.id = v.exhibit_id "
            "LEFT JOIN review_mark r ON r.message_id = m.id "
            "LEFT JOIN (SELECT DISTINCT message_id FROM tag) t ON t.message_id = m.id "
            "GROUP BY e.reference ORDER BY e.reference"
        ).fetchall()
        by_exhibit = {str(ref): (int(n), int(r), int(t)) for ref, n, r, t in rows}
        total = [sum(counts[i] for counts in by_exhibit.values()) for i in range(3)]
        return (total[0], total[1], total[2]), by_exhibit
    rows = db.execute(
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
    once = db.execute(
        _UNITS + "SELECT COUNT(*), COALESCE(SUM(marked AND NOT tagged), 0), "
        "COALESCE(SUM(tagged), 0) FROM unit"
    ).fetchone()
    alone = db.execute(
        "SELECT COUNT(*), COUNT(r.message_id) - COUNT(r.message_id) "
        "FILTER (WHERE t.message_id IS NOT NULL), COUNT(t.message_id) FROM message m "
        "LEFT JOIN (SELECT DISTINCT message_id FROM tag) t ON t.message_id = m.id "
        "LEFT JOIN review_mark r ON r.message_id = m.id "
        "WHERE m.id NOT IN (SELECT message_id FROM reconciled_copy)"
    ).fetchone()
    by_exhibit = {str(ref): (int(n), int(r or 0), int(t or 0)) for ref, n, r, t in rows}
    total = [int(a) + int(b) for a, b in zip(once, alone, strict=True)]
    return (total[0], total[1], total[2]), by_exhibit


def reviewer_counts(db: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """Per reviewer name: (messages marked reviewed, tags), names in order."""
    marks = dict(db.execute("SELECT reviewer, COUNT(*) FROM review_mark GROUP BY reviewer"))
    tags = dict(db.execute("SELECT reviewer, COUNT(*) FROM tag GROUP BY reviewer"))
    return {name: (marks.get(name, 0), tags.get(name, 0)) for name in sorted({*marks, *tags})}


def _marks(chunk: Sequence[object]) -> str:
    return f"({','.join('?' * len(chunk))})"


def _chunks(values: Sequence[int]) -> Iterator[tuple[int, ...]]:
    for start in range(0, len(values), _CHUNK):
        yield tuple(values[start : start + _CHUNK])
