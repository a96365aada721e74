"""schedule/messages.csv: one row per included message, UTF-8 with BOM for spreadsheets."""

from __future__ import annotations

import csv
from pathlib import Path

from reviewer.bundle.copies import found_in
from reviewer.bundle.model import Bundle, BundleMessage

HEADER = (
    "id",
    "exhibit",
    "conversation",
    "local time",
    "UTC",
    "sender",
    "kind",
    "text",
    "categories",
    "notes",
    "attachments",
    "attachment SHA-256",
    "included as",
    "found_in",
)
# A cell a spreadsheet would run as a formula; prefixed with an apostrophe (OWASP advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_schedule(bundle: Bundle, path: Path) -> int:
    """Write the schedule; returns the number of rows (one per included message)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for message in bundle.messages:
            writer.writerow([_cell(v) for v in row(message)])
    return len(bundle.messages)


def row(message: BundleMessage) -> list[str]:
    """The schedule's values of one message, before formula neutralisation."""
    notes = [message.note] if message.note else []
    notes += [f"{t.category}: {t.note}" for t in message.tags if t.note]
    return [
        str(message.id),
        message.exhibit,
        message.conversation,
        message.timestamp or "",
        message.utc or "",
        message.sender or "",
        message.kind,
        message.text,
        "; ".join(t.category for t in message.tags),
        " | ".join(notes),
        "; ".join(a.filename for a in message.attachments),
        "; ".join(a.sha256 or "(not in export)" for a in message.attachments),
        "context" if message.context else "tagged",
        found_in(message),
    ]


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value
