"""messages/messages.jsonl and audit/audit-log.jsonl with audit/chain-head.txt."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from reviewer.bundle.model import Bundle


def records_jsonl(bundle: Bundle) -> bytes:
    """One DESIGN.md §5 record (plus review fields) per line, in conversation order (UTF-8).

    Compact JSON encoded by msgspec (a quarter of ``json``'s time on the export's critical
    path, before the PDF can be typeset), one line at a time.
    """
    encode = msgspec.json.Encoder().encode
    return b"".join(encode(message.record()) + b"\n" for message in bundle.messages)


def write_messages(bundle: Bundle, path: Path, records: bytes | None = None) -> int:
    """messages.jsonl: the bytes of :func:`records_jsonl` (the PDF report attaches the same),
    given as ``records`` when the caller has them already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(records_jsonl(bundle) if records is None else records)
    return len(bundle.messages)


def audit_line(entry: Mapping[str, Any]) -> str:
    """One entry as written to audit-log.jsonl: every field, ``hash`` included, keys sorted."""
    return json.dumps(dict(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def write_audit(entries: Iterable[Mapping[str, Any]], head: str, folder: Path) -> int:
    """audit-log.jsonl (the whole chain) and chain-head.txt (its head hash)."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with (folder / "audit-log.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
        for entry in entries:
            handle.write(audit_line(entry) + "\n")
            count += 1
    (folder / "chain-head.txt").write_text(head + "\n", encoding="ascii", newline="\n")
    return count
