"""Tagging and review progress over the case's plain ``sqlite3`` connection (``Case.sql``), so
``reviewer tag`` and ``reviewer progress`` start without loading SQLAlchemy (DESIGN.md §7,
start-up time). The same rows and the same audit entry as through an ORM session: the audit
entry is written by the one ``audit_repo``, and :func:`tag_db` runs inside either kind of
transaction (``audit_repo.raw`` gives a session's connection).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewer.core.errors import InputError
from reviewer.core.timeutil import utc_now_iso
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.store import review_repo

if TYPE_CHECKING:
    from reviewer.services.case import Case

TAGGABLE_GROUPS = ("content", "standard")


@dataclass(frozen=True, slots=True)
class Changes:
    """What one operation changed: views refresh these messages; ``audit_seq`` is its entry
    (None when nothing changed and so nothing was recorded)."""

    message_ids: tuple[int, ...]
    categories: tuple[str, ...] = ()
    audit_seq: int | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """Review counts. ``total``, ``reviewed`` and ``tagged`` count a message held by several
    exhibits (a reconciled message, DESIGN.md §9) once; ``by_exhibit`` counts each exhibit's
    own messages, a copy in the state of its reconciled message."""

    total: int
    reviewed: int
    tagged: int
    by_exhibit: dict[str, tuple[int, int, int]]  # reference -> (total, reviewed, tagged)
    by_reviewer: dict[str, tuple[int, int]]  # name -> (messages marked reviewed, tags)
    copies: int = 0  # the exhibits' messages, each copy counted (= total unless reconciled)

    @property
    def unreviewed(self) -> int:
        return self.total - self.reviewed - self.tagged


def tag(
    case: Case,
    actor: Actor,
    message_ids: Sequence[int],
    category: str,
    *,
    note: str | None = None,
) -> Changes:
    """Tag messages with a content category or Standard; already tagged ones are skipped."""
    with case.sql(write=True) as db:
        return tag_db(db, actor, message_ids, category, note=note)


def tag_db(
    db: sqlite3.Connection,
    actor: Actor,
    message_ids: Sequence[int],
    category: str,
    *,
    note: str | None = None,
    details: dict[str, object] | None = None,
) -> Changes:
    """:func:`tag` inside the caller's transaction; ``details`` are added to the audit entry.

    A copy of a reconciled message (DESIGN.md §9) is tagged once, on the canonical copy,
    whichever copy the reviewer acted through; one whose copies already carry the category
    is skipped."""
    check_category(db, category, TAGGABLE_GROUPS)
    ids = existing(db, message_ids)
    groups = review_repo.review_groups(db, ids)
    every = sorted({m for g in groups.values() for m in g.members})
    already = review_repo.tagged_with(db, category, every)
    acted: list[int] = []
    written: dict[int, int] = {}  # canonical id -> the id acted through
    for i in ids:
        group = groups[i]
        if group.canonical in written or already.intersection(group.members):
            continue
        written[group.canonical] = i
        acted.append(i)
    if not acted:
        return Changes(())
    new = sorted(written)
    review_repo.insert_tags(
        db, new, category, note=note, reviewer=actor.name, created_utc=utc_now_iso()
    )
    entry_details = {
        "category": category,
        "messages": new,
        "note": note,
        **through(written),
        **(details or {}),
    }
    entry = audit_log.append(db, actor, "tag.added", target(new), entry_details)
    return Changes(tuple(acted), (category,), entry["seq"])


def message_range(case: Case, first_id: int, last_id: int) -> list[int]:
    """Ids from ``first_id`` to ``last_id`` inclusive, within the first one's conversation."""
    with case.sql(write=False) as db:
        found = review_repo.message_range(db, first_id, last_id)
    if found is None:
        raise InputError(f"no message {first_id} in this case")
    return found


def review_progress(case: Case) -> Progress:
    """Counts per state (a tagged message counts as tagged, not reviewed), per exhibit and
    per reviewer."""
    with case.sql(write=False) as db:
        once, by_exhibit = review_repo.review_counts(db)
        by_reviewer = review_repo.reviewer_counts(db)
    return Progress(
        total=once[0],
        reviewed=once[1],
        tagged=once[2],
        by_exhibit=by_exhibit,
        by_reviewer=by_reviewer,
        copies=sum(v[0] for v in by_exhibit.values()),
    )


def check_category(db: sqlite3.Connection, key: str, groups: Sequence[str]) -> None:
    """Refuse a category the case's taxonomy lacks, of another group, or retired."""
    found = review_repo.category(db, key)
    if found is None:
        raise InputError(f"no category {key!r} in this case's taxonomy")
    group, retired = found
    if group not in groups:
        raise InputError(f"{key!r} is a {group}, not a {' or '.join(groups)} category")
    if retired:
        raise InputError(f"category {key!r} is retired and can no longer be applied")


def existing(db: sqlite3.Connection, message_ids: Sequence[int]) -> list[int]:
    """The given ids, sorted and once each; refuses none or one the case lacks."""
    wanted = sorted(set(message_ids))
    if not wanted:
        raise InputError("no messages given")
    found = review_repo.existing(db, wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InputError(f"no message {missing[0]} in this case")
    return wanted


def through(written: dict[int, int]) -> dict[str, object]:
    """Audit detail naming the copy a reviewer acted through, for each message written to
    that is another copy of the same reconciled message (none when all are the same)."""
    named = {str(m): i for m, i in sorted(written.items()) if m != i}
    return {"through": named} if named else {}


def target(ids: Sequence[int]) -> str:
    if len(ids) == 1:
        return f"message {ids[0]}"
    return f"messages {ids[0]}–{ids[-1]} ({len(ids)})"
