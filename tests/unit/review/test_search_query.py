"""Search query parsing: safe FTS5 expressions, clear errors, highlight spans."""

from __future__ import annotations

import sqlite3

import pytest

from reviewer.core.errors import InputError
from reviewer.review.search_query import highlight_spans, parse

TEXTS = {
    1: "Meet at the café at nine",
    2: "cafe closed, don't go",
    3: "Thank you for the e-mail @bob",
    4: "thanks a lot",
    5: "the birthday party",
    6: "naïve question about CAFÉS",
}


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    """An FTS5 table with the case database's tokenizer."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE f USING fts5(text, tokenize='unicode61 remove_diacritics 2', "
        "columnsize=0)"
    )
    db.executemany("INSERT INTO f(rowid, text) VALUES (?, ?)", TEXTS.items())
    return db


def found(db: sqlite3.Connection, query: str) -> list[int]:
    rows = db.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid", (parse(query).match,))
    return [rowid for (rowid,) in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cafe", [1, 2]),
        ("café", [1, 2]),  # an accented term matches unaccented text and vice versa
        ("CAFE", [1, 2]),
        ("the at", [1]),
        ('"thank you"', [3]),
        ("thank*", [3, 4]),
        ("caf*", [1, 2, 6]),
        ("cafe OR birthday", [1, 2, 5]),
        ("the -cafe", [3, 5]),
        ("the NOT birthday", [1, 3]),
        ("(cafe OR thanks) -closed", [1, 4]),
        ("don't", [2]),
        ("e-mail", [3]),
        ("@bob", [3]),
        ("naive", [6]),
        ('"thank yo"*', [3]),
        ("or", []),  # lower-case operators are words
    ],
)
def test_queries_find_the_expected_rows(
    fts: sqlite3.Connection, query: str, expected: list[int]
) -> None:
    assert found(fts, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(a b)",
        "col:x",
        "^x",
        "x+y",
        "{a b}:c",
        'say "it\'s" now',
        "a AND b OR c NOT d",
        "AND x",
        "x*y*",
        "O'Brien-Smith @home #tag",
        "ok👍 fine",
    ],
)
def test_hostile_input_never_breaks_fts5(fts: sqlite3.Connection, query: str) -> None:
    found(fts, query)


def test_every_term_is_quoted() -> None:
    assert parse('a "b c" d* -e').match == '("a" AND "b c" AND "d"*) NOT "e"'
    assert parse('say "x""y"').match.count('"') % 2 == 0


def test_positive_terms_exclude_the_excluded() -> None:
    query = parse('"Thank you" caf* -closed NOT (x OR y)')
    assert [(t.words, t.prefix) for t in query.terms] == [
        (("thank", "you"), False),
        (("caf",), True),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ('"unclosed phrase', "unbalanced quote"),
        ("-cafe", "only exclude"),
        ("NOT cafe", "only exclude"),
        ("-a -b", "only exclude"),
        ("(cafe", "never closed"),
        ("cafe)", "no matching"),
        ("cafe OR", "nothing beside it"),
        ("OR cafe", "nothing beside it"),
        ("cafe AND", "ends with AND"),
        ("$", "regex search"),
        ("!!!", "no letter, digit, emoji or symbol"),
    ],
)
def test_invalid_queries_are_refused_clearly(query: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse(query)


def test_highlight_folds_case_and_accents_and_maps_to_the_original() -> None:
    text = "Café au lait, CAFE! caféine"
    assert highlight_spans(text, parse("cafe").terms) == ((0, 4), (14, 18))
    assert highlight_spans(text, parse("cafe*").terms) == ((0, 4), (14, 18), (20, 27))


def test_highlight_covers_whole_phrases_and_merges_overlaps() -> None:
    text = "I said thank  you, Thank-you and thanks"
    assert highlight_spans(text, parse('"thank you"').terms) == ((7, 17), (19, 28))
    assert highlight_spans(text, parse('"thank you" thank').terms) == ((7, 17), (19, 28))


def test_highlight_with_combining_marks_keeps_them_inside() -> None:
    text = "cafe\u0301 ok"  # e + combining acute
    assert highlight_spans(text, parse("cafe").terms) == ((0, 5),)


@pytest.mark.parametrize("text", ["snake_case and CASE", "snake_case and CASÉ"])
def test_ascii_and_unicode_word_splitting_agree(text: str) -> None:
    assert highlight_spans(text, parse("case").terms) == ((6, 10), (15, 19))
