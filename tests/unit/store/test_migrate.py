"""Schema versions: new cases at head, older ones upgraded after a backup, newer ones refused."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from reviewer.core.errors import CaseError
from reviewer.services.case import DB_NAME, Case, open_case
from reviewer.store import migrate
from reviewer.store.engine import PAGE_SIZE

EXTRA_REVISION = '''
"""test-only second revision"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("extra", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("extra")
'''


def test_new_case_is_at_head_with_wal_and_foreign_keys(case: Case) -> None:
    assert migrate.current_revision(case.engine) == migrate.head_revision()
    with case.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA page_size").scalar() == PAGE_SIZE


def test_revision_chain_is_linear() -> None:
    config = migrate._config()
    from alembic.script import ScriptDirectory

    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_head_read_from_the_scripts_is_alembics_head() -> None:
    """Opening a case compares its revision with this head before (and instead of) importing
    Alembic, so the two must agree."""
    from alembic.script import ScriptDirectory

    assert (
        migrate._head_from_scripts()
        == ScriptDirectory.from_config(migrate._config()).get_current_head()
    )


def test_scripts_the_cheap_reader_cannot_follow_leave_the_head_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(Path(migrate.__file__).parent / "migrations", scripts)
    head = migrate.head_revision()
    (scripts / "versions" / "9999_extra.py").write_text(
        EXTRA_REVISION.format(head=head).replace('revision = "9999"', 'revision = "99" + "99"')
    )
    monkeypatch.setattr(migrate, "_script_location", lambda: scripts)
    assert migrate._head_from_scripts() is None
    assert migrate.head_revision() == "9999"


def test_case_from_a_newer_version_is_refused(case: Case) -> None:
    root = case.root
    case.close()
    with sqlite3.connect(root / DB_NAME) as db:
        db.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
    with pytest.raises(CaseError, match="newer version of reviewer"):
        open_case(root)


def test_older_case_is_upgraded_after_a_backup(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = case.root
    case.close()
    scripts = tmp_path / "migrations"
    shutil.copytree(Path(migrate.__file__).parent / "migrations", scripts)
    head = migrate.head_revision()
    (scripts / "versions" / "9999_extra.py").write_text(EXTRA_REVISION.format(head=head))
    monkeypatch.setattr(migrate, "_script_location", lambda: scripts)
    with open_case(root) as upgraded:
        assert migrate.current_revision(upgraded.engine) == "9999"
    backups = list(root.glob("case.before-*.sqlite"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)


def test_folder_without_a_case_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="not a reviewer case"):
        open_case(tmp_path)


def test_corrupt_database_is_refused_cleanly(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CaseError, match="not a readable case database"):
        open_case(tmp_path)


def test_migrations_build_exactly_the_models(case: Case) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from reviewer.store.models import Base

    with case.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    fts = ("message_fts", "image_fts")  # FTS5 tables are made by SQL, not by the models
    assert [d for d in diff if not any(name in str(d) for name in fts)] == []


def test_first_schema_case_upgrades_with_its_data(tmp_path: Path) -> None:
    from alembic import command

    from reviewer.store.engine import make_engine

    root = tmp_path / "old"
    root.mkdir()
    engine = make_engine(root / DB_NAME)
    config = migrate._config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    with sqlite3.connect(root / DB_NAME) as db:
        db.execute(
            "INSERT INTO exhibit (id, reference, original_name, container_kind, sha256, "
            "size, chat_file, chat_sha256, importer, importer_version, detected_format, "
            "date_order, date_order_source, clock, encoding, line_endings, timezone, "
            "imported_utc, imported_by, message_count, warnings) VALUES (1, 'AB/1', 'x', "
            "'txt', 'h', 1, 'x', 'h', 'w', '0', 'f', 'DMY', 'detected', '24h', 'utf-8', "
            "'lf', 'Europe/London', 't', 'me', 0, '[]')"
        )
        db.execute(
            "INSERT INTO participant (exhibit_id, display_name, match_key, is_custodian) "
            "VALUES (1, 'Sam', 'sam', 0)"
        )
    with open_case(root) as case, case.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT display_name, is_subject, person_id FROM participant"
        ).one()
    assert tuple(row) == ("Sam", 0, None)
    assert len(list(root.glob("case.before-0001-*.sqlite"))) == 1
