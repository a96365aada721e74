"""Review across laptops (DESIGN.md §11): packages out, review back, second review, agreement.

Each "laptop" is its own case folder; reviewers are told apart by their names only.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewer.core.errors import CaseError, InputError
from reviewer.services import adjudication, integrity, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case, create_case, open_case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.merging import PackageRefused, merge_package
from reviewer.services.messages import message_records
from reviewer.services.packaging import RECORD_KEY, case_id, cut_package
from reviewer.store import audit_repo
from reviewer.store.models import AuditEntry, MessageNote, ReviewMark, Setting, Tag
from reviewer.store.package_repo import Cut

LEAD = Actor("Lead Reviewer", "lead-laptop")
BEE = Actor("Bee Second", "bee-laptop")
CEE = Actor("Cee Third", "cee-laptop")


def chat_text(group: str, days: tuple[str, ...], per_day: int) -> str:
    lines = []
    for day in days:
        for i in range(per_day):
            sender = ("Sam Reid", "Alex Turner", "Jo Park")[i % 3]
            lines.append(f"[{day}, 10:{i:02d}:00] {sender}: {group} message {day} {i}\r\n")
    return "".join(lines)


@pytest.fixture
def parent(tmp_path: Path) -> Iterator[Case]:
    first = tmp_path / "shift-b.txt"
    first.write_text(chat_text("B", ("14/03/2024", "15/03/2024"), 6), encoding="utf-8")
    second = tmp_path / "shift-c.txt"
    second.write_text(chat_text("C", ("14/03/2024",), 4), encoding="utf-8")
    with create_case(tmp_path / "case", reference="OP-77", actor=LEAD) as case:
        import_export(case, first, LEAD, ImportOptions(exhibit="AB/1"))
        import_export(case, second, LEAD, ImportOptions(exhibit="CD/2"))
        yield case


def ids(case: Case, exhibit: str | None = None) -> list[int]:
    return [int(r["id"]) for r in message_records(case, exhibit=exhibit)]


def head(case: Case) -> tuple[int, str]:
    with case.reading() as session:
        return audit_repo.head(session)


def tags(case: Case) -> set[tuple[int, str, str]]:
    with case.reading() as session:
        return {(t.message_id, t.category, t.reviewer) for t in session.scalars(select(Tag))}


def test_a_package_is_a_case_with_the_cut_and_a_record_of_its_parent(
    parent: Case, tmp_path: Path
) -> None:
    ab = ids(parent, "AB/1")
    tagging.tag(parent, LEAD, [ab[1]], "derogatory", note="slur")
    tagging.set_note(parent, LEAD, ab[2], "context")
    cut_head = head(parent)
    result = cut_package(parent, tmp_path / "pkg", LEAD, Cut(exhibits=("AB/1",)), for_name="Bee")
    assert result.messages == len(ab) and result.exhibits == ("AB/1",)
    with open_case(tmp_path / "pkg") as package:
        assert list(message_records(package)) == list(message_records(parent, exhibit="AB/1"))
        assert integrity.check_evidence(package) == []
        assert tags(package) == {(ab[1], "derogatory", LEAD.name)}
        with package.reading() as session:
            first = audit_repo.entry(session, 1)
            record = json.loads(session.get(Setting, RECORD_KEY).value)  # type: ignore[union-attr]
        assert first is not None and first["action"] == "package.created"
        assert first["details"] == record
        assert record["parent"] == {
            "case_id": case_id(parent),
            "reference": "OP-77",
            "head_seq": cut_head[0],
            "head": cut_head[1],
        }
        assert record["for"] == "Bee" and record["blind"] is False
        assert package.summary().reference == "OP-77"
    with parent.reading() as session:
        last = audit_repo.entry(session, cut_head[0] + 1)
    assert last is not None and last["action"] == "package.cut"
    assert last["details"]["package"] == result.package_id


def test_blind_and_date_cuts(parent: Case, tmp_path: Path) -> None:
    ab = ids(parent, "AB/1")
    tagging.tag(parent, LEAD, [ab[0]], "derogatory")
    tagging.mark_reviewed(parent, LEAD, [ab[1]])
    cut = Cut(date_from="2024-03-15", date_to="2024-03-15")
    result = cut_package(parent, tmp_path / "blind", LEAD, cut, blind=True)
    with open_case(tmp_path / "blind") as package:
        got = [r["timestamp"][:10] for r in message_records(package)]
        assert got == ["2024-03-15"] * 6 and result.exhibits == ("AB/1",)
        assert tags(package) == set()
        assert tagging.review_progress(package).reviewed == 0
        with package.reading() as session:
            actions = [e["action"] for e in audit_repo.entries(session)]
        assert actions == ["package.created"]  # the parent's log (with its tags) stays home


def test_merge_brings_work_back_once_with_its_reviewer_and_time(
    parent: Case, tmp_path: Path
) -> None:
    ab = ids(parent, "AB/1")
    tagging.tag(parent, LEAD, [ab[0]], "derogatory")
    cut_package(parent, tmp_path / "pkg", LEAD, Cut(exhibits=("AB/1",)))
    with open_case(tmp_path / "pkg") as package:
        tagging.tag(package, BEE, [ab[3]], "violent", note="threat")
        tagging.untag(package, BEE, [ab[0]], "derogatory", reason="banter")
        tagging.set_note(package, BEE, ab[3], "see reply")
        tagging.mark_reviewed(package, BEE, [ab[4]])
        with package.reading() as session:
            bee_tag = session.scalars(select(Tag)).one()
    report = merge_package(parent, tmp_path / "pkg", LEAD)
    assert not report.conflicts and len(report.changes) == 4
    assert tags(parent) == {(ab[3], "violent", BEE.name)}
    with parent.reading() as session:
        tag = session.scalars(select(Tag)).one()
        assert (tag.created_utc, tag.note) == (bee_tag.created_utc, "threat")
        note = session.get(MessageNote, ab[3])
        assert note is not None and (note.text, note.reviewer) == ("see reply", BEE.name)
        merged = audit_repo.entry(session, audit_repo.head(session)[0])
        assert audit_log_ok(session)
    assert merged is not None and merged["action"] == "package.merged"
    kinds = sorted((c["kind"], c["op"]) for c in merged["details"]["changes"])
    assert kinds == [("mark", "add"), ("note", "add"), ("tag", "add"), ("tag", "remove")]
    assert merged["details"]["package_head"] == report.package_head

    before = head(parent)
    again = merge_package(parent, tmp_path / "pkg", LEAD)
    assert again.already_merged and head(parent) == before
    assert tags(parent) == {(ab[3], "violent", BEE.name)}


def audit_log_ok(session: object) -> bool:
    from reviewer.services import audit_log

    return audit_log.verify(session).ok  # type: ignore[arg-type]


def test_conflicting_decisions_are_kept_side_by_side(parent: Case, tmp_path: Path) -> None:
    ab = ids(parent, "AB/1")
    tagging.tag(parent, LEAD, [ab[0]], "derogatory")
    cut_package(parent, tmp_path / "pkg", LEAD, Cut())
    # In the meantime the lead untags ab[0] and tags and untags ab[1] (decided: not violent).
    tagging.untag(parent, LEAD, [ab[0]], "derogatory")
    tagging.tag(parent, LEAD, [ab[1]], "violent")
    tagging.untag(parent, LEAD, [ab[1]], "violent")
    tagging.set_note(parent, LEAD, ab[2], "lead's note")
    with open_case(tmp_path / "pkg") as package:
        tagging.set_note(package, BEE, ab[0], "bee was here")  # no clash: applied
        tagging.tag(package, BEE, [ab[1]], "violent")  # the lead decided otherwise
        tagging.set_note(package, BEE, ab[2], "bee's note")  # a different note
        tagging.untag(package, BEE, [ab[0]], "derogatory")  # concurs with the lead
    report = merge_package(parent, tmp_path / "pkg", LEAD)
    found = {(c["message"], c["kind"], c["item"]) for c in report.conflicts}
    assert found == {(ab[1], "tag", "violent"), (ab[2], "note", "")}
    assert len(report.concurring) == 1 and [c["kind"] for c in report.changes] == ["note"]
    assert tags(parent) == set()  # nothing overwritten
    with parent.reading() as session:
        assert session.get(MessageNote, ab[2]).text == "lead's note"  # type: ignore[union-attr]
    listed = adjudication.conflicts(parent)
    assert {(c["message"], c["package_by"]) for c in listed} == {
        (ab[1], BEE.name),
        (ab[2], BEE.name),
    }

    done = adjudication.adjudicate(parent, LEAD, ab[1], "violent", keep=True, reason="agreed")
    assert done.tag_changed and done.conflicts
    assert tags(parent) == {(ab[1], "violent", BEE.name)}
    assert [c["kind"] for c in adjudication.conflicts(parent)] == ["note"]
    with parent.reading() as session:
        last = audit_repo.entry(session, audit_repo.head(session)[0])
    assert last is not None and last["action"] == "package.adjudicated"
    assert last["details"]["decision"] == "keep" and last["details"]["reason"] == "agreed"

    note_conflict = adjudication.conflicts(parent)[0]["conflict"]
    done = adjudication.resolve_conflict(parent, LEAD, note_conflict, take_package=True)
    assert done.tag_changed and adjudication.conflicts(parent) == []
    with parent.reading() as session:
        note = session.get(MessageNote, ab[2])
        assert note is not None and (note.text, note.reviewer) == ("bee's note", BEE.name)
    with pytest.raises(InputError, match="already resolved"):
        adjudication.resolve_conflict(parent, LEAD, note_conflict, take_package=False)


def kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa straight from its definition, on two lists of yes/no decisions."""
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    p_a, p_b = sum(a) / n, sum(b) / n
    p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
    return (p_o - p_e) / (1 - p_e)


def test_blind_second_and_third_reviews_and_their_agreement(parent: Case, tmp_path: Path) -> None:
    ab = ids(parent, "AB/1")[:10]
    truth = {  # reviewer -> message index -> categories (every message reviewed)
        LEAD.name: {0: {"derogatory"}, 1: {"derogatory"}, 2: set(), 3: {"violent"}, 4: set()},
        BEE.name: {0: {"derogatory"}, 1: set(), 2: {"derogatory"}, 3: {"violent"}, 4: set()},
        CEE.name: {0: {"derogatory"}, 1: {"derogatory"}, 2: set(), 3: set(), 4: {"violent"}},
    }
    for i in range(5, 10):  # more messages for a kappa away from the edges
        truth[LEAD.name][i] = {"derogatory"} if i % 2 else set()
        truth[BEE.name][i] = {"derogatory"} if i % 3 else set()
        truth[CEE.name][i] = {"derogatory"} if i in (5, 7) else set()

    def review(case: Case, actor: Actor) -> None:
        for index, categories in truth[actor.name].items():
            for category in categories:
                tagging.tag(case, actor, [ab[index]], category)
            if not categories:
                tagging.mark_reviewed(case, actor, [ab[index]])

    review(parent, LEAD)
    cut_package(parent, tmp_path / "bee", LEAD, Cut(exhibits=("AB/1",)), blind=True, for_name="Bee")
    cut_package(parent, tmp_path / "cee", LEAD, Cut(exhibits=("AB/1",)), blind=True, for_name="Cee")
    for folder, actor in (("bee", BEE), ("cee", CEE)):
        with open_case(tmp_path / folder) as package:
            assert tags(package) == set()
            review(package, actor)
    merge_package(parent, tmp_path / "bee", LEAD)
    merge_package(parent, tmp_path / "cee", LEAD)

    rows = {(r.category, r.reviewers): r for r in adjudication.agreement_report(parent)}
    names = sorted(truth)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            for category in ("derogatory", "violent"):
                row = rows[(category, (a, b))]
                got_a = [category in truth[a][k] for k in range(10)]
                got_b = [category in truth[b][k] for k in range(10)]
                assert row.messages == 10
                assert row.both == sum(x and y for x, y in zip(got_a, got_b, strict=True))
                assert row.agreement == pytest.approx(
                    sum(x == y for x, y in zip(got_a, got_b, strict=True)) / 10
                )
                assert row.kappa == pytest.approx(kappa(got_a, got_b))
                differ = [ab[k] for k in range(10) if got_a[k] != got_b[k]]
                assert list(row.disagreements) == differ
    # Bee's and Cee's decisions did not overwrite the lead's tags on messages the lead reviewed.
    lead_tags = {(ab[k], c) for k, cs in truth[LEAD.name].items() for c in cs}
    assert {(m, c) for m, c, by in tags(parent) if by == LEAD.name} == lead_tags
    assert adjudication.conflicts(parent)  # e.g. Bee's derogatory on a message the lead cleared
    with parent.reading() as session:  # Bee's "no concern" on the lead's tagged ab[1]: an opinion
        assert session.get(ReviewMark, ab[1]) is None

    # Adjudicating changes the case, not what each reviewer decided.
    adjudication.adjudicate(parent, LEAD, ab[2], "derogatory", keep=False)
    after = {(r.category, r.reviewers): r.record() for r in adjudication.agreement_report(parent)}
    assert after == {key: row.record() for key, row in rows.items()}


def test_tampered_damaged_and_foreign_packages_are_refused(parent: Case, tmp_path: Path) -> None:
    ab = ids(parent)
    cut_package(parent, tmp_path / "pkg", LEAD, Cut())
    with open_case(tmp_path / "pkg") as package:
        tagging.tag(package, BEE, [ab[0]], "violent")
    before_head, before_tags = head(parent), tags(parent)

    # Tampered: the audit table edited after dropping its append-only trigger.
    tampered = tmp_path / "tampered"
    _copy_case(tmp_path / "pkg", tampered)
    db = sqlite3.connect(tampered / "case.sqlite")
    db.execute("DROP TRIGGER audit_entry_no_update")
    db.execute("UPDATE audit_entry SET actor = 'Someone Else' WHERE seq = 2")
    db.commit()
    db.close()
    with pytest.raises(PackageRefused, match="chain is broken at entry 2"):
        merge_package(parent, tampered, LEAD)

    # Damaged: not a database any more.
    damaged = tmp_path / "damaged"
    _copy_case(tmp_path / "pkg", damaged)
    (damaged / "case.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(CaseError):
        merge_package(parent, damaged, LEAD)

    # Foreign: cut from another case with the same reference.
    with create_case(tmp_path / "other", reference="OP-77", actor=LEAD) as other:
        first = tmp_path / "shift-b.txt"
        import_export(other, first, LEAD, ImportOptions(exhibit="AB/1"))
        cut_package(other, tmp_path / "foreign", LEAD, Cut())
    with pytest.raises(PackageRefused, match="cut from another case"):
        merge_package(parent, tmp_path / "foreign", LEAD)

    # A copy of this case's folder is not a package; nor is one cut from such a copy.
    copy = tmp_path / "copy"
    shutil.copytree(parent.root, copy)
    with pytest.raises(PackageRefused, match="not a package"):
        merge_package(parent, copy, LEAD)
    with open_case(copy) as twin:
        cut_package(twin, tmp_path / "from-copy", LEAD, Cut())
    with pytest.raises(PackageRefused, match="no record of cutting"):
        merge_package(parent, tmp_path / "from-copy", LEAD)
    with pytest.raises(PackageRefused, match="into itself"):
        merge_package(parent, parent.root, LEAD)
    assert head(parent) == before_head and tags(parent) == before_tags
    merge_package(parent, tmp_path / "pkg", LEAD)  # the genuine one still merges
    assert (ab[0], "violent", BEE.name) in tags(parent)
    with parent.reading() as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry))
    assert count == before_head[0] + 1


def _copy_case(source: Path, target: Path) -> None:
    target.mkdir()
    (target / "evidence").mkdir()
    (target / "cache").mkdir()
    src = sqlite3.connect(source / "case.sqlite")
    dst = sqlite3.connect(target / "case.sqlite")
    src.backup(dst)
    src.close()
    dst.close()


def test_previews_and_cancel_change_nothing(parent: Case, tmp_path: Path) -> None:
    from reviewer.core.errors import Cancelled
    from reviewer.core.progress import CancelToken
    from reviewer.services.packaging import preview_cut

    ab = ids(parent, "AB/1")
    tagging.tag(parent, LEAD, [ab[0], ab[7]], "derogatory")
    preview = preview_cut(parent, Cut(exhibits=("AB/1",), date_from="2024-03-15"))
    assert (preview.exhibits, preview.conversations, preview.messages, preview.tagged) == (
        ("AB/1",),
        1,
        6,
        1,
    )
    before = head(parent)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        cut_package(parent, tmp_path / "cancelled", LEAD, Cut(), cancel=token)
    assert not (tmp_path / "cancelled").exists() and head(parent) == before

    cut_package(parent, tmp_path / "pkg", LEAD, Cut())
    with open_case(tmp_path / "pkg") as package:
        tagging.tag(package, BEE, [ab[1]], "violent")
        tagging.set_stance(package, BEE, ab[1], _participant(package, ab[1]), "stance.endorsed")
    after_cut = head(parent)
    dry = merge_package(parent, tmp_path / "pkg", LEAD, dry_run=True)
    assert head(parent) == after_cut and tags(parent) == {
        (ab[0], "derogatory", LEAD.name),
        (ab[7], "derogatory", LEAD.name),
    }
    real = merge_package(parent, tmp_path / "pkg", LEAD)
    assert dry.changes == real.changes and dry.audit_seq is None
    assert sorted(c["kind"] for c in real.changes) == ["stance", "tag"]


def _participant(case: Case, message_id: int) -> int:
    from reviewer.store.models import Message

    with case.reading() as session:
        sender = session.scalar(select(Message.sender_id).where(Message.id == message_id))
    assert sender is not None
    return int(sender)
