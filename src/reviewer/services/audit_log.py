"""Append to, list, verify and reveal a case's audit chain, inside the caller's transaction:
an ORM session's or, for the light commands, a plain ``sqlite3`` connection's (``Case.sql``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reviewer.audit import chain
from reviewer.core.errors import InputError
from reviewer.core.timeutil import utc_now_iso
from reviewer.services.actor import Actor
from reviewer.store import audit_repo

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.orm import Session

    Db = Session | sqlite3.Connection


def append(
    session: Db, actor: Actor, action: str, target: str, details: Mapping[str, Any]
) -> dict[str, Any]:
    """Seal (version 2, fresh salts) and insert the next entry with its salts; commits with
    the caller's transaction."""
    seq, prev = audit_repo.head(session)
    entry = chain.seal_v2(
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


def entries(session: Db) -> Iterator[dict[str, Any]]:
    """Every entry in order; version 2 entries carry ``v`` and their ``salts``."""
    return audit_repo.entries(session)


def verify(session: Db) -> chain.ChainReport:
    return chain.verify(audit_repo.entries(session))


@dataclass(frozen=True, slots=True)
class Revealed:
    """One committed field of a version 2 entry: what a redacted bundle withheld."""

    seq: int
    field: str  # "target" or "details.KEY"
    value: Any
    salt: str
    commitment: str  # sha256(salt + canonical(value)), as the bundle's ``redacted`` shows it

    def record(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "field": self.field,
            "value": self.value,
            "salt": self.salt,
            "commitment": self.commitment,
        }


def reveal(session: Db, seq: int, field: str) -> Revealed:
    """The value, salt and commitment of one field of entry ``seq``."""
    entry = audit_repo.entry(session, seq)
    if entry is None:
        raise InputError(f"no audit entry {seq} in this case")
    if entry.get("v") != 2:
        raise InputError(
            f"audit entry {seq} is version 1: it has no per-field commitments to reveal"
        )
    values = chain.field_values(entry)
    if field not in values:
        names = ", ".join(sorted(values))
        raise InputError(f"audit entry {seq} has no field {field!r} (it has {names})")
    salt = entry["salts"][field]
    value = values[field]
    return Revealed(seq, field, value, salt, chain.commit(salt, value))
