"""Inspecting stored media and making thumbnails, including hostile files."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from reviewer.importers import media
from reviewer.importers.media import MediaInfo, inspect_media, make_thumbnail

OPUS_PAGE = (
    b"OggS\x00\x02"
    + bytes(8)
    + b"\x01\x00\x00\x00"
    + bytes(8)
    + b"\x01\x13OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
)


def exif_jpeg(path: Path, size: tuple[int, int] = (40, 20), orientation: int = 6) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 13"
    exif[0x0131] = "17.1"
    exif[0x0132] = "2024:03:14 10:02:11"
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = "2024:03:14 10:02:10"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 26.46)
    gps[3], gps[4] = "W", (0.0, 7.0, 39.9)
    Image.new("RGB", size, (10, 120, 200)).save(path, "JPEG", exif=exif)
    return path


def image_file(path: Path, fmt: str, size: tuple[int, int] = (30, 10), mode: str = "RGB") -> Path:
    Image.new(mode, size).save(path, fmt)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_jpeg_with_exif_and_gps(tmp_path: Path) -> None:
    path = exif_jpeg(tmp_path / "stored")
    info = inspect_media(path, "00000015-PHOTO-2024-03-14-10-02-11.jpg")
    assert info == MediaInfo(
        mime="image/jpeg",
        mime_mismatch=False,
        width=40,
        height=20,
        exif={
            "Make": "Apple",
            "Model": "iPhone 13",
            "Software": "17.1",
            "DateTime": "2024:03:14 10:02:11",
            "Orientation": "6",
            "DateTimeOriginal": "2024:03:14 10:02:10",
            "GPSLatitude": "51.507350",
            "GPSLongitude": "-0.127750",
        },
    )


def test_png_named_jpg_is_a_mismatch(tmp_path: Path) -> None:
    path = image_file(tmp_path / "stored", "PNG")
    info = inspect_media(path, "IMG-20240314-WA0007.jpg")
    assert (info.mime, info.mime_mismatch, info.width, info.height) == ("image/png", True, 30, 10)
    assert info.exif == {}


def test_text_named_jpg_is_a_mismatch_and_no_thumbnail(tmp_path: Path) -> None:
    path = tmp_path / "stored"
    path.write_text("this is not a photo\n", encoding="utf-8")
    info = inspect_media(path, "IMG-20240314-WA0007.jpg")
    assert info.mime == "text/plain"
    assert info.mime_mismatch
    assert (info.width, info.height) == (None, None)
    dest = tmp_path / "cache" / "t.jpg"
    assert make_thumbnail(path, dest) is False
    assert not dest.exists()


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (OPUS_PAGE, "PTT-20240314-WA0000.opus"),
        (b"BEGIN:VCARD\nVERSION:3.0\nFN:Jo Lee\nEND:VCARD\n", "00000042-Jo Lee.vcf"),
        (b"plain notes\n", "00000046-notes.txt"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "Statement.pdf"),
        (b"\x00\x01\x02 opaque", "data.weird-extension"),
        (b"plain text", "no-extension"),
        (b"", "IMG-20240314-WA0001.jpg"),
    ],
)
def test_consistent_or_undecidable_types_are_not_mismatches(
    tmp_path: Path, content: bytes, filename: str
) -> None:
    path = tmp_path / "stored"
    path.write_bytes(content)
    assert inspect_media(path, filename).mime_mismatch is False


@pytest.mark.parametrize(
    ("mime", "filename", "mismatch"),
    [
        ("audio/ogg", "PTT-1.opus", False),
        ("application/ogg", "PTT-1.OPUS", False),
        ("video/mp4", "VID-1.mp4", False),
        ("video/quicktime", "VID-1.mp4", False),
        ("audio/mp4", "AUD-1.m4a", False),
        ("text/vcard", "Jo.vcf", False),
        ("text/plain", "Jo.vcf", False),
        ("image/webp", "STK-1.webp", False),
        ("application/zip", "report.docx", False),
        ("image/jpeg", "STK-1.webp", True),
        ("application/x-dosexec", "IMG-1.jpg", True),
        ("image/png", "song.mp3", True),
        ("image/jpeg", "archive.unknownext", False),
    ],
)
def test_mismatch_table(mime: str, filename: str, mismatch: bool) -> None:
    assert media._is_mismatch(mime, filename) is mismatch


def test_thumbnail_applies_orientation_and_scales(tmp_path: Path) -> None:
    src = exif_jpeg(tmp_path / "stored", size=(1000, 500), orientation=6)
    before = sha256(src)
    dest = tmp_path / "cache" / "ab" / "thumb.jpg"
    assert make_thumbnail(src, dest, max_px=320) is True
    with Image.open(dest) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (160, 320)  # rotated to portrait, longest side max_px
    assert sha256(src) == before
    assert [p.name for p in dest.parent.iterdir()] == ["thumb.jpg"]  # no temp files left


def test_thumbnail_of_transparent_png_replaces_existing(tmp_path: Path) -> None:
    src = image_file(tmp_path / "stored", "PNG", size=(64, 64), mode="RGBA")
    dest = tmp_path / "thumb.jpg"
    dest.write_bytes(b"stale")
    assert make_thumbnail(src, dest) is True
    with Image.open(dest) as thumb:
        assert (thumb.mode, thumb.size) == ("RGB", (64, 64))


def test_truncated_jpeg_never_raises(tmp_path: Path) -> None:
    whole = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(whole, "JPEG")
    path = tmp_path / "stored"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    before = sha256(path)
    info = inspect_media(path, "IMG-1.jpg")
    assert (info.mime, info.mime_mismatch, info.width) == ("image/jpeg", False, 200)
    assert make_thumbnail(path, tmp_path / "t.jpg") is False
    assert not (tmp_path / "t.jpg").exists()
    assert sha256(path) == before


def test_corrupt_exif_never_raises(tmp_path: Path) -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpeg, "JPEG")
    garbage = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\xff\xff\x01\x0f\x00\x02\xff\xff\xff\xff"
    app1 = b"\xff\xe1" + (len(garbage) + 2).to_bytes(2, "big") + garbage
    path = tmp_path / "stored"
    path.write_bytes(jpeg.getvalue()[:2] + app1 + jpeg.getvalue()[2:])
    info = inspect_media(path, "IMG-1.jpg")
    assert info.mime == "image/jpeg"
    assert make_thumbnail(path, tmp_path / "t.jpg") in (True, False)


def test_decompression_bombs_are_refused_without_crashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error_band = image_file(tmp_path / "huge.png", "PNG", size=(100, 100))
    warning_band = image_file(tmp_path / "big.png", "PNG", size=(40, 40))
    # 10,000 pixels is over twice the limit (Pillow raises); 1,600 is over it (Pillow warns).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    for src in (error_band, warning_band):
        assert make_thumbnail(src, tmp_path / "t.jpg") is False
        assert not (tmp_path / "t.jpg").exists()
        assert inspect_media(src, src.name).mime == "image/png"
    assert inspect_media(warning_band, "big.png").width == 40
    assert inspect_media(error_band, "huge.png").width is None


def test_non_images_have_no_dimensions(tmp_path: Path) -> None:
    path = tmp_path / "stored"
    path.write_bytes(OPUS_PAGE)
    info = inspect_media(path, "PTT-1.opus")
    assert (info.mime, info.width, info.height, info.exif) == ("audio/ogg", None, None, {})
    assert make_thumbnail(path, tmp_path / "t.jpg") is False
