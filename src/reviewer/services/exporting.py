"""Export an evidence bundle (DESIGN.md §6) and preview what it will include.

The export reads the selection, appends the ``bundle.exported`` audit entry and writes the
bundle inside one transaction, so the bundle holds the chain up to and including its own
export entry and its stated head is the case's head once it commits. On any failure (or
cancel) the transaction rolls back, the partial folder is removed, and ``bundle.export-failed``
is recorded in a transaction of its own.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewer import __version__
from reviewer.audit import chain
from reviewer.bundle.model import Bundle, BundleMessage, BundleParticipant, BundleTag
from reviewer.bundle.writer import WriteSummary, write_bundle
from reviewer.core.errors import Cancelled, InputError
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.core.timeutil import utc_now_iso
from reviewer.services import audit_log, export_select, redaction
from reviewer.services import participants as participant_service
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.store.models import Attachment, CaseInfo, Setting

MARKING = "OFFICIAL-SENSITIVE"
ORGANISATION_SETTING = "organisation"


class NothingToExport(InputError):
    """The selection holds no tagged message."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    context: int = 5
    categories: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    exhibits: tuple[str, ...] = ()
    include_originals: bool = False
    redact_uninvolved: bool = False

    def selection(self) -> dict[str, Any]:
        """The filters as recorded in the audit entry and the bundle."""
        return {
            "context": self.context,
            "categories": list(self.categories),
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "exhibits": list(self.exhibits),
            "include_originals": self.include_originals,
            "redact_uninvolved": self.redact_uninvolved,
        }

    def filters(self) -> export_select.Filters:
        return export_select.Filters(
            self.context, self.categories, self.date_from, self.date_to, self.exhibits
        )


@dataclass(frozen=True, slots=True)
class ExportPreview:
    tagged: int
    context: int
    attachments: int  # present attachment files (distinct by hash)
    missing_attachments: int  # referenced by included messages but not in the export
    bytes: int  # attachment bytes to copy
    exhibits: tuple[str, ...]
    conversations: int


@dataclass(frozen=True, slots=True)
class ExportResult:
    out_dir: Path
    tagged: int
    context: int
    attachments: int
    files: int
    bytes: int
    rsmf_files: int
    audit_head: str
    audit_seq: int
    seconds: float
    warnings: tuple[str, ...] = field(default_factory=tuple)


def preview(case: Case, options: ExportOptions) -> ExportPreview:
    """What an export with these options would include (for the export dialog)."""
    _check_options(options)
    with case.reading() as session:
        exhibits = export_select.exhibit_rows(session, options.exhibits)
        places = export_select.tagged_places(session, [e.id for e in exhibits], options.filters())
        ranges = export_select.context_ranges(places, options.context)
        ids = [m.id for m in export_select.read_messages(session, ranges)]
        files: dict[str, int] = {}
        missing = 0
        for chunk in range(0, len(ids), export_select.CHUNK):
            rows = session.execute(
                select(Attachment.sha256, Attachment.size, Attachment.present).where(
                    Attachment.message_id.in_(ids[chunk : chunk + export_select.CHUNK])
                )
            )
            for sha, size, present in rows:
                if present and sha:
                    files[sha] = size or 0
                else:
                    missing += 1
    return ExportPreview(
        tagged=len(places),
        context=len(ids) - len(places),
        attachments=len(files),
        missing_attachments=missing,
        bytes=sum(files.values()),
        exhibits=tuple(e.reference for e in exhibits),
        conversations=len(ranges),
    )


def export_bundle(
    case: Case,
    actor: Actor,
    out_dir: Path,
    options: ExportOptions,
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> ExportResult:
    """Write the bundle into ``out_dir`` (which must not exist or be empty)."""
    progress = progress or NullProgress()
    cancel = cancel or CancelToken()
    _check_options(options)
    out_dir = out_dir.resolve()
    existed = _check_out_dir(out_dir)
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with case.transaction() as session:
            bundle, screen = _collect(case, session, actor, options, progress, cancel)
            details = _details(bundle, options, out_dir)
            target = bundle.case_reference
            entry = audit_log.append(session, actor, "bundle.exported", target, details)
            bundle.created_utc = entry["ts"]
            bundle.audit_entries = _audit_lines(audit_log.entries(session), screen)
            bundle.audit_head = entry["hash"]
            summary = write_bundle(
                bundle,
                out_dir,
                progress=progress,
                cancel=cancel,
                include_originals=options.include_originals,
            )
    except BaseException as exc:
        _remove(out_dir, existed)
        _record_failure(case, actor, out_dir, options, exc)
        raise
    return _result(out_dir, bundle, summary, entry, time.perf_counter() - started)


# --------------------------------------------------------------------------- building


def _collect(
    case: Case,
    session: Session,
    actor: Actor,
    options: ExportOptions,
    progress: ProgressSink,
    cancel: CancelToken,
) -> tuple[Bundle, redaction.Redactor | None]:
    """The bundle, and (when redacting) the screen that decides what the audit log withholds."""
    progress.report("selecting messages", 0, None)
    exhibits = export_select.exhibit_rows(session, options.exhibits)
    exhibit_ids = [e.id for e in exhibits]
    places = export_select.tagged_places(session, exhibit_ids, options.filters())
    if not places:
        raise NothingToExport("no tagged messages match the selection; nothing to export")
    ranges = export_select.context_ranges(places, options.context)
    raw = list(export_select.read_messages(session, ranges))
    cancel.raise_if_cancelled()
    ids = [m.id for m in raw]
    tagged_ids = {p[0] for p in places}
    progress.report("reading review data", len(raw), len(raw))
    files = export_select.attachments(session, ids, case.evidence.root, case.cache_dir / "thumbs")
    tags = export_select.tags(session, ids)
    stances = export_select.stances(session, ids)
    notes = export_select.notes(session, ids)
    people = export_select.participant_rows(session, exhibit_ids)
    memberships = {e.reference: _membership(case, e.reference) for e in exhibits}
    extra_names = {
        name
        for m in raw
        for name in (m.event_actor, *m.event_subjects)
        if name and name not in {p[2] for p in people}
    }
    redactor: redaction.Redactor | None = None
    screen: redaction.Redactor | None = None
    added = 0
    if options.redact_uninvolved:
        redactor, added = redaction.prepare(
            session, [(p[2], p[4], p[6]) for p in people], sorted(extra_names)
        )
        everyone = export_select.everyone(session)
        screen = redaction.audit_screen(session, everyone, sorted(extra_names))
    name = redactor.name if redactor else _same
    text = redactor.text if redactor else _same
    custodians = {p[1]: p[2] for p in people if p[5]}
    reference_of = {e.id: e.reference for e in exhibits}
    messages = [
        BundleMessage(
            id=m.id,
            exhibit=m.exhibit,
            conversation=m.conversation,
            conversation_id=m.conversation_id,
            seq=m.seq,
            timestamp=m.timestamp,
            utc=m.utc,
            time_flag=m.time_flag,
            sender=name(m.sender),
            kind=m.kind,
            text=text(m.text) or "",
            edited=bool(m.edited),
            reply_to=m.reply_to,
            flags=m.flags,
            system_event=m.system_event,
            attachments=tuple(files.get(m.id, ())),
            source={
                "file": m.chat_file,
                "line": m.src_line,
                "lines": m.src_lines,
                "offset": m.src_offset,
                "length": m.src_length,
            },
            tags=tuple(_tag(t, text) for t in tags.get(m.id, ())),
            stances=tuple(
                export_select.stance(name(n) or n, k, label)
                for n, k, label in stances.get(m.id, ())
            ),
            note=text(notes.get(m.id)),
            context=m.id not in tagged_ids,
            event_actor=name(m.event_actor),
            event_subjects=tuple(name(s) or s for s in m.event_subjects),
        )
        for m in raw
    ]
    info = session.scalars(select(CaseInfo)).one()
    organisation = session.get(Setting, ORGANISATION_SETTING)
    bundle = Bundle(
        case_reference=info.reference,
        case_title=info.title,
        marking=MARKING,
        reviewer=actor.name,
        workstation=actor.workstation,
        created_utc=utc_now_iso(),
        software=f"reviewer {__version__}",
        selection=options.selection(),
        redacted=options.redact_uninvolved,
        exhibits=[
            export_select.exhibit(
                e,
                session,
                case.evidence.root,
                name(custodians.get(e.id) or e.custodian),
            )
            for e in exhibits
        ],
        participants=[
            BundleParticipant(
                id=pid,
                exhibit=reference_of[exhibit_id],
                name=name(display) or display,
                message_count=count,
                is_subject=subject,
                membership=_intervals(memberships[reference_of[exhibit_id]], display),
                is_custodian=custodian,
            )
            for pid, exhibit_id, display, count, subject, custodian, _ in people
        ],
        categories=export_select.categories(session),
        messages=messages,
        activity=export_select.activity(session, sorted(ranges)),
        audit_entries=[],
        audit_head="",
        conversation_kinds=export_select.conversation_kinds(session, sorted(ranges)),
        organisation=organisation.value if organisation else "",
        extra={"pseudonyms_added": added} if options.redact_uninvolved else {},
    )
    return bundle, screen


def _audit_lines(
    entries: Iterable[dict[str, Any]], screen: redaction.Redactor | None
) -> list[dict[str, Any]]:
    """The chain as the bundle shows it: whole, or (redacting) its redacted projection, in
    which every field that names an uninvolved person is withheld as its commitment."""
    if screen is None:
        return list(entries)
    return [chain.project(entry, screen.mentions) for entry in entries]


def _same(value: str | None) -> str | None:
    return value


def _tag(tag: BundleTag, text: Any) -> BundleTag:
    return BundleTag(
        tag.category, tag.label, tag.colour, tag.reviewer, tag.created_utc, text(tag.note)
    )


def _membership(case: Case, exhibit: str) -> Any:
    try:
        return participant_service.membership(case, exhibit)
    except InputError:  # an exhibit with several conversations: no single timeline
        return None


def _intervals(membership: Any, name: str) -> list[dict[str, Any]]:
    if membership is None:
        return []
    summary = membership.summary()
    key = membership.key(name)
    for member in summary["members"]:
        if membership.key(member["name"]) == key:
            return [
                {
                    "from": i["joined_at"],
                    "to": i["left_at"],
                    "joined": i["how_joined"],
                    "left": i["how_left"],
                    "inferred": i["inferred"],
                }
                for i in member["intervals"]
            ]
    return []


def _details(bundle: Bundle, options: ExportOptions, out_dir: Path) -> dict[str, Any]:
    tagged = sum(not m.context for m in bundle.messages)
    present = {a.sha256 for m in bundle.messages for a in m.attachments if a.present}
    return {
        "selection": options.selection(),
        "counts": {
            "tagged": tagged,
            "context": len(bundle.messages) - tagged,
            "attachments": len(present),
            "exhibits": [e.reference for e in bundle.exhibits],
        },
        "redaction": "uninvolved participants pseudonymised; phone numbers and e-mail "
        "addresses masked"
        if options.redact_uninvolved
        else "none",
        **({"pseudonyms_added": bundle.extra["pseudonyms_added"]} if bundle.redacted else {}),
        "out_dir": out_dir.name,
        "software": bundle.software,
    }


def _result(
    out_dir: Path, bundle: Bundle, summary: WriteSummary, entry: dict[str, Any], seconds: float
) -> ExportResult:
    tagged = sum(not m.context for m in bundle.messages)
    return ExportResult(
        out_dir=out_dir,
        tagged=tagged,
        context=len(bundle.messages) - tagged,
        attachments=summary.media,
        files=summary.files,
        bytes=summary.bytes,
        rsmf_files=len(summary.rsmf),
        audit_head=entry["hash"],
        audit_seq=entry["seq"],
        seconds=seconds,
        warnings=tuple(summary.warnings),
    )


# --------------------------------------------------------------------------- failure


def _check_options(options: ExportOptions) -> None:
    if options.context < 0:
        raise InputError("--context must be 0 or more")
    if options.date_from and options.date_to and options.date_from > options.date_to:
        raise InputError("--from is after --to")
    if options.include_originals and options.redact_uninvolved:
        raise InputError(
            "--include-originals cannot be combined with --redact-uninvolved: "
            "the original exports hold everyone's names and numbers"
        )


def _check_out_dir(out_dir: Path) -> bool:
    """True when it exists (and is empty); refuses anything else."""
    if not out_dir.exists():
        return False
    if not out_dir.is_dir() or any(out_dir.iterdir()):
        raise InputError(f"{out_dir}: already exists and is not an empty folder")
    return True


def _remove(out_dir: Path, existed: bool) -> None:
    shutil.rmtree(out_dir, ignore_errors=True)
    if existed:
        out_dir.mkdir(exist_ok=True)


def _record_failure(
    case: Case, actor: Actor, out_dir: Path, options: ExportOptions, exc: BaseException
) -> None:
    reason = "cancelled" if isinstance(exc, Cancelled) else f"{type(exc).__name__}: {exc}"
    if isinstance(exc, NothingToExport):
        return  # nothing was attempted
    try:
        with case.transaction() as session:
            audit_log.append(
                session,
                actor,
                "bundle.export-failed",
                case.summary().reference,
                {"selection": options.selection(), "out_dir": out_dir.name, "reason": reason[:500]},
            )
    except Exception:  # the original error matters more than a failure to record it
        pass
