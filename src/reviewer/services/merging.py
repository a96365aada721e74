"""Take a package's review work back into the case it was cut from (DESIGN.md §11).

A package is refused, with nothing changed, when its chain does not verify, its record does
not match its chain's first entry, it was not cut from this case (another case's id, a head
this case's chain does not hold, or no ``package.cut`` entry naming it), or a message it
reviewed is not the case's message of that id.

Each item (a tag ``(message, category)``, a note, a review mark, a stance) the package changed
since it was cut is compared with the case: the same value is a concurring decision; otherwise
the package's value is applied, with its own reviewer and time, unless the case decided that
item since the cut (its audit entries say so) or, for a blind package, already holds a
decision on it (for a tag: a reviewer already reviewed the message); a decision another merge
brought, or agreed with, since the cut counts as the case's. Then both decisions are
kept side by side, the package's as an open conflict for the lead, and nothing is overwritten.
Each reviewer's own decisions on the package's messages are kept as opinions for agreement.
One ``package.merged`` entry names the package's head and lists every change and conflict.
Merging a package head again changes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from reviewer.core.errors import CaseError, ReviewerError
from reviewer.core.timeutil import utc_now_iso
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case, open_case
from reviewer.services.merge_copies import Canon, Item, redirect
from reviewer.services.packaging import BASE_KEY, RECORD_KEY, base_digest, case_id
from reviewer.store import audit_repo, package_reconciled, package_repo
from reviewer.store.models import (
    AuditEntry,
    Category,
    MergeConflict,
    MessageNote,
    PackageMerge,
    ReviewMark,
    ReviewOpinion,
    Setting,
    Stance,
    Tag,
)
from reviewer.store.package_repo import ReviewState

KINDS = ("tag", "note", "mark", "stance")
_ONE_MESSAGE = re.compile(r"^message (\d+)$")


class PackageRefused(CaseError):
    """A package that cannot be merged; nothing was changed."""


@dataclass(frozen=True, slots=True)
class PackageWork:
    """What a verified package holds, read once before anything in the case changes."""

    package_id: str
    record: dict[str, Any]
    head_seq: int
    head: str
    base: ReviewState
    state: ReviewState
    identities: dict[int, tuple[Any, ...]]
    changed_by: dict[Item, tuple[str, str]]  # item -> (actor, ts) of its last package entry


@dataclass(frozen=True, slots=True)
class MergeReport:
    package_id: str
    package_head: str
    already_merged: bool
    changes: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    concurring: list[dict[str, Any]] = field(default_factory=list)
    opinions: int = 0
    audit_seq: int | None = None
    record: dict[str, Any] = field(default_factory=dict)


def read_package(package_dir: Path) -> PackageWork:
    """Open and verify a package folder; :class:`PackageRefused` in one line if it fails."""
    name = str(package_dir)
    try:
        package = open_case(package_dir)
    except ReviewerError as exc:
        raise PackageRefused(f"{name}: not a package that can be merged: {exc}") from exc
    try:
        with package:
            return _read(package, name)
    except DatabaseError as exc:
        raise PackageRefused(f"{name}: the package is damaged ({exc.orig})") from exc


def _read(package: Case, name: str) -> PackageWork:
    with package.reading() as session:
        report = audit_log.verify(session)
        if not report.ok:
            raise PackageRefused(
                f"{name}: refused: the package's audit chain is broken at entry "
                f"{report.broken_seq} ({report.reason})"
            )
        stored = session.get(Setting, RECORD_KEY)
        first = audit_repo.entry(session, 1)
        if stored is None or first is None or first["action"] != "package.created":
            raise PackageRefused(f"{name}: refused: not a package (a case not cut by reviewer)")
        record = json.loads(stored.value)
        if first["details"] != record:
            raise PackageRefused(f"{name}: refused: its package record does not match its chain")
        base_row = session.get(Setting, BASE_KEY)
        base_json = json.loads(base_row.value) if base_row else None
        if base_json is None or base_digest(base_json) != record.get("base"):
            raise PackageRefused(
                f"{name}: refused: its starting review data does not match its chain"
            )
        _check_reconciled(session, record, name)
        base = ReviewState.from_json(base_json)
        state = package_repo.review_state(session)
        ids = base.message_ids() | state.message_ids()
        identities = package_repo.message_identities(session, ids)
        changed_by: dict[Item, tuple[str, str]] = {}
        for entry in audit_log.entries(session):
            if entry["seq"] > 1:
                for item in _items_of(entry):
                    changed_by[item] = (entry["actor"], entry["ts"])
    return PackageWork(
        package_id=str(record["package"]),
        record=record,
        head_seq=report.entries,
        head=report.head,
        base=base,
        state=state,
        identities=identities,
        changed_by=changed_by,
    )


def _check_reconciled(session: Session, record: Mapping[str, Any], name: str) -> None:
    """The reconciliation the package was cut with is the one its chain names, unless a
    ``reconcile`` run on the laptop (audited) rebuilt it. A merge redirects review by the
    case's own reconciliation, but a package whose rows were altered is not the one cut."""
    carried = record.get("reconciled")
    if carried is None:
        return
    rerun = session.scalar(select(AuditEntry.seq).where(AuditEntry.action == "reconcile"))
    if rerun is None and package_reconciled.manifest(session) != carried:
        raise PackageRefused(f"{name}: refused: its reconciled messages do not match its chain")


class _DryRun(Exception):
    def __init__(self, report: MergeReport) -> None:
        super().__init__("dry run")
        self.report = report


def merge_package(
    case: Case, package_dir: Path, actor: Actor, *, dry_run: bool = False
) -> MergeReport:
    """Merge a package folder's review work into ``case``; with ``dry_run``, only report what
    would change and conflict (the transaction is rolled back; no conflict has an id)."""
    package_dir = package_dir.absolute()
    if package_dir == case.root:
        raise PackageRefused("a case cannot be merged into itself")
    work = read_package(package_dir)
    name = str(package_dir)
    parent = work.record["parent"]
    if parent.get("case_id") != case_id(case):
        raise PackageRefused(
            f"{name}: refused: package {work.package_id} was cut from another case "
            f"({parent.get('reference')})"
        )
    try:
        with case.transaction() as session:
            report = _merge(session, case, work, actor, name)
            if dry_run:
                raise _DryRun(report)
            return report
    except _DryRun as preview:
        found = preview.report
        conflicts = [{**c, "conflict": None} for c in found.conflicts]
        return MergeReport(
            found.package_id,
            found.package_head,
            found.already_merged,
            found.changes,
            conflicts,
            found.concurring,
            found.opinions,
            None if not found.already_merged else found.audit_seq,
            found.record,
        )


def _merge(session: Session, case: Case, work: PackageWork, actor: Actor, name: str) -> MergeReport:
    parent = work.record["parent"]
    at_cut = audit_repo.entry(session, int(parent["head_seq"]))
    cut_entry = session.scalar(
        select(AuditEntry.seq).where(
            AuditEntry.action == "package.cut", AuditEntry.target == f"package {work.package_id}"
        )
    )
    if (at_cut is None and parent["head_seq"] != 0) or (
        at_cut is not None and at_cut["hash"] != parent["head"]
    ):
        raise PackageRefused(f"{name}: refused: its parent chain head is not in this case's chain")
    if cut_entry is None:
        raise PackageRefused(
            f"{name}: refused: this case has no record of cutting package {work.package_id}"
        )
    done = session.get(PackageMerge, (work.package_id, work.head))
    if done is not None:
        return MergeReport(
            work.package_id, work.head, True, audit_seq=done.audit_seq, record=work.record
        )
    _check_messages(session, work, name)
    _check_categories(session, work, name)
    canon = Canon(session)
    work, through = _redirected(work, canon)
    since = _touched_since(session, int(parent["head_seq"]), work.package_id)
    canon.load(m for _, m, _ in since)
    touched = {canon.item(i) for i in since}
    current = redirect(package_repo.review_state(session), canon).state
    blind = bool(work.record.get("blind"))
    opinions = _opinions(session, work, current, canon)
    changes: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    concurring: list[dict[str, Any]] = []
    as_opinion: list[dict[str, Any]] = []
    tagged = {m for m, _ in current.tags}

    def by_of(item: Item) -> str:
        return _who(work, item, _entry(work.state, item))[0]

    for item in _changed_items(work):
        theirs = _entry(work.state, item)
        ours = _entry(current, item)
        via = {"through": through[item]} if item in through else {}
        if _value(item[0], theirs) == _value(item[0], ours):
            by = _who(work, item, theirs)[0]
            concurring.append(
                {"kind": item[0], "message": item[1], "item": item[2], "by": by, **via}
            )
            continue
        decided = item in touched or (blind and _held(current, tagged, item))
        if blind and item[0] == "mark" and item[1] in tagged:
            # "No concern" against the case's tags: a disagreement for agreement and
            # adjudication (the opinion is kept), not a mark beside the tags.
            as_opinion.append(
                {"kind": "mark", "message": item[1], "item": "", "by": by_of(item), **via}
            )
        elif decided:
            conflict = _conflict(session, work, item, theirs, ours)
            if conflict is not None:
                conflicts.append({**conflict, **via})
        else:
            change = _apply(session, work, item, theirs, ours, canon)
            changes.append({**change, **via})
    details = {
        "package": work.package_id,
        "package_head": work.head,
        "package_entries": work.head_seq,
        "cut_at": {"seq": parent["head_seq"], "head": parent["head"]},
        "for": work.record.get("for"),
        "blind": blind,
        "changes": changes,
        "conflicts": conflicts,
        "concurring": concurring,
        "kept_as_opinion": as_opinion,
        "opinions": opinions,
    }
    entry = audit_log.append(
        session, actor, "package.merged", f"package {work.package_id}", details
    )
    session.add(
        PackageMerge(
            package_id=work.package_id,
            package_head=work.head,
            merged_utc=utc_now_iso(),
            merged_by=actor.name,
            audit_seq=int(entry["seq"]),
        )
    )
    return MergeReport(
        work.package_id,
        work.head,
        False,
        changes,
        conflicts,
        concurring,
        opinions,
        int(entry["seq"]),
        work.record,
    )


def _check_messages(session: Session, work: PackageWork, name: str) -> None:
    ours = package_repo.message_identities(session, work.identities)
    for message_id, identity in sorted(work.identities.items()):
        if ours.get(message_id) != identity:
            raise PackageRefused(
                f"{name}: refused: its message {message_id} is not this case's message {message_id}"
            )
    missing = work.state.message_ids() - set(work.identities)
    if missing:
        raise PackageRefused(f"{name}: refused: it reviews message {min(missing)}, which it lacks")


def _check_categories(session: Session, work: PackageWork, name: str) -> None:
    known = set(session.scalars(select(Category.key)))
    used = {c for _, c in work.state.tags} | {v["stance"] for v in work.state.stances.values()}
    unknown = sorted(used - known)
    if unknown:
        raise PackageRefused(
            f"{name}: refused: category {unknown[0]!r} is not in this case's taxonomy"
        )


def _redirected(work: PackageWork, canon: Canon) -> tuple[PackageWork, dict[Item, int]]:
    """The package's work keyed by the case's canonical copies (DESIGN.md §9): its base, its
    state and who changed each item; and the copy each of its decisions was made through."""
    base = redirect(work.base, canon)
    state = redirect(work.state, canon)
    canon.load(m for _, m, _ in work.changed_by)
    changed_by = {canon.item(item): who for item, who in sorted(work.changed_by.items())}
    moved = replace(work, base=base.state, state=state.state, changed_by=changed_by)
    return moved, {**base.through, **state.through}


def _changed_items(work: PackageWork) -> list[Item]:
    items: set[Item] = set()
    for state in (work.base, work.state):
        items |= set(_items(state))
    return sorted(
        i
        for i in items
        if _value(i[0], _entry(work.base, i)) != _value(i[0], _entry(work.state, i))
    )


def _items(state: ReviewState) -> Iterator[Item]:
    for m, c in state.tags:
        yield ("tag", m, c)
    for m in state.notes:
        yield ("note", m, "")
    for m in state.marks:
        yield ("mark", m, "")
    for m, p in state.stances:
        yield ("stance", m, str(p))


def _entry(state: ReviewState, item: Item) -> dict[str, Any] | None:
    kind, m, key = item
    if kind == "tag":
        return state.tags.get((m, key))
    if kind == "note":
        return state.notes.get(m)
    if kind == "mark":
        return state.marks.get(m)
    return state.stances.get((m, int(key)))


def _value(kind: str, entry: Mapping[str, Any] | None) -> Any:
    if entry is None:
        return None
    if kind == "note":
        return entry["text"]
    if kind == "stance":
        return entry["stance"]
    return True


def _held(current: ReviewState, tagged: set[int], item: Item) -> bool:
    """Whether the case already holds a decision on the item (blind packages): for a tag,
    any review of the message; otherwise a value of the item itself."""
    kind, m, _ = item
    if kind == "tag":
        return m in current.marks or m in tagged
    return _entry(current, item) is not None


def _apply(
    session: Session,
    work: PackageWork,
    item: Item,
    theirs: dict[str, Any] | None,
    ours: dict[str, Any] | None,
    canon: Canon,
) -> dict[str, Any]:
    """Write the package's value of ``item`` (keyed by the canonical copy): held on the
    canonical copy; a removal, or a note or stance replaced, clears every copy."""
    kind, m, key = item
    copies = canon.members(m)
    by, at = _who(work, item, theirs)
    change: dict[str, Any] = {
        "kind": kind,
        "message": m,
        "item": key,
        "op": "remove" if theirs is None else ("add" if ours is None else "set"),
        "value": _value(kind, theirs),
        "was": _value(kind, ours),
        "by": by,
        "at": at,
    }
    if kind == "tag":
        if theirs is None:
            session.execute(delete(Tag).where(Tag.message_id.in_(copies), Tag.category == key))
            assert ours is not None
            change["removed"] = {"by": ours["by"], "at": ours["at"], "note": ours["note"]}
        else:
            session.add(
                Tag(message_id=m, category=key, note=theirs["note"], reviewer=by, created_utc=at)
            )
            change["note"] = theirs["note"]
    elif kind == "note":
        others = [c for c in copies if c != m]
        session.execute(delete(MessageNote).where(MessageNote.message_id.in_(others)))
        if theirs is None:
            session.execute(delete(MessageNote).where(MessageNote.message_id == m))
        else:
            session.merge(
                MessageNote(message_id=m, text=theirs["text"], reviewer=by, updated_utc=at)
            )
    elif kind == "mark":
        if theirs is None:
            session.execute(delete(ReviewMark).where(ReviewMark.message_id.in_(copies)))
        else:
            session.merge(ReviewMark(message_id=m, reviewer=by, updated_utc=at))
    else:  # a stance on the person (``key``), held under the participant the package named
        person = canon.same_person(int(key))
        held = int(theirs.get("participant", key)) if theirs is not None else None
        session.execute(
            delete(Stance).where(
                Stance.message_id.in_(copies),
                Stance.participant_id.in_(person),
                ~((Stance.message_id == m) & (Stance.participant_id == held)),
            )
        )
        if theirs is not None and held is not None:
            session.merge(
                Stance(
                    message_id=m,
                    participant_id=held,
                    stance=theirs["stance"],
                    reviewer=by,
                    updated_utc=at,
                )
            )
    session.flush()
    return change


def _who(work: PackageWork, item: Item, theirs: Mapping[str, Any] | None) -> tuple[str, str]:
    if theirs is not None:
        return str(theirs["by"]), str(theirs["at"])
    found = work.changed_by.get(item)
    if found is not None:
        return found
    return str(work.record.get("for") or "unknown"), utc_now_iso()


def _conflict(
    session: Session,
    work: PackageWork,
    item: Item,
    theirs: dict[str, Any] | None,
    ours: dict[str, Any] | None,
) -> dict[str, Any] | None:
    kind, m, key = item
    by, at = _who(work, item, theirs)
    theirs_json = json.dumps(_value(kind, theirs), ensure_ascii=False)
    exists = session.scalar(
        select(MergeConflict.id).where(
            MergeConflict.package_id == work.package_id,
            MergeConflict.message_id == m,
            MergeConflict.kind == kind,
            MergeConflict.item == key,
            MergeConflict.package_value == theirs_json,
        )
    )
    if exists is not None:
        return None
    row = MergeConflict(
        package_id=work.package_id,
        message_id=m,
        kind=kind,
        item=key,
        case_value=json.dumps(_value(kind, ours), ensure_ascii=False),
        case_by=ours["by"] if ours else None,
        package_value=theirs_json,
        package_by=by,
        package_utc=at,
        status="open",
    )
    session.add(row)
    session.flush()
    return conflict_record(row)


def conflict_record(row: MergeConflict) -> dict[str, Any]:
    return {
        "conflict": row.id,
        "package": row.package_id,
        "message": row.message_id,
        "kind": row.kind,
        "item": row.item,
        "case": json.loads(row.case_value),
        "case_by": row.case_by,
        "package_value": json.loads(row.package_value),
        "package_by": row.package_by,
        "package_at": row.package_utc,
        "status": row.status,
    }


def _opinions(session: Session, work: PackageWork, current: ReviewState, canon: Canon) -> int:
    """Keep, for agreement, each reviewer's decisions on the messages the package reviewed:
    the package's new tags and marks, and the case's own on those messages (all keyed by
    canonical copies)."""
    rows: set[tuple[int, str, str, str]] = set()
    for (m, c), v in work.state.tags.items():
        if (m, c) not in work.base.tags:
            rows.add((m, str(v["by"]), c, str(v["at"])))
    for m, v in work.state.marks.items():
        if m not in work.base.marks:
            rows.add((m, str(v["by"]), "", str(v["at"])))
    messages = {r[0] for r in rows}
    for (m, c), v in current.tags.items():
        if m in messages:
            rows.add((m, str(v["by"]), c, str(v["at"])))
    for m, v in current.marks.items():
        if m in messages:
            rows.add((m, str(v["by"]), "", str(v["at"])))
    held = session.execute(
        select(ReviewOpinion.message_id, ReviewOpinion.reviewer, ReviewOpinion.category).where(
            ReviewOpinion.source == work.package_id
        )
    ).all()
    canon.load(int(m) for m, _, _ in held)
    existing = {(canon(int(m)), str(r), str(c)) for m, r, c in held}
    new = sorted(r for r in rows if (r[0], r[1], r[2]) not in existing)
    seen: set[tuple[int, str, str]] = set()
    for m, by, c, at in new:
        if (m, by, c) in seen:
            continue
        seen.add((m, by, c))
        session.add(
            ReviewOpinion(message_id=m, reviewer=by, category=c, source=work.package_id, at_utc=at)
        )
    session.flush()
    return len(seen)


def _touched_since(session: Session, after_seq: int, package_id: str) -> set[Item]:
    """Items the case's audit entries after ``after_seq`` decided (this package's own earlier
    merges aside)."""
    found: set[Item] = set()
    for entry in audit_repo.entries(session):
        if entry["seq"] <= after_seq:
            continue
        details = entry["details"]
        if entry["action"] == "package.merged" and details.get("package") == package_id:
            continue
        found.update(_items_of(entry))
    return found


def _items_of(entry: Mapping[str, Any]) -> set[Item]:
    """The review items an audit entry decided."""
    action, details = entry["action"], entry["details"]
    target = _ONE_MESSAGE.match(str(entry.get("target", "")))
    single = [int(target[1])] if target else []
    messages = [int(m) for m in details.get("messages", single)]
    if action == "package.adjudicated" and details.get("kind") not in (None, "tag"):
        return {(str(details["kind"]), m, str(details.get("item", ""))) for m in messages}
    if action in ("tag.added", "tag.removed", "suggestion.confirmed", "package.adjudicated"):
        return {("tag", m, str(details.get("category"))) for m in messages}
    if action == "note.changed":
        return {("note", m, "") for m in messages}
    if action in ("review.marked", "review.unmarked"):
        return {("mark", m, "") for m in messages}
    if action == "stance.changed":
        return {("stance", m, str(details.get("participant"))) for m in messages}
    if action == "package.merged":  # what it changed, and the items it agreed or disputed
        decided = [*details.get("changes", []), *details.get("conflicts", [])]
        decided += (
            details.get("concurring", []) if isinstance(details.get("concurring"), list) else []
        )
        return {(str(c["kind"]), int(c["message"]), str(c["item"])) for c in decided}
    return set()
