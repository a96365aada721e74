"""Metadata removed from a media file without touching its pixels or sound, for a redacted
bundle: the file's container is rewritten segment by segment (nothing is decoded or
re-encoded), keeping only what decoding and display need.

- JPEG: APP1 (EXIF, XMP), APP13 (IPTC), other APPn, COM and bytes after the end of the image
  are dropped; JFIF (without its thumbnail), ICC profile and Adobe (colour transform)
  segments are kept. A rotated photo keeps a minimal EXIF holding only its orientation.
- PNG: only chunks that decoding and colour need are kept (tEXt, zTXt, iTXt, eXIf, tIME and
  private chunks are dropped).
- WebP: EXIF, XMP and unknown chunks are dropped (WhatsApp stickers name their publisher).
- MP4/MOV/3GP/M4A: ``udta`` and ``meta`` boxes of the movie and its tracks and top-level
  ``uuid`` boxes (XMP) become ``free`` boxes of the same size, zeroed, so no sample offset
  moves.
- HEIF/HEIC/AVIF: the bytes of the EXIF and XMP items are zeroed where they lie.
- GIF: comments and application extensions but the loop count; MP3: ID3 and APE tags; Ogg
  Opus/Vorbis: user comments blanked in place (:mod:`reviewer.bundle.media_tags`).

Pillow can rewrite these formats only by re-encoding them (JPEG, WebP lossy), and piexif only
removes EXIF (not XMP, IPTC or comments); so these walkers are written here (MP4 and HEIF in
:mod:`reviewer.bundle.media_isobmff`).
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from reviewer.bundle.media_isobmff import CannotClean, Unsupported, clean_isobmff, is_isobmff
from reviewer.bundle.media_tags import clean_gif, clean_mp3, clean_ogg, is_mp3

__all__ = [
    "CannotClean",
    "Cleaned",
    "Unsupported",
    "clean",
    "clean_file",
    "clean_jpeg",
    "clean_png",
    "clean_webp",
]

ORIENTATION = 0x0112


@dataclass(frozen=True, slots=True)
class Cleaned:
    data: bytes
    removed: tuple[str, ...]  # what was taken out, for the bundle's list of redacted copies


def clean(data: bytes) -> Cleaned:
    """``data`` with its metadata removed; raises :class:`Unsupported` for other formats."""
    if data.startswith(b"\xff\xd8\xff"):
        return clean_jpeg(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return clean_png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return clean_webp(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return Cleaned(*clean_gif(data))
    if data.startswith(b"OggS"):
        return Cleaned(*clean_ogg(data))
    if is_mp3(data[:4]):
        return Cleaned(*clean_mp3(data))
    raise Unsupported("no metadata remover for this format")


# --------------------------------------------------------------------------- JPEG

_SOS, _EOI, _COM, _APP0, _APP2, _APP14 = 0xDA, 0xD9, 0xFE, 0xE0, 0xE2, 0xEE


def clean_jpeg(data: bytes) -> Cleaned:
    out = [data[:2]]
    removed: list[str] = []
    pos = 2
    try:
        while True:
            if data[pos] != 0xFF:
                raise CannotClean("JPEG: a segment does not start with a marker")
            marker = data[pos + 1]
            if marker == 0xFF:  # fill byte
                pos += 1
                continue
            if marker == _EOI:
                out.append(data[pos : pos + 2])
                if len(data) > pos + 2:
                    removed.append(f"{len(data) - pos - 2} bytes after the end of the image")
                break
            if 0xD0 <= marker <= 0xD7 or marker == 0x01:
                out.append(data[pos : pos + 2])
                pos += 2
                continue
            end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
            if end > len(data):
                raise CannotClean("JPEG: truncated segment")
            kept, why = _jpeg_segment(marker, data[pos:end])
            if kept:
                out.append(kept)
            if why:
                removed.append(why)
            pos = end
            if marker == _SOS:
                scan_end = _scan_end(data, pos)
                out.append(data[pos:scan_end])
                pos = scan_end
    except IndexError as exc:
        raise CannotClean("JPEG: truncated") from exc
    if not removed:
        return Cleaned(data, ())
    orientation = _orientation(data)
    if orientation not in (None, 1):
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        payload = exif.tobytes()
        out.insert(2 if out[1][1] == _APP0 else 1, _segment(0xE1, payload))
        removed.append(f"(kept: EXIF orientation {orientation})")
    return Cleaned(b"".join(out), tuple(removed))


def _jpeg_segment(marker: int, segment: bytes) -> tuple[bytes | None, str | None]:
    """The segment to keep (or None) and what was removed (or None)."""
    payload = segment[4:]
    if marker == _APP0 and payload.startswith(b"JFIF\0") and len(payload) >= 14:
        if payload[12] or payload[13]:  # a JFIF thumbnail: the picture before any edit
            return _segment(_APP0, payload[:12] + b"\0\0"), "JFIF thumbnail"
        return segment, None
    if marker == _APP2 and payload.startswith(b"ICC_PROFILE\0"):
        return segment, None
    if marker == _APP14 and payload.startswith(b"Adobe"):
        return segment, None
    if marker == _COM:
        return None, "comment (COM)"
    if 0xE0 <= marker <= 0xEF:
        return None, _app_name(marker, payload)
    return segment, None


def _app_name(marker: int, payload: bytes) -> str:
    n = marker - 0xE0
    if payload.startswith(b"Exif\0"):
        return "EXIF (APP1)"
    if payload.startswith((b"http://ns.adobe.com/xap/", b"http://ns.adobe.com/xmp/")):
        return "XMP (APP1)"
    if payload.startswith(b"Photoshop 3.0"):
        return "IPTC/Photoshop (APP13)"
    if payload.startswith(b"MPF\0"):
        return "multi-picture index (APP2 MPF)"
    label = payload[:16].split(b"\0", 1)[0].decode("ascii", "replace")
    label = "".join(c for c in label if c.isprintable())
    return f"APP{n} segment" + (f" ({label})" if label else "")


def _scan_end(data: bytes, pos: int) -> int:
    """The offset of the marker ending an entropy-coded scan that starts at ``pos``."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise CannotClean("JPEG: the image data has no end")
        following = data[found + 1]
        if following == 0 or 0xD0 <= following <= 0xD7:
            pos = found + 2
        elif following == 0xFF:
            pos = found + 1
        else:
            return found


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _orientation(data: bytes) -> int | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            value = image.getexif().get(ORIENTATION)
    except (OSError, ValueError, SyntaxError):
        return None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


# --------------------------------------------------------------------------- PNG

_PNG_KEEP = frozenset(
    (
        b"IHDR",
        b"PLTE",
        b"IDAT",
        b"IEND",
        b"tRNS",
        b"gAMA",
        b"cHRM",
        b"sRGB",
        b"iCCP",
        b"cICP",
        b"mDCV",
        b"cLLI",
        b"sBIT",
        b"bKGD",
        b"pHYs",
        b"hIST",
        b"sPLT",
        b"acTL",
        b"fcTL",
        b"fdAT",
    )
)


def clean_png(data: bytes) -> Cleaned:
    out = [data[:8]]
    removed: list[str] = []
    pos = 8
    while pos < len(data):
        if pos + 12 > len(data):
            raise CannotClean("PNG: truncated chunk")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise CannotClean("PNG: truncated chunk")
        if kind in _PNG_KEEP:
            out.append(data[pos:end])
        else:
            removed.append(f"PNG {kind.decode('latin-1')} chunk")
        pos = end
        if kind == b"IEND":
            if pos < len(data):
                removed.append(f"{len(data) - pos} bytes after the end of the image")
            break
    if not removed:
        return Cleaned(data, ())
    return Cleaned(b"".join(out), tuple(removed))


# --------------------------------------------------------------------------- WebP

_WEBP_KEEP = frozenset((b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"))
_VP8X_EXIF_XMP = 0x08 | 0x04


def clean_webp(data: bytes) -> Cleaned:
    chunks: list[bytes] = []
    removed: list[str] = []
    pos = 12
    end_of_riff = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    while pos + 8 <= end_of_riff:
        kind = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        end = pos + 8 + size + (size & 1)
        if pos + 8 + size > len(data):
            raise CannotClean("WebP: truncated chunk")
        chunk = data[pos:end]
        if kind == b"VP8X" and size >= 1 and chunk[8] & _VP8X_EXIF_XMP:
            chunk = chunk[:8] + bytes((chunk[8] & ~_VP8X_EXIF_XMP & 0xFF,)) + chunk[9:]
        if kind in _WEBP_KEEP:
            chunks.append(chunk)
        else:
            removed.append(f"WebP {kind.decode('latin-1').strip()} chunk")
        pos = end
    if not removed:
        return Cleaned(data, ())
    body = b"WEBP" + b"".join(chunks)
    return Cleaned(b"RIFF" + len(body).to_bytes(4, "little") + body, tuple(removed))


# --------------------------------------------------------------------------- files


def clean_file(source: Path, target: Path) -> tuple[str, ...]:
    """Write ``source`` without its metadata to ``target``; returns what was removed (empty:
    ``target`` is the same bytes). Raises :class:`Unsupported` for a format without a
    remover, :class:`CannotClean` for a file that looks like one but cannot be cleaned."""
    with source.open("rb") as handle:
        head = handle.read(16)
    if is_isobmff(head):
        shutil.copyfile(source, target)
        with target.open("r+b") as handle:
            return clean_isobmff(handle)
    cleaned = clean(source.read_bytes())
    target.write_bytes(cleaned.data)
    return cleaned.removed
