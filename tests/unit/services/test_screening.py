"""Lexicon screening stores suggestions; a human confirms (a tag) or dismisses; all audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.core.errors import InputError
from reviewer.services import audit_log, screening
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records
from reviewer.store.models import Tag

CHAT = (
    "14/03/2024, 10:00 - Sam Reid: morning all\n"
    "14/03/2024, 10:01 - Alex Turner: that p\u200ba\u200bk\u200bi again\n"
    "14/03/2024, 10:02 - Jo Park: we went to Scunthorpe\n"
    "15/03/2024, 10:03 - Sam Reid: I'll run a PNC check on her for you\n"
)


@pytest.fixture
def screened(case: Case, tmp_path: Path, actor: Actor) -> screening.ScreenResult:
    export = tmp_path / "chat.txt"
    export.write_text(CHAT)
    import_export(case, export, actor)
    return screening.screen(case, actor)


def test_screen_suggests_but_never_tags(case: Case, screened: screening.ScreenResult) -> None:
    texts = {int(r["id"]): str(r["text"]) for r in message_records(case)}
    found = screening.suggestions(case)
    hits = {(texts[s.message_id][s.start : s.end], s.category) for s in found}
    assert ("p\u200ba\u200bk\u200bi", "discriminatory.race") in hits
    assert not any("Scunthorpe" in texts[s.message_id] for s in found)
    assert screened.new_suggestions == len(found)
    with case.reading() as session:
        assert session.scalars(select(Tag)).all() == []
        last = list(audit_log.entries(session))[-1]
    assert last["action"] == "lexicon.run"
    assert last["details"]["lexicon"] == "starter-en"
    assert len(last["details"]["fingerprint"]) == 64


def test_rerun_adds_no_duplicates(
    case: Case, actor: Actor, screened: screening.ScreenResult
) -> None:
    again = screening.screen(case, actor)
    assert again.hits == screened.hits
    assert again.new_suggestions == 0


def test_confirm_tags_and_dismiss_does_not(
    case: Case, actor: Actor, screened: screening.ScreenResult
) -> None:
    first, *rest = screening.suggestions(case)
    changes = screening.confirm(case, actor, first.id)
    assert changes.message_ids == (first.message_id,)
    with case.reading() as session:
        tags = session.scalars(select(Tag)).all()
    assert [(t.message_id, t.category) for t in tags] == [(first.message_id, first.category)]
    if rest:
        screening.dismiss(case, actor, rest[0].id, reason="context shows it is benign")
    assert all(s.id != first.id for s in screening.suggestions(case))
    with pytest.raises(InputError, match="already confirmed"):
        screening.confirm(case, actor, first.id)
    with case.reading() as session:
        actions = [e["action"] for e in audit_log.entries(session)]
    assert "tag.added" in actions


def test_next_open_walks_in_conversation_order(
    case: Case, screened: screening.ScreenResult
) -> None:
    ordered = sorted(screening.suggestions(case), key=lambda s: (s.message_id, s.start))
    messages = sorted({s.message_id for s in ordered})
    assert len(messages) >= 2, "the fixture flags at least two messages"
    assert screening.next_open(case, 0) == ordered[0]
    second = screening.next_open(case, messages[0])
    assert second is not None and second.message_id == messages[1]
    assert screening.next_open(case, messages[-1]) == ordered[0]  # wraps round


def test_custom_lexicon_with_unknown_category_is_refused(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    lexicon = tmp_path / "extra.csv"
    lexicon.write_text("term,category,note,regex\nbanter,no-such-category,,\n")
    with pytest.raises(InputError, match="no-such-category"):
        screening.screen(case, actor, lexicon)


def test_open_count_follows_decisions(
    case: Case, actor: Actor, screened: screening.ScreenResult
) -> None:
    found = screening.suggestions(case)
    assert screening.open_count(case) == len(found) == screened.new_suggestions >= 2
    screening.confirm(case, actor, found[0].id)
    screening.dismiss(case, actor, found[1].id)
    assert screening.open_count(case) == len(found) - 2
