"""Reading and appending audit entries; the hash itself is computed by the caller.

A version 2 entry's salts (name → salt) are stored in ``audit_salt`` with the entry, in the
same transaction, and read back into the entry's ``salts``."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.store.models import AuditEntry, AuditSalt

GENESIS = "0" * 64
_COLUMNS = ("seq", "ts", "actor", "workstation", "action", "target", "prev", "hash")


def head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the last entry, or (0, 64 zeros) for an empty chain."""
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def insert(session: Session, entry: dict[str, Any]) -> None:
    """Store an entry (v1 or v2) and, for v2, its salts."""
    stored = {name: entry[name] for name in _COLUMNS}
    stored["details"] = json.dumps(entry["details"], sort_keys=True, ensure_ascii=False)
    stored["v"] = int(entry.get("v", 1))
    session.add(AuditEntry(**stored))
    session.flush()
    salts = entry.get("salts", {})
    session.add_all(AuditSalt(seq=entry["seq"], name=n, salt=s) for n, s in salts.items())
    session.flush()


def entries(session: Session, *, page: int = 1000) -> Iterator[dict[str, Any]]:
    """Every entry in order, as plain dicts (``details`` decoded; ``v`` and ``salts`` on
    version 2 entries), read in keyset pages."""
    last = 0
    while True:
        found = _page(session, last, page)
        if not found:
            return
        yield from found
        last = found[-1]["seq"]


def entry(session: Session, seq: int) -> dict[str, Any] | None:
    """One entry by its sequence number, as :func:`entries` gives it."""
    found = _page(session, seq - 1, 1)
    return found[0] if found and found[0]["seq"] == seq else None


def _page(session: Session, after: int, limit: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
    ).all()
    if not rows:
        return []
    salts = _salts(session, rows[0].seq, rows[-1].seq)
    found: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {name: getattr(row, name) for name in _COLUMNS}
        item["details"] = json.loads(row.details)
        if row.v != 1:
            item["v"] = row.v
            item["salts"] = salts.get(row.seq, {})
        found.append(item)
    return found


def _salts(session: Session, first: int, last: int) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = session.execute(
        select(AuditSalt.seq, AuditSalt.name, AuditSalt.salt).where(
            AuditSalt.seq >= first, AuditSalt.seq <= last
        )
    )
    for seq, name, salt in rows:
        found[seq][name] = salt
    return found
