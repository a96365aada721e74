"""Append to, list and verify a case's audit chain, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy.orm import Session

from reviewer.audit import chain
from reviewer.core.timeutil import utc_now_iso
from reviewer.services.actor import Actor
from reviewer.store import audit_repo


def append(
    session: Session, actor: Actor, action: str, target: str, details: Mapping[str, Any]
) -> dict[str, Any]:
    """Seal and insert the next entry; commits with the caller's transaction."""
    seq, prev = audit_repo.head(session)
    entry = chain.seal(
        seq=seq + 1,
        ts=utc_now_iso(),
        actor=actor.name,
        workstation=actor.workstation,
        action=action,
        target=target,
        details=details,
        prev=prev,
    )
    audit_repo.insert(session, entry)
    return entry


def entries(session: Session) -> Iterator[dict[str, Any]]:
    return audit_repo.entries(session)


def verify(session: Session) -> chain.ChainReport:
    return chain.verify(audit_repo.entries(session))
