"""What the chat view reads: conversations, ordered message ids, pages of messages, days.

All reads are by primary key or index range (no OFFSET), in short read-only transactions
(deferred BEGIN, so a reader never takes the write lock). Results are frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from reviewer.services import review_copies
from reviewer.services.case import Case
from reviewer.services.thumbnails import can_have_thumbnail, thumbnail_path
from reviewer.store import browse_repo
from reviewer.store.engine import BEGIN_KEY
from reviewer.store.message_repo import decode_list

PAGE_SIZE = 200

UNREVIEWED = "unreviewed"
REVIEWED = "reviewed"
TAGGED = "tagged"


@dataclass(frozen=True, slots=True)
class AttachmentView:
    filename: str
    sha256: str | None
    mime: str | None
    present: bool
    width: int | None
    height: int | None
    # cache/thumbs/<sha[:2]>/<sha>.jpg: it exists, or it can be made from the evidence file
    # (services.thumbnails: the window makes it when the attachment is first shown)
    thumbnail: Path | None
    evidence: Path | None  # the read-only original under evidence/

    @property
    def is_image(self) -> bool:
        return bool(self.mime and self.mime.startswith("image/"))


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    exhibit: str
    conversation_id: int
    seq: int
    timestamp: str | None  # local, as written: "2024-03-05T21:14:07"
    utc: str | None
    time_flag: str | None  # None, "ambiguous" or "nonexistent"
    sender: str | None
    sender_id: int | None
    kind: str
    text: str
    edited: bool
    flags: tuple[str, ...]
    system_event: str | None
    attachments: tuple[AttachmentView, ...]
    tags: tuple[str, ...]  # category keys, in taxonomy order
    note: str | None
    review_state: str  # "unreviewed", "reviewed" or "tagged"
    reply_to: int | None
    source_file: str
    source_line: int
    stances: tuple[tuple[int, str], ...] = ()  # (participant id, stance key), by participant
    reply_quote: str | None = None  # "Sender: text" of the message replied to, one line

    @property
    def day(self) -> str | None:
        """The local date as written, 'YYYY-MM-DD'."""
        return self.timestamp[:10] if self.timestamp else None

    @property
    def is_system(self) -> bool:
        return self.kind == "system"


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    id: int
    exhibit: str
    name: str
    message_count: int
    custodian_id: int | None


class DayInfo(NamedTuple):
    """A day of a conversation (a tuple: ``day, first_id, message_count, tagged_count``)."""

    day: date
    first_id: int
    message_count: int
    tagged_count: int


@contextmanager
def _reading(case: Case) -> Iterator[Session]:
    with case.engine.connect() as connection:
        connection.info[BEGIN_KEY] = "BEGIN"
        with Session(bind=connection) as session:
            yield session


def conversations(case: Case) -> list[ConversationInfo]:
    """Every conversation of the case, by exhibit, with its message count and custodian."""
    with _reading(case) as session:
        rows = browse_repo.conversations(session)
    return [
        ConversationInfo(r.id, r.exhibit, r.name, r.message_count, r.custodian_id) for r in rows
    ]


def conversation_message_ids(case: Case, conversation_id: int) -> Sequence[int]:
    """The ids of a conversation in conversation order.

    Ids are assigned in file order at import, so a conversation imported in one piece holds a
    contiguous run of ids: that is returned as a ``range`` (instant at any size). Otherwise an
    ``array('q')`` from one index scan fetching ids only.
    """
    with _reading(case) as session:
        span = browse_repo.conversation_span(session, conversation_id)
        if span is None:
            return range(0)
        first, last, count = span
        if last - first + 1 == count:
            return range(first, last + 1)
        return browse_repo.conversation_ids(session, conversation_id)


def message_views(case: Case, ids: Sequence[int]) -> dict[int, MessageView]:
    """The messages with these ids (a page, ~200), keyed by id; unknown ids are left out."""
    if not ids:
        return {}
    ids = list(ids)  # a page: callers pass slices, never a whole conversation
    with _reading(case) as session:
        bases = browse_repo.message_bases(session, ids)
        replied = {b.reply_to for b in bases if b.reply_to is not None}
        quoted = {r.id: _quote(r) for r in browse_repo.message_bases(session, list(replied))}
        files = browse_repo.attachments(session, ids)
        review = review_copies.read(session, ids)
    tags, notes, stances, reviewed = review.tags, review.notes, review.stances, review.reviewed
    evidence = case.root / "evidence"
    found: dict[int, MessageView] = {}
    for b in bases:
        message_tags = tuple(tags.get(b.id, ()))
        if message_tags:
            state = TAGGED
        elif b.id in reviewed:
            state = REVIEWED
        else:
            state = UNREVIEWED
        found[b.id] = MessageView(
            id=b.id,
            exhibit=b.exhibit,
            conversation_id=b.conversation_id,
            seq=b.seq,
            timestamp=b.timestamp,
            utc=b.utc,
            time_flag=b.time_flag,
            sender=b.sender,
            sender_id=b.sender_id,
            kind=b.kind,
            text=b.text,
            edited=b.edited,
            flags=decode_list(b.flags),
            system_event=b.system_event,
            attachments=tuple(
                _attachment(a, case.cache_dir, evidence) for a in files.get(b.id, ())
            ),
            tags=message_tags,
            note=notes.get(b.id),
            review_state=state,
            reply_to=b.reply_to,
            source_file=b.chat_file,
            source_line=b.src_line,
            stances=tuple(stances.get(b.id, ())),
            reply_quote=quoted.get(b.reply_to) if b.reply_to is not None else None,
        )
    return found


QUOTE_CHARS = 140


def _quote(replied: browse_repo.MessageBase) -> str:
    """One line quoting a message replied to: its sender and the start of its text (cut at a
    space, so no emoji sequence is split)."""
    text = " ".join(replied.text.split())
    if not text:
        text = "(no text)" if replied.kind == "text" else f"[{replied.kind}]"
    elif len(text) > QUOTE_CHARS:
        cut = text.rfind(" ", 0, QUOTE_CHARS)
        text = text[: cut if cut > 0 else QUOTE_CHARS] + " …"
    return f"{replied.sender}: {text}" if replied.sender else text


def day_index(case: Case, conversation_id: int) -> list[DayInfo]:
    """One entry per local day of a conversation: its first message, messages and tagged
    messages. One pass over the conversation (about a second at 1M): run it in the background.
    """
    with _reading(case) as session:
        return days_of(browse_repo.day_counts(session, conversation_id))


def days_of(rows: Iterable[tuple[str, int, int, int]]) -> list[DayInfo]:
    """Day rows (date text, first id, messages, tagged) as ``DayInfo``; a row whose date
    does not parse is left out."""
    days: list[DayInfo] = []
    for text, first, count, tagged in rows:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            continue
        days.append(DayInfo(day, first, count, tagged))
    return days


def _attachment(a: browse_repo.AttachmentBase, cache_dir: Path, evidence: Path) -> AttachmentView:
    thumbnail = evidence_path = None
    if a.sha256:
        candidate = thumbnail_path(cache_dir, a.sha256)
        if a.present:
            evidence_path = evidence / a.sha256[:2] / a.sha256
        if (evidence_path is not None and can_have_thumbnail(a.width, a.height)) or (
            candidate.is_file()
        ):
            thumbnail = candidate
    return AttachmentView(
        a.filename, a.sha256, a.mime, a.present, a.width, a.height, thumbnail, evidence_path
    )
