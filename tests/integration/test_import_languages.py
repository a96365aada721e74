"""Imports of exports in other UI languages, through the service and the command line."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import jpeg_bytes
from reviewer.cli.main import main
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records
from reviewer.store.models import Exhibit, Message

LRM = "\u200e"
PHOTO = "00000012-PHOTO-2023-09-14-10-22-33.jpg"


def spanish_ios_zip(tmp_path: Path) -> Path:
    chat = (
        f"[14/9/23, 10:22:30] Turno B: {LRM}Los mensajes y las llamadas están cifrados de "
        "extremo a extremo. Nadie fuera de este chat, ni siquiera WhatsApp, puede leerlos ni "
        "escucharlos.\r\n"
        f"[14/9/23, 10:22:33] Ana Ruiz: {LRM}<adjunto: {PHOTO}>\r\n"
        "[14/9/23, 10:22:40] Luis Gil: ¿qué es eso?\r\n"
    )
    path = tmp_path / "WhatsApp Chat - Turno B.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", chat.encode())
        archive.writestr(PHOTO, jpeg_bytes())
    return path


def test_ios_adjunto_is_media_with_the_photo_linked(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    result = import_export(case, spanish_ios_zip(tmp_path), actor)
    assert (result.messages, result.attachments_present, result.attachments_missing) == (3, 1, 0)
    records = list(message_records(case))
    assert [(r["kind"], r["sender"]) for r in records] == [
        ("system", None),
        ("media", "Ana Ruiz"),
        ("text", "Luis Gil"),
    ]
    assert records[0]["timestamp"] == "2023-09-14T10:22:30"
    attachment = records[1]["attachments"][0]
    assert (attachment["filename"], attachment["present"]) == (PHOTO, True)


SOMALI_LIKE = "<Warbaahin lama soo dhigin>"  # a marker-shaped string no table has


def android_unknown_markers(tmp_path: Path) -> Path:
    senders = ["Ali", "Bea", "Cem", "Ali", "Bea", "Cem", "Ali"]
    lines = [f"14/09/2023, 10:{i:02d} - {who}: {SOMALI_LIKE}\n" for i, who in enumerate(senders)]
    lines.insert(3, "14/09/2023, 10:02 - Bea: ma arkaysaa?\n")
    path = tmp_path / "WhatsApp Chat with Koox.txt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_repeated_unknown_marker_is_an_import_warning_stored_with_the_exhibit(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    result = import_export(case, android_unknown_markers(tmp_path), actor)
    expected = f"{SOMALI_LIKE!r} occurs 7 times from 3 senders"
    assert any(expected in w for w in result.warnings)
    with case.reading() as session:
        stored = json.loads(session.scalars(select(Exhibit.warnings)).one())
    assert any(expected in w for w in stored)
    records = list(message_records(case))
    kinds = {r["kind"] for r in records if r["text"] == SOMALI_LIKE}
    assert kinds == {"text"} and len(records) == 8


def somali_ios_chat(tmp_path: Path) -> Path:
    """A chat typed in Somali on iPhones. WhatsApp has no Somali UI (docs/importer-coverage.md),
    so a real export carries the markers of the phone's other language; this one is written
    as if it had one, in wordings no table holds (invented for the test)."""
    placeholder = f"{LRM}Sawir waa laga reebay"  # an "image omitted" in an unknown language
    lines = [
        f"[14/09/2023, 10:00:00] Kooxda Shaqada: {LRM}Fariimaha iyo wicitaanada waa la "
        "sireeyay gebi ahaanba. Qofna kama baxsan sheekadan, xitaa WhatsApp.",
        f"[14/09/2023, 10:01:00] Cali Xasan: {placeholder}",
        "[14/09/2023, 10:02:00] Hodan Axmed: haa",
        f"[14/09/2023, 10:03:00] Hodan Axmed: {placeholder}",
        "[14/09/2023, 10:04:00] Cali Xasan: haa",
        f"[14/09/2023, 10:05:00] Faarax Yuusuf: {placeholder}",
        "[14/09/2023, 10:06:00] Faarax Yuusuf: haa",
        "[14/09/2023, 10:07:00] Cali Xasan: sidee tahay?",
    ]
    path = tmp_path / "WhatsApp Chat - Kooxda Shaqada.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_a_somali_iphone_chat_reports_its_repeated_unknown_placeholder(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    result = import_export(case, somali_ios_chat(tmp_path), actor)
    records = list(message_records(case))
    assert (records[0]["kind"], records[0]["sender"]) == ("system", None)  # the notice
    placeholders = [r for r in records if r["text"] == "Sawir waa laga reebay"]
    assert [r["sender"] for r in placeholders] == ["Cali Xasan", "Hodan Axmed", "Faarax Yuusuf"]
    with case.reading() as session:
        flags = session.scalars(
            select(Message.flags).where(Message.text == "Sawir waa laga reebay")
        ).all()
    assert flags == ['["unrecognised-pattern"]'] * 3
    reported = [w for w in result.warnings if "occurs" in w]
    assert len(reported) == 1
    assert "'Sawir waa laga reebay' occurs 3 times from 3 senders" in reported[0]
    assert not any("'haa'" in w for w in result.warnings)  # typed words are never counted


def test_cli_import_prints_the_unknown_marker_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = android_unknown_markers(tmp_path)
    case = str(tmp_path / "c")
    assert main(["--reviewer", "T", "case", "new", case, "--reference", "R"]) == 0
    assert main(["--reviewer", "T", "import", case, str(export)]) == 0
    err = capsys.readouterr().err
    assert f"warning: WhatsApp Chat with Koox.txt: {SOMALI_LIKE!r} occurs 7 times" in err
