"""Near-duplicates: the same picture re-encoded, resized or slightly cropped, in one group.

Two files are near-duplicates when some picture of one (an image, or a video's key frame) and
some picture of the other agree on three signals: the 64-bit pHash (DCT, overall structure)
within ``PHASH_MAX`` bits, the 64-bit dHash (gradients) within ``DHASH_MAX``, and the 256-bit
pHash (fine detail: the text of a screenshot) within ``FINE_MAX`` - directly, or after a
slight crop is undone on 64 x 64 thumbnails (``align``). Coarse signals alone are not enough:
of 40 screenshots of different text in one app's layout, one pair came within 8 bits (pHash)
and 9 (dHash), closer than a copy cropped by 5 %. Groups join only through confirmed pairs.

Measured on the test fixtures (``tests/media_fixtures.py``): re-encoded (JPEG 60) and halved
copies: 0-2 bits on pHash and dHash, at most 6 on the fine pHash; copies cropped by 3-5 % from
two edges: up to 14 (pHash) and 16 (dHash), and after alignment mostly within 16 on the fine
pHash; different screenshots: at least 40 on the fine pHash after alignment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from PIL import Image

from reviewer.review.media import align
from reviewer.review.media.analysers import AnalysisResult, images_of, is_image, is_video
from reviewer.review.media.hashes import ImageHashes, distance, hashes_of_grey, shrunk_grey
from reviewer.review.media.near_pairs import near_pairs

PHASH_MAX = 14
DHASH_MAX = 16
FINE_MAX = 24
#: Fine pHash distance at which two pictures are one without aligning them.
FINE_DIRECT = 16

#: Bumped whenever the hashes or the inputs to them change.
HASH_VERSION = "3"


@dataclass(frozen=True)
class Picture:
    """One image or key frame: its hashes and its 64 x 64 grey thumbnail (for alignment)."""

    hashes: ImageHashes
    thumb: Image.Image | None = None

    @cached_property
    def prepared(self) -> align.Prepared | None:
        """The thumbnail ready for alignment, made on first use and kept."""
        return None if self.thumb is None else align.Prepared(self.thumb)


@dataclass(frozen=True, slots=True)
class HashAnalyser:
    """pHash, dHash, a 256-bit pHash and a 64 x 64 grey thumbnail of each image, or of a
    video's key frames."""

    kind: Literal["similar"] = "similar"
    engine: str = "reviewer-hash"
    version: str = HASH_VERSION
    model: str | None = None

    def accepts(self, mime: str) -> bool:
        return is_image(mime) or is_video(mime)

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        frames = []
        for image in images_of(path, mime):
            found = picture(image)
            assert found.thumb is not None
            frames.append({**found.hashes.to_json(), "thumb": align.pack(found.thumb)})
        return AnalysisResult(data={"frames": frames})


def picture(image: Image.Image) -> Picture:
    """The hashes and thumbnail of one image."""
    grey = shrunk_grey(image)
    return Picture(hashes_of_grey(grey), align.thumbnail(grey))


def pictures_of(data: Mapping[str, object]) -> list[Picture]:
    """The pictures stored by :class:`HashAnalyser` in a result's ``data``."""
    frames = data.get("frames")
    if not isinstance(frames, list):
        return []
    return [
        Picture(ImageHashes.from_json(frame), align.unpack(frame["thumb"]))
        if "thumb" in frame
        else Picture(ImageHashes.from_json(frame))
        for frame in frames
    ]


def near(a: Picture, b: Picture) -> bool:
    """All three signals agree that two pictures are one."""
    ha, hb = a.hashes, b.hashes
    if distance(ha.phash, hb.phash) > PHASH_MAX or distance(ha.dhash, hb.dhash) > DHASH_MAX:
        return False
    if distance(ha.phash16, hb.phash16) <= FINE_DIRECT:
        return True
    if a.prepared is None or b.prepared is None:
        return False
    return align.aligned_distance(a.prepared, b.prepared) <= FINE_MAX


def group(
    files: Mapping[str, Sequence[Picture]], previous: Mapping[str, int] | None = None
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
    # Only pairs close on both coarse hashes can be near (``near`` checks them first): found
    # by multi-index hashing instead of trying every pair, in the order the loop over every
    # pair would have tried them (the groups do not depend on it).
    candidates = near_pairs(
        [h.hashes.phash for _, h in flat], [h.hashes.dhash for _, h in flat], PHASH_MAX, DHASH_MAX
    )
    for x, y in candidates.tolist():
        (i, a), (j, b) = flat[x], flat[y]
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
