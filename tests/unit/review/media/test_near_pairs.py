"""Near-duplicate grouping finds its candidate pairs by multi-index hashing: the same pairs,
and so the same groups, as trying every pair (the reference below), on random hashes with
clusters of close copies, identical hashes and pairs just inside and outside the limits."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import pytest

from reviewer.review.media.hashes import ImageHashes, distance
from reviewer.review.media.near_pairs import near_pairs
from reviewer.review.media.similar import DHASH_MAX, FINE_DIRECT, PHASH_MAX, Picture, group, near


def _flip(value: int, bits: int, width: int, rng: random.Random) -> int:
    for bit in rng.sample(range(width), bits):
        value ^= 1 << bit
    return value


def _hashes(rng: random.Random, count: int) -> list[ImageHashes]:
    """Random hashes, a third of them copies of an earlier one with 0-18 pHash bits, 0-20
    dHash bits and 0-24 fine bits flipped (either side of every limit)."""
    found: list[ImageHashes] = []
    for _ in range(count):
        if found and rng.random() < 0.33:
            base = rng.choice(found)
            found.append(
                ImageHashes(
                    _flip(base.phash, rng.randint(0, PHASH_MAX + 4), 64, rng),
                    _flip(base.dhash, rng.randint(0, DHASH_MAX + 4), 64, rng),
                    _flip(base.phash16, rng.randint(0, FINE_DIRECT + 8), 256, rng),
                )
            )
        else:
            found.append(
                ImageHashes(rng.getrandbits(64), rng.getrandbits(64), rng.getrandbits(256))
            )
    return found


def _brute_pairs(first: Sequence[int], second: Sequence[int]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i in range(len(first))
        for j in range(i + 1, len(first))
        if distance(first[i], first[j]) <= PHASH_MAX and distance(second[i], second[j]) <= DHASH_MAX
    ]


def _brute_group(files: Mapping[str, Sequence[Picture]]) -> dict[str, int]:
    """The grouping as it was: every pair of pictures tried (O(N^2))."""
    keys = sorted(files)
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
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
    groups = sorted((sorted(m) for m in members.values() if len(m) > 1), key=lambda m: m[0])
    return {key: number for number, m in enumerate(groups, 1) for key in m}


@pytest.mark.parametrize("seed", range(6))
def test_same_pairs_as_trying_every_pair(seed: int) -> None:
    rng = random.Random(seed)
    hashes = _hashes(rng, 700)
    hashes += hashes[:20]  # identical hashes (the same picture twice)
    first, second = [h.phash for h in hashes], [h.dhash for h in hashes]
    expected = _brute_pairs(first, second)
    assert len(expected) > 50  # the clusters make close pairs, some only just
    found = [tuple(p) for p in near_pairs(first, second, PHASH_MAX, DHASH_MAX).tolist()]
    assert found == expected


@pytest.mark.parametrize("seed", range(4))
def test_same_groups_as_trying_every_pair(seed: int) -> None:
    rng = random.Random(100 + seed)
    hashes = _hashes(rng, 500)
    files: dict[str, list[Picture]] = {}
    for index, h in enumerate(hashes):
        # some files have several pictures (a video's key frames)
        key = f"{rng.randrange(450):064x}" if index % 7 == 0 else f"{1000 + index:064x}"
        files.setdefault(key, []).append(Picture(h))
    expected = _brute_group(files)
    assert len(set(expected.values())) > 10
    assert group(files) == expected


def test_small_and_empty_inputs() -> None:
    assert near_pairs([], [], PHASH_MAX, DHASH_MAX).tolist() == []
    assert near_pairs([5], [5], PHASH_MAX, DHASH_MAX).tolist() == []
    assert near_pairs([5, 5], [0, (1 << 64) - 1], PHASH_MAX, DHASH_MAX).tolist() == []
    assert near_pairs([5, 5], [1, 3], PHASH_MAX, DHASH_MAX).tolist() == [[0, 1]]
