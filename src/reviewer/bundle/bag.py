"""Turn a folder of payload into a BagIt 1.0 bag (RFC 8493).

The bag's tag files are written here, in the format ``bagit.py`` writes and reads
(``manifest-<alg>.txt`` lines ``<hex>  data/<path>``, ``bag-info.txt`` labels sorted,
``tagmanifest-<alg>.txt`` lines ``<hex> <file>``), without ``bagit.make_bag``: it changes the
process's working directory while it works, which a GUI running other tasks cannot allow.
The tests validate what is written here with ``bagit.Bag(path).validate()``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from reviewer.bundle.files import CHUNK

ALGORITHMS = ("sha256", "sha512")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_TAG_FILES = ("bagit.txt", "bag-info.txt", *(f"manifest-{a}.txt" for a in ALGORITHMS))


Digests = Mapping[str, Mapping[str, str]]  # "data/<path>" -> algorithm -> hex digest


def make_bag(
    folder: Path, info: Mapping[str, str | Sequence[str]], known: Digests | None = None
) -> None:
    """Move ``folder``'s contents into ``folder/data`` and write the bag's tag files.

    ``info`` becomes bag-info.txt (a sequence value repeats the label); Payload-Oxum is
    computed here. ``known``: digests (of every algorithm) of payload files the caller has
    already hashed (:func:`file_digests`), by their path in the bag; the rest are read here.
    Paths are absolute throughout; the working directory is never changed.
    """
    folder = folder.resolve()
    entries = sorted(folder.iterdir())
    staging = folder / f".data-{os.getpid()}"
    staging.mkdir()
    for entry in entries:
        entry.rename(staging / entry.name)
    staging.rename(folder / "data")
    write_tag_files(folder, info, known)


def write_tag_files(
    bag_dir: Path, info: Mapping[str, str | Sequence[str]], known: Digests | None = None
) -> None:
    """bagit.txt, the payload manifests, bag-info.txt and the tag manifests of ``bag_dir``,
    whose payload is already under ``bag_dir/data`` (``known``: as for :func:`make_bag`)."""
    lines: dict[str, list[str]] = {a: [] for a in ALGORITHMS}
    total = count = 0
    data = bag_dir / "data"
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        name = "data/" + path.relative_to(data).as_posix()
        digests = (known or {}).get(name) or file_digests(path)
        for algorithm in ALGORITHMS:
            lines[algorithm].append(f"{digests[algorithm]}  {_encode(name)}\n")
        total += path.stat().st_size
        count += 1
    (bag_dir / "bagit.txt").write_bytes(BAGIT_TXT.encode("utf-8"))
    for algorithm, found in lines.items():
        (bag_dir / f"manifest-{algorithm}.txt").write_bytes("".join(found).encode("utf-8"))
    fields: dict[str, list[str]] = {
        label: [value] if isinstance(value, str) else list(value) for label, value in info.items()
    }
    fields["Payload-Oxum"] = [f"{total}.{count}"]
    text = "".join(
        f"{label}: {_one_line(value)}\n" for label in sorted(fields) for value in fields[label]
    )
    (bag_dir / "bag-info.txt").write_bytes(text.encode("utf-8"))
    for algorithm in ALGORITHMS:
        listed = "".join(
            f"{hashlib.new(algorithm, (bag_dir / name).read_bytes()).hexdigest()} {name}\n"
            for name in _TAG_FILES
        )
        (bag_dir / f"tagmanifest-{algorithm}.txt").write_bytes(listed.encode("utf-8"))


def file_digests(path: Path) -> dict[str, str]:
    """The file's digest in each of :data:`ALGORITHMS`, from one read."""
    hashes = {a: hashlib.new(a) for a in ALGORITHMS}
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            for h in hashes.values():
                h.update(block)
    return {a: h.hexdigest() for a, h in hashes.items()}


def _encode(name: str) -> str:
    """A manifest path as bagit.py writes (and reads) it: CR and LF percent-encoded."""
    return name.replace("\r", "%0D").replace("\n", "%0A")


def _one_line(value: str) -> str:
    return re.sub(r"[\r\n]+", "", str(value))
