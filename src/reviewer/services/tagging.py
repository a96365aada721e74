"""Tags, notes, stances and review states: each change and its audit entry in one transaction.

Bulk operations (a selection or a range) are one transaction and one audit entry listing the
message ids that actually changed. Commits are synchronous (see ``store.engine``), so a change
acknowledged to the user survives a killed process or a power cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from reviewer.core.errors import InputError
from reviewer.core.timeutil import utc_now_iso
from reviewer.services import audit_log, review_sql
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.review_copies import join_notes
from reviewer.services.review_sql import (
    TAGGABLE_GROUPS,
    Changes,
    Progress,
    message_range,
    review_progress,
    tag,
)
from reviewer.store import reconciled_copies, sqlite_db
from reviewer.store.models import (
    Category,
    MessageNote,
    Participant,
    ReconciledCopy,
    ReviewMark,
    Stance,
    Tag,
)

__all__ = [
    "TAGGABLE_GROUPS",
    "Changes",
    "Progress",
    "category_counts",
    "join_notes",
    "mark_reviewed",
    "message_range",
    "review_progress",
    "set_note",
    "set_stance",
    "tag",
    "tag_in",
    "untag",
    "untag_in",
]


def tag_in(
    session: Session,
    actor: Actor,
    message_ids: Sequence[int],
    category: str,
    *,
    note: str | None = None,
    details: dict[str, object] | None = None,
) -> Changes:
    """:func:`tag` inside the caller's transaction; ``details`` are added to the audit entry.
    The one implementation is ``review_sql.tag_db``, on the session's connection."""
    db = sqlite_db.raw(session)
    return review_sql.tag_db(db, actor, message_ids, category, note=note, details=details)


def untag(
    case: Case,
    actor: Actor,
    message_ids: Sequence[int],
    category: str,
    *,
    reason: str | None = None,
) -> Changes:
    """Remove a category from messages; the removal (and why) stays in the audit log. A copy
    of a reconciled message loses the category on every copy."""
    with case.transaction() as session:
        return untag_in(session, actor, message_ids, category, reason=reason)


def untag_in(
    session: Session,
    actor: Actor,
    message_ids: Sequence[int],
    category: str,
    *,
    reason: str | None = None,
    details: dict[str, object] | None = None,
) -> Changes:
    """:func:`untag` inside the caller's transaction; ``details`` are added to the audit
    entry (none is written when no message had the tag)."""
    ids = _existing(session, message_ids)
    groups = reconciled_copies.review_groups(session, ids)
    every = sorted({m for g in groups.values() for m in g.members})
    tags = session.scalars(
        select(Tag).where(Tag.category == category, Tag.message_id.in_(every))
    ).all()
    if not tags:
        return Changes(())
    removed = sorted(t.message_id for t in tags)
    tagged = set(removed)
    acted = [i for i in ids if tagged.intersection(groups[i].members)]
    entry_details = {
        "category": category,
        "messages": removed,
        "reason": reason,
        "removed": [
            {"message": t.message_id, "by": t.reviewer, "at": t.created_utc, "note": t.note}
            for t in sorted(tags, key=lambda t: t.message_id)
        ],
        **_through({m: i for i in acted for m in groups[i].members if m in tagged}),
        **(details or {}),
    }
    for t in tags:
        session.delete(t)
    entry = audit_log.append(session, actor, "tag.removed", _target(removed), entry_details)
    return Changes(tuple(acted), (category,), entry["seq"])


def set_note(case: Case, actor: Actor, message_id: int, text: str) -> Changes:
    """Set a message's note; an empty text removes it. A copy of a reconciled message keeps
    one note, on the canonical copy; the notes other copies held (made before the chats were
    reconciled, shown joined) are replaced by it."""
    text = text.strip()
    with case.transaction() as session:
        _existing(session, [message_id])
        group = reconciled_copies.review_groups(session, [message_id])[message_id]
        current = {
            n.message_id: n
            for n in session.scalars(
                select(MessageNote).where(MessageNote.message_id.in_(group.members))
            )
        }
        old = join_notes(current[m].text for m in group.members if m in current)
        if (old or "") == text:
            return Changes(())
        for held in current.values():
            if held.message_id != group.canonical or not text:
                session.delete(held)
        session.flush()
        if text:
            session.merge(
                MessageNote(
                    message_id=group.canonical,
                    text=text,
                    reviewer=actor.name,
                    updated_utc=utc_now_iso(),
                )
            )
        details = {"old": old, "new": text or None, **_through({group.canonical: message_id})}
        if len(current) > 1 or set(current) - {group.canonical}:
            details["notes_of"] = sorted(current)
        target = _target([group.canonical])
        entry = audit_log.append(session, actor, "note.changed", target, details)
        return Changes((message_id,), (), entry["seq"])


def mark_reviewed(
    case: Case, actor: Actor, message_ids: Sequence[int], *, reviewed: bool = True
) -> Changes:
    """Mark messages reviewed (no concern), or back to unreviewed. A copy of a reconciled
    message is marked once, on the canonical copy; unmarking clears every copy."""
    with case.transaction() as session:
        ids = _existing(session, message_ids)
        groups = reconciled_copies.review_groups(session, ids)
        every = sorted({m for g in groups.values() for m in g.members})
        marked = set(
            session.scalars(select(ReviewMark.message_id).where(ReviewMark.message_id.in_(every)))
        )
        written: dict[int, int] = {}  # message id written -> the id acted through
        acted: list[int] = []
        for i in ids:
            group = groups[i]
            held = marked.intersection(group.members)
            if reviewed and not held and group.canonical not in written:
                written[group.canonical] = i
                acted.append(i)
            elif not reviewed and held:
                written.update((m, i) for m in held)
                acted.append(i)
        if not acted:
            return Changes(())
        changed = sorted(written)
        if reviewed:
            now = utc_now_iso()
            session.add_all(
                ReviewMark(message_id=i, reviewer=actor.name, updated_utc=now) for i in changed
            )
        else:
            session.execute(delete(ReviewMark).where(ReviewMark.message_id.in_(changed)))
        action = "review.marked" if reviewed else "review.unmarked"
        details = {"messages": changed, **_through(written)}
        entry = audit_log.append(session, actor, action, _target(changed), details)
        return Changes(tuple(acted), (), entry["seq"])


def set_stance(
    case: Case, actor: Actor, message_id: int, participant_id: int, stance: str | None
) -> Changes:
    """Record (or, with None, clear) a participant's stance toward a message. A copy of a
    reconciled message holds it once, on the canonical copy; a stance recorded through
    another copy, for this participant or one linked to them as the same person, is
    replaced."""
    with case.transaction() as session:
        _existing(session, [message_id])
        person = session.get(Participant, participant_id)
        if person is None:
            raise InputError(f"no participant {participant_id} in this case")
        if stance is not None:
            _category(session, stance, ("stance",))
        group = reconciled_copies.review_groups(session, [message_id])[message_id]
        same = {participant_id}
        if person.person_id is not None:
            same.update(
                session.scalars(
                    select(Participant.id).where(Participant.person_id == person.person_id)
                )
            )
        held = sorted(
            session.scalars(
                select(Stance).where(
                    Stance.message_id.in_(group.members), Stance.participant_id.in_(same)
                )
            ),
            key=lambda s: (s.message_id != group.canonical, s.participant_id != participant_id),
        )
        old = held[0].stance if held else None
        if old == stance and all(s.stance == stance for s in held):
            return Changes(())
        for current in held:
            session.delete(current)
        session.flush()
        if stance is not None:
            session.add(
                Stance(
                    message_id=group.canonical,
                    participant_id=participant_id,
                    stance=stance,
                    reviewer=actor.name,
                    updated_utc=utc_now_iso(),
                )
            )
        details: dict[str, object] = {"participant": participant_id, "old": old, "new": stance}
        details.update(_through({group.canonical: message_id}))
        if [(s.message_id, s.participant_id) for s in held] not in (
            [],
            [(group.canonical, participant_id)],
        ):
            details["replaced"] = [
                {"message": s.message_id, "participant": s.participant_id, "stance": s.stance}
                for s in held
            ]
        target = _target([group.canonical])
        entry = audit_log.append(session, actor, "stance.changed", target, details)
        return Changes((message_id,), tuple(k for k in (old, stance) if k), entry["seq"])


def category_counts(case: Case, *, once: bool = False) -> dict[str, int]:
    """Tagged messages per category of the case's taxonomy (every category, 0 when unused).

    A category counts the messages tagged with it *or with any category below it* (keys
    ``parent.child``), each message once: ``discriminatory`` counts a message tagged both
    ``discriminatory.race`` and ``discriminatory.religion`` once. That is what a search with
    ``category=KEY`` finds, so a count always matches the hits of clicking the category.
    One GROUP BY query over ``tag``.

    A copy of a reconciled message (DESIGN.md §9: the same message on several phones) counts
    when any copy carries the tag (review acts on the reconciled message), each copy once, as
    search hits do; with ``once`` the copies of one reconciled message count once between them
    (what the reconciled view shows).
    """
    prefix = func.substr(Tag.category, 1, func.length(Category.key) + 1)
    tagged_copy, copy = aliased(ReconciledCopy), aliased(ReconciledCopy)
    if once:
        counted = func.coalesce(-tagged_copy.reconciled_id, Tag.message_id)
    else:
        counted = func.coalesce(copy.message_id, Tag.message_id)
    with case.reading() as session:
        query = (
            select(Category.key, func.count(func.distinct(counted)))
            .select_from(Category)
            .outerjoin(Tag, (Tag.category == Category.key) | (prefix == Category.key + "."))
            .outerjoin(tagged_copy, tagged_copy.message_id == Tag.message_id)
        )
        if not once:
            query = query.outerjoin(copy, copy.reconciled_id == tagged_copy.reconciled_id)
        rows = session.execute(query.group_by(Category.key)).all()
    return {str(key): int(count) for key, count in rows}


def _category(session: Session, key: str, groups: Sequence[str]) -> None:
    review_sql.check_category(sqlite_db.raw(session), key, groups)


def _existing(session: Session, message_ids: Sequence[int]) -> list[int]:
    return review_sql.existing(sqlite_db.raw(session), message_ids)


_through = review_sql.through
_target = review_sql.target
