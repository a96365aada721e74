"""Order-preserving selection of matched pairs: longest and heaviest increasing subsequences.

A pair ``(i, j)`` matches item ``i`` of one sequence with item ``j`` of another. A set of pairs
keeps both orders when ``i`` and ``j`` both strictly increase along it; these functions pick
such a set of most pairs (``longest_chain``) or of greatest total weight (``heaviest_chain``),
in O(P log P) for P candidate pairs.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

__all__ = ["heaviest_chain", "longest_chain"]


def longest_chain(pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Most pairs with ``i`` and ``j`` strictly increasing (each ``i`` and ``j`` used once)."""
    order = sorted(range(len(pairs)), key=lambda k: (pairs[k][0], -pairs[k][1]))
    tails: list[int] = []  # the smallest j ending a chain of each length
    tail_at: list[int] = []  # index into pairs of that tail
    parent = [-1] * len(pairs)
    for k in order:
        j = pairs[k][1]
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        parent[k] = tail_at[pos - 1] if pos else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(pairs[k])
        k = parent[k]
    chain.reverse()
    return chain


def heaviest_chain(
    pairs: Sequence[tuple[int, int]], weights: Sequence[float]
) -> list[tuple[int, int]]:
    """Pairs of greatest total weight with ``i`` and ``j`` strictly increasing (all weights
    positive). Ties go to the chain met first in ``(i, j)`` order."""
    if not pairs:
        return []
    js = sorted({j for _, j in pairs})
    rank = {j: r + 1 for r, j in enumerate(js)}  # 1-based for the Fenwick tree
    size = len(js)
    tree_value = [0.0] * (size + 1)
    tree_at = [-1] * (size + 1)
    best = [0.0] * len(pairs)
    parent = [-1] * len(pairs)
    order = sorted(range(len(pairs)), key=lambda k: (pairs[k][0], -pairs[k][1]))
    for k in order:
        r = rank[pairs[k][1]]
        # prefix maximum over ranks < r
        value, at, q = 0.0, -1, r - 1
        while q > 0:
            if tree_value[q] > value:
                value, at = tree_value[q], tree_at[q]
            q -= q & -q
        total = value + weights[k]
        best[k] = total
        parent[k] = at
        q = r
        while q <= size:
            if total > tree_value[q]:
                tree_value[q], tree_at[q] = total, k
            q += q & -q
    k = max(range(len(pairs)), key=lambda m: (best[m], -m))
    chain: list[tuple[int, int]] = []
    while k >= 0:
        chain.append(pairs[k])
        k = parent[k]
    chain.reverse()
    return chain
