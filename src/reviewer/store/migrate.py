"""Bring a case database to the current schema: backup first, refuse newer cases.

Opening a case that is already at the current schema (nearly every open) imports neither
Alembic nor SQLAlchemy: :func:`is_current` reads the stored revision over a plain ``sqlite3``
connection and compares it with the head revision read from the migration scripts' text.
Anything else (a new, older or newer case) goes through Alembic as before.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.core.errors import CaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

# `revision: str = "0003"` and `down_revision: str | None = "0002"` (or None) in a script.
_REVISION_LINE = re.compile(
    r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(?:None|[\"']([^\"'\n]+)[\"'])\s*(?:#.*)?$",
    re.MULTILINE,
)


def _script_location() -> Path:
    return Path(str(resources.files("reviewer.store") / "migrations"))


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_script_location()))
    return config


def head_revision() -> str:
    head = _head_from_scripts()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _head_from_scripts() -> str | None:
    """The single head of the revision chain, read from the scripts' ``revision`` and
    ``down_revision`` lines without importing Alembic; None when the scripts are not that
    simple (a script without both lines, a merge, several heads), so Alembic decides."""
    parents: dict[str, str | None] = {}
    for script in sorted((_script_location() / "versions").glob("*.py")):
        found = dict((m[1], m[2]) for m in _REVISION_LINE.finditer(script.read_text("utf-8")))
        if "revision" not in found or "down_revision" not in found or not found["revision"]:
            return None
        parents[found["revision"]] = found["down_revision"]
    heads = set(parents) - set(parents.values())
    return heads.pop() if len(heads) == 1 else None


def _stored_revisions(db: sqlite3.Connection) -> list[str] | None:
    """The revisions in the case's ``alembic_version`` table; None when it has none."""
    exists = db.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if exists is None:
        return None
    return [str(row[0]) for row in db.execute("SELECT version_num FROM alembic_version")]


def is_current(db: sqlite3.Connection) -> bool:
    """Whether the case database on ``db`` is at the head revision, told without Alembic;
    False also when the scripts are not simple enough to tell (then :func:`upgrade` decides)."""
    head = _head_from_scripts()
    return head is not None and _stored_revisions(db) == [head]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from reviewer.store.engine import BEGIN_KEY

    with engine.connect() as connection:
        connection.info[BEGIN_KEY] = "BEGIN"  # a read: never wait for the write lock
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def upgrade(engine: Engine, db_path: Path) -> str | None:
    """Upgrade to head. Returns the backup path's name when an older case was upgraded."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        if raw is not None and is_current(raw):
            return None  # already current: Alembic is not even imported
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    if current is not None and current not in known_revisions():
        raise CaseError(
            f"{db_path}: this case was written by a newer version of reviewer "
            f"(schema {current}); install that version to open it"
        )
    backup_name = None
    if current is not None:
        backup_name = _backup(db_path, current)
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup_name


def _backup(db_path: Path, revision: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = db_path.with_name(f"{db_path.stem}.before-{revision}-{stamp}.sqlite")
    source = sqlite3.connect(db_path)
    try:
        target = sqlite3.connect(backup)
        with target:
            source.backup(target)
        target.close()
    finally:
        source.close()
    return backup.name
