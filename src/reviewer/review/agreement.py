"""Agreement between two reviewers of the same messages, per category (DESIGN.md §11).

For a category and a pair of reviewers, each message both reviewed falls in one cell of a
2×2 table: both tagged it with the category (or one below it), only the first, only the
second, or neither. Observed agreement ``p_o = (both + neither) / n``; chance agreement
``p_e = ((both + only_a)(both + only_b) + (only_b + neither)(only_a + neither)) / n²``; Cohen's
``kappa = (p_o − p_e) / (1 − p_e)``, undefined (None) when ``p_e`` is 1 (both reviewers gave
every message the same single answer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

# reviewer -> message id -> the categories that reviewer tagged it with (empty: no concern)
Decisions = Mapping[str, Mapping[int, frozenset[str]]]
# (tagged by A, tagged by B) -> index of both, only_a, only_b, neither
_CELL = {(True, True): 0, (True, False): 1, (False, True): 2, (False, False): 3}


@dataclass(frozen=True, slots=True)
class PairAgreement:
    category: str
    reviewers: tuple[str, str]
    messages: int
    both: int
    only_a: int
    only_b: int
    neither: int
    disagreements: tuple[int, ...]

    @property
    def agreement(self) -> float | None:
        if not self.messages:
            return None
        return (self.both + self.neither) / self.messages

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.both, self.only_a, self.only_b, self.neither)

    def record(self) -> dict[str, Any]:
        """The ``reviewer agreement --jsonl`` record."""
        return {
            "category": self.category,
            "reviewers": list(self.reviewers),
            "messages": self.messages,
            "both": self.both,
            "only_a": self.only_a,
            "only_b": self.only_b,
            "neither": self.neither,
            "agreement": self.agreement,
            "kappa": self.kappa,
            "disagreements": list(self.disagreements),
        }


def cohen_kappa(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    n = both + only_a + only_b + neither
    if n == 0:
        return None
    p_o = (both + neither) / n
    p_e = ((both + only_a) * (both + only_b) + (only_b + neither) * (only_a + neither)) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def with_ancestors(categories: frozenset[str], parents: Mapping[str, str | None]) -> frozenset[str]:
    """The categories and every category above them (a ``discriminatory.race`` tag is also a
    ``discriminatory`` finding)."""
    found = set(categories)
    for key in categories:
        parent = parents.get(key)
        while parent is not None and parent not in found:
            found.add(parent)
            parent = parents.get(parent)
    return frozenset(found)


def agreement(
    decisions: Decisions,
    *,
    parents: Mapping[str, str | None] | None = None,
    order: Sequence[str] = (),
) -> list[PairAgreement]:
    """One row per pair of reviewers (names in order) and category either of them used on a
    message both reviewed; categories in ``order`` (the taxonomy's), then the rest sorted."""
    parents = parents or {}
    rank = {key: i for i, key in enumerate(order)}
    rows: list[PairAgreement] = []
    for a, b in combinations(sorted(decisions), 2):
        shared = sorted(set(decisions[a]) & set(decisions[b]))
        if not shared:
            continue
        tags_a = {m: with_ancestors(decisions[a][m], parents) for m in shared}
        tags_b = {m: with_ancestors(decisions[b][m], parents) for m in shared}
        used: set[str] = set()
        for m in shared:
            used |= tags_a[m] | tags_b[m]
        for category in sorted(used, key=lambda k: (rank.get(k, len(rank)), k)):
            cells = [0, 0, 0, 0]
            differ: list[int] = []
            for m in shared:
                in_a, in_b = category in tags_a[m], category in tags_b[m]
                cells[_CELL[(in_a, in_b)]] += 1
                if in_a != in_b:
                    differ.append(m)
            both, only_a, only_b, neither = cells
            rows.append(
                PairAgreement(
                    category, (a, b), len(shared), both, only_a, only_b, neither, tuple(differ)
                )
            )
    return rows
