"""The metadata removers of a redacted bundle on the JPEG, PNG, WebP and MP4 variants phones
write: what is removed is gone, what is decoded is unchanged, damaged files are refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageSequence, PngImagePlugin

from reviewer.bundle.media_clean import CannotClean, Unsupported, clean, clean_file
from reviewer.bundle.media_tags import ogg_crc, ogg_pages

NAME = b"Kim Reyes"


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = NAME.decode()
    exif.get_ifd(0x8825)[1] = "N"
    return exif


def _jpeg(mode: str = "RGB", **options: object) -> bytes:
    image = Image.linear_gradient("L").resize((120, 90)).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=_exif(), comment=NAME, **options)
    return buffer.getvalue()


def _frames(data: bytes) -> list[bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return [frame.copy().tobytes() for frame in ImageSequence.Iterator(image)]


@pytest.mark.parametrize(
    "data",
    [
        _jpeg(),
        _jpeg(progressive=True),
        _jpeg("CMYK"),  # decoding needs the Adobe segment, which stays
        _jpeg("L", optimize=True),
        _jpeg(restart_marker_blocks=1),
        _jpeg(subsampling=0, quality=95) + b"MPF trailer naming Kim Reyes",
    ],
    ids=["baseline", "progressive", "cmyk", "grey", "restart-markers", "trailer"],
)
def test_a_jpeg_loses_its_metadata_and_keeps_its_pixels(data: bytes) -> None:
    cleaned = clean(data)
    assert NAME not in cleaned.data and "EXIF (APP1)" in cleaned.removed
    assert _frames(cleaned.data) == _frames(data)
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert not image.getexif() and "comment" not in image.info


def test_a_jpeg_without_metadata_is_left_as_it_is() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    assert clean(buffer.getvalue()).removed == ()
    assert clean(buffer.getvalue()).data == buffer.getvalue()


@pytest.mark.parametrize("cut", [3, 40, -40])
def test_a_damaged_jpeg_is_refused(cut: int) -> None:
    data = _jpeg()
    with pytest.raises(CannotClean):
        clean(data[:cut] if cut > 0 else data[:cut].replace(b"\xff\xd9", b""))


def test_an_animated_png_keeps_its_frames() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Author", NAME.decode())
    frames = [Image.new("RGBA", (16, 16), c) for c in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:], pnginfo=info)
    cleaned = clean(buffer.getvalue())
    assert NAME not in cleaned.data and cleaned.removed == ("PNG iTXt chunk",)
    assert _frames(cleaned.data) == _frames(buffer.getvalue())


def test_an_animated_webp_loses_exif_and_xmp_and_its_flags() -> None:
    frames = [Image.new("RGB", (16, 16), c) for c in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        lossless=True,
        exif=_exif(),
        xmp=b"<x:xmpmeta>Kim Reyes</x:xmpmeta>",
    )
    cleaned = clean(buffer.getvalue())
    assert NAME not in cleaned.data
    assert set(cleaned.removed) == {"WebP EXIF chunk", "WebP XMP chunk"}
    assert cleaned.data[20 + 8] & 0x0C == 0  # VP8X no longer announces them
    assert _frames(cleaned.data) == _frames(buffer.getvalue())


def _box(kind: bytes, payload: bytes) -> bytes:
    return (len(payload) + 8).to_bytes(4, "big") + kind + payload


def test_an_mp4_with_a_64_bit_box_is_blanked_in_place(tmp_path: Path) -> None:
    samples = b"\xff\x00" * 64
    big_mdat = (1).to_bytes(4, "big") + b"mdat" + (16 + len(samples)).to_bytes(8, "big")
    moov = _box(b"moov", _box(b"udta", _box(b"\xa9ART", NAME)))
    data = _box(b"ftyp", b"qt  \0\0\0\0qt  ") + big_mdat + samples + moov
    source, target = tmp_path / "a.mov", tmp_path / "b.mov"
    source.write_bytes(data)
    assert clean_file(source, target) == ("MP4 udta box of moov",)
    copy = target.read_bytes()
    assert (
        len(copy) == len(data)
        and NAME not in copy
        and copy[: len(data) - len(moov)] == (data[: len(data) - len(moov)])
    )


def test_an_mp4_loses_metadata_boxes_at_every_level_it_is_walked(tmp_path: Path) -> None:
    """A top-level ``meta`` and ``uuid`` boxes inside the movie and a track are blanked too."""
    xmp = b"\xbe\x7a\xcf\xcb\x97\xa9\x42\xe8\x9c\x71\x99\x94\x91\xe3\xaf\xac" + NAME
    trak = _box(b"trak", _box(b"tkhd", bytes(84)) + _box(b"uuid", xmp))
    moov = _box(b"moov", _box(b"mvhd", bytes(100)) + _box(b"uuid", xmp) + trak)
    meta = _full(b"meta", 0, _box(b"xml ", b"<x>" + NAME + b"</x>"))
    data = _box(b"ftyp", b"isom\0\0\0\0isom") + meta + _box(b"mdat", b"\x00" * 64) + moov
    source, target = tmp_path / "a.mp4", tmp_path / "b.mp4"
    source.write_bytes(data)
    assert clean_file(source, target) == (
        "MP4 meta box",
        "MP4 uuid box of moov",
        "MP4 uuid box of trak",
    )
    copy = target.read_bytes()
    assert len(copy) == len(data) and NAME not in copy
    assert copy.count(b"free") == 3 and b"tkhd" in copy and b"mvhd" in copy


def _full(kind: bytes, version: int, payload: bytes) -> bytes:
    return _box(kind, bytes((version, 0, 0, 0)) + payload)


def _heic(idat: bool = False) -> tuple[bytes, bytes, bytes]:
    """(file, coded picture, EXIF payload): a picture item and an EXIF item in ``mdat``
    (construction method 0), or the EXIF item in ``idat`` (method 1), and an XMP item."""
    picture, exif, xmp = (
        b"\x00hvc-coded-picture" * 8,
        b"\0\0\0\0MM\0*Kim Reyes",
        b"<x>Kim Reyes</x>",
    )
    infos = _full(
        b"iinf",
        0,
        (3).to_bytes(2, "big")
        + _full(b"infe", 2, b"\0\x01\0\0hvc1")
        + _full(b"infe", 2, b"\0\x02\0\0Exif")
        + _full(b"infe", 2, b"\0\x03\0\0mimeapplication/rdf+xml\0"),
    )

    def meta(offsets: tuple[int, int, int]) -> bytes:
        entries = b""
        for item, (offset, data) in enumerate(zip(offsets, (picture, exif, xmp), strict=True), 1):
            method = 1 if idat and item == 2 else 0
            entries += item.to_bytes(2, "big") + method.to_bytes(2, "big") + b"\0\0"
            entries += (1).to_bytes(2, "big") + offset.to_bytes(4, "big")
            entries += len(data).to_bytes(4, "big")
        location = _full(b"iloc", 1, b"\x44\x00" + (3).to_bytes(2, "big") + entries)
        inline = _box(b"idat", exif) if idat else b""
        return _full(
            b"meta",
            0,
            _full(b"hdlr", 0, bytes(4) + b"pict" + bytes(13)) + infos + location + inline,
        )

    ftyp = _box(b"ftyp", b"heic\0\0\0\0mif1heic")
    start = len(ftyp) + len(meta((0, 0, 0))) + 8
    body = picture + (b"" if idat else exif) + xmp
    offsets = (
        start,
        0 if idat else start + len(picture),
        start + len(picture) + (0 if idat else len(exif)),
    )
    return ftyp + meta(offsets) + _box(b"mdat", body), picture, exif


@pytest.mark.parametrize("idat", [False, True], ids=["in-mdat", "in-idat"])
def test_a_heic_loses_its_exif_and_xmp_items_in_place(tmp_path: Path, idat: bool) -> None:
    data, picture, exif = _heic(idat)
    assert data.count(NAME) == 2
    (tmp_path / "a.heic").write_bytes(data)
    removed = clean_file(tmp_path / "a.heic", tmp_path / "b.heic")
    copy = (tmp_path / "b.heic").read_bytes()
    assert removed == ("HEIF EXIF item", "HEIF XMP item") and NAME not in copy
    assert len(copy) == len(data) and picture in copy  # the coded picture where it was
    changed = [i for i, (a, b) in enumerate(zip(data, copy, strict=True)) if a != b]
    assert len(changed) <= len(exif) + len(b"<x>Kim Reyes</x>")


@pytest.mark.parametrize(
    "ftyp",
    [
        _box(b"ftyp", b"mp42\0\0\0\0" + b"isom" * 16 + b"mif1"),  # the HEIF brand past byte 64
        _box(b"ftyp", b"isom\0\0\0\0isom"),  # no HEIF brand: the meta box's handler says so
    ],
    ids=["late-brand", "pict-handler"],
)
def test_a_heif_picture_is_never_walked_as_a_movie(tmp_path: Path, ftyp: bytes) -> None:
    """The movie walk blanks a top-level ``meta``; in a HEIF file that box holds the picture,
    so the file must be told apart however its ``ftyp`` reads, and lose only EXIF and XMP."""
    data, picture, _ = _heic()
    heic_ftyp = _box(b"ftyp", b"heic\0\0\0\0mif1heic")
    shift = len(ftyp) - len(heic_ftyp)
    assert shift % 4 == 0 and data.startswith(heic_ftyp)
    (tmp_path / "a.heic").write_bytes(_shifted(data[len(heic_ftyp) :], ftyp, shift))
    removed = clean_file(tmp_path / "a.heic", tmp_path / "b.heic")
    copy = (tmp_path / "b.heic").read_bytes()
    assert removed == ("HEIF EXIF item", "HEIF XMP item") and NAME not in copy
    assert picture in copy and b"iinf" in copy and b"iloc" in copy


def _shifted(rest: bytes, ftyp: bytes, shift: int) -> bytes:
    """``ftyp`` then ``rest`` (a HEIF file's boxes after its ``ftyp``), the item offsets in
    its ``iloc`` (4-byte offsets, one extent per item) moved by ``shift``."""
    at = rest.index(b"iloc") + 4 + 4 + 2 + 2  # type, version and flags, sizes, item count
    body = bytearray(rest)
    for _ in range(3):
        offset_at = at + 2 + 2 + 2 + 2  # item id, method, data reference, extent count
        offset = int.from_bytes(body[offset_at : offset_at + 4], "big")
        if offset:
            body[offset_at : offset_at + 4] = (offset + shift).to_bytes(4, "big")
        at = offset_at + 4 + 4
    return ftyp + bytes(body)


def _gif() -> bytes:
    """An animated GIF with a loop count, a comment and an XMP application extension."""
    frames = [Image.new("P", (16, 16), c) for c in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], loop=0, comment=NAME)
    data = buffer.getvalue()
    xmp = b"\x21\xff\x0bXMP DataXMP" + bytes((len(NAME),)) + NAME + b"\x00"
    return data[:-1] + xmp + data[-1:]


def test_a_gif_loses_its_comment_and_xmp_and_keeps_its_loop_and_frames() -> None:
    data = _gif()
    assert data.count(NAME) == 2
    cleaned = clean(data)
    assert NAME not in cleaned.data and b"NETSCAPE2.0" in cleaned.data
    assert cleaned.removed == ("GIF comment", "GIF application extension (XMP DataXMP)")
    assert _frames(cleaned.data) == _frames(data)


def test_an_mp3_loses_its_tags() -> None:
    audio = b"\xff\xfb\x90\x00" + bytes(400)
    frame = b"TPE1" + (len(NAME) + 1).to_bytes(4, "big") + b"\0\0\0" + NAME
    id3 = b"ID3\x03\x00\x00" + bytes((0, 0, 0, len(frame))) + frame
    ape_item = len(NAME).to_bytes(4, "little") + bytes(4) + b"Artist\0" + NAME
    ape_footer = (
        b"APETAGEX" + (2000).to_bytes(4, "little") + (len(ape_item) + 32).to_bytes(4, "little")
    )
    ape = ape_item + ape_footer + (1).to_bytes(4, "little") + bytes(4) + bytes(8)
    id3v1 = b"TAG" + NAME.ljust(30, b"\0") + bytes(95)
    cleaned = clean(id3 + audio + ape + id3v1)
    assert cleaned.data == audio
    assert cleaned.removed == ("ID3v2 tag", "ID3v1 tag", "APEv2 tag")


def _voice_note() -> bytes:
    """An Ogg Opus voice note (PyAV's libopus) whose comments name someone."""
    av = pytest.importorskip("av")
    np = pytest.importorskip("numpy")
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="ogg") as out:
        out.metadata["artist"] = NAME.decode()
        stream = out.add_stream("libopus", rate=48000)
        stream.metadata["title"] = f"voice note of {NAME.decode()}"
        for n in range(25):
            wave = (np.sin(np.arange(960) * (n + 1) / 50) * 8000).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(wave[np.newaxis], format="s16", layout="mono")
            frame.rate, frame.pts = 48000, n * 960
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def _decoded(data: bytes) -> bytes:
    import av

    with av.open(io.BytesIO(data)) as container:
        return b"".join(bytes(f.to_ndarray().tobytes()) for f in container.decode(audio=0))


def test_an_ogg_voice_note_loses_its_comments_in_place() -> None:
    data = _voice_note()
    assert NAME in data
    cleaned = clean(data)
    assert NAME not in cleaned.data and cleaned.removed[0].startswith("Ogg comments")
    assert len(cleaned.data) == len(data)
    for start, end in ogg_pages(cleaned.data):  # each page's CRC holds (libogg's, or again)
        page = cleaned.data[start:end]
        assert ogg_crc(page) == int.from_bytes(page[22:26], "little")
    assert _decoded(cleaned.data) == _decoded(data)


def test_unknown_formats_are_told_apart(tmp_path: Path) -> None:
    (tmp_path / "a.amr").write_bytes(b"#!AMR\n" + bytes(20))
    with pytest.raises(Unsupported):
        clean_file(tmp_path / "a.amr", tmp_path / "b.amr")
    with pytest.raises(CannotClean):
        clean(_gif()[:-30])
    (tmp_path / "a.heic").write_bytes(_box(b"ftyp", b"heic\0\0\0\0mif1") + b"\0\0\0\xffmeta")
    with pytest.raises(CannotClean):
        clean_file(tmp_path / "a.heic", tmp_path / "b.heic")
