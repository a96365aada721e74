"""The window's export and import run in a worker process: same bundle, exhibit and audit
entries, progress and cancel across the process boundary, errors in words (and the import's
date-order question as itself)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from reviewer.bundle.verify import verify_bundle
from reviewer.core.errors import AmbiguousDateOrderError, Cancelled, ReviewerError
from reviewer.core.progress import CancelToken
from reviewer.core.records import DateOrder
from reviewer.services import audit_log, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.exporting import ExportOptions
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.worker_process import export_in_process, import_in_process


@pytest.fixture
def tagged(case: Case, ios_zip: Path, actor: Actor) -> Case:
    import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1"))
    tagging.tag(case, actor, [5], "discriminatory.race", note="Alex shares the photo")
    return case


class Reports:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int, int | None]] = []
        self.threads: set[int] = set()

    def report(self, stage: str, done: int, total: int | None) -> None:
        self.seen.append((stage, done, total))
        self.threads.add(threading.get_ident())


def test_an_export_in_a_worker_process_writes_the_bundle_and_audits_it(
    tagged: Case, actor: Actor, tmp_path: Path
) -> None:
    reports = Reports()
    result = export_in_process(
        tagged.root, actor, tmp_path / "out", ExportOptions(context=1), progress=reports
    )
    assert result.out_dir == tmp_path / "out" and result.tagged == 1 and result.context == 2
    assert verify_bundle(tmp_path / "out").ok
    with tagged.reading() as session:
        entries = list(audit_log.entries(session))
        assert audit_log.verify(session).ok
    last = entries[-1]
    assert last["action"] == "bundle.exported" and last["hash"] == result.export_hash
    assert last["details"]["bundle_head"] == result.audit_head == entries[-2]["hash"]
    assert last["actor"] == actor.name
    exported = (tmp_path / "out" / "data" / "audit" / "audit-log.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in exported] == entries[:-1]
    # progress arrived here, on the calling thread, from the worker's stages
    assert reports.threads == {threading.get_ident()}
    assert len({stage for stage, _, _ in reports.seen}) >= 2


def test_a_reviewer_error_in_the_worker_comes_back_in_words(
    tagged: Case, actor: Actor, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "x").write_text("x")
    with pytest.raises(ReviewerError, match="not an empty folder"):
        export_in_process(tagged.root, actor, out, ExportOptions())
    with tagged.reading() as session:
        assert list(audit_log.entries(session))[-1]["action"] != "bundle.exported"


def test_cancel_stops_the_worker_and_nothing_is_written(
    tagged: Case, actor: Actor, tmp_path: Path
) -> None:
    cancel = CancelToken()

    class CancelOnFirstReport:
        def report(self, stage: str, done: int, total: int | None) -> None:
            cancel.cancel()

    with pytest.raises(Cancelled):
        export_in_process(
            tagged.root,
            actor,
            tmp_path / "out",
            ExportOptions(),
            progress=CancelOnFirstReport(),
            cancel=cancel,
        )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    with tagged.reading() as session:
        assert list(audit_log.entries(session))[-1]["action"] != "bundle.exported"


def test_a_case_that_is_not_one_fails_in_words(actor: Actor, tmp_path: Path) -> None:
    (tmp_path / "nocase").mkdir()
    with pytest.raises(ReviewerError, match="not a reviewer case"):
        export_in_process(tmp_path / "nocase", actor, tmp_path / "out", ExportOptions())
    assert os.listdir(tmp_path) == ["nocase"]


def test_an_import_in_a_worker_process_stores_the_exhibit(
    case: Case, ios_zip: Path, actor: Actor
) -> None:
    reports = Reports()
    result = import_in_process(
        case.root, ios_zip, actor, ImportOptions(exhibit="AB/1"), progress=reports
    )
    assert result.reference == "AB/1" and result.messages == 8
    with case.reading() as session:
        entries = list(audit_log.entries(session))
        assert audit_log.verify(session).ok
    assert [e["action"] for e in entries] == ["case.created", "exhibit.imported"]
    assert entries[-1]["actor"] == actor.name
    assert reports.threads == {threading.get_ident()} and reports.seen


def test_an_ambiguous_date_order_comes_back_as_itself(
    case: Case, actor: Actor, tmp_path: Path
) -> None:
    export = tmp_path / "WhatsApp Chat with Shift B.txt"
    export.write_text(
        "03/04/2024, 10:00 - Sam Reid: first\n05/06/2024, 11:00 - Jo Park: second\n",
        encoding="utf-8",
    )
    with pytest.raises(AmbiguousDateOrderError):  # the import dialog asks, then retries
        import_in_process(case.root, export, actor, ImportOptions())
    result = import_in_process(case.root, export, actor, ImportOptions(date_order=DateOrder.MDY))
    assert result.messages == 2
