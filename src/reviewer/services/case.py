"""Create and open cases: the folder of DESIGN.md §2 with its database at the current schema.

Opening a case already at the current schema loads neither SQLAlchemy nor Alembic: the schema
is checked over a plain ``sqlite3`` connection, which :meth:`Case.sql` hands to the light
commands (DESIGN.md §7, start-up time). The engine, ORM sessions and evidence store are made
the first time something asks for them.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer import __version__
from reviewer.core.errors import CaseBusyError, CaseError
from reviewer.core.timeutil import utc_now_iso, zone
from reviewer.services.actor import Actor
from reviewer.store import migrate, sqlite_db

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from reviewer.store.evidence import EvidenceStore

DB_NAME = "case.sqlite"
DEFAULT_TIMEZONE = "Europe/London"
BUSY = (
    "the case is busy: another task (an import or export) is writing to it; "
    "try again when it has finished"
)


@dataclass(frozen=True, slots=True)
class CaseSummary:
    reference: str
    title: str | None
    timezone: str
    created_utc: str


class Case:
    """An open case: its folder, database and evidence store."""

    def __init__(
        self, root: Path, engine: Engine | None = None, db: sqlite3.Connection | None = None
    ) -> None:
        # Absolute: paths derived from the root (evidence, cache, symlinks made to evidence
        # files) must not depend on the working directory (a relative CASE on the command line).
        root = root.absolute()
        self.root = root
        self.db_path = root / DB_NAME
        self.cache_dir = root / "cache"
        self._engine = engine
        self._idle: list[sqlite3.Connection] = [db] if db is not None else []
        self._idle_lock = threading.Lock()
        self._closed = False

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made (and SQLAlchemy loaded) on first use."""
        if self._engine is None:
            from reviewer.store.engine import make_engine

            self._engine = make_engine(self.db_path)
        return self._engine

    @cached_property
    def evidence(self) -> EvidenceStore:
        from reviewer.store.evidence import EvidenceStore

        return EvidenceStore(self.root / "evidence")

    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def sql(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction on a plain ``sqlite3`` connection (the same settings as the
        engine's), for the plain-SQL services (tagging, review progress) that the light
        commands use without SQLAlchemy: committed on success, rolled back on any error; a
        ``write`` takes the case's write lock, as :meth:`transaction` does. Connections are
        kept for the next transaction, one per thread at a time."""
        with self._idle_lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = sqlite_db.connect(self.db_path)
        try:
            with sqlite_db.transaction(db, write=write):
                yield db
        except sqlite3.OperationalError as exc:
            if sqlite_db.is_busy(exc):
                raise CaseBusyError(BUSY) from exc
            raise
        finally:
            with self._idle_lock:
                keep = not self._closed
                if keep:
                    self._idle.append(db)  # kept open: closing the last one costs a checkpoint
            if not keep:  # the case was closed while this transaction ran (another thread)
                db.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error.

        When another task holds the case's write lock past the busy timeout (a long import
        or export), the user is told so in words instead of seeing a database error.
        """
        from sqlalchemy.exc import OperationalError

        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            if sqlite_db.is_busy(exc.orig):
                raise CaseBusyError(BUSY) from exc
            raise

    @contextmanager
    def transaction_with(self, attached: dict[str, Path]) -> Iterator[Session]:
        """A transaction on a connection with other SQLite files attached under the given
        schema names (ATTACH is refused inside a transaction, so it happens before BEGIN).

        The transaction is DEFERRED: an IMMEDIATE one would also lock the attached files,
        which another process may still be writing until the caller reads them. Each file's
        schema is read as it is attached, so no later statement has to wait for a writer of
        that file to finish.
        """
        from sqlalchemy.orm import Session

        from reviewer.store.engine import BEGIN_KEY

        with self.engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            connection.info[BEGIN_KEY] = "BEGIN"
            done: list[str] = []
            try:
                for schema, path in attached.items():
                    raw.execute(f"ATTACH DATABASE ? AS {schema}", (str(path),))
                    done.append(schema)
                    raw.execute(f"SELECT count(*) FROM {schema}.sqlite_schema").fetchone()
                with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                    yield session
            finally:
                try:
                    for schema in done:
                        raw.execute(f"DETACH DATABASE {schema}")
                except sqlite3.Error:
                    # Never hand a connection with a file still attached back to the pool.
                    connection.invalidate()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit: a deferred transaction, so it never takes the write lock."""
        from sqlalchemy.orm import Session

        from reviewer.store.engine import BEGIN_KEY

        with self.engine.connect() as connection:
            connection.info[BEGIN_KEY] = "BEGIN"
            with Session(bind=connection, expire_on_commit=False) as session:
                yield session

    def summary(self) -> CaseSummary:
        from sqlalchemy import select

        from reviewer.store.models import CaseInfo

        with self.reading() as session:
            info = session.scalars(select(CaseInfo)).one()
            return CaseSummary(info.reference, info.title, info.timezone, info.created_utc)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        with self._idle_lock:
            idle, self._idle = self._idle, []
            self._closed = True
        for db in idle:
            db.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def create_case(
    root: Path,
    *,
    reference: str,
    actor: Actor,
    title: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Case:
    """Make a new case folder; refuses a folder that already holds anything."""
    from reviewer.services import audit_log
    from reviewer.services.taxonomy import install_default
    from reviewer.store.engine import create_database, make_engine
    from reviewer.store.models import CaseInfo

    zone(timezone)
    if not reference.strip():
        raise CaseError("a case needs a reference (--reference)")
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise CaseError(f"{root}: already exists and is not an empty folder")
    root.mkdir(parents=True, exist_ok=True)
    (root / "evidence").mkdir()
    (root / "cache").mkdir()
    create_database(root / DB_NAME)
    engine = make_engine(root / DB_NAME)
    migrate.upgrade(engine, root / DB_NAME)
    case = Case(root, engine)
    with case.transaction() as session:
        taxonomy = install_default(session)
        session.add(
            CaseInfo(
                id=1,
                reference=reference.strip(),
                title=title,
                timezone=timezone,
                created_utc=utc_now_iso(),
                created_by=actor.name,
                app_version=__version__,
            )
        )
        audit_log.append(
            session,
            actor,
            "case.created",
            reference.strip(),
            {
                "title": title,
                "timezone": timezone,
                "app_version": __version__,
                "schema": migrate.head_revision(),
                "taxonomy": taxonomy.fingerprint(),
            },
        )
    return case


def open_case(root: Path) -> Case:
    """Open an existing case, upgrading an older schema after a backup copy."""
    db_path = root / DB_NAME
    if not db_path.is_file():
        raise CaseError(f"{root}: not a reviewer case (no {DB_NAME})")
    try:
        db = sqlite_db.connect(db_path)
    except sqlite3.DatabaseError as exc:
        raise CaseError(f"{db_path}: not a readable case database ({exc})") from exc
    try:
        current = migrate.is_current(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise CaseError(f"{db_path}: not a readable case database ({exc})") from exc
    if current:
        return Case(root, db=db)  # nearly every open: SQLAlchemy and Alembic stay unloaded
    db.close()
    from sqlalchemy.exc import DatabaseError

    from reviewer.store.engine import make_engine

    engine = make_engine(db_path)
    try:
        migrate.upgrade(engine, db_path)
    except DatabaseError as exc:
        engine.dispose()
        raise CaseError(f"{db_path}: not a readable case database ({exc.orig})") from exc
    except CaseError:
        engine.dispose()
        raise
    return Case(root, engine)
