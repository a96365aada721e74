"""Lexicon screening: suggestions for a human to confirm (it becomes a tag) or dismiss.

A suggestion never decides anything; confirming and dismissing are audited like tags.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.core.progress import CancelToken, ProgressSink
from reviewer.core.timeutil import utc_now_iso
from reviewer.review.lexicon import (
    MATCHER_VERSION,
    Lexicon,
    check_categories,
    load_lexicon,
    starter_lexicon,
)
from reviewer.services import audit_log, taxonomy
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.tagging import Changes, tag_in
from reviewer.store import image_fts
from reviewer.store.models import (
    LexiconRun,
    Message,
    ReconciledCopy,
    ReconciledMessage,
    Suggestion,
)

PAGE = 5_000
STARTER = "starter-en"


@dataclass(frozen=True, slots=True)
class ScreenResult:
    run_id: int
    lexicon: str
    messages: int
    hits: int
    new_suggestions: int
    seconds: float


@dataclass(frozen=True, slots=True)
class SuggestionView:
    id: int
    message_id: int
    category: str
    term: str
    start: int
    end: int
    note: str | None
    status: str
    source: str = "text"  # text: in the message; image: in an attached image's OCR text


#: How each source of a suggestion reads in a listing.
SOURCE_REASON = {"text": "in message text", "image": "in image text", "model": "image score"}


def read_lexicon(path: Path | None) -> tuple[str, Lexicon]:
    """The named lexicon file (TOML or CSV by extension), or the starter lexicon."""
    if path is None:
        return STARTER, starter_lexicon()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the lexicon: {exc}", file=str(path)) from exc
    if path.suffix.lower() == ".csv":
        return path.name, load_lexicon(text, source=str(path), fmt="csv")
    return path.name, load_lexicon(text, source=str(path), fmt="toml")


def screen(
    case: Case,
    actor: Actor,
    lexicon_path: Path | None = None,
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> ScreenResult:
    """Match every message against a lexicon and store new hits as open suggestions.

    A hit already suggested (same message, category and span), whatever became of it, is not
    suggested again; nor is one on a copy of a reconciled message (DESIGN.md §9) another copy
    of which has it at the same span (the same text on another phone). The run, its lexicon
    fingerprint and counts are audited.
    """
    started = time.perf_counter()
    name, lexicon = read_lexicon(lexicon_path)
    cancel = cancel or CancelToken()
    with case.transaction() as session:
        problems = check_categories(lexicon, taxonomy.current(session))
        if problems:
            raise InputError(f"lexicon {name}: {problems[0]}")
        total = session.scalar(select(func.count(Message.id))) or 0
        unit = _canonical_copies(session)
        known = {
            (unit.get(row[0], row[0]), row[1], row[2], row[3], row[4])
            for row in session.execute(
                select(
                    Suggestion.message_id,
                    Suggestion.category,
                    Suggestion.start,
                    Suggestion.end,
                    Suggestion.source,
                )
            )
        }
        run = LexiconRun(
            lexicon_name=name,
            fingerprint=lexicon.fingerprint(),
            started_utc=utc_now_iso(),
            reviewer=actor.name,
            messages=0,
            hits=0,
        )
        session.add(run)
        session.flush()
        rows: list[dict[str, object]] = []
        scanned = hits = images = 0
        for message_id, text, source in _texts_then_images(session):
            if source == "text":
                scanned += 1
            else:
                images += 1
            for hit in lexicon.match(text):
                hits += 1
                key = (unit.get(message_id, message_id), hit.category, hit.start, hit.end, source)
                if key in known:
                    continue
                known.add(key)
                rows.append(
                    {
                        "run_id": run.id,
                        "message_id": message_id,
                        "category": hit.category,
                        "term": hit.term,
                        "start": hit.start,
                        "end": hit.end,
                        "note": hit.note,
                        "status": "open",
                        "source": source,
                    }
                )
            if source == "text" and not scanned % PAGE:
                cancel.raise_if_cancelled()
                if progress is not None:
                    progress.report("screen", scanned, total)
        if rows:
            session.execute(insert(Suggestion), rows)
        run.messages, run.hits = scanned, hits
        details = {
            "lexicon": name,
            "fingerprint": run.fingerprint,
            "matcher": MATCHER_VERSION,
            "entries": len(lexicon.entries),
            "messages": scanned,
            "image_texts": images,
            "hits": hits,
            "new_suggestions": len(rows),
        }
        audit_log.append(session, actor, "lexicon.run", f"run {run.id}", details)
        cancel.raise_if_cancelled()
        return ScreenResult(run.id, name, scanned, hits, len(rows), time.perf_counter() - started)


def _canonical_copies(session: Session) -> dict[int, int]:
    """Each copy of a reconciled message -> its canonical (earliest-imported) copy."""
    rows = session.execute(
        select(ReconciledCopy.message_id, ReconciledMessage.first_message_id).join(
            ReconciledMessage, ReconciledMessage.id == ReconciledCopy.reconciled_id
        )
    )
    return {int(mid): int(first) for mid, first in rows}


def _texts_then_images(session: Session) -> Iterator[tuple[int, str, str]]:
    """Each message's text (source ``text``), then the OCR text of each image attached to a
    message (source ``image``; spans are in that OCR text)."""
    for message_id, text in _texts(session):
        yield message_id, text, "text"
    last = 0
    while True:
        page = list(image_fts.ocr_texts(session, after=last, limit=PAGE))
        full = len(page) == PAGE
        if full and page[0][0] != page[-1][0]:  # the last message may go on: read it next time
            page = [row for row in page if row[0] != page[-1][0]]
        for message_id, text in page:
            yield message_id, text, "image"
        if not full or not page:
            return
        last = page[-1][0]


def _texts(session: Session) -> Iterator[tuple[int, str]]:
    last = 0
    while True:
        page = session.execute(
            select(Message.id, Message.text)
            .where(Message.id > last, Message.text != "")
            .order_by(Message.id)
            .limit(PAGE)
        ).all()
        if not page:
            return
        yield from ((row[0], row[1]) for row in page)
        last = page[-1][0]


def suggestions(
    case: Case, *, status: str | None = "open", after: int = 0, limit: int = 200
) -> list[SuggestionView]:
    """Suggestions in conversation order (by message, then position), keyset by id."""
    with case.reading() as session:
        query = select(Suggestion).where(Suggestion.id > after)
        if status is not None:
            query = query.where(Suggestion.status == status)
        rows = session.scalars(query.order_by(Suggestion.id).limit(limit)).all()
        return [_view(row) for row in rows]


def open_count(case: Case) -> int:
    """How many suggestions await a decision (one indexed count)."""
    with case.reading() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Suggestion).where(Suggestion.status == "open")
            )
            or 0
        )


def suggestions_for(case: Case, message_ids: list[int]) -> dict[int, list[SuggestionView]]:
    """Open suggestions of some messages (for highlighting lexicon hits)."""
    found: dict[int, list[SuggestionView]] = {}
    with case.reading() as session:
        rows = session.scalars(
            select(Suggestion)
            .where(
                Suggestion.message_id.in_(message_ids),
                Suggestion.status == "open",
                Suggestion.source == "text",  # the spans of others are not in the message
            )
            .order_by(Suggestion.message_id, Suggestion.start)
        ).all()
        for row in rows:
            found.setdefault(row.message_id, []).append(_view(row))
    return found


def next_open(case: Case, after_message_id: int) -> SuggestionView | None:
    """The first open suggestion on a message after ``after_message_id`` (wrapping round)."""
    with case.reading() as session:
        for condition in (Suggestion.message_id > after_message_id, Suggestion.id > 0):
            row = session.scalars(
                select(Suggestion)
                .where(condition, Suggestion.status == "open")
                .order_by(Suggestion.message_id, Suggestion.start)
                .limit(1)
            ).first()
            if row is not None:
                return _view(row)
    return None


def confirm(case: Case, actor: Actor, suggestion_id: int, *, note: str | None = None) -> Changes:
    """Accept a suggestion: the message is tagged with its category, in one transaction."""
    with case.transaction() as session:
        row = _open(session, suggestion_id)
        row.status, row.decided_by, row.decided_utc = "confirmed", actor.name, utc_now_iso()
        changes = tag_in(
            session,
            actor,
            [row.message_id],
            row.category,
            note=note,
            details={"suggestion": row.id, "term": row.term},
        )
        if not changes.message_ids:  # already tagged: still record the decision
            details = {"suggestion": row.id, "category": row.category, "already_tagged": True}
            entry = audit_log.append(
                session, actor, "suggestion.confirmed", f"message {row.message_id}", details
            )
            return Changes((row.message_id,), (row.category,), entry["seq"])
        return changes


def dismiss(case: Case, actor: Actor, suggestion_id: int, *, reason: str | None = None) -> Changes:
    """Reject a suggestion; the message stays as it was."""
    with case.transaction() as session:
        row = _open(session, suggestion_id)
        row.status, row.decided_by, row.decided_utc = "dismissed", actor.name, utc_now_iso()
        details = {
            "suggestion": row.id,
            "category": row.category,
            "term": row.term,
            "reason": reason,
        }
        entry = audit_log.append(
            session, actor, "suggestion.dismissed", f"message {row.message_id}", details
        )
        return Changes((row.message_id,), (), entry["seq"])


def _open(session: Session, suggestion_id: int) -> Suggestion:
    row = session.get(Suggestion, suggestion_id)
    if row is None:
        raise InputError(f"no suggestion {suggestion_id} in this case")
    if row.status != "open":
        raise InputError(f"suggestion {suggestion_id} was already {row.status}")
    return row


def _view(row: Suggestion) -> SuggestionView:
    return SuggestionView(
        row.id,
        row.message_id,
        row.category,
        row.term,
        row.start,
        row.end,
        row.note,
        row.status,
        row.source,
    )
