"""Evidence stored in batches: every file and folder synced (once), read-only, named by its
hash only after its content is synced, and nothing left behind when a batch is abandoned."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest

from reviewer.store import durable
from reviewer.store.durable import SyncPool, flush_drive, sync_folders
from reviewer.store.evidence import EvidenceBatch, EvidenceStore, StoredBlob


class FakeFsync:
    """Records what each fsync was given (device, inode, folder or not, and whether the
    file was already under its hash name at that moment)."""

    def __init__(self, store: EvidenceStore | None = None, fail_after: int | None = None):
        self.store = store
        self.fail_after = fail_after
        self.calls: list[tuple[int, int, bool]] = []
        self.named_too_early: list[int] = []
        self._lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        info = os.fstat(fd)
        with self._lock:
            if self.fail_after is not None and len(self.calls) >= self.fail_after:
                raise OSError(5, "Input/output error (injected)")
            self.calls.append((info.st_dev, info.st_ino, stat.S_ISDIR(info.st_mode)))
            if self.store is not None and not stat.S_ISDIR(info.st_mode):
                os.lseek(fd, 0, os.SEEK_SET)
                if self._named(fd):
                    self.named_too_early.append(info.st_ino)

    def _named(self, fd: int) -> bool:
        assert self.store is not None
        with os.fdopen(os.dup(fd), "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        return self.store.path_for(digest).exists()

    def synced(self) -> list[tuple[int, int]]:
        return [(dev, ino) for dev, ino, _ in self.calls]


Put = Callable[[EvidenceBatch, bytes], StoredBlob]


@pytest.fixture(params=["put_stream", "put_bytes"])
def put(request: pytest.FixtureRequest) -> Put:
    """Store content as a stream (written by the caller) or from memory (on the pool)."""
    if request.param == "put_stream":
        return lambda batch, data: batch.put_stream(io.BytesIO(data))
    return lambda batch, data: batch.put_bytes(data)


def identity(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino


def contents(count: int) -> list[bytes]:
    return [f"photo {i} ".encode() * (i + 1) for i in range(count)]


def everything(root: Path) -> set[Path]:
    return set(root.rglob("*")) if root.exists() else set()


def test_a_batch_stores_every_file_read_only_under_its_hash(tmp_path: Path, put: Put) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    with store.batch() as batch:
        blobs = [put(batch, data) for data in contents(40)]
        for blob, data in zip(blobs, contents(40), strict=True):
            assert batch.content_path(blob).read_bytes() == data  # readable before commit
        batch.commit()
    assert [b.created for b in blobs] == [True] * 40
    assert {b.sha256 for b in batch.created} == {b.sha256 for b in blobs}
    for blob, data in zip(blobs, contents(40), strict=True):
        assert blob.sha256 == hashlib.sha256(data).hexdigest()
        assert blob.size == len(data)
        assert blob.path == store.path_for(blob.sha256)
        assert blob.path.read_bytes() == data
        assert not blob.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert store.verify(blob.sha256)
    assert not list(store.root.rglob(".incoming-*"))


def test_the_same_content_twice_is_stored_once(tmp_path: Path, put: Put) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    earlier = store.put_stream(io.BytesIO(b"stored by an earlier import"))
    with store.batch() as batch:
        first = put(batch, b"the same photo")
        again = put(batch, b"the same photo")
        known = put(batch, b"stored by an earlier import")
        assert batch.content_path(again) == batch.content_path(first)
        batch.commit()
    assert (first.created, again.created, known.created) == (True, False, False)
    assert first.sha256 == again.sha256 and known.sha256 == earlier.sha256
    assert batch.created == [first]
    files = [p for p in everything(store.root) if p.is_file()]
    assert sorted(files) == sorted([first.path, earlier.path])


def test_commit_syncs_every_new_file_and_each_folder_once_before_naming_any(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, put: Put
) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    store.put_stream(io.BytesIO(b"an older file"))  # its folder and the root already exist
    fake = FakeFsync(store)
    monkeypatch.setattr(os, "fsync", fake)
    with store.batch() as batch:
        blobs = [put(batch, data) for data in contents(300)]
        batch.commit()

    synced = fake.synced()
    files = [identity(b.path) for b in blobs]
    folders = {identity(b.path.parent) for b in blobs}
    assert set(files) <= set(synced), "every new file is synced"
    assert all(synced.count(f) == 1 for f in files)
    assert folders <= set(synced), "every folder that received a file is synced"
    assert all(synced.count(f) == 1 for f in folders), "each folder once"
    assert identity(store.root) in synced, "new shard folders: their names are durable too"
    assert len(synced) == len(files) + len(folders) + 1
    assert fake.named_too_early == [], "no file appears under its hash before it is synced"


def test_an_abandoned_batch_leaves_nothing(tmp_path: Path, put: Put) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    kept = store.put_stream(io.BytesIO(b"committed earlier"))
    before = everything(store.root)
    with pytest.raises(RuntimeError), store.batch() as batch:
        for data in contents(50):
            put(batch, data)
        put(batch, b"committed earlier")
        raise RuntimeError("the import failed")
    assert everything(store.root) == before
    assert store.verify(kept.sha256)


def test_a_failed_sync_names_nothing_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, put: Put
) -> None:
    store = EvidenceStore(tmp_path / "evidence")
    store.root.mkdir()
    before = everything(store.root)
    monkeypatch.setattr(os, "fsync", FakeFsync(fail_after=7))
    with pytest.raises(OSError, match="injected"), store.batch() as batch:
        for data in contents(30):
            put(batch, data)
        batch.commit()
    assert batch.created == []
    assert everything(store.root) == before


def test_a_stream_that_fails_midway_leaves_no_temporary_file(tmp_path: Path) -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError("member truncated")

    store = EvidenceStore(tmp_path / "evidence")
    with store.batch() as batch:
        with pytest.raises(OSError, match="truncated"):
            batch.put_stream(Broken())
        batch.commit()
    assert everything(store.root) == set()


def test_sync_pool_syncs_and_closes_every_file_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeFsync()
    monkeypatch.setattr(os, "fsync", fake)
    handles: list[BinaryIO] = []
    pool = SyncPool(threads=4, in_flight=3)  # fewer slots than files: submit must wait
    for i in range(25):
        handle = (tmp_path / f"f{i}").open("wb")
        handle.write(b"x" * i)
        handle.flush()
        handles.append(cast(BinaryIO, handle))
        pool.submit(handle)
    pool.wait()
    pool.close()
    assert sorted(fake.synced()) == sorted(identity(tmp_path / f"f{i}") for i in range(25))
    assert all(handle.closed for handle in handles)


def test_sync_pool_reports_a_failure_and_still_closes_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "fsync", FakeFsync(fail_after=2))
    handles = [cast(BinaryIO, (tmp_path / f"f{i}").open("wb")) for i in range(6)]
    pool = SyncPool(threads=2)
    for handle in handles:
        pool.submit(handle)
    with pytest.raises(OSError, match="injected"):
        pool.wait()
    pool.close()
    assert all(handle.closed for handle in handles)


def test_sync_folders_syncs_each_distinct_folder_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeFsync()
    monkeypatch.setattr(os, "fsync", fake)
    folders = [tmp_path / f"d{i}" for i in range(12)]
    for folder in folders:
        folder.mkdir()
    sync_folders(folders + folders[:5])
    assert sorted(fake.synced()) == sorted(identity(f) for f in folders)


def test_flush_drive_asks_for_a_full_fsync_where_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int]] = []

    class FakeFcntl:
        @staticmethod
        def fcntl(fd: int, cmd: int, *args: Any) -> int:
            asked.append((os.fstat(fd).st_ino, cmd))
            return 0

    monkeypatch.setattr(durable, "fcntl", FakeFcntl)
    monkeypatch.setattr(durable, "_FULLFSYNC", 51)  # F_FULLFSYNC's value on macOS
    flush_drive(tmp_path)
    assert asked == [(tmp_path.stat().st_ino, 51)]
    monkeypatch.setattr(durable, "_FULLFSYNC", None)  # Linux, Windows: fsync suffices
    flush_drive(tmp_path)
    assert len(asked) == 1


def test_on_macos_a_batch_flushes_the_drive_once_per_group_not_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, put: Put
) -> None:
    full: list[int] = []

    class FakeFcntl:
        @staticmethod
        def fcntl(fd: int, cmd: int, *args: Any) -> int:
            full.append(cmd)
            return 0

    monkeypatch.setattr(durable, "fcntl", FakeFcntl)
    monkeypatch.setattr(durable, "_FULLFSYNC", 51)
    fake = FakeFsync()
    monkeypatch.setattr(os, "fsync", fake)
    store = EvidenceStore(tmp_path / "evidence")
    with store.batch() as batch:
        blobs = [put(batch, data) for data in contents(50)]
        batch.commit()
    assert len(full) == 2, "one after the files' fsyncs, one after the folders'"
    assert {identity(b.path) for b in blobs} <= set(fake.synced())
