"""Parse a Telegram Desktop JSON export (``result.json``) into :class:`ParsedMessage` records.

Exports reach several GB, so the document is never built as Python objects. A small scanner
walks the bytes: it follows the outer structure (one chat at the top level, or the
``chats.list`` and ``left_chats.list`` of a whole-account export) and, inside each
``messages`` array, finds every message object's byte span: from tdesktop's line layout with
one ``find`` (confirmed by the parse), else with a C-speed regular expression that tracks
strings, escapes and nesting. Only that slice is decoded and parsed, so peak memory is bounded
by one message (plus 16 bytes per message for resolving replies).

Each message keeps its byte span and its original JSON text (``raw``). Nothing is dropped: a
slice that does not parse, even after the known tdesktop repairs, becomes an ``unparsed``
record; a file cut off in the middle of a message ends with one ``unparsed`` record (flag
``truncated``) holding everything from that message's ``{`` to the end of the file.
"""

from __future__ import annotations

import codecs
import json
import json.scanner
import mmap
import re
from array import array
from bisect import bisect_left
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewer.core.errors import InputError
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.core.records import MessageKind, ParsedMessage, SourceSpan
from reviewer.importers.whatsapp.parser import _fast_constructor

__all__ = ["TelegramChat", "detect_telegram", "parse_telegram"]

Buffer = bytes | mmap.mmap

PROGRESS_EVERY = 10_000
SNIFF_BYTES = 8192
NEST_DEPTH = 8  # brackets the one-shot pattern follows; deeper values take the slow path
SYSTEM_EVENT_MAX = 32  # column width of ``system_event``
_COUNT_CHUNK = 1 << 22

_OPEN_BRACE, _CLOSE_BRACE = ord("{"), ord("}")
_OPEN_SQUARE, _CLOSE_SQUARE = ord("["), ord("]")
_COMMA, _QUOTE = ord(","), ord('"')

# --------------------------------------------------------------------------- byte patterns

_WS = rb"[ \t\r\n]*+"
_STR = rb'"(?:[^"\\]++|\\.)*+"'
_ATOM = rb'[^"{}\[\]]++|' + _STR


def _bracketed(depth: int, opening: bytes, closing: bytes) -> bytes:
    """A pattern for one bracketed JSON value nested at most ``depth`` brackets deep.

    Python's ``re`` has no recursion, so the nesting is unrolled; possessive quantifiers keep
    a failing match linear. Bracket kinds are not paired up: a mismatch surfaces when the
    slice is decoded.
    """
    value = _ATOM
    for _ in range(depth - 1):
        value = _ATOM + rb"|[{\[](?:" + value + rb")*+[}\]]"
    return opening + rb"(?:" + value + rb")*+" + closing


_ELEMENT = re.compile(
    _WS + rb"(" + _bracketed(NEST_DEPTH, rb"\{", rb"\}") + rb")" + _WS + rb"[,\]]", re.S
)
_BRACKETED = re.compile(_bracketed(NEST_DEPTH, rb"[{\[]", rb"[}\]]"), re.S)
_STRING = re.compile(_STR, re.S)
_SCALAR = re.compile(rb"[^,}\]\s]*+")
_SPACE = re.compile(_WS)
_KEY = re.compile(rb"(" + _STR + rb")" + _WS + rb":" + _WS, re.S)
# token by token: strings (possibly unterminated), brackets and commas
_TOKEN = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[{}\[\],]|"', re.S)
# a message boundary in tdesktop's layout (every message object starts with "id")
_RESYNC = re.compile(rb"\}" + _WS + rb"," + _WS + rb"(?=\{" + _WS + rb'"id"' + _WS + rb":)")
_SNIFF_KEY = re.compile(rb'\{\s*"([a-z_]+)"\s*:')

# repairs of known invalid tdesktop output, tried only when a slice does not parse
_REPAIR = re.compile(
    r'(?P<str>"(?:[^"\\]|\\.)*")'  # a whole string: its escapes are checked below
    r"|(?<=[{,])(?P<pad>\s*)(?P<key>[A-Za-z_]\w*)(?=\s*:)"  # an unquoted member name
    r"|(?P<colon>:[ \t]*)"  # a member value that is not JSON: quote it (tdesktop #24961)
    r'(?P<bare>(?!["{\[\-0-9]|true\b|false\b|null\b)[^\s,{}\[\]"][^\r\n]*?)'
    r"(?=[ \t]*,?[ \t]*(?:\r?\n|\Z)|[ \t]*[,}\]])",
    re.S,
)
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|(u[0-9a-fA-F]{4}|[\"\\/bfnrt])|(.)|\Z)", re.S)

# --------------------------------------------------------------------------- vocabularies

_CHAT_KINDS = {
    "private_group": "group",
    "private_supergroup": "group",
    "public_supergroup": "group",
    "personal_chat": "direct",
    "bot_chat": "direct",
    "saved_messages": "direct",
    "private_channel": "channel",
    "public_channel": "channel",
}
_UNNAMED = {"saved_messages": "Saved Messages", "replies": "Replies"}

_EVENTS = {
    "create_group": "created",
    "create_channel": "created",
    "migrate_from_group": "created",
    "invite_members": "added",
    "remove_members": "removed",
    "join_group_by_link": "joined",
    "join_group_by_request": "joined",
    "pin_message": "pin",
    "edit_group_title": "subject",
    "edit_group_photo": "icon",
    "delete_group_photo": "icon",
    "phone_call": "call",
    "group_call": "call",
}
_MEMBER_EVENTS = frozenset({"created", "added", "removed"})
_DELETED_ACCOUNT = "Deleted Account"  # how Telegram shows a member whose name is null

_MEDIA_PATH_KEYS = ("photo", "file", "thumbnail", "contact_vcard")
_SPECIAL_KEYS = frozenset(
    {
        *_MEDIA_PATH_KEYS,
        "media_type",
        "poll",
        "location_information",
        "place_name",
        "contact_information",
        "self_destruct_period_seconds",
    }
)
_NOT_EXPORTED = "media-not-exported"
_NOTICE_DETAILS = {"exceeds maximum size": "media-too-large", "unavailable": "media-unavailable"}


@dataclass(frozen=True)
class TelegramChat:
    """One chat of an export; its messages are produced lazily, once, in file order."""

    name: str
    kind: str  # "group", "direct", "channel", "replies", "unknown" …
    source_id: str
    messages: Iterator[ParsedMessage]


_Chats = Generator[TelegramChat, None, int]  # yields chats, returns the end offset


class _Truncated(Exception):
    """The data ends inside the outer structure."""


class _Broken(Exception):
    """The outer structure is not JSON at ``pos``."""

    def __init__(self, pos: int, what: str) -> None:
        super().__init__(what)
        self.pos = pos
        self.what = what


# --------------------------------------------------------------------------- detection


def detect_telegram(path: Path) -> bool:
    """True for a Telegram Desktop ``result.json`` (or a folder holding one); reads 8 KB."""
    candidate = path / "result.json" if path.is_dir() else path
    try:
        with candidate.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    head = head.removeprefix(codecs.BOM_UTF8).lstrip()
    first = _SNIFF_KEY.match(head)
    if first is None:
        return False
    key = first.group(1)
    if key in (b"name", b"type", b"id", b"messages"):  # one chat
        return b'"messages"' in head
    if key in (b"chats", b"left_chats"):  # the chat list of an account export
        return b'"list"' in head
    return key in (b"about", b"personal_information") and (
        b'"personal_information"' in head or b'"chats"' in head
    )


# --------------------------------------------------------------------------- entry point


def parse_telegram(
    data: bytes | mmap.mmap,
    *,
    file_name: str,
    cancel: CancelToken | None = None,
    progress: ProgressSink | None = None,
) -> Iterator[TelegramChat]:
    """The chats of an export, one after another, in file order.

    What is not a Telegram JSON export at all (empty, HTML, not JSON) is refused here, with an
    InputError naming the file; problems found later (no ``messages`` array, broken outer
    structure) raise InputError from the iteration. Each chat's messages should be consumed
    before the next chat is asked for; whatever is left unconsumed is skipped.
    """
    start = _document_start(data, file_name)
    walker = _Walker(_Document(data, file_name), cancel, progress or NullProgress())
    return walker.chats(start)


def _document_start(data: Buffer, name: str) -> int:
    """Offset of the top-level ``{``; refuses anything else with a useful message."""
    if len(data) == 0:
        raise InputError("the file is empty; not a Telegram result.json", file=name)
    bom = 3 if data[:3] == codecs.BOM_UTF8 else 0
    head = bytes(data[bom : bom + 4096])
    body = head.lstrip(b" \t\r\n")
    if body.startswith(b"{"):
        return bom + len(head) - len(body)
    raise InputError(_what_instead(head, body), file=name)


_MAGIC = {
    b"PK\x03\x04": "a zip archive (unzip it and choose its result.json)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"SQLite format 3": "an SQLite database",
}


def _what_instead(head: bytes, body: bytes) -> str:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return f"this is {what}, not a Telegram result.json"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        return "binary or UTF-16 data, not a Telegram result.json (Telegram writes UTF-8 JSON)"
    lower = body[:2048].lower()
    if lower.startswith(b"<") and (b"<html" in lower or b"<!doctype html" in lower):
        if b"exported data" in lower or b"telegram" in lower:
            return "this is Telegram's HTML export; export again choosing 'Machine-readable JSON'"
        return "an HTML file, not a Telegram result.json (export choosing 'Machine-readable JSON')"
    if body.startswith(b"["):
        return "JSON, but not a Telegram export: the top level is an array, not an object"
    return "not JSON, so not a Telegram Desktop result.json"


# --------------------------------------------------------------------------- the document


class _Document:
    """The bytes, with primitives for walking the outer JSON structure."""

    def __init__(self, buf: Buffer, name: str) -> None:
        self.buf = buf
        self.name = name
        self.size = len(buf)
        self.line_pos = 0  # a position whose line is known (lines only ever move forward)
        self.line = 1

    def line_at(self, pos: int) -> int:
        if pos < self.line_pos:  # pragma: no cover - callers only move forward
            self.line_pos, self.line = 0, 1
        self.line += _newlines(self.buf, self.line_pos, pos)
        self.line_pos = pos
        return self.line

    def mark_line(self, pos: int, line: int) -> None:
        self.line_pos, self.line = pos, line

    def space(self, pos: int) -> int:
        found = _SPACE.match(self.buf, pos)
        return pos if found is None else found.end()

    def byte(self, pos: int) -> int:
        if pos >= self.size:
            raise _Truncated
        return self.buf[pos]

    def text(self, start: int, end: int) -> tuple[str, bool]:
        """``buf[start:end]`` decoded; True when it was not valid UTF-8 (replaced)."""
        chunk = self.buf[start:end]
        try:
            return str(chunk, "utf-8"), False
        except UnicodeDecodeError:
            return str(chunk, "utf-8", "replace"), True

    def skip_value(self, pos: int) -> int:
        """End of the JSON value starting at ``pos``."""
        c = self.byte(pos)
        if c in (_OPEN_BRACE, _OPEN_SQUARE):
            found = _BRACKETED.match(self.buf, pos)
            return found.end() if found is not None else self.close_of(pos)
        if c == _QUOTE:
            found = _STRING.match(self.buf, pos)
            if found is None:
                raise _Truncated
            return found.end()
        found = _SCALAR.match(self.buf, pos)
        if found is None or found.end() == pos:
            raise self.broken(pos, "expected a value")
        return found.end()

    def close_of(self, pos: int) -> int:
        """End of the bracketed value at ``pos``, token by token (deep nesting)."""
        depth, buf = 0, self.buf
        for token in _TOKEN.finditer(buf, pos):
            c = buf[token.start()]
            if c in (_OPEN_BRACE, _OPEN_SQUARE):
                depth += 1
            elif c in (_CLOSE_BRACE, _CLOSE_SQUARE):
                depth -= 1
                if depth == 0:
                    return token.end()
            elif c == _QUOTE and token.end() - token.start() == 1:
                break  # unterminated string
        raise _Truncated

    def value(self, pos: int) -> tuple[Any, int]:
        """A small member value (chat name, type, id) decoded, and where it ends."""
        end = self.skip_value(pos)
        text, _ = self.text(pos, end)
        try:
            return json.loads(text), end
        except (ValueError, RecursionError):
            try:
                return json.loads(_repair(text), strict=False), end
            except (ValueError, RecursionError):
                return None, end

    def broken(self, pos: int, what: str) -> Exception:
        rest = self.space(pos)
        if rest >= self.size or (
            self.buf[rest] == _QUOTE and _STRING.match(self.buf, rest) is None
        ):
            return _Truncated()
        return _Broken(pos, what)


def _newlines(buf: Buffer, start: int, end: int) -> int:
    if end <= start:
        return 0
    if isinstance(buf, bytes):
        return buf.count(b"\n", start, end)
    total = 0
    for pos in range(start, end, _COUNT_CHUNK):
        total += buf[pos : min(pos + _COUNT_CHUNK, end)].count(b"\n")
    return total


class _Members:
    """Walks the members of one JSON object: call :meth:`next`, then set :attr:`pos`."""

    def __init__(self, doc: _Document, pos: int) -> None:
        self.doc = doc
        self.pos = pos + 1  # after "{"
        self.first = True

    def next(self) -> tuple[str, int] | None:
        """(member name, offset of its value), or None after the closing brace."""
        doc = self.doc
        pos = doc.space(self.pos)
        c = doc.byte(pos)
        if c == _CLOSE_BRACE:
            self.pos = pos + 1
            return None
        if not self.first:
            if c != _COMMA:
                raise doc.broken(pos, "expected ',' or '}' between members")
            pos = doc.space(pos + 1)
        self.first = False
        found = _KEY.match(doc.buf, pos)
        if found is None:
            raise doc.broken(pos, "expected a member name")
        key, _ = doc.text(*found.span(1))
        return key[1:-1], found.end()


# --------------------------------------------------------------------------- messages array


EXACT, GUESSED, TRUNCATED = 0, 1, 2  # how an element's span was found
_GIVE_UP_GUESSING = 3  # wrong layout guesses in a row before the scanner stops guessing


class _ArrayScanner:
    """Finds the byte span of each element of one ``messages`` array, without decoding.

    Exact spans come from a pattern that follows strings and nesting. tdesktop pretty-prints
    one member per line, and raw line breaks cannot occur inside valid JSON strings, so once
    the first message shows the layout, the end of each message is simply the next line
    holding only its indentation and ``}``: one ``find``. Such a span is GUESSED: the caller
    confirms it by parsing the slice (a valid object ending there must end there), and asks
    for the EXACT span with :meth:`rescan` when it does not parse.
    """

    def __init__(self, doc: _Document, pos: int) -> None:
        self.doc = doc
        self.pos = pos  # after "["
        self.end: int | None = None  # after the array, once known
        self.first = True
        self.closing: bytes | None = None  # b"\n" + indentation + b"}", once learnt
        self.misses = 0

    def restart(self, pos: int) -> None:
        """Continue at ``pos`` (the ``{`` of a message found by resynchronising)."""
        self.pos, self.end, self.first = pos, None, False

    def rescan(self, start: int) -> tuple[int, int, int]:
        """The exact span of the element at ``start``, whose guessed span did not parse."""
        self.misses += 1
        if self.misses >= _GIVE_UP_GUESSING:
            self.closing = None
        self.pos, self.end = start, None
        found = self._exact()
        assert found is not None  # there is a "{" at start
        return found

    def next(self) -> tuple[int, int, int] | None:
        """(start, end, how) of the next element, or None after the array."""
        if self.end is not None:
            return None
        closing = self.closing
        if closing is not None:
            buf = self.doc.buf
            start = _SPACE.match(buf, self.pos).end()  # type: ignore[union-attr]
            end = buf.find(closing, start) + len(closing)
            if end >= len(closing) and buf[start] == _OPEN_BRACE:  # found, so start < size
                after = _SPACE.match(buf, end).end()  # type: ignore[union-attr]
                c = buf[after] if after < self.doc.size else None
                if c == _COMMA:
                    self.pos = after + 1
                    return start, end, GUESSED
                if c == _CLOSE_SQUARE:
                    self.pos = self.end = after + 1
                    return start, end, GUESSED
        return self._exact()

    def drain(self, cancel: CancelToken | None) -> int:
        """Skip the remaining elements; the offset after the array."""
        self.closing = None
        skipped = 0
        while self.next() is not None:
            skipped += 1
            if cancel is not None and skipped % PROGRESS_EVERY == 0:
                cancel.raise_if_cancelled()
        assert self.end is not None
        return self.end

    def _exact(self) -> tuple[int, int, int] | None:
        found = _ELEMENT.match(self.doc.buf, self.pos)
        if found is None:
            return self._slow()
        self.first = False
        self.pos = found.end()
        if self.doc.buf[self.pos - 1] == _CLOSE_SQUARE:
            self.end = self.pos
        start, end = found.span(1)
        if self.closing is None and self.misses < _GIVE_UP_GUESSING:
            self._learn(start, end)
        return start, end, EXACT

    def _learn(self, start: int, end: int) -> None:
        """Take the layout of the message at ``buf[start:end]`` if it is tdesktop's."""
        buf = self.doc.buf
        line_start = buf.rfind(b"\n", max(0, start - 64), start) + 1
        indent = bytes(buf[line_start:start])
        if line_start == 0 or indent.strip(b" \t"):
            return
        closing = b"\n" + indent + b"}"
        if bytes(buf[end - len(closing) : end]) == closing:
            self.closing = closing

    def _slow(self) -> tuple[int, int, int] | None:
        """Element by tokens: deep nesting, an empty array, or broken or truncated data."""
        doc = self.doc
        pos = doc.space(self.pos)
        if pos >= doc.size:
            self.end = doc.size
            return None
        if doc.buf[pos] == _CLOSE_SQUARE and self.first:
            self.end = pos + 1
            return None
        self.first = False
        stop = self._stop(pos)
        if stop >= doc.size:
            self.end = self.pos = doc.size
            return pos, doc.size, TRUNCATED
        end = pos + len(bytes(doc.buf[pos:stop]).rstrip(b" \t\r\n"))
        c = doc.buf[stop]
        if c == _COMMA:
            self.pos = stop + 1
        else:  # "]" closes the array; a stray "}" is left to the object around it
            self.end = self.pos = stop + 1 if c == _CLOSE_SQUARE else stop
        if end == pos:  # nothing between two separators
            return self._exact() if self.end is None else None
        return pos, end, EXACT

    def _stop(self, pos: int) -> int:
        """Offset of the separator (``,`` or closing bracket) after the element at ``pos``."""
        depth, buf = 0, self.doc.buf
        for token in _TOKEN.finditer(buf, pos):
            at = token.start()
            c = buf[at]
            if c in (_OPEN_BRACE, _OPEN_SQUARE):
                depth += 1
            elif c in (_CLOSE_BRACE, _CLOSE_SQUARE):
                if depth == 0:
                    return at
                depth -= 1
            elif c == _COMMA:
                if depth == 0:
                    return at
            elif token.end() - at == 1:
                break  # unterminated string
        return self.doc.size


class _IdIndex:
    """Message id → seq within one chat, compact (ids almost always ascend)."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.seqs = array("q")
        self.others: dict[int, int] = {}

    def add(self, message_id: int, seq: int) -> None:
        ids = self.ids
        if (not ids or message_id > ids[-1]) and -(2**63) <= message_id < 2**63:
            ids.append(message_id)
            self.seqs.append(seq)
        else:
            self.others.setdefault(message_id, seq)

    def find(self, message_id: int) -> int | None:
        ids = self.ids
        if -(2**63) <= message_id < 2**63:
            index = bisect_left(ids, message_id)
            if index < len(ids) and ids[index] == message_id:
                return self.seqs[index]
        return self.others.get(message_id)


# --------------------------------------------------------------------------- walking


class _Walker:
    """Produces the chats of one document and, lazily, each chat's messages."""

    def __init__(self, doc: _Document, cancel: CancelToken | None, progress: ProgressSink):
        self.doc = doc
        self.cancel = cancel
        self.progress = progress
        self.chat_count = 0
        self.message_count = 0

    def chats(self, start: int) -> Iterator[TelegramChat]:
        doc = self.doc
        try:
            yield from self._object(start, top=True)
        except _Truncated:
            if self.chat_count == 0:
                raise InputError(
                    "the file ends before any complete 'messages' array (truncated?)",
                    file=doc.name,
                ) from None
        except _Broken as exc:
            raise InputError(
                f"not valid JSON here ({exc.what})", file=doc.name, line=doc.line_at(exc.pos)
            ) from None
        if self.chat_count == 0:
            raise InputError(
                "JSON without a 'messages' array or a chat list: not a Telegram chat export",
                file=doc.name,
            )
        self.progress.report("parse", doc.size, doc.size)

    def _object(self, pos: int, *, top: bool) -> _Chats:
        """A chat object (or, at the top, an account export); returns where it ends."""
        doc, meta = self.doc, dict[str, Any]()
        members = _Members(doc, pos)
        while (item := members.next()) is not None:
            key, at = item
            c = doc.byte(at)
            if key == "messages" and c == _OPEN_SQUARE:
                members.pos = yield from self._chat(meta, at)
            elif top and key in ("chats", "left_chats") and c == _OPEN_BRACE:
                members.pos = yield from self._chat_list(at)
            elif key in ("name", "type", "id"):
                meta[key], members.pos = doc.value(at)
            else:
                members.pos = doc.skip_value(at)
        return members.pos

    def _chat_list(self, pos: int) -> _Chats:
        """``{"about": …, "list": [chat, …]}``; returns where it ends."""
        doc = self.doc
        members = _Members(doc, pos)
        while (item := members.next()) is not None:
            key, at = item
            if key == "list" and doc.byte(at) == _OPEN_SQUARE:
                members.pos = yield from self._chat_array(at)
            else:
                members.pos = doc.skip_value(at)
        return members.pos

    def _chat_array(self, pos: int) -> _Chats:
        doc, pos, first = self.doc, pos + 1, True
        while True:
            pos = doc.space(pos)
            c = doc.byte(pos)
            if c == _CLOSE_SQUARE:
                return pos + 1
            if not first:
                if c != _COMMA:
                    raise doc.broken(pos, "expected ',' or ']' between chats")
                pos = doc.space(pos + 1)
                c = doc.byte(pos)
            first = False
            if c == _OPEN_BRACE:
                pos = yield from self._object(pos, top=False)
            else:
                pos = doc.skip_value(pos)

    def _chat(self, meta: dict[str, Any], pos: int) -> _Chats:
        """Yields the chat whose ``messages`` array starts at ``pos``; returns its end."""
        chat_type = meta.get("type")
        chat_type = chat_type if isinstance(chat_type, str) and chat_type else None
        name = meta.get("name")
        if not isinstance(name, str) or not name:
            name = _UNNAMED.get(chat_type or "", "(unnamed chat)")
        chat_id = meta.get("id")
        source_id = "" if chat_id is None else str(chat_id)
        scanner = _ArrayScanner(self.doc, pos + 1)
        messages = self._messages(scanner, _MessageBuilder(source_id))
        self.chat_count += 1
        kind = _CHAT_KINDS.get(chat_type, chat_type) if chat_type else "unknown"
        yield TelegramChat(name=name, kind=kind, source_id=source_id, messages=messages)
        messages.close()
        return scanner.drain(self.cancel)

    def _messages(
        self, scanner: _ArrayScanner, builder: _MessageBuilder
    ) -> Generator[ParsedMessage, None, None]:
        seq = 0
        while (item := scanner.next()) is not None:
            record = self._quick(scanner, builder, seq, *item) if item[2] == GUESSED else None
            yield record or self._record(scanner, builder, seq, *item)
            seq += 1
            self.message_count += 1
            if self.message_count % PROGRESS_EVERY == 0:
                if self.cancel is not None:
                    self.cancel.raise_if_cancelled()
                self.progress.report("parse", scanner.pos, self.doc.size)

    def _quick(
        self, scanner: _ArrayScanner, builder: _MessageBuilder, seq: int,
        start: int, end: int, _how: int,
    ) -> ParsedMessage | None:  # fmt: skip
        """The common case: a guessed span holding valid UTF-8 and valid JSON."""
        try:
            raw = str(self.doc.buf[start:end], "utf-8")
            obj, stop = _SCAN(raw, 0)
        except (UnicodeDecodeError, StopIteration, ValueError, RecursionError):
            return None
        if stop != len(raw) or type(obj) is not dict:
            return None
        scanner.misses = 0
        return builder.message(obj, seq, self._span(raw, start, end), raw, [])

    def _record(
        self, scanner: _ArrayScanner, builder: _MessageBuilder, seq: int,
        start: int, end: int, how: int,
    ) -> ParsedMessage:  # fmt: skip
        """The message at ``buf[start:end]``: parsed, repaired, or ``unparsed``."""
        doc = self.doc
        raw, bad_utf8, obj, repaired = "", False, None, False
        if how == GUESSED:  # the quick path failed: repair, or rescan exactly
            raw, bad_utf8 = doc.text(start, end)
            obj, repaired = _load(raw)
            if type(obj) is not dict:
                obj, repaired = None, False
                start, end, how = scanner.rescan(start)
        if how == TRUNCATED:  # find the next message boundary before decoding a long tail
            end, how = self._resync(scanner, start, end, how)
        if how != GUESSED:
            raw, bad_utf8 = doc.text(start, end)
            if how == TRUNCATED:  # a complete message may still end just before the cut
                kept = raw.rstrip(" \t\r\n")
                obj, repaired = _load(kept)
                if type(obj) is dict:
                    end, raw, how = end - (len(raw) - len(kept)), kept, EXACT
            else:
                obj, repaired = _load(raw)
        if obj is None and how == EXACT:
            cut, _ = self._resync(scanner, start, end, how)
            if cut != end:
                end = cut
                raw, bad_utf8 = doc.text(start, end)
                obj, repaired = _load(raw)
        return self._message(builder, seq, obj, repaired, raw, bad_utf8, start, end, how)

    def _message(
        self, builder: _MessageBuilder, seq: int, obj: Any, repaired: bool, raw: str,
        bad_utf8: bool, start: int, end: int, how: int,
    ) -> ParsedMessage:  # fmt: skip
        span = self._span(raw, start, end)
        flags = ["decode-error"] if bad_utf8 else []
        if type(obj) is dict:
            if repaired:
                flags.append("json-repaired")
            return builder.message(obj, seq, span, raw, flags)
        if how == TRUNCATED:
            flags.append("truncated")
        else:
            flags.append("json-error" if obj is None else "not-an-object")
        builder.unparsed_id(raw, seq)
        return _new_message(
            seq, None, None, MessageKind.UNPARSED, raw, span, False, (), tuple(flags),
            None, None, (), None, raw,
        )  # fmt: skip

    def _span(self, raw: str, start: int, end: int) -> SourceSpan:
        doc = self.doc
        line = doc.line_at(start)
        breaks = raw.count("\n")
        doc.line_pos, doc.line = end, line + breaks
        lines = breaks if breaks and raw.endswith("\n") else breaks + 1
        return _new_span(line, lines, start, end - start)

    def _resync(self, scanner: _ArrayScanner, start: int, end: int, how: int) -> tuple[int, int]:
        """Cut a broken element at the next message boundary inside it, if there is one.

        Returns the element's new end and how it was found (no longer truncated after a
        cut); the scanner then continues at the following message.
        """
        cut = _RESYNC.search(self.doc.buf, start + 1, end)
        if cut is None:
            return end, how
        scanner.restart(cut.end())
        return cut.start() + 1, EXACT


_SCAN = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
_SCAN_LAX = json.scanner.make_scanner(json.JSONDecoder(strict=False))  # type: ignore[arg-type]
_new_message = _fast_constructor(ParsedMessage)  # positional, 3x faster than the frozen init
_new_span = _fast_constructor(SourceSpan)


def _load(raw: str) -> tuple[Any, bool]:
    """(the JSON value that is exactly ``raw``, or None; whether a repair was needed).

    Calls the C scanner directly: ``json.loads`` costs twice as much on small objects.
    """
    try:
        value, end = _SCAN(raw, 0)
        if end == len(raw):
            return value, False
    except (StopIteration, ValueError, RecursionError):
        pass
    fixed = _repair(raw)
    try:
        value, end = _SCAN_LAX(fixed, 0)
        if end == len(fixed):
            return value, True
    except (StopIteration, ValueError, RecursionError):
        pass
    return None, False


def _repair(text: str) -> str:
    """Fix invalid escapes (``\\x01``, lone backslashes; tdesktop #27571) and quote bare
    member names and values (custom-emoji ``document_id`` paths; tdesktop #24961/#24984)."""
    return _REPAIR.sub(_repair_match, text)


def _repair_match(found: re.Match[str]) -> str:
    string = found.group("str")
    if string is not None:
        return _ESCAPE.sub(_repair_escape, string)
    key = found.group("key")
    if key is not None:
        return f'{found.group("pad")}"{key}"'
    return found.group("colon") + json.dumps(found.group("bare").rstrip(), ensure_ascii=False)


def _repair_escape(found: re.Match[str]) -> str:
    if found.group(1) is not None:
        return "\\u00" + found.group(1)
    if found.group(2) is not None:
        return found.group(0)
    return "\\\\" + (found.group(3) or "")


# --------------------------------------------------------------------------- one message


class _MessageBuilder:
    """Turns one decoded message object into a record; resolves replies within the chat."""

    def __init__(self, chat_id: str) -> None:
        self.ids = _IdIndex()
        self.chat_digits = re.sub(r"\D", "", chat_id)

    def unparsed_id(self, raw: str, seq: int) -> None:
        """Register the id of a message that did not parse, so replies to it still resolve."""
        found = re.match(r'\s*\{\s*"id"\s*:\s*(\d+)\s*,', raw)
        if found is not None:
            self.ids.add(int(found.group(1)), seq)

    def message(
        self, obj: dict[str, Any], seq: int, span: SourceSpan, raw: str, flags: list[str]
    ) -> ParsedMessage:
        get = obj.get
        timestamp = _timestamp(get("date"), get("date_unixtime"), flags)
        message_id = get("id")
        if type(message_id) is int:
            self.ids.add(message_id, seq)
        reply = get("reply_to_message_id")
        reply_seq = None if reply is None else self._reply(reply, get("reply_to_peer_id"), flags)
        edited = "edited" in obj or "edited_unixtime" in obj
        if "forwarded_from" in obj:
            flags.append("forwarded")
        if get("type") == "service":
            kind, text, event, actor, subjects = _service(obj)
            return _new_message(
                seq, timestamp, None, kind, text, span, edited, (), tuple(flags),
                event, actor, subjects, reply_seq, raw,
            )  # fmt: skip
        kind, text, attachments = _content(obj, flags)
        return _new_message(
            seq, timestamp, _sender(obj, flags), kind, text, span, edited, attachments,
            tuple(flags), None, None, (), reply_seq, raw,
        )  # fmt: skip

    def _reply(self, reply: object, peer: object, flags: list[str]) -> int | None:
        if type(reply) is not int:
            try:
                reply = int(str(reply))
            except ValueError:
                flags.append(f"reply-to-missing:{reply}")
                return None
        if peer is not None and re.sub(r"\D", "", str(peer)) != self.chat_digits:
            flags.append(f"reply-to-other-chat:{peer}:{reply}")
            return None
        found = self.ids.find(reply)
        if found is None:
            flags.append(f"reply-to-missing:{reply}")
        return found


def _timestamp(date: object, unixtime: object, flags: list[str]) -> datetime | None:
    """Local wall time as written; the exact instant goes into a ``unixtime:`` flag."""
    instant: int | None = None
    if unixtime is not None:
        try:
            instant = int(unixtime)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            flags.append("unixtime-invalid")
        else:
            flags.append(f"unixtime:{instant}")
    if type(date) is str:
        try:
            stamp = datetime.fromisoformat(date)
        except ValueError:
            flags.append("date-invalid")
        else:
            return stamp if stamp.tzinfo is None else stamp.replace(tzinfo=None)
    if instant is not None:
        try:
            stamp = datetime.fromtimestamp(instant, UTC)
        except (OverflowError, OSError, ValueError):
            pass
        else:
            flags.append("date-from-unixtime")  # the naive time is UTC, not local
            return stamp.replace(tzinfo=None)
    flags.append("date-missing")
    return None


def _sender(obj: dict[str, Any], flags: list[str]) -> str | None:
    name = obj.get("from")
    if type(name) is str and name:
        return name
    if "from" in obj:
        flags.append("from-null")  # deleted account or anonymous; identity is from_id
    sender_id = obj.get("from_id")
    return None if sender_id is None or sender_id == "" else str(sender_id)


def _plain(value: object) -> str:
    """Plain text of a ``text`` value: a string, or an array of strings and entities."""
    if type(value) is str:
        return value
    if type(value) is list:
        return "".join(_entity_text(part) for part in value)
    return ""


def _entity_text(part: object) -> str:
    if type(part) is str:
        return part
    if type(part) is dict:
        text = part.get("text")
        return text if type(text) is str else ""
    return ""


def _content(obj: dict[str, Any], flags: list[str]) -> tuple[MessageKind, str, tuple[str, ...]]:
    """Kind, text and attachments of an ordinary (non-service) message."""
    text = _plain(obj["text"]) if "text" in obj else _plain(obj.get("text_entities"))
    if _SPECIAL_KEYS.isdisjoint(obj):
        if obj.get("type") == "unsupported":
            flags.append("unsupported")
        elif not text:
            flags.append("empty-body")
        return MessageKind.TEXT, text, ()
    attachments = _attachments(obj, flags)
    if "self_destruct_period_seconds" in obj:
        flags.append("self-destruct")
    if "poll" in obj:
        return MessageKind.POLL, _poll_text(obj["poll"], text), attachments
    if "location_information" in obj or "place_name" in obj:
        return MessageKind.LOCATION, _location_text(obj, text, flags), attachments
    if "contact_information" in obj:
        return MessageKind.CONTACT, _contact_text(obj["contact_information"], text), attachments
    media_type = obj.get("media_type")
    if media_type is not None:
        flags.append(f"media:{media_type}")
    elif "photo" in obj:
        flags.append("media:photo")
    elif "file" in obj:
        flags.append("media:file")
    return MessageKind.MEDIA, text, attachments


def _attachments(obj: dict[str, Any], flags: list[str]) -> tuple[str, ...]:
    """Relative paths of exported files; skip notices become flags instead."""
    found: list[str] = []
    for key in _MEDIA_PATH_KEYS:
        value = obj.get(key)
        if type(value) is not str or not value:
            continue
        if "(File " not in value or not value.rstrip().endswith(")"):
            found.append(value)
            continue
        for flag in (_NOT_EXPORTED, *_notice_details(value)):
            if flag not in flags:
                flags.append(flag)
    return tuple(found)


def _notice_details(notice: str) -> list[str]:
    return [flag for words, flag in _NOTICE_DETAILS.items() if words in notice]


def _poll_text(poll: object, caption: str) -> str:
    if type(poll) is not dict:
        return caption
    lines = [_plain(poll.get("question"))]
    answers = poll.get("answers")
    for answer in answers if type(answers) is list else ():
        if type(answer) is dict:
            lines.append("- " + _plain(answer.get("text")))
    if caption:
        lines.append(caption)
    return "\n".join(lines)


def _location_text(obj: dict[str, Any], caption: str, flags: list[str]) -> str:
    if "live_location_period_seconds" in obj:
        flags.append("live-location")
    lines = [_plain(obj.get("place_name")), _plain(obj.get("address"))]
    where = obj.get("location_information")
    if type(where) is dict:
        lat, lon = where.get("latitude"), where.get("longitude")
        if lat is not None and lon is not None:
            lines.append(f"{lat}, {lon}")
    lines.append(caption)
    return "\n".join(line for line in lines if line)


def _contact_text(contact: object, caption: str) -> str:
    lines = [caption]
    if type(contact) is dict:
        names = (_plain(contact.get("first_name")), _plain(contact.get("last_name")))
        lines = [" ".join(n for n in names if n), _plain(contact.get("phone_number")), caption]
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- service messages


def _service(
    obj: dict[str, Any],
) -> tuple[MessageKind, str, str | None, str | None, tuple[str, ...]]:
    """Kind, text, system event, actor and subjects of a ``type: "service"`` message."""
    action = obj.get("action")
    action = action if type(action) is str and action else "unknown"
    actor = _name(obj.get("actor")) or _name(obj.get("actor_id"))
    members = obj.get("members")
    names = tuple(_name(m) or _DELETED_ACCOUNT for m in members) if type(members) is list else ()
    event = _EVENTS.get(action, action)[:SYSTEM_EVENT_MAX]
    if event in ("added", "removed") and actor is not None and names == (actor,):
        event = "joined" if event == "added" else "left"  # someone joining or leaving
    if event in _MEMBER_EVENTS:
        subjects = names
    elif event in ("joined", "left") and actor is not None:
        subjects = (actor,)
    else:
        subjects = ()
    text = _plain(obj.get("text")) or _describe(action, event, actor or "Someone", obj, names)
    kind = MessageKind.CALL if event == "call" else MessageKind.SYSTEM
    return kind, text, event, actor, subjects


def _name(value: object) -> str | None:
    if value is None or value == "":
        return None
    return value if type(value) is str else str(value)


def _describe(
    action: str, event: str, actor: str, obj: dict[str, Any], names: tuple[str, ...]
) -> str:
    """A readable line for a service message whose own text is empty."""
    title = _plain(obj.get("title"))
    listed = ", ".join(names)
    if event == "call":
        return _call_text(action, obj)
    lines = {
        "create_group": f'{actor} created group "{title}"',
        "create_channel": f'{actor} created channel "{title}"',
        "migrate_from_group": f'{actor} converted group "{title}" to a supergroup',
        "invite_members": f"{actor} added {listed}",
        "remove_members": f"{actor} removed {listed}",
        "join_group_by_link": f"{actor} joined the group via invite link",
        "join_group_by_request": f"{actor} joined the group (request approved)",
        "pin_message": f"{actor} pinned message {obj.get('message_id')}",
        "edit_group_title": f'{actor} changed the group name to "{title}"',
        "edit_group_photo": f"{actor} changed the group photo",
        "delete_group_photo": f"{actor} removed the group photo",
    }
    if event in ("joined", "left") and action in ("invite_members", "remove_members"):
        return f"{actor} {event} the group"
    return lines.get(action, f"{actor}: {action.replace('_', ' ')}")


def _call_text(action: str, obj: dict[str, Any]) -> str:
    parts = ["Group call" if action == "group_call" else "Call"]
    duration = obj.get("duration_seconds", obj.get("duration"))
    if duration is not None:
        parts.append(f"{duration} s")
    reason = obj.get("discard_reason")
    if reason:
        parts.append(str(reason))
    return ", ".join(parts)
