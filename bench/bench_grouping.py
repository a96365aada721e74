"""Benchmark: near-duplicate grouping of N pictures' hashes, multi-index hashing against the
old loop over every pair.

Usage: python bench/bench_grouping.py [--count N] [--seed S] [--brute]

Hashes are random, a third of them copies of an earlier one with some bits flipped (as
tests/unit/review/media/test_near_pairs.py makes them); pictures carry no thumbnail, so the
fine check is the direct 256-bit pHash distance (alignment cost is the same either way: it is
tried only for pairs that pass both coarse hashes). Prints CPU and wall seconds of
``similar.group`` and, with ``--brute``, of the previous O(N^2) loop, and whether both gave the
same groups.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "review" / "media"))

from test_near_pairs import _brute_group, _hashes  # noqa: E402

from reviewer.review.media.similar import Picture, group  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--brute", action="store_true", help="also time the O(N^2) loop")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    files = {f"{i:064x}": [Picture(h)] for i, h in enumerate(_hashes(rng, args.count))}
    print(f"{args.count} pictures, load {os.getloadavg()[0]:.2f}")
    cpu, wall = time.process_time(), time.perf_counter()
    fast = group(files)
    print(
        f"multi-index: {time.process_time() - cpu:.3f} s CPU, "
        f"{time.perf_counter() - wall:.3f} s wall, {len(set(fast.values()))} groups"
    )
    if args.brute:
        cpu, wall = time.process_time(), time.perf_counter()
        slow = _brute_group(files)
        print(
            f"every pair:  {time.process_time() - cpu:.3f} s CPU, "
            f"{time.perf_counter() - wall:.3f} s wall, same groups: {slow == fast}"
        )


if __name__ == "__main__":
    main()
