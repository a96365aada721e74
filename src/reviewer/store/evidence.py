"""The content-addressed, read-only ``evidence/`` folder of a case (DESIGN.md §2)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
import tempfile
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from reviewer.store.durable import SyncPool, flush_drive, sync_file, sync_folder, sync_folders

CHUNK = 1 << 20
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
_FCHMOD = os.chmod in os.supports_fd  # POSIX: the mode is set before the file is synced
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    created: bool  # False when identical content was already stored


class EvidenceStore:
    """Files named by their SHA-256, written once and never modified."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put_stream(self, source: BinaryIO) -> StoredBlob:
        """Copy a stream into the store while hashing it; the stream is read once."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                sync_file(out.fileno())
            return self._settle(tmp, digest.hexdigest(), size)
        finally:
            tmp.unlink(missing_ok=True)

    def put_file(self, source: Path) -> StoredBlob:
        with source.open("rb") as handle:
            return self.put_stream(handle)

    def _settle(self, tmp: Path, sha256: str, size: int) -> StoredBlob:
        final = self.path_for(sha256)
        if final.exists():
            return StoredBlob(sha256, size, final, created=False)
        new_folder = _make_folder(final.parent)
        os.chmod(tmp, READ_ONLY)
        os.replace(tmp, final)
        sync_folder(final.parent)  # the rename itself must survive a power cut
        if new_folder:
            sync_folder(self.root)  # and so must the new folder's name
        flush_drive(final.parent)
        return StoredBlob(sha256, size, final, created=True)

    def batch(self) -> EvidenceBatch:
        """Store many files with their syncs grouped; see :class:`EvidenceBatch`."""
        return EvidenceBatch(self)

    def discard(self, blob: StoredBlob) -> None:
        """Remove a blob this import created, when the import fails."""
        if blob.created:
            blob.path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # only when empty: other blobs may share it
                blob.path.parent.rmdir()

    def verify(self, sha256: str) -> bool:
        """Recompute a stored file's hash."""
        digest = hashlib.sha256()
        with self.path_for(sha256).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256


class EvidenceBatch:
    """Many files stored together, with the same guarantees as one by one, faster.

    Each file is written and hashed under a temporary name and handed to a :class:`SyncPool`
    that syncs it while the next one is written. :meth:`commit` waits for those syncs, only
    then names each file by its hash, and syncs each folder once. So a file never appears
    under its hash name before its content is on disk: a later import that finds it there
    may trust it. Until the commit a file is read from :meth:`content_path`.

    Content already in memory (:meth:`put_bytes`) is hashed first, then created, written and
    synced on the pool's threads under a temporary name in its own shard folder: creating a
    file is the costliest step of storing a small one (about 0.4 ms of kernel time here), and
    this way it overlaps the caller's work, and the commit's rename stays within one folder.

    Leaving the ``with`` block without a commit (an error, a cancel) removes every file the
    batch wrote and every folder it made; files renamed by a commit that failed halfway are
    in :attr:`created`, for the caller to discard like any other.
    """

    def __init__(self, store: EvidenceStore) -> None:
        self._store = store
        self._pool = SyncPool()
        self._pending: dict[str, tuple[Path, int]] = {}  # sha256 -> temporary file, size
        self._writing: dict[str, Future[None]] = {}  # put_bytes jobs
        self._made_by_jobs: list[Path] = []  # shard folders those jobs made
        self._token = secrets.token_hex(4)  # temporary names unique to this batch
        self._new_folders: list[Path] = []
        self._root_made = False
        self.created: list[StoredBlob] = []  # renamed into place by commit

    def __enter__(self) -> EvidenceBatch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._pool.close()
        self._collect_folders()
        for tmp, _ in self._pending.values():
            tmp.unlink(missing_ok=True)
        self._pending.clear()
        for folder in reversed(self._new_folders):
            with contextlib.suppress(OSError):  # only when empty
                folder.rmdir()

    def put_stream(self, source: BinaryIO) -> StoredBlob:
        """Copy a stream while hashing it; ``created`` is False for content already stored
        or already in this batch (it is then stored once)."""
        root = self._store.root
        if not self._root_made:
            root.mkdir(parents=True, exist_ok=True)
            self._root_made = True
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=root)
        tmp = Path(tmp_name)
        out = os.fdopen(fd, "wb")
        try:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            sha256 = digest.hexdigest()
            final = self._store.path_for(sha256)
            if sha256 in self._pending or final.exists():
                out.close()
                tmp.unlink()
                return StoredBlob(sha256, size, final, created=False)
            if _FCHMOD:
                os.chmod(out.fileno(), READ_ONLY)
        except BaseException:
            out.close()
            tmp.unlink(missing_ok=True)
            raise
        self._pending[sha256] = (tmp, size)
        self._pool.submit(out)
        return StoredBlob(sha256, size, final, created=True)

    def put_bytes(self, data: bytes) -> StoredBlob:
        """Store content held in memory; as :meth:`put_stream`, but written on the pool."""
        sha256 = hashlib.sha256(data).hexdigest()
        final = self._store.path_for(sha256)
        if sha256 in self._pending or final.exists():
            return StoredBlob(sha256, len(data), final, created=False)
        if not self._root_made:
            self._store.root.mkdir(parents=True, exist_ok=True)
            self._root_made = True
        tmp = final.parent / f".incoming-{self._token}-{len(self._pending)}"
        self._pending[sha256] = (tmp, len(data))
        self._writing[sha256] = self._pool.run(_write_new, tmp, data, self._made_by_jobs)
        return StoredBlob(sha256, len(data), final, created=True)

    def _collect_folders(self) -> None:
        """Shard folders the put_bytes jobs made (all have finished), now the batch's."""
        self._new_folders.extend(self._made_by_jobs)
        self._made_by_jobs.clear()
        self._writing.clear()

    def content_path(self, blob: StoredBlob) -> Path:
        """Where ``blob``'s content can be read now: its temporary file before the commit."""
        writing = self._writing.get(blob.sha256)
        if writing is not None:
            writing.result()
        pending = self._pending.get(blob.sha256)
        return blob.path if pending is None else pending[0]

    def commit(self) -> None:
        """Make every file of the batch durable under its hash name."""
        self._pool.wait()
        self._collect_folders()
        root = self._store.root
        flush_drive(root)
        folders: set[Path] = set()
        if self._new_folders:
            folders.add(root)  # new shard folders' own names must be durable too
        for sha256, (tmp, size) in list(self._pending.items()):
            final = self._store.path_for(sha256)
            if _make_folder(final.parent):
                self._new_folders.append(final.parent)
                folders.add(root)
            if not _FCHMOD:
                os.chmod(tmp, READ_ONLY)
            os.replace(tmp, final)
            del self._pending[sha256]
            self.created.append(StoredBlob(sha256, size, final, created=True))
            folders.add(final.parent)
        sync_folders(folders)
        flush_drive(root)
        self._new_folders.clear()  # they hold committed files now


def _make_folder(folder: Path) -> bool:
    """Create a shard folder; False when it exists (perhaps made by another process)."""
    try:
        folder.mkdir()
    except FileExistsError:
        return False
    return True


def _write_new(path: Path, data: bytes, made_folders: list[Path]) -> None:
    """Create ``path`` read-only (the descriptor may still write), write ``data``, sync;
    a folder it had to make is appended to ``made_folders``. (Here, on a pool thread:
    making a folder or a file waits for the filesystem's journal, which the other threads'
    fsyncs keep busy.)"""
    if _make_folder(path.parent):
        made_folders.append(path.parent)  # list.append is atomic: threads share the list
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_BINARY, READ_ONLY)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
