"""RSMF 2.0 writer: schema, references, EML layer, slicing, and what the checker catches."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from pathlib import Path
from typing import Any

import pytest
from bundle_factory import attachment, make_bundle, message
from jsonschema import Draft7Validator, FormatChecker  # type: ignore[import-untyped]
from rsmf_files import unpack

from reviewer.bundle import rsmf
from reviewer.bundle.media import write_media
from reviewer.bundle.rsmf_check import check_manifest, check_rsmf, schema
from reviewer.bundle.rsmf_eml import BOUNDARY
from reviewer.core.progress import CancelToken, NullProgress

SHARED_SCHEMA = Path(__file__).parents[4] / "shared" / "schemas" / "rsmf" / "rsmf_schema_2_0_0.json"


def write(tmp_path: Path, messages: list[Any]) -> list[Path]:
    bundle = make_bundle(messages)
    payload = tmp_path / "payload"
    write_media(bundle, payload, NullProgress(), CancelToken())
    names = rsmf.write_rsmf(bundle, payload, NullProgress(), CancelToken())
    return [payload / n for n in names]


@pytest.fixture
def sample(tmp_path: Path) -> list[Any]:
    media = tmp_path / "evidence"
    media.mkdir()
    photo = attachment(media, "00000015-PHOTO.jpg", b"\xff\xd8 a photo")
    return [
        message(
            1,
            sender=None,
            kind="system",
            system_event="created",
            text="Sam Reid created group",
            subjects=(),
        ),
        message(
            2,
            sender=None,
            kind="system",
            system_event="added",
            text="Sam added Jo Park",
            subjects=("Jo Park",),
        ),
        message(3, tagged=True, attachments=(photo,)),
        message(4, sender="Jo Park", reply_to=3, edited=True),
        message(5, sender="Sam Reid", kind="deleted", text="This message was deleted."),
        message(
            6,
            sender=None,
            kind="system",
            system_event="left",
            text="Ghost left",
            subjects=("Ghost",),
        ),
    ]


def test_the_packaged_schema_is_relativitys(tmp_path: Path) -> None:
    if not SHARED_SCHEMA.is_file():
        pytest.skip("../shared is not present")
    assert schema() == json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))


def test_manifest_validates_and_references_resolve(tmp_path: Path, sample: list[Any]) -> None:
    (path,) = write(tmp_path, sample)
    eml, manifest, files = unpack(path)
    schema_doc = json.loads(SHARED_SCHEMA.read_text()) if SHARED_SCHEMA.is_file() else schema()
    validator = Draft7Validator(schema_doc, format_checker=FormatChecker())
    assert list(validator.iter_errors(manifest)) == []
    assert check_manifest(manifest, files) == []
    assert check_rsmf(path) == []
    assert eml["X-RSMF-Version"] == "2.0.0"
    assert eml["X-RSMF-EventCount"] == "6"
    assert eml["X-RSMF-AttachmentCount"] == "1"
    assert eml["X-RSMF-BeginDate"].endswith("Z")
    assert eml["X-RSMF-Custodian"] == "Sam Reid"
    assert eml.get_body(("plain",)) is not None


def test_events_carry_flags_parents_and_membership(tmp_path: Path, sample: list[Any]) -> None:
    (path,) = write(tmp_path, sample)
    _, manifest, files = unpack(path)
    events = {e["id"]: e for e in manifest["events"]}
    assert [e["type"] for e in manifest["events"]] == [
        "join",
        "join",
        "message",
        "message",
        "message",
        "leave",
    ]
    assert events["M4"]["parent"] == "M3"
    assert events["M4"]["edits"] == [{"participant": "P3"}]
    assert events["M5"]["deleted"] is True
    assert events["M3"]["importance"] == "high"
    assert events["M3"]["direction"] == "incoming" and events["M5"]["direction"] == "outgoing"
    (photo,) = events["M3"]["attachments"]
    assert photo["id"] in files
    assert all(e["timestamp"].endswith("Z") for e in manifest["events"])
    ghost = events["M6"]["participant"]
    assert any(p["id"] == ghost and p["display"] == "Ghost" for p in manifest["participants"])
    conversation = manifest["conversations"][0]
    assert conversation["type"] == "channel" and conversation["custodian"] == "P2"


def test_large_conversations_are_sliced_with_one_collection_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rsmf, "MAX_EVENTS", 4)
    paths = write(
        tmp_path,
        [message(i, tagged=i == 5, reply_to=i - 1 if i > 1 else None) for i in range(1, 11)],
    )
    assert [p.name for p in paths] == [
        "AB_1 Shift B-part1.rsmf",
        "AB_1 Shift B-part2.rsmf",
        "AB_1 Shift B-part3.rsmf",
    ]
    collections = set()
    for path in paths:
        assert check_rsmf(path) == []
        _, manifest, _ = unpack(path)
        assert len(manifest["events"]) <= 4
        collections.add(manifest["eventcollectionid"])
        first = manifest["events"][0]
        assert "parent" not in first  # its parent is in the previous slice
    assert len(collections) == 1


def test_the_real_limit_is_ten_thousand() -> None:
    assert rsmf.MAX_EVENTS == 10_000


def test_checker_catches_what_the_schema_allows(tmp_path: Path, sample: list[Any]) -> None:
    (path,) = write(tmp_path, sample)
    _, manifest, files = unpack(path)
    event = manifest["events"][2]
    event["attachment"] = event.pop("attachments")  # misspelt: the schema accepts it
    assert any(
        "undefined property /events/2/attachment" in p for p in check_manifest(manifest, files)
    )
    _, manifest, files = unpack(path)
    manifest["events"][3]["participant"] = "P99"
    assert any("'P99' is not defined" in p for p in check_manifest(manifest, files))
    _, manifest, files = unpack(path)
    manifest["events"][3]["timestamp"] = "2024-03-14T10:00:00"  # no offset
    assert any("date-time" in p for p in check_manifest(manifest, files))
    _, manifest, files = unpack(path)
    files.pop(manifest["events"][2]["attachments"][0]["id"])
    assert any("not in the zip" in p for p in check_manifest(manifest, files))
    _, manifest, files = unpack(path)
    first = next(iter(files))
    files[first] = b"changed"
    assert any("does not match its stated SHA-256" in p for p in check_manifest(manifest, files))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AB/1 Shift: B?", "AB_1 Shift_ B_"),
        ("CON", "_CON"),
        ("chat. ", "chat"),
        ("", "unnamed"),
        ("a" * 200, "a" * 80),
    ],
)
def test_file_names_are_safe_on_windows(name: str, expected: str) -> None:
    from reviewer.bundle.files import safe_filename

    assert safe_filename(name) == expected


TRICKY_TEXTS = [
    *("a" * n + blank for n in range(70, 80) for blank in (" ", "\t", "  ")),
    *("é" * n + " " for n in range(22, 28)),
    "x=y " * 40,
    "windows\r\nline ends\rand a lone CR",
    ".",
    "From the start\nFrom here",
    "emoji 😀 and a line separator \u2028 here",
    "--=_rsmf\n--=_rsmf--\n=_rsmf --=_rsmf",  # the boundary, as text
    "a line\n.\n. \n.\t\nthen more",
    "=" * 80 + "\n" + "a" * 76 + "\t\n" + "a" * 74 + " \t",
    "next line \x85 and form feed \x0c and vertical tab \x0b",
]


def test_body_is_quoted_printable_of_lines_at_most_76_and_decodes_as_written(
    tmp_path: Path,
) -> None:
    messages = [message(i, text=t) for i, t in enumerate(TRICKY_TEXTS, 1)]
    (path,) = write(tmp_path, messages)
    assert check_rsmf(path) == []
    eml, _, _ = unpack(path)
    body = eml.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    assert body["Content-Transfer-Encoding"] == "quoted-printable"
    assert body.get_content_charset() == "utf-8"
    # the text as the email package's own quoted-printable encoder gives it
    reference = EmailMessage(policy=SMTP)
    reference.set_content(rsmf._body(messages), subtype="plain", cte="quoted-printable")
    parsed = message_from_bytes(reference.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    assert body.get_content() == parsed.get_content()
    raw = body.get_payload(decode=False)
    assert isinstance(raw, str)
    assert max(len(line) for line in raw.splitlines()) <= 76
    # the file's bytes: CRLF line ends only, and the boundary only on its delimiter lines
    data = path.read_bytes()
    assert b"\r" not in data.replace(b"\r\n", b"") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    delimiter = b"--" + BOUNDARY.encode("ascii")
    assert [line for line in lines if delimiter in line] == [
        delimiter,
        delimiter,
        delimiter + b"--",
    ]
    assert data.count(delimiter) == 3
    # the text part's bytes, between its headers and the next delimiter: no line a lone "."
    # (SMTP's end of data), none ending in a blank (which transport may strip), none over 76
    start = lines.index(delimiter)
    part = lines[start + 1 : lines.index(delimiter, start + 1)]
    text = part[part.index(b"") + 1 :]
    assert b"Content-Transfer-Encoding: quoted-printable" in part[: part.index(b"")]
    assert len(text) > len(TRICKY_TEXTS)
    for line in text:
        assert line != b"."
        assert not line.endswith((b" ", b"\t"))
        assert len(line) <= 76
        assert all(32 <= byte < 127 for byte in line)


def test_the_same_bundle_gives_the_same_bytes(tmp_path: Path, sample: list[Any]) -> None:
    (first,) = write(tmp_path / "one", sample)
    (second,) = write(tmp_path / "two", sample)
    assert first.read_bytes() == second.read_bytes()
