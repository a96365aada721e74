"""What the chat view reads to show a reconciled chat (DESIGN.md §9): the chats, each
message once (its earliest-imported copy, which review and tagging act on) in chat order,
and for a page of those messages the exhibits that hold them, where they are deleted and
which exhibits lack them in range."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.services.browse import DayInfo, days_of
from reviewer.services.case import Case
from reviewer.store import browse_repo, reconciled_browse_repo
from reviewer.store.reconciled_browse_repo import ChatClock
from reviewer.store.reconciled_copies import copies_of

__all__ = [
    "Badges",
    "ChatClock",
    "ReconciledChatInfo",
    "chat_clock",
    "copies_page",
    "reconciled_chats",
    "reconciled_message_ids",
]


@dataclass(frozen=True, slots=True)
class ReconciledChatInfo:
    id: int
    name: str
    exhibits: tuple[str, ...]
    message_count: int

    @property
    def label(self) -> str:
        """'Shift B — reconciled (AB/1, CD/2, EF/3)'."""
        return f"{self.name} — reconciled ({', '.join(self.exhibits)})"


@dataclass(frozen=True, slots=True)
class Badges:
    """Where one reconciled message is found."""

    held_on: tuple[str, ...]  # exhibits with a copy, earliest-imported first
    deleted_on: tuple[str, ...]  # exhibits whose copy shows it deleted
    missing_from: tuple[str, ...]  # exhibits that lack it within the span they cover
    tagged_on: tuple[str, ...] = ()  # exhibits whose other copy of it carries a tag


def reconciled_chats(case: Case) -> list[ReconciledChatInfo]:
    """Every reconciled chat (none before ``reviewer reconcile``)."""
    with case.reading() as session:
        rows = reconciled_browse_repo.chats(session)
    return [ReconciledChatInfo(r.id, r.name, r.exhibits, r.message_count) for r in rows]


def reconciled_message_ids(
    case: Case, chat_id: int, *, deleted: bool = False, missing_from: str | None = None
) -> Sequence[int]:
    """The message ids standing for the chat's messages, in chat order, optionally only
    those deleted on some phone or missing (in range) from the exhibit ``missing_from``."""
    with case.reading() as session:
        return reconciled_browse_repo.chat_message_ids(
            session, chat_id, deleted=deleted, missing_from=missing_from
        )


def chat_clock(case: Case, chat_id: int) -> ChatClock:
    """The zone (of the chat's earliest-imported exhibit) and clock offsets the chat's
    timeline reads days in."""
    with case.reading() as session:
        return reconciled_browse_repo.chat_clock(session, chat_id)


def day_index(case: Case, chat_id: int) -> list[DayInfo]:
    """The timeline of a reconciled chat: per day, its first message, messages and tagged
    messages, each message once however many phones hold it. Days are read in one zone, the
    chat's earliest-imported exhibit's, each copy's clock offset taken out (``chat_clock``).
    One pass over the chat: run it in the background."""
    with case.reading() as session:
        return days_of(reconciled_browse_repo.chat_days(session, chat_id))


def next_unreviewed(case: Case, chat_id: int, after_message_id: int) -> int | None:
    """The row (earliest-imported copy) of the first message after ``after_message_id`` in
    chat order that no copy has tagged or marked reviewed, wrapping round once."""
    with case.reading() as session:
        found = reconciled_browse_repo.next_unreviewed(session, chat_id, after_message_id)
        if found is None:
            found = reconciled_browse_repo.next_unreviewed(session, chat_id, -1)
    return found


def copies_page(case: Case, message_ids: Sequence[int]) -> dict[int, Badges]:
    """Badges of a page of messages (~200) by message id; messages never reconciled are
    left out."""
    with case.reading() as session:
        found = copies_of(session, message_ids)
        others = [
            c.message_id
            for mid, copies in found.items()
            for c in copies.copies
            if c.message_id != mid
        ]
        tagged = set(browse_repo.tags(session, others)) if others else set()
    badges: dict[int, Badges] = {}
    for message_id, copies in found.items():
        held = tuple(dict.fromkeys(c.exhibit for c in copies.copies))
        deleted = tuple(dict.fromkeys(c.exhibit for c in copies.copies if c.state == "deleted"))
        missing = tuple(ref for ref, reason in copies.absent if reason == "in-range")
        elsewhere = tuple(
            dict.fromkeys(
                c.exhibit
                for c in copies.copies
                if c.message_id != message_id and c.message_id in tagged
            )
        )
        badges[message_id] = Badges(held, deleted, missing, elsewhere)
    return badges
