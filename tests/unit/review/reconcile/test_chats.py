"""Whether two conversations are one chat: content decides, names only add doubt or trust."""

from __future__ import annotations

from reviewer.review.reconcile.chats import SURE, ConversationFacts, compare, subject_names
from reviewer.review.reconcile.items import Item, Track, text_key

T0 = 1_700_000_000.0


def _facts(
    name: str, texts: list[str], shift: float = 0.0, exhibit: int = 1, first: int = 0
) -> ConversationFacts:
    items = [
        Item(exhibit * 1000 + k, T0 + 97 * (first + k) + shift, 1, "text", text_key(t))
        for k, t in enumerate(texts)
    ]
    return ConversationFacts(name, frozenset({text_key(name)}), frozenset(), Track(exhibit, items))


LINES = [f"line {k}: the van is parked behind the station" for k in range(40)]
OTHER = [f"other group {k}: see you at five-a-side" for k in range(40)]


def test_the_same_content_is_sure_whatever_the_names() -> None:
    found = compare(
        _facts("AB-1", LINES), _facts("Night Shift", LINES[10:], 180, exhibit=2, first=10)
    )
    assert found.confidence >= SURE
    assert found.aligned == 30 and abs(found.offset - 180) < 1
    assert not found.same_name


def test_a_shared_name_alone_is_only_a_proposal() -> None:
    found = compare(_facts("Night Shift", LINES), _facts("Night Shift", OTHER, exhibit=2))
    assert found.aligned == 0
    assert 0.3 <= found.confidence < SURE


def test_different_chats_are_not_linked() -> None:
    found = compare(_facts("Night Shift", LINES), _facts("Football", OTHER, exhibit=2))
    assert found.confidence < 0.3


def test_group_names_from_subject_lines() -> None:
    names = subject_names(['Sam changed the subject from "Shift B" to \u201cNights\u201d'])
    assert names == {"shift b", "nights"}
