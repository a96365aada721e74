"""``reviewer reconcile``: link the conversations that are one chat, align their messages and
propose the names that are one person (DESIGN.md §9).

Reads the case, works in memory (``reviewer.review.reconcile``), then writes every link, the
reconciled messages with their copies and absences, and one ``reconcile`` audit entry in one
transaction. Reviewers' decisions on links (confirmed, undone) are kept across runs; the
reconciled rows are derived and rewritten by each run.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from itertools import combinations
from typing import Any, Final

from sqlalchemy import delete
from sqlalchemy.orm import Session

from reviewer.core.gc_pause import cyclic_gc_paused
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.review.reconcile.chats import SURE, ChatEvidence, ConversationFacts, compare
from reviewer.review.reconcile.chats import subject_names as subject_keys
from reviewer.review.reconcile.items import Item, Track, detect_precision, text_key
from reviewer.review.reconcile.people import NameLink
from reviewer.review.reconcile.run import reconcile_chat
from reviewer.review.reconcile.states import absences, copy_state
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.store import reconcile_repo
from reviewer.store.models import ConversationLink, PersonLink
from reviewer.store.reconcile_repo import ChatRows, ConversationRow

__all__ = ["LinkInfo", "PersonInfo", "ReconcileReport", "reconcile"]

#: Conversation pairs below this confidence are not worth proposing.
PROPOSE: Final = 0.3
LINKED: Final = frozenset({"auto", "confirmed"})
_KNOWN: Final = 10**9  # a confirmed name link outweighs any evidence
_NO_HASHES: Final[frozenset[str]] = frozenset()  # one shared object (3.10+ has no singleton)


@dataclass(frozen=True, slots=True)
class LinkInfo:
    id: int
    a: str  # "AB/1 · Night Shift (#3)"
    b: str
    confidence: float
    status: str
    evidence: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PersonInfo:
    id: int
    a: str  # "AB/1 Dave (#12)"
    b: str
    aligned: int
    share: float
    status: str


@dataclass(slots=True)
class ReconcileReport:
    chats: list[dict[str, Any]] = field(default_factory=list)
    links: list[LinkInfo] = field(default_factory=list)
    people: list[PersonInfo] = field(default_factory=list)
    messages: int = 0
    copies: int = 0
    audit_seq: int | None = None


@dataclass(slots=True)
class _Loaded:
    conversations: list[ConversationRow]
    facts: dict[int, ConversationFacts]
    names: dict[int, tuple[str, str, bool]]  # participant -> (exhibit, name, is custodian)


def reconcile(
    case: Case,
    actor: Actor,
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> ReconcileReport:
    """Link, align and propose; store it all with one audit entry. Cancelling (checked
    between steps) stores nothing."""
    with cyclic_gc_paused():  # hundreds of thousands of small objects, none cyclic
        return _reconcile(case, actor, progress or NullProgress(), cancel or CancelToken())


def _reconcile(
    case: Case, actor: Actor, progress: ProgressSink, cancel: CancelToken
) -> ReconcileReport:
    with case.reading() as session:
        loaded = _load(session, progress, cancel)
        old_links = {(r.conversation_a, r.conversation_b): r.status for r in _links(session)}
        old_people = {(r.participant_a, r.participant_b): r.status for r in _people(session)}
    by_id = {c.id: c for c in loaded.conversations}
    evidence: dict[tuple[int, int], ChatEvidence] = {}
    pairs = list(combinations(loaded.conversations, 2))
    for done, (a, b) in enumerate(pairs):
        progress.report("comparing conversations", done, len(pairs))
        cancel.raise_if_cancelled()
        if a.exhibit_id == b.exhibit_id:
            continue
        found = compare(loaded.facts[a.id], loaded.facts[b.id])
        if found.confidence >= PROPOSE or (a.id, b.id) in old_links:
            evidence[(a.id, b.id)] = found
    status = {
        pair: _decided(old_links.get(pair)) or ("auto" if found.confidence >= SURE else "proposed")
        for pair, found in evidence.items()
    }
    for pair, old in old_links.items():  # a decided pair keeps its decision
        if pair not in status and old in ("confirmed", "undone"):
            status[pair] = old
    groups = _components(
        [c.id for c in loaded.conversations],
        status,
        {pair: found.confidence for pair, found in evidence.items()},
    )
    known = [
        NameLink(a, b, _KNOWN, 1.0) for (a, b), state in old_people.items() if state == "confirmed"
    ]
    refused = [pair for pair, state in old_people.items() if state == "undone"]
    chats: list[ChatRows] = []
    proposals: dict[tuple[int, int], NameLink] = {}
    summaries: list[dict[str, Any]] = []
    for done, group in enumerate(groups):
        progress.report("aligning messages", done, len(groups))
        cancel.raise_if_cancelled()
        tracks = [loaded.facts[cid].track for cid in group]
        anchors = {
            (n, m): evidence[(group[n], group[m])].matches
            for n, m in combinations(range(len(group)), 2)
            if (group[n], group[m]) in evidence
        }
        alignment, links = reconcile_chat(tracks, known=known, refused=refused, anchors=anchors)
        del anchors
        for link in links:
            proposals[(link.a, link.b)] = link
        rows = _chat_rows(alignment.rows, tracks, absences(alignment))
        references = [by_id[cid].exhibit for cid in group]
        offsets = {
            ref: _clock(offset, track.precision)
            for ref, offset, track in zip(references, alignment.offsets, tracks, strict=True)
        }
        chats.append(ChatRows(by_id[group[0]].name, group, offsets, rows))
        if len(group) > 1:
            summaries.append(
                {
                    "name": by_id[group[0]].name,
                    "exhibits": references,
                    "messages": len(alignment.rows),
                    "offsets": offsets,
                    "clock": references[alignment.reference],
                }
            )
    evidence = {pair: replace(found, matches=()) for pair, found in evidence.items()}
    report = ReconcileReport(chats=summaries)
    progress.report("writing", 0, None)
    cancel.raise_if_cancelled()
    with case.transaction() as session:
        link_rows = _store_links(session, evidence, status)
        person_rows = _store_people(session, proposals)
        report.messages, report.copies = reconcile_repo.replace_reconciled(session, chats)
        report.links = [_link_info(row, by_id) for row in link_rows]
        report.people = [_person_info(row, loaded.names) for row in person_rows]
        details = {
            "chats": summaries,
            "reconciled_messages": report.messages,
            "copies": report.copies,
            "conversation_links": [
                {"id": i.id, "status": i.status, "confidence": i.confidence} for i in report.links
            ],
            "person_links_proposed": sum(1 for p in report.people if p.status == "proposed"),
        }
        entry = audit_log.append(session, actor, "reconcile", "case", details)
        report.audit_seq = entry["seq"]
    return report


def _decided(status: str | None) -> str | None:
    return status if status in ("confirmed", "undone") else None


def _links(session: Session) -> list[ConversationLink]:
    return reconcile_repo.conversation_links(session)


def _people(session: Session) -> list[PersonLink]:
    return reconcile_repo.person_links(session)


def _load(session: Session, progress: ProgressSink, cancel: CancelToken) -> _Loaded:
    conversations = reconcile_repo.conversations(session)
    names: dict[int, tuple[str, str, bool]] = {}
    facts: dict[int, ConversationFacts] = {}
    for done, conversation in enumerate(conversations):
        progress.report("reading conversations", done, len(conversations))
        cancel.raise_if_cancelled()
        participants = reconcile_repo.participant_names(session, conversation.exhibit_id)
        custodian = _custodian(session, conversation.exhibit_id, participants)
        for pid, (name, _key) in participants.items():
            # each exhibit's "You" is its custodian: say so beside their name
            names[pid] = (conversation.exhibit, name, pid == custodian)
        facts[conversation.id] = ConversationFacts(
            name=conversation.name,
            names=subject_keys(reconcile_repo.subject_texts(session, conversation.id))
            | {text_key(conversation.name)},
            participants=frozenset(key for _name, key in participants.values()),
            track=_track(session, conversation),
        )
    return _Loaded(conversations, facts, names)


def _custodian(
    session: Session, exhibit_id: int, participants: Mapping[int, tuple[str, str]]
) -> int | None:
    """The participant whose phone the exhibit is: flagged by a reviewer, else the one whose
    name is the custodian named at import."""
    flagged, named = reconcile_repo.exhibit_custodian(session, exhibit_id)
    if flagged is not None or not named:
        return flagged
    wanted = text_key(named)
    return next((pid for pid, (name, _) in participants.items() if text_key(name) == wanted), None)


def _track(session: Session, conversation: ConversationRow) -> Track:
    hashes = reconcile_repo.attachment_hashes(session, conversation.id)
    names = reconcile_repo.attachment_names(session, conversation.id)
    items: list[Item] = []
    # one object per distinct sender id, kind and event: a case repeats them 100,000 times
    senders: dict[int | None, int | None] = {}
    for mid, seconds, sender, kind, text, edited, flags, event in reconcile_repo.message_rows(
        session, conversation.id
    ):
        items.append(
            Item(
                id=mid,
                t=None if seconds is None else float(seconds),
                sender=senders.setdefault(sender, sender),
                kind=sys.intern(kind),
                key=text_key(text) if text else "",
                edited=bool(edited),
                omitted=bool(flags) and "media-omitted" in (flags or ""),
                event=None if event is None else sys.intern(event),
                hashes=hashes.get(mid, _NO_HASHES),
                names=names.get(mid, _NO_HASHES),
            )
        )
    precision = detect_precision([item.t for item in items])
    return Track(conversation.exhibit_id, items, precision, conversation.exhibit)


def _components(
    ids: Sequence[int],
    status: Mapping[tuple[int, int], str],
    confidence: Mapping[tuple[int, int], float],
) -> list[list[int]]:
    """Chats: conversations joined by confirmed links, then by automatic ones from the most
    confident down, never joining two conversations whose link a reviewer undid."""
    group = {i: {i} for i in ids}
    apart = [pair for pair, state in status.items() if state == "undone"]
    joins = sorted(
        (pair for pair, state in status.items() if state in LINKED),
        key=lambda pair: (status[pair] != "confirmed", -confidence.get(pair, 0.0), pair),
    )
    for a, b in joins:
        if a not in group or b not in group or group[a] is group[b]:
            continue
        merged = group[a] | group[b]
        if any(x in merged and y in merged for x, y in apart):
            continue
        for member in merged:
            group[member] = merged
    chats = {min(members): sorted(members) for members in group.values()}
    return [chats[key] for key in sorted(chats)]


def _chat_rows(
    rows: Sequence[tuple[tuple[int, int], ...]],
    tracks: Sequence[Track],
    missing: Sequence[tuple[tuple[int, str], ...]],
) -> Iterator[tuple[str | None, int, list[tuple[int, int, str]], list[tuple[int, str]]]]:
    for row, lacks in zip(rows, missing, strict=True):
        copies = [
            (tracks[n].items[i].id, tracks[n].exhibit, copy_state(tracks[n].items[i]))
            for n, i in row
        ]
        first_track, first_index = row[0]
        first = tracks[first_track].items[first_index]
        utc = None if first.t is None else _utc_text(first.t)
        yield utc, first.id, copies, [(tracks[n].exhibit, why) for n, why in lacks]


def _clock(offset: float, precision: int) -> float:
    """An exhibit's clock offset as reported: 0 within what its precision cannot tell apart
    (half a minute for an export without seconds)."""
    return 0.0 if abs(offset) < max(2.0, precision / 2) else round(offset, 1)


def _utc_text(seconds: float) -> str:
    """``2022-03-18T14:56:01Z`` for seconds since 1970 (whole seconds, as stored)."""
    whole = int(seconds)
    return f"{_utc_minute(whole - whole % 60)}:{whole % 60:02d}Z"


@lru_cache(maxsize=4096)
def _utc_minute(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M")


def _store_links(
    session: Session,
    evidence: Mapping[tuple[int, int], ChatEvidence],
    status: Mapping[tuple[int, int], str],
) -> list[ConversationLink]:
    existing = {(r.conversation_a, r.conversation_b): r for r in _links(session)}
    for pair, found in evidence.items():
        row = existing.get(pair)
        if row is None:
            row = ConversationLink(conversation_a=pair[0], conversation_b=pair[1])
            session.add(row)
            existing[pair] = row
        row.confidence = round(found.confidence, 4)
        row.evidence = json.dumps(found.to_json(), sort_keys=True)
        if row.status not in ("confirmed", "undone"):
            row.status = status[pair]
    session.flush()
    return sorted(existing.values(), key=lambda r: r.id)


def _store_people(
    session: Session, proposals: Mapping[tuple[int, int], NameLink]
) -> list[PersonLink]:
    existing = {(r.participant_a, r.participant_b): r for r in _people(session)}
    stale = [
        r.id for pair, r in existing.items() if r.status == "proposed" and pair not in proposals
    ]
    if stale:
        session.execute(delete(PersonLink).where(PersonLink.id.in_(stale)))
    for pair, link in proposals.items():
        row = existing.get(pair)
        if row is None:
            row = PersonLink(participant_a=pair[0], participant_b=pair[1], status="proposed")
            session.add(row)
            existing[pair] = row
        row.aligned = link.aligned
        row.share = link.share
    session.flush()
    return sorted((r for r in existing.values() if r.id not in stale), key=lambda r: r.id)


def _link_info(row: ConversationLink, by_id: Mapping[int, ConversationRow]) -> LinkInfo:
    return LinkInfo(
        row.id,
        _describe_conversation(by_id.get(row.conversation_a), row.conversation_a),
        _describe_conversation(by_id.get(row.conversation_b), row.conversation_b),
        row.confidence,
        row.status,
        json.loads(row.evidence),
    )


def _describe_conversation(row: ConversationRow | None, cid: int) -> str:
    return f"#{cid}" if row is None else f"{row.exhibit} · {row.name} (#{cid})"


def _person_info(row: PersonLink, names: Mapping[int, tuple[str, str, bool]]) -> PersonInfo:
    def describe(pid: int) -> str:
        exhibit, name, custodian = names.get(pid, ("?", "?", False))
        return f"{exhibit} {name} (#{pid}{', custodian' if custodian else ''})"

    return PersonInfo(
        row.id,
        describe(row.participant_a),
        describe(row.participant_b),
        row.aligned,
        row.share,
        row.status,
    )
