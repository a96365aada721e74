"""Emoji and symbols as index words: whole sequences, tones apart, spans in the original."""

from __future__ import annotations

import pytest

from reviewer.core.symbol_tokens import SEAM, has_symbols, index_text, spell_text, symbol_tokens


def chars(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in symbol_tokens(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("plain ascii $ + < 123", []),
        ("Ωμέγα καλημέρα", []),
        ("🐒🐒", ["🐒", "🐒"]),
        ("👍🏽", ["👍🏽", "🏽"]),  # the emoji, then its skin tone as a word of its own
        ("👨‍👩‍👧!", ["👨‍👩‍👧"]),
        ("🇬🇧🇫🇷", ["🇬🇧", "🇫🇷"]),
        ("1️⃣ 12", ["1️⃣"]),
        ("🏴󠁧󠁢󠁳󠁣󠁴󠁿x", ["🏴󠁧󠁢󠁳󠁣󠁴󠁿"]),
        ("❤️ ❤", ["❤️", "❤"]),
        ("£5 €6 25°", ["£", "€", "°"]),
        ("🫠", ["🫠"]),  # newer than Python's Unicode data: the emoji blocks are whole
    ],
)
def test_sequences_are_found_whole(text: str, found: list[str]) -> None:
    assert chars(text) == found
    assert has_symbols(text) == bool(found)


def test_variation_selectors_do_not_change_the_word() -> None:
    assert [w for *_, w in symbol_tokens("❤️")] == [w for *_, w in symbol_tokens("❤")]
    assert next(symbol_tokens("👍🏽"))[2] == next(symbol_tokens("👍"))[2]


def test_spell_text_keeps_text_without_symbols_and_spaces_symbols_apart() -> None:
    same = "naïve café, 12:30"
    assert spell_text(same) is same
    spelt = spell_text("banana🐒x")
    assert spelt.startswith("banana ") and spelt.endswith(" x")
    assert "🐒" not in spelt and spelt.split()[1] == next(symbol_tokens("🐒"))[2]
    assert all("\ue000" <= c <= "\ue010" for c in spelt.split()[1])


def test_index_text_is_the_text_as_written_then_spelt_after_a_seam() -> None:
    same = "naïve café, 12:30"
    assert index_text(same) is same
    assert index_text("costs £50") == f"costs £50 {SEAM} {spell_text('costs £50')}"
