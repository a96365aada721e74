"""``reviewer export --archive [--password-file]`` and ``reviewer verify BUNDLE.zip``: the bag as
one file for transfer, optionally AES-256 encrypted; the password never shown or recorded."""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import reviewer.cli.main as cli_main
from reviewer.bundle.archive import is_encrypted
from reviewer.bundle.verify import verify_bundle
from reviewer.services import audit_log, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records

PASSWORD = "correct horse battery staple 7!"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli_main.main(["--reviewer", "CLI Tester", *argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def tagged(case: Case, actor: Actor, ios_zip: Path) -> Case:
    import_export(case, ios_zip, actor)
    tagging.tag(case, actor, [int(list(message_records(case))[3]["id"])], "derogatory")
    return case


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def _last_entry(case: Case) -> dict[str, object]:
    with case.reading() as session:
        return list(audit_log.entries(session))[-1]


def test_archive_without_password(
    tagged: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle"
    code, printed = run(capsys, "export", str(tagged.root), str(out), "--archive")
    assert code == 0, printed
    zipped = tmp_path / "bundle.zip"
    assert zipped.is_file() and not is_encrypted(zipped)
    assert f"archive {zipped}" in printed
    entry = _last_entry(tagged)
    archive = entry["details"]["archive"]  # type: ignore[index]
    assert archive["sha256"] == hashlib.sha256(zipped.read_bytes()).hexdigest()
    assert archive["encrypted"] is False and archive["file"] == "bundle.zip"
    code, printed = run(capsys, "verify", str(zipped))
    assert code == 0, printed
    assert "bundle verified" in printed


def test_encrypted_archive_and_its_verification(
    tagged: Case,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    no_terminal: None,
) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n", encoding="utf-8")
    out = tmp_path / "bundle"
    outputs: list[str] = []
    code, printed = run(
        capsys, "export", str(tagged.root), str(out), "--password-file", str(secret)
    )
    outputs.append(printed)
    assert code == 0, printed
    zipped = tmp_path / "bundle.zip"
    assert is_encrypted(zipped) and "AES-256 encrypted" in printed
    assert _last_entry(tagged)["details"]["archive"]["encrypted"] is True  # type: ignore[index]

    code, printed = run(capsys, "verify", str(zipped), "--password-file", str(secret))
    outputs.append(printed)
    assert code == 0, printed
    code, printed = run(capsys, "verify", str(zipped), "--password-file", str(wrong))
    outputs.append(printed)
    assert code == 1 and "wrong password" in printed
    code, printed = run(capsys, "verify", str(zipped))  # stdin is not a terminal
    outputs.append(printed)
    assert code == 1 and "--password-file" in printed and len(printed.strip().splitlines()) == 1

    # On a terminal the password is asked for (and never echoed).
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    code, printed = run(capsys, "verify", str(zipped))
    outputs.append(printed)
    assert code == 0 and asked == ["Password for bundle.zip: "]

    # The password is nowhere: not printed, not in the audit log, not in the case or bundle.
    with tagged.reading() as session:
        log = json.dumps(list(audit_log.entries(session)), ensure_ascii=False)
    assert all(PASSWORD not in text for text in [*outputs, log])
    needle = PASSWORD.encode()
    for path in [*tagged.root.rglob("*"), *out.rglob("*")]:
        if path.is_file():
            assert needle not in path.read_bytes(), path


@pytest.mark.skipif(shutil.which("7zz") is None, reason="7-Zip (7zz, Debian package 7zip)")
def test_7zip_opens_the_encrypted_archive(
    tagged: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text(PASSWORD, encoding="utf-8")
    out = tmp_path / "bundle"
    code, printed = run(
        capsys, "export", str(tagged.root), str(out), "--password-file", str(secret)
    )
    assert code == 0, printed
    unpacked = tmp_path / "unpacked"
    subprocess.run(
        ["7zz", "x", f"-p{PASSWORD}", f"-o{unpacked}", str(tmp_path / "bundle.zip")],
        check=True,
        capture_output=True,
    )
    report = verify_bundle(unpacked)
    assert report.ok, report.failure


def test_an_existing_zip_is_not_replaced(
    tagged: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bundle.zip").write_bytes(b"keep")
    code, printed = run(capsys, "export", str(tagged.root), str(tmp_path / "bundle"), "--archive")
    assert code == 1 and "already exists" in printed
    assert (tmp_path / "bundle.zip").read_bytes() == b"keep"
