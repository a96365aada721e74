"""Packages across laptops under the once-rule (DESIGN.md §9, §11; issue 12): three phones'
exports of one group are reconciled in the lead's case; two reviewers each get a package and
tag a different copy of the same reconciled message; both packages merge back into one tag on
the case's canonical copy, one decision for agreement, audit entries naming the copies acted
through. All through the command line."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import ACTOR
from reconcile_phones import import_phone, three_phones, true_chat
from reviewer.cli.main import main
from reviewer.services import browse
from reviewer.services.case import create_case, open_case

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def call(*argv: str, who: str = "Lead") -> tuple[int, str, str]:
        code = main(["--reviewer", who, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def ok(run: Run, *argv: str, who: str = "Lead") -> str:
    code, out, err = run(*argv, who=who)
    assert code == 0, err
    return out


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def case(tmp_path: Path, run: Run) -> str:
    root = tmp_path / "case"
    chat = true_chat(120)
    with create_case(root, reference="OP-12", actor=ACTOR) as opened:
        for phone in three_phones(chat):
            import_phone(opened, phone, chat, tmp_path / "exports", ACTOR)
    ok(run, "reconcile", str(root))
    return str(root)


def _on_three(run: Run, case: str, count: int) -> list[tuple[int, int, int]]:
    """The copies (AB/1, CD/2, EF/3) of ``count`` text messages present on all three phones."""
    found = []
    for record in jsonl(ok(run, "messages", case, "--reconciled", "--jsonl")):
        copies = record["copies"]
        if record["kind"] == "text" and [c["state"] for c in copies] == ["present"] * 3:
            assert [c["exhibit"] for c in copies] == ["AB/1", "CD/2", "EF/3"]
            found.append((copies[0]["id"], copies[1]["id"], copies[2]["id"]))
    assert len(found) >= count
    return found[:count]


def test_two_laptops_tag_two_copies_of_one_message(case: str, tmp_path: Path, run: Run) -> None:
    (a1, b1, c1), (a2, b2, c2) = _on_three(run, case, 2)
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [a1, c1])
    sender_a, sender_c = views[a1].sender_id, views[c1].sender_id
    assert sender_a is not None and sender_c is not None and sender_a != sender_c
    ok(run, "link", case, str(sender_a), str(sender_c))  # one person, two phones' spellings
    ok(run, "stance", case, str(a1), str(sender_a), "stance.author")
    bee, cee = str(tmp_path / "bee"), str(tmp_path / "cee")
    ok(run, "package", case, bee, "--exhibit", "CD/2", "--exhibit", "EF/3", "--for", "Bee")
    ok(run, "package", case, cee, "--exhibit", "EF/3", "--for", "Cee")

    # Bee's laptop carries the reconciliation of its two phones: the once-rule holds there.
    in_bee = jsonl(ok(run, "messages", bee, "--reconciled", "--jsonl"))
    shown = next(r for r in in_bee if c1 in [c["id"] for c in r["copies"]])
    assert shown["id"] == b1 and [c["id"] for c in shown["copies"]] == [b1, c1]
    assert ok(run, "tag", bee, str(c1), "violent", who="Bee").startswith("tagged violent")
    assert "already tagged" in ok(run, "tag", bee, str(b1), "violent", who="Bee")
    ok(run, "tag", bee, str(c2), "violent", who="Bee")
    assert [(t["message"], t["category"]) for t in jsonl(ok(run, "tags", bee, "--jsonl"))] == [
        (b1, "violent"),
        (b2, "violent"),
    ]
    assert "matches" in ok(run, "check", bee)  # its evidence check is the package's own

    # Cee's laptop holds EF/3 alone: the tag is on its copy there.
    ok(run, "tag", cee, str(c1), "violent", who="Cee")
    ok(run, "review", cee, str(c2), who="Cee")
    ok(run, "stance", cee, str(c1), str(sender_c), "stance.author", who="Cee")  # EF/3's name

    out = ok(run, "merge", case, bee)
    assert f"add tag violent on message {a1} (through copy {b1}) by Bee" in out
    assert f"add tag violent on message {a2} (through copy {b2}) by Bee" in out
    summary = jsonl(ok(run, "merge", case, cee, "--jsonl"))[-1]
    assert (summary["changes"], summary["conflicts"], summary["concurring"]) == (1, 0, 2)
    with sqlite3.connect(Path(case) / "case.sqlite") as db:
        stances = db.execute("SELECT message_id, participant_id, stance FROM stance").fetchall()
    assert stances == [(a1, sender_a, "stance.author")]  # one stance on one person

    tags = jsonl(ok(run, "tags", case, "--jsonl"))
    assert [(t["message"], t["category"], t["by"]) for t in tags] == [
        (a1, "violent", "Bee"),
        (a2, "violent", "Bee"),
    ]
    # Cee said "no concern" on a2 through c2 where Bee tagged through b2: one disagreement.
    rows = jsonl(ok(run, "agreement", case, "--jsonl"))
    row = next(r for r in rows if r["category"] == "violent" and r["reviewers"] == ["Bee", "Cee"])
    assert (row["messages"], row["both"], row["only_a"], row["only_b"]) == (2, 1, 1, 0)
    assert row["disagreements"] == [a2]

    entries = jsonl(ok(run, "audit", case, "--jsonl"))
    merged = [e["details"] for e in entries if e["action"] == "package.merged"]
    assert [(c["message"], c["through"]) for c in merged[0]["changes"]] == [(a1, b1), (a2, b2)]
    assert [(c["kind"], c["message"], c["through"]) for c in merged[1]["concurring"]] == [
        ("stance", a1, c1),
        ("tag", a1, c1),
    ]
    assert [(c["kind"], c["message"], c["through"]) for c in merged[1]["changes"]] == [
        ("mark", a2, c2)
    ]

    # The lead settles the disagreement through yet another copy: the tag goes from a2.
    out = ok(run, "adjudicate", case, str(c2), "violent", "--drop", "--reason", "banter")
    assert "tag changed" in out
    assert [t["message"] for t in jsonl(ok(run, "tags", case, "--jsonl"))] == [a1]
    last = jsonl(ok(run, "audit", case, "--jsonl"))[-1]
    assert last["action"] == "package.adjudicated"
    assert last["details"]["messages"] == [a2] and last["details"]["through"] == {str(a2): c2}


def test_a_package_whose_reconciliation_was_altered_is_refused(
    case: str, tmp_path: Path, run: Run
) -> None:
    (_a1, b1, c1), _ = _on_three(run, case, 2)
    bee = tmp_path / "bee"
    ok(run, "package", case, str(bee), "--exhibit", "CD/2", "--exhibit", "EF/3", "--for", "Bee")
    ok(run, "tag", str(bee), str(c1), "violent", who="Bee")
    with sqlite3.connect(bee / "case.sqlite") as db:
        db.execute(
            "UPDATE reconciled_message SET first_message_id = ? WHERE first_message_id = ?",
            (c1, b1),
        )
    code, _out, err = run("merge", case, str(bee))
    assert code != 0 and "reconciled messages do not match its chain" in err
    assert err.count("\n") == 1
