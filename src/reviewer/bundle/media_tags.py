"""Comments and tags removed from GIF pictures and MP3 audio for a redacted bundle, block by
block (nothing decoded): a GIF's comment and application extensions (XMP, ICC …) except the
animation loop count; an MP3's ID3v2, APEv2 and ID3v1 tags (title, artist, comments,
pictures)."""

from __future__ import annotations

from reviewer.bundle.media_isobmff import CannotClean

_LOOPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def clean_gif(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """(the GIF without comments and foreign extensions, what was removed)."""
    try:
        pos = 13 + _table(data[10])
        out = [data[:pos]]
        removed: list[str] = []
        while True:
            block = data[pos]
            if block == 0x3B:  # trailer
                out.append(data[pos : pos + 1])
                if len(data) > pos + 1:
                    removed.append(f"{len(data) - pos - 1} bytes after the end of the image")
                break
            if block == 0x21:
                end = _sub_blocks(data, pos + 2)
                why = _extension(data[pos + 1], data[pos + 2 : pos + 14])
                if why:
                    removed.append(why)
                else:
                    out.append(data[pos:end])
            elif block == 0x2C:  # an image: descriptor, local colour table, LZW data
                end = _sub_blocks(data, pos + 10 + _table(data[pos + 9]) + 1)
                out.append(data[pos:end])
            else:
                raise CannotClean(f"GIF: unknown block {block:#x}")
            pos = end
    except IndexError as exc:
        raise CannotClean("GIF: truncated") from exc
    return (b"".join(out), tuple(removed)) if removed else (data, ())


def _table(flags: int) -> int:
    return 3 * (2 << (flags & 7)) if flags & 0x80 else 0


def _sub_blocks(data: bytes, pos: int) -> int:
    while data[pos]:
        pos += data[pos] + 1
    if pos >= len(data):
        raise IndexError(pos)
    return pos + 1


def _extension(label: int, head: bytes) -> str | None:
    """Why an extension is removed, or None to keep it."""
    if label == 0xFE:
        return "GIF comment"
    if label == 0xFF and head[1:12] not in _LOOPS:
        name = "".join(c for c in head[1:12].decode("latin-1") if c.isprintable())
        return f"GIF application extension ({name})"
    return None


def is_mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0)


def clean_mp3(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """(the MP3 without ID3v2, APEv2 and ID3v1 tags, what was removed)."""
    start, end = 0, len(data)
    removed: list[str] = []
    while data[start : start + 3] == b"ID3" and start + 10 <= end:
        size = 0
        for byte in data[start + 6 : start + 10]:
            size = size << 7 | (byte & 0x7F)
        start += 10 + size + (10 if data[start + 5] & 0x10 else 0)
        removed.append("ID3v2 tag")
    if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
        removed.append("ID3v1 tag")
    if end - start >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
        size = int.from_bytes(data[end - 20 : end - 16], "little")
        has_header = data[end - 9] & 0x80  # flags byte 3, bit 31
        end -= size + (32 if has_header else 0)
        removed.append("APEv2 tag")
    if start >= end:
        raise CannotClean("MP3: its tags overrun the audio")
    return (data[start:end], tuple(removed)) if removed else (data, ())


# --------------------------------------------------------------------------- Ogg


def _crc_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
            r &= 0xFFFFFFFF
        table.append(r)
    return tuple(table)


_CRC = _crc_table()
_COMMENT_HEADERS = (b"OpusTags", b"\x03vorbis")


def ogg_crc(page: bytes) -> int:
    """The CRC of an Ogg page (RFC 3533: polynomial 0x04C11DB7, not reflected), its own CRC
    field counted as zeros."""
    crc = 0
    for at, byte in enumerate(page):
        if 22 <= at < 26:
            byte = 0
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[((crc >> 24) ^ byte) & 0xFF]
    return crc


def clean_ogg(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """(the Ogg Opus or Vorbis file with each user comment overwritten in place by a nameless
    empty one of the same length, what was removed). Lengths stay, so every page keeps its
    layout; the pages holding the comment packet get their CRC again."""
    pages = ogg_pages(data)
    where = _second_packet(data, pages)  # file offset of each byte of the comment packet
    packet = bytes(data[at] for at in where)
    if not packet.startswith(_COMMENT_HEADERS):
        return data, ()
    out = bytearray(data)
    try:
        pos = len(_COMMENT_HEADERS[0]) if packet.startswith(b"OpusTags") else 7
        pos += 4 + int.from_bytes(packet[pos : pos + 4], "little")  # the vendor: software
        count = int.from_bytes(packet[pos : pos + 4], "little")
        pos += 4
        for _ in range(count):
            length = int.from_bytes(packet[pos : pos + 4], "little")
            blank = b"_" * (length - 1) + b"=" if length else b""
            for offset, byte in zip(where[pos + 4 : pos + 4 + length], blank, strict=True):
                out[offset] = byte
            pos += 4 + length
    except ValueError as exc:  # a comment running past the packet
        raise CannotClean("Ogg: a damaged comment header") from exc
    if not count:
        return data, ()
    for start, end in pages:
        if where[0] < end and where[-1] >= start:
            out[start + 22 : start + 26] = ogg_crc(bytes(out[start:end])).to_bytes(4, "little")
    return bytes(out), (f"Ogg comments ({count})",)


def ogg_pages(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each page up to the third (the comment packet's, and one to spare)."""
    pages: list[tuple[int, int]] = []
    pos = 0
    while pos + 27 <= len(data) and len(pages) < 8:
        if data[pos : pos + 4] != b"OggS":
            raise CannotClean("Ogg: a page does not start with OggS")
        segments = data[pos + 27 : pos + 27 + data[pos + 26]]
        end = pos + 27 + len(segments) + sum(segments)
        if end > len(data):
            raise CannotClean("Ogg: truncated page")
        pages.append((pos, end))
        pos = end
    return pages


def _second_packet(data: bytes, pages: list[tuple[int, int]]) -> list[int]:
    """The file offsets of the bytes of the first stream's second packet (its comments)."""
    serial = data[14:18]
    packet = 0
    found: list[int] = []
    for start, _ in pages:
        if data[start + 14 : start + 18] != serial:
            continue
        count = data[start + 26]
        body = start + 27 + count
        for lacing in data[start + 27 : start + 27 + count]:
            if packet == 1:
                found.extend(range(body, body + lacing))
            body += lacing
            if lacing < 255:
                packet += 1
                if packet == 2:
                    return found
    raise CannotClean("Ogg: no comment header")
