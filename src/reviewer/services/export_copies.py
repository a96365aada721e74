"""The bundle says where each message was found (DESIGN.md §9): every included message that
is a copy of a reconciled message gets that message's copies and absences, and a reconciled
message selected through several of its copies is included once — as its earliest-imported
selected copy, carrying the others' tags, stances and notes (its ``copies`` name them all).
When that copy lacks its media ("<Media omitted>", or a file its export did not hold) and
another copy holds them, the bundle carries those files, each saying which copy it came
from (``from_copy``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.bundle.model import BundleAttachment, BundleCopy, BundleMessage
from reviewer.store import reconciled_copies
from reviewer.store.models import Attachment
from reviewer.store.reconciled_copies import Copies

__all__ = ["counted_once", "lent_media", "with_copies"]


MediaReader = Callable[[Sequence[int]], Mapping[int, Sequence[BundleAttachment]]]


def with_copies(
    session: Session, messages: Sequence[BundleMessage], *, media: MediaReader | None = None
) -> list[BundleMessage]:
    """``messages`` (in bundle order) with copies and absences, one per reconciled message;
    ``media`` reads the attachments of other copies for a message whose own lacks them."""
    found = reconciled_copies.copies_of(session, [m.id for m in messages])
    if not found:
        return list(messages)
    groups: dict[int, list[BundleMessage]] = {}
    for message in messages:
        if message.id in found:
            groups.setdefault(found[message.id].reconciled_id, []).append(message)
    result: list[BundleMessage] = []
    for message in messages:
        copies = found.get(message.id)
        if copies is None:
            result.append(message)
            continue
        selected = groups[copies.reconciled_id]
        kept = min(selected, key=lambda m: _rank(copies, m.id))
        if kept is message:
            result.append(_merged(message, selected, copies))
    return result if media is None else _media_from_copies(result, media)


_NO_MEDIA = ("deleted", "media-omitted")


def _media_from_copies(messages: list[BundleMessage], media: MediaReader) -> list[BundleMessage]:
    """Each message lacking its media file takes the files of its first other copy (earliest
    imported first) that holds any, marked with that copy."""

    def lacking(message: BundleMessage) -> bool:
        own = next((c for c in message.copies if c.id == message.id), None)
        if own is None or any(a.present for a in message.attachments):
            return False
        return own.state == "media-omitted" or bool(message.attachments)

    wanted = {
        c.id
        for m in messages
        if lacking(m)
        for c in m.copies
        if c.id != m.id and c.state not in _NO_MEDIA
    }
    if not wanted:
        return messages
    found = media(sorted(wanted))
    result: list[BundleMessage] = []
    for message in messages:
        source = None
        if lacking(message):
            source = next(
                (
                    c
                    for c in message.copies
                    if c.id in wanted and any(a.present for a in found.get(c.id, ()))
                ),
                None,
            )
        if source is None:
            result.append(message)
            continue
        taken = tuple(
            replace(a, from_copy=(source.exhibit, source.id)) for a in found[source.id] if a.present
        )
        result.append(replace(message, attachments=taken))
    return result


def counted_once(session: Session, ids: Sequence[int], tagged_ids: set[int]) -> tuple[int, int]:
    """(tagged, context) among the included ``ids`` as the bundle will hold them: copies of one
    reconciled message count once, as tagged when any of them is."""
    found = reconciled_copies.copies_of(session, ids)
    units: dict[int | tuple[str, int], bool] = {}
    for mid in ids:
        key: int | tuple[str, int] = (
            ("reconciled", found[mid].reconciled_id) if mid in found else mid
        )
        units[key] = units.get(key, False) or mid in tagged_ids
    tagged = sum(units.values())
    return tagged, len(units) - tagged


def _rank(copies: Copies, message_id: int) -> int:
    for index, copy in enumerate(copies.copies):
        if copy.message_id == message_id:
            return index
    return len(copies.copies)


def _merged(
    kept: BundleMessage, selected: Sequence[BundleMessage], copies: Copies
) -> BundleMessage:
    others = [m for m in selected if m is not kept]
    tags = list(kept.tags)
    stances = list(kept.stances)
    for other in others:
        tags += [t for t in other.tags if t.category not in {x.category for x in tags}]
        stances += [s for s in other.stances if s not in stances]
    notes = [m.note for m in (kept, *others) if m.note]
    return replace(
        kept,
        tags=tuple(tags),
        stances=tuple(stances),
        note="\n".join(dict.fromkeys(notes)) or None,
        context=all(m.context for m in selected),
        copies=tuple(BundleCopy(c.exhibit, c.message_id, c.state, c.line) for c in copies.copies),
        absent=copies.absent,
    )


def lent_media(session: Session, ids: Sequence[int]) -> dict[str, int]:
    """Files (SHA-256 -> size) the bundle of these included messages takes from other copies
    (as ``with_copies`` with ``media`` does), for the export preview's counts."""
    found = reconciled_copies.copies_of(session, ids)
    selected: dict[int, list[int]] = {}
    for mid in ids:
        if mid in found:
            selected.setdefault(found[mid].reconciled_id, []).append(mid)
    kept = [min(group, key=lambda m: _rank(found[m], m)) for group in selected.values()]
    wanted = {c.message_id for m in kept for c in found[m].copies if c.state not in _NO_MEDIA}
    files: dict[int, list[tuple[str | None, int, bool]]] = {}
    ordered = sorted(wanted | set(kept))
    for start in range(0, len(ordered), 500):
        for mid, sha, size, present in session.execute(
            select(
                Attachment.message_id, Attachment.sha256, Attachment.size, Attachment.present
            ).where(Attachment.message_id.in_(ordered[start : start + 500]))
        ):
            files.setdefault(mid, []).append((sha, size or 0, bool(present and sha)))
    lent: dict[str, int] = {}
    for mid in kept:
        own = files.get(mid, [])
        state = next(c.state for c in found[mid].copies if c.message_id == mid)
        if any(p for _, _, p in own) or not (own or state == "media-omitted"):
            continue
        for copy in found[mid].copies:
            held = [(sha, size) for sha, size, p in files.get(copy.message_id, []) if p and sha]
            if copy.message_id != mid and copy.message_id in wanted and held:
                lent.update(held)
                break
    return lent
