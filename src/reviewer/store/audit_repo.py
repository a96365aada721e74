"""Reading and appending audit entries; the hash itself is computed by the caller."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.store.models import AuditEntry

GENESIS = "0" * 64


def head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the last entry, or (0, 64 zeros) for an empty chain."""
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def insert(session: Session, entry: dict[str, Any]) -> None:
    stored = dict(entry)
    stored["details"] = json.dumps(entry["details"], sort_keys=True, ensure_ascii=False)
    session.add(AuditEntry(**stored))
    session.flush()


def entries(session: Session, *, page: int = 1000) -> Iterator[dict[str, Any]]:
    """Every entry in order, as plain dicts (``details`` decoded), read in keyset pages."""
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(page)
        ).all()
        if not rows:
            return
        for row in rows:
            yield {
                "seq": row.seq,
                "ts": row.ts,
                "actor": row.actor,
                "workstation": row.workstation,
                "action": row.action,
                "target": row.target,
                "details": json.loads(row.details),
                "prev": row.prev,
                "hash": row.hash,
            }
        last = rows[-1].seq
