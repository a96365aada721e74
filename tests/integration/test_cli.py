"""The command line contract of DESIGN.md §5: exit codes, one-line errors, JSON records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--reviewer", "CLI Tester", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_case_import_messages_audit(
    tmp_path: Path, ios_zip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = str(tmp_path / "c")
    assert run(capsys, "case", "new", case, "--reference", "OP-9")[0] == 0
    code, out, err = run(capsys, "import", case, str(ios_zip), "--exhibit", "AB/1")
    assert code == 0, err
    assert "imported exhibit AB/1" in out
    assert "not in the export" in err  # one photo is referenced but missing

    code, out, _ = run(capsys, "messages", case, "--jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and records and records[0]["exhibit"] == "AB/1"

    code, out, _ = run(capsys, "audit", case, "--jsonl")
    entries = [json.loads(line) for line in out.splitlines()]
    assert [e["action"] for e in entries] == ["case.created", "exhibit.imported"]
    assert entries[0]["actor"] == "CLI Tester"

    code, out, _ = run(capsys, "audit", case, "--verify")
    assert code == 0 and entries[-1]["hash"] in out
    assert run(capsys, "check", case)[0] == 0


def test_tampered_audit_entry_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    case = tmp_path / "c"
    run(capsys, "case", "new", str(case), "--reference", "OP-9")
    with sqlite3.connect(case / "case.sqlite") as db:
        db.execute("DROP TRIGGER audit_entry_no_update")
        db.execute("UPDATE audit_entry SET actor = 'Someone Else' WHERE seq = 1")
    code, _, err = run(capsys, "audit", str(case), "--verify")
    assert code == 1
    assert "entry 1" in err and len(err.strip().splitlines()) == 1


def test_changed_evidence_file_is_detected(
    tmp_path: Path, ios_zip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "c"
    run(capsys, "case", "new", str(case), "--reference", "OP-9")
    run(capsys, "import", str(case), str(ios_zip))
    victim = next(p for p in (case / "evidence").rglob("*") if p.is_file())
    victim.chmod(0o644)
    victim.write_bytes(victim.read_bytes() + b"x")
    code, _, err = run(capsys, "check", str(case))
    assert code == 1 and "no longer matches" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["messages", "{tmp}/nowhere"], "not a reviewer case"),
        (["import", "{tmp}/nowhere", "x.txt"], "not a reviewer case"),
        (["case", "new", "{tmp}/c2", "--reference", "R", "--timezone", "Mars/Base"], "time zone"),
    ],
)
def test_user_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, _, err = run(capsys, *[a.format(tmp=tmp_path) for a in argv])
    assert code == 1
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_import_of_missing_file_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = str(tmp_path / "c")
    run(capsys, "case", "new", case, "--reference", "OP-9")
    code, _, err = run(capsys, "import", case, str(tmp_path / "missing.zip"))
    assert code == 1 and "missing.zip" in err


def test_existing_folder_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("keep me")
    code, _, err = run(capsys, "case", "new", str(tmp_path / "c"), "--reference", "R")
    assert code == 1 and "already exists" in err
    assert (tmp_path / "c" / "notes.txt").read_text() == "keep me"


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "reviewer", "--version"], capture_output=True, text=True, check=True
    )
    assert completed.stdout.startswith("reviewer ")


def test_demo_builds_a_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo", "--no-gui", "--case", str(tmp_path / "demo"))
    assert code == 0, err
    assert "demo case DEMO-0001" in out
    code, out, _ = run(capsys, "messages", str(tmp_path / "demo"), "--jsonl")
    assert len(out.splitlines()) > 1000
