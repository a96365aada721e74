"""Bulk loading of imported messages: straight into the case, or into a staging file.

An import writes the rows it parses itself straight into ``message``; rows parsed by a worker
process go to a staging SQLite file that is attached to the case connection and copied with
one ``INSERT … SELECT``. Both writers take rows of the same layout (ids local to the chunk,
counting from 1; the sender as a participant id, or in a staging file as a number by order
of first appearance) and batch them for ``executemany``.

Binding ``None`` costs Python's sqlite3 an adapter lookup per value (about six times an int),
so rows without flags, events or replies use statements whose optional columns are NULL
literals.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reviewer.store import fts
from reviewer.store.engine import PAGE_SIZE

PLAIN_COLUMNS = (
    "id", "seq", "timestamp", "utc", "sender", "kind", "text",
    "src_line", "src_lines", "src_offset", "src_length",
)  # fmt: skip
EXTRA_COLUMNS = (
    "time_flag", "edited", "reply_to_seq", "flags", "system_event", "event_actor",
    "event_subjects", "raw",
)  # fmt: skip
_COLUMNS = PLAIN_COLUMNS + EXTRA_COLUMNS
_PLAIN_DEFAULTS = ("NULL", "0", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL")
# Untyped columns (a sender such as "+44 7700 900123" must stay text), but the id is the rowid:
# an untyped primary key would be a second index to maintain.
_CREATE_STAGING = (
    f"CREATE TABLE IF NOT EXISTS message (id INTEGER PRIMARY KEY, {', '.join(_COLUMNS[1:])})"
)
_INDEX_TEXT_TABLE = (
    f"TABLE IF NOT EXISTS {fts.STAGED_TABLE} (id INTEGER PRIMARY KEY, text NOT NULL)"
)
_CREATE_INDEX_TEXT = f"CREATE {_INDEX_TEXT_TABLE}"
_INSERT_INDEX_TEXT = f"INSERT INTO {fts.STAGED_TABLE} (id, text) VALUES (?, ?)"
_TEXT_AT = PLAIN_COLUMNS.index("text")
# CaseWriter's index texts, by case id: a temp table, rolled back with a failed import.
_CREATE_CASE_INDEX_TEXT = f"CREATE TEMP {_INDEX_TEXT_TABLE}"
_CASE_COLUMNS = (
    "id, conversation_id, seq, timestamp, utc, sender_id, kind, text, src_line, src_lines, "
    "src_offset, src_length, time_flag, edited, reply_to_id, flags, system_event, event_actor, "
    "event_subjects, raw"
)


def _case_values(id_shift: int, conversation_id: int, plain: bool) -> str:
    values = [
        f"? + {id_shift}", str(conversation_id), "?", "?", "?", "?", "?", "?", "?", "?",
        "?", "?",
    ]  # fmt: skip
    if plain:
        return ", ".join(values + list(_PLAIN_DEFAULTS))
    reply = f"? + {id_shift + 1}"  # a reply names a seq; its id is seq + 1 + id_shift
    return ", ".join([*values, "?", "?", reply, "?", "?", "?", "?", "?"])


class _BatchWriter:
    """Writes batches of plain and full rows with two prepared statements, and hands the
    index text of each row the full-text index reads differently
    (:func:`fts.changed_index_texts`) to ``_keep_index_texts``: spelt here, from the texts
    already in hand, rather than by a call from SQLite into Python per non-ASCII text."""

    def __init__(self, db: sqlite3.Connection, plain_sql: str, full_sql: str) -> None:
        self._db = db
        self._plain_sql = plain_sql
        self._full_sql = full_sql

    def write(self, plain: list[tuple[Any, ...]], full: list[tuple[Any, ...]]) -> None:
        """Insert rows of PLAIN_COLUMNS and of PLAIN_COLUMNS + EXTRA_COLUMNS."""
        if plain:
            self._db.executemany(self._plain_sql, plain)
        if full:
            self._db.executemany(self._full_sql, full)
        for rows in (plain, full):
            spelt = fts.changed_index_texts(rows, _TEXT_AT)
            if spelt:
                self._keep_index_texts(spelt)

    def _keep_index_texts(self, spelt: list[tuple[int, str]]) -> None:
        """Keep ``(local id, index text)`` of rows just written."""
        raise NotImplementedError


class StagingWriter(_BatchWriter):
    """Writes staged rows to a staging file (created if needed), and their index texts, so
    the importing process does not spell emoji and symbols itself; ``close`` commits."""

    def __init__(self, path: Path) -> None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a new file: as the case's pages
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute(_CREATE_STAGING)
        db.execute(_CREATE_INDEX_TEXT)
        db.execute("BEGIN")
        names = ", ".join(_COLUMNS)
        plain = f"INSERT INTO message ({names}) VALUES ({', '.join(('?',) * 11 + _PLAIN_DEFAULTS)})"
        full = f"INSERT INTO message ({names}) VALUES ({', '.join('?' * len(_COLUMNS))})"
        super().__init__(db, plain, full)

    def _keep_index_texts(self, spelt: list[tuple[int, str]]) -> None:
        self._db.executemany(_INSERT_INDEX_TEXT, spelt)

    def close(self) -> None:
        self._db.execute("COMMIT")
        self._db.close()


def create_staging(path: Path) -> None:
    """An empty staging file, so it can be attached before its rows are written."""
    StagingWriter(path).close()


class CaseWriter(_BatchWriter):
    """Writes rows straight into ``message`` of the case, inside the caller's transaction;
    the rows' sender column holds the participant id. Their index texts go to a temp table
    (by case id) that :func:`index_messages` reads and drops."""

    def __init__(self, db: sqlite3.Connection, *, id_shift: int, conversation_id: int) -> None:
        insert = f"INSERT INTO message ({_CASE_COLUMNS}) VALUES "
        super().__init__(
            db,
            insert + f"({_case_values(id_shift, conversation_id, plain=True)})",
            insert + f"({_case_values(id_shift, conversation_id, plain=False)})",
        )
        db.execute(_CREATE_CASE_INDEX_TEXT)
        self._insert_index_text = (
            f"INSERT INTO temp.{fts.STAGED_TABLE} (id, text) VALUES (? + {id_shift}, ?)"
        )

    def _keep_index_texts(self, spelt: list[tuple[int, str]]) -> None:
        self._db.executemany(self._insert_index_text, spelt)


def merge(
    db: sqlite3.Connection,
    schema: str,
    *,
    id_shift: int,
    seq_shift: int,
    conversation_id: int,
    senders: list[int],
) -> None:
    """Copy attached staging ``schema`` into ``message``.

    Staged rows name their sender by number (1 for the first sender of the staged rows,
    and so on); ``senders[k - 1]`` is the participant id of number ``k``. Staged id ``k``
    always belongs to staged seq ``k - 1`` (and a staged reply names a staged seq), so id
    ``k`` becomes ``k + id_shift`` and seq ``s`` becomes ``s + seq_shift``.
    """
    db.execute("CREATE TEMP TABLE sender_map (number INTEGER PRIMARY KEY, id INTEGER)")
    try:
        db.executemany("INSERT INTO temp.sender_map VALUES (?, ?)", enumerate(senders, 1))
        db.execute(
            f"""
            INSERT INTO message ({_CASE_COLUMNS})
            SELECT s.id + :shift, :conversation, s.seq + :seq_shift, s.timestamp, s.utc, m.id,
                s.kind, s.text, s.src_line, s.src_lines, s.src_offset, s.src_length,
                s.time_flag, s.edited, s.reply_to_seq + :shift + 1, s.flags, s.system_event,
                s.event_actor, s.event_subjects, s.raw
            FROM {schema}.message AS s LEFT JOIN temp.sender_map AS m ON m.number = s.sender
            """,
            {"shift": id_shift, "seq_shift": seq_shift, "conversation": conversation_id},
        )
    finally:  # a failed INSERT may have rolled the whole transaction back, temp table too
        db.execute("DROP TABLE IF EXISTS temp.sender_map")


def index_messages(db: sqlite3.Connection, first_id: int, last_id: int) -> None:
    """Full-text index rows ``first_id..last_id`` in one statement (a trigger per row during a
    bulk load is about ten times slower), emoji and symbols included, with the index texts
    the :class:`CaseWriter` that wrote them kept.

    Incremental segment merging is paused and pending terms are flushed less often during the
    load (about 40% faster; measured first-page query times are unchanged); FTS5's defaults
    are restored afterwards.
    """
    db.execute(_CREATE_CASE_INDEX_TEXT)  # a chatless Telegram export wrote nothing
    try:
        with _bulk_indexing(db):
            fts.index_range(db, first_id, last_id)
    finally:  # as in merge: a failed INSERT may have rolled the temp table back already
        db.execute(f"DROP TABLE IF EXISTS temp.{fts.STAGED_TABLE}")


def index_staged(db: sqlite3.Connection, schema: str, *, id_shift: int) -> None:
    """:func:`index_messages` of the rows just merged from attached staging ``schema``, with
    the index texts the worker worked out."""
    with _bulk_indexing(db):
        fts.index_staged(db, schema, id_shift)


# FTS5 writes its pending terms out as a new segment whenever they exceed ``hashsize`` (1 MiB
# by default). A million messages with their spelt copies made over 64 segments, so the last
# piece of a large import paid a crisis merge of all of them (~0.6 s); with 8 MiB the same
# import leaves ~10 segments and merges nothing.
_BULK_HASHSIZE = 8 * 2**20
_DEFAULT_HASHSIZE = 2**20


@contextmanager
def _bulk_indexing(db: sqlite3.Connection) -> Iterator[None]:
    _fts_config(db, automerge=0, crisismerge=64, hashsize=_BULK_HASHSIZE)
    yield
    _fts_config(db, automerge=4, crisismerge=16, hashsize=_DEFAULT_HASHSIZE)


def _fts_config(db: sqlite3.Connection, **values: int) -> None:
    for name, value in values.items():
        db.execute("INSERT INTO message_fts(message_fts, rank) VALUES (?, ?)", (name, value))
