"""Create and open cases: the folder of DESIGN.md §2 with its database at the current schema."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from reviewer import __version__
from reviewer.core.errors import CaseBusyError, CaseError
from reviewer.core.timeutil import utc_now_iso, zone
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.taxonomy import install_default
from reviewer.store import migrate
from reviewer.store.engine import BEGIN_KEY, create_database, make_engine
from reviewer.store.evidence import EvidenceStore
from reviewer.store.models import CaseInfo

DB_NAME = "case.sqlite"
DEFAULT_TIMEZONE = "Europe/London"


@dataclass(frozen=True, slots=True)
class CaseSummary:
    reference: str
    title: str | None
    timezone: str
    created_utc: str


class Case:
    """An open case: its folder, database engine and evidence store."""

    def __init__(self, root: Path, engine: Engine) -> None:
        # Absolute: paths derived from the root (evidence, cache, symlinks made to evidence
        # files) must not depend on the working directory (a relative CASE on the command line).
        root = root.absolute()
        self.root = root
        self.engine = engine
        self.evidence = EvidenceStore(root / "evidence")
        self.cache_dir = root / "cache"
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error.

        When another task holds the case's write lock past the busy timeout (a long import
        or export), the user is told so in words instead of seeing a database error.
        """
        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise CaseBusyError(
                    "the case is busy: another task (an import or export) is writing to it; "
                    "try again when it has finished"
                ) from exc
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
        with self.engine.connect() as connection:
            connection.info[BEGIN_KEY] = "BEGIN"
            with Session(bind=connection, expire_on_commit=False) as session:
                yield session

    def summary(self) -> CaseSummary:
        with self.reading() as session:
            info = session.scalars(select(CaseInfo)).one()
            return CaseSummary(info.reference, info.title, info.timezone, info.created_utc)

    def close(self) -> None:
        self.engine.dispose()

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
