"""Inspect a stored media file: its real type, its dimensions, selected EXIF; thumbnails.

Attachments are hostile input. Nothing raised or warned by Pillow for a bad file escapes
from here: callers get what could be read, and ``None``/``False`` for the rest.
"""

from __future__ import annotations

import io
import math
import mimetypes
import os
import struct
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import magic
from PIL import Image, ImageOps

__all__ = ["MediaInfo", "inspect_media", "make_thumbnail"]

_SNIFF_BYTES = 1 << 20  # libmagic's own default read limit
_UNKNOWN_TYPES = frozenset(
    {"application/octet-stream", "application/x-empty", "inode/x-empty", "application/empty"}
)

# Pillow raises a wide and version-dependent range of errors for malformed files.
_PIL_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    ValueError,
    SyntaxError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    MemoryError,
    Image.DecompressionBombError,
)

# Types that name the same kind of content for our purpose, as libmagic or mimetypes spell them.
_FAMILIES: dict[str, str] = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/heif": "image/heic",
    "image/heic-sequence": "image/heic",
    "image/heif-sequence": "image/heic",
    "image/x-ms-bmp": "image/bmp",
    "audio/opus": "audio/ogg",
    "audio/x-opus+ogg": "audio/ogg",
    "application/ogg": "audio/ogg",
    "video/ogg": "audio/ogg",
    "audio/mp4": "iso-media",
    "audio/x-m4a": "iso-media",
    "audio/m4a": "iso-media",
    "video/mp4": "iso-media",
    "video/quicktime": "iso-media",
    "video/3gpp": "iso-media",
    "video/3gpp2": "iso-media",
    "audio/3gpp": "iso-media",
    "video/x-m4v": "iso-media",
    "application/mp4": "iso-media",
    "audio/x-wav": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-hx-aac-adts": "audio/aac",
    "audio/x-aac": "audio/aac",
    "audio/x-mpeg": "audio/mpeg",
    "audio/mp3": "audio/mpeg",
    "audio/x-amr": "audio/amr",
    "video/x-matroska": "video/webm",
    "application/x-zip-compressed": "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "application/zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "application/zip",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "application/zip",
    "application/vnd.oasis.opendocument.text": "application/zip",
    "application/vnd.oasis.opendocument.spreadsheet": "application/zip",
    "application/epub+zip": "application/zip",
    "application/vnd.android.package-archive": "application/zip",
    "application/msword": "ole",
    "application/vnd.ms-excel": "ole",
    "application/vnd.ms-powerpoint": "ole",
    "application/cdfv2": "ole",
    "application/x-ole-storage": "ole",
}

# Extensions WhatsApp uses that mimetypes misses or gets wrong on some platforms.
_EXTENSIONS: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".heif": "image/heic",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".mp4": "iso-media",
    ".m4a": "iso-media",
    ".m4v": "iso-media",
    ".mov": "iso-media",
    ".3gp": "iso-media",
    ".aac": "audio/aac",
    ".amr": "audio/amr",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".webm": "video/webm",
    ".mkv": "video/webm",
    ".pdf": "application/pdf",
    ".vcf": "text",
    ".txt": "text",
    ".csv": "text",
    ".docx": "application/zip",
    ".xlsx": "application/zip",
    ".pptx": "application/zip",
    ".zip": "application/zip",
    ".doc": "ole",
    ".xls": "ole",
    ".ppt": "ole",
}

_MIMETYPES = mimetypes.MimeTypes()  # built-in table only: the same answer on every machine

_BASE_TAGS = {"Make": 0x010F, "Model": 0x0110, "Software": 0x0131, "DateTime": 0x0132}
_ORIENTATION = 0x0112
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL = 0x9003
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4


@dataclass(frozen=True)
class MediaInfo:
    """What a stored attachment really is."""

    mime: str
    mime_mismatch: bool
    width: int | None = None
    height: int | None = None
    exif: dict[str, str] = field(default_factory=dict)


def inspect_media(path: Path | bytes, filename: str) -> MediaInfo:
    """Type (libmagic), mismatch against ``filename``'s extension, size and EXIF of ``path``
    (a file, or its content already in memory)."""
    mime = _detect_mime(path)
    mismatch = _is_mismatch(mime, filename)
    width = height = None
    exif: dict[str, str] = {}
    with _quiet_pillow():
        try:
            with Image.open(_readable(path)) as im:
                width, height = im.size
                exif = _read_exif(im)
        except _PIL_ERRORS:
            pass
    return MediaInfo(mime=mime, mime_mismatch=mismatch, width=width, height=height, exif=exif)


def make_thumbnail(src: Path | bytes, dest: Path, *, max_px: int = 320) -> bool:
    """Write a JPEG thumbnail of an image (a file, or its content) to ``dest``; False if
    ``src`` is no usable image.

    EXIF orientation is applied. Images above Pillow's MAX_IMAGE_PIXELS are refused rather
    than decoded. ``dest`` appears complete or not at all.
    """
    with _quiet_pillow() as caught:
        try:
            thumb = _render_thumbnail(src, max_px)
        except _PIL_ERRORS:
            return False
        if thumb is None or any(
            issubclass(w.category, Image.DecompressionBombWarning) for w in caught
        ):
            return False
        try:
            _save_atomically(thumb, dest)
        except _PIL_ERRORS:
            return False
    return True


# --- type ---------------------------------------------------------------------------------


def _readable(source: Path | bytes) -> Path | io.BytesIO:
    return io.BytesIO(source) if isinstance(source, bytes) else source


def _detect_mime(path: Path | bytes) -> str:
    if isinstance(path, bytes):
        head = path[:_SNIFF_BYTES]
    else:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    try:
        return str(magic.from_buffer(head, mime=True)).lower()
    except magic.MagicException:
        return "application/octet-stream"


def _is_mismatch(mime: str, filename: str) -> bool:
    expected = _expected_family(filename)
    if expected is None or mime in _UNKNOWN_TYPES:
        return False
    return expected != _family(mime)


def _expected_family(filename: str) -> str | None:
    suffix = os.path.splitext(filename)[1].lower()
    if not suffix:
        return None
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    guessed, _ = _MIMETYPES.guess_type("x" + suffix, strict=False)
    return _family(guessed) if guessed else None


def _family(mime: str) -> str:
    mime = mime.split(";", 1)[0].strip().lower()
    if mime.startswith("text/"):
        return "text"
    return _FAMILIES.get(mime, mime)


# --- Pillow -------------------------------------------------------------------------------


_PILLOW = threading.RLock()


@contextmanager
def _quiet_pillow() -> Iterator[list[warnings.WarningMessage]]:
    """Record Pillow's warnings instead of letting them surface (or become errors).

    ``catch_warnings`` swaps process-wide state; that is acceptable here because no warning
    from this code path is meant for anyone but the caller of this module. One thread at a
    time (an import's inspector and the window's thumbnail maker may both call in): two
    overlapping swaps would restore each other's filters.
    """
    with _PILLOW, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _render_thumbnail(src: Path | bytes, max_px: int) -> Image.Image | None:
    with Image.open(_readable(src)) as im:
        limit = Image.MAX_IMAGE_PIXELS
        if limit is not None and im.width * im.height > limit:
            return None
        im.draft("RGB", (max_px, max_px))  # JPEG decodes at a reduced scale: fast, small
        upright = ImageOps.exif_transpose(im)
        if upright is None or upright is im:
            upright = im.copy()  # must outlive the file, which closes on leaving this block
        upright.thumbnail((max_px, max_px))
        return _to_rgb(upright)


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


def _save_atomically(im: Image.Image, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            im.save(f, format="JPEG", quality=85)
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _read_exif(im: Image.Image) -> dict[str, str]:
    exif = im.getexif()
    found: dict[str, str] = {}
    for key, tag in _BASE_TAGS.items():
        _put(found, key, exif.get(tag))
    _put(found, "Orientation", exif.get(_ORIENTATION))
    _put(found, "DateTimeOriginal", exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL))
    gps = exif.get_ifd(_GPS_IFD)
    _put(found, "GPSLatitude", _degrees(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "S"))
    _put(found, "GPSLongitude", _degrees(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), "W"))
    return found


def _put(found: dict[str, str], key: str, value: Any) -> None:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if value is None:
        return
    text = str(value).strip("\x00 \t\r\n")
    if text:
        found[key] = text


def _degrees(value: Any, ref: Any, negative_ref: str) -> str | None:
    """Decimal degrees from EXIF (degrees, minutes, seconds) rationals, as text."""
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    decimal = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(decimal):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("latin-1")
    if isinstance(ref, str) and ref.strip("\x00 ").upper() == negative_ref:
        decimal = -decimal
    return f"{decimal:.6f}"
