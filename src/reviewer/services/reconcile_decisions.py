"""A reviewer's decisions on reconciliation proposals: confirm or undo a conversation link or a
name link (DESIGN.md §9). Each decision and its audit entry are one transaction.

Confirming a name link also links the two participants as one person (``person_id``, as
``reviewer link`` does); undoing a confirmed one takes the second participant out again.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.core.timeutil import utc_now_iso
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.store import participant_repo
from reviewer.store.models import ConversationLink, Participant, PersonLink

__all__ = ["decide_link", "decide_person"]


def decide_link(case: Case, actor: Actor, link_id: int, *, confirm: bool) -> int | None:
    """Confirm (or undo) that two conversations are one chat; the audit seq, or None when it
    was already so."""
    status = "confirmed" if confirm else "undone"
    with case.transaction() as session:
        link = session.get(ConversationLink, link_id)
        if link is None:
            raise InputError(f"no conversation link {link_id}; run reviewer reconcile CASE")
        if link.status == status:
            return None
        previous = link.status
        link.status, link.decided_by, link.decided_utc = status, actor.name, utc_now_iso()
        details = {
            "conversations": [link.conversation_a, link.conversation_b],
            "confidence": link.confidence,
            "previous": previous,
            "status": status,
        }
        action = "reconcile.link-confirmed" if confirm else "reconcile.link-undone"
        entry = audit_log.append(session, actor, action, f"conversation link {link_id}", details)
        return int(entry["seq"])


def decide_person(case: Case, actor: Actor, link_id: int, *, confirm: bool) -> int | None:
    """Confirm (or undo) that two names are one person; the audit seq, or None if unchanged."""
    status = "confirmed" if confirm else "undone"
    with case.transaction() as session:
        link = session.get(PersonLink, link_id)
        if link is None:
            raise InputError(f"no name link {link_id}; run reviewer reconcile CASE")
        if link.status == status:
            return None
        previous = link.status
        link.status, link.decided_by, link.decided_utc = status, actor.name, utc_now_iso()
        person: int | None
        if confirm:
            person = _link(session, link.participant_a, link.participant_b)
        else:
            person = _unlink(session, link.participant_b) if previous == "confirmed" else None
        details = {
            "participants": [link.participant_a, link.participant_b],
            "aligned": link.aligned,
            "share": link.share,
            "previous": previous,
            "status": status,
            "person_id": person,
        }
        action = "reconcile.person-confirmed" if confirm else "reconcile.person-undone"
        entry = audit_log.append(session, actor, action, f"name link {link_id}", details)
        return int(entry["seq"])


def _link(session: Session, a: int, b: int) -> int:
    group = participant_repo.linked_group(session, [a, b])
    person = min(p.id for p in group)
    for p in group:
        p.person_id = person
    return person


def _unlink(session: Session, participant_id: int) -> int | None:
    participant = session.get(Participant, participant_id)
    if participant is None or participant.person_id is None:
        return None
    former = participant.person_id
    rest = [
        p
        for p in participant_repo.linked_group(session, [former])
        if p.id != participant_id and p.person_id == former
    ]
    participant.person_id = None
    regrouped = min((p.id for p in rest), default=None) if len(rest) > 1 else None
    for p in rest:
        p.person_id = regrouped
    return former
