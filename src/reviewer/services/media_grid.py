"""What the media grid shows (DESIGN.md §10): one tile per picture, video or sticker carried by
a message of a conversation, of a reconciled chat (DESIGN.md §9: each picture of a message
once, however many phones hold it, with those phones' exhibits) or of a list of messages
(search results), with its analysis —
sexual-content score, near-duplicate group and the group's size, text read in it — and the
tags of the message carrying it. One read of a few indexed queries; run it off the UI thread.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from reviewer.services import review_copies, sexual_suggestions
from reviewer.services.case import Case
from reviewer.services.thumbnails import thumbnail_path
from reviewer.store import reconciled_browse_repo
from reviewer.store.media_models import MediaAnalysis, MediaGroup
from reviewer.store.models import Attachment, Message, ReconciledChat
from reviewer.store.reconciled_copies import copies_of

T = TypeVar("T")

#: Message ids per ``IN (...)`` list (SQLite's bound-parameter limit).
CHUNK = 900
#: Message kinds whose copies on other phones may hold a picture though this copy has none.
MAY_CARRY_MEDIA = ("media", "deleted")
#: Characters of a picture's text kept for the tile's tooltip.
TEXT_PREVIEW = 300


@dataclass(frozen=True, slots=True)
class MediaTile:
    """One attachment of one message.

    Attributes:
        thumbnail: the picture shown: the import's thumbnail of an image, a video's first key
            frame (after analysis); it may not exist (the grid then shows the file's name).
        evidence: the read-only original.
        score: sexual-content score (0-1), None when not scored.
        group: near-duplicate group number, None when the file is in none.
        group_size: messages in the whole case carrying a file of that group.
        text: the text read in the picture (OCR), "" when none was found or it was not read.
        exhibits: in a reconciled chat, the exhibits holding a copy of the message ("" each
            elsewhere: the tile is then one exhibit's message).
    """

    message_id: int
    ordinal: int
    seq: int
    conversation_id: int
    timestamp: str | None
    filename: str
    sha256: str
    mime: str
    thumbnail: Path
    evidence: Path
    score: float | None
    group: int | None
    group_size: int
    text: str
    tags: tuple[str, ...]
    exhibits: tuple[str, ...] = ()

    @property
    def has_text(self) -> bool:
        return bool(self.text)

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")


class _Row(NamedTuple):
    message_id: int
    ordinal: int
    seq: int
    conversation_id: int
    timestamp: str | None
    filename: str
    sha256: str
    mime: str


@dataclass(frozen=True, slots=True)
class MediaGridData:
    tiles: list[MediaTile]
    threshold: float  # the case's sexual-content threshold


def conversation_tiles(case: Case, conversation_id: int) -> MediaGridData:
    """The tiles of one conversation, in conversation order."""
    with case.reading() as session:
        rows = session.execute(_attachments().where(Message.conversation_id == conversation_id))
        return _data(case, session, [_Row(*row) for row in rows])


def message_tiles(
    case: Case, message_ids: Sequence[int], *, reconciled: bool = False
) -> MediaGridData:
    """The tiles of these messages (search results), in the order of the ids given;
    ``reconciled``: the ids stand for reconciled messages (a reconciled chat's search), whose
    copies' pictures are shown once each on them."""
    ids = list(dict.fromkeys(message_ids))
    with case.reading() as session:
        if reconciled:
            rows, exhibits = _with_copies(session, ids)
            return _data(case, session, rows, exhibits)
        return _data(case, session, _rows_of(session, ids))


def reconciled_tiles(case: Case, chat_id: int) -> MediaGridData:
    """The tiles of a reconciled chat in chat order: per reconciled message (its
    earliest-imported copy, which review acts on) each distinct picture of its copies once,
    with the exhibits holding the message."""
    with case.reading() as session:
        ids = reconciled_browse_repo.chat_message_ids(session, chat_id)
        media = _may_carry_media(session, chat_id)
        rows, exhibits = _with_copies(session, [i for i in ids if i in media])
        return _data(case, session, rows, exhibits)


def _may_carry_media(session: Session, chat_id: int) -> set[int]:
    """The messages of a reconciled chat's conversations that carry an attachment or may stand
    for one another phone holds (a media message whose file was omitted, a deleted one): only
    their copies are looked up, not every text of a 100,000-message chat."""
    conversations = session.scalar(
        select(ReconciledChat.conversations).where(ReconciledChat.id == chat_id)
    )
    carries = exists().where(Attachment.message_id == Message.id)
    return set(
        session.scalars(
            select(Message.id).where(
                Message.conversation_id.in_(json.loads(conversations or "[]")),
                or_(Message.kind.in_(MAY_CARRY_MEDIA), carries),
            )
        )
    )


def tags_of(case: Case, message_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The categories each message is tagged with (after a change, to show it on its tiles)."""
    with case.reading() as session:
        return _tags(session, message_ids)


def _attachments() -> Select[*tuple[Any, ...]]:
    visual = or_(Attachment.mime.like("image/%"), Attachment.mime.like("video/%")) & (
        Attachment.mime != "image/svg+xml"
    )
    return (
        select(
            Attachment.message_id,
            Attachment.ordinal,
            Message.seq,
            Message.conversation_id,
            Message.timestamp,
            Attachment.filename,
            Attachment.sha256,
            Attachment.mime,
        )
        .join(Message, Message.id == Attachment.message_id)
        .where(Attachment.present.is_(True), Attachment.sha256.is_not(None), visual)
        .order_by(Message.seq, Attachment.ordinal)
    )


def _rows_of(session: Session, ids: Sequence[int]) -> list[_Row]:
    """The attachment rows of these messages, in the order of the ids given."""
    order = {message_id: index for index, message_id in enumerate(ids)}
    rows: list[_Row] = []
    for chunk in _chunks(list(order)):
        found = session.execute(_attachments().where(Message.id.in_(chunk)))
        rows.extend(_Row(*row) for row in found)
    rows.sort(key=lambda row: (order[row.message_id], row.ordinal))
    return rows


def _with_copies(
    session: Session, ids: Sequence[int]
) -> tuple[list[_Row], dict[int, tuple[str, ...]]]:
    """Rows for reconciled messages: each distinct file among a message's copies once, shown
    on the message (a copy whose phone omitted the media lends its file from another), and
    the exhibits holding each message."""
    copies = copies_of(session, ids)
    members: dict[int, list[int]] = {}
    exhibits: dict[int, tuple[str, ...]] = {}
    for message_id in ids:
        found = copies.get(message_id)
        if found is None:
            members[message_id] = [message_id]
            continue
        others = [c.message_id for c in found.copies if c.message_id != message_id]
        members[message_id] = [message_id, *others]
        exhibits[message_id] = tuple(dict.fromkeys(c.exhibit for c in found.copies))
    by_message: dict[int, list[_Row]] = defaultdict(list)
    for row in _rows_of(session, [m for group in members.values() for m in group]):
        by_message[row.message_id].append(row)
    rows: list[_Row] = []
    for message_id, group in members.items():
        own = by_message.get(message_id)
        first = own[0] if own else None
        seen: set[str] = set()
        for member in group:
            for row in by_message.get(member, []):
                if row.sha256 in seen:
                    continue
                seen.add(row.sha256)
                anchor = first or row
                rows.append(
                    row._replace(
                        message_id=message_id,
                        ordinal=len(seen) - 1,
                        seq=anchor.seq,
                        conversation_id=anchor.conversation_id,
                        timestamp=anchor.timestamp,
                    )
                )
    return rows, exhibits


def _data(
    case: Case,
    session: Session,
    rows: list[_Row],
    exhibits: dict[int, tuple[str, ...]] | None = None,
) -> MediaGridData:
    shas = {row.sha256 for row in rows}
    analysis = _analysis(session, shas)
    groups = _groups(session, shas)
    sizes = _group_sizes(session, set(groups.values()))
    tags = _tags(session, [row.message_id for row in rows])
    tiles: list[MediaTile] = []
    for row in rows:
        sha = row.sha256
        found = analysis.get(sha, {})
        score, text, frame = found.get("sexual"), found.get("ocr"), found.get("av")
        thumbnail = thumbnail_path(case.cache_dir, sha)
        if row.mime.startswith("video/") and isinstance(frame, str):
            thumbnail = case.cache_dir / frame
        group = groups.get(sha)
        tiles.append(
            MediaTile(
                message_id=row.message_id,
                ordinal=row.ordinal,
                seq=row.seq,
                conversation_id=row.conversation_id,
                timestamp=row.timestamp,
                filename=row.filename,
                sha256=sha,
                mime=row.mime,
                thumbnail=thumbnail,
                evidence=case.evidence.path_for(sha),
                score=score if isinstance(score, float) else None,
                group=group,
                group_size=sizes.get(group, 0) if group is not None else 0,
                text=text if isinstance(text, str) else "",
                tags=tags.get(row.message_id, ()),
                exhibits=(exhibits or {}).get(row.message_id, ()),
            )
        )
    return MediaGridData(tiles, sexual_suggestions.threshold(session))


def _analysis(session: Session, shas: set[str]) -> dict[str, dict[str, float | str]]:
    """Per file, the latest successful score, text (trimmed) and first key frame."""
    found: dict[str, dict[str, float | str]] = defaultdict(dict)
    for chunk in _chunks(sorted(shas)):
        rows = session.execute(
            select(
                MediaAnalysis.sha256, MediaAnalysis.kind, MediaAnalysis.score, MediaAnalysis.text
            )
            .add_columns(MediaAnalysis.data)
            .where(
                MediaAnalysis.sha256.in_(chunk),
                MediaAnalysis.status == "ok",
                MediaAnalysis.kind.in_(("sexual", "ocr", "av")),
            )
            .order_by(MediaAnalysis.id)
        )
        for sha, kind, score, text, data in rows:
            if kind == "sexual" and score is not None:
                found[sha]["sexual"] = float(score)
            elif kind == "ocr":
                found[sha]["ocr"] = " ".join((text or "").split())[:TEXT_PREVIEW]
            elif kind == "av":
                frames = json.loads(data or "{}").get("frames") or []
                if frames:
                    found[sha]["av"] = str(frames[0])
    return found


def _groups(session: Session, shas: set[str]) -> dict[str, int]:
    groups: dict[str, int] = {}
    for chunk in _chunks(sorted(shas)):
        rows = session.execute(
            select(MediaGroup.sha256, MediaGroup.group_no).where(MediaGroup.sha256.in_(chunk))
        )
        groups.update((sha, number) for sha, number in rows)
    return groups


def _group_sizes(session: Session, numbers: set[int]) -> dict[int, int]:
    """Messages in the case carrying a present file of each group (what tagging the group
    tags)."""
    sizes: dict[int, int] = {}
    for chunk in _chunks(sorted(numbers)):
        rows = session.execute(
            select(MediaGroup.group_no, func.count(distinct(Attachment.message_id)))
            .join(Attachment, Attachment.sha256 == MediaGroup.sha256)
            .where(MediaGroup.group_no.in_(chunk), Attachment.present.is_(True))
            .group_by(MediaGroup.group_no)
        )
        sizes.update((number, count) for number, count in rows)
    return sizes


def _tags(session: Session, message_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The categories shown on each message: a reconciled message's are every copy's (a tag
    given through one copy is stored on the canonical one), in taxonomy order."""
    found = review_copies.tags(session, sorted(set(message_ids)))
    return {message_id: tuple(keys) for message_id, keys in found.items()}


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
