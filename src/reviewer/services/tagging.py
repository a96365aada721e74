"""Tags, notes, stances and review states: each change and its audit entry in one transaction.

Bulk operations (a selection or a range) are one transaction and one audit entry listing the
message ids that actually changed. Commits are synchronous (see ``store.engine``), so a change
acknowledged to the user survives a killed process or a power cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.core.timeutil import utc_now_iso
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.store import reconciled_copies
from reviewer.store.models import (
    Category,
    Conversation,
    Message,
    MessageNote,
    Participant,
    ReconciledCopy,
    ReviewMark,
    Stance,
    Tag,
)

TAGGABLE_GROUPS = ("content", "standard")


@dataclass(frozen=True, slots=True)
class Changes:
    """What one operation changed: views refresh these messages; ``audit_seq`` is its entry
    (None when nothing changed and so nothing was recorded)."""

    message_ids: tuple[int, ...]
    categories: tuple[str, ...] = ()
    audit_seq: int | None = None


def tag(
    case: Case,
    actor: Actor,
    message_ids: Sequence[int],
    category: str,
    *,
    note: str | None = None,
) -> Changes:
    """Tag messages with a content category or Standard; already tagged ones are skipped."""
    with case.transaction() as session:
        return tag_in(session, actor, message_ids, category, note=note)


def tag_in(
    session: Session,
    actor: Actor,
    message_ids: Sequence[int],
    category: str,
    *,
    note: str | None = None,
    details: dict[str, object] | None = None,
) -> Changes:
    """:func:`tag` inside the caller's transaction; ``details`` are added to the audit entry."""
    _category(session, category, TAGGABLE_GROUPS)
    ids = _existing(session, message_ids)
    already = set(
        session.scalars(
            select(Tag.message_id).where(Tag.category == category, Tag.message_id.in_(ids))
        )
    )
    new = [i for i in ids if i not in already]
    if not new:
        return Changes(())
    now = utc_now_iso()
    session.add_all(
        Tag(message_id=i, category=category, note=note, reviewer=actor.name, created_utc=now)
        for i in new
    )
    entry_details = {"category": category, "messages": new, "note": note, **(details or {})}
    entry = audit_log.append(session, actor, "tag.added", _target(new), entry_details)
    return Changes(tuple(new), (category,), entry["seq"])


def untag(
    case: Case,
    actor: Actor,
    message_ids: Sequence[int],
    category: str,
    *,
    reason: str | None = None,
) -> Changes:
    """Remove a category from messages; the removal (and why) stays in the audit log."""
    with case.transaction() as session:
        ids = _existing(session, message_ids)
        tags = session.scalars(
            select(Tag).where(Tag.category == category, Tag.message_id.in_(ids))
        ).all()
        if not tags:
            return Changes(())
        removed = sorted(t.message_id for t in tags)
        details = {
            "category": category,
            "messages": removed,
            "reason": reason,
            "removed": [
                {"message": t.message_id, "by": t.reviewer, "at": t.created_utc, "note": t.note}
                for t in sorted(tags, key=lambda t: t.message_id)
            ],
        }
        for t in tags:
            session.delete(t)
        entry = audit_log.append(session, actor, "tag.removed", _target(removed), details)
        return Changes(tuple(removed), (category,), entry["seq"])


def set_note(case: Case, actor: Actor, message_id: int, text: str) -> Changes:
    """Set a message's note; an empty text removes it."""
    text = text.strip()
    with case.transaction() as session:
        _existing(session, [message_id])
        current = session.get(MessageNote, message_id)
        old = current.text if current else None
        if (old or "") == text:
            return Changes(())
        if text:
            session.merge(
                MessageNote(
                    message_id=message_id, text=text, reviewer=actor.name, updated_utc=utc_now_iso()
                )
            )
        elif current is not None:
            session.delete(current)
        details = {"old": old, "new": text or None}
        entry = audit_log.append(session, actor, "note.changed", _target([message_id]), details)
        return Changes((message_id,), (), entry["seq"])


def mark_reviewed(
    case: Case, actor: Actor, message_ids: Sequence[int], *, reviewed: bool = True
) -> Changes:
    """Mark messages reviewed (no concern), or back to unreviewed."""
    with case.transaction() as session:
        ids = _existing(session, message_ids)
        marked = set(
            session.scalars(select(ReviewMark.message_id).where(ReviewMark.message_id.in_(ids)))
        )
        changed = [i for i in ids if (i in marked) != reviewed]
        if not changed:
            return Changes(())
        if reviewed:
            now = utc_now_iso()
            session.add_all(
                ReviewMark(message_id=i, reviewer=actor.name, updated_utc=now) for i in changed
            )
        else:
            session.execute(delete(ReviewMark).where(ReviewMark.message_id.in_(changed)))
        action = "review.marked" if reviewed else "review.unmarked"
        entry = audit_log.append(session, actor, action, _target(changed), {"messages": changed})
        return Changes(tuple(changed), (), entry["seq"])


def set_stance(
    case: Case, actor: Actor, message_id: int, participant_id: int, stance: str | None
) -> Changes:
    """Record (or, with None, clear) a participant's stance toward a message."""
    with case.transaction() as session:
        _existing(session, [message_id])
        if session.get(Participant, participant_id) is None:
            raise InputError(f"no participant {participant_id} in this case")
        if stance is not None:
            _category(session, stance, ("stance",))
        current = session.get(Stance, (message_id, participant_id))
        old = current.stance if current else None
        if old == stance:
            return Changes(())
        if stance is None:
            session.delete(current)
        else:
            session.merge(
                Stance(
                    message_id=message_id,
                    participant_id=participant_id,
                    stance=stance,
                    reviewer=actor.name,
                    updated_utc=utc_now_iso(),
                )
            )
        details = {"participant": participant_id, "old": old, "new": stance}
        entry = audit_log.append(session, actor, "stance.changed", _target([message_id]), details)
        return Changes((message_id,), tuple(k for k in (old, stance) if k), entry["seq"])


def message_range(case: Case, first_id: int, last_id: int) -> list[int]:
    """Ids from ``first_id`` to ``last_id`` inclusive, within the first one's conversation."""
    with case.reading() as session:
        conversation = session.scalar(select(Message.conversation_id).where(Message.id == first_id))
        if conversation is None:
            raise InputError(f"no message {first_id} in this case")
        low, high = sorted((first_id, last_id))
        return list(
            session.scalars(
                select(Message.id)
                .where(Message.conversation_id == conversation, Message.id.between(low, high))
                .order_by(Message.id)
            )
        )


def category_counts(case: Case, *, once: bool = False) -> dict[str, int]:
    """Tagged messages per category of the case's taxonomy (every category, 0 when unused).

    A category counts the messages tagged with it *or with any category below it* (keys
    ``parent.child``), each message once: ``discriminatory`` counts a message tagged both
    ``discriminatory.race`` and ``discriminatory.religion`` once. That is what a search with
    ``category=KEY`` finds, so a count always matches the hits of clicking the category.
    One GROUP BY query over ``tag``.

    With ``once``, copies of one reconciled message (DESIGN.md §9: the same message on several
    phones) count once between them; search hits still count each copy.
    """
    prefix = func.substr(Tag.category, 1, func.length(Category.key) + 1)
    counted = (
        func.coalesce(-ReconciledCopy.reconciled_id, Tag.message_id) if once else Tag.message_id
    )
    with case.reading() as session:
        query = (
            select(Category.key, func.count(func.distinct(counted)))
            .select_from(Category)
            .outerjoin(Tag, (Tag.category == Category.key) | (prefix == Category.key + "."))
        )
        if once:
            query = query.outerjoin(ReconciledCopy, ReconciledCopy.message_id == Tag.message_id)
        rows = session.execute(query.group_by(Category.key)).all()
    return {str(key): int(count) for key, count in rows}


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    reviewed: int
    tagged: int
    by_exhibit: dict[str, tuple[int, int, int]]  # reference -> (total, reviewed, tagged)
    by_reviewer: dict[str, tuple[int, int]]  # name -> (messages marked reviewed, tags)
    # Tagged copies of a reconciled message (DESIGN.md §9) already counted through another
    # tagged copy of it; every count above is per copy (per exhibit's message).
    tagged_duplicates: int = 0

    @property
    def unreviewed(self) -> int:
        return self.total - self.reviewed - self.tagged

    @property
    def tagged_messages(self) -> int:
        """Tagged messages with the copies of one reconciled message counted once."""
        return self.tagged - self.tagged_duplicates


def review_progress(case: Case) -> Progress:
    """Counts per state (a tagged message counts as tagged, not reviewed), per exhibit and
    per reviewer."""
    from reviewer.store.models import Exhibit

    with case.reading() as session:
        tagged_ids = select(Tag.message_id).distinct().subquery()
        rows = session.execute(
            select(
                Exhibit.reference,
                func.count(Message.id),
                func.count(ReviewMark.message_id)
                - func.count(ReviewMark.message_id).filter(tagged_ids.c.message_id.is_not(None)),
                func.count(tagged_ids.c.message_id),
            )
            .select_from(Message)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .join(Exhibit, Conversation.exhibit_id == Exhibit.id)
            .outerjoin(ReviewMark, ReviewMark.message_id == Message.id)
            .outerjoin(tagged_ids, tagged_ids.c.message_id == Message.id)
            .group_by(Exhibit.reference)
            .order_by(Exhibit.reference)
        ).all()
        by_exhibit = {ref: (int(t), int(r), int(g)) for ref, t, r, g in rows}
        marks = dict(
            session.execute(
                select(ReviewMark.reviewer, func.count()).group_by(ReviewMark.reviewer)
            ).all()
        )
        tags = dict(
            session.execute(select(Tag.reviewer, func.count()).group_by(Tag.reviewer)).all()
        )
        duplicates = sum(reconciled_copies.tagged_duplicates(session).values())
    by_reviewer = {
        name: (marks.get(name, 0), tags.get(name, 0)) for name in sorted({*marks, *tags})
    }
    return Progress(
        total=sum(v[0] for v in by_exhibit.values()),
        reviewed=sum(v[1] for v in by_exhibit.values()),
        tagged=sum(v[2] for v in by_exhibit.values()),
        by_exhibit=by_exhibit,
        by_reviewer=by_reviewer,
        tagged_duplicates=duplicates,
    )


def _category(session: Session, key: str, groups: Sequence[str]) -> Category:
    category = session.get(Category, key)
    if category is None:
        raise InputError(f"no category {key!r} in this case's taxonomy")
    if category.group not in groups:
        raise InputError(f"{key!r} is a {category.group}, not a {' or '.join(groups)} category")
    if category.retired:
        raise InputError(f"category {key!r} is retired and can no longer be applied")
    return category


def _existing(session: Session, message_ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(message_ids))
    if not wanted:
        raise InputError("no messages given")
    found = set(session.scalars(select(Message.id).where(Message.id.in_(wanted))))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InputError(f"no message {missing[0]} in this case")
    return wanted


def _target(ids: Sequence[int]) -> str:
    if len(ids) == 1:
        return f"message {ids[0]}"
    return f"messages {ids[0]}–{ids[-1]} ({len(ids)})"
