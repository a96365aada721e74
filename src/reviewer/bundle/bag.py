"""Turn a folder of payload into a BagIt 1.0 bag (RFC 8493) with the ``bagit`` library.

``bagit`` 1.9.0 writes ``BagIt-Version: 0.97``; after it has made the bag, bagit.txt is
rewritten to the 1.0 lines and the tag manifests are regenerated (``Bag.save``), so the bag
says 1.0 and still validates. Note that ``bagit`` changes the process's working directory
while it works (and restores it): callers must use absolute paths meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import bagit

ALGORITHMS = ("sha256", "sha512")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def make_bag(folder: Path, info: Mapping[str, str | Sequence[str]]) -> None:
    """Move ``folder``'s contents into ``folder/data`` and write the bag's tag files.

    ``info`` becomes bag-info.txt (a sequence value repeats the label); Payload-Oxum is
    computed here.
    """
    fields: dict[str, str | list[str]] = {
        k: v if isinstance(v, str) else list(v) for k, v in info.items()
    }
    quiet = logging.getLogger("bagit")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        bagit.make_bag(str(folder.resolve()), fields, checksums=list(ALGORITHMS))
        (folder / "bagit.txt").write_bytes(BAGIT_TXT.encode("utf-8"))
        bag = bagit.Bag(str(folder.resolve()))
        bag.save()  # rewrites bag-info.txt as it was and regenerates the tag manifests
    finally:
        quiet.setLevel(level)
