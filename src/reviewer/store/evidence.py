"""The content-addressed, read-only ``evidence/`` folder of a case (DESIGN.md §2)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


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
                os.fsync(out.fileno())
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
        final.parent.mkdir(exist_ok=True)
        os.chmod(tmp, READ_ONLY)
        os.replace(tmp, final)
        _sync_folder(final.parent)  # the rename itself must survive a power cut
        return StoredBlob(sha256, size, final, created=True)

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


def _sync_folder(folder: Path) -> None:
    """fsync a directory so a rename into it is durable (not possible on Windows, where
    NTFS journals the rename itself)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
