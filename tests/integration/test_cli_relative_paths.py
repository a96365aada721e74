"""Every command of the command line with relative paths (issue 10, point 7).

The working directory is the test's folder; the case, exports, lexicon, taxonomy and bundle
are all named relatively, as a user typing in a terminal would.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import jpeg_bytes
from reviewer.cli.main import main

CHAT = (
    "[14/09/2023, 10:22:33] Ann Lee: the van is outside\r\n"
    "[14/09/2023, 10:22:40] Bob Kay: ‎<attached: 00000012-PHOTO-2023-09-14-10-22-33.jpg>\r\n"
    "[14/09/2023, 10:23:01] Ann Lee: shocking language here\r\n"
)
LEXICON = '[[entry]]\nterm = "shocking"\ncategory = "other"\nnote = "test entry"\n'


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--reviewer", "CLI Tester", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, f"{argv}: {err}"
    assert "Traceback" not in err
    return out


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / "_chat.txt").write_text(CHAT, encoding="utf-8", newline="")
    (tmp_path / "ex" / "00000012-PHOTO-2023-09-14-10-22-33.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "lex.toml").write_text(LEXICON, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_command_takes_relative_paths(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "created case OP-7" in ok(capsys, "case", "new", "c", "--reference", "OP-7")
    out = ok(capsys, "import", "c", "ex/_chat.txt", "--exhibit", "AB/1")
    assert "imported exhibit AB/1: 3 messages" in out
    shutil.make_archive("zipped", "zip", "ex")
    out = ok(capsys, "import", "./c", "zipped.zip", "--exhibit", "AB/2")
    assert "imported exhibit AB/2: 3 messages, 1 attachments present" in out
    assert not any((workdir / "c" / "cache").glob("import-*"))  # scratch folders are gone

    records = [json.loads(line) for line in ok(capsys, "messages", "c", "--jsonl").splitlines()]
    assert [r["exhibit"] for r in records] == ["AB/1"] * 3 + ["AB/2"] * 3
    first = records[0]["id"]
    hits = ok(capsys, "search", "c", "van", "--jsonl").splitlines()
    assert len(hits) == 2

    ok(capsys, "tag", "c", str(first), "other", "--note", "relative")
    ok(capsys, "review", "c", str(first + 1))
    ok(capsys, "note", "c", str(first), "a note")
    assert "AB/1" in ok(capsys, "participants", "c")
    ok(capsys, "members", "c", str(first))
    ok(capsys, "progress", "c")

    out = ok(capsys, "screen", "c", "--lexicon", "lex.toml")
    assert "lex.toml" in out and "2 hits" in out
    ok(capsys, "suggestions", "c")

    (workdir / "tax.toml").write_text(ok(capsys, "taxonomy", "c", "--toml"), encoding="utf-8")
    ok(capsys, "taxonomy", "c", "--load", "tax.toml")

    out = ok(capsys, "export", "c", "out/bundle", "--include-originals")
    assert "exported 1 tagged" in out
    assert (workdir / "out" / "bundle" / "bagit.txt").is_file()
    assert "bundle verified" in ok(capsys, "verify", "out/bundle")
    ok(capsys, "export", "c", "out/zipped", "--archive")
    assert "bundle verified" in ok(capsys, "verify", "out/zipped.zip")
    (workdir / "pw.txt").write_text("correct horse battery\n", encoding="utf-8")
    ok(capsys, "export", "c", "out/sealed", "--password-file", "pw.txt")
    out = ok(capsys, "verify", "out/sealed.zip", "--password-file", "pw.txt")
    assert "bundle verified" in out
    ok(capsys, "reconcile", "c")

    assert "audit chain verified" in ok(capsys, "audit", "c", "--verify")
    ok(capsys, "untag", "c", str(first), "other", "--reason", "test")
    assert "every evidence file matches" in ok(capsys, "check", "c")


def test_relative_case_in_a_subfolder_and_parent_references(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(capsys, "case", "new", "cases/one", "--reference", "OP-8")
    (workdir / "sub").mkdir()
    monkeypatch.chdir(workdir / "sub")
    out = ok(capsys, "import", "../cases/one", "../ex/_chat.txt")
    assert "3 messages" in out
    assert len(ok(capsys, "messages", "../cases/one").splitlines()) == 3
    assert "audit chain verified" in ok(capsys, "audit", "../cases/one", "--verify")


def test_missing_relative_export_is_named(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "case", "new", "c", "--reference", "OP-9")
    code, _, err = run(capsys, "import", "c", "ex/nothing.txt")
    assert code == 1 and "ex/nothing.txt" in err and len(err.strip().splitlines()) == 1
