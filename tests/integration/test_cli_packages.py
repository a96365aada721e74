"""The §11 workflow through the command line only: lead, second reviewer and third reviewer
on separate case folders; package, review, merge (twice), agreement, conflicts, adjudicate,
and refusals in one line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from test_packages import kappa

from reviewer.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_three_laptops_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "".join(f"[14/03/2024, 10:{i:02d}:00] Sam Reid: message {i}\r\n" for i in range(8)),
        encoding="utf-8",
    )
    case, bee, cee = (str(tmp_path / name) for name in ("case", "bee", "cee"))
    assert run(capsys, "--reviewer", "Lead", "case", "new", case, "--reference", "OP-5")[0] == 0
    assert run(capsys, "--reviewer", "Lead", "import", case, str(chat), "--exhibit", "AB/1")[0] == 0
    ids = [r["id"] for r in jsonl(run(capsys, "messages", case, "--jsonl")[1])]
    assert len(ids) == 8
    lead = {0: True, 1: True, 2: False, 3: False, 4: True, 5: False, 6: False, 7: False}
    bee_says = {0: True, 1: False, 2: True, 3: False, 4: True, 5: False, 6: False, 7: False}
    for index, derogatory in lead.items():
        verb = (
            ("tag", case, str(ids[index]), "derogatory")
            if derogatory
            else ("review", case, str(ids[index]))
        )
        assert run(capsys, "--reviewer", "Lead", *verb)[0] == 0

    code, out, _ = run(
        capsys, "--reviewer", "Lead", "package", case, bee, "--blind", "--for", "Bee"
    )
    assert code == 0 and "(blind)" in out and "8 messages" in out
    code, out, _ = run(capsys, "--reviewer", "Lead", "package", case, cee, "--for", "Cee")
    assert code == 0
    assert jsonl(run(capsys, "tags", bee, "--jsonl")[1]) == []  # blind: no tags
    assert len(jsonl(run(capsys, "tags", cee, "--jsonl")[1])) == 3  # not blind

    for index, derogatory in bee_says.items():
        verb = (
            ("tag", bee, str(ids[index]), "derogatory")
            if derogatory
            else ("review", bee, str(ids[index]))
        )
        assert run(capsys, "--reviewer", "Bee", *verb)[0] == 0
    # Cee (not blind) removes one of the lead's tags and adds another category.
    assert run(capsys, "--reviewer", "Cee", "untag", cee, str(ids[4]), "derogatory")[0] == 0
    assert run(capsys, "--reviewer", "Cee", "tag", cee, str(ids[5]), "violent")[0] == 0

    code, out, _ = run(capsys, "--reviewer", "Lead", "merge", case, bee)
    assert code == 0 and "1 conflicts kept for the lead" in out  # Bee's tag on ids[2]
    audit_before = run(capsys, "audit", case, "--jsonl")[1]
    code, out, _ = run(capsys, "--reviewer", "Lead", "merge", case, bee)
    assert code == 0 and "already merged" in out
    assert run(capsys, "audit", case, "--jsonl")[1] == audit_before
    code, out, _ = run(capsys, "--reviewer", "Lead", "merge", case, cee, "--jsonl")
    records = jsonl(out)
    summary = records[-1]
    # Cee's removal of ids[4] disputes Bee's merged agreement with the lead: a conflict.
    assert summary["type"] == "summary" and summary["changes"] == 1 and summary["conflicts"] == 1

    rows = jsonl(run(capsys, "agreement", case, "--jsonl")[1])
    row = next(
        r for r in rows if r["category"] == "derogatory" and r["reviewers"] == ["Bee", "Lead"]
    )
    a, b = [bee_says[i] for i in range(8)], [lead[i] for i in range(8)]
    assert set(row) == {
        "category", "reviewers", "messages", "both", "only_a", "only_b", "neither",
        "agreement", "kappa", "disagreements",
    }  # fmt: skip
    assert row["messages"] == 8 and row["both"] == 2 and row["only_a"] == 1
    assert row["only_b"] == 1 and row["neither"] == 4
    assert row["kappa"] == pytest.approx(kappa(a, b))
    assert row["disagreements"] == [ids[1], ids[2]]

    conflicts = jsonl(run(capsys, "conflicts", case, "--jsonl")[1])
    assert [(c["message"], c["item"], c["package_by"]) for c in conflicts] == [
        (ids[2], "derogatory", "Bee"),
        (ids[4], "derogatory", "Cee"),
    ]
    code, out, _ = run(
        capsys, "--reviewer", "Lead", "adjudicate", case, str(ids[2]), "derogatory", "--keep"
    )
    assert code == 0 and "1 conflicts resolved" in out
    assert [c["message"] for c in jsonl(run(capsys, "conflicts", case, "--jsonl")[1])] == [ids[4]]
    code, out, _ = run(
        capsys, "--reviewer", "Lead", "adjudicate", case, str(ids[4]), "derogatory", "--drop"
    )
    assert code == 0 and "tag changed" in out
    assert run(capsys, "conflicts", case, "--jsonl")[1] == ""
    code, _, err = run(capsys, "--reviewer", "Lead", "resolve", case, "1", "--keep-case")
    assert code == 1 and "already resolved" in err and err.count("\n") == 1
    by = {
        (t["message"], t["category"]): t["by"]
        for t in jsonl(run(capsys, "tags", case, "--jsonl")[1])
    }
    assert by[(ids[2], "derogatory")] == "Bee" and by[(ids[5], "violent")] == "Cee"
    assert (ids[4], "derogatory") not in by  # dropped by the lead
    assert run(capsys, "audit", case, "--verify")[0] == 0

    # Refusals: one line on stderr, nothing changed.
    db = sqlite3.connect(Path(bee) / "case.sqlite")
    db.execute("DROP TRIGGER audit_entry_no_update")
    db.execute("UPDATE audit_entry SET details = '{}' WHERE seq = 2")
    db.commit()
    db.close()
    before = run(capsys, "audit", case, "--jsonl")[1]
    code, out, err = run(capsys, "--reviewer", "Lead", "merge", case, bee)
    assert code == 1 and out == "" and err.count("\n") == 1 and "chain is broken" in err
    other = str(tmp_path / "other")
    run(capsys, "--reviewer", "X", "case", "new", other, "--reference", "OP-5")
    run(capsys, "--reviewer", "X", "import", other, str(chat))
    run(capsys, "--reviewer", "X", "package", other, str(tmp_path / "foreign"))
    code, out, err = run(capsys, "--reviewer", "Lead", "merge", case, str(tmp_path / "foreign"))
    assert code == 1 and err.count("\n") == 1 and "another case" in err
    assert run(capsys, "audit", case, "--jsonl")[1] == before
