"""Conformance over ../shared/corpus (public sample exports), when it is present."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from reviewer.core.records import DateOrder
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present"),
]
MINER = CORPUS / "whatsapp-chat-miner"
MINER_FILES = {
    "test_ddmmyy_24hrs.txt": None,
    "test_mmddyy_24hrs.txt": None,
    "test_[mmddyy]_24hrs.txt": None,
    "test_mmddyyyy_12hrs.txt": None,
    "test_yyyymmdd_24hrs.txt": None,
}


def tiles(records: list[dict[str, object]], data: bytes) -> bool:
    spans = [r["source"] for r in records]
    pieces = [data[s["offset"] : s["offset"] + s["length"]] for s in spans]  # type: ignore[index]
    return b"".join(pieces) == data


@pytest.mark.parametrize("name", sorted(MINER_FILES))
def test_chat_miner_variants_match_their_expected_parse(
    case: Case, actor: Actor, name: str
) -> None:
    path = MINER / name
    try:
        import_export(case, path, actor)
    except Exception as exc:  # an undecidable file must name the option, then import with it
        assert "--date-order" in str(exc)
        order = DateOrder.MDY if "mmdd" in name else DateOrder.DMY
        import_export(case, path, actor, ImportOptions(date_order=order))
    records = list(message_records(case))
    assert tiles(records, path.read_bytes())
    got = {(r["timestamp"], r["sender"], str(r["text"]).replace("\n", " ")) for r in records}
    for expected in json.loads((MINER / "target.json").read_text()):
        assert (expected["timestamp"], expected["author"], expected["message"]) in got
    systems = [r for r in records if r["kind"] == "system"]
    assert len(systems) == 2 and all(r["sender"] is None for r in systems)


def test_pustur_ios_zip_with_media(case: Case, actor: Actor) -> None:
    path = CORPUS / "whatsapp-zip-pustur" / "whatsapp-chat-parser-example.zip"
    result = import_export(case, path, actor, ImportOptions(exhibit="PUSTUR/1"))
    records = list(message_records(case))
    chat = zipfile.ZipFile(path).read("_chat.txt")
    assert tiles(records, chat)
    assert result.attachments_present == 4 and result.attachments_missing == 0
    mimes = {a["filename"]: a["mime"] for r in records for a in r["attachments"]}
    assert mimes["00000001-PHOTO-2019-06-20-16-00-15.jpg"] == "image/jpeg"
    assert mimes["00000004-whatsapp-chat-parser-example.zip"] == "application/zip"
    assert any(r["kind"] == "poll" for r in records)
    added = [r for r in records if r["text"] == "Loris added Emily"]
    assert added and added[0]["kind"] == "system" and added[0]["sender"] is None
    multi = [r for r in records if str(r["text"]).startswith("Come on...")]
    assert multi and multi[0]["source"]["lines"] == 2  # type: ignore[index]


@pytest.mark.parametrize("name", ["test_single_export.json", "test_batch_export.json"])
def test_telegram_chat_miner_samples(case: Case, actor: Actor, name: str) -> None:
    folder = CORPUS / "telegram-chat-miner"
    import_export(case, folder / name, actor)
    records = list(message_records(case))
    # Entity texts are concatenated as Telegram renders them; chat-miner's target joins them
    # with a space, so compare without white space.
    got = {(r["utc"], r["sender"], "".join(str(r["text"]).split())) for r in records}
    for expected in json.loads((folder / "target.json").read_text()):
        # the samples carry only date_unixtime: their times are exact UTC instants
        text = "".join(expected["message"].split())
        assert (expected["timestamp"] + "Z", expected["author"], text) in got
