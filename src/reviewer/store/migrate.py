"""Bring a case database to the current schema: backup first, refuse newer cases."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from reviewer.core.errors import CaseError
from reviewer.store.engine import BEGIN_KEY


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("reviewer.store") / "migrations"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        connection.info[BEGIN_KEY] = "BEGIN"  # a read: never wait for the write lock
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def upgrade(engine: Engine, db_path: Path) -> str | None:
    """Upgrade to head. Returns the backup path's name when an older case was upgraded."""
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
