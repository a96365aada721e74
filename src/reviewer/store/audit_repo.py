"""Reading and appending audit entries; the hash itself is computed by the caller.

A version 2 entry's salts (name → salt) are stored in ``audit_salt`` with the entry, in the
same transaction, and read back into the entry's ``salts``.

Plain SQL on the case's ``sqlite3`` connection, given directly (the light commands, which do
not load SQLAlchemy) or as the ORM session whose transaction it joins: one implementation
writes every entry, whichever way a command opened the case.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from reviewer.store import sqlite_db

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

GENESIS = "0" * 64
_COLUMNS = ("seq", "ts", "actor", "workstation", "action", "target", "prev", "hash")
_SELECT = f"SELECT {', '.join(_COLUMNS)}, details, v FROM audit_entry"


def head(db: Session | sqlite3.Connection) -> tuple[int, str]:
    """(seq, hash) of the last entry, or (0, 64 zeros) for an empty chain."""
    row = (
        sqlite_db.raw(db)
        .execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
        .fetchone()
    )
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def insert(db: Session | sqlite3.Connection, entry: dict[str, Any]) -> None:
    """Store an entry (v1 or v2) and, for v2, its salts."""
    connection = sqlite_db.raw(db)
    values = [entry[name] for name in _COLUMNS]
    details = json.dumps(entry["details"], sort_keys=True, ensure_ascii=False)
    connection.execute(
        f"INSERT INTO audit_entry ({', '.join(_COLUMNS)}, details, v) "
        f"VALUES ({', '.join('?' * (len(_COLUMNS) + 2))})",
        (*values, details, int(entry.get("v", 1))),
    )
    salts = entry.get("salts", {})
    connection.executemany(
        "INSERT INTO audit_salt (seq, name, salt) VALUES (?, ?, ?)",
        [(entry["seq"], name, salt) for name, salt in salts.items()],
    )


def entries(db: Session | sqlite3.Connection, *, page: int = 1000) -> Iterator[dict[str, Any]]:
    """Every entry in order, as plain dicts (``details`` decoded; ``v`` and ``salts`` on
    version 2 entries), read in keyset pages."""
    last = 0
    while True:
        found = _page(sqlite_db.raw(db), last, page)
        if not found:
            return
        yield from found
        last = found[-1]["seq"]


def entry(db: Session | sqlite3.Connection, seq: int) -> dict[str, Any] | None:
    """One entry by its sequence number, as :func:`entries` gives it."""
    found = _page(sqlite_db.raw(db), seq - 1, 1)
    return found[0] if found and found[0]["seq"] == seq else None


def _page(db: sqlite3.Connection, after: int, limit: int) -> list[dict[str, Any]]:
    rows = db.execute(f"{_SELECT} WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)).fetchall()
    if not rows:
        return []
    salts = _salts(db, rows[0][0], rows[-1][0])
    found: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = dict(zip(_COLUMNS, row, strict=False))
        item["details"] = json.loads(row[len(_COLUMNS)])
        version = row[len(_COLUMNS) + 1]
        if version != 1:
            item["v"] = version
            item["salts"] = salts.get(item["seq"], {})
        found.append(item)
    return found


def _salts(db: sqlite3.Connection, first: int, last: int) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = db.execute(
        "SELECT seq, name, salt FROM audit_salt WHERE seq >= ? AND seq <= ?", (first, last)
    )
    for seq, name, salt in rows:
        found[seq][name] = salt
    return found
