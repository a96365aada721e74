"""Parse a WhatsApp "Export chat" text file into :class:`ParsedMessage` records.

The file is handled as bytes: the header shape is learnt from a sample (see ``header``), then
one strict bytes pattern finds every record start at C speed and only each record's own slice
is decoded. Spans tile the original file exactly, whatever its encoding or line endings.
"""

from __future__ import annotations

import codecs
import mmap
import re
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, TypeVar, cast

from reviewer.core.errors import AmbiguousDateOrderError, InputError
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.core.records import (
    ChatProfile,
    DateOrder,
    MessageKind,
    ParsedMessage,
    SourceSpan,
)
from reviewer.importers.whatsapp import unknown_markers
from reviewer.importers.whatsapp.header import (
    GROUPS,
    MARK_CHARS,
    PM_HOUR_CONFLICT,
    DateOrderConflict,
    HeaderDecoder,
    HeaderShape,
    Probe,
    decide_date_order,
    fixed_order,
    header_pattern,
    looks_dated,
    probe_line,
    same_either_way,
    vote_shape,
)

if TYPE_CHECKING:
    from reviewer.importers.whatsapp.body import Body

__all__ = ["ChatNotes", "ParsedChat", "PlainText", "parse_chat", "splittable"]

Buffer = bytes | mmap.mmap
# A plain text message (kind text, no flags or markers) as the import's row writer takes it:
# seq, timestamp, sender, text, and its span's line, lines, offset and length. Building a
# ParsedMessage and its SourceSpan costs about 1.1 µs, as much as parsing a short record.
PlainText = tuple[int, datetime, str, str, int, int, int, int]

SAMPLE_BYTES = 1 << 20
TAIL_BYTES = 1 << 16
SAMPLE_LINES = 2000
FIRST_HEADER_WITHIN = 200  # lines; otherwise the file is not taken for a WhatsApp chat
PROGRESS_EVERY = 10_000
_CAN_RELEASE = hasattr(mmap, "MADV_DONTNEED") and hasattr(mmap.mmap, "madvise")
TRANSCODE_CHUNK = 1 << 22
SCAN_CHUNK = 1 << 22  # whole-file searches and counts of a mapped file go this far at a time
WARN_LIMIT = 20
# An ⟨LRM⟩-led first record this long is WhatsApp's encryption notice even where its author
# is a person (one-to-one chats); media placeholders are far shorter.
FIRST_NOTICE_MIN = 40
# Marks iOS puts before the body of its own lines.
MARK_LEADS = ("\u200e", "\u200f")
DECODE_ERROR = "decode-error"

_LINE_SPLIT = re.compile(r"(\r\n|\n|\r)")
_CONT_DATED = re.compile("\n[" + MARK_CHARS + r"]*\[?\d")
_IOS_MEDIA_DATE = re.compile(
    rb"\d{8}-(?:PHOTO|VIDEO|AUDIO|STICKER|GIF)-(\d{4})-(\d\d)-(\d\d)-\d\d-\d\d-\d\d"
)


_T = TypeVar("_T")

# How the walker finds the line break before a header (see ``_Walker.mode``).
_LF, _CRLF, _GENERAL = 0, 1, 2


def _fast_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A positional constructor for a frozen slots dataclass, about four times faster.

    The frozen ``__init__`` goes through ``object.__setattr__`` once per field, which costs
    more than the rest of the parser per record. This builds the object as an instance of a
    plain twin class with the same slots (calling the class: ``object.__new__(twin)`` is
    twice as slow), then switches its class. Falls back to ``cls``
    itself if the twin trick does not reproduce an ordinary instance exactly.
    """
    slots: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": slots})
    assigns = "".join(f"    o.{name} = {name}\n" for name in slots)
    source = (
        f"def build({', '.join(slots)}):\n    o = twin()\n{assigns}"
        "    o.__class__ = cls\n    return o\n"
    )
    namespace: dict[str, object] = {"twin": twin, "cls": cls}
    try:
        exec(source, namespace)
        build: Callable[..., _T] = namespace["build"]  # type: ignore[assignment]
        probe = tuple(range(len(slots)))
        if build(*probe) == cls(*probe) and type(build(*probe)) is cls:
            return build
    except (TypeError, AttributeError):  # pragma: no cover - layout changed
        pass
    return cls  # pragma: no cover


_new_message = _fast_constructor(ParsedMessage)
_TEXT = MessageKind.TEXT
_new_span = _fast_constructor(SourceSpan)


# Kinds of warning a walk notes; the first two are listed WARN_LIMIT times, then counted.
NOTE_NEAR_MISS, NOTE_UNDECODABLE, NOTE_OTHER = "near-miss", "undecodable", "other"
_MORE = {
    NOTE_NEAR_MISS: "more header-like lines kept inside messages",
    NOTE_UNDECODABLE: "more records with invalid UTF-8",
}


@dataclass(slots=True)
class ChatNotes:
    """Warnings noted while walking (part of) a chat: ``(kind, text)`` in file order, at
    most WARN_LIMIT of a capped kind, and how many of each kind there were."""

    listed: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    markers: unknown_markers.Tally = field(default_factory=dict)  # see unknown_markers


@dataclass(frozen=True)
class ParsedChat:
    """A parsed export: the profile is decided; messages are produced lazily, once."""

    profile: ChatProfile
    messages: Iterator[ParsedMessage]
    walker: _Walker | None = field(default=None, repr=False, compare=False)

    @property
    def warnings(self) -> list[str]:
        """Warnings about the records walked so far (at most WARN_LIMIT of each kind, then
        how many more)."""
        return [] if self.walker is None else self.warnings_of([self.walker.notes])

    def take_notes(self) -> ChatNotes:
        """What was noted since the last call: for a chat walked in chunks, perhaps by
        several processes, whose warnings :meth:`warnings_of` puts together."""
        assert self.walker is not None
        return self.walker.take_notes()

    def warnings_of(self, parts: Iterable[ChatNotes]) -> list[str]:
        """The warnings of a chat walked in ``parts`` (in file order), exactly as if it had
        been walked whole: the first WARN_LIMIT of each kind, then how many more."""
        assert self.walker is not None
        name = self.walker.source.name
        listed: dict[str, int] = {}
        totals: dict[str, int] = {}
        warnings: list[str] = []
        tallies: list[unknown_markers.Tally] = []
        for part in parts:
            tallies.append(part.markers)
            for kind, text in part.listed:
                if kind == NOTE_OTHER or listed.get(kind, 0) < WARN_LIMIT:
                    listed[kind] = listed.get(kind, 0) + 1
                    warnings.append(text)
            for kind, count in part.counts.items():
                totals[kind] = totals.get(kind, 0) + count
        for kind, phrase in _MORE.items():
            more = totals.get(kind, 0) - listed.get(kind, 0)
            if more > 0:
                warnings.append(f"{name}: {more} {phrase}")
        warnings += unknown_markers.warnings(name, unknown_markers.merge(tallies))
        return warnings

    def record_start_at_or_after(self, offset: int) -> int | None:
        """Byte offset of the first record that starts at or after ``offset``.

        A file split at such offsets parses, chunk by chunk, into exactly the records of
        the whole file (header acceptance depends only on the line and its terminator).
        None when there is none, or when the file's spans are not byte offsets (UTF-16).
        """
        if self.walker is None or self.walker.source.utf16:
            return None
        return self.walker.record_start(offset)

    def chunk(self, start: int, end: int, first_line: int | None = None) -> Iterator[ParsedMessage]:
        """Messages of ``[start, end)`` (two record starts), with file line numbers; the
        chunk's ``seq`` restarts at 0 (the caller offsets it). ``first_line`` is the line
        ``start`` is on, when the caller already knows it."""
        assert self.walker is not None
        line = 1 + self.walker.line_breaks(0, start) if first_line is None else first_line
        return cast(Iterator[ParsedMessage], self.walker.messages(start, end, line))

    def records(
        self, start: int = 0, end: int | None = None, first_line: int = 1
    ) -> Iterator[ParsedMessage | PlainText]:
        """:meth:`chunk` (the whole file by default) with each plain text message as a
        :data:`PlainText` tuple instead of a ParsedMessage: the import's fast path."""
        assert self.walker is not None
        return self.walker.messages(start, end, first_line, compact=True)

    def line_breaks(self, start: int, end: int) -> int:
        """Line breaks in ``[start, end)`` as line numbers count them."""
        assert self.walker is not None
        return self.walker.line_breaks(start, end)


def parse_chat(
    data: bytes | memoryview | mmap.mmap,
    *,
    file_name: str,
    date_order: DateOrder | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressSink | None = None,
) -> ParsedChat:
    """Decide the file's profile now; return a generator of its messages in file order.

    Raises InputError when the data is not a WhatsApp text export and
    AmbiguousDateOrderError when day/month order is undecidable and ``date_order`` is None.
    """
    from reviewer.importers.whatsapp import body  # heavy tables: load only when parsing

    if date_order is not None:
        date_order = DateOrder(date_order)  # a plain "DMY" too: the header code compares members
    source = _Source.open(data, file_name)
    sample = _Sample.take(source)
    shape = sample.shape
    endings = _line_endings(source, sample)
    scanner = _Scanner(source, shape, lone_cr=endings[1])
    order, moot = _choose_order(source, shape, sample, scanner, date_order)
    profile = ChatProfile(
        format=f"whatsapp-{shape.platform}",
        date_order=order,
        clock=shape.clock,
        encoding=source.encoding,
        line_endings=endings[0],
        date_order_moot=moot,
    )
    walker = _Walker(
        source=source,
        shape=shape,
        scanner=scanner,
        decoder=HeaderDecoder(shape, order, scanner.line_re.groupindex),
        line_endings=endings[0],
        known=sample.authors(scanner, body.is_system_text if shape.platform == "android" else None),
        classify=body.classify_body,
        is_plain=body.is_plain_text,
        is_system=body.is_system_text,
        cancel=cancel,
        progress=progress or NullProgress(),
    )
    if shape.platform == "ios":
        walker.first_start, walker.chat_author = sample.pseudo_author(scanner, body.classify_body)
    walker.release_all()  # the profile and date-order scans touched every page
    messages = cast(Iterator[ParsedMessage], walker.messages())
    return ParsedChat(profile=profile, messages=messages, walker=walker)


# --------------------------------------------------------------------------- source bytes


@dataclass
class _Source:
    """The bytes to scan (UTF-8) and how they map back to the original file."""

    name: str
    buf: Buffer
    encoding: str
    size: int  # bytes in the original file
    utf16: bool = False
    head_extra: int = 0  # original bytes before ``buf`` (UTF-16 BOM)
    tail_extra: int = 0  # original bytes after ``buf`` (odd trailing byte of UTF-16)

    @classmethod
    def open(cls, data: bytes | memoryview | mmap.mmap, name: str) -> _Source:
        buf = _as_buffer(data)
        if len(buf) == 0:
            raise InputError("the file is empty; not a WhatsApp chat export", file=name)
        head = bytes(buf[:4096])
        utf16 = _utf16_codec(head)
        if utf16 is not None:
            return cls._from_utf16(buf, name, *utf16)
        _refuse_binary(head, name)
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        return cls(name, buf, encoding, len(buf))

    @classmethod
    def _from_utf16(cls, buf: Buffer, name: str, codec: str, bom: int) -> _Source:
        """Transcode to UTF-8 in chunks (peak memory stays near the two copies' size)."""
        size = len(buf) - bom
        decoder = codecs.getincrementaldecoder(codec)("replace")
        step, pieces = TRANSCODE_CHUNK, list[bytes]()
        for pos in range(bom, bom + size - size % 2, step):
            chunk = decoder.decode(buf[pos : min(pos + step, bom + size - size % 2)])
            if not pieces and "\x00" in chunk[:2048]:
                raise InputError("binary data, not a WhatsApp text export", file=name)
            pieces.append(chunk.encode("utf-8"))
        pieces.append(decoder.decode(b"", final=True).encode("utf-8"))
        return cls(name, b"".join(pieces), codec, len(buf), True, bom, size % 2)

    def original_length(self, start: int, end: int) -> int:
        """Length in the original file of ``buf[start:end]`` (a whole record)."""
        if not self.utf16:
            return end - start
        length = len(str(self.buf[start:end], "utf-8").encode("utf-16-le"))
        if start == 0:
            length += self.head_extra
        if end == len(self.buf):
            length += self.tail_extra
        return length

    def counts(self, *needles: bytes, start: int = 0, end: int | None = None) -> tuple[int, ...]:
        """How often each needle occurs in ``buf[start:end]``, in one pass (a mapped file is
        read, and released behind the pass, once rather than once per needle)."""
        buf = self.buf
        end = len(buf) if end is None else end
        if isinstance(buf, bytes):
            return tuple(buf.count(needle, start, end) for needle in needles)
        step, totals = SCAN_CHUNK, [0] * len(needles)
        overlap = max(len(needle) for needle in needles) - 1
        for pos in range(start, end, step):
            piece = buf[pos : min(pos + step + overlap, end)]
            for i, needle in enumerate(needles):
                # a needle that starts in the overlap is counted by the next piece
                totals[i] += piece.count(needle, 0, step + len(needle) - 1)
            if pos - step >= start:  # keep a 100 MB chat from staying resident
                _drop_pages(buf, pos - step, pos)
        return tuple(totals)

    def contains(self, pattern: re.Pattern[bytes]) -> bool:
        """Whether ``pattern`` (one byte long, looking at most one byte around it) occurs;
        a mapped file is searched in place, releasing pages behind the search."""
        buf, step = self.buf, SCAN_CHUNK
        if isinstance(buf, bytes):
            return pattern.search(buf) is not None
        for pos in range(0, len(buf), step):
            hit = pattern.search(buf, pos, min(pos + step + 1, len(buf)))
            if pos:
                _drop_pages(buf, pos - step, pos)
            if hit is not None and hit.start() < pos + step:
                return True
        return False


def _drop_pages(buf: mmap.mmap, start: int, end: int) -> None:
    """Let the kernel drop the mapped pages of ``[start, end)``; they are read again if
    needed (the page holding ``start`` may go too)."""
    if _CAN_RELEASE:
        page = start - start % mmap.PAGESIZE
        buf.madvise(mmap.MADV_DONTNEED, page, end - page)


def _as_buffer(data: bytes | memoryview | mmap.mmap) -> Buffer:
    if isinstance(data, bytes | mmap.mmap):
        return data
    view = data.cast("B") if data.format != "B" or data.ndim != 1 else data
    whole = view.obj
    if view.contiguous and isinstance(whole, bytes | mmap.mmap) and len(whole) == len(view):
        return whole
    return view.tobytes()


def splittable(head: bytes) -> bool:
    """Whether a chat file beginning with ``head`` can be parsed in byte ranges by several
    processes (see :meth:`ParsedChat.chunk`); a UTF-16 file is transcoded whole instead."""
    return _utf16_codec(head[:4096]) is None


def _utf16_codec(head: bytes) -> tuple[str, int] | None:
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if half >= 8 and odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le", 0
    if half >= 8 and even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be", 0
    return None


_MAGIC = {
    b"PK\x03\x04": "a zip archive",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"SQLite format 3": "an SQLite database",
}


def _refuse_binary(head: bytes, name: str) -> None:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise InputError(f"this is {what}, not a WhatsApp text export", file=name)
    if b"\x00" in head:
        raise InputError("binary data, not a WhatsApp text export", file=name)


def _not_a_chat(source: _Source) -> InputError:
    head = str(source.buf[:2048], "utf-8", "replace").lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head[:1024]:
        what = "an HTML file (a Telegram HTML export?), not a WhatsApp text export"
    elif head.startswith("{") or re.match(r"\[\s*[\[{\"\]]", head):
        what = "JSON (a Telegram result.json?), not a WhatsApp text export"
    else:
        what = (
            f"no WhatsApp message header (such as '31/12/2023, 23:59 - Name: text' or "
            f"'[31/12/2023, 23:59:58] Name: text') in the first {FIRST_HEADER_WITHIN} lines"
        )
    return InputError(f"not a WhatsApp chat export: {what}", file=source.name)


# --------------------------------------------------------------------------- sampling


@dataclass
class _Sample:
    """Header probes from the start (and end) of the file."""

    probes: list[Probe]
    shape: HeaderShape
    head: bytes
    before_header: dict[str, int]  # terminator preceding each sampled header → count

    @classmethod
    def take(cls, source: _Source) -> _Sample:
        head = _whole_lines(bytes(source.buf[:SAMPLE_BYTES]), len(source.buf))
        probes, terminators, first = _probe_lines(str(head, "utf-8", "replace"))
        if first is None or first >= FIRST_HEADER_WITHIN:
            raise _not_a_chat(source)
        shape = vote_shape(probes)
        if shape is None:  # pragma: no cover - first is None covers it
            raise _not_a_chat(source)
        key = shape.key()
        locked = [p for p in probes if p.shape.key() == key]
        before = _count_terms(terminators, key)
        if len(source.buf) > SAMPLE_BYTES:
            tail = bytes(source.buf[-TAIL_BYTES:])
            tail = tail[tail.find(b"\n") + 1 :]
            _, tail_terms, _ = _probe_lines(str(tail, "utf-8", "replace"))
            for term, n in _count_terms(tail_terms, key).items():
                before[term] = before.get(term, 0) + n
        return cls(locked, shape, head, before)

    def pseudo_author(
        self, scanner: _Scanner, classify: Callable[..., Body]
    ) -> tuple[int, str | None]:
        """iOS: where the first record starts, and the chat's pseudo-author if certain.

        The first record of an iOS export is WhatsApp's encryption notice (or group-created
        line) under the chat's name, ⟨LRM⟩-led. Its author is taken for the pseudo-author
        only when that line is a system line (a known one, or an unknown wording as
        ``classify_body`` judges it with ``pseudo``) and the author writes no line in the
        sample that is not ⟨LRM⟩-led: in a one-to-one chat the name is the other person's.
        """
        first: tuple[int, str, str] | None = None
        typed: set[str] = set()  # authors of lines not led by a mark
        for m in scanner.iter_headers(self.head):
            end = self.head.find(b"\n", m.end())
            rest = str(self.head[m.end() : end if end >= 0 else len(self.head)], "utf-8", "replace")
            author, sep, text = rest.rstrip("\r").partition(": ")
            if first is None:
                start = m.start() if m.re is scanner.line_re else m.start() + 1
                first = (start, author if sep else "", text)
            if sep and not text.startswith(MARK_LEADS):
                typed.add(author)
        if first is None:
            return -1, None
        start, author, text = first
        if not author or not text.startswith(MARK_LEADS) or author in typed:
            return start, None
        found = classify(author, text, platform="ios", pseudo=True)
        return start, (author if found.kind is MessageKind.SYSTEM else None)

    def authors(self, scanner: _Scanner, is_system: Callable[[str], bool] | None) -> set[str]:
        """Authors as written in the sample's unambiguous ``Name: text`` lines.

        ``is_system`` (Android) rules out system lines whose text holds a ": ".
        """
        known: set[str] = set()
        for m in scanner.iter_headers(self.head):
            end = self.head.find(b"\n", m.end())
            stop = end if end >= 0 else len(self.head)
            rest = str(self.head[m.end() : stop], "utf-8", "replace").rstrip("\r")
            i = rest.find(": ")
            if i > 0 and rest.find(": ", i + 2) < 0 and not (is_system and is_system(rest)):
                known.add(rest[:i])
        return known


def _whole_lines(head: bytes, total: int) -> bytes:
    if len(head) < total:
        cut = head.rfind(b"\n")
        if cut > 0:
            return head[: cut + 1]
    return head


def _probe_lines(text: str) -> tuple[list[Probe], list[tuple[str, Probe]], int | None]:
    """Probes of the lines of ``text``, (preceding terminator, probe) pairs, first index."""
    parts = _LINE_SPLIT.split(text)
    probes: list[Probe] = []
    preceded: list[tuple[str, Probe]] = []
    first: int | None = None
    for index in range(0, min(len(parts), 2 * SAMPLE_LINES), 2):
        probe = probe_line(parts[index])
        if probe is None:
            continue
        probes.append(probe)
        if first is None:
            first = index // 2
        if index:
            preceded.append((parts[index - 1], probe))
    return probes, preceded, first


def _count_terms(preceded: list[tuple[str, Probe]], key: HeaderShape) -> dict[str, int]:
    """How often each line terminator precedes a sampled header of shape ``key``."""
    counts: dict[str, int] = {}
    for term, probe in preceded:
        if probe.shape.key() == key:
            counts[term] = counts.get(term, 0) + 1
    return counts


_ANY_CR, _ANY_LF = re.compile(rb"\r"), re.compile(rb"\n")
_BARE_LF, _LONE_CR = re.compile(rb"(?<!\r)\n"), re.compile(rb"\r(?!\n)")


def _line_endings(source: _Source, sample: _Sample) -> tuple[str, bool]:
    """(profile line-ending name, whether lone CRs occur)."""
    if not source.contains(_ANY_CR):
        return "lf", False
    if not source.contains(_ANY_LF):
        return "cr", True
    # Each search stops at its first hit; only a file without any reads to its end.
    bare_lf, lone_cr = source.contains(_BARE_LF), source.contains(_LONE_CR)
    if not bare_lf and not lone_cr:
        return "crlf", False
    before = sample.before_header
    crlf_headers, lf_headers = before.get("\r\n", 0), before.get("\n", 0)
    # Genuine iOS: records end CRLF, breaks inside messages are bare LF, and only very rarely
    # does a header-looking line follow a bare LF.
    if not lone_cr and lf_headers < crlf_headers and lf_headers <= max(1, crlf_headers // 50):
        return "ios", False
    return "mixed", lone_cr


# --------------------------------------------------------------------------- scanning


class _Scanner:
    """Compiled strict header patterns for one shape; also the whole-file date evidence."""

    def __init__(self, source: _Source, shape: HeaderShape, *, lone_cr: bool) -> None:
        self.source = source
        self.shape = shape
        self.lone_cr = lone_cr
        self.anchor = rb"[\r\n]" if lone_cr else rb"\n"
        pattern = header_pattern(shape)
        self.line_re = re.compile(pattern)
        self.scan_re = re.compile(self.anchor + pattern)
        self.group_ids = tuple(self.line_re.groupindex[g] for g in GROUPS)
        self.date_time_ids = self.line_re.groupindex["date"], self.line_re.groupindex["time"]

    def iter_headers(self, buf: Buffer) -> Iterator[re.Match[bytes]]:
        """Strict header matches of ``buf``, each ending where its body starts."""
        first = self.line_re.match(buf, 0)
        if first is not None:
            yield first
        yield from self.scan_re.finditer(buf)

    # DateScanner protocol
    def field_exceeds_12(self, field: int) -> bool:
        if self.shape.native_zeros:
            index = field - 1
            return any(
                _to_int(m.group(self.group_ids[index])) > 12
                for m in self.iter_headers(self.source.buf)
            )
        pattern = header_pattern(self.shape, big_field=field)
        buf = self.source.buf
        return bool(re.match(pattern, buf) or re.search(self.anchor + pattern, buf))

    def all_dates(self) -> Iterator[tuple[bytes, bytes, bytes]]:
        f1, f2, f3 = self.group_ids[:3]
        for m in self.iter_headers(self.source.buf):
            yield m.group(f1), m.group(f2), m.group(f3)

    def attachment_hints(self) -> Iterator[tuple[int, int, int, int]]:
        buf = self.source.buf
        f1, f2 = self.group_ids[:2]
        for count, hit in enumerate(_IOS_MEDIA_DATE.finditer(buf)):
            if count >= 1000:
                return
            start = buf.rfind(b"\n", 0, hit.start()) + 1
            m = self.line_re.match(buf, start)
            if m is not None:
                month, day = int(hit.group(2)), int(hit.group(3))
                yield _to_int(m.group(f1)), _to_int(m.group(f2)), month, day


def _to_int(raw: bytes) -> int:
    try:
        return int(raw)
    except ValueError:
        return int(raw.decode("utf-8"))


def _choose_order(
    source: _Source,
    shape: HeaderShape,
    sample: _Sample,
    scanner: _Scanner,
    requested: DateOrder | None,
) -> tuple[DateOrder, bool]:
    """The date order, and whether it is moot (every date reads the same either way)."""
    fixed = fixed_order(shape)
    if requested is not None:
        if fixed is not None and shape.date_kind != "num":
            return fixed, False
        if (requested is DateOrder.YMD) != shape.year_first:
            where = "first" if shape.year_first else "last"
            raise InputError(
                f"--date-order {requested.value} does not fit this file: the year comes {where}",
                file=source.name,
            )
        return requested, False
    try:
        order = decide_date_order(shape, [p.fields for p in sample.probes], scanner)
    except DateOrderConflict as exc:
        raise AmbiguousDateOrderError(
            f"the date order is inconsistent ({exc}); pass --date-order DMY or MDY",
            file=source.name,
        ) from None
    if order is None and same_either_way(scanner.all_dates()):
        return DateOrder.DMY, True  # 12/12/2022, 01/01/2023: either order gives these dates
    if order is None:
        raise AmbiguousDateOrderError(
            "cannot tell whether dates are day/month or month/day (no day above 12 and no "
            "other clue); pass --date-order DMY or --date-order MDY",
            file=source.name,
        )
    return order, False


# --------------------------------------------------------------------------- records


class _Walker:
    """Produces the messages of one file; keeps the state the generator needs."""

    def __init__(
        self,
        *,
        source: _Source,
        shape: HeaderShape,
        scanner: _Scanner,
        decoder: HeaderDecoder,
        line_endings: str,
        known: set[str],
        classify: Callable[..., Body],
        is_plain: Callable[[str, str, bool], bool],
        is_system: Callable[[str], bool],
        cancel: CancelToken | None,
        progress: ProgressSink,
    ) -> None:
        self.source = source
        self.shape = shape
        self.scanner = scanner
        self.decoder = decoder
        self.ios_rule = line_endings == "ios"
        # How a header's line break is found; the hot pattern anchors on it. In "crlf" and
        # "ios" files a record ends in CRLF (a line after a bare LF is inside a message).
        self.mode = {"lf": _LF, "crlf": _CRLF, "ios": _CRLF}.get(line_endings, _GENERAL)
        anchor = {_LF: rb"\n", _CRLF: rb"\r\n"}.get(self.mode)
        self.walk_re = (
            scanner.scan_re if anchor is None else re.compile(anchor + scanner.line_re.pattern)
        )
        self.known = known
        self.notes = ChatNotes()
        self._taken = ChatNotes()  # self.notes as of the last take_notes()
        self.cancel = cancel
        self.progress = progress
        self.platform = shape.platform
        self.classify = classify
        self.is_plain = is_plain
        self.is_system = is_system
        # iOS (see _Sample.pseudo_author): where the first record starts; the chat's name
        self.first_start = -1
        self.chat_author: str | None = None
        self.colon_names = any(": " in name for name in known)
        # Known authors by their UTF-8 bytes, for the common record's short path; empty while
        # a name holds ": " (then every record goes through :func:`split_author`).
        self.names: dict[bytes, str] = {}
        for name in known:
            self._learn(name)
        self._released = 0

    def messages(
        self, first: int = 0, last: int | None = None, first_line: int = 1, compact: bool = False
    ) -> Iterator[ParsedMessage | PlainText]:
        """The generator behind :attr:`ParsedChat.messages`, over ``buf[first:last]``; with
        ``compact``, plain text messages come as :data:`PlainText` tuples.

        One loop over strict header matches; each accepted header closes the pending record,
        which is turned into a message right here (this loop runs a million times for a big
        export, so it avoids per-record calls except body classification, and the common
        record — known author, valid UTF-8 — takes a short path).
        """
        buf, utf16, n = self.source.buf, self.source.utf16, len(self.source.buf)
        if last is not None:
            n = last
        decoder, mode, ios_rule, lone_cr = (
            self.decoder,
            self.mode,
            self.ios_rule,
            self.scanner.lone_cr,
        )
        stamp_id, tail, stamps, hours, offsets, stamp_entry = (
            decoder.stamp_id, decoder.tail, decoder.stamps, decoder.hours, decoder.offsets,
            decoder.entry,
        )  # fmt: skip
        find, names, classify, platform = buf.find, self.names, self.classify, self.platform
        is_plain, ios = self.is_plain, platform == "ios"
        has_cr = mode != _LF
        seq, line, orig = 0, first_line, first
        message: ParsedMessage | PlainText
        # the pending record: start, body start, timestamp (None: preamble), header flags
        start, body_start, stamp = first, first, None
        flags: tuple[str, ...] = ()
        next_stamp: datetime | None = None
        next_flags: tuple[str, ...] = ()
        head = self.scanner.line_re.match(buf, first)
        header = decoder.stamp(head) if head is not None else None
        if head is not None and header is not None:
            body_start, stamp = head.end(), header[0]
            flags = (PM_HOUR_CONFLICT,) if header[1] else ()
        # the sentinel None closes the last record at the end of the range
        for m in chain(self.walk_re.finditer(buf, first, n), (None,)):
            if m is None:
                end = n
                stop = _without_terminator(buf, max(start, body_start), n)
            else:
                if mode == _CRLF:  # the pattern starts at the CR of a CRLF
                    stop = m.start()
                    end = stop + 2
                elif mode == _LF:
                    stop = m.start()
                    end = stop + 1
                else:
                    brk = end = m.start()  # the line break before this header line
                    end += 1
                    if lone_cr and buf[brk] == 13:
                        stop = brk
                    else:
                        stop = brk - 1 if brk and buf[brk - 1] == 13 else brk
                        if ios_rule and stop == brk:
                            continue  # iOS: a line after a bare LF is inside a message
                key = m.group(stamp_id)
                if tail:
                    base = hours.get(key[:-tail])
                    offset = offsets.get(key[-tail:])
                    if base is not None and offset is not None:
                        next_stamp, next_flags = base + offset, ()
                    else:
                        entry = stamp_entry(m)
                        if entry is None:
                            continue  # not a real date/time: a near miss, reported later
                        next_stamp, next_flags = entry
                else:
                    entry = stamps.get(key) or stamp_entry(m)
                    if entry is None:
                        continue  # not a real date/time: a near miss, reported later
                    next_stamp, next_flags = entry
            if stamp is None:
                message = self._unparsed(seq, line, orig, start, stop, end)
                lines, length = message.span.lines, message.span.length
            else:
                # Common case: "Name: " of a known participant, then valid UTF-8. The first
                # ": " of the bytes is the first of the text (UTF-8 never hides ASCII).
                cut = find(b": ", body_start, stop)
                author = names.get(buf[body_start:cut]) if cut > body_start else None
                if author is not None:
                    try:
                        text = buf[cut + 2 : stop].decode("utf-8")
                    except UnicodeDecodeError:  # the general path flags it
                        author = None
                if author is None:
                    author, text, flags, lines = self._split_body(body_start, stop, line, flags)
                elif "\n" in text or (lone_cr and "\r" in text):  # no lone CR: no LF, no CR
                    if has_cr and "\r" in text:
                        text = text.replace("\r\n", "\n").replace("\r", "\n")
                    lines = text.count("\n") + 1
                else:
                    lines = 1
                if lines > 1 and _CONT_DATED.search(text):
                    self._near_misses(text, line)
                length = self.source.original_length(start, end) if utf16 else end - start
                if author is not None and is_plain(author, text, ios):
                    # classify() would return Body(TEXT, author, text); skip building it
                    if compact and not flags:
                        message = (seq, stamp, author.strip(MARK_CHARS), text, line, lines,
                                   orig, length)  # fmt: skip
                    else:
                        message = _new_message(
                            seq, stamp, author.strip(MARK_CHARS), _TEXT, text,
                            _new_span(line, lines, orig, length), False, (), flags, None, None,
                            (), None, None,
                        )  # fmt: skip
                else:
                    span = _new_span(line, lines, orig, length)
                    parts = classify(
                        author,
                        text,
                        platform=platform,
                        pseudo=ios
                        and (
                            author == self.chat_author
                            # the first record of a one-to-one chat: a long notice only
                            or (start == self.first_start and len(text) >= FIRST_NOTICE_MIN)
                        ),
                    )
                    sender, text = parts.sender, parts.text
                    if sender:
                        sender = sender.strip(MARK_CHARS)
                    if text and text[0] in MARK_CHARS:
                        text = text.lstrip(MARK_CHARS)
                    if parts.flags:
                        marker = unknown_markers.candidate(text, parts.flags)
                        if marker is not None:
                            unknown_markers.add(self.notes.markers, marker, sender)
                    message = _new_message(
                        seq,
                        stamp,
                        sender,
                        parts.kind,
                        text,
                        span,
                        parts.edited,
                        parts.attachments,
                        parts.flags + flags if flags else parts.flags,
                        parts.system_event,
                        parts.event_actor,
                        parts.event_subjects,
                        None,
                        None,
                    )
            yield message
            if m is None:
                break
            seq += 1
            line += lines
            orig += length
            if not seq % PROGRESS_EVERY:
                self._report(orig)
            start, body_start, stamp, flags = end, m.end(), next_stamp, next_flags
        self._report(n)

    def record_start(self, offset: int) -> int | None:
        """The first offset ≥ ``offset`` where :meth:`messages` would start a record."""
        buf, decoder = self.source.buf, self.decoder
        date_id, time_id = self.scanner.date_time_ids
        for m in self.scanner.scan_re.finditer(buf, max(offset - 1, 0)):
            brk = m.start()
            crlf = brk > 0 and buf[brk - 1] == 13
            if self.ios_rule and buf[brk] == 10 and not crlf:
                continue
            date_key, time_key = m.group(date_id, time_id)
            if (decoder.dates.get(date_key) or decoder.date_miss(m)) is None:
                continue
            if (decoder.times.get(time_key) or decoder.time_miss(m)) is None:
                continue
            return brk + 1
        return None

    def line_breaks(self, start: int, end: int) -> int:
        """Line breaks in ``buf[start:end]`` as the walker counts them: LF, CR and CRLF."""
        lf, cr, crlf = self.source.counts(b"\n", b"\r", b"\r\n", start=start, end=end)
        return lf + cr - crlf

    def _report(self, done: int) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        self.progress.report("parse", done, self.source.size)
        self._release(done)

    def release_all(self) -> None:
        self._release(self.source.size)
        self._released = 0

    def _release(self, done: int) -> None:
        """Let the kernel drop mapped pages already parsed: otherwise a 100 MB chat stays
        resident for the whole import. Safe: a page read again is simply re-read."""
        buf = self.source.buf
        if not isinstance(buf, mmap.mmap) or self.source.utf16 or not _CAN_RELEASE:
            return
        upto = done - done % mmap.PAGESIZE
        if upto > self._released:
            buf.madvise(mmap.MADV_DONTNEED, self._released, upto - self._released)
            self._released = upto

    def take_notes(self) -> ChatNotes:
        taken, notes = self._taken, self.notes
        part = ChatNotes(
            notes.listed[len(taken.listed) :],
            {kind: count - taken.counts.get(kind, 0) for kind, count in notes.counts.items()},
            unknown_markers.since(notes.markers, taken.markers),
        )
        self._taken = ChatNotes(
            list(notes.listed), dict(notes.counts), unknown_markers.copy(notes.markers)
        )
        return part

    def _note(self, kind: str) -> bool:
        """Count a warning of ``kind``; whether it is to be listed (the rest are counted)."""
        count = self.notes.counts[kind] = self.notes.counts.get(kind, 0) + 1
        return kind == NOTE_OTHER or count <= WARN_LIMIT

    def _undecodable(
        self, raw: bytes, line: int, flags: tuple[str, ...]
    ) -> tuple[str, tuple[str, ...]]:
        if self._note(NOTE_UNDECODABLE):
            self.notes.listed.append(
                (
                    NOTE_UNDECODABLE,
                    f"{self.source.name}:{line}: invalid UTF-8 in this record; undecodable "
                    "bytes shown as U+FFFD (original bytes kept)",
                )
            )
        return raw.decode("utf-8", "replace"), (*flags, DECODE_ERROR)

    def _split_author(self, body: str) -> tuple[str | None, str]:
        """:func:`split_author`, learning new participants from unambiguous lines."""
        author, rest, certain = split_author(
            body, self.known, self.is_system if self.platform == "android" else None
        )
        if certain and author is not None and author not in self.known:
            self.known.add(author)
            self.colon_names = self.colon_names or ": " in author
            self._learn(author)
        return author, rest

    def _learn(self, name: str) -> None:
        """Let the short path in :meth:`messages` take records of ``name``."""
        if self.colon_names:
            self.names.clear()
        elif "\n" not in name and "\r" not in name:
            self.names[name.encode("utf-8")] = name

    def _split_body(
        self, body_start: int, stop: int, line: int, flags: tuple[str, ...]
    ) -> tuple[str | None, str, tuple[str, ...], int]:
        """``(author, text, flags, lines)`` of a record's body, the general way."""
        raw = self.source.buf[body_start:stop]
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            body, flags = self._undecodable(raw, line, flags)
        if "\r" in body:
            body = body.replace("\r\n", "\n").replace("\r", "\n")
        lines = body.count("\n") + 1
        cut = body.find(": ")
        author: str | None = body[:cut]
        if cut <= 0 or self.colon_names or author not in self.known or "\n" in author:
            author, body = self._split_author(body)
        else:
            body = body[cut + 2 :]
        return author, body, flags, lines

    def _unparsed(
        self, seq: int, line: int, orig: int, start: int, stop: int, end: int
    ) -> ParsedMessage:
        """The record of bytes before the first header, kept whole as ``unparsed``."""
        flags: tuple[str, ...] = ()
        try:
            text = self.source.buf[start:stop].decode("utf-8")
        except UnicodeDecodeError:
            text, flags = self._undecodable(self.source.buf[start:stop], line, flags)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.count("\n") + 1
        span = SourceSpan(line, lines, orig, self.source.original_length(start, end))
        self._note(NOTE_OTHER)
        self.notes.listed.append(
            (
                NOTE_OTHER,
                f"{self.source.name}:{line}: lines {line}-{line + lines - 1} come before the "
                "first message header; kept as an unparsed record",
            )
        )
        return ParsedMessage(
            seq, None, None, MessageKind.UNPARSED, text, span, flags=flags, raw=text
        )

    def _near_misses(self, body: str, line: int) -> None:
        for index, text in enumerate(body.split("\n")[1:], start=line + 1):
            if looks_dated(text) and self._note(NOTE_NEAR_MISS):
                self.notes.listed.append(
                    (
                        NOTE_NEAR_MISS,
                        f"{self.source.name}:{index}: line starts with a date but is not a "
                        "header in this file's format; kept as part of the message above",
                    )
                )


def _without_terminator(buf: Buffer, begin: int, end: int) -> int:
    """``end`` minus one trailing line terminator (CRLF, LF or CR), never before ``begin``."""
    if end > begin:
        last = buf[end - 1]
        if last == 10:
            end -= 1
            if end > begin and buf[end - 1] == 13:
                end -= 1
        elif last == 13:
            end -= 1
    return end


def split_author(
    body: str, known: Container[str], is_system: Callable[[str], bool] | None = None
) -> tuple[str | None, str, bool]:
    """Split ``Name: text`` → (author as written, text, whether the split was unambiguous).

    The author ends at the first ": " of the first line, unless a longer prefix ending at a
    later ": " is a known participant. A first line ending in ":" or ":." is an empty
    message (the "." is left in the text for body classification to flag). With
    ``is_system`` (Android), a known system text is never split: its own words may hold ": ".
    """
    first_end = body.find("\n")
    if first_end < 0:
        first_end = len(body)
    cut = body.find(": ", 0, first_end)
    skip, single = 2, True
    if cut < 0:  # "Name:" (empty message) or "Name:." (a disappearing-message artefact)
        if body.endswith(":", 0, first_end):
            cut = first_end - 1
        elif body.endswith(":.", 0, first_end):
            cut = first_end - 2
        if cut <= 0:
            return None, body, True
        skip = 1
    elif body.find(": ", cut + 2, first_end) >= 0:
        single = False
        pos = cut
        while pos >= 0:
            if body[:pos] in known:
                cut = pos
            pos = body.find(": ", pos + 2, first_end)
    author = body[:cut]
    if author not in known and is_system is not None and is_system(body):
        return None, body, True
    return author, body[cut + skip :], single and skip == 2
