"""The media of a redacted bundle name and locate no uninvolved person (issue 11, item 2), read
as a hostile reader would: EXIF (every IFD, XPAuthor, GPS), XMP, JPEG comments, PNG and WebP
chunks, MP4 boxes, documents and contact cards, and a screenshot whose machine-read text names
them. The bundle carries redacted *copies* (pixels unchanged where only metadata went; solid
black where a name was), each listed with the original's hash; the unredacted bundle carries
the originals as they are; ``reviewer verify`` passes on both."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image, PngImagePlugin
from test_redacted_leaks import texts_of_bag

from helpers import ACTOR
from media_fixtures import use_stand_ins
from reviewer.cli.main import main
from reviewer.review.media.analysers import AnalysisResult, Kind
from reviewer.services import audit_log, participants, tagging
from reviewer.services.case import create_case, open_case
from reviewer.services.export_media import CONTENT, NAMED
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records

NAME = "Kim Reyes"
NUMBER = "+44 7700 900444"
SECRETS = (NAME, "Reyes", "7700 900444", "7700900444")
PHOTO = "00000010-PHOTO-2024-03-14-10-10-00.jpg"
DRAWING = "00000011-PHOTO-2024-03-14-10-11-00.png"
STICKER = "00000012-STICKER-2024-03-14-10-12-00.webp"
VIDEO = "00000013-VIDEO-2024-03-14-10-13-00.mp4"
SCREEN = "00000014-PHOTO-2024-03-14-10-14-00.png"
STATEMENT = "00000015-Kim Reyes statement.pdf"
NOTES = "00000016-notes.txt"
ROTA = "00000017-rota.pdf"
CARD = "00000018-Kim Reyes.vcf"
SHIFTS = "00000019-shifts.txt"
MINUTES = "00000020-minutes.docx"
ATTACHED = (PHOTO, DRAWING, STICKER, VIDEO, SCREEN, STATEMENT, NOTES, ROTA, CARD, SHIFTS, MINUTES)
AUTHOR = "Dana Hill"  # wrote a document; the case does not know her
NAME_BOX = ((20, 30), (180, 30), (180, 60), (20, 60))  # where the screenshot shows the name
OTHER_BOX = ((20, 120), (180, 120), (180, 150), (20, 150))
SCREEN_SIZE = (240, 180)


def _photo() -> bytes:
    """A rotated photo whose EXIF names and locates the uninvolved person, with XMP and a
    comment naming them too."""
    exif = Image.Exif()
    exif[0x013B] = NAME  # Artist
    exif[0x8298] = f"(c) {NAME}"  # Copyright
    exif[0x010E] = f"ring {NUMBER}"  # ImageDescription
    exif[0x9C9D] = NAME.encode("utf-16-le") + b"\0\0"  # XPAuthor
    exif[0x0112] = 6  # orientation: stays, so the photo still shows upright
    exif.get_ifd(0x8769)[0xA430] = NAME  # CameraOwnerName
    exif.get_ifd(0x8769)[0xA431] = "SN-7700900444"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 12.5), "W", (0.0, 7.0, 39.0)
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        '22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{NAME}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    buffer = io.BytesIO()
    image = Image.linear_gradient("L").convert("RGB").resize((96, 64))
    image.save(buffer, "JPEG", exif=exif, xmp=xmp, comment=f"taken by {NAME}".encode())
    return buffer.getvalue()


def _drawing() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", NAME)
    info.add_text("Comment", f"call {NUMBER}", zip=True)
    info.add_itxt("Description", f"drawn by {NAME}")
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (10, 200, 30, 128)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _sticker() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = NAME  # a WhatsApp sticker names its pack's publisher in EXIF
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "orange").save(buffer, "WEBP", lossless=True, exif=exif)
    return buffer.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return (len(payload) + 8).to_bytes(4, "big") + kind + payload


SAMPLES = b"\x00\x01samples\xff" * 50


def _video() -> bytes:
    """An MP4's structure: the title and location in the movie's and a track's udta."""
    title = _box(b"\xa9nam", NAME.encode()) + _box(b"\xa9xyz", b"+51.5034-000.1275/")
    moov = _box(
        b"moov",
        _box(b"mvhd", bytes(100))
        + _box(b"trak", _box(b"tkhd", bytes(84)) + _box(b"udta", title))
        + _box(b"udta", title)
        + _box(b"meta", bytes(4) + _box(b"hdlr", bytes(20) + f"by {NAME}".encode())),
    )
    return _box(b"ftyp", b"isom\0\0\2\0isomiso2mp41") + moov + _box(b"mdat", SAMPLES)


def _screen() -> bytes:
    """A screenshot: the name on red under NAME_BOX, other text on blue under OTHER_BOX."""
    image = Image.new("RGB", SCREEN_SIZE, "white")
    image.paste((255, 0, 0), (20, 30, 181, 61))
    image.paste((0, 0, 255), (20, 120, 181, 151))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _pdf(author: str, text: str = "", keywords: str = "") -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata(
        {"/Author": author, "/Title": text, **({"/Keywords": keywords} if keywords else {})}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _docx() -> bytes:
    body = (
        '<w:document xmlns:w="urn:w"><w:body><w:p>Minutes of the shift</w:p></w:body></w:document>'
    )
    core = (
        '<cp:coreProperties xmlns:cp="urn:cp" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy>"
        "</cp:coreProperties>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body)
        archive.writestr("docProps/core.xml", core)
        archive.writestr(
            "docProps/app.xml", f"<Properties><Company>{AUTHOR} Ltd</Company></Properties>"
        )
    return buffer.getvalue()


FILES = {
    PHOTO: _photo(),
    DRAWING: _drawing(),
    STICKER: _sticker(),
    VIDEO: _video(),
    SCREEN: _screen(),
    STATEMENT: _pdf("Duty desk", "statement", "shift " * 1000),  # long: its hash is given
    NOTES: f"Kim's address is 4 Mill Lane. {NAME} works nights.\n".encode(),
    ROTA: _pdf(AUTHOR, "rota"),
    SHIFTS: b"Early, late, night.\n",
    MINUTES: _docx(),
    CARD: f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{NAME}\r\nTEL:{NUMBER}\r\nEND:VCARD\r\n".encode(),
}


@dataclass(frozen=True)
class _ScreenOcr:
    """Reads the screenshot (known by its size) as a name line and another line."""

    kind: Kind = "ocr"
    engine: str = "fake-ocr"
    version: str = "1"
    model: str | None = "fake"

    def accepts(self, mime: str) -> bool:
        return mime.startswith("image/")

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        with Image.open(path) as image:
            if image.size != SCREEN_SIZE:
                return AnalysisResult(text=None, confidence=None, data={"boxes": []})
        lines = [(f"{NAME.upper()} IS A GRASS", NAME_BOX), ("GOOD MORNING", OTHER_BOX)]
        return AnalysisResult(
            text="\n".join(t for t, _ in lines),
            confidence=0.9,
            data={
                "boxes": [
                    {"box": [list(p) for p in box], "text": t, "confidence": 0.9}
                    for t, box in lines
                ]
            },
        )


def _chat() -> str:
    lines = [
        "[14/03/2024, 10:00:00] Sam Reid: Morning all",
        f"[14/03/2024, 10:01:00] {NAME}: hello",
    ]
    for n, name in enumerate(ATTACHED):
        lines.append(
            f"\u200e[14/03/2024, 10:{10 + n:02d}:00] Alex Turner: \u200e<attached: {name}>"
        )
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture(scope="module")
def bags(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(case, redacted bag, unredacted bag), both exported through the command line."""
    root = tmp_path_factory.mktemp("media")
    export = root / "WhatsApp Chat - Shift B.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("_chat.txt", _chat().encode())
        for name, data in FILES.items():
            archive.writestr(name, data)
    with pytest.MonkeyPatch.context() as patch:
        use_stand_ins(patch, {"ocr": _ScreenOcr()}, real_others=False)
        with create_case(root / "case", reference="OP-9", actor=ACTOR) as case:
            import_export(case, export, ACTOR, ImportOptions(exhibit="AB/1"))
            for p in participants.list_participants(case):
                if p.display_name in ("Alex Turner", "Sam Reid"):
                    participants.set_subject(case, ACTOR, p.id, True)
            ids = [r["id"] for r in message_records(case) if r["attachments"]]
            tagging.tag(case, ACTOR, ids, "other")
            from reviewer.services.media_analysis import AnalyseOptions, analyse

            analyse(case, ACTOR, AnalyseOptions(kinds=("ocr",), workers=1))
    case_dir = root / "case"
    redacted, plain = root / "redacted", root / "plain"
    assert main(["export", str(case_dir), str(redacted), "--redact-uninvolved"]) == 0
    assert main(["export", str(case_dir), str(plain)]) == 0
    return case_dir, redacted, plain


# --------------------------------------------------------------------------- reading


def image_texts(where: str, data: bytes) -> Iterator[tuple[str, str]]:
    """Every text Pillow finds in a picture: each EXIF IFD's values (XPAuthor as UTF-16),
    GPS, the info dictionary (PNG text chunks, JPEG comments, XMP)."""
    try:
        image = Image.open(io.BytesIO(data))
    except OSError:
        return
    with image:
        exif = image.getexif()
        ifds = [exif] + [exif.get_ifd(tag) for tag in (0x8769, 0x8825, 0xA005)]
        for ifd in ifds:
            for tag, value in ifd.items():
                yield f"{where} EXIF {tag:#x}", _text(value)
        if exif.get_ifd(0x8825):
            yield f"{where} GPS", f"GPS position {NAME}"  # any position counts as a leak
        for key, value in image.info.items():
            yield f"{where} info {key}", f"{key} {_text(value)}"


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return " ".join(value.decode(c, "ignore") for c in ("utf-8", "utf-16-le", "latin-1"))
    return str(value)


def leaks(bag: Path) -> list[str]:
    found: list[str] = []
    texts = list(texts_of_bag(bag))
    secrets = (*SECRETS, AUTHOR)
    for path in sorted(bag.rglob("*")):
        if path.is_file():
            where = path.relative_to(bag).as_posix()
            data = path.read_bytes()
            texts += image_texts(where, data)
            texts.append((f"{where} (utf-16)", data.decode("utf-16-le", "ignore")))
    for where, text in texts:
        digits = re.sub(r"[\s().\-]", "", text)
        found += [f"{where}: {s}" for s in secrets if s.casefold() in text.casefold()]
        found += [f"{where}: number" for s in ("7700900444",) if s in digits]
    return found


def _records(bag: Path) -> dict[str, dict[str, Any]]:
    """The attachment records by the file's name in the chat (pseudonymised when redacted)."""
    text = (bag / "data" / "messages" / "messages.jsonl").read_text("utf-8")
    found: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        for a in json.loads(line)["attachments"]:
            found[a["filename"]] = a
    return found


def _by_original(bag: Path) -> dict[str, dict[str, Any]]:
    records = _records(bag)
    shown = {name: name for name in ATTACHED}
    if CARD not in records:  # redacted
        shown[STATEMENT] = next(n for n in records if n.endswith(" statement.pdf"))
        shown[CARD] = "[contact card withheld]"
    return {name: records[shown[name]] for name in ATTACHED}


def _pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, image.size, image.tobytes()


# --------------------------------------------------------------------------- tests


def test_no_file_of_the_redacted_bundle_names_or_locates_them(
    bags: tuple[Path, Path, Path],
) -> None:
    _, redacted, plain = bags
    found = leaks(redacted)
    assert not found, "\n".join(sorted(set(found))[:40])
    # not blind: the unredacted bundle's media carry every secret
    exposed = "\n".join(leaks(plain))
    for needle in ("EXIF 0x13b", "EXIF 0x9c9d", "GPS", "info comment", "info Author", "info xmp"):
        assert needle in exposed, needle
    assert any(".mp4" in line and NAME in line for line in leaks(plain))
    assert any(".webp" in line and "EXIF" in line for line in leaks(plain))


def test_metadata_goes_and_the_pictures_stay(bags: tuple[Path, Path, Path]) -> None:
    _, redacted, plain = bags
    copies = _by_original(redacted)
    for name in (PHOTO, DRAWING, STICKER, VIDEO):
        original_sha = _by_original(plain)[name]["sha256"]
        record = copies[name]
        assert record["redaction"]["redacted_copy_of"] == original_sha, name
        assert record["sha256"] != original_sha and record["present"], name
        copy = (redacted / "data" / "media" / f"{record['sha256']}{Path(name).suffix}").read_bytes()
        original = FILES[name]
        if name == VIDEO:
            # blanked in place: same size, the samples where they were
            assert len(copy) == len(original) and copy.endswith(_box(b"mdat", SAMPLES))
            assert b"udta" not in copy and b"free" in copy
            continue
        assert _pixels(copy) == _pixels(original), name  # decoded pixels identical
    photo = copies[PHOTO]
    assert {"EXIF (APP1)", "XMP (APP1)", "comment (COM)"} <= set(photo["redaction"]["removed"])
    copy = (redacted / "data" / photo["sha256"].join(("media/", ".jpg"))).read_bytes()
    with Image.open(io.BytesIO(copy)) as image:
        assert dict(image.getexif()) == {0x0112: 6}  # only the orientation is left
    assert {"PNG tEXt chunk", "PNG zTXt chunk", "PNG iTXt chunk"} <= set(
        copies[DRAWING]["redaction"]["removed"]
    )


def test_the_name_on_a_screenshot_is_blacked_out(bags: tuple[Path, Path, Path]) -> None:
    _, redacted, plain = bags
    record = _by_original(redacted)[SCREEN]
    assert record["redaction"]["removed"] == ["redacted: 1 area blacked out (re-encoded as PNG)"]
    assert record["analysis"]["ocr"]["text"].endswith("IS A GRASS\nGOOD MORNING")
    with Image.open(redacted / "data" / "media" / f"{record['sha256']}.png") as image:
        copy = image.convert("RGB")
    with Image.open(io.BytesIO(FILES[SCREEN])) as image:
        original = image.convert("RGB")
    (x0, y0), (x1, y1) = NAME_BOX[0], NAME_BOX[2]
    inside = copy.crop((x0, y0, x1 + 1, y1 + 1))
    assert inside.getcolors() == [(inside.width * inside.height, (0, 0, 0))]  # solid
    for x, y in ((5, 5), (100, 135), (230, 170), (100, 100)):
        assert copy.getpixel((x, y)) == original.getpixel((x, y))  # the rest untouched
    # the report's thumbnail is the redacted copy's: no red (the name's pixels) in any image
    reader = pypdf.PdfReader(redacted / "data" / "report" / "report.pdf")
    shown = [i.image.convert("RGB") for page in reader.pages for i in page.images]
    assert shown and not any(_reddish(image) for image in shown)
    reader = pypdf.PdfReader(plain / "data" / "report" / "report.pdf")
    shown = [i.image.convert("RGB") for page in reader.pages for i in page.images]
    assert any(_reddish(image) for image in shown)  # not blind: the original's shows it


def _reddish(image: Image.Image) -> bool:
    return any(r > 180 and g < 80 and b < 80 for r, g, b in image.get_flattened_data())


def test_documents_and_cards_naming_them_are_withheld(bags: tuple[Path, Path, Path]) -> None:
    _, redacted, plain = bags
    copies, originals = _by_original(redacted), _by_original(plain)
    assert copies[STATEMENT]["redaction"] == {
        "withheld": NAMED,
        "original_sha256": originals[STATEMENT]["sha256"],
    }
    # a short file's hash is not given (its words could be guessed and confirmed by it)
    assert copies[NOTES]["redaction"] == {"withheld": CONTENT, "original_sha256": None}
    for name in (STATEMENT, NOTES, CARD):
        assert not copies[name]["present"] and copies[name]["sha256"] is None, name
    assert copies[CARD]["redaction"]["original_sha256"] is None  # a card's hash is guessable
    # a document that names no one is the original, unchanged
    assert copies[SHIFTS]["sha256"] == originals[SHIFTS]["sha256"]
    assert "redaction" not in copies[SHIFTS]
    # one that names no one the case knows loses its author, and keeps its content
    media = redacted / "data" / "media"
    rota = copies[ROTA]
    assert rota["redaction"]["redacted_copy_of"] == originals[ROTA]["sha256"]
    assert rota["redaction"]["removed"][0] == "PDF document information (Producer, Author, Title)"
    reader = pypdf.PdfReader(media / f"{rota['sha256']}.pdf")
    assert not reader.metadata and len(reader.pages) == 1
    minutes = copies[MINUTES]
    assert minutes["redaction"]["removed"] == [
        "document properties (docProps/core.xml)",
        "document properties (docProps/app.xml)",
    ]
    copy = zipfile.ZipFile(media / f"{minutes['sha256']}.docx")
    original = zipfile.ZipFile(io.BytesIO(FILES[MINUTES]))
    assert copy.namelist() == original.namelist()
    assert copy.read("word/document.xml") == original.read("word/document.xml")


def test_every_change_is_listed_and_both_bundles_verify(
    bags: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    case, redacted, plain = bags
    listed = [
        json.loads(line)
        for line in (redacted / "data/redaction/media.jsonl").read_text("utf-8").splitlines()
    ]
    originals = _by_original(plain)
    by_original = {row["original_sha256"]: row for row in listed}
    for name in (PHOTO, DRAWING, STICKER, VIDEO, SCREEN, STATEMENT, ROTA, MINUTES):
        row = by_original[originals[name]["sha256"]]
        assert row["removed"] or row["withheld"], name
        assert (row["file"] is None) == bool(row["withheld"]), name
    assert sum(row["original_sha256"] is None for row in listed) == 2  # the card, the notes
    assert len(listed) == 10  # all but the document that names no one and has no author
    with (redacted / "data/redaction/media.csv").open(encoding="utf-8-sig") as handle:
        assert len(list(csv.DictReader(handle))) == 10
    # the unredacted bundle has the originals as they were, and no list of changes
    for name in ATTACHED:
        record = originals[name]
        media = plain / "data" / "media" / f"{record['sha256']}{Path(name).suffix}"
        assert media.read_bytes() == FILES[name], name
    assert not (plain / "data" / "redaction").exists()
    # the reports say it beside each attachment
    page = html.unescape((redacted / "data" / "report" / "index.html").read_text("utf-8"))
    photo = by_original[originals[PHOTO]["sha256"]]
    assert f"Redacted copy of the original with SHA-256 {originals[PHOTO]['sha256']}: " in page
    assert f"Withheld from this redacted bundle: {NAMED}." in page
    pdf = pypdf.PdfReader(redacted / "data" / "report" / "report.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "Redacted copy of the original with SHA-256" in text and NAMED in text
    assert photo["removed"][0] == "EXIF (APP1)"
    capsys.readouterr()
    # the case's audit log says how many copies and withheld files the bundle has
    with open_case(case) as opened, opened.reading() as session:
        found = [e for e in audit_log.entries(session) if e["action"] == "bundle.exported"]
    (entry,) = [e for e in found if "media_redaction" in e["details"]]
    assert entry["details"]["media_redaction"] == {"copies": 7, "withheld": 3}
    assert main(["verify", str(redacted)]) == 0
    assert main(["verify", str(plain)]) == 0
    # the redacted copies were removed from the case's cache after the export
    assert not any((case / "cache" / "export-redacted-media").iterdir())


CORPUS_ZIP = (
    Path(__file__).resolve().parents[2].parent
    / "shared/corpus/whatsapp-zip-pustur/whatsapp-chat-parser-example.zip"
)


@pytest.mark.skipif(not CORPUS_ZIP.is_file(), reason="public sample exports not present")
def test_a_real_video_keeps_every_frame(tmp_path: Path) -> None:
    """A real WhatsApp export's MP4 loses its encoder tag (udta) and decodes to the same
    frames; its nested zip, whose chat names the others, is withheld."""
    av = pytest.importorskip("av")
    with create_case(tmp_path / "case", reference="OP-10", actor=ACTOR) as case:
        import_export(case, CORPUS_ZIP, ACTOR, ImportOptions(exhibit="X/1"))
        loris = next(p for p in participants.list_participants(case) if p.display_name == "Loris")
        participants.set_subject(case, ACTOR, loris.id, True)
        ids = [r["id"] for r in message_records(case) if r["attachments"]]
        tagging.tag(case, ACTOR, ids, "other")
    assert (
        main(["export", str(tmp_path / "case"), str(tmp_path / "out"), "--redact-uninvolved"]) == 0
    )
    records = _records(tmp_path / "out")
    video = records["00000002-VIDEO-2019-06-20-16-01-42.mp4"]
    assert video["redaction"]["removed"] == ["MP4 udta box of moov"]
    with zipfile.ZipFile(CORPUS_ZIP) as archive:
        original = archive.read("00000002-VIDEO-2019-06-20-16-01-42.mp4")
    copy = (tmp_path / "out/data/media" / f"{video['sha256']}.mp4").read_bytes()

    def frames(data: bytes) -> list[bytes]:
        with av.open(io.BytesIO(data)) as container:
            return [bytes(f.to_ndarray().tobytes()) for f in container.decode(video=0)]

    assert len(frames(copy)) == 43 and frames(copy) == frames(original)
    nested = records["00000004-whatsapp-chat-parser-example.zip"]
    assert nested["redaction"]["withheld"] == CONTENT and not nested["present"]
    assert main(["verify", str(tmp_path / "out")]) == 0


def test_verify_checks_the_list_of_redacted_copies(
    bags: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list naming a copy the bundle does not hold (manifests made again, so only this
    check can see it) fails verification, naming the line."""
    import shutil

    import bagit

    _, redacted, _ = bags
    bag = tmp_path / "bag"
    shutil.copytree(redacted, bag)
    listing = bag / "data" / "redaction" / "media.jsonl"
    rows = [json.loads(line) for line in listing.read_text("utf-8").splitlines()]
    rows[0]["sha256"] = "0" * 64
    listing.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    bagit.Bag(str(bag)).save(manifests=True)
    capsys.readouterr()
    assert main(["verify", str(bag)]) == 1
    assert "redaction/media.jsonl line 1 names media/" in capsys.readouterr().err
