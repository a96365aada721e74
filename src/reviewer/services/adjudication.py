"""Agreement between reviewers, the conflicts merges left, and the lead's decisions on them
(DESIGN.md §11).

A reviewer's decisions are read from the case's tags and review marks (who made each) and
from the opinions merges kept (each reviewer's own decisions on a package's messages, whatever
the case's tags became). A reviewer reviewed a message when any of these names them on it.

The lead settles a category on a message with :func:`adjudicate` (keep: the case is tagged,
in the name of the reviewer who found it; drop: the tag is removed), which resolves that
item's open conflicts; one ``package.adjudicated`` entry records the decision, the reason and
every reviewer's opinion it settled. Opinions themselves never change, so agreement still
measures what the reviewers decided independently.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.core.timeutil import utc_now_iso
from reviewer.review.agreement import PairAgreement, agreement
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.merge_copies import Canon
from reviewer.services.merging import conflict_record
from reviewer.store.models import (
    AuditEntry,
    Category,
    MergeConflict,
    Message,
    MessageNote,
    ReviewMark,
    ReviewOpinion,
    Stance,
    Tag,
)

TAGGABLE_GROUPS = ("content", "standard")


def decisions(session: Session) -> dict[str, dict[int, frozenset[str]]]:
    """reviewer -> message -> categories tagged (empty: reviewed, no concern). A decision
    on any copy of a reconciled message is one on that message, keyed by its canonical copy
    (DESIGN.md §9): the same tag on two copies is the same decision."""
    tags = session.execute(select(Tag.reviewer, Tag.message_id, Tag.category)).all()
    marks = session.execute(select(ReviewMark.reviewer, ReviewMark.message_id)).all()
    opinions = session.execute(
        select(ReviewOpinion.reviewer, ReviewOpinion.message_id, ReviewOpinion.category)
    ).all()
    canon = Canon(session)
    canon.load(int(row[1]) for rows in (tags, marks, opinions) for row in rows)
    found: dict[str, dict[int, set[str]]] = defaultdict(dict)
    for reviewer, message, category in tags:
        found[reviewer].setdefault(canon(message), set()).add(category)
    for reviewer, message in marks:
        found[reviewer].setdefault(canon(message), set())  # reviewed, nothing tagged
    for reviewer, message, category in opinions:
        tagged = found[reviewer].setdefault(canon(message), set())
        if category:
            tagged.add(category)
    return {r: {m: frozenset(c) for m, c in by.items()} for r, by in found.items()}


def agreement_report(case: Case) -> list[PairAgreement]:
    """Per pair of reviewers and category: the messages both reviewed, agreement, kappa and
    the disagreements."""
    with case.reading() as session:
        return agreement_in(session)


def agreement_in(session: Session) -> list[PairAgreement]:
    """``agreement_report`` read in the caller's transaction (an export's snapshot)."""
    found = decisions(session)
    rows = session.execute(select(Category.key, Category.parent).order_by(Category.position)).all()
    parents = {str(key): parent for key, parent in rows}
    return agreement(found, parents=parents, order=[str(key) for key, _ in rows])


def tag_records(
    case: Case, *, category: str | None = None, by: str | None = None, opinions: bool = False
) -> list[dict[str, Any]]:
    """The case's tags (``opinions``: the decisions merges kept per reviewer instead), each
    naming who made it and when; ``category`` includes the categories below it."""
    records: list[dict[str, Any]] = []
    with case.reading() as session:
        if opinions:
            for row in session.scalars(
                select(ReviewOpinion).order_by(ReviewOpinion.message_id, ReviewOpinion.id)
            ):
                records.append(
                    {
                        "message": row.message_id,
                        "category": row.category or None,
                        "by": row.reviewer,
                        "at": row.at_utc,
                        "package": row.source,
                    }
                )
        else:
            for tag in session.scalars(select(Tag).order_by(Tag.message_id, Tag.category)):
                records.append(
                    {
                        "message": tag.message_id,
                        "category": tag.category,
                        "by": tag.reviewer,
                        "at": tag.created_utc,
                        "note": tag.note,
                    }
                )

    def wanted(record: dict[str, Any]) -> bool:
        key = record["category"] or ""
        if category is not None and key != category and not key.startswith(category + "."):
            return False
        return by is None or record["by"] == by

    return [r for r in records if wanted(r)]


def conflicts(case: Case, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    """The conflicts merges kept for the lead (open ones unless ``include_resolved``)."""
    query = select(MergeConflict).order_by(MergeConflict.message_id, MergeConflict.id)
    if not include_resolved:
        query = query.where(MergeConflict.status == "open")
    with case.reading() as session:
        return [conflict_record(row) for row in session.scalars(query)]


def adjudicated(case: Case) -> set[tuple[int, str]]:
    """(message, category) pairs the lead has adjudicated."""
    found: set[tuple[int, str]] = set()
    with case.reading() as session:
        rows = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "package.adjudicated")
        ).scalars()
        for details in rows:
            decided = json.loads(details)
            for message in decided.get("messages", []):
                found.add((int(message), str(decided.get("category"))))
    return found


@dataclass(frozen=True, slots=True)
class Adjudication:
    message_id: int
    category: str
    keep: bool
    tag_changed: bool
    conflicts: tuple[int, ...]
    audit_seq: int


def adjudicate(
    case: Case,
    actor: Actor,
    message_id: int,
    category: str,
    *,
    keep: bool,
    reason: str | None = None,
) -> Adjudication:
    """The lead's decision whether ``message_id`` falls under ``category``; audited. A copy
    of a reconciled message is decided as that message: on its canonical copy, every copy's
    tag, conflicts and opinions considered (DESIGN.md §9)."""
    with case.transaction() as session:
        _check(session, message_id, category)
        canon = Canon(session)
        acted_through, message_id = message_id, canon(message_id)
        copies = canon.members(message_id)
        tags = session.scalars(
            select(Tag)
            .where(Tag.message_id.in_(copies), Tag.category == category)
            .order_by(Tag.message_id != message_id, Tag.created_utc)
        ).all()
        open_rows = session.scalars(
            select(MergeConflict).where(
                MergeConflict.message_id.in_(copies),
                MergeConflict.kind == "tag",
                MergeConflict.item == category,
                MergeConflict.status == "open",
            )
        ).all()
        opinions = session.execute(
            select(ReviewOpinion.reviewer, ReviewOpinion.category, ReviewOpinion.at_utc)
            .where(ReviewOpinion.message_id.in_(copies))
            .order_by(ReviewOpinion.at_utc, ReviewOpinion.id)
        ).all()
        if not tags and not open_rows and not opinions:
            raise InputError(
                f"nothing to adjudicate: no reviewer decided message {acted_through} "
                f"({category} is not tagged and no merge kept a decision on it)"
            )
        now = utc_now_iso()
        change: dict[str, Any] | None = None
        if keep and not tags:
            finders = [o for o in opinions if o.category == category]
            by = open_rows[0].package_by if open_rows else None
            by = by or (finders[0].reviewer if finders else actor.name)
            at = finders[0].at_utc if finders else now
            session.add(Tag(message_id=message_id, category=category, reviewer=by, created_utc=at))
            change = {"added": {"by": by, "at": at}}
        elif not keep and tags:
            tag = tags[0]
            change = {"removed": {"by": tag.reviewer, "at": tag.created_utc, "note": tag.note}}
            if len(tags) > 1:
                change["copies"] = [t.message_id for t in tags]
            session.execute(delete(Tag).where(Tag.id.in_([t.id for t in tags])))
        for row in open_rows:
            row.status = "kept" if keep else "dropped"
            row.resolved_by = actor.name
            row.resolved_utc = now
        details = {
            "messages": [message_id],
            "category": category,
            "decision": "keep" if keep else "drop",
            "reason": reason,
            "tag": change,
            "conflicts": [row.id for row in open_rows],
            "opinions": sorted({(o.reviewer, o.category) for o in opinions}),
        }
        if acted_through != message_id:
            details["through"] = {str(message_id): acted_through}
        entry = audit_log.append(
            session, actor, "package.adjudicated", f"message {message_id}", details
        )
    return Adjudication(
        message_id,
        category,
        keep,
        change is not None,
        tuple(row.id for row in open_rows),
        int(entry["seq"]),
    )


def resolve_conflict(
    case: Case, actor: Actor, conflict_id: int, *, take_package: bool, reason: str | None = None
) -> Adjudication:
    """Settle one open conflict of any kind: take the package's value (written with its
    reviewer and time) or keep the case's; audited as ``package.adjudicated``."""
    with case.transaction() as session:
        row = session.get(MergeConflict, conflict_id)
        if row is None:
            raise InputError(f"no conflict {conflict_id} in this case")
        if row.status != "open":
            raise InputError(f"conflict {conflict_id} was already resolved ({row.status})")
        value = json.loads(row.package_value)
        changed = take_package and _write(session, row, value)
        now = utc_now_iso()
        row.status = "kept" if take_package else "dropped"
        row.resolved_by, row.resolved_utc = actor.name, now
        details = {
            "messages": [row.message_id],
            "kind": row.kind,
            "item": row.item,
            "category": row.item if row.kind == "tag" else None,
            "decision": "package" if take_package else "case",
            "reason": reason,
            "conflicts": [row.id],
            "case_value": json.loads(row.case_value),
            "package_value": value,
            "package_by": row.package_by,
        }
        entry = audit_log.append(
            session, actor, "package.adjudicated", f"message {row.message_id}", details
        )
        return Adjudication(
            row.message_id, row.item, take_package, changed, (row.id,), int(entry["seq"])
        )


def _write(session: Session, row: MergeConflict, value: Any) -> bool:
    """Make the case hold the package's value of the conflict's item; False if it did."""
    by, at = row.package_by or "unknown", row.package_utc or utc_now_iso()
    canon = Canon(session)
    m, copies = canon(row.message_id), canon.members(row.message_id)
    if row.kind == "tag":
        tags = session.scalars(
            select(Tag).where(Tag.message_id.in_(copies), Tag.category == row.item)
        ).all()
        if bool(tags) == bool(value):
            return False
        for tag in tags:
            session.delete(tag)
        if not tags:
            session.add(Tag(message_id=m, category=row.item, reviewer=by, created_utc=at))
    elif row.kind == "note":
        note = session.get(MessageNote, m)
        if (note.text if note else None) == value:
            return False
        if value is None:
            session.delete(note)
        else:
            session.merge(MessageNote(message_id=m, text=value, reviewer=by, updated_utc=at))
    elif row.kind == "mark":
        mark = session.get(ReviewMark, m)
        if (mark is not None) == bool(value):
            return False
        if mark is not None:
            session.delete(mark)
        else:
            session.add(ReviewMark(message_id=m, reviewer=by, updated_utc=at))
    else:
        participant = int(row.item)
        stance = session.get(Stance, (m, participant))
        if (stance.stance if stance else None) == value:
            return False
        if value is None:
            session.delete(stance)
        else:
            session.merge(
                Stance(
                    message_id=m,
                    participant_id=participant,
                    stance=value,
                    reviewer=by,
                    updated_utc=at,
                )
            )
    session.flush()
    return True


def _check(session: Session, message_id: int, category: str) -> None:
    if session.get(Message, message_id) is None:
        raise InputError(f"no message {message_id} in this case")
    row = session.get(Category, category)
    if row is None:
        raise InputError(f"no category {category!r} in this case's taxonomy")
    if row.group not in TAGGABLE_GROUPS:
        raise InputError(f"{category!r} is a {row.group}, not a content or standard category")
