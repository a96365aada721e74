"""Evidence bundle export and verification on a real case (DESIGN.md §6, issue 5)."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import bagit
import pytest

import reviewer.cli.main as cli_main
from reviewer.bundle.bag import make_bag
from reviewer.bundle.rsmf_check import check_rsmf
from reviewer.bundle.verify import verify_bundle
from reviewer.cli.bundle import register
from reviewer.core.errors import Cancelled, InputError, ReviewerError
from reviewer.core.progress import CancelToken
from reviewer.services import audit_log, export_select, participants, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case, create_case
from reviewer.services.exporting import ExportOptions, export_bundle, preview
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records

DOC = Path(__file__).parents[2] / "docs" / "verifying-a-bundle.md"
# The fixture export, by id: 1 encryption notice, 2 "Sam Reid created group", 3 Sam "Morning
# all", 4 Alex (3 lines), 5 Alex photo (present), 6 Jo "ok then" (edited), 7 Jo photo
# (missing), 8 Sam deleted.


def imported(case: Case, ios_zip: Path, actor: Actor) -> Case:
    import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1"))
    return case


@pytest.fixture
def tagged(case: Case, ios_zip: Path, actor: Actor) -> Case:
    imported(case, ios_zip, actor)
    tagging.tag(case, actor, [5], "discriminatory.race", note="Alex shares the photo")
    tagging.set_note(case, actor, 5, "see Jo Park's reply")
    return case


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One exported bundle, copied by the tests that tamper with it."""
    from helpers import ACTOR, IOS_CHAT, jpeg_bytes  # the shared fixtures' data

    root = tmp_path_factory.mktemp("bundle")
    export = root / "WhatsApp Chat - Shift B.zip"
    import zipfile

    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("_chat.txt", IOS_CHAT.encode())
        archive.writestr("00000015-PHOTO-2024-03-14-10-02-11.jpg", jpeg_bytes())
    with create_case(root / "case", reference="OP-1234", actor=ACTOR, title="T") as case:
        import_export(case, export, ACTOR, ImportOptions(exhibit="AB/1"))
        tagging.tag(case, ACTOR, [5], "derogatory", note="a note")
        export_bundle(case, ACTOR, root / "out", ExportOptions(include_originals=True))
    return root / "out"


def payload_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "data").rglob("*") if p.is_file())


def copy(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(bundle, target)
    return target


# --------------------------------------------------------------------------- the bag


def test_bag_is_valid_bagit_1_0(bundle_dir: Path) -> None:
    bag = bagit.Bag(str(bundle_dir))
    bag.validate()
    assert bag.version_info == (1, 0)
    assert (bundle_dir / "bagit.txt").read_bytes() == (
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert (bundle_dir / "tagmanifest-sha256.txt").is_file()
    info = bag.info
    head = (bundle_dir / "data" / "audit" / "chain-head.txt").read_text().strip()
    assert info["External-Identifier"] == "OP-1234"
    assert info["Exhibit-Reference"] == "AB/1"
    assert info["Audit-Chain-Head"] == head
    assert info["Marking"] == "OFFICIAL-SENSITIVE"
    for label in ("Source-Organization", "Bagging-Date", "Payload-Oxum", "Bag-Software-Agent"):
        assert label in info


def test_bundle_verifies(bundle_dir: Path) -> None:
    report = verify_bundle(bundle_dir)
    assert report.ok, report.failure
    assert len(report.checks) == 4


def test_layout(bundle_dir: Path) -> None:
    files = payload_files(bundle_dir)
    for expected in (
        "data/schedule/messages.csv",
        "data/messages/messages.jsonl",
        "data/audit/audit-log.jsonl",
        "data/audit/chain-head.txt",
        "data/provenance/case.jsonld",
        "data/originals/AB_1/WhatsApp Chat - Shift B.zip",
    ):
        assert expected in files
    assert any(re.fullmatch(r"data/media/[0-9a-f]{64}\.jpg", f) for f in files)
    assert any(f.startswith("data/rsmf/") and f.endswith(".rsmf") for f in files)


def payload_list() -> list[str]:
    """Payload files of a bundle like the fixture's, named by pattern (parametrised before
    the module fixture exists)."""
    return [
        "schedule/messages.csv",
        "messages/messages.jsonl",
        "audit/audit-log.jsonl",
        "audit/chain-head.txt",
        "provenance/case.jsonld",
        "media/*",
        "rsmf/*",
        "originals/AB_1/*",
        "report/*",
    ]


@pytest.mark.parametrize("pattern", payload_list())
def test_flipping_any_byte_of_any_payload_file_fails_verify(
    bundle_dir: Path, tmp_path: Path, pattern: str
) -> None:
    target = copy(bundle_dir, tmp_path)
    files = sorted((target / "data").glob(pattern))
    if not files:
        pytest.skip(f"no {pattern} in this bundle (report writer absent)")
    for path in files:
        data = bytearray(path.read_bytes())
        for index in {0, len(data) // 2, len(data) - 1}:
            data[index] ^= 0x01
            path.write_bytes(bytes(data))
            report = verify_bundle(target)
            assert not report.ok
            assert path.relative_to(target).as_posix() in str(report.failure)
            data[index] ^= 0x01
            path.write_bytes(bytes(data))
    assert verify_bundle(target).ok


def test_editing_an_audit_line_fails_verify_even_after_rebagging(
    bundle_dir: Path, tmp_path: Path
) -> None:
    target = copy(bundle_dir, tmp_path)
    log = target / "data" / "audit" / "audit-log.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[2])
    entry["actor"] = "Someone Else"
    lines[2] = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failure = verify_bundle(target).failure
    assert failure is not None and "audit-log.jsonl" in failure
    # A forger who also rewrites the manifests is caught by the chain itself.
    rebag(target)
    failure = verify_bundle(target).failure
    assert failure == (
        "audit chain broken at entry 3 (data/audit/audit-log.jsonl line 3): "
        "hash does not match content"
    )


def test_a_bag_saying_0_97_fails_verify(bundle_dir: Path, tmp_path: Path) -> None:
    target = copy(bundle_dir, tmp_path)
    (target / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
    assert "BagIt-Version: 1.0" in str(verify_bundle(target).failure)


@pytest.mark.parametrize("manifest", ["tagmanifest-sha256.txt", "tagmanifest-sha512.txt"])
def test_an_edited_bag_info_without_tag_manifests_fails_verify(
    bundle_dir: Path, tmp_path: Path, manifest: str
) -> None:
    target = copy(bundle_dir, tmp_path)
    info = target / "bag-info.txt"
    info.write_text(info.read_text().replace("OP-", "XX-"))
    (target / manifest).unlink()
    assert manifest in str(verify_bundle(target).failure)


def test_an_unexpected_file_at_the_top_fails_verify(bundle_dir: Path, tmp_path: Path) -> None:
    target = copy(bundle_dir, tmp_path)
    (target / "README-not-in-bag.txt").write_text("slipped in")
    assert "unexpected file" in str(verify_bundle(target).failure)


def test_a_missing_media_file_named_by_the_schedule_fails_verify(
    bundle_dir: Path, tmp_path: Path
) -> None:
    target = copy(bundle_dir, tmp_path)
    for path in (target / "data" / "media").iterdir():
        path.unlink()
    shutil.rmtree(target / "data" / "report", ignore_errors=True)
    rebag(target)
    failure = str(verify_bundle(target).failure)
    assert "schedule/messages.csv row 6" in failure and "not in media/" in failure


def rebag(target: Path) -> None:
    """Rewrite the bag's manifests over a changed payload, as a forger would."""
    payload = target / "data"
    staging = target.parent / "staging"
    shutil.move(payload, staging)
    shutil.rmtree(target)
    shutil.move(staging, target)
    info = {"Audit-Chain-Head": (target / "audit" / "chain-head.txt").read_text().strip()}
    make_bag(target, info)


# --------------------------------------------------------------------------- contents


def test_schedule_has_bom_and_one_row_per_message(bundle_dir: Path) -> None:
    path = bundle_dir / "data" / "schedule" / "messages.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["id"]) for r in rows] == list(range(1, 9))  # context 5 around message 5
    tagged = [r for r in rows if r["included as"] == "tagged"]
    assert [r["id"] for r in tagged] == ["5"] and tagged[0]["categories"] == "derogatory"
    assert len(tagged[0]["attachment SHA-256"]) == 64
    assert rows[6]["attachment SHA-256"] == "(not in export)"


def test_records_equal_the_message_records_plus_review_fields(
    tagged: Case, actor: Actor, tmp_path: Path
) -> None:
    export_bundle(tagged, actor, tmp_path / "out", ExportOptions(context=1))
    lines = (tmp_path / "out" / "data" / "messages" / "messages.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    expected = {r["id"]: r for r in message_records(tagged)}
    assert [r["id"] for r in records] == [4, 5, 6]
    reviews = []
    for record in records:
        reviews.append({k: record.pop(k) for k in ("tags", "stances", "note", "context")})
        assert record == expected[record["id"]]
    assert [r["context"] for r in reviews] == [True, False, True]
    tag = reviews[1]["tags"][0]
    assert tag["category"] == "discriminatory.race" and tag["note"] == "Alex shares the photo"
    assert reviews[1]["note"] == "see Jo Park's reply"


def test_every_rsmf_file_is_sound(bundle_dir: Path) -> None:
    files = list((bundle_dir / "data" / "rsmf").glob("*.rsmf"))
    assert files
    for path in files:
        assert check_rsmf(path) == []


def test_provenance_passes_case_validate(bundle_dir: Path) -> None:
    pytest.importorskip("case_utils")
    tool = Path(sys.executable).with_name("case_validate")
    graph = bundle_dir / "data" / "provenance" / "case.jsonld"
    result = subprocess.run([str(tool), str(graph)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Conforms: True" in result.stdout
    text = graph.read_text(encoding="utf-8")
    for line in (bundle_dir / "manifest-sha256.txt").read_text().splitlines():
        sha, name = line.split(maxsplit=1)
        if name != "data/provenance/case.jsonld":
            assert sha in text, name


# --------------------------------------------------------------------------- selection


@pytest.mark.parametrize(
    ("tag_ids", "context", "expected"),
    [
        ([1], 2, [1, 2, 3]),  # first message: nothing before it
        ([8], 2, [6, 7, 8]),  # last message: nothing after it
        ([2, 7], 1, [1, 2, 3, 6, 7, 8]),
        ([4], 0, [4]),
        ([3], 100, [1, 2, 3, 4, 5, 6, 7, 8]),
    ],
)
def test_context_at_conversation_edges(
    case: Case,
    ios_zip: Path,
    actor: Actor,
    tmp_path: Path,
    tag_ids: list[int],
    context: int,
    expected: list[int],
) -> None:
    imported(case, ios_zip, actor)
    tagging.tag(case, actor, tag_ids, "other")
    options = ExportOptions(context=context)
    shown = preview(case, options)
    assert (shown.tagged, shown.context) == (len(tag_ids), len(expected) - len(tag_ids))
    export_bundle(case, actor, tmp_path / "out", options)
    lines = (tmp_path / "out" / "data" / "messages" / "messages.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == expected


@pytest.mark.parametrize("gap", [1, 3, 100])
def test_context_spans_read_together_or_apart_give_the_same_messages(
    case: Case,
    ios_zip: Path,
    actor: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    gap: int,
) -> None:
    """Spans close together are read by one query and the messages between skipped."""
    monkeypatch.setattr(export_select, "WINDOW_GAP", gap)
    imported(case, ios_zip, actor)
    tagging.tag(case, actor, [2, 7], "other")
    export_bundle(case, actor, tmp_path / "out", ExportOptions(context=1))
    lines = (tmp_path / "out" / "data" / "messages" / "messages.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 2, 3, 6, 7, 8]


def test_category_filter_includes_children_and_dates_filter(
    case: Case, ios_zip: Path, actor: Actor, tmp_path: Path
) -> None:
    imported(case, ios_zip, actor)
    tagging.tag(case, actor, [3], "discriminatory.race")
    tagging.tag(case, actor, [8], "violent")
    assert preview(case, ExportOptions(context=0, categories=("discriminatory",))).tagged == 1
    assert preview(case, ExportOptions(context=0, categories=("violent",))).tagged == 1
    assert preview(case, ExportOptions(context=0)).tagged == 2
    from datetime import date

    assert preview(case, ExportOptions(context=0, date_from=date(2024, 3, 15))).tagged == 1
    assert preview(case, ExportOptions(context=0, date_to=date(2024, 3, 14))).tagged == 1
    with pytest.raises(InputError, match="no category 'nope'"):
        preview(case, ExportOptions(categories=("nope",)))
    with pytest.raises(InputError, match="no exhibit 'ZZ/9'"):
        preview(case, ExportOptions(exhibits=("ZZ/9",)))


def test_the_export_is_audited_after_the_chain_the_bundle_carries(
    tagged: Case, actor: Actor, tmp_path: Path
) -> None:
    result = export_bundle(tagged, actor, tmp_path / "out", ExportOptions(context=1))
    with tagged.reading() as session:
        entries = list(audit_log.entries(session))
    last = entries[-1]
    assert last["action"] == "bundle.exported" and last["hash"] == result.export_hash
    assert last["details"]["counts"]["tagged"] == 1
    assert last["details"]["counts"]["context"] == 2
    assert last["details"]["out_dir"] == "out"
    assert last["details"]["selection"]["context"] == 1
    # The bundle carries the chain up to the entry before its own export entry, which names it.
    exported = (tmp_path / "out" / "data" / "audit" / "audit-log.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in exported] == entries[:-1]
    assert result.audit_head == entries[-2]["hash"] == last["details"]["bundle_head"]
    assert last["details"]["bundle_head_seq"] == entries[-2]["seq"] == result.audit_seq
    tagmanifest = (tmp_path / "out" / "tagmanifest-sha256.txt").read_bytes()
    assert last["details"]["tagmanifest_sha256"] == hashlib.sha256(tagmanifest).hexdigest()


# --------------------------------------------------------------------------- failures


def test_out_dir_must_be_new_or_empty(tagged: Case, actor: Actor, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "x").write_text("x")
    with pytest.raises(InputError, match="not an empty folder"):
        export_bundle(tagged, actor, out, ExportOptions())
    empty = tmp_path / "empty"
    empty.mkdir()
    export_bundle(tagged, actor, empty, ExportOptions())
    assert verify_bundle(empty).ok


def test_nothing_tagged_is_refused(case: Case, ios_zip: Path, actor: Actor, tmp_path: Path) -> None:
    imported(case, ios_zip, actor)
    with pytest.raises(InputError, match="nothing to export"):
        export_bundle(case, actor, tmp_path / "out", ExportOptions())
    assert not (tmp_path / "out").exists()


class _CancelAt:
    """Cancels when the export reaches a stage."""

    def __init__(self, stage: str, token: CancelToken) -> None:
        self.stage, self.token = stage, token

    def report(self, stage: str, done: int, total: int | None) -> None:
        if stage.startswith(self.stage):
            self.token.cancel()


@pytest.mark.parametrize("stage", ["copying media", "writing RSMF", "making the bag"])
def test_cancel_removes_the_folder_and_records_the_failure(
    tagged: Case, actor: Actor, tmp_path: Path, stage: str
) -> None:
    token = CancelToken()
    with pytest.raises(Cancelled):
        export_bundle(
            tagged,
            actor,
            tmp_path / "out",
            ExportOptions(),
            progress=_CancelAt(stage, token),
            cancel=token,
        )
    assert not (tmp_path / "out").exists()
    with tagged.reading() as session:
        entries = list(audit_log.entries(session))
        assert audit_log.verify(session).ok
    actions = [e["action"] for e in entries]
    assert "bundle.exported" not in actions  # rolled back
    assert actions[-1] == "bundle.export-failed"
    assert entries[-1]["details"]["reason"] == "cancelled"


def test_a_changed_evidence_file_fails_the_export(
    tagged: Case, actor: Actor, tmp_path: Path
) -> None:
    (photo,) = next(r for r in message_records(tagged) if r["id"] == 5)["attachments"]
    stored = tagged.evidence.path_for(photo["sha256"])
    stored.chmod(0o644)
    stored.write_bytes(b"tampered")
    with pytest.raises(ReviewerError, match="no longer matches its SHA-256"):
        export_bundle(tagged, actor, tmp_path / "out", ExportOptions())
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- redaction


def test_redaction_pseudonymises_and_masks_and_keeps_the_mapping_out(
    case: Case, ios_zip: Path, actor: Actor, tmp_path: Path
) -> None:
    imported(case, ios_zip, actor)
    people = {p.display_name: p.id for p in participants.list_participants(case)}
    participants.set_subject(case, actor, people["Alex Turner"], True)
    tagging.tag(case, actor, [5], "derogatory")
    tagging.set_note(case, actor, 6, "Jo Park: call 07700 900123 or jo.park@example.org")
    out = tmp_path / "out"
    export_bundle(case, actor, out, ExportOptions(context=5, redact_uninvolved=True))
    assert verify_bundle(out).ok
    records = [
        json.loads(x) for x in (out / "data/messages/messages.jsonl").read_text().splitlines()
    ]
    senders = {r["sender"] for r in records}
    assert senders == {None, "Alex Turner", "Person A", "Person B"}
    texts = " ".join(r["text"] for r in records) + " ".join(r["note"] or "" for r in records)
    assert "[phone number redacted]" in texts and "[e-mail address redacted]" in texts
    assert "created group" in texts and "Sam Reid" not in texts
    # The same people get the same pseudonyms next time.
    again = tmp_path / "again"
    export_bundle(case, actor, again, ExportOptions(context=5, redact_uninvolved=True))
    assert (again / "data/messages/messages.jsonl").read_text() == (
        out / "data/messages/messages.jsonl"
    ).read_text()
    # No bundle file names an uninvolved person or holds the mapping; the audit log is its
    # redacted projection (the note naming Jo Park is withheld as its commitment).
    for path in [*out.rglob("*"), *again.rglob("*")]:
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert b"redaction.pseudonyms" not in data, path
        if path.suffix != ".pdf":
            for secret in (b"Sam Reid", b"Jo Park", b"07700 900123", b"jo.park@example.org"):
                assert secret not in data, (path, secret)
    # The first export's entry is the last of the chain the second bundle carries.
    entry = json.loads((again / "data/audit/audit-log.jsonl").read_text().splitlines()[-1])
    assert entry["action"] == "bundle.exported" and entry["details"]["out_dir"] == "out"
    assert entry["details"]["redaction"].startswith("uninvolved participants pseudonymised")
    assert "Person A" not in json.dumps(entry)


def test_redaction_refuses_originals(tagged: Case, actor: Actor, tmp_path: Path) -> None:
    options = ExportOptions(redact_uninvolved=True, include_originals=True)
    with pytest.raises(InputError, match="cannot be combined"):
        export_bundle(tagged, actor, tmp_path / "out", options)


# --------------------------------------------------------------------------- CLI and README


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main.main(["--reviewer", "CLI Tester", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def with_bundle_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """The export and verify commands, also before cli/main.py registers them."""
    original = cli_main.build_parser

    def subparsers(parser: argparse.ArgumentParser) -> Any:
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    if "export" in subparsers(original()).choices:
        return

    def patched() -> argparse.ArgumentParser:
        parser = original()
        register(subparsers(parser))
        return parser

    monkeypatch.setattr(cli_main, "build_parser", patched)


@pytest.mark.usefixtures("with_bundle_commands")
def test_cli_export_and_verify(
    tagged: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(
        capsys,
        "export",
        str(tagged.root),
        str(out),
        "--context",
        "2",
        "--category",
        "discriminatory",
        "--from",
        "2024-03-14",
    )
    assert code == 0, stderr
    assert "exported 1 tagged and 4 context messages" in stdout
    code, stdout, _ = run_cli(capsys, "verify", str(out))
    assert code == 0 and "bundle verified" in stdout
    (out / "data" / "audit" / "chain-head.txt").write_text("0" * 64 + "\n")
    code, stdout, stderr = run_cli(capsys, "verify", str(out))
    assert code == 1 and stdout == ""
    assert stderr.count("\n") == 1 and "data/audit/chain-head.txt" in stderr
    code, _, stderr = run_cli(capsys, "export", str(tagged.root), str(out))
    assert code == 1 and "Traceback" not in stderr and "not an empty folder" in stderr
    code, _, stderr = run_cli(
        capsys, "export", str(tagged.root), str(tmp_path / "o2"), "--from", "14/03"
    )
    assert code == 1 and "YYYY-MM-DD" in stderr


def readme_snippet() -> str:
    text = DOC.read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    return str(code)


def test_the_readme_chain_check_works_on_a_real_bundle(bundle_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "check_chain.py"
    script.write_text(readme_snippet(), encoding="utf-8")
    assert len(readme_snippet().strip().splitlines()) <= 25
    head = (bundle_dir / "data" / "audit" / "chain-head.txt").read_text().strip()
    run = subprocess.run(
        [sys.executable, "-I", str(script), str(bundle_dir)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"audit chain verified; head {head}"
    target = copy(bundle_dir, tmp_path)
    log = target / "data" / "audit" / "audit-log.jsonl"
    log.write_text(log.read_text(encoding="utf-8").replace("a note", "a nose"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-I", str(script), str(target)], capture_output=True, text=True
    )
    assert run.returncode == 1 and "broken at entry 3" in run.stderr
