"""Cohen's kappa and the 2×2 tables of review/agreement.py (DESIGN.md §11)."""

from __future__ import annotations

import pytest

from reviewer.review.agreement import agreement, cohen_kappa, with_ancestors


def test_kappa_of_a_textbook_table() -> None:
    # p_o = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.4
    assert cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)


def test_kappa_is_undefined_when_both_always_say_the_same_single_thing() -> None:
    assert cohen_kappa(4, 0, 0, 0) is None
    assert cohen_kappa(0, 0, 0, 0) is None
    assert cohen_kappa(2, 0, 0, 2) == pytest.approx(1.0)


def test_pairs_count_only_messages_both_reviewed_and_sub_categories_count_for_parents() -> None:
    decisions = {
        "A": {1: frozenset({"d.race"}), 2: frozenset(), 3: frozenset({"v"}), 9: frozenset({"v"})},
        "B": {1: frozenset({"d"}), 2: frozenset({"v"}), 3: frozenset()},
    }
    parents = {"d.race": "d", "d": None, "v": None}
    rows = {
        r.category: r for r in agreement(decisions, parents=parents, order=["d", "d.race", "v"])
    }
    assert list(rows) == ["d", "d.race", "v"]
    assert (rows["d"].both, rows["d"].neither, rows["d"].messages) == (1, 2, 3)
    assert rows["d.race"].disagreements == (1,)
    assert (rows["v"].only_a, rows["v"].only_b, rows["v"].disagreements) == (1, 1, (2, 3))
    assert rows["v"].record()["reviewers"] == ["A", "B"]
    assert with_ancestors(frozenset({"d.race"}), parents) == {"d", "d.race"}
