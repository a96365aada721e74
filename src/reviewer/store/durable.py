"""Make new files durable in groups rather than one by one (DESIGN.md §2).

How a group of new evidence files is made durable, and why:

* Each file is fsynced on its own, on a few threads, while the caller goes on writing the
  next one. ``fsync`` is what POSIX guarantees for a file, it reports a failure for the very
  file that failed, it exists on Windows (``os.fsync`` is ``_commit``, i.e.
  ``FlushFileBuffers``), and it releases the GIL. Journalling filesystems (ext4, XFS, APFS,
  NTFS) commit concurrent fsyncs together, so a thousand of them on a handful of threads cost
  about what a few cost one after the other.
* Not ``os.sync()``: it flushes every filesystem of the machine (other programs' data too),
  reports no error at all, and does not exist on Windows. Not ``syncfs(2)``: Linux only, not
  in ``os``, flushes the whole filesystem, and reports write-back errors only since Linux 5.8.
* macOS: ``fsync`` hands the data to the drive but does not make the drive write its cache;
  ``fcntl(F_FULLFSYNC)`` does, for everything the drive holds. So there each file is
  fsynced, then one ``F_FULLFSYNC`` (:func:`flush_drive`) covers the whole group.
  Elsewhere :func:`flush_drive` does nothing: Linux's fsync already flushes the drive cache
  for the file, and so does Windows' ``FlushFileBuffers``.
* Folders: a rename is durable once its folder is fsynced; each folder once per group, on
  the same few threads. Windows cannot open a folder for fsync, and need not: NTFS journals
  the rename itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["SyncPool", "flush_drive", "sync_file", "sync_folder", "sync_folders"]

T = TypeVar("T")

THREADS = 8  # fsync waits on the disk, not the CPU: more threads than cores is right
IN_FLIGHT = 32  # files handed over but not yet synced (each holds an open descriptor)
_FULLFSYNC: int | None = getattr(fcntl, "F_FULLFSYNC", None)


def sync_file(fd: int) -> None:
    """Make one open file's data and metadata durable, drive cache included."""
    if _FULLFSYNC is not None:
        _full_fsync(fd)  # fsync, then the drive's cache
    else:
        os.fsync(fd)


def flush_drive(path: Path) -> None:
    """After fsyncs: make the drive write its cache (macOS only; see the module notes)."""
    if _FULLFSYNC is None:
        return
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        _full_fsync(handle)
    finally:
        os.close(handle)


def _full_fsync(fd: int) -> None:
    assert fcntl is not None and _FULLFSYNC is not None
    try:
        fcntl.fcntl(fd, _FULLFSYNC)
    except OSError:  # some filesystems (network, FAT) refuse it; fsync is all they offer
        os.fsync(fd)


def sync_folder(folder: Path) -> None:
    """fsync a folder so that renames into it are durable (a no-op where a folder cannot be
    opened, i.e. Windows, or a filesystem refuses to sync one)."""
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


def sync_folders(folders: Iterable[Path]) -> None:
    """fsync each distinct folder once, on a few threads."""
    distinct = sorted(set(folders))
    if len(distinct) <= 1:
        for folder in distinct:
            sync_folder(folder)
        return
    with ThreadPoolExecutor(min(THREADS, len(distinct)), thread_name_prefix="fsync") as pool:
        list(pool.map(sync_folder, distinct))


class SyncPool:
    """fsync files on a few threads while the caller writes the next ones.

    :meth:`submit` takes a written, flushed file and owns it from then on: it is synced and
    closed on a worker thread; :meth:`run` hands over a whole job (write and sync a file).
    At most ``in_flight`` files wait at a time (each holds a descriptor, or its content), so
    a producer faster than the disk waits.
    """

    def __init__(self, threads: int = THREADS, in_flight: int = IN_FLIGHT) -> None:
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._slots = threading.BoundedSemaphore(in_flight)
        self._futures: list[Future[Any]] = []

    def submit(self, handle: BinaryIO) -> None:
        try:
            self.run(_sync_and_close, handle)
        except BaseException:
            handle.close()
            raise

    def run(self, job: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``job(*args)`` on a worker (it must sync what it writes); :meth:`wait` waits
        for it and raises its failure."""
        self._slots.acquire()
        try:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="fsync")
            future = self._executor.submit(job, *args)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(self._release)
        self._futures.append(future)
        return future

    def _release(self, _: Future[Any]) -> None:
        self._slots.release()

    def wait(self) -> None:
        """Return once every file submitted so far is synced and closed; raise the first
        failure (after waiting for all the others)."""
        futures, self._futures = self._futures, []
        failures = [error for future in futures if (error := future.exception()) is not None]
        if failures:
            raise failures[0]

    def close(self) -> None:
        """Wait for every file (failures ignored: the caller is giving up) and stop."""
        for future in self._futures:
            future.exception()
        self._futures = []
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


def _sync_and_close(handle: BinaryIO) -> None:
    try:
        os.fsync(handle.fileno())
    finally:
        handle.close()
