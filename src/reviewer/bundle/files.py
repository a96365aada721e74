"""File helpers shared by the bundle writers: safe names, hashing, verified copies."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from reviewer.core.errors import ReviewerError

CHUNK = 1 << 20
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BundleWriteError(ReviewerError):
    """A bundle could not be written as it must be (an evidence file changed, a bad name)."""


def safe_filename(name: str, *, limit: int = 80) -> str:
    """A file name that Windows, macOS and Linux all accept, readable and never empty."""
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub("_", text).strip().rstrip(". ")
    text = " ".join(text.split())[:limit].rstrip(". ")
    if not text:
        text = "unnamed"
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    return text


def unique_name(name: str, taken: set[str], suffix: str = "") -> str:
    """``name + suffix``, or ``name-2 + suffix`` … when taken (case-insensitively)."""
    candidate = f"{name}{suffix}"
    n = 2
    while candidate.casefold() in taken:
        candidate = f"{name}-{n}{suffix}"
        n += 1
    taken.add(candidate.casefold())
    return candidate


def is_sha256(text: str) -> bool:
    return _SHA256.fullmatch(text) is not None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_verified(source: Path, dest: Path, sha256: str) -> int:
    """Copy ``source`` to ``dest`` while hashing; refuses (and removes ``dest``) when the
    content does not match ``sha256``. Returns the size."""
    digest = hashlib.sha256()
    size = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with source.open("rb") as src, dest.open("wb") as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except OSError as exc:
        dest.unlink(missing_ok=True)
        raise BundleWriteError(f"cannot copy evidence file {source}: {exc}") from exc
    if digest.hexdigest() != sha256:
        dest.unlink(missing_ok=True)
        raise BundleWriteError(
            f"evidence file {source} no longer matches its SHA-256 {sha256}; "
            "run 'reviewer check' on the case"
        )
    return size
