"""A bundle brings a picture from another phone's copy (DESIGN.md §9, issue 12): EF/3, exported
with "<Media omitted>", is imported first, so its copy stands for the reconciled message; AB/1
holds the photo. The exported record is EF/3's, carrying AB/1's file and saying where it came
from, in messages.jsonl, the schedule and the report; the bundle verifies. All through the
command line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import ACTOR
from reconcile_phones import import_phone, three_phones, true_chat
from reviewer.cli.main import main
from reviewer.services import exporting
from reviewer.services.case import create_case, open_case


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["--reviewer", "Ann", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_a_picture_omitted_on_the_canonical_copy_comes_from_another_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = true_chat(200)
    alice, dave, bob = three_phones(chat)
    root = tmp_path / "case"
    with create_case(root, reference="OP-12", actor=ACTOR) as opened:
        for phone in (bob, alice, dave):  # EF/3 (media omitted) first: its copies stand
            import_phone(opened, phone, chat, tmp_path / "exports", ACTOR)
    case = str(root)
    run(capsys, "reconcile", case)
    records = [
        json.loads(x) for x in run(capsys, "messages", case, "--reconciled", "--jsonl").splitlines()
    ]

    def omitted_here(record: dict[str, Any]) -> bool:
        states = {c["exhibit"]: c["state"] for c in record["copies"]}
        return states.get("EF/3") == "media-omitted" and states.get("AB/1") == "present"

    record = next(r for r in records if omitted_here(r) and r["copies"][0]["exhibit"] == "EF/3")
    ef3 = record["id"]
    ab1 = next(c["id"] for c in record["copies"] if c["exhibit"] == "AB/1")
    everything = {
        m["id"]: m for m in map(json.loads, run(capsys, "messages", case, "--jsonl").splitlines())
    }
    assert not [a for a in everything[ef3]["attachments"] if a["present"]]
    (photo,) = [a for a in everything[ab1]["attachments"] if a["present"]]

    run(capsys, "tag", case, str(ab1), "derogatory")  # held on EF/3's copy
    with open_case(root) as opened:  # the export dialog's preview counts that file too
        shown = exporting.preview(opened, exporting.ExportOptions(context=0))
    assert (shown.tagged, shown.attachments, shown.bytes) == (1, 1, photo["size"])
    out = tmp_path / "bundle"
    run(capsys, "export", case, str(out), "--context", "0")
    lines = (out / "data" / "messages" / "messages.jsonl").read_text("utf-8").splitlines()
    (exported,) = [r for r in map(json.loads, lines) if r["id"] == ef3]
    (attachment,) = exported["attachments"]
    assert attachment["present"] and attachment["sha256"] == photo["sha256"]
    assert attachment["from_copy"] == {"exhibit": "AB/1", "id": ab1}
    (stored,) = (out / "data" / "media").glob(photo["sha256"] + "*")
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == photo["sha256"]

    text = (out / "data" / "schedule" / "messages.csv").read_text("utf-8-sig")
    (row,) = [r for r in csv.DictReader(io.StringIO(text)) if int(r["id"]) == ef3]
    assert row["found_in"].endswith(f"media from AB/1 (message {ab1})")
    html = (out / "data" / "report" / "index.html").read_text("utf-8")
    assert f"media from AB/1 (message {ab1})" in html
    assert "bundle verified" in run(capsys, "verify", str(out))

    # A redacted bundle treats that file as its own (a redacted copy, or withheld: the test's
    # photo is not a real JPEG), still saying which copy it came from.
    redacted = tmp_path / "redacted"
    run(capsys, "export", case, str(redacted), "--context", "0", "--redact-uninvolved")
    lines = (redacted / "data" / "messages" / "messages.jsonl").read_text("utf-8").splitlines()
    (exported,) = [r for r in map(json.loads, lines) if r["id"] == ef3]
    (attachment,) = exported["attachments"]
    assert attachment["from_copy"] == {"exhibit": "AB/1", "id": ab1}
    assert attachment["redaction"]  # redacted or withheld by the redaction pass, as any file
    assert "bundle verified" in run(capsys, "verify", str(redacted))
