"""``reviewer media``: one record per distinct attachment with its analysis (DESIGN.md §10),
and deciding a near-duplicate group once (one tag, or its removal, and audit entry per
message)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.services import tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.store.media_models import MediaAnalysis, MediaGroup
from reviewer.store.models import Attachment


def media_records(case: Case, *, group: int | None = None) -> Iterator[dict[str, Any]]:
    """``{"sha256", "mime", "messages", "ocr", "sexual", "similar_group", "duration"}`` per
    distinct present attachment, in order of first appearance; only group ``group`` if given.
    ``ocr``, ``sexual`` and ``duration`` come from the latest successful result of each."""
    with case.reading() as session:
        files = _files(session)
        groups = {
            sha: number
            for sha, number in session.execute(select(MediaGroup.sha256, MediaGroup.group_no))
        }
        latest = _latest(session)
    for sha256, (mime, messages) in files.items():
        number = groups.get(sha256)
        if group is not None and number != group:
            continue
        results = latest.get(sha256, {})
        ocr = results.get("ocr")
        sexual = results.get("sexual")
        av = results.get("av")
        yield {
            "sha256": sha256,
            "mime": mime,
            "messages": messages,
            "ocr": (
                {"text": ocr.text, "engine": ocr.engine, "confidence": ocr.confidence}
                if ocr is not None
                else None
            ),
            "sexual": (
                {"score": sexual.score, "engine": sexual.engine} if sexual is not None else None
            ),
            "similar_group": number,
            "duration": av.duration if av is not None else None,
            "frames": json.loads(av.data).get("frames", []) if av is not None else [],
        }


def group_messages(case: Case, group: int) -> list[int]:
    """The messages carrying a file of near-duplicate group ``group``."""
    with case.reading() as session:
        return _group_messages(session, group)


def tag_group(case: Case, actor: Actor, group: int, category: str) -> tagging.Changes:
    """Tag every message of a near-duplicate group with ``category``: one decision, in one
    transaction, with one tag and one audit entry per message that was not yet tagged."""
    with case.transaction() as session:
        ids = _group_messages(session, group)
        changed: list[int] = []
        seq: int | None = None
        for message_id in ids:
            result = tagging.tag_in(
                session, actor, [message_id], category, details={"similar_group": group}
            )
            changed.extend(result.message_ids)
            seq = result.audit_seq if result.audit_seq is not None else seq
        return tagging.Changes(tuple(changed), (category,) if changed else (), seq)


def untag_group(
    case: Case, actor: Actor, group: int, category: str, *, reason: str | None = None
) -> tagging.Changes:
    """Remove ``category`` from every message of a near-duplicate group: one decision, in one
    transaction, with one audit entry per message that had it (as ``tag_group``)."""
    with case.transaction() as session:
        ids = _group_messages(session, group)
        changed: list[int] = []
        seq: int | None = None
        for message_id in ids:
            result = tagging.untag_in(
                session,
                actor,
                [message_id],
                category,
                reason=reason,
                details={"similar_group": group},
            )
            changed.extend(result.message_ids)
            seq = result.audit_seq if result.audit_seq is not None else seq
        return tagging.Changes(tuple(changed), (category,) if changed else (), seq)


def _group_messages(session: Session, group: int) -> list[int]:
    members = select(MediaGroup.sha256).where(MediaGroup.group_no == group)
    ids = sorted(
        set(
            session.scalars(
                select(Attachment.message_id).where(
                    Attachment.present.is_(True), Attachment.sha256.in_(members)
                )
            )
        )
    )
    if not ids:
        raise InputError(f"no near-duplicate group {group} in this case (see reviewer media)")
    return ids


def _files(session: Session) -> dict[str, tuple[str | None, list[int]]]:
    files: dict[str, tuple[str | None, list[int]]] = {}
    rows = session.execute(
        select(Attachment.sha256, Attachment.mime, Attachment.message_id)
        .where(Attachment.present.is_(True), Attachment.sha256.is_not(None))
        .order_by(Attachment.id)
    )
    for sha256, mime, message_id in rows:
        if sha256 is None:
            continue
        entry = files.setdefault(sha256, (mime, []))
        if message_id not in entry[1]:
            entry[1].append(message_id)
    return files


def _latest(session: Session) -> dict[str, dict[str, MediaAnalysis]]:
    """The latest successful result of each kind per file."""
    latest: dict[str, dict[str, MediaAnalysis]] = {}
    rows = session.scalars(
        select(MediaAnalysis).where(MediaAnalysis.status == "ok").order_by(MediaAnalysis.id)
    )
    for row in rows:
        latest.setdefault(row.sha256, {})[row.kind] = row
    return latest
