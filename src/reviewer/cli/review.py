"""Handlers of ``reviewer tag`` and ``reviewer progress``, and what the other review commands
share with them. Light by design (DESIGN.md §7, start-up time): they work over the case's plain
``sqlite3`` connection (``services.review_sql``) and load no SQLAlchemy."""

from __future__ import annotations

import argparse
from pathlib import Path

from reviewer.core.errors import InputError
from reviewer.services import review_sql
from reviewer.services.actor import resolve_actor
from reviewer.services.case import Case, open_case


def message_ids(case: Case, spec: str) -> list[int]:
    """``17`` or ``17-40`` (a range within one conversation)."""
    first, _, last = spec.partition("-")
    try:
        low = int(first)
        high = int(last) if last else low
    except ValueError:
        raise InputError(f"not a message id or range: {spec!r}") from None
    return [low] if low == high else review_sql.message_range(case, low, high)


def report(changes: review_sql.Changes, done: str, nothing: str) -> int:
    if changes.message_ids:
        count = len(changes.message_ids)
        print(
            f"{done} {count} message{'s' if count != 1 else ''} (audit entry {changes.audit_seq})"
        )
    else:
        print(nothing)
    return 0


def tag(args: argparse.Namespace) -> int:
    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        ids = message_ids(case, args.message)
        changes = review_sql.tag(case, actor, ids, args.category, note=args.note)
    return report(changes, f"tagged {args.category}:", "already tagged; nothing changed")


def progress(args: argparse.Namespace) -> int:
    with open_case(Path(args.case)) as case:
        state = review_sql.review_progress(case)
    print(
        f"{state.total:,} messages: {state.reviewed:,} reviewed (no concern), "
        f"{state.tagged:,} tagged, {state.unreviewed:,} unreviewed"
    )
    if state.copies != state.total:
        print(
            f"  a message held by several exhibits (reconciled) counts once; the exhibits hold "
            f"{state.copies:,} copies, counted below each in its reconciled message's state"
        )
    for reference, (total, reviewed, tagged) in state.by_exhibit.items():
        print(
            f"  exhibit {reference}: {total:,} messages, {reviewed:,} reviewed, {tagged:,} tagged"
        )
    for name, (marked, tags) in state.by_reviewer.items():
        print(f"  {name}: {marked:,} marked reviewed, {tags:,} tags")
    return 0
