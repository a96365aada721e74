"""An older case's version 1 chain survives migration 0003 and continues in version 2; salts
are append-only; ``reviewer audit`` verifies the mixed chain and reveals v2 fields."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import reviewer.cli.main as cli_main
from helpers import ACTOR
from reviewer.audit import chain
from reviewer.services import audit_log
from reviewer.services.case import DB_NAME, Case, open_case
from reviewer.store import migrate


def _old_case(root: Path) -> list[dict[str, object]]:
    """A case database at schema 0002 holding three version 1 entries."""
    from alembic import command

    from reviewer.store.engine import make_engine

    root.mkdir()
    engine = make_engine(root / DB_NAME)
    config = migrate._config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    engine.dispose()
    entries: list[dict[str, object]] = []
    prev = chain.GENESIS
    for seq, (action, target) in enumerate(
        [("case.created", "OP-1"), ("tag.added", "message 4"), ("note.changed", "message 4")], 1
    ):
        entry = chain.seal(
            seq=seq,
            ts=f"2025-01-01T00:00:0{seq}Z",
            actor="Old Reviewer",
            workstation="PC",
            action=action,
            target=target,
            details={"note": "Jo Park was there"} if seq == 3 else {},
            prev=prev,
        )
        entries.append(entry)
        prev = str(entry["hash"])
    with sqlite3.connect(root / DB_NAME) as db:
        db.execute(
            "INSERT INTO case_info (id, reference, title, timezone, created_utc, created_by, "
            "app_version) VALUES (1, 'OP-1', NULL, 'Europe/London', 't', 'Old Reviewer', '0.0')"
        )
        for e in entries:
            db.execute(
                "INSERT INTO audit_entry (seq, ts, actor, workstation, action, target, details, "
                "prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [e[k] if k != "details" else json.dumps(e[k]) for k in (*chain.FIELDS, "hash")],
            )
    return entries


def test_an_old_case_keeps_its_v1_entries_and_continues_in_v2(tmp_path: Path) -> None:
    old = _old_case(tmp_path / "old")
    with open_case(tmp_path / "old") as case:
        with case.transaction() as session:
            audit_log.append(session, ACTOR, "note.changed", "message 4", {"new": "x"})
        with case.reading() as session:
            entries = list(audit_log.entries(session))
            report = audit_log.verify(session)
    assert entries[:3] == old  # unchanged, no "v"
    assert entries[3]["v"] == 2 and entries[3]["prev"] == old[2]["hash"]
    assert set(entries[3]["salts"]) == {"target", "details.new"}
    assert report.ok and report.entries == 4
    assert len(list((tmp_path / "old").glob("case.before-0002-*.sqlite"))) == 1


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_salt SET salt = '0'", "DELETE FROM audit_salt"]
)
def test_salts_are_append_only(case: Case, statement: str) -> None:
    with pytest.raises(IntegrityError, match="append-only"), case.transaction() as session:
        session.execute(text(statement))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_verifies_a_mixed_chain_and_names_a_changed_salt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _old_case(tmp_path / "old")
    with open_case(tmp_path / "old") as case, case.transaction() as session:
        audit_log.append(session, ACTOR, "tag.added", "message 5", {"note": "fine"})
        audit_log.append(session, ACTOR, "tag.added", "message 6", {"note": "also"})
    code, out, _ = run(capsys, "audit", str(tmp_path / "old"), "--verify")
    assert code == 0 and "5 entries" in out
    code, out, _ = run(capsys, "audit", str(tmp_path / "old"), "--jsonl")
    lines = [json.loads(x) for x in out.splitlines()]
    assert "v" not in lines[0] and lines[4]["v"] == 2 and "details.note" in lines[4]["salts"]
    assert chain.verify(lines).ok  # the listing is itself verifiable
    code, out, _ = run(capsys, "audit", str(tmp_path / "old"), "--reveal", "4", "details.note")
    shown = json.loads(out)
    assert code == 0 and shown["value"] == "fine" and shown["field"] == "details.note"
    assert shown["commitment"] == chain.commit(shown["salt"], "fine")
    code, _, err = run(capsys, "audit", str(tmp_path / "old"), "--reveal", "2", "target")
    assert code == 1 and "version 1" in err and "Traceback" not in err
    code, _, err = run(capsys, "audit", str(tmp_path / "old"), "--reveal", "4", "details.x")
    assert code == 1 and "no field 'details.x'" in err
    with sqlite3.connect(tmp_path / "old" / DB_NAME) as db:
        db.execute("DROP TRIGGER audit_salt_no_update")
        db.execute("UPDATE audit_salt SET salt = ? WHERE seq = 5 AND name = 'target'", ["0" * 32])
    code, _, err = run(capsys, "audit", str(tmp_path / "old"), "--verify")
    assert code == 1 and "broken at entry 5" in err
