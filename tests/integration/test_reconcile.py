"""Issue 12: several phones' exports of one group, imported by the real importer, reconciled.

The phones (tests/reconcile_phones.py): an iPhone with seconds and media; an Android in en-US
12-hour time without seconds, in Berlin time, joining late, with its own contact names (one
only a phone number) and messages deleted for its owner; a later iPhone 3 minutes fast with
messages deleted for everyone and for its owner, edits, repeated "ok"/"😂" and an export that
ends early; and a German Android set to London time but imported as Berlin time. Copies are
scored against the true chat.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import ACTOR
from reconcile_phones import (
    Phone,
    TrueMessage,
    german_phone,
    import_phone,
    three_phones,
    true_chat,
)
from reviewer.cli.main import main
from reviewer.services.audit_log import entries as audit_entries
from reviewer.services.case import Case, create_case, open_case
from reviewer.services.reconcile import ReconcileReport, reconcile
from reviewer.services.reconciled_records import reconciled_records
from reviewer.store.models import Conversation, Exhibit, Message, Participant


@dataclass
class Built:
    root: Path
    chat: list[TrueMessage]
    phones: list[Phone]
    truth: dict[int, tuple[str, int]]  # message id -> (exhibit, true uid)


def _build(root: Path, count: int = 600, german: bool = True) -> Built:
    chat = true_chat(count)
    phones = three_phones(chat) + ([german_phone(chat)] if german else [])
    truth: dict[int, tuple[str, int]] = {}
    with create_case(root, reference="OP-12", actor=ACTOR) as case:
        for phone in phones:
            uids = import_phone(case, phone, chat, root.parent / "exports", ACTOR)
            with case.reading() as session:
                ids = session.scalars(
                    select(Message.id)
                    .join(Conversation, Message.conversation_id == Conversation.id)
                    .join(Exhibit, Conversation.exhibit_id == Exhibit.id)
                    .where(Exhibit.reference == phone.exhibit)
                    .order_by(Message.seq)
                ).all()
            assert len(ids) == len(uids)  # one message per rendered record
            truth.update({mid: (phone.exhibit, uid) for mid, uid in zip(ids, uids, strict=True)})
    return Built(root, chat, phones, truth)


Reconciled = tuple[Built, ReconcileReport, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("reconcile") / "case")


@pytest.fixture(scope="module")
def reconciled(built: Built) -> Iterator[Reconciled]:
    with open_case(built.root) as case:
        report = reconcile(case, ACTOR)
        records = list(reconciled_records(case))
    yield built, report, records


def _by_uid(built: Built, records: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each true uid -> the reconciled record holding its copy on the first phone (AB/1)."""
    found = {}
    for record in records:
        for copy in record["copies"]:
            exhibit, uid = built.truth[copy["id"]]
            if exhibit == "AB/1":
                found[uid] = record
    return found


def test_copy_pairs_match_the_truth(reconciled: Reconciled) -> None:
    built, report, records = reconciled
    predicted = {
        tuple(sorted((a["id"], b["id"])))
        for record in records
        for a, b in itertools.combinations(record["copies"], 2)
    }
    by_uid: dict[int, list[int]] = {}
    for mid, (_exhibit, uid) in built.truth.items():
        by_uid.setdefault(uid, []).append(mid)
    true_pairs = {
        tuple(sorted(pair)) for mids in by_uid.values() for pair in itertools.combinations(mids, 2)
    }
    hits = len(predicted & true_pairs)
    assert hits / len(predicted) >= 0.995
    assert hits / len(true_pairs) >= 0.99
    # every message appears exactly once
    copies = [c["id"] for record in records for c in record["copies"]]
    assert sorted(copies) == sorted(built.truth)
    assert report.messages == len(records)
    assert len(records) == pytest.approx(len({uid for _, uid in built.truth.values()}), rel=0.01)


def test_states_and_absences(reconciled: Reconciled) -> None:
    built, _report, records = reconciled
    _a, b, c, d = built.phones
    rows = _by_uid(built, records)
    times = {m.uid: m.utc for m in built.chat}

    def state(uid: int, exhibit: str) -> str | None:
        for copy in rows[uid]["copies"]:
            if copy["exhibit"] == exhibit:
                return str(copy["state"])
        return None

    def absent(uid: int, exhibit: str) -> str | None:
        for item in rows[uid]["absent"]:
            if item["exhibit"] == exhibit:
                return str(item["reason"])
        return None

    assert c.end is not None and b.start is not None
    deleted = [u for u in c.deleted if c.holds(built.chat[u])]
    assert deleted and all(state(u, "EF/3") == "deleted" for u in deleted)
    gone = [u for u in c.deleted_for_me if times[u] <= c.end]
    assert gone and all(absent(u, "EF/3") == "in-range" for u in gone)
    gone_b = [u for u in b.deleted_for_me if times[u] >= b.start]
    assert gone_b and all(absent(u, "CD/2") == "in-range" for u in gone_b)
    before_join = [m.uid for m in built.chat if m.utc < b.start]
    assert all(absent(u, "CD/2") == "out-of-range" for u in before_join)
    after_cut = [m.uid for m in built.chat if m.utc > c.end + (c.clock_offset * 0)]
    assert all(absent(u, "EF/3") == "out-of-range" for u in after_cut[1:])
    deleted_d = [u for u in d.deleted if d.holds(built.chat[u])]
    assert deleted_d and all(state(u, "GH/4") == "deleted" for u in deleted_d)
    gone_d = [u for u in d.deleted_for_me if built.chat[u].kind != "system"]
    assert gone_d and all(absent(u, "GH/4") == "in-range" for u in gone_d[1:-1])
    edited = [u for u in c.edits if c.holds(built.chat[u])]
    assert edited and all(state(u, "EF/3") == "edited" for u in edited)
    media = [m.uid for m in built.chat if m.kind == "media" and m.utc >= b.start]
    assert media and all(state(u, "CD/2") == "media-omitted" for u in media)
    assert all(state(u, "AB/1") == "present" for u in media)


def test_links_and_names(reconciled: Reconciled) -> None:
    built, report, _records = reconciled
    assert len(report.links) == 6
    assert all(link.status == "auto" and link.confidence >= 0.95 for link in report.links)
    (chat,) = report.chats
    assert chat["exhibits"] == ["AB/1", "CD/2", "EF/3", "GH/4"]
    assert chat["offsets"]["EF/3"] == pytest.approx(180, abs=5)
    # German phone in London time, imported as Berlin time: one hour behind
    assert chat["offsets"]["GH/4"] == pytest.approx(-3600, abs=31)
    pairs = {(p.a.split(" (#")[0], p.b.split(" (#")[0]) for p in report.people}
    assert ("AB/1 Bob Smith", "CD/2 +44 7700 900456") in pairs
    assert ("AB/1 Dave", "CD/2 David Ng") in pairs
    # each exhibit's "You" is its custodian (named at import)
    described = {p.a for p in report.people} | {p.b for p in report.people}
    assert {d for d in described if d.endswith(", custodian)")} == {
        d
        for d in described
        if d.split(" (#")[0]
        in ("AB/1 Alice Turner", "CD/2 David Ng", "EF/3 Bob Smith", "GH/4 Erin")
    }
    assert all(p.share >= 0.9 for p in report.people)
    # every proposal is right: both names belong to one person of the true chat
    names = {(ph.exhibit, name): person for ph in built.phones for person, name in ph.names.items()}
    for p in report.people:
        ea, na = p.a.split(" (#")[0].split(" ", 1)
        eb, nb = p.b.split(" (#")[0].split(" ", 1)
        assert names[(ea, na)] == names[(eb, nb)]


def test_cancelled_run_stores_nothing(reconciled: Reconciled) -> None:
    from reviewer.core.errors import Cancelled
    from reviewer.core.progress import CancelToken

    built, _report, records = reconciled
    token = CancelToken()
    stages: list[str] = []

    class Recorder:
        def report(self, stage: str, done: int, total: int | None) -> None:
            stages.append(stage)
            if stage == "writing":
                token.cancel()

    with open_case(built.root) as case:
        with case.reading() as session:
            before = sum(1 for _ in audit_entries(session))
        with pytest.raises(Cancelled):
            reconcile(case, ACTOR, progress=Recorder(), cancel=token)
        assert list(reconciled_records(case)) == records
        with case.reading() as session:
            assert sum(1 for _ in audit_entries(session)) == before
    assert stages[0] == "reading conversations" and "aligning messages" in stages


def test_rerun_gives_the_same_result(reconciled: Reconciled) -> None:
    built, report, records = reconciled
    with open_case(built.root) as case:
        again = reconcile(case, ACTOR)
        assert list(reconciled_records(case)) == records
    assert [(p.a, p.b) for p in again.people] == [(p.a, p.b) for p in report.people]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--reviewer", "CLI Tester", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_command_line_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = _build(tmp_path / "case", count=250, german=False)
    case = str(built.root)
    code, _out, err = run(capsys, "messages", case, "--reconciled", "--jsonl")
    assert code == 1 and "reviewer reconcile" in err
    code, out, _err = run(capsys, "reconcile", case)
    assert code == 0
    assert "exhibits AB/1, CD/2, EF/3" in out and "clocks against AB/1: EF/3 +180 s" in out
    assert "proposed as one person" in out and "+44 7700 900456" in out
    code, out, _err = run(capsys, "messages", case, "--reconciled", "--jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == pytest.approx(
        len({uid for _, uid in built.truth.values()}), rel=0.01
    )
    assert sorted(c["id"] for line in lines for c in line["copies"]) == sorted(built.truth)
    first = lines[0]
    assert set(first) >= {"id", "exhibit", "source", "text", "copies", "absent"}
    assert first["exhibit"] == "AB/1" and first["copies"][0]["id"] == first["id"]
    times = [line["utc"] for line in lines if line["exhibit"] == "AB/1"]
    assert times == sorted(times)  # chat order
    with open_case(built.root) as opened:
        bob = _participant(opened, "CD/2", "+44 7700 900456")
        link = next(p for p in _people(opened) if p[1] == bob)
    code, out, _err = run(capsys, "reconcile", case, "--confirm-person", str(link[0]))
    assert code == 0 and f"name link {link[0]} confirmed" in out
    with open_case(built.root) as opened, opened.reading() as session:
        person = session.get(Participant, bob)
        assert person is not None and person.person_id == link[2]
    code, out, _err = run(capsys, "reconcile", case, "--undo-link", "1")
    assert code == 0 and "chat link 1 undone" in out
    # AB/1 and CD/2 are now kept apart, even though both are linked to EF/3
    assert "exhibits AB/1, EF/3," in out and "CD/2" not in out.split("chat links:")[0]
    code, out, _err = run(capsys, "audit", case, "--jsonl")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert actions[-5:] == [
        "reconcile",
        "reconcile.person-confirmed",
        "reconcile",
        "reconcile.link-undone",
        "reconcile",
    ]
    code, out, _err = run(capsys, "audit", case, "--verify")
    assert code == 0
    code, out, _err = run(capsys, "reconcile", case, "--jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    kinds = {r["type"] for r in records}
    assert code == 0 and kinds == {"chat", "chat-link", "name-link", "summary"}
    undone = next(r for r in records if r["type"] == "chat-link" and r["id"] == 1)
    assert undone["status"] == "undone" and undone["evidence"]["aligned"] > 100
    code, _out, err = run(capsys, "reconcile", case, "--confirm-link", "99")
    assert code == 1 and "no conversation link 99" in err


def _participant(case: Case, exhibit: str, name: str) -> int:
    with case.reading() as session:
        return session.scalars(
            select(Participant.id)
            .join(Exhibit, Participant.exhibit_id == Exhibit.id)
            .where(Exhibit.reference == exhibit, Participant.display_name == name)
        ).one()


def _people(case: Case) -> list[tuple[int, int, int]]:
    from reviewer.store.models import PersonLink

    with case.reading() as session:
        rows = session.execute(
            select(PersonLink.id, PersonLink.participant_b, PersonLink.participant_a)
        ).all()
    return [(i, b, a) for i, b, a in rows]
