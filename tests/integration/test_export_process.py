"""The window's export runs in a worker process: same bundle, same audit entry, progress
and cancel across the process boundary, errors in words."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from reviewer.bundle.verify import verify_bundle
from reviewer.core.errors import Cancelled, ReviewerError
from reviewer.core.progress import CancelToken
from reviewer.services import audit_log, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.export_process import export_in_process
from reviewer.services.exporting import ExportOptions
from reviewer.services.importing import ImportOptions, import_export


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
