"""Telegram Desktop ``result.json`` parser: shapes, fields, repairs, refusals, streaming."""

from __future__ import annotations

import json
import mmap
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from reviewer.core.errors import Cancelled, InputError
from reviewer.core.progress import CancelToken
from reviewer.core.records import MessageKind, ParsedMessage
from reviewer.importers.telegram import TelegramChat, detect_telegram, parse_telegram

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


# --------------------------------------------------------------------------- builders


def msg(
    mid: int, text: Any = "hi", *, sender: str | None = "Sam Patel", **extra: Any
) -> dict[str, Any]:
    """A tdesktop-style ordinary message."""
    return {
        "id": mid,
        "type": "message",
        "date": f"2024-03-14T10:{mid % 60:02d}:11",
        "date_unixtime": str(1710410400 + mid),
        "from": sender,
        "from_id": "user5550001234",
        **extra,
        "text": text,
        "text_entities": [],
    }


def service(mid: int, action: str, actor: str | None = "Sam Patel", **extra: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "type": "service",
        "date": "2024-03-14T09:58:00",
        "date_unixtime": "1710410280",
        "actor": actor,
        "actor_id": "user5550001234",
        "action": action,
        **extra,
        "text": "",
        "text_entities": [],
    }


def chat_json(
    messages: list[Any], *, indent: int | None = 1, name: Any = "Shift B", **meta: Any
) -> bytes:
    """A single-chat export laid out like tdesktop (one-space indentation by default)."""
    head: dict[str, Any] = {"name": name, "type": "private_supergroup", "id": 1234567890}
    head.update(meta)
    if name is None:
        del head["name"]
    head["messages"] = messages
    return json.dumps(head, indent=indent, ensure_ascii=False).encode()


def parse(data: bytes | mmap.mmap, **kwargs: Any) -> list[tuple[TelegramChat, list[ParsedMessage]]]:
    return [
        (chat, list(chat.messages))
        for chat in parse_telegram(data, file_name="result.json", **kwargs)
    ]


def only_messages(data: bytes) -> list[ParsedMessage]:
    chats = parse(data)
    assert len(chats) == 1
    return chats[0][1]


def one(message: dict[str, Any], **kwargs: Any) -> ParsedMessage:
    (record,) = only_messages(chat_json([message], **kwargs))
    return record


def write_synthetic(path: Path, count: int, words: int = 8) -> None:
    """A large tdesktop-style export, written without holding it in memory.

    Every tenth message replies to the one before it.
    """
    template = json.dumps(msg(0, "TEXT"), indent=1).replace("\n", "\n  ")
    template = "  " + template.replace('"id": 0', '"id": ID').replace('"TEXT"', '"TEXT ID"')
    reply = template.replace('"text": ', '"reply_to_message_id": PREV,\n   "text": ')
    text = " ".join(["the van keys are by the gate"] * (words // 7 + 1))
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n "name": "Big",\n "type": "private_group",\n "id": 7,\n "messages": [\n')
        for i in range(1, count + 1):
            shape = reply if i % 10 == 4 else template
            body = shape.replace("TEXT", text).replace("PREV", str(i - 1)).replace("ID", str(i))
            out.write(body + (",\n" if i < count else "\n"))
        out.write(" ]\n}\n")


# --------------------------------------------------------------------------- shapes


def test_single_chat_shape_and_spans() -> None:
    data = chat_json([msg(1, "first"), msg(2, "second")])
    ((chat, records),) = parse(data)
    assert (chat.name, chat.kind, chat.source_id) == ("Shift B", "group", "1234567890")
    assert [r.seq for r in records] == [0, 1]
    assert [r.text for r in records] == ["first", "second"]
    for record in records:
        span = record.span
        piece = data[span.offset : span.offset + span.length]
        assert piece.startswith(b"{") and piece.endswith(b"}")
        assert record.raw == piece.decode()
        assert json.loads(piece)["text"] == record.text
        assert span.line == data[: span.offset].count(b"\n") + 1
        assert span.lines == piece.count(b"\n") + 1
    assert records[0].timestamp == datetime(2024, 3, 14, 10, 1, 11)
    assert records[0].sender == "Sam Patel"
    assert records[0].kind is MessageKind.TEXT


@pytest.mark.parametrize("indent", [None, 1, 4])
def test_layouts_compact_and_indented(indent: int | None) -> None:
    messages = [msg(i, f"text {i}") for i in range(1, 6)]
    records = only_messages(chat_json(messages, indent=indent))
    assert [r.text for r in records] == [f"text {i}" for i in range(1, 6)]
    assert all(r.flags == (f"unixtime:{1710410400 + i + 1}",) for i, r in enumerate(records))


def test_crlf_layout() -> None:
    data = chat_json([msg(1, "a"), msg(2, "b")]).replace(b"\n", b"\r\n")
    records = only_messages(data)
    assert [r.text for r in records] == ["a", "b"]
    assert records[1].span.line == data[: records[1].span.offset].count(b"\n") + 1


def test_full_account_shape_with_left_chats() -> None:
    account = {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 1, "first_name": "Me", "bio": "x [y] {z}"},
        "contacts": {"about": "", "list": [{"first_name": "A", "phone_number": "+44"}]},
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                {"name": "Jo Park", "type": "personal_chat", "id": 55, "messages": [msg(1)]},
                {"type": "saved_messages", "id": 9, "messages": [msg(1, "note"), msg(2)]},
                {"name": None, "type": "private_group", "id": 66, "messages": []},
            ],
        },
        "left_chats": {
            "about": "",
            "list": [{"name": "News", "type": "public_channel", "id": 77, "messages": [msg(3)]}],
        },
        "other_data": {"about": "", "changes_log": [{"data": "1=412"}]},
    }
    data = json.dumps(account, indent=1).encode()
    chats = parse(data)
    summary = [(c.name, c.kind, c.source_id, len(m)) for c, m in chats]
    assert summary == [
        ("Jo Park", "direct", "55", 1),
        ("Saved Messages", "direct", "9", 2),
        ("(unnamed chat)", "group", "66", 0),
        ("News", "channel", "77", 1),
    ]
    assert chats[1][1][0].text == "note"


def test_deeply_nested_sections_are_skipped() -> None:
    deep: Any = {"k": "v"}
    for _ in range(20):
        deep = [deep, {"x": deep}] if isinstance(deep, dict) else {"y": deep}
    account = {"other_data": deep, "chats": {"list": [{"name": "a", "messages": [msg(1)]}]}}
    ((chat, records),) = parse(json.dumps(account).encode())
    assert (chat.name, len(records)) == ("a", 1)


def test_file_cut_before_any_messages_is_refused() -> None:
    data = json.dumps({"other_data": [[["x"] * 50]], "chats": {"list": []}}).encode()
    with pytest.raises(InputError, match="truncated"):
        parse(data[:30])


def test_unconsumed_chat_is_skipped() -> None:
    lists = [
        {"name": "A", "type": "personal_chat", "id": 1, "messages": [msg(1, "a1"), msg(2, "a2")]},
        {"name": "B", "type": "bot_chat", "id": 2, "messages": [msg(1, "b1")]},
    ]
    data = json.dumps({"chats": {"list": lists}}, indent=1).encode()
    chats = parse_telegram(data, file_name="result.json")
    first = next(chats)
    assert next(first.messages).text == "a1"  # one of two, then move on
    second = next(chats)
    assert (second.name, [m.text for m in second.messages]) == ("B", ["b1"])
    assert list(first.messages) == []


def test_chat_without_name_or_type() -> None:
    ((chat, records),) = parse(b'{"messages": [{"type": "message", "text": "x"}]}')
    assert (chat.name, chat.kind, chat.source_id) == ("(unnamed chat)", "unknown", "")
    assert records[0].flags == ("date-missing",)
    assert records[0].timestamp is None


# --------------------------------------------------------------------------- fields


def test_text_as_array_of_entities() -> None:
    text = ["Meet at ", {"type": "bold", "text": "gate 3"}, " ", {"type": "link", "text": "t.me/x"}]
    assert one(msg(1, text)).text == "Meet at gate 3 t.me/x"


def test_text_entities_used_when_text_absent() -> None:
    message = msg(1)
    del message["text"]
    message["text_entities"] = [{"type": "plain", "text": "a"}, {"type": "italic", "text": "b"}]
    assert one(message).text == "ab"


def test_empty_text_is_flagged() -> None:
    assert "empty-body" in one(msg(1, "")).flags


def test_replies_resolve_within_chat_and_flag_missing_targets() -> None:
    records = only_messages(
        chat_json(
            [
                msg(10, "original"),
                msg(11, "answer", reply_to_message_id=10),
                msg(12, "to the void", reply_to_message_id=3),
                msg(13, "elsewhere", reply_to_message_id=10, reply_to_peer_id="channel999"),
                msg(14, "same chat", reply_to_message_id=11, reply_to_peer_id=1234567890),
            ]
        )
    )
    assert [r.reply_to_seq for r in records] == [None, 0, None, None, 1]
    assert "reply-to-missing:3" in records[2].flags
    assert "reply-to-other-chat:channel999:10" in records[3].flags


def test_edited_and_forwarded() -> None:
    edited = one(msg(1, "fixed", edited="2024-03-14T10:03:00", edited_unixtime="1710410580"))
    assert edited.edited
    forwarded = one(msg(2, "look at this", forwarded_from="Some Channel"))
    assert "forwarded" in forwarded.flags
    assert forwarded.text == "look at this"
    assert not forwarded.edited
    assert "forwarded" in one(msg(3, "anon", forwarded_from=None)).flags


def test_unixtime_flag_and_local_date() -> None:
    record = one(msg(1))
    assert record.timestamp == datetime(2024, 3, 14, 10, 1, 11)
    assert record.flags == ("unixtime:1710410401",)


def test_date_from_unixtime_when_date_missing() -> None:
    message = msg(1)
    del message["date"]
    record = one(message)
    assert record.timestamp == datetime(2024, 3, 14, 10, 0, 1)  # UTC
    assert record.flags == ("unixtime:1710410401", "date-from-unixtime")


def test_null_from_uses_from_id() -> None:
    record = one(msg(1, sender=None))
    assert record.sender == "user5550001234"
    assert "from-null" in record.flags


# --------------------------------------------------------------------------- service messages


@pytest.mark.parametrize(
    ("action", "extra", "event", "subjects", "kind"),
    [
        ("create_group", {"title": "Shift B", "members": ["Sam Patel", "Jo"]}, "created",
         ("Sam Patel", "Jo"), MessageKind.SYSTEM),
        ("migrate_from_group", {"title": "Shift B"}, "created", (), MessageKind.SYSTEM),
        ("invite_members", {"members": ["Jo Park", None]}, "added",
         ("Jo Park", "Deleted Account"), MessageKind.SYSTEM),
        ("remove_members", {"members": ["Jo Park"]}, "removed", ("Jo Park",), MessageKind.SYSTEM),
        ("join_group_by_link", {"inviter": "Group"}, "joined", ("Sam Patel",), MessageKind.SYSTEM),
        ("phone_call", {"duration_seconds": 42, "discard_reason": "hangup"}, "call", (),
         MessageKind.CALL),
        ("group_call", {"duration": 60}, "call", (), MessageKind.CALL),
        ("pin_message", {"message_id": 5}, "pin", (), MessageKind.SYSTEM),
        ("edit_group_title", {"title": "New name"}, "subject", (), MessageKind.SYSTEM),
        ("edit_group_photo", {"photo": "photos/p.jpg"}, "icon", (), MessageKind.SYSTEM),
        ("clear_history", {}, "clear_history", (), MessageKind.SYSTEM),
    ],
)  # fmt: skip
def test_service_actions(
    action: str, extra: dict[str, Any], event: str, subjects: tuple[str, ...], kind: MessageKind
) -> None:
    record = one(service(1, action, **extra))
    assert record.kind is kind
    assert record.sender is None
    assert record.system_event == event
    assert record.event_actor == "Sam Patel"
    assert record.event_subjects == subjects
    assert record.text  # a readable line even though tdesktop's own text is empty


def test_service_texts() -> None:
    texts = [
        r.text
        for r in only_messages(
            chat_json(
                [
                    service(1, "create_group", title="Shift B", members=["Jo"]),
                    service(2, "invite_members", members=["Jo", "Ali"]),
                    service(3, "phone_call", duration_seconds=42, discard_reason="hangup"),
                ]
            )
        )
    ]
    assert texts == ['Sam Patel created group "Shift B"', "Sam Patel added Jo, Ali",
                     "Call, 42 s, hangup"]  # fmt: skip


def test_members_adding_or_removing_themselves_join_or_leave() -> None:
    records = only_messages(
        chat_json(
            [
                service(1, "invite_members", members=["Sam Patel"]),
                service(2, "remove_members", members=["Sam Patel"]),
            ]
        )
    )
    assert [(r.system_event, r.event_subjects) for r in records] == [
        ("joined", ("Sam Patel",)),
        ("left", ("Sam Patel",)),
    ]


# --------------------------------------------------------------------------- media and kinds


def test_photo_present_and_not_included() -> None:
    present = one(msg(1, "caption", photo="photos/photo_12@14-03-2024_10-05-40.jpg"))
    assert present.kind is MessageKind.MEDIA
    assert present.attachments == ("photos/photo_12@14-03-2024_10-05-40.jpg",)
    assert present.text == "caption"
    missing = one(msg(2, "", photo=NOT_INCLUDED, width=1280, height=960))
    assert missing.kind is MessageKind.MEDIA
    assert missing.attachments == ()
    assert "media-not-exported" in missing.flags


def test_file_with_thumbnail_and_size_notice() -> None:
    record = one(
        msg(1, "", file="video_files/clip.mp4", thumbnail="video_files/clip.mp4_thumb.jpg",
            media_type="video_file", mime_type="video/mp4")
    )  # fmt: skip
    assert record.attachments == ("video_files/clip.mp4", "video_files/clip.mp4_thumb.jpg")
    big = one(
        msg(2, "", file="(File exceeds maximum size. Change data exporting settings to download.)")
    )
    assert {"media-not-exported", "media-too-large"} <= set(big.flags)


@pytest.mark.parametrize(
    ("media_type", "path"),
    [("voice_message", "voice_messages/audio_1.ogg"), ("sticker", "stickers/sticker.webp")],
)
def test_voice_and_sticker(media_type: str, path: str) -> None:
    record = one(msg(1, "", file=path, media_type=media_type))
    assert record.kind is MessageKind.MEDIA
    assert record.attachments == (path,)
    assert f"media:{media_type}" in record.flags


def test_location_contact_poll() -> None:
    location = one(msg(1, "", location_information={"latitude": 51.5, "longitude": -0.12}))
    assert (location.kind, location.text) == (MessageKind.LOCATION, "51.5, -0.12")
    contact = one(
        msg(2, "", contact_information={"first_name": "Jo", "last_name": "Park",
                                        "phone_number": "+44 7700 900123"})
    )  # fmt: skip
    assert (contact.kind, contact.text) == (MessageKind.CONTACT, "Jo Park\n+44 7700 900123")
    poll = {"question": "Pub?", "closed": False, "total_voters": 2,
            "answers": [{"text": "Yes", "voters": 2, "chosen": True},
                        {"text": "No", "voters": 0, "chosen": False}]}  # fmt: skip
    record = one(msg(3, "", poll=poll))
    assert (record.kind, record.text) == (MessageKind.POLL, "Pub?\n- Yes\n- No")


def test_unsupported_message() -> None:
    (record,) = only_messages(chat_json([{"id": 1, "type": "unsupported"}]))
    assert record.kind is MessageKind.TEXT
    assert "unsupported" in record.flags


# --------------------------------------------------------------------------- encodings, repairs


def test_bom_is_skipped() -> None:
    data = b"\xef\xbb\xbf" + chat_json([msg(1, "caf\u00e9")])
    (record,) = only_messages(data)
    assert record.text == "caf\u00e9"
    assert data[record.span.offset : record.span.offset + 1] == b"{"


def test_invalid_escape_is_repaired() -> None:
    good = chat_json([msg(1, "PLACEHOLDER"), msg(2, "after")])
    data = good.replace(b"PLACEHOLDER", b"1=412\\x012=97180 C:\\ dir")
    first, second = only_messages(data)
    assert first.text == "1=412\x012=97180 C:\\ dir"
    assert "json-repaired" in first.flags
    assert first.raw is not None and "\\x01" in first.raw  # the original text is kept
    assert second.text == "after"


def test_unquoted_custom_emoji_path_is_repaired() -> None:
    good = chat_json([msg(1, [{"type": "custom_emoji", "text": "X", "document_id": "@@"}, " ok"])])
    data = good.replace(b'"@@"', b"video_files/sticker (2).webm")
    (record,) = only_messages(data)
    assert record.text == "X ok"
    assert "json-repaired" in record.flags


def test_unrepairable_message_is_kept_and_parsing_resumes() -> None:
    good = chat_json([msg(1, "before"), msg(2, "QUOTE"), msg(3, "after")])
    data = good.replace(b'"QUOTE"', b'"He said "run" now"')  # tdesktop #8573: bare quotes
    records = only_messages(data)
    assert [r.kind for r in records] == [MessageKind.TEXT, MessageKind.UNPARSED, MessageKind.TEXT]
    broken = records[1]
    assert broken.raw == broken.text
    assert b'"run"' in data[broken.span.offset : broken.span.offset + broken.span.length]
    assert "json-error" in broken.flags
    assert records[2].text == "after"


def test_quote_desync_spilling_into_later_messages_is_contained() -> None:
    good = chat_json([msg(1, "before"), msg(2, "QUOTE"), msg(3, "after"), msg(4, "last")])
    data = good.replace(b'"QUOTE"', b'"a 5" screen"')  # odd quotes: strings go out of step
    records = only_messages(data)
    assert [r.kind for r in records] == [
        MessageKind.TEXT, MessageKind.UNPARSED, MessageKind.TEXT, MessageKind.TEXT,
    ]  # fmt: skip
    assert [r.text for r in records[2:]] == ["after", "last"]
    assert records[1].raw is not None and records[1].raw.endswith("}")
    assert records[2].span.offset > records[1].span.offset + records[1].span.length


def test_repairs_keep_valid_escapes_and_quote_bare_names() -> None:
    good = chat_json([msg(1, "PLACEHOLDER")], indent=None)
    # bytes in the file: "tab\there\n\x41", custom_emoji_id: 536
    data = good.replace(b'"PLACEHOLDER"', b'"tab\\there\\n\\x41", custom_emoji_id: 536')
    (record,) = only_messages(data)
    assert record.text == "tab\there\nA"
    assert "json-repaired" in record.flags


def test_odd_ids_dates_and_replies() -> None:
    records = only_messages(
        chat_json(
            [
                msg(5, "five"),
                msg(3, "three", date="yesterday", date_unixtime="hidden"),
                msg(6, "six", reply_to_message_id="3"),
                msg(7, "seven", reply_to_message_id="x"),
            ]
        )
    )
    assert records[1].timestamp is None
    assert {"date-invalid", "unixtime-invalid", "date-missing"} <= set(records[1].flags)
    assert records[2].reply_to_seq == 1  # ids need not ascend
    assert "reply-to-missing:x" in records[3].flags


@pytest.mark.parametrize(
    ("array", "texts"),
    [
        (b"[]", []),
        (b"[ ]", []),
        (b'[{"text": "a"},]', ["a"]),
        (b'[{"text": "a"},,{"text": "b"}]', ["a", "b"]),
    ],
)
def test_odd_arrays(array: bytes, texts: list[str]) -> None:
    records = only_messages(b'{"name": "x", "messages": ' + array + b"}")
    assert [r.text for r in records] == texts


def test_non_object_elements_are_kept_as_unparsed() -> None:
    records = only_messages(b'{"messages": [{"text": "a"}, 42, "str"]}')
    assert [r.kind for r in records][1:] == [MessageKind.UNPARSED] * 2
    assert all("not-an-object" in r.flags for r in records[1:])


def test_account_chat_list_tolerates_odd_entries() -> None:
    data = b'{"chats": {"about": "", "list": [7, {"name": "a", "messages": [{"text": "x"}]}]}}'
    ((chat, records),) = parse(data)
    assert chat.name == "a"
    assert records[0].text == "x"


def test_invalid_utf8_is_replaced_and_flagged() -> None:
    data = chat_json([msg(1, "PLACEHOLDER")]).replace(b"PLACEHOLDER", b"bad \xff byte")
    (record,) = only_messages(data)
    assert record.text == "bad \ufffd byte"
    assert "decode-error" in record.flags


def test_deeply_nested_message_parses() -> None:
    deep: Any = "core"
    for _ in range(20):
        deep = [deep]
    record = one(msg(1, "deep", extra_field=deep))
    assert record.text == "deep"


def test_truncated_file_keeps_complete_messages_and_one_unparsed_tail() -> None:
    """Decision: a cut file is not refused; the partial message becomes one unparsed record."""
    data = chat_json([msg(1, "one"), msg(2, "two"), msg(3, "three")])
    cut = data.index(b'"three"')
    records = only_messages(data[:cut])
    assert [r.text for r in records[:2]] == ["one", "two"]
    tail = records[2]
    assert tail.kind is MessageKind.UNPARSED
    assert "truncated" in tail.flags
    assert tail.span.offset + tail.span.length == cut
    assert tail.raw is not None and tail.raw.startswith("{") and tail.raw.endswith('"text": ')


def test_file_cut_after_last_message_keeps_it() -> None:
    data = chat_json([msg(1, "one"), msg(2, "two")])
    cut = data.rindex(b"}", 0, data.rindex(b"]")) + 1
    records = only_messages(data[:cut])
    assert [(r.kind, r.text) for r in records] == [
        (MessageKind.TEXT, "one"),
        (MessageKind.TEXT, "two"),
    ]


def test_mmap_input(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(chat_json([msg(1, "a"), msg(2, "b")]))
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        assert [r.text for r in parse(buf)[0][1]] == ["a", "b"]


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<!DOCTYPE html>\n<html>\n<head><title>Exported Data</title>", "HTML export"),
        (b"<html><body>hello</body></html>", "HTML"),
        (b"14/03/2024, 10:00 - Sam: hi\n", "not JSON"),
        (b"[1, 2, 3]", "array"),
        (b"", "empty"),
        (b"PK\x03\x04rest", "zip"),
    ],
)
def test_not_a_json_export_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(InputError, match=words) as caught:
        parse_telegram(data, file_name="messages.html")
    assert caught.value.file == "messages.html"


def test_telegram_html_message_says_how_to_fix() -> None:
    html = b"<!DOCTYPE html>\n<html>\n <head>\n  <title>Exported Data</title>"
    with pytest.raises(InputError, match="Machine-readable JSON"):
        parse_telegram(html, file_name="messages.html")


@pytest.mark.parametrize(
    "data",
    [b'{"name": "x", "list": []}', b'{"chats": {"list": []}}', b'{"name": "x", "messa'],
)
def test_json_without_messages_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match=r"result\.json"):
        parse(data)


def test_broken_outer_structure_names_the_line() -> None:
    data = b'{\n "name": "x"\n "messages": []\n}'
    with pytest.raises(InputError) as caught:
        parse(data)
    assert caught.value.line == 3  # where the missing comma shows


# --------------------------------------------------------------------------- detection


def test_detect(tmp_path: Path) -> None:
    single = tmp_path / "ChatExport_2024-03-14" / "result.json"
    single.parent.mkdir()
    single.write_bytes(b"\xef\xbb\xbf" + chat_json([msg(1)]))
    account = tmp_path / "account.json"
    account.write_text('{\n "about": "Here is the data",\n "personal_information": {}}')
    batch = tmp_path / "batch.json"
    batch.write_text('{\n  "chats": {\n    "list": [\n      {"name": "x", "messages": []}]}}')
    html = tmp_path / "messages.html"
    html.write_text("<!DOCTYPE html><html></html>")
    text = tmp_path / "chat.txt"
    text.write_text("14/03/2024, 10:00 - Sam: hi\n")
    other = tmp_path / "other.json"
    other.write_text('{"name": "package", "version": "1"}')
    assert detect_telegram(single)
    assert detect_telegram(single.parent)
    assert detect_telegram(account)
    assert detect_telegram(batch)
    assert not detect_telegram(html)
    assert not detect_telegram(text)
    assert not detect_telegram(other)
    assert not detect_telegram(tmp_path / "missing.json")
    assert not detect_telegram(tmp_path)


# --------------------------------------------------------------------------- progress, memory


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def report(self, stage: str, done: int, total: int | None) -> None:
        self.calls.append((stage, done, total))


def test_progress_and_cancel(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    write_synthetic(path, 25_000)
    data = path.read_bytes()
    recorder = Recorder()
    ((_, records),) = parse(data, progress=recorder)
    assert len(records) == 25_000
    assert [c[0] for c in recorder.calls] == ["parse"] * 3
    assert recorder.calls[-1][1:] == (len(data), len(data))
    assert recorder.calls[0][1] < recorder.calls[1][1] < len(data)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        parse(data, cancel=token)


def test_streaming_memory_stays_small(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    write_synthetic(path, 30_000, words=170)  # about 30 MB
    size = path.stat().st_size
    assert size > 25_000_000
    count = replies = 0
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        tracemalloc.start()
        try:
            for chat in parse_telegram(buf, file_name="result.json"):
                for record in chat.messages:
                    count += 1
                    replies += record.reply_to_seq is not None
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert count == 30_000
    assert replies == 3_000
    assert peak < 8_000_000, peak
