"""Issue 12 follow-up: the bundle says where each message was found, and a message held by
several phones is included once (DESIGN.md §9). Four phones' exports of one group
(tests/reconcile_phones.py) are imported, reconciled, a message present on three phones and
deleted on the fourth is tagged through a later phone's copy and carries a tag on that copy
made before the chats were reconciled, and the bundle is read back."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from helpers import ACTOR
from reconcile_phones import german_phone, import_phone, three_phones, true_chat
from reviewer.cli.main import main
from reviewer.services import browse, tagging
from reviewer.services.case import create_case, open_case
from reviewer.services.exporting import ExportOptions, export_bundle, preview
from reviewer.services.reconcile import reconcile
from reviewer.services.reconciled_records import reconciled_records
from reviewer.services.reconciled_review import SiblingTag, sibling_tags
from reviewer.store.models import Tag


@dataclass
class Exported:
    out: Path
    record: dict[str, Any]  # the reconciled record of the tagged message
    tagged: list[int]  # the two tagged copies
    case: Path


def _pick(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A message present on three phones and deleted on the fourth."""
    for record in records:
        states = sorted(c["state"] for c in record["copies"])
        if states == ["deleted", "present", "present", "present"]:
            return record
    raise AssertionError("no message present on three phones and deleted on one")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    root = tmp_path_factory.mktemp("reconciled-export")
    chat = true_chat(300)
    with create_case(root / "case", reference="OP-12", actor=ACTOR) as case:
        for phone in [*three_phones(chat), german_phone(chat)]:
            import_phone(case, phone, chat, root / "exports", ACTOR)
    with open_case(root / "case") as case:
        reconcile(case, ACTOR)
        record = _pick(list(reconciled_records(case)))
        present = [c["id"] for c in record["copies"] if c["state"] == "present"]
        tagging.tag(case, ACTOR, present[-1:], "derogatory", note="tagged on a later phone")
        assert tagging.tag(case, ACTOR, present[:1], "derogatory").message_ids == ()
        with case.transaction() as session:  # as a package merged from before reconciling
            session.add(
                Tag(
                    message_id=present[-1],
                    category="other",
                    reviewer=ACTOR.name,
                    created_utc="2026-01-01T00:00:00Z",
                )
            )
        export_bundle(case, ACTOR, root / "out", ExportOptions(context=2))
    return Exported(root / "out" / "data", record, [present[0], present[-1]], root / "case")


def _ids(exported: Exported) -> set[int]:
    return {c["id"] for c in exported.record["copies"]}


def test_jsonl_gives_copies_and_absences_once(exported: Exported) -> None:
    lines = (exported.out / "messages" / "messages.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    mine = [r for r in records if r["id"] in _ids(exported)]
    assert len(mine) == 1
    (found,) = mine
    assert found["id"] == exported.record["copies"][0]["id"]  # earliest-imported copy
    assert found["copies"] == exported.record["copies"]
    assert found["absent"] == exported.record["absent"]
    assert {t["category"] for t in found["tags"]} == {"derogatory", "other"}
    assert found["context"] is False
    # each bundle record is one reconciled message: no copy is listed by two records
    listed = [c["id"] for r in records for c in r.get("copies", [])]
    assert len(listed) == len(set(listed))
    assert {r["id"] for r in records}.isdisjoint(
        set(listed) - {r["id"] for r in records if r.get("copies")}
    )


def test_schedule_has_one_row_with_found_in(exported: Exported) -> None:
    text = (exported.out / "schedule" / "messages.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    mine = [r for r in rows if int(r["id"]) in _ids(exported)]
    assert len(mine) == 1
    found_in = mine[0]["found_in"]
    for copy in exported.record["copies"]:
        assert copy["exhibit"] in found_in
    deleted = next(c for c in exported.record["copies"] if c["state"] == "deleted")
    assert f"{deleted['exhibit']} (line " in found_in and "deleted)" in found_in


def test_reports_say_where_it_was_found(exported: Exported) -> None:
    exhibits = [c["exhibit"] for c in exported.record["copies"]]
    html = (exported.out / "report" / "index.html").read_text("utf-8")
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(exported.out / "report" / "report.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for text in (html, " ".join(pdf.split())):
        at = text.index("Found on: " + exhibits[0])
        line = text[at : at + 300]
        for exhibit in exhibits:
            assert exhibit in line
        assert "deleted" in line


def _events(path: Path) -> Iterator[dict[str, Any]]:
    message = message_from_bytes(path.read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    (part,) = list(message.iter_attachments())
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("rsmf_manifest.json"))
    yield from manifest["events"]


def test_rsmf_holds_the_message_once(exported: Exported) -> None:
    wanted = {f"M{i}" for i in _ids(exported)}
    events = [e for p in (exported.out / "rsmf").glob("*.rsmf") for e in _events(p)]
    mine = [e for e in events if e["id"] in wanted]
    assert len(mine) == 1
    custom = {c["name"]: c["value"] for c in mine[0]["custom"]}
    assert "deleted" in custom["FoundIn"]


def test_review_counts_the_reconciled_message_once(
    exported: Exported, capsys: pytest.CaptureFixture[str]
) -> None:
    first, last = exported.tagged
    exhibit = {c["id"]: c["exhibit"] for c in exported.record["copies"]}
    with open_case(exported.case) as case:
        progress = tagging.review_progress(case)
        assert progress.tagged == 1  # one reconciled message
        assert sum(t for _, _, t in progress.by_exhibit.values()) == 4  # each exhibit's copy
        assert progress.copies == sum(n for n, _, _ in progress.by_exhibit.values())
        assert progress.total < progress.copies
        assert tagging.category_counts(case)["derogatory"] == 4  # each phone's copy, as search
        assert tagging.category_counts(case, once=True)["derogatory"] == 1
        assert tagging.category_counts(case, once=True)["other"] == 1
        assert sibling_tags(case, first) == [SiblingTag(last, exhibit[last], "other", ACTOR.name)]
        assert {t.category for t in sibling_tags(case, last)} == {"derogatory"}
        untagged = next(c["id"] for c in exported.record["copies"] if c["id"] not in (first, last))
        assert len(sibling_tags(case, untagged)) == 2
        views = browse.message_views(case, [c["id"] for c in exported.record["copies"]])
        assert {v.tags for v in views.values()} == {("derogatory", "other")}
    assert main(["progress", str(exported.case)]) == 0
    out = capsys.readouterr().out
    assert ", 1 tagged," in out
    assert "held by several exhibits (reconciled) counts once" in out


def test_preview_counts_what_the_bundle_holds(exported: Exported) -> None:
    lines = (exported.out / "messages" / "messages.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    with open_case(exported.case) as case:
        shown = preview(case, ExportOptions(context=2))
    assert shown.tagged == sum(not r["context"] for r in records) == 1
    assert shown.context == sum(r["context"] for r in records)
