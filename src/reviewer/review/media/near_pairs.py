"""Every pair of pictures within a Hamming distance on two 64-bit hashes, without comparing
every pair: multi-index hashing (Norouzi, Punjani and Fleet, "Fast exact search in Hamming
space with multi-index hashing", 2014) with the verification vectorised in NumPy.

The first hash is cut into four 16-bit chunks. Two hashes within ``r`` bits differ by at most
``r // 4`` bits in at least one chunk (were every chunk ``r // 4 + 1`` bits apart, the whole
would be more than ``r``), so every pair within ``r`` is found by looking up, for each chunk
value present, the values within ``r // 4`` bits of it (697 for ``r`` = 14: 1 + 16 + 120 + 560)
among the values present. The result is exact: the same pairs as comparing all of them. The
pairs found are then checked on both hashes in whole arrays. For random hashes about 4 % of all
pairs are looked at (``r`` = 14), so the work still grows with the square of the count (an
exact search within 14 of 64 bits cannot avoid that in general), but with a constant small
enough for tens of thousands of pictures (bench/bench_grouping.py, bench/RESULTS.md); pairs
are checked batch by batch, so memory holds only those that are close.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import combinations

import numpy as np
import numpy.typing as npt

CHUNKS = 4
CHUNK_BITS = 16
_MASK = (1 << CHUNK_BITS) - 1

Pairs = npt.NDArray[np.int64]  # shape (k, 2): index pairs i < j


def near_pairs(
    first: Sequence[int], second: Sequence[int], max_first: int, max_second: int
) -> Pairs:
    """Index pairs (i < j) with ``first`` hashes within ``max_first`` bits of each other and
    ``second`` hashes within ``max_second``, in ascending order of (i, j)."""
    a = np.array(first, dtype=np.uint64)
    b = np.array(second, dtype=np.uint64)
    count = len(a)
    if count < 2:
        return np.empty((0, 2), dtype=np.int64)
    masks = _masks(max_first // CHUNKS)
    found: list[npt.NDArray[np.int64]] = []
    for chunk in range(CHUNKS):
        keys = ((a >> np.uint64(chunk * CHUNK_BITS)) & np.uint64(_MASK)).astype(np.int64)
        order = np.argsort(keys, kind="stable")
        values, starts, sizes = np.unique(keys[order], return_index=True, return_counts=True)
        bucket = np.full(1 << CHUNK_BITS, -1, dtype=np.int64)  # chunk value -> its bucket
        bucket[values] = np.arange(len(values))
        for mask in masks:
            right = bucket[values ^ mask]
            left = np.nonzero(right >= 0)[0]
            right = right[left]
            keep = left <= right  # each pair of buckets once (equal: mask 0, one bucket)
            left, right = left[keep], right[keep]
            if not len(left):
                continue
            # Checked batch by batch: only the pairs that are close are kept in memory.
            i, j = _expand(order, starts, sizes, left, right)
            close = (np.bitwise_count(a[i] ^ a[j]) <= max_first) & (
                np.bitwise_count(b[i] ^ b[j]) <= max_second
            )
            found.append(i[close] * count + j[close])
    keyed = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    return np.stack([keyed // count, keyed % count], axis=1)


def _expand(
    order: npt.NDArray[np.int64],
    starts: npt.NDArray[np.int64],
    sizes: npt.NDArray[np.int64],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every item of bucket ``left[p]`` with every item of bucket ``right[p]``, as (i, j)
    with i < j (an item is not paired with itself)."""
    width = sizes[right]
    totals = sizes[left] * width
    pair = np.repeat(np.arange(len(left)), totals)
    offset = np.arange(int(totals.sum())) - np.repeat(np.cumsum(totals) - totals, totals)
    i = order[starts[left][pair] + offset // width[pair]]
    j = order[starts[right][pair] + offset % width[pair]]
    low, high = np.minimum(i, j), np.maximum(i, j)
    distinct = low != high
    return low[distinct], high[distinct]


@cache
def _masks(radius: int) -> npt.NDArray[np.int64]:
    """Every 16-bit value with at most ``radius`` bits set (0 first)."""
    found = [0]
    for bits in range(1, radius + 1):
        found += [sum(1 << b for b in chosen) for chosen in combinations(range(CHUNK_BITS), bits)]
    return np.array(found, dtype=np.int64)
