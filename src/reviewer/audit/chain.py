"""Canonical form, hashing and verification of the audit chain (DESIGN.md §3).

Each entry names the hash of the one before it, so editing, inserting, removing or reordering
any entry is detected by recomputing the chain.

Version 1 entries (no ``v``) hash the canonical JSON of every other field. Version 2 entries
(``"v": 2``, every entry written since) commit to ``target`` and to each key of ``details``
separately, ``C(name, value) = sha256(salt[name] + canonical(value))``, and hash those
commitments; so a bundle can withhold a field (show only its commitment) and still verify.

The same dict shape serves the case and the bundle: a v2 entry carries ``salts`` (name → salt)
for every revealed field and ``redacted`` (name → commitment) for every withheld one; a v1
entry withheld from a redacted bundle is ``{"seq", "prev", "hash", "withheld": true}``.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "ts", "actor", "workstation", "action", "target", "details", "prev")
V2_PLAIN = ("v", "seq", "ts", "actor", "workstation", "action", "prev")
TARGET = "target"
DETAILS = "details."
WITHHELD_V1 = frozenset({"seq", "prev", "hash", "withheld"})
_SALT = re.compile(r"[0-9a-f]{32}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def canonical(fields: Any) -> bytes:
    """The exact bytes that are hashed: sorted keys, no spaces, UTF-8 unescaped."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    """Version 1: hash of an entry over all its fields except ``hash`` itself."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def new_salt() -> str:
    """32 random lowercase hex characters."""
    return secrets.token_hex(16)


def commit(salt: str, value: Any) -> str:
    """``C(name, value)``: lowercase hex SHA-256 of the salt followed by canonical(value)."""
    return hashlib.sha256(salt.encode() + canonical(value)).hexdigest()


def field_values(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The committed fields a v2 entry reveals: ``target`` and ``details.KEY`` → value."""
    values: dict[str, Any] = {}
    if TARGET in entry:
        values[TARGET] = entry[TARGET]
    for key, value in dict(entry.get("details", {})).items():
        values[DETAILS + key] = value
    return values


def commitments(entry: Mapping[str, Any]) -> dict[str, str]:
    """Every field's commitment: ``redacted[name]``, or computed from the value and its salt.

    Raises ``ValueError`` naming a field with no salt, or both revealed and withheld."""
    salts = entry.get("salts", {})
    redacted = dict(entry.get("redacted", {}))
    found: dict[str, str] = {}
    for name, value in field_values(entry).items():
        if name in redacted:
            raise ValueError(f"{name} is both shown and withheld")
        if name not in salts:
            raise ValueError(f"no salt for {name}")
        found[name] = commit(salts[name], value)
    found.update(redacted)
    return found


def v2_hash(entry: Mapping[str, Any]) -> str:
    """Version 2: the hash over the plain fields and every field's commitment."""
    committed = commitments(entry)
    hashed: dict[str, Any] = {name: entry[name] for name in V2_PLAIN}
    hashed["target"] = committed.get(TARGET)
    hashed["details"] = {
        name[len(DETAILS) :]: value for name, value in committed.items() if name != TARGET
    }
    return hashlib.sha256(canonical(hashed)).hexdigest()


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
    """A complete version 1 entry, ``hash`` included (only old cases hold these)."""
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


def seal_v2(
    *,
    seq: int,
    ts: str,
    actor: str,
    workstation: str,
    action: str,
    target: str,
    details: Mapping[str, Any],
    prev: str,
    salts: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A complete version 2 entry with its ``salts`` (fresh ones unless given) and ``hash``."""
    entry: dict[str, Any] = {
        "v": 2,
        "seq": seq,
        "ts": ts,
        "actor": actor,
        "workstation": workstation,
        "action": action,
        "target": target,
        "details": dict(details),
        "prev": prev,
    }
    names = field_values(entry)
    entry["salts"] = {name: (salts or {}).get(name) or new_salt() for name in names}
    entry["hash"] = v2_hash(entry)
    return entry


def redact(entry: Mapping[str, Any], withheld: Collection[str]) -> dict[str, Any]:
    """A v2 entry with the named fields withheld: each value and salt replaced by the
    field's commitment under ``redacted``. A v1 entry with anything withheld is withheld
    whole."""
    if not withheld:
        return dict(entry)
    if entry.get("v") != 2:
        return withhold_v1(entry)
    committed = commitments(entry)
    line = {k: v for k, v in entry.items() if k not in ("target", "details", "salts")}
    details = dict(entry["details"])
    salts = dict(entry["salts"])
    redacted = dict(entry.get("redacted", {}))
    for name in withheld:
        redacted[name] = committed[name]
        salts.pop(name, None)
        if name == TARGET:
            continue
        details.pop(name[len(DETAILS) :], None)
    if TARGET in entry and TARGET not in redacted:
        line["target"] = entry["target"]
    line["details"] = details
    line["salts"] = salts
    line["redacted"] = redacted
    return line


def withhold_v1(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A version 1 entry as a redacted bundle shows it when it would name someone: only its
    link in the chain."""
    return {"seq": entry["seq"], "prev": entry["prev"], "hash": entry["hash"], "withheld": True}


def project(entry: Mapping[str, Any], names_someone: Callable[[Any], bool]) -> dict[str, Any]:
    """The redacted projection of one entry: every field ``names_someone`` flags is withheld
    (a v1 entry wholly, as it has no per-field commitments); nothing else is."""
    if entry.get("withheld"):
        return dict(entry)
    if entry.get("v") != 2:
        flagged = names_someone(entry.get("target")) or names_someone(entry.get("details"))
        return withhold_v1(entry) if flagged else dict(entry)
    return redact(entry, [n for n, v in field_values(entry).items() if names_someone(v)])


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
    """Recompute the chain in order and name the first entry that does not match.

    Accepts v1 entries, v2 entries (revealed fields with salts, withheld ones as
    commitments) and v1 entries withheld from a redacted bundle."""
    prev = GENESIS
    expected_seq = 1
    for entry in entries:
        valid = expected_seq - 1
        problem = _problem(entry, expected_seq, prev)
        if problem is not None:
            return ChainReport(valid, prev, expected_seq, problem)
        prev = entry["hash"]
        expected_seq += 1
    return ChainReport(expected_seq - 1, prev)


def _problem(entry: Mapping[str, Any], expected_seq: int, prev: str) -> str | None:
    if entry.get("withheld") is True:
        problem = _shape(entry, set(WITHHELD_V1), set(WITHHELD_V1))
    elif "v" in entry:
        problem = _v2_shape(entry)
    else:
        problem = _shape(entry, {*FIELDS, "hash"}, {*FIELDS, "hash"})
    if problem is not None:
        return problem
    if entry["seq"] != expected_seq:
        return "sequence gap"
    if entry["prev"] != prev:
        return "prev does not match"
    if not isinstance(entry["hash"], str) or not _HEX64.fullmatch(entry["hash"]):
        return "hash is not 64 lowercase hex digits"
    if entry.get("withheld") is True:
        return None  # content withheld: only the link can be checked here
    try:
        digest = v2_hash(entry) if "v" in entry else entry_hash(entry)
    except ValueError as exc:
        return str(exc)
    if digest != entry["hash"]:
        return "hash does not match content"
    return None


def _shape(entry: Mapping[str, Any], required: set[str], allowed: set[str]) -> str | None:
    missing = [name for name in sorted(required) if name not in entry]
    if missing:
        return f"missing {missing}"
    extra = sorted(set(entry) - allowed)
    if extra:
        return f"unexpected {extra}"
    return None


def _v2_shape(entry: Mapping[str, Any]) -> str | None:
    required = {*V2_PLAIN, "details", "salts", "hash"}
    problem = _shape(entry, required, {*required, "target", "redacted"})
    if problem is not None:
        return problem
    if entry["v"] != 2:
        return f"unknown version {entry['v']!r}"
    salts, redacted, details = entry["salts"], entry.get("redacted", {}), entry["details"]
    if not all(isinstance(x, dict) for x in (salts, redacted, details)):
        return "salts, redacted and details must be objects"
    shown = set(field_values(entry))
    for name, salt in salts.items():
        if name not in shown:
            return f"a salt for {name}, which is not shown"
        if not isinstance(salt, str) or not _SALT.fullmatch(salt):
            return f"the salt of {name} is not 32 lowercase hex digits"
    for name, value in redacted.items():
        if name != TARGET and not name.startswith(DETAILS):
            return f"withheld field {name} is neither target nor details.KEY"
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            return f"the commitment of {name} is not 64 lowercase hex digits"
    if TARGET not in entry and TARGET not in redacted:
        return "target is neither shown nor withheld"
    return None
