"""Search a case: full-text (FTS5) or regex over message text and the OCR text of attached
images (a hit found only there is ``in_image``), with filters, in pages.

Results come in conversation order (message id) with keyset pagination: a page's
``next_after`` is passed back as ``after=`` for the next one. Every page is its own short,
read-only transaction (deferred BEGIN, so searching never holds the write lock a tag needs).

- Full-text: :mod:`reviewer.review.search_query` turns what the reviewer typed into a safe
  FTS5 expression, emoji and symbols included (🐒, 👍🏽, 🇬🇧, £ are index words, see
  :mod:`reviewer.store.fts`); FTS5 walks the doclist in id order, so a first page is fast
  even for the commonest word. Highlight spans are computed in Python for the returned page
  only.
- Regex: Python ``re`` (case-insensitive) over message texts read in id order, a few thousand
  rows at a time with the filters applied in SQL; ``cancel`` is checked between those pages.
  Then over every OCR text of images attached to messages after the page's start (few beside
  the messages), merged in id order as for full-text.
- No query: the filters alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.core.progress import CancelToken
from reviewer.core.records import MessageKind
from reviewer.review.search_query import SearchQuery, fold_word, highlight_spans, parse
from reviewer.services.case import Case
from reviewer.store import image_fts, reconciled_copies, search_repo
from reviewer.store.engine import BEGIN_KEY
from reviewer.store.search_repo import HitRow, RowFilter

REGEX_SCAN_ROWS = 4000  # rows per read of a regex scan (the cancel check runs between reads)
STREAM_PAGE = 500  # hits per page of iter_search
# A category filter with at most this many tagged messages probes them one by one (about
# 35 µs each in FTS5) instead of walking the word's doclist (0.3 µs an entry, 600k for "the").
SMALL_TAGGED_SET = 256


@dataclass(frozen=True)
class SearchFilters:
    sender: str | None = None  # part of a display name, any case and accents
    category: str | None = None  # a category key; includes its children ("a" → "a.b")
    date_from: date | None = None  # inclusive, on the local timestamp as written
    date_to: date | None = None  # inclusive
    kind: str | None = None  # text, media, system, …
    untagged: bool = False
    unreviewed: bool = False  # neither tagged nor marked reviewed
    exhibit: str | None = None  # exhibit reference
    # A message held by several exhibits (a reconciled message, DESIGN.md §9) is one hit: its
    # first copy (by id) that matches.
    once: bool = False
    # Only this reconciled chat's messages, once each (as ``once``), each hit naming in
    # ``shown_as`` the copy the reconciled view shows.
    reconciled_chat: int | None = None
    # Only copies of reconciled messages some phone shows deleted, or that this exhibit
    # (reference) lacks within the span it covers: the reconciled view's filters.
    deleted_somewhere: bool = False
    missing_from: str | None = None


@dataclass(frozen=True)
class SearchHit:
    id: int
    exhibit: str
    conversation: str
    timestamp: str | None
    sender: str | None
    kind: str
    text: str
    spans: tuple[tuple[int, int], ...]  # character spans of the matches in text
    in_image: bool = False  # the words were found in an attached image's OCR text
    shown_as: int | None = None  # with reconciled_chat: the reconciled message's shown copy


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    next_after: int | None  # pass as after= for the next page; None when there are no more


def search(
    case: Case,
    query: str | None,
    filters: SearchFilters = SearchFilters(),
    *,
    regex: bool = False,
    after: int = 0,
    limit: int = 50,
    cancel: CancelToken | None = None,
) -> SearchPage:
    """One page of results after message id ``after``, in conversation order."""
    if limit < 1:
        raise InputError("a search page must hold at least one result")
    plan = _Plan.of(query, regex)
    with _reading(case) as session:
        where = _resolve(session, filters)
        rows = [] if where is None else plan.rows(session, where, after, limit + 1, cancel)
        following = rows[limit - 1].id if len(rows) > limit else None
        rows = rows[:limit]
        shown: dict[int, int] = {}
        if (filters.once or filters.reconciled_chat is not None) and where is not None:
            rows, shown = _first_copies(session, plan, where, rows)
    hits = [plan.hit(row) for row in rows]
    if filters.reconciled_chat is not None:
        hits = [replace(hit, shown_as=shown.get(hit.id, hit.id)) for hit in hits]
    return SearchPage(hits, following)


def _first_copies(
    session: Session, plan: _Plan, where: RowFilter, rows: list[HitRow]
) -> tuple[list[HitRow], dict[int, int]]:
    """The rows that are no later copy of a reconciled message an earlier copy of which
    matches too (whatever page that copy is on), and each row's canonical copy."""
    groups = reconciled_copies.review_groups(session, [row.id for row in rows])
    canonical = {row.id: groups[row.id].canonical for row in rows}
    earlier = {m for row in rows for m in groups[row.id].members if m < row.id}
    if not earlier:
        return rows, canonical
    narrowed = replace(_only(where, frozenset(earlier)), id_low=0, id_high=None)
    matched = {r.id for r in plan.rows(session, narrowed, 0, len(earlier), None)}
    kept = [
        row for row in rows if not any(m < row.id and m in matched for m in groups[row.id].members)
    ]
    return kept, canonical


def _image_ids(
    session: Session,
    query: SearchQuery,
    where: RowFilter | None = None,
    after: int = 0,
    limit: int | None = None,
) -> frozenset[int]:
    """Messages whose attached images' OCR text matches (none without OCR results); without
    filters only the first ``limit`` after ``after`` are needed."""
    if image_fts.is_empty(session):
        return frozenset()
    if where == RowFilter():
        found = image_fts.matching_message_ids(session, query.match, after=after, limit=limit)
    else:
        found = image_fts.matching_message_ids(session, query.match)
    return frozenset(found)


def _with_images(
    session: Session,
    rows: list[HitRow],
    images: frozenset[int],
    where: RowFilter,
    after: int,
    limit: int,
) -> list[HitRow]:
    """A page of text hits merged with the messages (within ``where``) whose attached image's
    OCR text matched, in id order, each once, marked ``in_image`` when found in the image."""
    if not images:
        return rows
    seen = {row.id: row for row in rows}
    extra = search_repo.filter_page(session, _only(where, images), after=after, limit=limit)
    for row in extra:
        seen.setdefault(row.id, row)
    merged = [seen[i] for i in sorted(seen)][:limit]
    return [replace(row, in_image=row.id in images) for row in merged]


def _only(where: RowFilter, ids: frozenset[int]) -> RowFilter:
    """The filter narrowed to these message ids."""
    keep = ids if where.message_ids is None else ids & set(where.message_ids)
    return replace(where, message_ids=tuple(sorted(keep)))


def count(
    case: Case, query: str | None, filters: SearchFilters = SearchFilters(), *, regex: bool = False
) -> int:
    """How many messages match in all (a regex search reads every message that passes the
    filters, so this is slower than a page)."""
    if filters.once or filters.reconciled_chat is not None:
        return sum(1 for _ in iter_search(case, query, filters, regex=regex))
    plan = _Plan.of(query, regex)
    with _reading(case) as session:
        where = _resolve(session, filters)
        return 0 if where is None else plan.count(session, where)


def iter_search(
    case: Case, query: str | None, filters: SearchFilters = SearchFilters(), *, regex: bool = False
) -> Iterator[SearchHit]:
    """Every result in conversation order, read page by page (each page its own transaction)."""
    after: int | None = 0
    while after is not None:
        page = search(case, query, filters, regex=regex, after=after, limit=STREAM_PAGE)
        yield from page.hits
        after = page.next_after


# -- plans ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to find and highlight: by FTS5 expression, by regex, or by the filters alone."""

    query: SearchQuery | None = None
    pattern: re.Pattern[str] | None = None

    @classmethod
    def of(cls, text: str | None, regex: bool) -> _Plan:
        if text is None or not text.strip():
            return cls()
        if regex:
            return cls(pattern=_compile(text))
        return cls(query=parse(text))

    def rows(
        self,
        session: Session,
        where: RowFilter,
        after: int,
        limit: int,
        cancel: CancelToken | None,
    ) -> list[HitRow]:
        if self.query is not None:
            rows = search_repo.match_page(
                session, self.query.match, where, after=after, limit=limit
            )
            images = _image_ids(session, self.query, where, after, limit)
            return _with_images(session, rows, images, where, after, limit)
        if self.pattern is not None:
            ids = _regex_ids(session, self.pattern, where, after, limit, cancel)
            rows = search_repo.hits_by_id(session, ids)
            images = _image_regex_ids(session, self.pattern, after, cancel)
            return _with_images(session, rows, images, where, after, limit)
        return search_repo.filter_page(session, where, after=after, limit=limit)

    def count(self, session: Session, where: RowFilter) -> int:
        if self.query is not None:
            found = search_repo.match_count(session, self.query.match, where)
            images = _image_ids(session, self.query)
            if images:
                narrowed = _only(where, images)
                found += search_repo.filter_count(session, narrowed)
                found -= search_repo.match_count(session, self.query.match, narrowed)
            return found
        if self.pattern is not None:
            ids = set(_regex_ids(session, self.pattern, where, 0, None, None))
            images = _image_regex_ids(session, self.pattern, 0, None)
            if images:
                narrowed = _only(where, images)
                rows = search_repo.filter_page(session, narrowed, after=0, limit=len(images))
                ids.update(row.id for row in rows)
            return len(ids)
        return search_repo.filter_count(session, where)

    def hit(self, row: HitRow) -> SearchHit:
        spans: tuple[tuple[int, int], ...] = ()
        if self.query is not None:
            spans = highlight_spans(row.text, self.query.terms)
        elif self.pattern is not None:
            spans = tuple(m.span() for m in self.pattern.finditer(row.text) if m.end() > m.start())
        return SearchHit(
            row.id, row.exhibit, row.conversation, row.timestamp, row.sender, row.kind, row.text,
            spans, row.in_image,
        )  # fmt: skip


def _compile(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise InputError(f"invalid regular expression {text!r}: {exc.msg}{where}") from exc


def _regex_ids(
    session: Session,
    pattern: re.Pattern[str],
    where: RowFilter,
    after: int,
    limit: int | None,
    cancel: CancelToken | None,
) -> list[int]:
    """Ids of messages whose text the pattern matches, scanning in id order from ``after``."""
    found: list[int] = []
    while limit is None or len(found) < limit:
        if cancel is not None:
            cancel.raise_if_cancelled()
        rows = search_repo.text_page(session, where, after=after, limit=REGEX_SCAN_ROWS)
        for message_id, text in rows:
            if pattern.search(text) is not None:
                found.append(message_id)
                if limit is not None and len(found) >= limit:
                    break
        if len(rows) < REGEX_SCAN_ROWS:
            break
        after = rows[-1][0]
    return found


def _image_regex_ids(
    session: Session, pattern: re.Pattern[str], after: int, cancel: CancelToken | None
) -> frozenset[int]:
    """Messages (id > after) with an attached image whose OCR text the pattern matches. Every
    OCR text after ``after`` is read: images read by OCR are few beside the messages."""
    found: set[int] = set()
    last = after
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        page = image_fts.ocr_texts(session, after=last, limit=REGEX_SCAN_ROWS)
        found.update(message_id for message_id, words in page if pattern.search(words))
        if len(page) < REGEX_SCAN_ROWS:
            return frozenset(found)
        # the last message may have more images on the next page: read it again there
        last = page[-1][0] - 1 if page[0][0] != page[-1][0] else page[-1][0]


# -- filters ----------------------------------------------------------------------------------


def _resolve(session: Session, filters: SearchFilters) -> RowFilter | None:
    """The filters as plain values for the store, or None when they can match nothing."""
    conversations, low, high = _exhibit_bounds(session, filters.exhibit)
    if filters.reconciled_chat is not None:
        chat = search_repo.reconciled_chat_conversations(session, filters.reconciled_chat)
        if chat is None:
            raise InputError(f"no reconciled chat {filters.reconciled_chat} in this case")
        conversations = tuple(c for c in conversations or chat if c in chat)
    senders = _sender_ids(session, filters.sender)
    if senders == () or conversations == ():
        return None
    missing = None
    if filters.missing_from is not None:
        missing = search_repo.exhibit_id(session, filters.missing_from)
        if missing is None:
            raise InputError(f"no exhibit {filters.missing_from!r} in this case")
    start, before = _date_bounds(filters.date_from, filters.date_to)
    categories = _categories(session, filters.category)
    tagged = None
    if categories is not None:
        tagged = search_repo.tagged_message_ids(session, categories, at_most=SMALL_TAGGED_SET)
        if tagged == []:
            return None
    return RowFilter(
        sender_ids=senders,
        message_ids=None if tagged is None else tuple(tagged),
        categories=categories if tagged is None else None,
        conversation_ids=conversations,
        timestamp_from=start,
        timestamp_before=before,
        kind=_kind(filters.kind),
        untagged=filters.untagged,
        unreviewed=filters.unreviewed,
        id_low=low,
        id_high=high,
        deleted_somewhere=filters.deleted_somewhere,
        missing_from=missing,
    )


def _exhibit_bounds(
    session: Session, reference: str | None
) -> tuple[tuple[int, ...] | None, int, int | None]:
    if reference is None:
        return None, 0, None
    conversations = search_repo.exhibit_conversations(session, reference)
    if conversations is None:
        raise InputError(f"no exhibit {reference!r} in this case")
    low, high = search_repo.conversation_id_span(session, conversations)
    return conversations, max(low - 1, 0), high


def _sender_ids(session: Session, sender: str | None) -> tuple[int, ...] | None:
    if sender is None or not sender.strip():
        return None
    needle = fold_word(sender.strip())
    return tuple(
        pid for pid, name in search_repo.participants(session) if needle in fold_word(name)
    )


def _categories(session: Session, category: str | None) -> tuple[str, ...] | None:
    if category is None or not category.strip():
        return None
    key = category.strip()
    keys = tuple(
        k for k in search_repo.category_keys(session) if k == key or k.startswith(key + ".")
    )
    if not keys:
        raise InputError(f"no category {key!r} in this case's taxonomy")
    return keys


def _date_bounds(first: date | None, last: date | None) -> tuple[str | None, str | None]:
    if first is not None and last is not None and first > last:
        raise InputError(
            f"the date range is empty: {first.isoformat()} is after {last.isoformat()}"
        )
    start = first.isoformat() if first is not None else None
    before = None
    if last is not None and last < date.max:
        before = (last + timedelta(days=1)).isoformat()
    return start, before


def _kind(kind: str | None) -> str | None:
    if kind is None or not kind.strip():
        return None
    known = [k.value for k in MessageKind]
    if kind.strip() not in known:
        raise InputError(f"no message kind {kind!r}; use one of {', '.join(known)}")
    return kind.strip()


@contextmanager
def _reading(case: Case) -> Iterator[Session]:
    """A read-only session with a deferred BEGIN: it never takes the write lock."""
    with case.engine.connect() as connection:
        connection.info[BEGIN_KEY] = "BEGIN"
        with Session(bind=connection) as session:
            yield session
