"""Frozen records that importers produce and the store consumes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MessageKind(StrEnum):
    TEXT = "text"
    MEDIA = "media"
    SYSTEM = "system"
    DELETED = "deleted"
    POLL = "poll"
    LOCATION = "location"
    CONTACT = "contact"
    CALL = "call"
    UNPARSED = "unparsed"


class DateOrder(StrEnum):
    DMY = "DMY"
    MDY = "MDY"
    YMD = "YMD"


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """Where a message's record sits in its source file.

    ``line`` is 1-based; ``offset`` and ``length`` count bytes of the original file, so the
    spans of one file tile it exactly.
    """

    line: int
    lines: int
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """One record of an export, as the importer understood it.

    ``timestamp`` is the local wall-clock time exactly as written (naive), or None for an
    ``unparsed`` record. ``sender`` is None for system lines (also for the iOS pseudo-author).
    ``attachments`` are the file names the record references, in order. ``flags`` are short
    machine-readable notes (``view-once``, ``empty-body``, ``pm-hour-conflict`` …).
    ``system_event`` names the membership or group event of a system line (``created``,
    ``added``, ``joined``, ``left``, ``removed``, ``number-changed`` …) where recognised;
    ``event_subjects`` the participants it concerns, as written.
    """

    seq: int
    timestamp: datetime | None
    sender: str | None
    kind: MessageKind
    text: str
    span: SourceSpan
    edited: bool = False
    attachments: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    system_event: str | None = None
    event_actor: str | None = None
    event_subjects: tuple[str, ...] = ()
    reply_to_seq: int | None = None
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class ChatProfile:
    """What the importer decided about one text file."""

    format: str  # e.g. "whatsapp-ios", "whatsapp-android"
    date_order: DateOrder
    clock: str  # "12h" or "24h"
    encoding: str  # "utf-8", "utf-8-sig", "utf-16-le" …
    line_endings: str  # "lf", "crlf", "ios" (CRLF records, LF inside), "mixed"
    # True when every date reads the same day-first or month-first (12/12/2022, 01/01/2023):
    # nothing was ambiguous, and ``date_order`` was taken without asking.
    date_order_moot: bool = False
