"""Tagging, notes, stances and review states: persisted, audited, validated."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.core.errors import InputError
from reviewer.services import audit_log, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case, open_case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records
from reviewer.store.models import Participant, Tag


@pytest.fixture
def ids(case: Case, ios_zip: Path, actor: Actor) -> list[int]:
    import_export(case, ios_zip, actor)
    return [int(r["id"]) for r in message_records(case)]


def actions(case: Case) -> list[str]:
    with case.reading() as session:
        return [e["action"] for e in audit_log.entries(session)]


def test_tag_is_persisted_and_audited_in_one_entry(
    case: Case, actor: Actor, ids: list[int]
) -> None:
    changes = tagging.tag(case, actor, ids[2:5], "discriminatory.race", note="slur")
    assert changes.message_ids == tuple(ids[2:5])
    assert changes.audit_seq is not None
    root = case.root
    case.close()
    with open_case(root) as reopened, reopened.reading() as session:
        tags = session.scalars(select(Tag).order_by(Tag.message_id)).all()
        assert [t.message_id for t in tags] == ids[2:5]
        assert {t.reviewer for t in tags} == {actor.name}
        entries = list(audit_log.entries(session))
    assert entries[-1]["action"] == "tag.added"
    assert entries[-1]["details"]["messages"] == ids[2:5]
    assert entries[-1]["details"]["category"] == "discriminatory.race"


def test_retagging_changes_nothing_and_records_nothing(
    case: Case, actor: Actor, ids: list[int]
) -> None:
    tagging.tag(case, actor, [ids[2]], "sexual")
    before = actions(case)
    assert tagging.tag(case, actor, [ids[2]], "sexual").message_ids == ()
    assert actions(case) == before


def test_untag_keeps_the_history_in_the_audit_log(case: Case, actor: Actor, ids: list[int]) -> None:
    tagging.tag(case, actor, [ids[3]], "violent", note="threat")
    tagging.untag(case, actor, [ids[3]], "violent", reason="misread: a film quote")
    with case.reading() as session:
        assert session.scalars(select(Tag)).all() == []
        last = list(audit_log.entries(session))[-1]
    assert last["action"] == "tag.removed"
    assert last["details"]["reason"] == "misread: a film quote"
    assert last["details"]["removed"][0]["note"] == "threat"


@pytest.mark.parametrize(
    ("category", "message"),
    [
        ("no-such", "no category"),
        ("stance.author", "is a stance"),
    ],
)
def test_invalid_categories_are_refused(
    case: Case, actor: Actor, ids: list[int], category: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        tagging.tag(case, actor, [ids[0]], category)


def test_unknown_message_is_refused(case: Case, actor: Actor, ids: list[int]) -> None:
    with pytest.raises(InputError, match="no message 9999"):
        tagging.tag(case, actor, [9999], "sexual")


def test_review_states_and_progress(case: Case, actor: Actor, ids: list[int]) -> None:
    other = Actor("Second Reviewer", "host-2")
    tagging.mark_reviewed(case, actor, ids[:4])
    tagging.tag(case, other, [ids[3], ids[5]], "derogatory")
    progress = tagging.review_progress(case)
    assert progress.total == len(ids)
    assert progress.tagged == 2
    assert progress.reviewed == 3  # ids[3] is tagged, so it counts as tagged
    assert progress.unreviewed == len(ids) - 5
    assert progress.by_reviewer == {"Second Reviewer": (0, 2), actor.name: (4, 0)}
    tagging.mark_reviewed(case, actor, [ids[0]], reviewed=False)
    assert tagging.review_progress(case).reviewed == 2
    assert actions(case)[-1] == "review.unmarked"


def test_notes_and_stances(case: Case, actor: Actor, ids: list[int]) -> None:
    tagging.set_note(case, actor, ids[2], "Sent while on duty")
    tagging.set_note(case, actor, ids[2], "")
    with case.reading() as session:
        person = session.scalars(select(Participant)).first()
    assert person is not None
    tagging.set_stance(case, actor, ids[2], person.id, "stance.endorsed")
    with pytest.raises(InputError, match="not a stance"):
        tagging.set_stance(case, actor, ids[2], person.id, "sexual")
    assert actions(case)[-3:] == ["note.changed", "note.changed", "stance.changed"]


def test_range_stays_in_one_conversation(case: Case, actor: Actor, ids: list[int]) -> None:
    assert tagging.message_range(case, ids[4], ids[1]) == ids[1:5]
    changes = tagging.mark_reviewed(case, actor, tagging.message_range(case, ids[0], ids[-1]))
    assert len(changes.message_ids) == len(ids)
    assert actions(case).count("review.marked") == 1


def test_category_counts_include_children_once_and_match_search(
    case: Case, actor: Actor, ids: list[int]
) -> None:
    from reviewer.services import search

    counts = tagging.category_counts(case)
    assert counts["discriminatory"] == 0 and counts["violent"] == 0  # every category, 0 unused
    tagging.tag(case, actor, ids[2:4], "discriminatory.race")
    tagging.tag(case, actor, [ids[3]], "discriminatory.religion")  # same message, two children
    tagging.tag(case, actor, [ids[4]], "discriminatory")
    tagging.tag(case, actor, [ids[5]], "violent")
    counts = tagging.category_counts(case)
    assert counts["discriminatory.race"] == 2
    assert counts["discriminatory.religion"] == 1
    assert counts["discriminatory"] == 3  # ids 2, 3 (once) and 4
    assert counts["violent"] == 1 and counts["sexual"] == 0
    for key in ("discriminatory", "discriminatory.race", "violent", "sexual"):
        assert counts[key] == search.count(case, None, search.SearchFilters(category=key))


def test_a_locked_case_is_reported_in_words(
    case: Case, actor: Actor, ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from reviewer.core.errors import CaseError
    from reviewer.store import sqlite_db

    monkeypatch.setattr(sqlite_db, "BUSY_TIMEOUT_MS", 50)
    root = case.root
    case.close()
    reopened = open_case(root)  # the case is open, then another task takes the write lock
    holder = sqlite3.connect(root / "case.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with reopened, pytest.raises(CaseError, match="busy"):
            tagging.tag(reopened, actor, [ids[0]], "sexual")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
