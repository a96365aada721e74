"""Case.transaction_with: files attached for one transaction, and never left attached."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from reviewer.services.case import Case
from reviewer.store.staging import create_staging


def test_attached_files_are_readable_inside_and_detached_after(case: Case, tmp_path: Path) -> None:
    staging = tmp_path / "stage-0.sqlite"
    create_staging(staging)
    with case.transaction_with({"stage0": staging}) as session:
        assert session.execute(text("SELECT count(*) FROM stage0.message")).scalar() == 0
    with case.reading() as session:
        names = session.execute(text("PRAGMA database_list")).all()
    assert "stage0" not in [row[1] for row in names]


def test_a_failed_attach_leaves_nothing_attached(case: Case, tmp_path: Path) -> None:
    good = tmp_path / "stage-0.sqlite"
    create_staging(good)
    unreadable = tmp_path / "no such folder" / "stage-1.sqlite"
    for _ in range(case.engine.pool.size() + 1):  # every pooled connection, and one more
        with (
            pytest.raises(sqlite3.OperationalError),
            case.transaction_with({"stage0": good, "stage1": unreadable}),
        ):
            pass
    with case.transaction_with({"stage0": good}) as session:  # not "already in use"
        assert session.execute(text("SELECT count(*) FROM stage0.message")).scalar() == 0
