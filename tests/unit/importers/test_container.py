"""Opening WhatsApp exports: layouts, name resolution and hostile archives.

Every fixture is built here, in tmp_path.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import time
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from reviewer.core.errors import InputError
from reviewer.importers.container import ExportContainer, Limits, open_export

CHAT_IOS = (
    "[14/03/2024, 10:02:11] Sam: \u200e<attached: 00000015-PHOTO-2024-03-14-10-02-11.jpg>\r\n"
)
CHAT_ANDROID = "14/03/2024, 10:02 - Sam: IMG-20240314-WA0007.jpg (file attached)\n"


def make_zip(
    path: Path,
    entries: dict[str, bytes],
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, (2024, 3, 14, 10, 2, 10)), data)
    return path


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_all(container: ExportContainer, name: str) -> bytes:
    member = container.chat if container.chat.name == name else container.find(name)
    assert member is not None
    with member.open() as f:
        return f.read()


def central_entries(data: bytes) -> dict[str, int]:
    """Offsets of the central directory records, by stored name."""
    eocd = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", data, eocd + 10)
    found: dict[str, int] = {}
    at = start
    for _ in range(count):
        assert data[at : at + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        name = data[at + 46 : at + 46 + name_len].decode("utf-8")
        found[name] = at
        at += 46 + name_len + extra_len + comment_len
    return found


def patch_entry(path: Path, name: str, patch: Callable[[bytearray, int, int], None]) -> None:
    """Call patch(data, local_header_offset, central_record_offset) and write the result."""
    data = bytearray(path.read_bytes())
    central = central_entries(bytes(data))[name]
    (local,) = struct.unpack_from("<I", data, central + 42)
    patch(data, local, central)
    path.write_bytes(bytes(data))


# --- layouts --------------------------------------------------------------------------------


def test_ios_zip_with_media_at_root(tmp_path: Path) -> None:
    photo = jpeg_bytes()
    path = make_zip(
        tmp_path / "WhatsApp Chat - Shift B.zip",
        {"_chat.txt": CHAT_IOS.encode(), "00000015-PHOTO-2024-03-14-10-02-11.jpg": photo},
    )
    with open_export(path) as export:
        assert export.kind == "zip"
        assert export.path == path
        assert export.chat.name == "_chat.txt"
        assert export.chat.size == len(CHAT_IOS.encode())
        assert [m.name for m in export.members] == ["00000015-PHOTO-2024-03-14-10-02-11.jpg"]
        assert export.skipped == []
        assert read_all(export, "_chat.txt") == CHAT_IOS.encode()
        assert read_all(export, "00000015-PHOTO-2024-03-14-10-02-11.jpg") == photo


def test_android_zip(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "WhatsApp Chat with Sam.zip",
        {
            "WhatsApp Chat with Sam.txt": CHAT_ANDROID.encode(),
            "IMG-20240314-WA0007.jpg": jpeg_bytes(),
            "Jo Lee.vcf": b"BEGIN:VCARD\nFN:Jo Lee\nEND:VCARD\n",
        },
        compression=zipfile.ZIP_STORED,
    )
    with open_export(path) as export:
        assert export.chat.name == "WhatsApp Chat with Sam.txt"
        assert sorted(m.name for m in export.members) == ["IMG-20240314-WA0007.jpg", "Jo Lee.vcf"]
        assert read_all(export, "Jo Lee.vcf").startswith(b"BEGIN:VCARD")


@pytest.mark.parametrize(
    "chat_name",
    [
        "Chat de WhatsApp con Ana.txt",
        "Czat WhatsApp z Olą.txt",
        "Чат WhatsApp с Иваном.txt",
        "WhatsApp_Chat_with_Sam.txt",
        "WhatsApp%20Chat%20with%20Sam.txt",
    ],
)
def test_localised_and_mangled_chat_names(tmp_path: Path, chat_name: str) -> None:
    path = make_zip(tmp_path / "export.zip", {"notes.txt": b"x", chat_name: CHAT_ANDROID.encode()})
    with open_export(path) as export:
        assert export.chat.name == chat_name
        assert [m.name for m in export.members] == ["notes.txt"]


def test_whatsapp_name_beats_a_shorter_chat_named_document(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "export.zip",
        {"chat.txt": b"a document", "WhatsApp Chat with Sam.txt": CHAT_ANDROID.encode()},
    )
    with open_export(path) as export:
        assert export.chat.name == "WhatsApp Chat with Sam.txt"


def test_nested_folder_and_find_by_basename(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "rezipped.zip",
        {
            "WhatsApp Chat - X/_chat.txt": CHAT_IOS.encode(),
            "WhatsApp Chat - X/00000015-PHOTO-2024-03-14-10-02-11.jpg": b"beside",
            "elsewhere/deeper/00000015-PHOTO-2024-03-14-10-02-11.jpg": b"elsewhere",
        },
    )
    with open_export(path) as export:
        assert export.chat.name == "WhatsApp Chat - X/_chat.txt"
        found = export.find("00000015-PHOTO-2024-03-14-10-02-11.jpg")
        assert found is not None
        assert found.name == "WhatsApp Chat - X/00000015-PHOTO-2024-03-14-10-02-11.jpg"


def test_macosx_entries_are_skipped(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "mac.zip",
        {
            "_chat.txt": CHAT_IOS.encode(),
            "__MACOSX/._chat.txt": b"\x00\x05\x16\x07",
            "__MACOSX/._x.jpg": b"\x00\x05\x16\x07",
            "._x.jpg": b"\x00\x05\x16\x07",
            "x.jpg": b"photo",
        },
    )
    with open_export(path) as export:
        assert export.chat.name == "_chat.txt"
        assert [m.name for m in export.members] == ["x.jpg"]
        assert export.skipped == [
            "__MACOSX/._chat.txt: macOS resource fork",
            "__MACOSX/._x.jpg: macOS resource fork",
            "._x.jpg: macOS resource fork",
        ]


def test_duplicate_chat_copies_are_members(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "dup.zip",
        {"_chat (3).txt": b"older copy", "_chat.txt": CHAT_IOS.encode(), "a/": b""},
    )
    with open_export(path) as export:
        assert export.chat.name == "_chat.txt"
        assert [m.name for m in export.members] == ["_chat (3).txt"]


def test_nested_zip_is_just_a_member(tmp_path: Path) -> None:
    inner = make_zip(tmp_path / "inner.zip", {"_chat.txt": b"inner chat", "secret.jpg": b"s"})
    path = make_zip(
        tmp_path / "outer.zip", {"_chat.txt": CHAT_IOS.encode(), "evidence.zip": inner.read_bytes()}
    )
    with open_export(path) as export:
        assert [m.name for m in export.members] == ["evidence.zip"]
        assert read_all(export, "evidence.zip") == inner.read_bytes()


def test_android_folder_with_media(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "Media").mkdir(parents=True)
    (folder / "WhatsApp Chat with Sam.txt").write_text(CHAT_ANDROID, encoding="utf-8")
    (folder / "IMG-20240314-WA0007.jpg").write_bytes(jpeg_bytes())
    (folder / "Media" / "PTT-20240314-WA0008.opus").write_bytes(b"OggS")
    (folder / "._IMG-20240314-WA0007.jpg").write_bytes(b"\x00\x05")
    with open_export(folder) as export:
        assert export.kind == "folder"
        assert export.chat.name == "WhatsApp Chat with Sam.txt"
        assert [m.name for m in export.members] == [
            "IMG-20240314-WA0007.jpg",
            "Media/PTT-20240314-WA0008.opus",
        ]
        assert export.skipped == ["._IMG-20240314-WA0007.jpg: macOS resource fork"]
        found = export.find("PTT-20240314-WA0008.opus")
        assert found is not None and read_all(export, found.name) == b"OggS"
        assert read_all(export, "WhatsApp Chat with Sam.txt") == CHAT_ANDROID.encode()


def test_folder_symlinks_are_skipped_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.jpg").write_bytes(b"not part of the export")
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "WhatsApp Chat with Sam.txt").write_text(CHAT_ANDROID, encoding="utf-8")
    try:
        (folder / "link.jpg").symlink_to(outside / "private.jpg")
        (folder / "linked-dir").symlink_to(outside, target_is_directory=True)
    except OSError:
        pytest.skip("symbolic links are not available here")
    with open_export(folder) as export:
        assert export.members == []
        assert sorted(export.skipped) == [
            "link.jpg: symbolic link (not followed)",
            "linked-dir: symbolic link (not followed)",
        ]


def test_folder_member_changed_after_listing_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "WhatsApp Chat with Sam.txt").write_text(CHAT_ANDROID, encoding="utf-8")
    (folder / "a.jpg").write_bytes(b"12345")
    with open_export(folder) as export:
        (folder / "a.jpg").write_bytes(b"123456789")
        with pytest.raises(InputError, match="changed since"):
            export.members[0].open()


def test_bare_text_export(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Sam.txt"
    path.write_text(CHAT_ANDROID, encoding="utf-8")
    with open_export(path) as export:
        assert export.kind == "txt"
        assert export.chat.name == path.name
        assert export.members == [] and export.skipped == []
        assert read_all(export, path.name) == CHAT_ANDROID.encode()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16", "cp1252", "utf-8-sig"])
def test_text_in_other_encodings_is_accepted(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes("14/03/2024, 10:02 - Zoë: café “quoted”\n".encode(encoding))
    with open_export(path) as export:
        assert export.kind == "txt"


def test_zip_renamed_to_txt_is_detected_by_content(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "WhatsApp Chat with Sam.txt", {"_chat.txt": CHAT_IOS.encode()})
    with open_export(path) as export:
        assert export.kind == "zip"
        assert export.chat.name == "_chat.txt"


# --- find() -------------------------------------------------------------------------------


def test_find_resolves_nfd_names_from_nfc_references(tmp_path: Path) -> None:
    nfc = "00000046-Zoë Café.jpg"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    path = make_zip(tmp_path / "mac.zip", {"_chat.txt": CHAT_IOS.encode(), nfd: b"photo"})
    with open_export(path) as export:
        found = export.find(nfc)
        assert found is not None and found.name == nfd


def test_find_falls_back_to_case_url_decoding_and_bidi_marks(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "e.zip",
        {"_chat.txt": CHAT_IOS.encode(), "Statement 2024.pdf": b"%PDF", "IMG-1.JPG": b"j"},
    )
    with open_export(path) as export:
        assert export.find("statement 2024.PDF") is not None
        assert export.find("Statement%202024.pdf") is not None
        assert export.find("\u200eIMG-1.JPG ") is not None
        assert export.find("img-1.jpg") is not None
        assert export.find("missing.jpg") is None
        assert export.find("_chat.txt") is None  # the chat is not a member


def test_find_prefers_exact_over_case_insensitive(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "e.zip", {"_chat.txt": CHAT_IOS.encode(), "a.jpg": b"1", "sub/A.jpg": b"2"}
    )
    with open_export(path) as export:
        found = export.find("A.jpg")
        assert found is not None and found.name == "sub/A.jpg"


def test_find_repairs_utf8_names_stored_without_the_utf8_flag(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "win.zip", {"_chat.txt": CHAT_IOS.encode(), "CafXY.jpg": b"j"})
    path.write_bytes(path.read_bytes().replace(b"CafXY.jpg", "Café.jpg".encode()))
    with open_export(path) as export:
        (member,) = export.members
        assert member.name == "Café.jpg".encode().decode("cp437")
        assert export.find("Café.jpg") is member
        assert read_all(export, member.name) == b"j"


# --- refusals -----------------------------------------------------------------------------


def test_unsafe_member_names_are_skipped(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "evil.zip",
        {
            "_chat.txt": CHAT_IOS.encode(),
            "../evil.jpg": b"x",
            "/etc/passwd": b"x",
            "C:/Windows/evil.dll": b"x",
            "a/../../b.jpg": b"x",
            "ok.jpg": b"fine",
        },
    )
    with open_export(path) as export:
        assert [m.name for m in export.members] == ["ok.jpg"]
        assert len(export.skipped) == 4
        assert all("unsafe path" in s for s in export.skipped)
        assert export.skipped[0].startswith("../evil.jpg: ")
        assert export.find("evil.jpg") is None


def test_symlink_entries_in_zips_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", CHAT_IOS)
        link = zipfile.ZipInfo("link")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    with open_export(path) as export:
        assert export.members == []
        assert export.skipped == ["link: symbolic link (not followed)"]


def test_encrypted_member_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "locked.zip", {"_chat.txt": CHAT_IOS.encode(), "a.jpg": b"x"})

    def set_encrypted(data: bytearray, local: int, central: int) -> None:
        data[local + 6] |= 0x1
        data[central + 8] |= 0x1

    patch_entry(path, "a.jpg", set_encrypted)
    with pytest.raises(InputError, match=r"'a\.jpg' is encrypted") as err:
        open_export(path)
    assert err.value.file == "locked.zip"


def test_truncated_zip_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "cut.zip", {"_chat.txt": CHAT_IOS.encode(), "a.jpg": jpeg_bytes()})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="damaged or truncated") as err:
        open_export(path)
    assert err.value.file == "cut.zip"


def test_corrupt_member_fails_crc_naming_the_member(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "crc.zip",
        {"_chat.txt": CHAT_IOS.encode(), "photo.jpg": b"A" * 5000},
        compression=zipfile.ZIP_STORED,
    )

    def flip(data: bytearray, local: int, central: int) -> None:
        data[local + 30 + len("photo.jpg") + 100] ^= 0xFF

    patch_entry(path, "photo.jpg", flip)
    with (
        open_export(path) as export,
        pytest.raises(InputError, match=r"'photo\.jpg' fails its CRC"),
    ):
        read_all(export, "photo.jpg")


def test_corrupt_deflate_stream_names_the_member(tmp_path: Path) -> None:
    payload = os.urandom(2000) * 20
    path = make_zip(tmp_path / "bad.zip", {"_chat.txt": CHAT_IOS.encode(), "v.mp4": payload})

    def scramble(data: bytearray, local: int, central: int) -> None:
        start = local + 30 + len("v.mp4")
        data[start : start + 64] = b"\xff" * 64

    patch_entry(path, "v.mp4", scramble)
    with open_export(path) as export, pytest.raises(InputError, match=r"'v\.mp4'"):
        read_all(export, "v.mp4")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (jpeg_bytes(), "image/jpeg"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "application/pdf"),
        (bytes(range(256)) * 40, "not a WhatsApp export"),
    ],
)
def test_non_exports_are_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "upload.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected) as err:
        open_export(path)
    assert err.value.file == "upload.txt"


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_export(tmp_path / "nope.zip")


def test_zip_without_chat_lists_what_it_found(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "photos.zip", {"a.jpg": b"1", "b.jpg": b"2", "readme.txt": b"r"})
    with pytest.raises(InputError, match=r"no chat text file.*'a.jpg', 'b.jpg', 'readme.txt'"):
        open_export(path)


def test_folder_without_chat_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "a.jpg").write_bytes(b"1")
    with pytest.raises(InputError, match=r"found 1 file\(s\): 'a.jpg'"):
        open_export(tmp_path / "f")


def test_too_many_members_is_refused(tmp_path: Path) -> None:
    entries = {"_chat.txt": b"c"} | {f"{i}.jpg": b"x" for i in range(10)}
    path = make_zip(tmp_path / "many.zip", entries)
    with pytest.raises(InputError, match="declares 11 entries"):
        open_export(path, limits=Limits(max_members=10))
    folder = tmp_path / "many"
    folder.mkdir()
    for name, data in entries.items():
        (folder / name).write_bytes(data)
    with pytest.raises(InputError, match="more than 10 entries"):
        open_export(folder, limits=Limits(max_members=10))


def test_declared_total_above_limit_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "big.zip", {"_chat.txt": b"c" * 100, "v.mp4": os.urandom(1000)})
    with pytest.raises(InputError, match="1100 uncompressed bytes"):
        open_export(path, limits=Limits(max_total_bytes=1000))


def test_oversized_chat_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(CHAT_ANDROID * 10, encoding="utf-8")
    with pytest.raises(InputError, match="above the limit"):
        open_export(path, limits=Limits(max_chat_bytes=100))


def test_zip_bomb_is_refused_quickly_in_small_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    zeros = bytes(2**20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", CHAT_IOS)
        with zf.open("VID-20240314-WA0001.mp4", "w") as w:
            for _ in range(200):
                w.write(zeros)
    del zeros
    assert path.stat().st_size < 400_000

    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InputError, match="zip bomb"):
            open_export(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2.0
    assert peak < 5 * 2**20


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "overlap.zip",
        {"_chat.txt": CHAT_IOS.encode(), "a.jpg": b"a" * 500, "b.jpg": b"b" * 500},
    )
    first_local = central_entries(path.read_bytes())["a.jpg"]
    (a_offset,) = struct.unpack_from("<I", path.read_bytes(), first_local + 42)

    def point_at_a(data: bytearray, local: int, central: int) -> None:
        struct.pack_into("<I", data, central + 42, a_offset)

    patch_entry(path, "b.jpg", point_at_a)
    with pytest.raises(InputError, match="overlap"):
        open_export(path)


def test_lying_size_header_is_caught_while_streaming(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "liar.zip",
        {"_chat.txt": CHAT_IOS.encode(), "v.mp4": bytes(50 * 2**20)},
    )

    def shrink(data: bytearray, local: int, central: int) -> None:
        struct.pack_into("<I", data, local + 22, 1000)
        struct.pack_into("<I", data, central + 24, 1000)

    patch_entry(path, "v.mp4", shrink)
    tracemalloc.start()
    try:
        with open_export(path) as export:
            (member,) = export.members
            assert member.size == 1000
            with member.open() as f:
                with pytest.raises(InputError, match="inflates past"):
                    while f.read(4096):
                        pass
                with pytest.raises(InputError, match="inflates past"):
                    f.read(4096)  # the failure sticks; a retry never looks like a clean end
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20


def test_member_shorter_than_declared_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "short.zip", {"_chat.txt": CHAT_IOS.encode(), "a.jpg": b"a" * 900})

    def grow(data: bytearray, local: int, central: int) -> None:
        struct.pack_into("<I", data, local + 22, 1000)
        struct.pack_into("<I", data, central + 24, 1000)

    patch_entry(path, "a.jpg", grow)
    with open_export(path) as export, pytest.raises(InputError, match="not the declared 1000"):
        read_all(export, "a.jpg")


# --- streaming and integrity ---------------------------------------------------------------


def test_large_member_streams_intact(tmp_path: Path) -> None:
    payload = os.urandom(256 * 1024) * 12 + b"tail"
    path = make_zip(tmp_path / "big.zip", {"_chat.txt": CHAT_IOS.encode(), "v.mp4": payload})
    with open_export(path) as export:
        digest = hashlib.sha256()
        with export.members[0].open() as f:
            while chunk := f.read(100_000):
                digest.update(chunk)
        assert digest.hexdigest() == hashlib.sha256(payload).hexdigest()


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_empty_members_read_as_empty(tmp_path: Path, compression: int) -> None:
    path = make_zip(tmp_path / "e.zip", {"_chat.txt": b"", "empty.jpg": b""}, compression)
    with open_export(path) as export:
        assert read_all(export, "_chat.txt") == b""
        assert read_all(export, "empty.jpg") == b""


def test_close_closes_open_streams_and_refuses_new_ones(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "c.zip", {"_chat.txt": CHAT_IOS.encode(), "a.jpg": b"a"})
    export = open_export(path)
    stream = export.chat.open()
    export.close()
    assert stream.closed
    with pytest.raises(ValueError, match="closed"):
        export.members[0].open()


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    zip_path = make_zip(
        tmp_path / "e.zip",
        {"_chat.txt": CHAT_IOS.encode(), "a.jpg": jpeg_bytes(), "__MACOSX/._a.jpg": b"r"},
    )
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "WhatsApp Chat with Sam.txt").write_text(CHAT_ANDROID, encoding="utf-8")
    (folder / "IMG-20240314-WA0007.jpg").write_bytes(jpeg_bytes())
    files = [zip_path, *sorted(folder.iterdir())]
    before = {p: (sha256(p), p.stat().st_mtime_ns) for p in files}
    listing = sorted(tmp_path.rglob("*"))

    for target in (zip_path, folder):
        with open_export(target) as export:
            for member in [export.chat, *export.members]:
                with member.open() as f:
                    f.read()
            export.find("a.jpg")

    assert {p: (sha256(p), p.stat().st_mtime_ns) for p in files} == before
    assert sorted(tmp_path.rglob("*")) == listing  # nothing extracted or written
