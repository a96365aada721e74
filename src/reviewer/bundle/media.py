"""media/<sha256>.<ext>: one verified copy of each included attachment; originals/ on request."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from reviewer.bundle.files import copy_verified, safe_filename
from reviewer.bundle.model import Bundle
from reviewer.core.progress import CancelToken, ProgressSink


def write_media(
    bundle: Bundle, payload: Path, progress: ProgressSink, cancel: CancelToken
) -> tuple[int, int]:
    """Copy every present attachment once (by hash), checking each copy's SHA-256 as it is
    written. Returns (files, bytes)."""
    wanted: dict[str, tuple[Path, str]] = {}
    for message in bundle.messages:
        for a in message.attachments:
            if a.present and a.source and a.sha256 and a.bundle_path:
                wanted.setdefault(a.bundle_path, (a.source, a.sha256))
    total = 0
    for done, (bundle_path, (source, sha256)) in enumerate(sorted(wanted.items()), 1):
        cancel.raise_if_cancelled()
        total += copy_verified(source, payload / bundle_path, sha256)
        if done % 50 == 0 or done == len(wanted):
            progress.report("copying media", done, len(wanted))
    if bundle.redacted:
        write_redactions(bundle, payload)
    return len(wanted), total


def write_originals(bundle: Bundle, payload: Path, cancel: CancelToken) -> list[str]:
    """originals/<exhibit>/<file as received>, each verified; returns the bundle paths."""
    written: list[str] = []
    for exhibit in bundle.exhibits:
        folder = safe_filename(exhibit.reference)
        for name, sha256, source in exhibit.original_files:
            cancel.raise_if_cancelled()
            parts = [safe_filename(p) for p in name.replace("\\", "/").split("/") if p]
            relative = "/".join(["originals", folder, *parts])
            copy_verified(source, payload / relative, sha256)
            written.append(relative)
    return written


REDACTIONS = "redaction/media"  # .jsonl and .csv


def write_redactions(bundle: Bundle, payload: Path) -> int:
    """redaction/media.jsonl and .csv: every file a redacted bundle changed or withheld,
    one line each: its redacted copy (or nothing), the original's SHA-256, what was removed.
    Returns how many lines; writes nothing when there are none."""
    rows: dict[tuple[object, ...], dict[str, Any]] = {}
    for message in bundle.messages:
        for a in message.attachments:
            r = a.redaction
            if r is None or not r.changed:
                continue
            # one line per file; a file listed without its hash, one per message
            key: tuple[object, ...] = (r.original_sha256, a.sha256, r.withheld or "")
            if r.original_sha256 is None:
                key = (message.id, a.filename, r.withheld or "")
            rows.setdefault(
                key,
                {
                    "file": a.bundle_path,
                    "sha256": a.sha256,
                    "original_sha256": r.original_sha256,
                    "filename": a.filename,
                    "messages": [],
                    "withheld": r.withheld,
                    "removed": list(r.removed),
                },
            )["messages"].append(message.id)
    if not rows:
        return 0
    folder = payload / Path(REDACTIONS).parent
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in rows.values()]
    (payload / f"{REDACTIONS}.jsonl").write_text("".join(lines), encoding="utf-8")
    with (payload / f"{REDACTIONS}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "file",
                "SHA-256",
                "redacted copy of SHA-256",
                "file name",
                "messages",
                "withheld",
                "removed",
            ]
        )
        for row in rows.values():
            out.writerow(
                [
                    row["file"] or "",
                    row["sha256"] or "",
                    row["original_sha256"] or "(not given)",
                    row["filename"],
                    " ".join(str(m) for m in row["messages"]),
                    row["withheld"] or "",
                    "; ".join(row["removed"]),
                ]
            )
    return len(rows)
