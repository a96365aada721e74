"""Read what a bundle includes: tagged messages matching the filters, their context, their
attachments, tags, stances and notes, the exhibits, participants, categories and activity.

Context is read per conversation in merged ``seq`` ranges with keyset pages (``seq > last``),
never OFFSET. Seqs of a conversation are contiguous from 0 (assigned at import), so a range
``[seq - N, seq + N]`` holds exactly N messages on each side, fewer at a conversation's edge.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reviewer.bundle.model import (
    BundleAnalysis,
    BundleAttachment,
    BundleCategory,
    BundleExhibit,
    BundleOcr,
    BundleOcrLine,
    BundleScore,
    BundleStance,
    BundleTag,
)
from reviewer.core.errors import InputError
from reviewer.services.thumbnails import thumbnail_path
from reviewer.store import sqlite_db
from reviewer.store.evidence import EvidenceStore
from reviewer.store.media_models import MediaAnalysis, MediaGroup
from reviewer.store.message_repo import decode_list
from reviewer.store.models import (
    Attachment,
    Category,
    Conversation,
    EvidenceFile,
    Exhibit,
    Message,
    MessageNote,
    Participant,
    Stance,
    Tag,
)

_T = TypeVar("_T")

PAGE = 2000
WINDOW_GAP = 100  # context spans closer than this are read by one query (see _windows)
CHUNK = 500
LISTED = 100_000  # ids passed in one JSON parameter (see _listed)
_EXT = re.compile(r"\.([A-Za-z0-9]{1,10})$")


@dataclass(frozen=True, slots=True)
class Filters:
    context: int
    categories: tuple[str, ...]
    date_from: date | None
    date_to: date | None
    exhibits: tuple[str, ...]


class RawMessage(NamedTuple):
    """A message row before redaction (a tuple: made for each of tens of thousands of rows)."""

    id: int
    exhibit: str
    chat_file: str
    conversation: str
    conversation_id: int
    seq: int
    timestamp: str | None
    utc: str | None
    time_flag: str | None
    sender: str | None
    kind: str
    text: str
    edited: bool
    reply_to: int | None
    flags: tuple[str, ...]
    system_event: str | None
    event_actor: str | None
    event_subjects: tuple[str, ...]
    src_line: int
    src_lines: int
    src_offset: int
    src_length: int


# --------------------------------------------------------------------------- selection


def exhibit_rows(session: Session, references: Sequence[str]) -> list[Exhibit]:
    rows = list(session.scalars(select(Exhibit).order_by(Exhibit.id)))
    if not references:
        return rows
    known = {e.reference: e for e in rows}
    unknown = [r for r in references if r not in known]
    if unknown:
        raise InputError(f"no exhibit {unknown[0]!r} in this case")
    return [known[r] for r in dict.fromkeys(references)]


def category_keys(session: Session, wanted: Sequence[str]) -> set[str] | None:
    """The keys a category filter selects, children included; None for no filter."""
    if not wanted:
        return None
    parents = dict(session.execute(select(Category.key, Category.parent)).all())
    unknown = [k for k in wanted if k not in parents]
    if unknown:
        raise InputError(f"no category {unknown[0]!r} in this case's taxonomy")
    chosen: set[str] = set()
    for key in parents:
        node: str | None = key
        while node is not None:
            if node in wanted:
                chosen.add(key)
                break
            node = parents.get(node)
    return chosen


def tagged_places(
    session: Session, exhibit_ids: Sequence[int], filters: Filters
) -> list[tuple[int, int, int]]:
    """(message id, conversation id, seq) of every tagged message the filters select."""
    keys = category_keys(session, filters.categories)
    query = (
        select(Message.id, Message.conversation_id, Message.seq)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .where(Conversation.exhibit_id.in_(exhibit_ids))
        .where(Message.id.in_(_tagged_ids(keys)))
        .order_by(Message.id)
    )
    if filters.date_from is not None:
        query = query.where(func.substr(Message.timestamp, 1, 10) >= filters.date_from.isoformat())
    if filters.date_to is not None:
        query = query.where(func.substr(Message.timestamp, 1, 10) <= filters.date_to.isoformat())
    return [(a, b, c) for a, b, c in session.execute(query)]


def _tagged_ids(keys: set[str] | None) -> Any:
    query = select(Tag.message_id).distinct()
    if keys is not None:
        query = query.where(Tag.category.in_(sorted(keys)))
    return query


def context_ranges(places: Sequence[tuple[int, int, int]], n: int) -> dict[int, list[range]]:
    """Merged seq ranges per conversation covering each tagged message and N either side."""
    by_conversation: dict[int, list[int]] = defaultdict(list)
    for _, conversation, seq in places:
        by_conversation[conversation].append(seq)
    ranges: dict[int, list[range]] = {}
    for conversation, seqs in by_conversation.items():
        merged: list[list[int]] = []
        for seq in sorted(seqs):
            low, high = max(0, seq - n), seq + n
            if merged and low <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        ranges[conversation] = [range(a, b + 1) for a, b in merged]
    return ranges


# Read on the session's own sqlite3 connection (the same read snapshot): SQLAlchemy's work
# per row was most of this read's CPU (0.7 s for the export benchmark's 48,322 messages).
_MESSAGES_SQL = """
SELECT m.id, e.reference, e.chat_file, c.name, m.conversation_id, m.seq, m.timestamp, m.utc,
       m.time_flag, p.display_name, m.kind, m.text, m.edited, m.reply_to_id, m.flags,
       m.system_event, m.event_actor, m.event_subjects, m.src_line, m.src_lines, m.src_offset,
       m.src_length
FROM message AS m
JOIN conversation AS c ON m.conversation_id = c.id
JOIN exhibit AS e ON c.exhibit_id = e.id
LEFT JOIN participant AS p ON m.sender_id = p.id
WHERE m.conversation_id = ? AND m.seq > ? AND m.seq < ?
ORDER BY m.seq
LIMIT ?
"""


def read_messages(session: Session, ranges: dict[int, list[range]]) -> Iterator[RawMessage]:
    """Messages of the ranges, by conversation then seq, read in keyset pages."""
    raw = sqlite_db.raw(session)
    for conversation in sorted(ranges):
        for window in _windows(ranges[conversation]):
            last = window[0].start - 1
            spans = iter(window)
            span = next(spans)
            while True:
                rows = raw.execute(
                    _MESSAGES_SQL, (conversation, last, window[-1].stop, PAGE)
                ).fetchall()
                for r in rows:
                    while r[5] >= span.stop:
                        span = next(spans)
                    if r[5] < span.start:
                        continue  # in a gap between two spans of the window
                    yield RawMessage(
                        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
                        r[11], bool(r[12]), r[13], decode_list(r[14]), r[15], r[16],
                        decode_list(r[17]), r[18], r[19], r[20], r[21],
                    )  # fmt: skip
                if len(rows) < PAGE:
                    break
                last = rows[-1][5]


def _windows(spans: Sequence[range]) -> Iterator[list[range]]:
    """The sorted ``spans`` in groups read by one query each: spans less than ``WINDOW_GAP``
    apart share one (the rows between are read and skipped). One query per span was 3,662
    statements for the export benchmark: 1.8-1.9 s of CPU, mostly SQLAlchemy's work per
    statement (0.7-0.8 s now)."""
    group: list[range] = []
    for span in spans:
        if group and span.start - group[-1].stop >= WINDOW_GAP:
            yield group
            group = []
        group.append(span)
    if group:
        yield group


# --------------------------------------------------------------------------- review data


def attachments(
    session: Session, ids: Sequence[int], evidence: EvidenceStore, cache_dir: Path
) -> dict[int, list[BundleAttachment]]:
    """The attachments of the messages, each with its file's machine analysis if any."""
    rows: list[Any] = []
    for chunk in _listed(ids):
        rows += session.execute(
            select(
                Attachment.message_id,
                Attachment.filename,
                Attachment.sha256,
                Attachment.mime,
                Attachment.size,
                Attachment.present,
            )
            .where(Attachment.message_id.in_(chunk))
            .order_by(Attachment.message_id, Attachment.ordinal)
        ).all()
    analysed = analyses(session, sorted({r[2] for r in rows if r[2] and r[5]}))
    found: dict[int, list[BundleAttachment]] = defaultdict(list)
    for message_id, filename, sha, mime, size, present in rows:
        stored = bool(present and sha)
        thumb = thumbnail_path(cache_dir, sha) if sha else None
        found[message_id].append(
            BundleAttachment(
                filename=filename,
                sha256=sha,
                mime=mime,
                size=size,
                present=bool(present),
                source=evidence.path_for(sha) if stored and sha else None,
                bundle_path=f"media/{sha}{extension(filename, mime)}" if stored else None,
                thumbnail=thumb if thumb is not None and thumb.is_file() else None,
                analysis=analysed.get(sha) if stored and sha else None,
            )
        )
    return found


def analyses(session: Session, files: Sequence[str]) -> dict[str, BundleAnalysis]:
    """The machine analysis of each file (by SHA-256) that has one: the latest successful OCR
    and sexual-content results and the near-duplicate group. A file is analysed once it has
    any of these or its perceptual hashes; one query per kind of data and chunk of files."""
    ocr: dict[str, BundleOcr] = {}
    sexual: dict[str, BundleScore] = {}
    hashed: set[str] = set()
    groups: dict[str, int] = {}
    for chunk in _chunks(files):
        results = session.execute(
            select(
                MediaAnalysis.sha256,
                MediaAnalysis.kind,
                MediaAnalysis.engine,
                MediaAnalysis.model,
                MediaAnalysis.version,
                MediaAnalysis.text,
                MediaAnalysis.confidence,
                MediaAnalysis.score,
                MediaAnalysis.data,
            )
            .where(
                MediaAnalysis.sha256.in_(chunk),
                MediaAnalysis.status == "ok",
                MediaAnalysis.kind.in_(("ocr", "sexual", "similar")),
            )
            .order_by(MediaAnalysis.id)
        )
        for sha, kind, engine, model, version, text, confidence, score, data in results:
            if kind == "ocr":
                ocr[sha] = BundleOcr(
                    text or "", engine, model, version, confidence, _ocr_lines(data)
                )
            elif kind == "sexual" and score is not None:
                sexual[sha] = BundleScore(float(score), engine, model, version)
            elif kind == "similar":
                hashed.add(sha)
        rows = session.execute(
            select(MediaGroup.sha256, MediaGroup.group_no).where(MediaGroup.sha256.in_(chunk))
        )
        groups.update((str(sha), int(number)) for sha, number in rows)
    return {
        sha: BundleAnalysis(ocr.get(sha), sexual.get(sha), groups.get(sha))
        for sha in files
        if sha in ocr or sha in sexual or sha in hashed or sha in groups
    }


def _ocr_lines(data: str | None) -> tuple[BundleOcrLine, ...]:
    try:
        boxes = json.loads(data or "{}").get("boxes", [])
    except (ValueError, AttributeError):
        return ()
    lines = []
    for box in boxes if isinstance(boxes, list) else ():
        try:
            corners = tuple((int(x), int(y)) for x, y in box.get("box", ()))
            confidence = box.get("confidence")
            lines.append(
                BundleOcrLine(
                    str(box.get("text", "")),
                    float(confidence) if confidence is not None else None,
                    corners,
                )
            )
        except (TypeError, ValueError, AttributeError):
            continue
    return tuple(lines)


def extension(filename: str, mime: str | None) -> str:
    """A short, safe extension for ``media/<sha256><ext>``."""
    match = _EXT.search(filename or "")
    if match:
        return "." + match.group(1).lower()
    guessed = mimetypes.guess_extension(mime) if mime else None
    return guessed or ".bin"


def tags(session: Session, ids: Sequence[int]) -> dict[int, list[BundleTag]]:
    found: dict[int, list[BundleTag]] = defaultdict(list)
    for chunk in _listed(ids):
        rows = session.execute(
            select(
                Tag.message_id,
                Tag.category,
                Category.label,
                Category.colour,
                Tag.reviewer,
                Tag.created_utc,
                Tag.note,
            )
            .join(Category, Tag.category == Category.key)
            .where(Tag.message_id.in_(chunk))
            .order_by(Tag.message_id, Category.position)
        )
        for message_id, key, label, colour, reviewer, created, note in rows:
            found[message_id].append(BundleTag(key, label, colour, reviewer, created, note))
    return found


def stances(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[str, str, str]]]:
    """(participant name, stance key, stance label) per message, before redaction."""
    found: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for chunk in _listed(ids):
        rows = session.execute(
            select(Stance.message_id, Participant.display_name, Stance.stance, Category.label)
            .join(Participant, Stance.participant_id == Participant.id)
            .join(Category, Stance.stance == Category.key)
            .where(Stance.message_id.in_(chunk))
            .order_by(Stance.message_id, Participant.display_name)
        )
        for message_id, name, key, label in rows:
            found[message_id].append((name, key, label))
    return found


def notes(session: Session, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _listed(ids):
        rows = session.execute(
            select(MessageNote.message_id, MessageNote.text).where(
                MessageNote.message_id.in_(chunk)
            )
        )
        found.update((int(k), str(v)) for k, v in rows)
    return found


def stance(name: str, key: str, label: str) -> BundleStance:
    return BundleStance(name, key, label)


# --------------------------------------------------------------------------- case data


def exhibit(row: Exhibit, session: Session, evidence: Path, custodian: str | None) -> BundleExhibit:
    files = session.execute(
        select(EvidenceFile.path, EvidenceFile.sha256, EvidenceFile.role)
        .where(EvidenceFile.exhibit_id == row.id)
        .order_by(EvidenceFile.id)
    )
    listed = [(path, sha, role) for path, sha, role in files]
    originals = [(p, s) for p, s, role in listed if role == "original"] or [
        (p, s) for p, s, _ in listed
    ]
    original_files = tuple((p, s, evidence / s[:2] / s) for p, s in originals)
    single = [f for f in listed if f[2] == "original"]
    return BundleExhibit(
        reference=row.reference,
        custodian=custodian,
        original_name=row.original_name,
        sha256=row.sha256,
        size=row.size,
        chat_file=row.chat_file,
        chat_sha256=row.chat_sha256,
        importer=f"{row.importer} {row.importer_version}",
        detected_format=row.detected_format,
        timezone=row.timezone,
        imported_utc=row.imported_utc,
        imported_by=row.imported_by,
        message_count=row.message_count,
        first_timestamp=row.first_timestamp,
        last_timestamp=row.last_timestamp,
        original=evidence / row.sha256[:2] / row.sha256 if single else None,
        original_files=original_files,
        platform="telegram" if "telegram" in row.detected_format.lower() else "whatsapp",
    )


def categories(session: Session) -> list[BundleCategory]:
    rows = session.scalars(select(Category).order_by(Category.position))
    return [
        BundleCategory(c.key, c.label, c.description, c.colour, c.group, c.parent) for c in rows
    ]


def conversation_kinds(session: Session, ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(
        select(Conversation.id, Conversation.kind).where(Conversation.id.in_(ids))
    ).all()
    return {int(i): str(k) for i, k in rows}


def activity(session: Session, conversations: Sequence[int]) -> list[tuple[str, int, int]]:
    """(local date, messages that day, tagged messages that day) over the conversations."""
    day = func.substr(Message.timestamp, 1, 10)
    tagged = select(Tag.message_id).distinct().subquery()
    rows = session.execute(
        select(day, func.count(Message.id), func.count(tagged.c.message_id))
        .outerjoin(tagged, tagged.c.message_id == Message.id)
        .where(Message.conversation_id.in_(conversations), Message.timestamp.is_not(None))
        .group_by(day)
        .order_by(day)
    )
    return [(str(d), int(n), int(t)) for d, n, t in rows]


def participant_rows(
    session: Session, exhibit_ids: Sequence[int]
) -> list[tuple[int, int, str, int, bool, bool, int | None]]:
    """(id, exhibit id, name, messages, is subject, is custodian, person id) per participant."""
    counts = dict(
        session.execute(
            select(Message.sender_id, func.count())
            .join(Participant, Message.sender_id == Participant.id)
            .where(Participant.exhibit_id.in_(exhibit_ids))
            .group_by(Message.sender_id)
        ).all()
    )
    rows = session.scalars(
        select(Participant).where(Participant.exhibit_id.in_(exhibit_ids)).order_by(Participant.id)
    )
    return [
        (
            p.id,
            p.exhibit_id,
            p.display_name,
            int(counts.get(p.id, 0)),
            bool(p.is_subject),
            bool(p.is_custodian),
            p.person_id,
        )
        for p in rows
    ]


def everyone(session: Session) -> list[tuple[str, bool, int | None]]:
    """(name, is subject, person id) of every participant of the case, any exhibit."""
    rows = session.execute(
        select(Participant.display_name, Participant.is_subject, Participant.person_id).order_by(
            Participant.id
        )
    )
    return [(str(name), bool(subject), person) for name, subject, person in rows]


def _listed(ids: Sequence[int]) -> Iterator[Select[tuple[Any]]]:
    """``ids`` as subqueries for ``column.in_(…)``: each reads up to ``LISTED`` ids from one
    JSON array parameter (SQLite's ``json_each``). ``in_`` with a list renders every id into
    the statement: 97 statements of 500 for the export benchmark's 48,322 messages, for
    each of attachments, tags, stances and notes, ~0.15 s of CPU each in SQLAlchemy."""
    for start in range(0, len(ids), LISTED):
        values = func.json_each(json.dumps(list(ids[start : start + LISTED])))
        yield select(values.table_valued("value").c.value)


def _chunks(ids: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
