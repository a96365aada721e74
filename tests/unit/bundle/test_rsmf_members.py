"""RSMF zip members: one per distinct attachment content and name, never two names the same
in any case (nor the manifest's), so no member can hold another attachment's bytes."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from bundle_factory import attachment, make_bundle, message
from rsmf_files import member_names, unpack, zip_part

from reviewer.bundle import rsmf
from reviewer.bundle.media import write_media
from reviewer.bundle.rsmf_check import check_rsmf
from reviewer.core.progress import CancelToken, NullProgress


def _write(folder: Path, messages: list[Any]) -> Path:
    bundle = make_bundle(messages)
    payload = folder / "payload"
    write_media(bundle, payload, NullProgress(), CancelToken())
    (name,) = rsmf.write_rsmf(bundle, payload, NullProgress(), CancelToken())
    return payload / name


def _members(path: Path) -> tuple[list[str], dict[str, Any], dict[str, bytes]]:
    _, manifest, files = unpack(path)
    return member_names(path), manifest, files


def _attachments_hold_their_own_bytes(manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    for event in manifest["events"]:
        stated = {
            c["name"][len(rsmf.SHA_PREFIX) :]: c["value"]
            for c in event["custom"]
            if c["name"].startswith(rsmf.SHA_PREFIX)
        }
        for listed in event.get("attachments", ()):
            assert hashlib.sha256(files[listed["id"]]).hexdigest() == stated[listed["id"]]


def _sent(tmp_path: Path, *files: tuple[str, bytes]) -> list[Any]:
    source = tmp_path / "evidence"
    source.mkdir(exist_ok=True)
    return [
        message(number, tagged=number == 1, attachments=(attachment(source, name, content),))
        for number, (name, content) in enumerate(files, 1)
    ]


def test_a_prefixed_name_already_taken_is_not_reused(tmp_path: Path) -> None:
    # x.jpg, then a file named as x.jpg's prefixed name would be, then x.jpg with other bytes
    taken = hashlib.sha256(b"two").hexdigest()[:12]
    messages = _sent(tmp_path, ("x.jpg", b"one"), (f"{taken}-x.jpg", b"three"), ("x.jpg", b"two"))
    path = _write(tmp_path, messages)
    assert check_rsmf(path) == []
    names, manifest, files = _members(path)
    assert len({n.casefold() for n in names}) == len(names) == 4
    _attachments_hold_their_own_bytes(manifest, files)
    shown = [a["display"] for e in manifest["events"] for a in e["attachments"]]
    assert shown == ["x.jpg", f"{taken}-x.jpg", "x.jpg"]  # the names as sent
    again = _write(tmp_path / "again", messages)
    assert again.read_bytes() == path.read_bytes()  # the same names on every export


def test_names_differing_only_in_case_get_members_of_their_own(tmp_path: Path) -> None:
    taken = hashlib.sha256(b"two").hexdigest()[:12].upper()
    messages = _sent(
        tmp_path,
        ("Photo.JPG", b"one"),
        (f"{taken}-PHOTO.jpg", b"three"),
        ("photo.jpg", b"two"),
        ("PHOTO.jpg", b"four"),
    )
    path = _write(tmp_path, messages)
    assert check_rsmf(path) == []
    names, manifest, files = _members(path)
    assert len({n.casefold() for n in names}) == len(names) == 5
    _attachments_hold_their_own_bytes(manifest, files)


def test_no_member_is_named_as_the_manifest_in_any_case(tmp_path: Path) -> None:
    messages = _sent(
        tmp_path,
        ("RSMF_MANIFEST.JSON", b"one"),
        ("rsmf_manifest.json", b"two"),
        ("Rsmf_Manifest.json", b"three"),
    )
    path = _write(tmp_path, messages)
    assert check_rsmf(path) == []
    names, manifest, files = _members(path)
    assert [n for n in names if n.casefold() == rsmf.MANIFEST] == [rsmf.MANIFEST]
    assert len({n.casefold() for n in names}) == len(names) == 4
    _attachments_hold_their_own_bytes(manifest, files)


def test_the_same_content_and_name_is_one_member(tmp_path: Path) -> None:
    messages = _sent(tmp_path, ("x.jpg", b"one"), ("x.jpg", b"one"), ("y.jpg", b"one"))
    names, manifest, files = _members(_write(tmp_path, messages))
    assert sorted(names) == sorted([rsmf.MANIFEST, "x.jpg", "y.jpg"])
    _attachments_hold_their_own_bytes(manifest, files)


def test_the_checker_reports_member_names_that_clash(tmp_path: Path) -> None:
    """A zip whose names differ only in case loses a member when extracted on Windows or
    macOS; the checker says so (it read the members into a dict, merging them silently)."""
    path = _write(tmp_path, _sent(tmp_path, ("x.jpg", b"one")))
    assert check_rsmf(path) == []
    eml, part, data = zip_part(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.writestr("X.JPG", b"two")
    part.set_content(
        buffer.getvalue(),
        maintype="application",
        subtype="octet-stream",
        filename=part.get_filename(),
    )
    path.write_bytes(eml.as_bytes())
    assert any("'X.JPG' clashes with 'x.jpg'" in p for p in check_rsmf(path))
