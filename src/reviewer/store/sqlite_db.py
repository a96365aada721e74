"""A case database's connection settings, and plain ``sqlite3`` transactions on it.

Every connection to a case database, the SQLAlchemy engine's (``store.engine``) and the plain
ones the light commands use without loading SQLAlchemy (DESIGN.md §7, start-up time), is set up
by :func:`configure`: WAL, foreign keys, a busy timeout and synchronous commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.store import fts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 10_000


def configure(db: sqlite3.Connection) -> None:
    """Settings every connection to a case database has from the start."""
    db.isolation_level = None  # BEGIN is ours: an import (DDL included) is one transaction
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = ON")
    # FULL: a change acknowledged to the user survives a power cut.
    db.execute("PRAGMA synchronous = FULL")
    fts.register(db)  # before any statement: SQLite refuses it during one


def connect(db_path: Path) -> sqlite3.Connection:
    """A configured connection to the case database at ``db_path``."""
    db = sqlite3.connect(db_path, check_same_thread=False)
    try:
        configure(db)
    except BaseException:
        db.close()
        raise
    return db


def raw(db: Session | sqlite3.Connection) -> sqlite3.Connection:
    """The ``sqlite3`` connection of ``db``; for an ORM session, the connection of its
    transaction, with the session's pending changes flushed to it first. Plain-SQL store
    functions take either, so one implementation serves both kinds of transaction."""
    if isinstance(db, sqlite3.Connection):
        return db
    db.flush()
    connection = db.connection().connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


def is_busy(error: BaseException | None) -> bool:
    """Whether SQLite gave up waiting for another connection's lock (``error`` is SQLite's
    error, or the one a SQLAlchemy error wraps)."""
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error)
    )


@contextmanager
def transaction(db: sqlite3.Connection, *, write: bool) -> Iterator[sqlite3.Connection]:
    """One transaction: committed on success, rolled back on any error. A write takes the
    case's write lock at once (BEGIN IMMEDIATE), as the engine's transactions do; a read
    never takes it."""
    db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield db
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
