"""Telegram Desktop exports import as one exhibit with a conversation per chat."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from helpers import jpeg_bytes
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records
from reviewer.store.models import Conversation, Exhibit

CHAT = {
    "name": "Shift B",
    "type": "private_supergroup",
    "id": 4242,
    "messages": [
        {
            "id": 1,
            "type": "service",
            "date": "2024-03-14T10:00:00",
            "date_unixtime": "1710410400",
            "actor": "Sam Reid",
            "actor_id": "user1",
            "action": "create_group",
            "title": "Shift B",
            "members": ["Sam Reid", "Jo Park"],
            "text": "",
            "text_entities": [],
        },
        {
            "id": 2,
            "type": "message",
            "date": "2024-03-14T10:01:00",
            "date_unixtime": "1710410460",
            "from": "Sam Reid",
            "from_id": "user1",
            "text": "Morning all",
            "text_entities": [],
        },
        {
            "id": 3,
            "type": "message",
            "date": "2024-03-14T10:02:00",
            "date_unixtime": "1710410520",
            "from": "Jo Park",
            "from_id": "user2",
            "reply_to_message_id": 2,
            "photo": "photos/photo_1@14-03-2024_10-02-00.jpg",
            "width": 64,
            "height": 48,
            "text": ["look at ", {"type": "bold", "text": "this"}],
            "text_entities": [],
        },
    ],
}


def test_telegram_folder_with_media(case: Case, tmp_path: Path, actor: Actor) -> None:
    folder = tmp_path / "ChatExport_2024-03-15"
    (folder / "photos").mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps(CHAT, indent=1), encoding="utf-8")
    (folder / "photos" / "photo_1@14-03-2024_10-02-00.jpg").write_bytes(jpeg_bytes())
    result = import_export(case, folder, actor, ImportOptions(exhibit="TG/1"))
    assert result.messages == 3
    assert result.attachments_present == 1
    records = list(message_records(case))
    assert [r["kind"] for r in records] == ["system", "text", "media"]
    assert records[2]["reply_to"] == records[1]["id"]
    assert records[2]["text"] == "look at this"
    assert records[1]["utc"] == "2024-03-14T10:01:00Z"  # from date_unixtime, not the zone
    assert records[2]["attachments"][0]["mime"] == "image/jpeg"
    with case.reading() as session:
        conversation = session.scalars(select(Conversation)).one()
        exhibit = session.scalars(select(Exhibit)).one()
    assert (conversation.name, conversation.kind) == ("Shift B", "group")
    assert exhibit.importer == "telegram-json" and exhibit.chat_file == "result.json"


def test_telegram_account_export_has_a_conversation_per_chat(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    other = {
        **CHAT,
        "name": "Jo Park",
        "type": "personal_chat",
        "id": 7,
        "messages": CHAT["messages"][1:2],
    }
    export = tmp_path / "result.json"
    export.write_text(json.dumps({"about": "x", "chats": {"about": "y", "list": [CHAT, other]}}))
    import_export(case, export, actor)
    records = list(message_records(case))
    assert [r["conversation"] for r in records] == ["Shift B"] * 3 + ["Jo Park"]
    assert [r["seq"] for r in records] == [0, 1, 2, 0]
