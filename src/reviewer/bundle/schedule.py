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
    # Machine analysis of the attachments (DESIGN.md §10), one value per analysed file, "; "
    # between files: never a reviewer's reading.
    "image_text",
    "sexual_score",
    "similar_group",
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
        *analysis_cells(message),
    ]


def analysis_cells(message: BundleMessage) -> list[str]:
    """image_text ("machine-read (engine version, confidence c): text" per file with text),
    sexual_score ("0.03 (engine version)") and similar_group, empty where not analysed."""
    texts, scores, groups = [], [], []
    for attachment in message.attachments:
        analysis = attachment.analysis
        if analysis is None:
            continue
        if analysis.ocr is not None and analysis.ocr.text:
            flat = " / ".join(analysis.ocr.text.splitlines())
            texts.append(f"machine-read ({analysis.ocr.label()}): {flat}")
        if analysis.sexual is not None:
            sexual = analysis.sexual
            scores.append(f"{sexual.score:.2f} ({sexual.engine} {sexual.version})")
        if analysis.similar_group is not None:
            groups.append(str(analysis.similar_group))
    return ["; ".join(texts), "; ".join(scores), "; ".join(groups)]


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value
