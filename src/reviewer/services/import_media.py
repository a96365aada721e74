"""The media phase of an import: an export's files stored as evidence and inspected, and
their ``evidence_file`` and ``attachment`` rows inserted in bulk.

Three things overlap: this thread reads each file from the export and hashes it; the
evidence batch's threads write it under a temporary name and fsync it (store.durable; a file
too large to hold in memory is written by this thread as it is hashed); one
inspector thread types each file (libmagic) and reads its size and EXIF (Pillow), from the
bytes in memory when the file is small. The batch commits (every file durable under its
hash) before the rows are inserted, and the caller's transaction commits after.

Thumbnails are not made here: they are a cache, made when first shown
(``services.thumbnails``); at import they cost more CPU than storing the files did
(bench/RESULTS.md, "Importing media without thumbnails").
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.core.progress import CancelToken, ProgressSink
from reviewer.importers import media
from reviewer.importers.container import ExportContainer, Member
from reviewer.importers.media import MediaInfo
from reviewer.store.evidence import EvidenceBatch, EvidenceStore, StoredBlob

__all__ = ["MediaIds", "MediaLoaded", "load_media"]

INLINE_BYTES = 4 << 20  # files up to this size are inspected from memory, not re-read
INSPECT_IN_FLIGHT = 16  # files handed to the inspector and not yet done (≤ 64 MiB held)


@dataclass(frozen=True, slots=True)
class MediaIds:
    """The first free ids of the tables this phase writes (the caller holds the write lock)."""

    evidence_file: int
    attachment: int


@dataclass(slots=True)
class MediaLoaded:
    present: int = 0
    missing: int = 0
    unreferenced: int = 0


def load_media(
    db: sqlite3.Connection,
    evidence: EvidenceStore,
    exhibit_id: int,
    container: ExportContainer,
    references: list[tuple[int, int, str]],
    ids: MediaIds,
    *,
    cancel: CancelToken,
    progress: ProgressSink,
    created: list[StoredBlob],
) -> MediaLoaded:
    """Store every file of ``container``; link the referenced ones to their messages.

    ``references`` are (message id, ordinal, file name). New evidence files are appended to
    ``created`` as soon as they are named by their hash, even when this fails afterwards,
    so that the caller can discard them with the rest of a failed import."""
    loaded = MediaLoaded()
    with evidence.batch() as batch, _Inspector() as inspector:
        try:
            files = _Files(batch, inspector, exhibit_id, ids.evidence_file, cancel)
            found, lost = _walk(files, container, references, ids.attachment, cancel, progress)
            unreferenced = [m for m in container.members if m.name not in files.stored]
            for member in unreferenced:
                files.store(member, referenced=False)
            infos = inspector.results()
            cancel.raise_if_cancelled()
            batch.commit()
        finally:
            created.extend(batch.created)
    db.executemany(_INSERT_FILE, [row(infos[path]) for path, row in files.rows.items()])
    db.executemany(_INSERT_ATTACHMENT, [row(infos[name]) for name, row in found])
    db.executemany(_INSERT_MISSING_ATTACHMENT, lost)
    loaded.present, loaded.missing, loaded.unreferenced = len(found), len(lost), len(unreferenced)
    return loaded


_Row = Callable[[MediaInfo], tuple[Any, ...]]


def _walk(
    files: _Files,
    container: ExportContainer,
    references: list[tuple[int, int, str]],
    first_id: int,
    cancel: CancelToken,
    progress: ProgressSink,
) -> tuple[list[tuple[str, _Row]], list[tuple[int, int, int, str]]]:
    """Attachment rows in the references' order (their ids follow it), each waiting for its
    file's inspection; rows of missing files bind four values, the NULLs being literals."""
    found: list[tuple[str, _Row]] = []
    lost: list[tuple[int, int, int, str]] = []
    total = len(references)
    has_files = bool(container.members)
    for done, (message_id, ordinal, filename) in enumerate(references, 1):
        if done % 1000 == 0:
            cancel.raise_if_cancelled()
        member = container.find(filename) if has_files else None
        row_id = first_id + done - 1
        if member is None:
            lost.append((row_id, message_id, ordinal, filename))
            continue
        if member.name not in files.stored:
            files.store(member, referenced=True)
        file_id, blob = files.stored[member.name]
        found.append(
            (member.name, _attachment(row_id, message_id, ordinal, filename, file_id, blob))
        )
        if done % 200 == 0:
            progress.report("media", done, total)
    return found, lost


class _Files:
    """The export's files as stored: evidence_file ids and rows, by path in the export."""

    def __init__(
        self,
        batch: EvidenceBatch,
        inspector: _Inspector,
        exhibit_id: int,
        first_id: int,
        cancel: CancelToken,
    ) -> None:
        self._batch = batch
        self._inspector = inspector
        self._exhibit_id = exhibit_id
        self._next_id = first_id
        self._cancel = cancel
        self.stored: dict[str, tuple[int, StoredBlob]] = {}
        self.rows: dict[str, _Row] = {}

    def store(self, member: Member, *, referenced: bool) -> None:
        self._cancel.raise_if_cancelled()
        with member.open() as stream:
            if member.size <= INLINE_BYTES:
                data = stream.read()
                blob = self._batch.put_bytes(data)
                content: Path | bytes = data
            else:
                blob = self._batch.put_stream(stream)
                content = self._batch.content_path(blob)
        self._inspector.submit(member.name, content)
        file_id = self._next_id
        self._next_id += 1
        self.stored[member.name] = (file_id, blob)
        self.rows[member.name] = _file_row(file_id, self._exhibit_id, member.name, blob, referenced)


class _Inspector:
    """One thread that inspects files in the order they are handed over."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="inspect")
        self._slots = threading.BoundedSemaphore(INSPECT_IN_FLIGHT)
        self._futures: dict[str, Future[MediaInfo]] = {}
        self._failed: Future[MediaInfo] | None = None

    def __enter__(self) -> _Inspector:
        return self

    def __exit__(self, *exc: object) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, name: str, content: Path | bytes) -> None:
        """Queue a file (waiting while the queue is full); raise an earlier file's failure
        now rather than after the whole export is read."""
        if self._failed is not None:
            self._failed.result()
        self._slots.acquire()
        try:
            future = self._executor.submit(media.inspect_media, content, name)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(self._done)
        self._futures[name] = future

    def _done(self, future: Future[MediaInfo]) -> None:
        if not future.cancelled() and future.exception() is not None:
            self._failed = future
        self._slots.release()

    def results(self) -> dict[str, MediaInfo]:
        """Every file's inspection, once all are done; the first failure is raised."""
        return {name: future.result() for name, future in self._futures.items()}


def _file_row(file_id: int, exhibit_id: int, path: str, blob: StoredBlob, referenced: bool) -> _Row:
    role = "media" if referenced else "other"

    def row(info: MediaInfo) -> tuple[Any, ...]:
        return (
            file_id, exhibit_id, path, role, blob.sha256, blob.size, info.mime,
            info.mime_mismatch, referenced,
        )  # fmt: skip

    return row


def _attachment(
    row_id: int, message_id: int, ordinal: int, filename: str, file_id: int, blob: StoredBlob
) -> _Row:
    def row(info: MediaInfo) -> tuple[Any, ...]:
        exif = json.dumps(info.exif, ensure_ascii=False, sort_keys=True) if info.exif else None
        return (
            row_id, message_id, ordinal, filename, file_id, blob.sha256, blob.size,
            info.mime, info.mime_mismatch, info.width, info.height, exif,
        )  # fmt: skip

    return row


_INSERT_FILE = (
    "INSERT INTO evidence_file (id, exhibit_id, path, role, sha256, size, mime, mime_mismatch, "
    "referenced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_ATTACHMENT = (
    "INSERT INTO attachment (id, message_id, ordinal, filename, present, evidence_file_id, "
    "sha256, size, mime, mime_mismatch, width, height, exif) "
    "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_MISSING_ATTACHMENT = (
    "INSERT INTO attachment (id, message_id, ordinal, filename, present, evidence_file_id, "
    "sha256, size, mime, mime_mismatch, width, height, exif) "
    "VALUES (?, ?, ?, ?, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL)"
)
