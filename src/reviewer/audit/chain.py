"""Canonical form, hashing and verification of the audit chain (DESIGN.md §3).

An entry's hash is SHA-256 over the canonical JSON of every other field, and each entry names
the hash of the one before it, so editing, inserting, removing or reordering any entry is
detected by recomputing the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "ts", "actor", "workstation", "action", "target", "details", "prev")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The exact bytes that are hashed: sorted keys, no spaces, UTF-8 unescaped."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    """Hash of an entry over all its fields except ``hash`` itself."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def seal(
    *,
    seq: int,
    ts: str,
    actor: str,
    workstation: str,
    action: str,
    target: str,
    details: Mapping[str, Any],
    prev: str,
) -> dict[str, Any]:
    """A complete entry, ``hash`` included, following the entry whose hash is ``prev``."""
    entry: dict[str, Any] = {
        "seq": seq,
        "ts": ts,
        "actor": actor,
        "workstation": workstation,
        "action": action,
        "target": target,
        "details": dict(details),
        "prev": prev,
    }
    entry["hash"] = entry_hash(entry)
    return entry


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Outcome of verifying a chain: ``ok`` or the first entry that breaks it."""

    entries: int
    head: str
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(entries: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Recompute the chain in order and name the first entry that does not match."""
    prev = GENESIS
    expected_seq = 1
    for entry in entries:
        valid = expected_seq - 1
        missing = [name for name in (*FIELDS, "hash") if name not in entry]
        if missing:
            return ChainReport(valid, prev, expected_seq, f"missing {missing}")
        if set(entry) - {*FIELDS, "hash"}:
            extra = sorted(set(entry) - {*FIELDS, "hash"})
            return ChainReport(valid, prev, expected_seq, f"unexpected {extra}")
        if entry["seq"] != expected_seq:
            return ChainReport(valid, prev, expected_seq, "sequence gap")
        if entry["prev"] != prev:
            return ChainReport(valid, prev, expected_seq, "prev does not match")
        if entry_hash(entry) != entry["hash"]:
            return ChainReport(valid, prev, expected_seq, "hash does not match content")
        prev = entry["hash"]
        expected_seq += 1
    return ChainReport(expected_seq - 1, prev)
