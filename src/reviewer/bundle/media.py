"""media/<sha256>.<ext>: one verified copy of each included attachment; originals/ on request."""

from __future__ import annotations

from pathlib import Path

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
