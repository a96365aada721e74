"""Emoji and symbols in ordinary searches: parsed into index words, matched by FTS5 over the
index text the import writes, and highlighted in the original text."""

from __future__ import annotations

import sqlite3

import pytest

from reviewer.core.symbol_tokens import index_text
from reviewer.review.search_query import highlight_spans, parse

TEXTS = {
    1: "banana 🐒",
    2: "🐒🐒 again",
    3: "ok 👍🏽",
    4: "ok 👍",
    5: "the family 👨‍👩‍👧 came",
    6: "from 🇬🇧 and 🇫🇷",
    7: "it cost £50, 25°C",
    8: "love ❤️",
    9: "love ❤ plain",
    10: "press 1️⃣ now",
    11: "a banana🐒 glued",
    12: "man 👨 alone",
    13: "no emoji at all, just banana",
}


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    """The case database's index table, filled as the import fills it."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE f USING fts5(text, content='', "
        "tokenize='unicode61 remove_diacritics 2', columnsize=0)"
    )
    db.executemany(
        "INSERT INTO f(rowid, text) VALUES (?, ?)", [(k, index_text(v)) for k, v in TEXTS.items()]
    )
    return db


def ids(db: sqlite3.Connection, query: str) -> list[int]:
    rows = db.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid", (parse(query).match,))
    return [rowid for (rowid,) in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("🐒", [1, 2, 11]),
        ("🐒🐒", [2]),
        ('"🐒 🐒"', [2]),
        ("banana 🐒", [1, 11]),
        ("banana🐒", [1, 11]),  # the word right before the emoji
        ("🐒 -banana", [2]),
        ("🐒 OR 👍", [1, 2, 3, 4, 11]),
        ("👍", [3, 4]),  # any skin tone
        ("👍🏽", [3]),
        ("🏽", [3]),
        ("👨‍👩‍👧", [5]),
        ("👨", [12]),  # the family is one emoji, not a man
        ("🇬🇧", [6]),
        ("🇫🇷", [6]),
        ("❤", [8, 9]),  # with or without the emoji variation selector
        ("❤️", [8, 9]),
        ("1️⃣", [10]),
        ("£", [7]),
        ("°", [7]),
        ("banana", [1, 11, 13]),
        ('"love"', [8, 9]),
    ],
)
def test_emoji_and_symbols_are_found_like_words(
    fts: sqlite3.Connection, query: str, expected: list[int]
) -> None:
    assert ids(fts, query) == expected


def test_highlight_covers_whole_emoji_sequences() -> None:
    text = "ok 👍🏽 and 👍, 👨‍👩‍👧!"
    assert highlight_spans(text, parse("👍").terms) == ((3, 5), (10, 11))
    assert highlight_spans(text, parse("👍🏽").terms) == ((3, 5),)
    assert highlight_spans(text, parse("👨‍👩‍👧").terms) == ((13, 18),)
    assert highlight_spans("banana🐒🐒", parse("banana🐒").terms) == ((0, 7),)
    assert highlight_spans("🐒🐒🐒", parse("🐒🐒").terms) == ((0, 3),)


def test_a_phrase_of_words_highlights_across_a_symbol() -> None:
    text = "it costs £50, 1️⃣ more"
    assert highlight_spans(text, parse('"costs 50"').terms) == ((3, 12),)
    assert highlight_spans(text, parse('"costs £50"').terms) == ((3, 12),)
    assert highlight_spans(text, parse("£").terms) == ((9, 10),)
    assert highlight_spans(text, parse('"costs €50"').terms) == ()


def test_emoji_terms_stay_safe_fts5_strings(fts: sqlite3.Connection) -> None:
    assert ids(fts, "🐒's") == []
    assert ids(fts, "(🐒 OR 🇬🇧) NOT again") == [1, 6, 11]
