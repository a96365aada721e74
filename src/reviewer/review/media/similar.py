"""Near-duplicates: the same picture re-encoded, resized or slightly cropped, in one group.

Two files are near-duplicates when some picture of one (an image, or a video's key frame) and
some picture of the other agree on two signals at once: the 64-bit pHash (DCT, overall
structure) within ``PHASH_MAX`` bits and the 64-bit dHash (gradients) within ``DHASH_MAX``.
One signal is not enough: screenshots of different text in one app's layout are as close under
pHash alone as a re-encoded copy. Groups join only through confirmed pairs.

Measured on the test fixtures (``tests/media_fixtures.py``): re-encoded (JPEG 60) and halved
copies differ by 0-2 bits on both; copies cropped by 3 % from two edges by 2-10 (pHash) and 5-15
(dHash); different screenshots of one layout by at least 14 and 19.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reviewer.review.media.analysers import AnalysisResult, images_of, is_image, is_video
from reviewer.review.media.hashes import ImageHashes, distance, image_hashes

PHASH_MAX = 10
DHASH_MAX = 12

#: Bumped whenever the hashes or the inputs to them change.
HASH_VERSION = "2"


@dataclass(frozen=True, slots=True)
class HashAnalyser:
    """pHash, dHash and a 256-bit pHash of each image, or of a video's key frames."""

    kind: Literal["similar"] = "similar"
    engine: str = "reviewer-hash"
    version: str = HASH_VERSION
    model: str | None = None

    def accepts(self, mime: str) -> bool:
        return is_image(mime) or is_video(mime)

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        frames = [image_hashes(image).to_json() for image in images_of(path, mime)]
        return AnalysisResult(data={"frames": frames})


def hashes_of(data: Mapping[str, object]) -> list[ImageHashes]:
    """The hash sets stored by :class:`HashAnalyser` in a result's ``data``."""
    frames = data.get("frames")
    if not isinstance(frames, list):
        return []
    return [ImageHashes.from_json(frame) for frame in frames]


def near(a: ImageHashes, b: ImageHashes) -> bool:
    """Both signals agree that two pictures are one."""
    return distance(a.phash, b.phash) <= PHASH_MAX and distance(a.dhash, b.dhash) <= DHASH_MAX


def group(
    files: Mapping[str, Sequence[ImageHashes]], previous: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Group number per file (by SHA-256) for files with at least one near-duplicate.

    A group keeps the smallest previous number any of its files had (so a decision on group N
    still means the same pictures after a re-run over more exhibits); new groups get numbers
    after the largest ever used, in the order of their smallest SHA-256.
    """
    previous = previous or {}
    keys = sorted(files)
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    flat = [(index, h) for index, key in enumerate(keys) for h in files[key]]
    for position, (i, a) in enumerate(flat):
        for j, b in flat[position + 1 :]:
            if i != j and root(i) != root(j) and near(a, b):
                parent[root(i)] = root(j)
    members: dict[int, list[str]] = {}
    for index, key in enumerate(keys):
        members.setdefault(root(index), []).append(key)
    groups = [sorted(m) for m in members.values() if len(m) > 1]
    groups.sort(key=lambda m: m[0])
    result: dict[str, int] = {}
    used: set[int] = set()
    next_number = max(previous.values(), default=0) + 1
    for m in groups:
        kept = sorted({previous[k] for k in m if k in previous} - used)
        if kept:
            number = kept[0]
        else:
            number = next_number
            next_number += 1
        used.add(number)
        result.update(dict.fromkeys(m, number))
    return result


def count_groups(groups: Iterable[int]) -> int:
    return len(set(groups))
