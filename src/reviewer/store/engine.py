"""SQLAlchemy engine for a case database: connections set up by ``sqlite_db.configure``
(WAL, foreign keys, busy timeout, synchronous commits), explicit BEGIN."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from reviewer.store import sqlite_db

# Pages of 32 KiB instead of SQLite's 4 KiB: a million-message import runs about 10% faster
# (fewer, fuller pages to write, index and checkpoint), while point reads stay within a
# millisecond or two (bench/RESULTS.md). Fixed when a case is created.
PAGE_SIZE = 32_768
# connection.info key: the BEGIN statement to use instead of BEGIN IMMEDIATE
BEGIN_KEY = "reviewer.begin"


def create_database(db_path: Path) -> None:
    """A new, empty case database: its page size is set before anything is written, since
    a database in WAL mode can never change it."""
    db = sqlite3.connect(db_path)
    try:
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute("PRAGMA journal_mode = WAL")
    finally:
        db.close()


def make_engine(db_path: Path) -> Engine:
    """An engine whose connections use WAL and enforce foreign keys.

    pysqlite's own transaction handling issues BEGIN lazily and not before DDL; we switch it
    off and emit BEGIN ourselves so an import (DDL included) is one atomic transaction.
    """
    # A small pool keeps connections open: opening one per transaction costs a WAL checkpoint
    # and a disk sync each time the last connection closes (about 8 ms per tag).
    engine = create_engine(
        f"sqlite:///{db_path}",
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        sqlite_db.configure(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(connection.info.get(BEGIN_KEY, "BEGIN IMMEDIATE"))

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(BEGIN_KEY, None)

    return engine
