"""Issue 12, review acts once (DESIGN.md §9): three phones' exports of one group are imported
and reconciled through the command line, then a reviewer tags, marks, notes, searches,
screens and exports through the copies on different phones, and reconciles again."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import ACTOR
from reconcile_phones import import_phone, three_phones, true_chat
from reviewer.cli.main import main
from reviewer.services import browse, media_grid
from reviewer.services.case import create_case, open_case
from reviewer.store.models import MessageNote


def run(capsys: pytest.CaptureFixture[str], *argv: str, who: str = "Ann") -> tuple[int, str]:
    code = main(["--reviewer", who, *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return code, out


def _records(capsys: pytest.CaptureFixture[str], case: str) -> list[dict[str, Any]]:
    _code, out = run(capsys, "messages", case, "--reconciled", "--jsonl")
    return [json.loads(line) for line in out.splitlines()]


def _on_three(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A text message present on all three phones, with its rarest word (once in it)."""
    words = Counter(w for r in records for w in set(r["text"].split()))
    for record in records:
        states = [c["state"] for c in record["copies"]]
        text = record["text"].split()
        once = sorted((words[w], w) for w in text if text.count(w) == 1 and w.isalpha())
        if record["kind"] == "text" and states == ["present"] * 3 and once:
            return {**record, "word": once[0][1]}
    raise AssertionError("no message present on three phones")


def _owner(records: list[dict[str, Any]]) -> dict[int, int]:
    """Message id -> the id of the reconciled record holding it."""
    return {c["id"]: r["id"] for r in records for c in r["copies"]}


@pytest.fixture
def case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    root = tmp_path / "case"
    chat = true_chat(200)
    with create_case(root, reference="OP-12", actor=ACTOR) as opened:
        for phone in three_phones(chat):
            import_phone(opened, phone, chat, tmp_path / "exports", ACTOR)
    run(capsys, "reconcile", str(root))
    return str(root)


def test_a_tag_through_any_copy_is_one_tag(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    records = _records(capsys, case)
    record = _on_three(records)
    first, second, third = (c["id"] for c in record["copies"])
    assert record["id"] == first  # the earliest-imported copy stands for it

    _code, out = run(capsys, "tag", case, str(second), "violent")
    assert out.startswith("tagged violent: 1 message")
    _code, out = run(capsys, "tag", case, str(first), "violent")
    assert "already tagged; nothing changed" in out
    _code, out = run(capsys, "tag", case, str(third), "violent", who="Bob")  # a second reviewer
    assert "already tagged; nothing changed" in out
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second, third])
        tiles = media_grid.tags_of(opened, [first, second, third])  # the media grid's tiles
    assert [views[i].tags for i in (first, second, third)] == [("violent",)] * 3
    assert [tiles.get(i) for i in (first, second, third)] == [("violent",)] * 3

    _code, out = run(capsys, "progress", case)
    head = out.splitlines()[0]
    assert head == f"{len(records):,} messages: 0 reviewed (no concern), 1 tagged, " + (
        f"{len(records) - 1:,} unreviewed"
    )
    assert "held by several exhibits (reconciled) counts once" in out
    for exhibit in ("AB/1", "CD/2", "EF/3"):
        assert f"exhibit {exhibit}: " in out and out.split(f"exhibit {exhibit}: ")[1].split("\n")[
            0
        ].endswith(", 0 reviewed, 1 tagged")
    assert "Ann: 0 marked reviewed, 1 tags" in out and "Bob" not in out

    _code, out = run(capsys, "search", case, "--category", "violent", "--jsonl")
    assert sorted(json.loads(line)["id"] for line in out.splitlines()) == [first, second, third]
    _code, out = run(capsys, "search", case, "--category", "violent", "--reconciled", "--jsonl")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [first]
    _code, out = run(capsys, "search", case, record["word"], "--jsonl")
    every = {json.loads(line)["id"] for line in out.splitlines()}
    _code, out = run(capsys, "search", case, record["word"], "--reconciled", "--jsonl")
    once = [json.loads(line)["id"] for line in out.splitlines()]
    owner = _owner(records)
    assert {first, second, third} <= every and first in once and second not in once
    assert len(once) == len({owner[i] for i in every}) < len(every)
    _code, out = run(capsys, "search", case, "--untagged", "--exhibit", "EF/3", "--jsonl")
    assert third not in {json.loads(line)["id"] for line in out.splitlines()}

    out_dir = Path(case).parent / "bundle"
    run(capsys, "export", case, str(out_dir))
    lines = (out_dir / "data" / "messages" / "messages.jsonl").read_text("utf-8").splitlines()
    tagged = [r for r in map(json.loads, lines) if not r["context"]]
    assert [(r["id"], [t["category"] for t in r["tags"]]) for r in tagged] == [(first, ["violent"])]
    assert [c["id"] for c in tagged[0]["copies"]] == [first, second, third]

    _code, out = run(capsys, "untag", case, str(third), "violent", "--reason", "wrong")
    assert out.startswith("removed violent from 1 message")
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second, third])
    assert {views[i].tags for i in (first, second, third)} == {()}
    _code, out = run(capsys, "audit", case, "--jsonl")
    entries = [json.loads(line) for line in out.splitlines()]
    added = next(e for e in entries if e["action"] == "tag.added")
    assert added["details"]["messages"] == [first]
    assert added["details"]["through"] == {str(first): second}
    assert entries[-1]["details"]["through"] == {str(first): third}


def test_review_notes_and_reruns_keep_to_the_reconciled_message(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _on_three(_records(capsys, case))
    first, second, third = (c["id"] for c in record["copies"])
    run(capsys, "review", case, str(third))
    run(capsys, "note", case, str(second), "said twice on CD/2")
    run(capsys, "tag", case, str(third), "derogatory")
    _code, out = run(capsys, "review", case, str(first))
    assert "nothing changed" in out  # already marked through EF/3
    _code, out = run(capsys, "search", case, "--unreviewed", "--exhibit", "CD/2", "--jsonl")
    assert second not in {json.loads(line)["id"] for line in out.splitlines()}

    run(capsys, "reconcile", case)  # a second run renumbers reconciled messages
    after = _records(capsys, case)
    again = next(r for r in after if r["id"] == first)
    assert [c["id"] for c in again["copies"]] == [first, second, third]
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second, third])
    for view in views.values():
        assert view.tags == ("derogatory",)
        assert view.note == "said twice on CD/2"
        assert view.review_state == "tagged"

    run(capsys, "untag", case, str(first), "derogatory")
    _code, out = run(capsys, "progress", case)
    assert f"{len(after):,} messages: 1 reviewed (no concern), 0 tagged" in out
    run(capsys, "review", case, str(second), "--undo")
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second, third])
    assert {v.review_state for v in views.values()} == {"unreviewed"}


def test_screening_suggests_once_per_reconciled_message(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    records = _records(capsys, case)
    record = _on_three(records)
    first = record["id"]
    lexicon = tmp_path / "words.toml"
    lexicon.write_text(
        f'entry = [{{ term = "{record["word"]}", category = "other", note = "test" }}]\n',
        encoding="utf-8",
    )
    _code, out = run(capsys, "screen", case, "--lexicon", str(lexicon))
    hits, new = (int(n) for n in re.findall(r"([\d,]+) (?:hits|new suggestions)", out))
    assert 0 < new < hits
    _code, out = run(capsys, "suggestions", case, "--jsonl")
    found = [json.loads(line) for line in out.splitlines()]
    assert len(found) == new
    owner = _owner(records)
    spans = Counter((owner.get(s["message_id"], s["message_id"]), s["start"]) for s in found)
    assert set(spans.values()) == {1}  # one suggestion per reconciled message and place
    assert [s["message_id"] for s in found if owner.get(s["message_id"]) == first] == [first]
    _code, out = run(capsys, "screen", case, "--lexicon", str(lexicon))
    assert f"{hits:,} hits, 0 new suggestions" in out


def test_a_stance_through_another_copy_shows_on_the_same_person(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _on_three(_records(capsys, case))
    first, second, _third = (c["id"] for c in record["copies"])
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second])
    sender_a, sender_b = views[first].sender_id, views[second].sender_id
    assert sender_a is not None and sender_b is not None and sender_a != sender_b
    run(capsys, "link", case, str(sender_a), str(sender_b))  # one person on two phones
    run(capsys, "stance", case, str(second), str(sender_b), "stance.author")
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second])
    assert views[first].stances == ((sender_a, "stance.author"),)  # on AB/1's spelling
    assert views[second].stances == ((sender_b, "stance.author"),)
    run(capsys, "stance", case, str(first), str(sender_a), "stance.endorsed")  # changed there
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second])
    assert views[first].stances == ((sender_a, "stance.endorsed"),)
    assert views[second].stances == ((sender_b, "stance.endorsed"),)
    run(capsys, "stance", case, str(second), str(sender_b), "none")
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second])
    assert views[first].stances == views[second].stances == ()


def test_notes_made_on_two_copies_before_reconciling_are_kept_then_replaced_once(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _on_three(_records(capsys, case))
    first, second, third = (c["id"] for c in record["copies"])
    with open_case(Path(case)) as opened, opened.transaction() as session:
        for mid, text in ((second, "seen on CD/2"), (first, "seen on AB/1")):  # e.g. merged
            session.add(MessageNote(message_id=mid, text=text, reviewer="Old", updated_utc="x"))
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second, third])
    assert {v.note for v in views.values()} == {"seen on AB/1\n\nseen on CD/2"}
    run(capsys, "note", case, str(third), "one note now")
    with open_case(Path(case)) as opened:
        views = browse.message_views(opened, [first, second, third])
        with opened.reading() as session:
            held = session.scalars(select(MessageNote.message_id)).all()
    assert {v.note for v in views.values()} == {"one note now"}
    assert held == [first]
    _code, out = run(capsys, "audit", case, "--jsonl")
    entry = json.loads(out.splitlines()[-1])
    assert entry["action"] == "note.changed"
    assert entry["details"]["old"] == "seen on AB/1\n\nseen on CD/2"
    assert entry["details"]["notes_of"] == [first, second]
    assert entry["details"]["through"] == {str(first): third}


def test_search_deleted_somewhere_and_missing_from(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _records(capsys, case)
    owner = _owner(records)
    by_id = {r["id"]: r for r in records}
    deleted = {r["id"] for r in records if "deleted" in [c["state"] for c in r["copies"]]}
    missing = {
        r["id"]
        for r in records
        if ("EF/3", "in-range") in [(a["exhibit"], a["reason"]) for a in r["absent"]]
    }
    assert deleted and missing
    _code, out = run(capsys, "search", case, "--deleted-somewhere", "--reconciled", "--jsonl")
    assert {owner[json.loads(line)["id"]] for line in out.splitlines()} == deleted
    _code, out = run(capsys, "search", case, "--missing-from", "EF/3", "--reconciled", "--jsonl")
    found = [owner[json.loads(line)["id"]] for line in out.splitlines()]
    assert sorted(found) == sorted(missing)  # once each
    word = max(by_id[next(iter(missing))]["text"].split(), key=len)
    _code, out = run(capsys, "search", case, word, "--missing-from", "EF/3", "--jsonl")
    assert out and {owner[json.loads(line)["id"]] for line in out.splitlines()} <= missing
    code = main(["search", case, "--missing-from", "ZZ/9"])
    err = capsys.readouterr().err
    assert code != 0 and "no exhibit 'ZZ/9'" in err and err.count("\n") == 1
