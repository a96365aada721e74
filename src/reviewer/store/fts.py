"""The full-text index ``message_fts``: words, emoji and symbols of every message.

The index is contentless (``content=''``): it holds the words of each message's
:func:`reviewer.core.symbol_tokens.index_text` — the text with every emoji and non-ASCII symbol
spelt as an index word — under the message id, and nothing reads columns back from it (search
needs only rowids). Messages never change after import, so there are no triggers: a bulk load
indexes its new rows in one statement. An import works out the index texts in Python as it
writes the rows (:func:`changed_index_texts`, in the importing process or in its worker) and
indexes each range of rows with them. Rebuilding from ``message`` uses
:data:`INDEX_TEXT_SQL`: a text of ASCII only is indexed as it is, without a call into Python
(SQLite compares its length in bytes and in characters).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from reviewer.core.symbol_tokens import index_text

CREATE_TABLE = (
    "CREATE VIRTUAL TABLE message_fts USING fts5(text, content='', "
    "tokenize='unicode61 remove_diacritics 2', columnsize=0)"
)
INDEX_TEXT_FUNCTION = "reviewer_index_text"
# A staging file's index texts (id, text) of the rows whose text the index reads differently.
STAGED_TABLE = "index_text"
# The text to index of a message row (``text`` is its column). The function returns NULL for
# a text it leaves as it is, which spares converting that text back for SQLite.
INDEX_TEXT_SQL = (
    f"CASE WHEN length(CAST(text AS BLOB)) = length(text) THEN text "
    f"ELSE coalesce({INDEX_TEXT_FUNCTION}(text), text) END"
)


def register(db: sqlite3.Connection) -> None:
    """Make the index-text function available on this connection (every case connection has
    it from the start: SQLite refuses to create a function while a statement is active)."""
    db.create_function(INDEX_TEXT_FUNCTION, 1, _changed_index_text, deterministic=True)


def _changed_index_text(text: str) -> str | None:
    spelt = index_text(text)
    return None if spelt is text else spelt


def changed_index_texts(rows: Iterable[tuple[Any, ...]], text_at: int) -> list[tuple[Any, str]]:
    """``(row[0], index text)`` of each row whose text (``row[text_at]``) the index reads
    differently: what a staging file keeps so the merge indexes it without a Python call."""
    out = []
    for row in rows:
        text = row[text_at]
        if not text.isascii():
            spelt = index_text(text)
            if spelt is not text:
                out.append((row[0], spelt))
    return out


def index_staged(db: sqlite3.Connection, schema: str, id_shift: int) -> None:
    """Index the rows of attached staging ``schema`` as their ids shifted by ``id_shift``,
    with the index texts the staging file holds (:func:`changed_index_texts`)."""
    db.execute(
        f"INSERT INTO message_fts(rowid, text) SELECT s.id + ?, coalesce(f.text, s.text) "
        f"FROM {schema}.message AS s LEFT JOIN {schema}.{STAGED_TABLE} AS f ON f.id = s.id "
        "ORDER BY s.id",
        (id_shift,),
    )


def index_range(db: sqlite3.Connection, first_id: int, last_id: int) -> None:
    """Index messages ``first_id..last_id`` of the case in one statement, with the index
    texts (:func:`changed_index_texts`, by case id) in the temp table ``STAGED_TABLE``."""
    db.execute(
        "INSERT INTO message_fts(rowid, text) SELECT m.id, coalesce(f.text, m.text) "
        f"FROM main.message AS m LEFT JOIN temp.{STAGED_TABLE} AS f ON f.id = m.id "
        "WHERE m.id BETWEEN ? AND ? ORDER BY m.id",
        (first_id, last_id),
    )
