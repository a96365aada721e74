"""Export an evidence bundle (DESIGN.md §6) and preview what it will include.

The export reads everything from one snapshot (a deferred read transaction: under WAL other
connections may write meanwhile, so reviewers keep tagging during a long export), writes the
bundle with the audit chain up to the snapshot's head, and only then appends the
``bundle.exported`` entry in a short write transaction. That entry records the head the bundle
carries (``bundle_head``, ``bundle_head_seq``) and the SHA-256 of the bag's
tagmanifest-sha256.txt (and, with ``archive``, the .zip's SHA-256 and whether it is
encrypted, never the password), so the case's chain identifies the bundle exactly; the
bundle's head is an entry of the case's chain. On any failure (or cancel) the partial folder
(and archive) is removed and ``bundle.export-failed`` is recorded in a transaction of its own.
"""

from __future__ import annotations

import shutil
import tempfile
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
from reviewer.bundle.files import sha256_file
from reviewer.bundle.model import Bundle, BundleMessage, BundleParticipant
from reviewer.bundle.writer import WriteSummary, write_bundle
from reviewer.core.errors import Cancelled, InputError
from reviewer.core.gc_pause import cyclic_gc_paused
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.core.timeutil import utc_now_iso
from reviewer.services import adjudication, audit_log, export_copies, export_select, redaction
from reviewer.services import participants as participant_service
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.export_media import redact_media
from reviewer.services.export_redact import contact_names, redact_bundle
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
    archive: bool = False  # also write the bag as one .zip beside it
    password: bytes | None = field(default=None, repr=False)  # encrypt that zip (AES-256)
    agreement: bool = False  # print the agreement between reviewers (DESIGN.md §11)

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
            "agreement": self.agreement,
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
    audit_head: str  # the chain head the bundle carries and prints
    audit_seq: int  # that head's sequence number
    seconds: float
    warnings: tuple[str, ...] = field(default_factory=tuple)
    export_seq: int = 0  # the bundle.exported entry appended after the bundle was written
    export_hash: str = ""
    archive: Path | None = None  # the .zip, with --archive
    archive_sha256: str | None = None
    encrypted: bool = False


def preview(case: Case, options: ExportOptions) -> ExportPreview:
    """What an export with these options would include (for the export dialog)."""
    _check_options(options)
    with case.reading() as session:
        exhibits = export_select.exhibit_rows(session, options.exhibits)
        places = export_select.tagged_places(session, [e.id for e in exhibits], options.filters())
        ranges = export_select.context_ranges(places, options.context)
        ids = [m.id for m in export_select.read_messages(session, ranges)]
        tagged, context = export_copies.counted_once(session, ids, {p[0] for p in places})
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
        files.update(export_copies.lent_media(session, ids))  # media from another copy
    return ExportPreview(
        tagged=tagged,
        context=context,
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
    existed = _check_out_dir(out_dir, options)
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with cyclic_gc_paused():  # a bundle is ~10^6 small objects and no reference cycles
            return _export(case, actor, out_dir, options, progress, cancel, started)
    except BaseException as exc:
        _remove(out_dir, existed, options)
        _record_failure(case, actor, out_dir, options, exc)
        raise


def _export(
    case: Case,
    actor: Actor,
    out_dir: Path,
    options: ExportOptions,
    progress: ProgressSink,
    cancel: CancelToken,
    started: float,
) -> ExportResult:
    """Collect the bundle from one snapshot, write it, and record the export in the chain."""
    workdir: Path | None = None
    try:
        # One consistent snapshot (a deferred read transaction under WAL): other tasks may
        # write to the case meanwhile. The bundle holds the chain up to the snapshot's head.
        with case.reading() as session:
            bundle, screen, redactor = _collect(case, session, actor, options, progress, cancel)
            if options.agreement:
                bundle.agreement = [row.record() for row in adjudication.agreement_in(session)]
            entries = list(audit_log.entries(session))
        head = entries[-1]
        bundle.audit_entries = _audit_lines(entries, screen)
        bundle.audit_head = head["hash"]
        if screen is not None:
            # the redacted copies of the media, until the bundle holds them
            media_dir = case.cache_dir / "export-redacted-media"
            media_dir.mkdir(parents=True, exist_ok=True)
            workdir = Path(tempfile.mkdtemp(dir=media_dir))
            bundle = redact_media(bundle, screen, workdir, progress, cancel)
        summary = write_bundle(
            bundle,
            out_dir,
            progress=progress,
            cancel=cancel,
            include_originals=options.include_originals,
        )
        archive = _archive(out_dir, options, progress, cancel)
        details = _details(bundle, options, out_dir, head, archive)
        cancel.raise_if_cancelled()
        # A short write transaction at the end: the pseudonyms the bundle used, and the export
        # entry naming the bundle's head and its tag manifest (so the chain identifies it).
        with case.transaction() as session:
            if redactor is not None:
                redaction.store_mapping(session, redactor.pseudonyms)
            entry = audit_log.append(
                session, actor, "bundle.exported", bundle.case_reference, details
            )
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return _result(out_dir, bundle, summary, head, entry, archive, time.perf_counter() - started)


def _archive(
    out_dir: Path, options: ExportOptions, progress: ProgressSink, cancel: CancelToken
) -> dict[str, Any] | None:
    """With ``options.archive``: the bag as one zip beside it; its audit details."""
    if not options.archive:
        return None
    from reviewer.bundle.archive import archive_path, write_archive

    cancel.raise_if_cancelled()
    progress.report("writing the .zip", 0, None)
    target = write_archive(out_dir, archive_path(out_dir), options.password)
    return {
        "file": target.name,
        "sha256": sha256_file(target),
        "size": target.stat().st_size,
        "encrypted": options.password is not None,
    }


# --------------------------------------------------------------------------- building


def _collect(
    case: Case,
    session: Session,
    actor: Actor,
    options: ExportOptions,
    progress: ProgressSink,
    cancel: CancelToken,
) -> tuple[Bundle, redaction.Redactor | None, redaction.Redactor | None]:
    """The bundle (redacted when asked, in one pass every writer consumes), and when redacting
    the screen that decides what the audit log withholds and the bundle's redactor."""
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
    files = export_select.attachments(session, ids, case.evidence, case.cache_dir)
    tags = export_select.tags(session, ids)
    stances = export_select.stances(session, ids)
    notes = export_select.notes(session, ids)
    people = export_select.participant_rows(session, exhibit_ids)
    memberships = {e.reference: _membership(case, e.reference) for e in exhibits}
    known = {p[2] for p in people}
    extra_names = {
        name
        for m in raw
        for name in (m.event_actor, *m.event_subjects)
        if name and name not in known
    }
    extra_names |= {
        name
        for m in raw
        for name in contact_names(m.kind, m.text, (a.filename for a in files.get(m.id, ())))
        if name not in known
    }
    kinds = export_select.conversation_kinds(session, sorted(ranges))
    # A direct chat's name is the other person's (WhatsApp names it after them).
    extra_names |= {
        m.conversation
        for m in raw
        if kinds.get(m.conversation_id) == "direct" and m.conversation not in known
    }
    redactor: redaction.Redactor | None = None
    screen: redaction.Redactor | None = None
    added = 0
    if options.redact_uninvolved:
        redactor, added = redaction.prepare(
            session, [(p[2], p[4], p[6]) for p in people], sorted(extra_names), store=False
        )
        everyone = export_select.everyone(session)
        screen = redaction.audit_screen(session, everyone, sorted(extra_names))
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
            sender=m.sender,
            kind=m.kind,
            text=m.text or "",
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
            tags=tuple(tags.get(m.id, ())),
            stances=tuple(
                export_select.stance(n, k, label) for n, k, label in stances.get(m.id, ())
            ),
            note=notes.get(m.id),
            context=m.id not in tagged_ids,
            event_actor=m.event_actor,
            event_subjects=tuple(m.event_subjects),
        )
        for m in raw
    ]
    messages = export_copies.with_copies(
        session,
        messages,
        media=lambda ids: export_select.attachments(session, ids, case.evidence, case.cache_dir),
    )
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
                custodians.get(e.id) or e.custodian,
            )
            for e in exhibits
        ],
        participants=[
            BundleParticipant(
                id=pid,
                exhibit=reference_of[exhibit_id],
                name=display,
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
        conversation_kinds=kinds,
        organisation=organisation.value if organisation else "",
        extra={"pseudonyms_added": added} if options.redact_uninvolved else {},
    )
    if redactor is not None:
        bundle = redact_bundle(bundle, redactor)
    return bundle, screen, redactor


def _audit_lines(
    entries: Iterable[dict[str, Any]], screen: redaction.Redactor | None
) -> list[dict[str, Any]]:
    """The chain as the bundle shows it: whole, or (redacting) its redacted projection, in
    which every field that names an uninvolved person is withheld as its commitment."""
    if screen is None:
        return list(entries)
    return [chain.project(entry, screen.mentions) for entry in entries]


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


def _details(
    bundle: Bundle,
    options: ExportOptions,
    out_dir: Path,
    head: dict[str, Any],
    archive: dict[str, Any] | None,
) -> dict[str, Any]:
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
        **({"media_redaction": _media_redaction(bundle)} if bundle.redacted else {}),
        "out_dir": out_dir.name,
        "software": bundle.software,
        # What identifies the bundle: the chain head it carries, and its tag manifest (which
        # hashes bag-info.txt and the payload manifests, so every file of the bag).
        "bundle_head": head["hash"],
        "bundle_head_seq": head["seq"],
        "tagmanifest_sha256": sha256_file(out_dir / "tagmanifest-sha256.txt"),
        **({"archive": archive} if archive else {}),
    }


def _media_redaction(bundle: Bundle) -> dict[str, int]:
    """How many files the redacted bundle carries as redacted copies, and withheld."""
    changed = {
        (a.redaction.original_sha256, a.sha256, a.redaction.withheld)
        for m in bundle.messages
        for a in m.attachments
        if a.redaction is not None and a.redaction.changed
    }
    withheld = sum(1 for _, _, why in changed if why)
    return {"copies": len(changed) - withheld, "withheld": withheld}


def _result(
    out_dir: Path,
    bundle: Bundle,
    summary: WriteSummary,
    head: dict[str, Any],
    entry: dict[str, Any],
    archive: dict[str, Any] | None,
    seconds: float,
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
        audit_head=head["hash"],
        audit_seq=head["seq"],
        seconds=seconds,
        warnings=tuple(summary.warnings),
        export_seq=entry["seq"],
        export_hash=entry["hash"],
        archive=out_dir.with_name(archive["file"]) if archive else None,
        archive_sha256=archive["sha256"] if archive else None,
        encrypted=bool(archive and archive["encrypted"]),
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


def _check_out_dir(out_dir: Path, options: ExportOptions) -> bool:
    """True when it exists (and is empty); refuses anything else, and an archive that would
    replace a file."""
    zipped = out_dir.with_name(out_dir.name + ".zip")
    if options.archive and zipped.exists():
        raise InputError(f"{zipped}: already exists; the archive would replace it")
    if not out_dir.exists():
        return False
    if not out_dir.is_dir() or any(out_dir.iterdir()):
        raise InputError(f"{out_dir}: already exists and is not an empty folder")
    return True


def _remove(out_dir: Path, existed: bool, options: ExportOptions) -> None:
    shutil.rmtree(out_dir, ignore_errors=True)
    if existed:
        out_dir.mkdir(exist_ok=True)
    if options.archive:
        out_dir.with_name(out_dir.name + ".zip").unlink(missing_ok=True)


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
