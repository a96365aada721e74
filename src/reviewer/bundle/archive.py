"""A bundle as one file for transfer: the bag zipped (deflate), optionally AES-256 encrypted.

Entries are named relative to the bag (``bagit.txt``, ``data/report/report.pdf``), so
unpacking the zip into an empty folder gives back the bag exactly. Encryption is WinZip's AE-2
AES-256 (pyzipper), which 7-Zip, WinZip and macOS's Archive Utility with 7-Zip/Keka open; the
password only ever comes from a file or a prompt, never the command line.

Opening an archive refuses entries that would land outside the folder it is unpacked into.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pyzipper  # type: ignore[import-untyped]

from reviewer.core.errors import InputError

#: Zip timestamps start in 1980.
_EARLIEST = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


class ArchiveError(InputError):
    """The archive cannot be opened: encrypted without a password, damaged, or unsafe."""


def archive_path(bag_dir: Path) -> Path:
    """Where the archive of ``bag_dir`` is written: beside it, ``OUT_DIR.zip``."""
    return bag_dir.with_name(bag_dir.name + ".zip")


def write_archive(bag_dir: Path, target: Path, password: bytes | None = None) -> Path:
    """Zip every file of ``bag_dir`` into ``target`` (replaced only when complete).

    Entries are sorted and dated from ``SOURCE_DATE_EPOCH`` when it is set (else the files'
    times), so the same bag gives the same archive apart from encryption's random salts.
    """
    files = sorted(p for p in bag_dir.rglob("*") if p.is_file())
    fixed = _fixed_time()
    partial = target.with_name(target.name + ".partial")
    try:
        with _open_for_writing(partial, password) as archive:
            for path in files:
                name = path.relative_to(bag_dir).as_posix()
                info = archive.zipinfo_cls(name, fixed or _zip_time(path.stat().st_mtime))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with path.open("rb") as source, archive.open(info, "w") as sink:
                    shutil.copyfileobj(source, sink, _CHUNK)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def is_archive(path: Path) -> bool:
    return path.is_file() and zipfile.is_zipfile(path)


def is_encrypted(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return any(info.flag_bits & 0x1 for info in archive.infolist())


@contextlib.contextmanager
def unpacked(path: Path, password: bytes | None = None) -> Iterator[Path]:
    """Unpack the archive into a temporary folder, yield it, and remove it afterwards."""
    with tempfile.TemporaryDirectory(prefix="reviewer-bundle-") as folder:
        root = Path(folder)
        try:
            _extract(path, root, password)
        except RuntimeError as exc:  # pyzipper's words for a missing or wrong password
            if "password" in str(exc).lower():
                raise ArchiveError(f"{path}: wrong password, or none given") from exc
            raise ArchiveError(f"{path}: cannot be unpacked ({exc})") from exc
        except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError, EOFError) as exc:
            raise ArchiveError(f"{path}: damaged archive ({exc})") from exc
        yield root


def read_password(path: Path) -> bytes:
    """The password in ``path``: its first line, without the line ending."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the password file ({exc.strerror})") from exc
    password = text.splitlines()[0] if text.strip() else b""
    if not password:
        raise InputError(f"{path}: the password file is empty")
    return password


def _extract(path: Path, root: Path, password: bytes | None) -> None:
    with pyzipper.AESZipFile(path) as archive:
        if password is not None:
            archive.setpassword(password)
        for info in archive.infolist():
            target = _safe_target(root, info.filename, path)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink, _CHUNK)


def _safe_target(root: Path, name: str, archive: Path) -> Path:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        raise ArchiveError(f"{archive}: entry {name!r} would be written outside the bundle")
    return root.joinpath(*pure.parts)


def _open_for_writing(target: Path, password: bytes | None) -> pyzipper.ZipFile:
    if password is None:
        return pyzipper.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
    archive = pyzipper.AESZipFile(
        target, "w", compression=zipfile.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    )
    archive.setpassword(password)
    archive.setencryption(pyzipper.WZ_AES, nbits=256)
    return archive


def _fixed_time() -> tuple[int, int, int, int, int, int] | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return _zip_time(int(epoch))


def _zip_time(seconds: float) -> tuple[int, int, int, int, int, int]:
    stamp = time.gmtime(seconds)
    value = (stamp.tm_year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec)
    return max(value, _EARLIEST)
