"""services.browse: what the chat view reads (no Qt)."""

from __future__ import annotations

from pathlib import Path

from reviewer.services import browse, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export


def _imported(case: Case, ios_zip: Path, actor: Actor) -> browse.ConversationInfo:
    import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1", custodian="Jo Park"))
    (conversation,) = browse.conversations(case)
    return conversation


def test_conversations_and_ids(case: Case, ios_zip: Path, actor: Actor) -> None:
    conversation = _imported(case, ios_zip, actor)
    assert conversation.exhibit == "AB/1" and conversation.message_count == 8
    ids = browse.conversation_message_ids(case, conversation.id)
    assert isinstance(ids, range) and len(ids) == 8
    views = browse.message_views(case, ids)
    assert [views[i].seq for i in ids] == sorted(views[i].seq for i in ids)
    jo = [v for v in views.values() if v.sender == "Jo Park"]
    assert jo and all(v.sender_id == conversation.custodian_id for v in jo)
    assert browse.message_views(case, []) == {}
    assert browse.message_views(case, [10**9]) == {}


def test_message_views_fields(case: Case, ios_zip: Path, actor: Actor) -> None:
    conversation = _imported(case, ios_zip, actor)
    ids = browse.conversation_message_ids(case, conversation.id)
    views = [browse.message_views(case, ids)[i] for i in ids]
    first_line = views[2]
    assert first_line.timestamp == "2024-03-14T10:00:00" and first_line.day == "2024-03-14"
    assert first_line.source_file == "_chat.txt" and first_line.source_line == 3
    photo = next(v for v in views if v.attachments and v.attachments[0].present)
    (attachment,) = photo.attachments
    # its thumbnail's place in the cache: made when the window first shows it
    assert attachment.thumbnail is not None and not attachment.thumbnail.exists()
    assert attachment.evidence is not None and attachment.evidence.is_file()
    missing = next(v for v in views if v.attachments and not v.attachments[0].present)
    assert missing.attachments[0].evidence is None
    assert any(v.edited for v in views) and any(v.kind == "deleted" for v in views)


def test_review_state_tags_and_notes(case: Case, ios_zip: Path, actor: Actor) -> None:
    conversation = _imported(case, ios_zip, actor)
    ids = list(browse.conversation_message_ids(case, conversation.id))
    tagging.mark_reviewed(case, actor, [ids[2]])
    tagging.tag(case, actor, [ids[3]], "violent")
    tagging.tag(case, actor, [ids[3]], "derogatory")
    tagging.set_note(case, actor, ids[3], "see statement")
    views = browse.message_views(case, ids[2:5])
    assert views[ids[2]].review_state == browse.REVIEWED
    assert views[ids[3]].review_state == browse.TAGGED
    assert views[ids[3]].tags == ("derogatory", "violent")  # taxonomy order
    assert views[ids[3]].note == "see statement"
    assert views[ids[4]].review_state == browse.UNREVIEWED
    days = browse.day_index(case, conversation.id)
    assert [(d.day.isoformat(), d.message_count, d.tagged_count) for d in days] == [
        ("2024-03-14", 7, 1),
        ("2024-03-15", 1, 0),
    ]
    assert days[0].first_id == ids[0]


def test_message_views_carry_the_recorded_stances(case: Case, ios_zip: Path, actor: Actor) -> None:
    conversation = _imported(case, ios_zip, actor)
    ids = browse.conversation_message_ids(case, conversation.id)
    views = browse.message_views(case, ids)
    message = next(v for v in views.values() if v.sender_id is not None)
    assert message.stances == ()
    author = message.sender_id
    assert author is not None
    tagging.set_stance(case, actor, message.id, author, "stance.author")
    assert browse.message_views(case, [message.id])[message.id].stances == (
        (author, "stance.author"),
    )
    tagging.set_stance(case, actor, message.id, author, None)
    assert browse.message_views(case, [message.id])[message.id].stances == ()


def _replied(text: str, kind: str = "text", sender: str | None = "Sam Reid") -> object:
    from reviewer.store.browse_repo import MessageBase

    return MessageBase(1, "EX1", "_chat.txt", 1, 0, None, None, None, sender, 1, kind, text,
                       False, None, None, None, 1)  # fmt: skip


def test_reply_quotes_are_one_line_and_never_split_an_emoji() -> None:
    family = "👨\u200d👩\u200d👧"
    long_text = "word " * 27 + family + " and more words after it"  # family at 135-139
    quote = browse._quote(_replied(long_text))  # type: ignore[arg-type]
    assert quote.startswith("Sam Reid: word word") and quote.endswith(" …")
    assert family in quote or "\u200d" not in quote
    assert browse._quote(_replied("line one\nline two")) == "Sam Reid: line one line two"  # type: ignore[arg-type]
    assert browse._quote(_replied("  ")) == "Sam Reid: (no text)"  # type: ignore[arg-type]
    assert browse._quote(_replied("", "media", None)) == "[media]"  # type: ignore[arg-type]
