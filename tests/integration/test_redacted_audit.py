"""A redacted bundle's audit log names no uninvolved person and still verifies (issue 11):
with `reviewer verify`, and with the docs' independent script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import ACTOR
from reviewer.audit import chain
from reviewer.bundle.verify import verify_bundle
from reviewer.services import audit_log, participants, tagging
from reviewer.services.case import create_case, open_case
from reviewer.services.exporting import ExportOptions, export_bundle
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records

DOC = Path(__file__).parents[2] / "docs" / "verifying-a-bundle.md"
CHAT = (
    "[14/03/2024, 09:58:02] Shift B: \u200eSam Reid created group \u201cShift B\u201d\r\n"
    "[14/03/2024, 09:58:03] Shift B: \u200eSam Reid added Dana Fox\r\n"
    "[14/03/2024, 10:00:00] Sam Reid: Morning all\r\n"
    "[14/03/2024, 10:01:30] Alex Turner: something awful\r\n"
    "[14/03/2024, 10:03:00] Jo Park: ok then\r\n"
    "[14/03/2024, 10:04:00] Chris Lowe: haha\r\n"
    "[14/03/2024, 10:05:00] +44 7700 900999: who is this\r\n"
)
SECOND = (
    "[16/03/2024, 08:00:00] Jo P: see you later\r\n"
    "[16/03/2024, 08:01:00] Alex Turner: bye\r\n"
    "[16/03/2024, 08:02:00] Kim Reyes: hello\r\n"
)
SECRETS = (
    *("Jo Park", "Jo P", "Kim Reyes", "Chris Lowe", "Chris", "Dana Fox"),
    *("7700 900999", "07700900999"),
)
SUBJECTS = ("Alex Turner", "Sam Reid")


def _zip(path: Path, chat: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", chat.encode())
    return path


def build_case(root: Path) -> Path:
    """Two subjects marked, notes naming uninvolved people, a participant link."""
    with create_case(root / "case", reference="OP-1234", actor=ACTOR, title="T") as case:
        import_export(case, _zip(root / "Shift B.zip", CHAT), ACTOR, ImportOptions(exhibit="AB/1"))
        import_export(
            case, _zip(root / "Kim Reyes.zip", SECOND), ACTOR, ImportOptions(exhibit="AB/2")
        )
        people = {(p.exhibit, p.display_name): p.id for p in participants.list_participants(case)}
        for name in SUBJECTS:
            participants.set_subject(case, ACTOR, people[("AB/1", name)], True)
        participants.link_participants(
            case, ACTOR, [people[("AB/1", "Jo Park")], people[("AB/2", "Jo P")]]
        )
        ids = {r["text"]: r["id"] for r in message_records(case)}
        tagging.tag(case, ACTOR, [ids["something awful"]], "derogatory", note="Jo Park laughs")
        tagging.set_note(
            case, ACTOR, ids["something awful"], "Chris was on shift; ring 07700 900999"
        )
        tagging.tag(case, ACTOR, [ids["Morning all"]], "other", note="Sam Reid starts the day")
        tagging.set_note(case, ACTOR, ids["ok then"], "Dana Fox was added by Sam Reid")
    return root / "case"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The case of :func:`build_case` exported with --redact-uninvolved: (case, bundle)."""
    root = tmp_path_factory.mktemp("redacted")
    with open_case(build_case(root)) as case:
        export_bundle(case, ACTOR, root / "out", ExportOptions(context=5, redact_uninvolved=True))
    return root / "case", root / "out"


def log_lines(bundle: Path) -> list[dict[str, object]]:
    text = (bundle / "data" / "audit" / "audit-log.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_the_redacted_log_names_no_uninvolved_person(scenario: tuple[Path, Path]) -> None:
    _, bundle = scenario
    text = (bundle / "data" / "audit" / "audit-log.jsonl").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret.casefold() not in text.casefold(), secret
    assert "Alex Turner" in text and "Sam Reid" in text  # subjects are not withheld


def test_exporting_one_exhibit_still_withholds_people_of_the_others(tmp_path: Path) -> None:
    # A first export: nobody of exhibit AB/2 has a pseudonym yet.
    with open_case(build_case(tmp_path)) as case:
        options = ExportOptions(context=5, exhibits=("AB/1",), redact_uninvolved=True)
        export_bundle(case, ACTOR, tmp_path / "out", options)
    text = (tmp_path / "out" / "data" / "audit" / "audit-log.jsonl").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret.casefold() not in text.casefold(), secret
    assert verify_bundle(tmp_path / "out").ok


def test_only_fields_that_name_someone_are_withheld(scenario: tuple[Path, Path]) -> None:
    case_root, bundle = scenario
    lines = log_lines(bundle)
    with open_case(case_root) as case, case.reading() as session:
        full = list(audit_log.entries(session))
    # The bundle carries the chain up to its snapshot; its own export entry follows, naming it.
    exported = full.pop()
    assert exported["action"] == "bundle.exported"
    assert exported["details"]["bundle_head"] == lines[-1]["hash"]
    assert len(full) == len(lines)
    withheld: dict[str, set[str]] = {}
    for entry, line in zip(full, lines, strict=True):
        assert line["v"] == 2 and line["hash"] == entry["hash"]
        redacted = set(line.get("redacted", {}))  # type: ignore[call-overload]
        withheld.setdefault(str(entry["action"]), set()).update(redacted)
        shown = chain.field_values(line)
        for name, value in chain.field_values(entry).items():
            if name in redacted:
                assert any(s.casefold() in json.dumps(value).casefold() for s in SECRETS), name
            else:
                assert shown[name] == value
    assert withheld["case.created"] == set()
    assert withheld["participant.subject"] == set()
    assert withheld["participant.linked"] == {"details.participants"}
    assert withheld["note.changed"] == {"details.new"}
    assert "details.original_name" in withheld["exhibit.imported"]


def test_the_redacted_bundle_verifies(scenario: tuple[Path, Path]) -> None:
    _, bundle = scenario
    report = verify_bundle(bundle)
    assert report.ok, report.failure
    assert report.audit_head == log_lines(bundle)[-1]["hash"]


def doc_script() -> str:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    return str(code)


def run_script(tmp_path: Path, bundle: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "check_chain.py"
    script.write_text(doc_script(), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-I", str(script), str(bundle)], capture_output=True, text=True
    )


def test_the_docs_script_verifies_the_redacted_bundle(
    scenario: tuple[Path, Path], tmp_path: Path
) -> None:
    _, bundle = scenario
    run = run_script(tmp_path, bundle)
    assert run.returncode == 0, run.stderr
    head = (bundle / "data" / "audit" / "chain-head.txt").read_text().strip()
    assert run.stdout.strip() == f"audit chain verified; head {head}"


def _tampered(bundle: Path, tmp_path: Path, change: object) -> Path:
    import shutil

    target = tmp_path / "tampered"
    shutil.copytree(bundle, target)
    log = target / "data" / "audit" / "audit-log.jsonl"
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    change(lines)  # type: ignore[operator]
    log.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return target


def _first_redacted(lines: list[dict[str, object]]) -> dict[str, object]:
    return next(line for line in lines if line.get("redacted"))


def _alter_commitment(lines: list[dict[str, object]]) -> None:
    redacted = _first_redacted(lines)["redacted"]
    name = sorted(redacted)[0]  # type: ignore[call-overload]
    redacted[name] = "0" * 64  # type: ignore[index]


def _reveal_wrong_value(lines: list[dict[str, object]]) -> None:
    line = _first_redacted(lines)
    redacted: dict[str, str] = line["redacted"]  # type: ignore[assignment]
    name = sorted(n for n in redacted if n.startswith("details."))[0]
    redacted.pop(name)
    line["details"][name[8:]] = "someone else"  # type: ignore[index]
    line["salts"][name] = "0" * 32  # type: ignore[index]


def _both_shown_and_withheld(lines: list[dict[str, object]]) -> None:
    line = _first_redacted(lines)
    redacted: dict[str, str] = line["redacted"]  # type: ignore[assignment]
    name = sorted(n for n in redacted if n.startswith("details."))[0]
    line["details"][name[8:]] = "someone else"  # type: ignore[index]
    line["salts"][name] = "0" * 32  # type: ignore[index]


@pytest.mark.parametrize(
    "change", [_alter_commitment, _reveal_wrong_value, _both_shown_and_withheld]
)
def test_a_tampered_redacted_log_fails_both_verifiers(
    scenario: tuple[Path, Path], tmp_path: Path, change: object
) -> None:
    _, bundle = scenario
    seq = _first_redacted(log_lines(bundle))["seq"]
    target = _tampered(bundle, tmp_path, change)
    problem = verify_bundle(target).failure or ""
    # The bag's manifests catch the edit first; the chain check itself names the entry.
    assert "audit-log.jsonl" in problem
    report = chain.verify(log_lines(target))
    assert report.broken_seq == seq
    run = run_script(tmp_path, target)
    assert run.returncode == 1 and f"broken at entry {seq}" in run.stderr


def test_reveal_proves_a_withheld_value(
    scenario: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import reviewer.cli.main as cli_main

    case_root, bundle = scenario
    line = _first_redacted(log_lines(bundle))
    redacted: dict[str, str] = line["redacted"]  # type: ignore[assignment]
    for name, commitment in redacted.items():
        code = cli_main.main(["audit", str(case_root), "--reveal", str(line["seq"]), name])
        out = capsys.readouterr().out
        assert code == 0
        shown = json.loads(out)
        assert shown["commitment"] == commitment == chain.commit(shown["salt"], shown["value"])
        assert re.fullmatch(r"[0-9a-f]{32}", shown["salt"])


# --------------------------------------------------------------------------- printed heads


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF (Helvetica) showing ``text``, as a forged report would."""
    stream = f"BT /F1 8 Tf 20 700 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def rebag(target: Path, head: str) -> None:
    """Rewrite the bag's manifests over a changed payload, as a forger would."""
    import shutil

    from reviewer.bundle.bag import make_bag

    staging = target.parent / "staging"
    shutil.move(target / "data", staging)
    shutil.rmtree(target)
    shutil.move(staging, target)
    make_bag(target, {"Audit-Chain-Head": head})


OTHER = "ab" * 32


@pytest.mark.parametrize("where", ["report/report.pdf", "report/index.html", "bag-info.txt"])
def test_a_report_printing_another_head_fails_naming_the_file(
    scenario: tuple[Path, Path], tmp_path: Path, where: str
) -> None:
    import shutil

    _, bundle = scenario
    target = tmp_path / "forged"
    shutil.copytree(bundle, target)
    head = (bundle / "data" / "audit" / "chain-head.txt").read_text().strip()
    report = target / "data" / "report"
    if where == "report/report.pdf":
        (report / "report.pdf").write_bytes(tiny_pdf(f"Audit chain head {OTHER}"))
    elif where == "report/index.html":
        page = (report / "index.html").read_text(encoding="utf-8")
        assert page.count(head) >= 1
        (report / "index.html").write_text(page.replace(head, OTHER, 1), encoding="utf-8")
    rebag(target, OTHER if where == "bag-info.txt" else head)
    failure = verify_bundle(target).failure or ""
    assert failure.startswith(where)
    assert OTHER in failure


def test_a_pdf_printing_the_right_head_passes_and_one_printing_none_fails_cleanly(
    scenario: tuple[Path, Path], tmp_path: Path
) -> None:
    import shutil

    _, bundle = scenario
    head = (bundle / "data" / "audit" / "chain-head.txt").read_text().strip()
    cases = [
        (tiny_pdf(f"Audit chain head: {head}"), None),
        (tiny_pdf("no head"), "report/report.pdf prints no audit chain head"),
        (b"%PDF-1.4 not really", "report/report.pdf: cannot read its text"),
    ]
    for pdf, failure in cases:
        target = tmp_path / "forged"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(bundle, target)
        (target / "data" / "report" / "report.pdf").write_bytes(pdf)
        rebag(target, head)
        found = verify_bundle(target).failure
        assert found is None if failure is None else failure in (found or ""), found


# --------------------------------------------------------------------------- a version 1 past


def _rewrite_as_version_1(case_root: Path) -> None:
    """Rewrite the chain so far as version 1 entries, as an older reviewer wrote them."""
    import sqlite3

    from reviewer.services.case import DB_NAME

    with sqlite3.connect(case_root / DB_NAME) as db:
        rows = db.execute(
            "SELECT seq, ts, actor, workstation, action, target, details FROM audit_entry "
            "ORDER BY seq"
        ).fetchall()
        for table in ("audit_entry", "audit_salt"):
            db.execute(f"DROP TRIGGER {table}_no_delete")
        db.execute("DELETE FROM audit_salt")
        db.execute("DELETE FROM audit_entry")
        prev = chain.GENESIS
        for seq, ts, actor, workstation, action, target, details in rows:
            entry = chain.seal(
                seq=seq,
                ts=ts,
                actor=actor,
                workstation=workstation,
                action=action,
                target=target,
                details=json.loads(details),
                prev=prev,
            )
            db.execute(
                "INSERT INTO audit_entry (seq, ts, actor, workstation, action, target, details, "
                "prev, hash, v) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                [seq, ts, actor, workstation, action, target, details, prev, entry["hash"]],
            )
            prev = entry["hash"]
        for table in ("audit_entry", "audit_salt"):
            db.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"
            )


def test_a_v1_entry_naming_someone_is_withheld_whole_and_the_bundle_verifies(
    tmp_path: Path,
) -> None:
    with create_case(tmp_path / "case", reference="OP-9", actor=ACTOR) as case:
        import_export(case, _zip(tmp_path / "B.zip", CHAT), ACTOR, ImportOptions(exhibit="AB/1"))
        ids = {r["text"]: r["id"] for r in message_records(case)}
        tagging.set_note(case, ACTOR, ids["ok then"], "Jo Park answers")
    _rewrite_as_version_1(tmp_path / "case")
    with open_case(tmp_path / "case") as case:
        people = {p.display_name: p.id for p in participants.list_participants(case)}
        for name in SUBJECTS:
            participants.set_subject(case, ACTOR, people[name], True)
        tagging.tag(case, ACTOR, [ids["something awful"]], "derogatory")
        with case.reading() as session:
            assert audit_log.verify(session).ok
        export_bundle(case, ACTOR, tmp_path / "out", ExportOptions(redact_uninvolved=True))
    lines = log_lines(tmp_path / "out")
    assert [line.get("v") for line in lines[:3]] == [None, None, None]
    assert lines[2] == {**{k: lines[2][k] for k in ("seq", "prev", "hash")}, "withheld": True}
    assert (
        "withheld" not in lines[1] and lines[3]["v"] == 2 and lines[3]["prev"] == lines[2]["hash"]
    )
    assert "Jo Park" not in (tmp_path / "out/data/audit/audit-log.jsonl").read_text("utf-8")
    report = verify_bundle(tmp_path / "out")
    assert report.ok, report.failure
    run = run_script(tmp_path, tmp_path / "out")
    assert run.returncode == 0, run.stderr
