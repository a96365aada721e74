"""Metadata removed in place from ISO base media files (DESIGN.md §6, redacted bundles), without
moving a byte of the coded pictures or samples:

- MP4/MOV/3GP/M4A: ``udta``, ``meta`` and ``uuid`` (XMP and vendor) boxes, at the top level
  and in the movie and its tracks, become ``free`` boxes of the same size, zeroed;
- HEIF/HEIC/AVIF: the bytes of the EXIF and XMP items are zeroed where they lie (their
  entries stay, pointing at zeros, which readers skip).
"""

from __future__ import annotations

from typing import BinaryIO


class Unsupported(ValueError):
    """The file is not of a format these walkers know."""


class CannotClean(ValueError):
    """The file is of a format these walkers know but cannot be cleaned (malformed, HEIF)."""


_CONTAINERS = frozenset((b"moov", b"trak"))  # walked into, as the file's top level is
_BLANKED = frozenset((b"udta", b"meta", b"uuid"))  # blanked wherever walked
_ZEROS = 1 << 20
_HEIF_BRANDS = (b"mif1", b"msf1", b"heic", b"heix", b"heim", b"heis", b"avif", b"avis")


def is_isobmff(head: bytes) -> bool:
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")


def clean_isobmff(handle: BinaryIO) -> tuple[str, ...]:
    """Blank the metadata boxes of the MP4/MOV file open for update in ``handle``, in place
    (so a video of any size is never read whole); returns what was removed."""
    handle.seek(0, 2)
    end = handle.tell()
    if _is_picture(handle, end):
        return clean_heif(handle)
    removed: list[str] = []
    _blank(handle, 0, end, b"", removed)
    return tuple(removed)


def _is_picture(handle: BinaryIO, end: int) -> bool:
    """Whether the file is a HEIF picture: a HEIF brand anywhere in its ``ftyp``, or a
    top-level ``meta`` whose handler is ``pict`` (that box holds the picture's items, which
    the movie walk would blank)."""
    pos = 0
    while pos + 8 <= end:
        handle.seek(pos)
        header = handle.read(16)
        kind = header[4:8]
        size, length = _box_size(header, pos, end, f"MP4: box {kind!r}")
        if kind == b"ftyp":
            handle.seek(pos + length)
            brands = handle.read(min(size - length, 4096))
            brands = brands[:4] + brands[8:]  # major brand, then the compatible ones
            if any(brands[i : i + 4] in _HEIF_BRANDS for i in range(0, len(brands), 4)):
                return True
        elif kind == b"meta":
            handle.seek(pos + length + 4)  # a full box: version and flags first
            handler = handle.read(20)  # the hdlr box: size, type, version and flags, 0, type
            if handler[4:8] == b"hdlr" and handler[16:20] == b"pict":
                return True
        pos += size
    return False


def clean_heif(handle: BinaryIO) -> tuple[str, ...]:
    """Zero the bytes of a HEIF picture's EXIF and XMP items in place (their entries stay,
    pointing at zeros, which readers skip as empty): the coded image is not touched."""
    handle.seek(0)
    data = handle.read()
    meta = _child(data, 0, len(data), b"meta")
    if meta is None:
        return ()
    start, stop = meta[0] + 4, meta[1]  # a full box: version and flags first
    iinf, iloc = _child(data, start, stop, b"iinf"), _child(data, start, stop, b"iloc")
    if iinf is None or iloc is None:
        return ()
    named = _metadata_items(data, *iinf)
    idat = _child(data, start, stop, b"idat")
    removed: list[str] = []
    for item, method, extents in _locations(data, *iloc):
        if item not in named:
            continue
        for offset, length in extents:
            if method == 1 and idat is not None:
                offset += idat[0]
            elif method != 0:
                raise CannotClean(f"HEIF: item {item} is stored in a way not handled")
            if offset + length > len(data) or (length == 0 and method == 0):
                raise CannotClean(f"HEIF: item {item} lies outside the file")
            handle.seek(offset)
            handle.write(bytes(length))
        removed.append(f"HEIF {named[item]} item")
    return tuple(removed)


def _child(data: bytes, start: int, stop: int, kind: bytes) -> tuple[int, int] | None:
    """(payload start, end) of the first ``kind`` box among those in data[start:stop]."""
    pos = start
    while pos + 8 <= stop:
        size, length = _box_size(data[pos : pos + 16], pos, stop, "HEIF: a box")
        if data[pos + 4 : pos + 8] == kind:
            return pos + length, pos + size
        pos += size
    return None


def _box_size(header: bytes, pos: int, stop: int, what: str) -> tuple[int, int]:
    """(box size, header length) of the box whose first 16 bytes are ``header``, at ``pos`` in
    a parent ending at ``stop`` (size 1: a 64-bit size follows; 0: to the parent's end)."""
    size, length = int.from_bytes(header[:4], "big"), 8
    if size == 1:
        size, length = int.from_bytes(header[8:16], "big"), 16
    elif size == 0:
        size = stop - pos
    if size < length or pos + size > stop:
        raise CannotClean(f"{what} overruns its parent")
    return size, length


def _metadata_items(data: bytes, start: int, stop: int) -> dict[int, str]:
    """Item id -> "EXIF" or "XMP", from the item information box."""
    version = data[start]
    pos = start + 4 + (2 if version == 0 else 4)
    found: dict[int, str] = {}
    while pos + 8 <= stop:
        size = int.from_bytes(data[pos : pos + 4], "big")
        if size < 8 or pos + size > stop:
            raise CannotClean("HEIF: a damaged item entry")
        if data[pos + 4 : pos + 8] == b"infe" and data[pos + 8] >= 2:
            wide = data[pos + 8] >= 3
            at = pos + 12
            item = int.from_bytes(data[at : at + (4 if wide else 2)], "big")
            at += (4 if wide else 2) + 2
            kind = data[at : at + 4]
            mime = data[at + 4 : pos + size].split(b"\0", 1)[0].lower()
            if kind == b"Exif":
                found[item] = "EXIF"
            elif kind == b"mime" and (b"xml" in mime or b"rdf" in mime):
                found[item] = "XMP"
        pos += size
    return found


def _locations(data: bytes, start: int, stop: int) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(item id, construction method, [(offset, length)]) from the item location box."""
    version = data[start]
    at = start + 4

    def read(width: int) -> int:
        nonlocal at
        if at + width > stop:
            raise CannotClean("HEIF: a damaged item location box")
        value = int.from_bytes(data[at : at + width], "big")
        at += width
        return value

    sizes = read(2)
    offset_size, length_size = sizes >> 12, (sizes >> 8) & 15
    base_size, index_size = (sizes >> 4) & 15, sizes & 15 if version in (1, 2) else 0
    found = []
    for _ in range(read(2 if version < 2 else 4)):
        item = read(2 if version < 2 else 4)
        method = read(2) & 15 if version in (1, 2) else 0
        read(2)  # data reference index
        base = read(base_size)
        extents = []
        for _ in range(read(2)):
            read(index_size)
            offset = read(offset_size)
            extents.append((base + offset, read(length_size)))
        found.append((item, method, extents))
    return found


def _blank(handle: BinaryIO, start: int, stop: int, parent: bytes, removed: list[str]) -> None:
    """Turn the metadata boxes among the children of ``parent`` (``b""``: the file's top
    level) into zeroed ``free`` boxes."""
    pos = start
    while pos + 8 <= stop:
        handle.seek(pos)
        header = handle.read(16)
        kind = header[4:8]
        size, length = _box_size(header, pos, stop, f"MP4: box {kind!r}")
        if kind in _BLANKED:
            handle.seek(pos + 4)
            handle.write(b"free")
            handle.seek(pos + length)
            for done in range(0, size - length, _ZEROS):  # never a large box whole in memory
                handle.write(bytes(min(_ZEROS, size - length - done)))
            where = f" of {parent.decode('latin-1')}" if parent else ""
            removed.append(f"MP4 {kind.decode('latin-1')} box{where}")
        elif kind in _CONTAINERS:
            _blank(handle, pos + length, pos + size, kind, removed)
        pos += size
