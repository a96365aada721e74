"""An export reads one snapshot and holds no write lock while it writes (issue 11): another
reviewer tags meanwhile; the bundle carries the chain up to its snapshot, the case's chain ends
with the export entry naming that head; the working directory is never changed."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import bagit
import pytest

from reviewer.bundle.verify import verify_bundle
from reviewer.services import audit_log, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case, open_case
from reviewer.services.exporting import ExportOptions, export_bundle
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records


class _TagMeanwhile:
    """A progress sink that, once the bundle is being written, has another connection tag a
    message, and waits at most a few seconds for it."""

    def __init__(self, root: Path, actor: Actor, message_id: int) -> None:
        self.root, self.actor, self.message_id = root, actor, message_id
        self.outcome: str | None = None

    def report(self, stage: str, done: int, total: int | None) -> None:
        if stage != "writing schedule and records" or self.outcome is not None:
            return

        def tag() -> None:
            try:
                with open_case(self.root) as other:
                    tagging.tag(other, self.actor, [self.message_id], "sexual")
                self.outcome = "tagged"
            except Exception as exc:  # reported by the assertion below
                self.outcome = f"{type(exc).__name__}: {exc}"

        worker = threading.Thread(target=tag)
        worker.start()
        worker.join(timeout=5)
        assert not worker.is_alive(), "tagging waited for the export's lock"


def test_a_reviewer_tags_while_an_export_writes(
    case: Case, actor: Actor, ios_zip: Path, tmp_path: Path
) -> None:
    import_export(case, ios_zip, actor)
    ids = [int(r["id"]) for r in message_records(case)]
    tagging.tag(case, actor, [ids[3]], "derogatory")
    sink = _TagMeanwhile(case.root, actor, ids[5])
    result = export_bundle(case, actor, tmp_path / "out", ExportOptions(context=1), progress=sink)
    assert sink.outcome == "tagged"

    report = verify_bundle(tmp_path / "out")
    assert report.ok, report.failure
    with case.reading() as session:
        assert audit_log.verify(session).ok
        entries = list(audit_log.entries(session))
    exported, tagged, before = entries[-1], entries[-2], entries[-3]
    assert tagged["action"].startswith("tag") and tagged["details"]
    assert exported["action"] == "bundle.exported"
    # The bundle's head is an entry of the case's chain (the snapshot's), named by the export.
    assert report.audit_head == result.audit_head == before["hash"]
    assert exported["details"]["bundle_head"] == before["hash"]
    assert exported["details"]["bundle_head_seq"] == before["seq"] == report.audit_entries
    tagmanifest = (tmp_path / "out" / "tagmanifest-sha256.txt").read_bytes()
    assert exported["details"]["tagmanifest_sha256"] == hashlib.sha256(tagmanifest).hexdigest()


def test_an_export_never_changes_the_working_directory(
    case: Case,
    actor: Actor,
    ios_zip: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_export(case, ios_zip, actor)
    tagging.tag(case, actor, [int(list(message_records(case))[3]["id"])], "derogatory")
    calls: list[object] = []
    real_chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: calls.append(path) or real_chdir(path))
    before = os.getcwd()
    export_bundle(case, actor, tmp_path / "out", ExportOptions(context=1))
    assert os.getcwd() == before and calls == []
    monkeypatch.undo()
    bag = bagit.Bag(str(tmp_path / "out"))  # the bag written without bagit reads as one
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}
