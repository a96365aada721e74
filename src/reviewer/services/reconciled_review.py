"""Review across the copies of one reconciled message (DESIGN.md §9): whether the same
message is tagged on another exhibit, so a reviewer (or the GUI) sees a copy as already
tagged and counts it once. Reconciled ids change on every run; this reads them by message."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from reviewer.services.case import Case
from reviewer.store import reconciled_copies
from reviewer.store.models import Conversation, Exhibit, Message, Tag

__all__ = ["SiblingTag", "sibling_tags"]


@dataclass(frozen=True, slots=True)
class SiblingTag:
    message_id: int  # another copy of the same reconciled message
    exhibit: str
    category: str
    reviewer: str


def sibling_tags(case: Case, message_id: int) -> list[SiblingTag]:
    """The tags on the other copies of ``message_id``'s reconciled message (none when it was
    not reconciled or no other copy is tagged), by message then category."""
    with case.reading() as session:
        siblings = reconciled_copies.tagged_siblings(session, message_id)
        if not siblings:
            return []
        rows = session.execute(
            select(Tag.message_id, Exhibit.reference, Tag.category, Tag.reviewer)
            .join(Message, Message.id == Tag.message_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .join(Exhibit, Exhibit.id == Conversation.exhibit_id)
            .where(Tag.message_id.in_(siblings))
            .order_by(Tag.message_id, Tag.category)
        ).all()
    return [SiblingTag(int(mid), str(ref), str(cat), str(who)) for mid, ref, cat, who in rows]
