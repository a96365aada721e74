"""Tagging over the plain sqlite3 connection (what ``reviewer tag`` uses, without SQLAlchemy)
and inside an ORM session's transaction (what screening and media tagging use) is one
implementation: the same rows and the same audit entry, and in a session it commits and rolls
back with the session's own changes."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.audit import chain
from reviewer.services import audit_log, review_sql, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case, open_case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records
from reviewer.store.models import MessageNote


@pytest.fixture
def ids(case: Case, ios_zip: Path, actor: Actor) -> list[int]:
    import_export(case, ios_zip, actor)
    return [int(r["id"]) for r in message_records(case)]


def rows(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db_path) as db:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("tag", "audit_entry", "audit_salt", "message_note")
        }


def test_session_and_plain_connection_write_identical_rows_and_entries(
    case: Case, actor: Actor, ids: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case.close()
    twin = tmp_path / "twin"
    shutil.copytree(case.root, twin)
    fixed = "2026-12-07T12:00:00Z"
    monkeypatch.setattr(review_sql, "utc_now_iso", lambda: fixed)
    monkeypatch.setattr(audit_log, "utc_now_iso", lambda: fixed)

    def salts() -> None:  # the same salts, in the same order, for each case
        counter = itertools.count()
        monkeypatch.setattr(chain, "new_salt", lambda: f"{next(counter):032x}")

    salts()
    with open_case(case.root) as plain:  # as `reviewer tag` does
        assert review_sql.tag(plain, actor, ids[1:4], "violent", note="seen").audit_seq == 3
    salts()
    with open_case(twin) as orm, orm.transaction() as session:  # as screening does
        changes = tagging.tag_in(session, actor, ids[1:4], "violent", note="seen")
        assert changes.audit_seq == 3
    tagged = rows(case.root / "case.sqlite")
    assert [r[1:] for r in tagged["tag"]] == [
        (i, "violent", "seen", actor.name, fixed) for i in ids[1:4]
    ]
    assert rows(twin / "case.sqlite") == tagged


def test_a_tag_in_a_session_commits_and_rolls_back_with_the_session(
    case: Case, actor: Actor, ids: list[int]
) -> None:
    with case.reading() as session:
        before = audit_log.verify(session)

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), case.transaction() as session:
        session.add(MessageNote(message_id=ids[0], text="n", reviewer="r", updated_utc="t"))
        tagging.tag_in(session, actor, [ids[0]], "violent")
        raise Abandon
    with case.reading() as session:
        assert audit_log.verify(session) == before  # no entry, no tag, no note
        assert session.scalars(select(MessageNote)).all() == []
    assert tagging.category_counts(case)["violent"] == 0

    with case.transaction() as session:  # the ORM's pending note is written before the tag
        session.add(MessageNote(message_id=ids[0], text="n", reviewer="r", updated_utc="t"))
        tagging.tag_in(session, actor, [ids[0]], "violent")
    with case.reading() as session:
        report = audit_log.verify(session)
        assert report.ok and report.entries == before.entries + 1
        assert [n.message_id for n in session.scalars(select(MessageNote))] == [ids[0]]
    assert tagging.category_counts(case)["violent"] == 1


def test_a_connection_in_use_when_the_case_closes_is_closed_after_its_transaction(
    case: Case,
) -> None:
    """The window closes the case while a background read may still run on another thread."""
    with case.sql(write=False) as db:
        case.close()
        assert db.execute("SELECT COUNT(*) FROM audit_entry").fetchone() == (1,)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")
