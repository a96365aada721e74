"""A redacted bundle names no uninvolved person anywhere (issue 11), read as a hostile reader
would: every file of the bag, every text in it (PDF pages, metadata and attached files; the
RSMF EML's parts, decoded, and the zip inside; JSON with escapes undone; HTML with entities
undone; file names), searched for every uninvolved name and number."""

from __future__ import annotations

import email
import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pypdf
import pytest

from helpers import ACTOR, jpeg_bytes
from reviewer.bundle.verify import verify_bundle
from reviewer.services import participants, tagging
from reviewer.services.case import create_case, open_case
from reviewer.services.exporting import ExportOptions, export_bundle
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records

SUBJECTS = ("Alex Turner", "Sam Reid")
NAMES = ("Jo Park", "Kim Reyes", "Dana Fox", "Chris Lowe", "Zoë Émile", "Lee Grant", "Ash Moor")
NUMBERS = ("+44 7700 900999", "07700 900123", "+44 (0)7700-900-555", "0044 7700 900 777")

GROUP = (
    "[14/03/2024, 09:58:02] Shift B: \u200eSam Reid created group \u201cShift B\u201d\r\n"
    "[14/03/2024, 09:58:03] Shift B: \u200eSam Reid added Kim Reyes\r\n"
    "[14/03/2024, 09:58:04] Shift B: \u200eJo Park added Dana Fox\r\n"
    "[14/03/2024, 09:58:05] Shift B: \u200eSam Reid added +44 7700 900999\r\n"
    "[14/03/2024, 10:00:00] Sam Reid: Morning all\r\n"
    "[14/03/2024, 10:01:30] Alex Turner: something awful about Kim Reyes\r\n"
    "[14/03/2024, 10:03:00] Jo Park: ok then, ring me on 07700 900123\r\n"
    "[14/03/2024, 10:04:00] Chris Lowe: haha Zoë Émile saw it\r\n"
    "[14/03/2024, 10:05:00] +44 7700 900999: who is this\r\n"
    "[14/03/2024, 10:06:00] Dana Fox: call +44 (0)7700-900-555 or 0044 7700 900 777\r\n"
    "[14/03/2024, 10:07:00] Zoë Émile: I saw\r\n"
    "\u200e[14/03/2024, 10:08:00] Alex Turner: \u200e<attached: 00000016-Kim Reyes.vcf>\r\n"
    "\u200e[14/03/2024, 10:09:00] Alex Turner: \u200e<attached: "
    "00000017-PHOTO-2024-03-14-10-09-00.jpg>\r\n"
    "\u200e[14/03/2024, 10:10:00] Sam Reid: \u200e<attached: 00000018-Lee Grant.vcf>\r\n"
)
DIRECT = (
    "[15/03/2024, 08:00:00] Jo Park: see you later Alex\r\n"
    "[15/03/2024, 08:01:00] Alex Turner: bye Jo, say hi to Kim\r\n"
)
THIRD = (
    "[16/03/2024, 08:00:00] Jo P: are we still on\r\n"
    "[16/03/2024, 08:01:00] Sam Reid: yes, bring Dana Fox\r\n"
    "[16/03/2024, 08:02:00] Kim Reyes: hello\r\n"
)
CARD = (
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kim Reyes\r\nTEL;TYPE=CELL:+44 7700 900444\r\nEND:VCARD\r\n"
)
SECRET_NUMBERS = (*NUMBERS, "+44 7700 900444", "+44 7700 900888", "+44 7700 900333")
LEE = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lee Grant\r\nTEL:+44 7700 900888\r\nEND:VCARD\r\n"


def _telegram(path: Path) -> Path:
    """A Telegram direct chat named after an uninvolved person, with a shared contact of
    someone who never wrote and a service line inviting another."""

    def message(number: int, **fields: object) -> dict[str, object]:
        stamp = 1710496800 + number * 60
        return {
            "id": number,
            "type": "message",
            "date": f"2024-03-15T10:{number:02d}:00",
            "date_unixtime": str(stamp),
            "text_entities": [],
            **fields,
        }

    chat = {
        "name": "Chris Lowe",
        "type": "personal_chat",
        "id": 99,
        "messages": [
            message(1, **{"from": "Chris Lowe", "from_id": "user9", "text": "you there"}),
            message(2, **{"from": "Alex Turner", "from_id": "user1", "text": "yes, Chris"}),
            message(
                3,
                **{"from": "Chris Lowe", "from_id": "user9", "text": ""},
                contact_information={
                    "first_name": "Ash",
                    "last_name": "Moor",
                    "phone_number": "+44 7700 900333",
                },
            ),
            message(4, **{"from": "Alex Turner", "from_id": "user1", "text": "got it"}),
        ],
    }
    path.mkdir()
    (path / "result.json").write_text(json.dumps(chat), encoding="utf-8")
    return path


def _zip(path: Path, chat_name: str, chat: str, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(chat_name, chat.encode())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def build_case(root: Path) -> Path:
    """Three exhibits: a group (system lines, a contact card, numbers), a direct chat named
    after an uninvolved person, an exhibit whose file name is an uninvolved person's; notes,
    tag notes, a custodian and a participant link naming them."""
    group = _zip(
        root / "Shift B.zip",
        "_chat.txt",
        GROUP,
        {
            "00000016-Kim Reyes.vcf": CARD,
            "00000017-PHOTO-2024-03-14-10-09-00.jpg": jpeg_bytes(),
            "00000018-Lee Grant.vcf": LEE,
        },
    )
    direct = _zip(root / "WhatsApp Chat with Jo Park.zip", "WhatsApp Chat with Jo Park.txt", DIRECT)
    third = _zip(root / "Kim Reyes.zip", "_chat.txt", THIRD)
    with create_case(root / "case", reference="OP-77", actor=ACTOR, title="Shift B") as case:
        import_export(case, group, ACTOR, ImportOptions(exhibit="AB/1"))
        import_export(case, direct, ACTOR, ImportOptions(exhibit="AB/2"))
        import_export(case, third, ACTOR, ImportOptions(exhibit="AB/3", custodian="Kim Reyes"))
        import_export(case, _telegram(root / "telegram"), ACTOR, ImportOptions(exhibit="AB/4"))
        people = {(p.exhibit, p.display_name): p.id for p in participants.list_participants(case)}
        for exhibit, name in people:
            if name in SUBJECTS:
                participants.set_subject(case, ACTOR, people[(exhibit, name)], True)
        participants.link_participants(
            case, ACTOR, [people[("AB/1", "Jo Park")], people[("AB/3", "Jo P")]]
        )
        ids = {r["text"]: r["id"] for r in message_records(case)}
        awful = ids["something awful about Kim Reyes"]
        tagging.tag(case, ACTOR, [awful], "derogatory", note="Jo Park laughs; Zoë Émile too")
        tagging.set_note(case, ACTOR, awful, "Chris Lowe was on shift; ring 07700 900123")
        tagging.tag(case, ACTOR, [ids["see you later Alex"]], "other", note="Dana Fox knew")
        tagging.tag(case, ACTOR, [ids["yes, bring Dana Fox"]], "other")
        tagging.set_note(case, ACTOR, ids["hello"], "+44 7700 900999 is Kim's other phone")
        tagging.tag(case, ACTOR, [ids["got it"]], "other", note="Ash Moor is Chris's friend")
    return root / "case"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("leaks")
    with open_case(build_case(root)) as case:
        options = ExportOptions(context=20, redact_uninvolved=True)
        export_bundle(case, ACTOR, root / "out", options)
    return root / "out"


# --------------------------------------------------------------------------- every text


def texts_of_bag(bag: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every file of the bag, its name included."""
    for path in sorted(bag.rglob("*")):
        where = path.relative_to(bag).as_posix()
        yield f"name of {where}", where
        if path.is_file():
            yield from texts_of(where, path.name, path.read_bytes())


def texts_of(where: str, name: str, data: bytes) -> Iterator[tuple[str, str]]:
    yield where, data.decode("utf-8", errors="replace")
    yield f"{where} (latin-1)", data.decode("latin-1")
    lower = name.lower()
    if data.startswith(b"%PDF"):
        yield from _pdf(where, data)
    elif zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                yield f"{where}!name", info.filename
                yield from texts_of(f"{where}!{info.filename}", info.filename, archive.read(info))
    elif lower.endswith((".rsmf", ".eml")):
        yield from _eml(where, data)
    elif lower.endswith((".json", ".jsonl", ".jsonld")):
        text = data.decode("utf-8")
        for line in text.splitlines() if lower.endswith(".jsonl") else [text]:
            if line.strip():
                yield f"{where} (JSON)", json.dumps(json.loads(line), ensure_ascii=False)
    elif lower.endswith((".html", ".htm", ".xml")):
        yield f"{where} (entities)", html.unescape(data.decode("utf-8"))


def _eml(where: str, data: bytes) -> Iterator[tuple[str, str]]:
    message = email.message_from_bytes(data, policy=policy.default)
    for part in message.walk():
        for key, value in part.items():
            yield f"{where} header {key}", f"{key}: {value}"
        filename = part.get_filename() or ""
        yield f"{where} part name", filename
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            yield from texts_of(f"{where}:{filename or part.get_content_type()}", filename, payload)


def _pdf(where: str, data: bytes) -> Iterator[tuple[str, str]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    yield f"{where} pages", "\n".join(page.extract_text() or "" for page in reader.pages)
    yield f"{where} metadata", json.dumps(dict(reader.metadata or {}), ensure_ascii=False)
    xmp = reader.xmp_metadata
    if xmp is not None:
        yield f"{where} XMP", xmp.stream.get_data().decode("utf-8", errors="replace")
    for name, contents in reader.attachments.items():
        yield f"{where} attachment name", name
        for content in contents:
            yield from texts_of(f"{where}#{name}", name, content)
    if shutil.which("pdftotext"):
        run = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True)
        yield f"{where} pdftotext", run.stdout.decode("utf-8", errors="replace")


def _phone_runs(text: str) -> Iterator[str]:
    for run in re.finditer(r"\+?[\d][\d\s().\-]{5,}\d", text):
        yield re.sub(r"\D", "", run.group(0))


def leaks(bag: Path) -> list[str]:
    """Every (where, secret) an uninvolved person's name or number is found at."""
    found: list[str] = []
    tails = {re.sub(r"\D", "", n)[-9:] for n in SECRET_NUMBERS}
    for where, text in texts_of_bag(bag):
        folded = text.casefold()
        found += [f"{where}: {n}" for n in NAMES if n.casefold() in folded]
        found += [f"{where}: {t}" for d in _phone_runs(text) for t in tails if t in d]
    return found


# --------------------------------------------------------------------------- the tests


def test_no_file_names_an_uninvolved_person(bundle: Path) -> None:
    found = leaks(bundle)
    assert not found, "\n".join(sorted(set(found))[:40])


def test_subjects_still_appear_everywhere_they_did(bundle: Path) -> None:
    texts: dict[str, str] = {}
    for where, text in texts_of_bag(bundle):
        texts[where] = texts.get(where, "") + "\n" + text
    for where in (
        "data/report/report.pdf pages",
        "data/report/index.html (entities)",
        "data/schedule/messages.csv",
        "data/messages/messages.jsonl (JSON)",
    ):
        for subject in SUBJECTS:
            assert subject in texts[where], (where, subject)
    assert "Person A" in texts["data/messages/messages.jsonl (JSON)"]


def test_the_redacted_bundle_verifies(bundle: Path) -> None:
    report = verify_bundle(bundle)
    assert report.ok, report.failure


def test_the_search_finds_a_leak_in_any_writer(bundle: Path, tmp_path: Path) -> None:
    """The search is not blind: a name put back into a file of each kind is found."""
    for relative in ("data/report/report.pdf", "data/provenance/case.jsonld"):
        copy = tmp_path / relative.replace("/", "_")
        shutil.copytree(bundle, copy)
        target = copy / relative
        if relative.endswith(".pdf"):
            writer = pypdf.PdfWriter(clone_from=target)
            writer.add_metadata({"/Subject": "Kim Reyes"})
            writer.write(target)
        else:
            target.write_text(
                target.read_text(encoding="utf-8").replace("OP-77", "Zo\\u00eb \\u00c9mile"),
                encoding="utf-8",
            )
        assert leaks(copy), relative
    rsmf = next((bundle / "data" / "rsmf").glob("*.rsmf"))
    assert not leaks(bundle)
    message = email.message_from_bytes(rsmf.read_bytes(), policy=policy.default)
    zipped = next(p for p in message.walk() if p.get_filename() == "rsmf.zip")
    payload = zipped.get_payload(decode=True)
    assert isinstance(payload, bytes)
    inner = zipfile.ZipFile(io.BytesIO(payload))
    assert any(name.endswith(".json") for name in inner.namelist())
