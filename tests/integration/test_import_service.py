"""Import end to end: evidence copied and hashed, records exact, failures leave nothing."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import jpeg_bytes
from reviewer.core.errors import AmbiguousDateOrderError, Cancelled, InputError
from reviewer.core.progress import CancelToken
from reviewer.core.records import DateOrder
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export, match_key
from reviewer.services.integrity import check_evidence
from reviewer.services.messages import message_records
from reviewer.store.models import EvidenceFile, Exhibit, Message


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def evidence_files(case: Case) -> set[Path]:
    """Everything under evidence/, folders included (a failed import leaves none behind)."""
    return set((case.root / "evidence").rglob("*"))


def test_ios_zip_import_keeps_every_byte_and_hashes_every_file(
    case: Case, ios_zip: Path, actor: Actor
) -> None:
    before = sha256(ios_zip)
    result = import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1", custodian="Sam"))
    assert sha256(ios_zip) == before, "the original export must never change"
    assert result.reference == "AB/1"
    assert result.attachments_present == 1
    assert result.attachments_missing == 1

    original = case.evidence.path_for(before)
    assert original.read_bytes() == ios_zip.read_bytes()
    for path in (p for p in evidence_files(case) if p.is_file()):
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert check_evidence(case) == []

    records = list(message_records(case))
    assert [r["seq"] for r in records] == list(range(len(records)))
    chat = zipfile.ZipFile(ios_zip).read("_chat.txt")
    rebuilt = b"".join(
        chat[r["source"]["offset"] : r["source"]["offset"] + r["source"]["length"]] for r in records
    )
    assert rebuilt == chat, "spans must tile the chat file exactly"

    by_text = {r["text"]: r for r in records}
    assert by_text["Morning all"]["sender"] == "Sam Reid"
    assert by_text["Morning all"]["utc"] == "2024-03-14T10:00:00Z"
    multi = by_text["first line\nsecond line\n[01:40] not a header"]
    assert multi["source"]["lines"] == 3
    photo = by_text["Photo of the car"]
    assert photo["kind"] == "media"
    assert photo["attachments"] == [
        {
            "filename": "00000015-PHOTO-2024-03-14-10-02-11.jpg",
            "sha256": hashlib.sha256(
                zipfile.ZipFile(ios_zip).read("00000015-PHOTO-2024-03-14-10-02-11.jpg")
            ).hexdigest(),
            "mime": "image/jpeg",
            "size": len(zipfile.ZipFile(ios_zip).read("00000015-PHOTO-2024-03-14-10-02-11.jpg")),
            "present": True,
        }
    ]
    missing = [r for r in records if r["attachments"] and not r["attachments"][0]["present"]]
    assert len(missing) == 1 and missing[0]["attachments"][0]["sha256"] is None
    assert by_text["ok then"]["edited"] is True
    systems = [r for r in records if r["kind"] == "system"]
    assert systems and all(r["sender"] is None for r in systems)
    assert any(r["kind"] == "deleted" for r in records)
    assert not list((case.root / "cache").rglob("*.jpg"))  # made when first shown

    with case.reading() as session:
        entries = list(audit_log.entries(session))
        assert [e["action"] for e in entries] == ["case.created", "exhibit.imported"]
        details = entries[-1]["details"]
        assert details["sha256"] == before
        assert details["messages"] == len(records)
        assert audit_log.verify(session).ok
        roles = dict(session.execute(select(EvidenceFile.path, EvidenceFile.role)).all())
    assert roles["WhatsApp Chat - Shift B.zip"] == "original"
    assert roles["_chat.txt"] == "chat"
    assert not any(name.startswith("__MACOSX") for name in roles)


def test_records_have_exactly_the_documented_fields(
    case: Case, ios_zip: Path, actor: Actor
) -> None:
    import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1"))
    record = next(message_records(case))
    assert list(record) == [
        "id",
        "exhibit",
        "conversation",
        "seq",
        "timestamp",
        "utc",
        "time_flag",
        "sender",
        "kind",
        "text",
        "edited",
        "reply_to",
        "attachments",
        "source",
    ]
    assert list(record["source"]) == ["file", "line", "lines", "offset", "length"]
    assert record["conversation"] == "Shift B"
    json.dumps(record)


def _assert_nothing_stored(case: Case, evidence_before: set[Path]) -> list[dict[str, object]]:
    with case.reading() as session:
        assert session.scalar(select(func.count(Exhibit.id))) == 0
        assert session.scalar(select(func.count(Message.id))) == 0
        entries = list(audit_log.entries(session))
    assert evidence_files(case) == evidence_before
    return entries


AMBIGUOUS = (
    "03/04/2024, 10:00 - Sam Reid: hello\n"
    "03/04/2024, 10:05 - Alex Turner: hi\n"
    "05/04/2024, 11:00 - Sam Reid: later\n"
)


def test_ambiguous_date_order_is_refused_and_nothing_is_stored(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    export = tmp_path / "WhatsApp Chat with Sam.txt"
    export.write_text(AMBIGUOUS)
    before = evidence_files(case)
    with pytest.raises(AmbiguousDateOrderError, match="--date-order"):
        import_export(case, export, actor)
    entries = _assert_nothing_stored(case, before)
    assert entries[-1]["action"] == "exhibit.import-failed"
    assert "--date-order" in entries[-1]["details"]["reason"]

    result = import_export(case, export, actor, ImportOptions(date_order=DateOrder.MDY))
    records = list(message_records(case))
    assert result.messages == 3
    assert records[0]["timestamp"] == "2024-03-04T10:00:00"


@pytest.mark.parametrize("given", ["MDY", "mdy", DateOrder.MDY])
def test_date_order_given_as_text_reads_dates_that_way(
    case: Case, tmp_path: Path, actor: Actor, given: str | DateOrder
) -> None:
    export = tmp_path / "WhatsApp Chat with Sam.txt"
    export.write_text(AMBIGUOUS)
    options = ImportOptions(date_order=given)  # type: ignore[arg-type]  # as a script passes it
    assert options.date_order is DateOrder.MDY
    import_export(case, export, actor, options)
    assert [r["timestamp"] for r in message_records(case)] == [
        "2024-03-04T10:00:00",
        "2024-03-04T10:05:00",
        "2024-05-04T11:00:00",
    ]
    with case.reading() as session:
        exhibit = session.scalars(select(Exhibit)).one()
        assert (exhibit.date_order, exhibit.date_order_source) == ("MDY", "option")


def test_an_unknown_date_order_is_refused_in_one_line() -> None:
    with pytest.raises(InputError, match=r"^date order must be one of DMY, MDY, YMD, not 'DYM'$"):
        ImportOptions(date_order="DYM")  # type: ignore[arg-type]


def test_dates_reading_the_same_either_way_import_without_asking(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    export = tmp_path / "WhatsApp Chat with Sam.txt"
    export.write_text("12/12/2022, 10:00 - Sam: x\n01/01/2023, 09:30 - Sam: y\n")
    result = import_export(case, export, actor)
    assert result.messages == 2
    assert [r["timestamp"] for r in message_records(case)] == [
        "2022-12-12T10:00:00",
        "2023-01-01T09:30:00",
    ]
    assert any("every date reads the same" in w and "DMY" in w for w in result.warnings)
    with case.reading() as session:
        exhibit = session.scalars(select(Exhibit)).one()
        assert (exhibit.date_order, exhibit.date_order_source) == ("DMY", "same-either-way")
        details = list(audit_log.entries(session))[-1]["details"]
    assert details["date_order_source"] == "same-either-way"


def test_cancelled_import_stores_nothing(case: Case, ios_zip: Path, actor: Actor) -> None:
    token = CancelToken()
    token.cancel()
    before = evidence_files(case)
    with pytest.raises(Cancelled):
        import_export(case, ios_zip, actor, cancel=token)
    entries = _assert_nothing_stored(case, before)
    assert entries[-1]["action"] == "exhibit.import-cancelled"


def test_non_export_is_refused_with_its_name(case: Case, tmp_path: Path, actor: Actor) -> None:
    export = tmp_path / "holiday.jpg"
    export.write_bytes(jpeg_bytes())
    before = evidence_files(case)
    with pytest.raises(InputError, match=r"holiday\.jpg"):
        import_export(case, export, actor)
    _assert_nothing_stored(case, before)


def test_duplicate_exhibit_reference_is_refused(case: Case, ios_zip: Path, actor: Actor) -> None:
    import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1"))
    with pytest.raises(InputError, match="already exists"):
        import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1"))


def test_android_folder_export_with_media(case: Case, tmp_path: Path, actor: Actor) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "WhatsApp Chat with Jo Park.txt").write_text(
        "14/03/2024, 10:02 - Alex Turner: IMG-20240314-WA0007.jpg (file attached)\n"
        "Photo of the damage\n"
        "14/03/2024, 10:05 - Jo Park: <Media omitted>\n"
        "20/03/2024, 10:06 - Jo Park added Sam Reid\n"
    )
    (folder / "IMG-20240314-WA0007.jpg").write_bytes(jpeg_bytes("blue"))
    (folder / "stray.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = import_export(case, folder, actor, ImportOptions(exhibit="AB/3"))
    records = list(message_records(case))
    assert [r["kind"] for r in records] == ["media", "media", "system"]
    assert records[0]["text"] == "Photo of the damage"
    assert records[0]["attachments"][0]["present"] is True
    assert records[2]["sender"] is None
    assert result.warnings and any("not referenced" in w for w in result.warnings)
    with case.reading() as session:
        paths = set(session.scalars(select(EvidenceFile.path)))
    assert "stray.pdf" in paths


def test_dst_times_are_flagged(case: Case, tmp_path: Path, actor: Actor) -> None:
    export = tmp_path / "chat.txt"
    export.write_text(
        "27/10/2024, 01:30 - Sam Reid: clocks go back\n"
        "31/03/2024, 01:30 - Sam Reid: clocks go forward\n"
        "13/06/2024, 12:00 - Sam Reid: summer\n"
    )
    import_export(case, export, actor)
    flags = [(r["utc"], r["time_flag"]) for r in message_records(case)]
    assert flags == [
        ("2024-10-27T00:30:00Z", "ambiguous"),
        ("2024-03-31T01:30:00Z", "nonexistent"),
        ("2024-06-13T11:00:00Z", None),
    ]


def test_exhibit_time_zone_overrides_the_case(case: Case, tmp_path: Path, actor: Actor) -> None:
    export = tmp_path / "chat.txt"
    export.write_text("13/06/2024, 12:00 - Sam Reid: hello\n14/06/2024, 12:00 - Sam Reid: x\n")
    import_export(case, export, actor, ImportOptions(timezone="America/New_York"))
    assert next(message_records(case))["utc"] == "2024-06-13T16:00:00Z"


def test_phone_numbers_get_a_digit_match_key() -> None:
    assert match_key("\u202a+44\u00a07700\u00a0900123\u202c") == "+447700900123"
    assert match_key("Sam Reid") == "sam reid"


def test_near_the_whatsapp_cap_warns_of_truncation(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    lines = [f"14/03/2024, 10:{i % 60:02d} - Sam Reid: message {i}\n" for i in range(9_700)]
    lines.append("14/03/2024, 11:00 - Sam Reid: IMG-20240314-WA0007.jpg (file attached)\n")
    (folder / "WhatsApp Chat with Sam.txt").write_text("".join(lines))
    (folder / "IMG-20240314-WA0007.jpg").write_bytes(jpeg_bytes())
    result = import_export(case, folder, actor)
    assert any("10,000-message limit" in w for w in result.warnings)


def test_a_clean_up_failure_after_the_commit_keeps_the_exhibit_and_its_files(
    case: Case, ios_zip: Path, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from reviewer.services import importing

    class FailingCleanUp(tempfile.TemporaryDirectory[str]):
        def __exit__(self, *exc: object) -> None:
            super().__exit__(*exc)
            raise OSError("scratch folder could not be removed")

    monkeypatch.setattr(importing.tempfile, "TemporaryDirectory", FailingCleanUp)
    result = import_export(case, ios_zip, actor, ImportOptions(exhibit="AB/1"))
    assert any("clean-up failed" in w for w in result.warnings)
    assert check_evidence(case) == []
    with case.reading() as session:
        actions = [e["action"] for e in audit_log.entries(session)]
        assert session.scalar(select(func.count(Exhibit.id))) == 1
    assert actions == ["case.created", "exhibit.imported"]
