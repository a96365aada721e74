"""Import an export into a case: copy, hash, parse, store, index and audit as one transaction."""

from __future__ import annotations

import contextlib
import json
import mmap
import re
import sqlite3
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewer import __version__
from reviewer.core.errors import Cancelled, InputError, ReviewerError
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.core.records import ChatProfile, DateOrder
from reviewer.core.timeutil import Stamper, utc_now_iso, zone
from reviewer.importers.container import ExportContainer, open_export
from reviewer.importers.telegram import detect_telegram, parse_telegram
from reviewer.importers.whatsapp.parser import ParsedChat, parse_chat
from reviewer.services import audit_log, import_stage
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.import_media import MediaIds, load_media
from reviewer.services.import_stage import (
    SplitPlan,
    StageJob,
    StageResult,
    StageWorker,
    plan_split,
    wants_worker,
    write_messages,
)
from reviewer.store.evidence import StoredBlob
from reviewer.store.models import (
    Attachment,
    CaseInfo,
    Conversation,
    EvidenceFile,
    Exhibit,
    Message,
    Participant,
)
from reviewer.store.staging import (
    CaseWriter,
    create_staging,
    index_messages,
    index_staged,
    merge,
)

IMPORTERS = {
    "whatsapp-ios": "whatsapp-text",
    "whatsapp-android": "whatsapp-text",
    "telegram-json": "telegram-json",
}
TELEGRAM_CHAT = "result.json"
# JSON dates are written year first; lines and clocks do not apply.
TELEGRAM_PROFILE = ChatProfile(
    format="telegram-json", date_order=DateOrder.YMD, clock="24h", encoding="utf-8",
    line_endings="n/a",
)  # fmt: skip
# WhatsApp silently drops the oldest messages beyond these counts (export-formats.md §1.1).
CAPS = {"with media": 10_000, "without media": 40_000}


@dataclass(frozen=True, slots=True)
class ImportOptions:
    exhibit: str | None = None
    custodian: str | None = None
    timezone: str | None = None
    # A plain "DMY" from Python is taken as DateOrder.DMY (the parser compares members).
    date_order: DateOrder | None = None

    def __post_init__(self) -> None:
        order = self.date_order
        if order is None or type(order) is DateOrder:
            return
        try:
            coerced = DateOrder(str(order).strip().upper())
        except ValueError:
            allowed = ", ".join(member.value for member in DateOrder)
            raise InputError(f"date order must be one of {allowed}, not {order!r}") from None
        object.__setattr__(self, "date_order", coerced)


@dataclass(slots=True)
class ImportResult:
    exhibit_id: int
    reference: str
    messages: int
    attachments_present: int
    attachments_missing: int
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def import_export(
    case: Case,
    export: Path,
    actor: Actor,
    options: ImportOptions = ImportOptions(),
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> ImportResult:
    """Import ``export`` as a new exhibit. On any failure nothing is stored but an audit entry."""
    job = _ImportJob(
        case, export, actor, options, progress or NullProgress(), cancel or CancelToken()
    )
    try:
        return job.run()
    except BaseException as exc:
        if job.committed is None:  # after the commit the exhibit and its files stand
            job.discard_blobs()
            _audit_failure(case, actor, export, options, job.original, exc)
            raise
        if not isinstance(exc, Exception):
            raise
        job.committed.warnings.append(f"after the import was stored, clean-up failed: {exc}")
        return job.committed


class _ImportJob:
    def __init__(
        self,
        case: Case,
        export: Path,
        actor: Actor,
        options: ImportOptions,
        progress: ProgressSink,
        cancel: CancelToken,
    ) -> None:
        self.case = case
        self.export = export
        self.actor = actor
        self.options = options
        self.progress = progress
        self.cancel = cancel
        self.original: StoredBlob | None = None
        self.blobs: list[StoredBlob] = []
        self.warnings: list[str] = []
        # The result, once the import's transaction has committed: from then on nothing it
        # stored may be discarded, whatever clean-up does afterwards.
        self.committed: ImportResult | None = None

    def discard_blobs(self) -> None:
        """Remove the files this failed import stored, unless a committed row of another
        import (another process on the same case) names the same content meanwhile."""
        with self.case.reading() as session:
            for blob in self.blobs:
                used = session.scalar(
                    select(EvidenceFile.id).where(EvidenceFile.sha256 == blob.sha256).limit(1)
                )
                if used is None:
                    self.case.evidence.discard(blob)

    def _store(self, blob: StoredBlob) -> StoredBlob:
        self.blobs.append(blob)
        return blob

    def run(self) -> ImportResult:
        started = time.perf_counter()
        if not self.export.exists():
            raise InputError("no such file or folder", file=str(self.export))
        with self.case.reading() as session:
            case_tz = session.scalars(select(CaseInfo.timezone)).one()
            reference = self.options.exhibit or _next_reference(session)
            if session.scalar(select(Exhibit.id).where(Exhibit.reference == reference)):
                raise InputError(f"exhibit {reference!r} already exists in this case")
        tz_name = self.options.timezone or case_tz
        zone(tz_name)
        self.progress.report("copy", 0, None)
        self.case.cache_dir.mkdir(exist_ok=True)
        telegram = detect_telegram(self.export)
        with tempfile.TemporaryDirectory(prefix="import-", dir=self.case.cache_dir) as tmp:
            source = self._copy_original(Path(tmp))
            chat_file = TELEGRAM_CHAT if telegram and source.is_dir() else None
            with open_export(source, chat=chat_file) as container:
                chat_blob = self._store_chat(container)
                with chat_blob.path.open("rb") as handle, _map(handle) as data:
                    if telegram:
                        result = self._telegram(reference, tz_name, container, chat_blob, data)
                    else:
                        scratch = Path(tmp)
                        result = self._whatsapp(
                            reference, tz_name, container, chat_blob, data, scratch
                        )
        result.seconds = time.perf_counter() - started
        return result

    def _whatsapp(
        self,
        reference: str,
        tz_name: str,
        container: ExportContainer,
        chat_blob: StoredBlob,
        data: mmap.mmap | bytes,
        scratch: Path,
    ) -> ImportResult:
        worker = self._start_worker(container, chat_blob, tz_name, scratch, data)
        try:
            parsed = parse_chat(
                data,
                file_name=container.chat.name,
                date_order=self.options.date_order,
                cancel=self.cancel,
                progress=self.progress,
            )
            plan = (
                plan_split(parsed, len(data), worker.policy)
                if worker
                else SplitPlan((0, len(data)))
            )
            staging = {f"stage{i}": _staging_path(scratch, i) for i in range(len(plan.pieces))}
            with self.case.transaction_with(staging) as session:
                exhibit = self._add_exhibit(
                    session, reference, tz_name, container, chat_blob, parsed.profile
                )
                loaded = self._load_messages(session, exhibit, parsed, plan, worker, tz_name)
                if parsed.profile.date_order_moot:
                    self.warnings.append(
                        f"{container.chat.name}: every date reads the same day-first or "
                        "month-first (such as 12/12/2022), so the date order did not matter; "
                        f"read as {parsed.profile.date_order}"
                    )
                self._warn_about_caps(loaded.count, bool(container.members))
                result = self._finish(session, exhibit, container, loaded)
            self.committed = result
            return result
        finally:
            if worker is not None:
                worker.stop()

    def _telegram(
        self,
        reference: str,
        tz_name: str,
        container: ExportContainer,
        chat_blob: StoredBlob,
        data: mmap.mmap | bytes,
    ) -> ImportResult:
        """Each chat of a Telegram export becomes a conversation of one exhibit."""
        chats = parse_telegram(
            data, file_name=container.chat.name, cancel=self.cancel, progress=self.progress
        )
        with self.case.transaction() as session:
            exhibit = self._add_exhibit(
                session, reference, tz_name, container, chat_blob, TELEGRAM_PROFILE
            )
            db = _connection(session)
            loaded = _Loaded(first_id=_next_message_id(session))
            senders = _Senders(session, exhibit.id)
            converter = Stamper(zone(tz_name))
            for chat in chats:
                conversation = Conversation(
                    exhibit_id=exhibit.id, name=chat.name, kind=chat.kind, source_id=chat.source_id
                )
                session.add(conversation)
                session.flush()
                writer = CaseWriter(
                    db, id_shift=loaded.first_id - 1 + loaded.count, conversation_id=conversation.id
                )
                part = write_messages(
                    chat.messages,
                    writer,
                    converter,
                    senders.add,
                    cancel=self.cancel,
                    progress=self.progress,
                    exact_instants=True,
                )
                loaded.add(part)
            index_messages(db, loaded.first_id, loaded.first_id + loaded.count - 1)
            result = self._finish(session, exhibit, container, loaded)
        self.committed = result
        return result

    def _start_worker(
        self,
        container: ExportContainer,
        chat_blob: StoredBlob,
        tz_name: str,
        scratch: Path,
        data: mmap.mmap | bytes,
    ) -> StageWorker | None:
        """A worker for a large chat, started before this process profiles the file (it
        profiles and plans the same way meanwhile); its staging files exist, empty, before
        the case transaction attaches them."""
        policy = import_stage.POLICY
        if not wants_worker(data, policy):
            return None
        paths = [_staging_path(scratch, i) for i in range(policy.max_pieces)]
        for path in paths:
            create_staging(path)
        order = self.options.date_order
        job = StageJob(
            chat_path=str(chat_blob.path),
            file_name=container.chat.name,
            date_order=order.value if order else None,
            timezone=tz_name,
            policy=policy,
            staging_paths=tuple(str(path) for path in paths),
        )
        return StageWorker(job)

    def _load_messages(
        self,
        session: Session,
        exhibit: Exhibit,
        parsed: ParsedChat,
        plan: SplitPlan,
        worker: StageWorker | None,
        tz_name: str,
    ) -> _Loaded:
        """Rows this process parses go straight in; each piece the worker stages is merged
        after them, in file order, as soon as it is ready."""
        conversation = Conversation(
            exhibit_id=exhibit.id, name=_chat_name(self.export), kind="unknown"
        )
        session.add(conversation)
        session.flush()
        if worker is not None:
            worker.files_attached()
        db = _connection(session)
        loaded = _Loaded(first_id=_next_message_id(session))
        senders = _Senders(session, exhibit.id)
        writer = CaseWriter(db, id_shift=loaded.first_id - 1, conversation_id=conversation.id)
        messages = parsed.records(*plan.own) if plan.pieces else parsed.records()
        own = write_messages(
            messages,
            writer,
            Stamper(zone(tz_name)),
            senders.add,
            cancel=self.cancel,
            progress=self.progress,
        )
        notes = [parsed.take_notes()]
        loaded.add(own)
        index_messages(db, loaded.first_id, loaded.first_id + own.count - 1)
        for index, piece in enumerate(plan.pieces):
            assert worker is not None
            part = worker.next_result(self.cancel)
            order = parsed.profile.date_order.value
            if part.piece != piece or part.date_order != order:
                raise RuntimeError(
                    f"the import worker parsed {part.piece} as {part.date_order}, "
                    f"not {piece} as {order}"
                )
            notes.append(part.notes)
            shift = loaded.first_id - 1 + loaded.count
            merge(
                db,
                f"stage{index}",
                id_shift=shift,
                seq_shift=loaded.count,
                conversation_id=conversation.id,
                senders=[senders.add(name) for name in part.senders],
            )
            loaded.add(part)
            index_staged(db, f"stage{index}", id_shift=shift)
            self.progress.report("store", loaded.count, None)
        self.warnings.extend(parsed.warnings_of(notes))  # as a one-process parse words them
        return loaded

    def _finish(
        self, session: Session, exhibit: Exhibit, container: ExportContainer, loaded: _Loaded
    ) -> ImportResult:
        present, missing = self._load_files(session, exhibit.id, container, loaded.references)
        _finish_exhibit(exhibit, loaded, self.warnings)
        session.flush()
        details = self._audit_details(exhibit, loaded.count, present, missing, container)
        audit_log.append(session, self.actor, "exhibit.imported", exhibit.reference, details)
        self.cancel.raise_if_cancelled()
        return ImportResult(
            exhibit_id=exhibit.id,
            reference=exhibit.reference,
            messages=loaded.count,
            attachments_present=present,
            attachments_missing=missing,
            warnings=list(self.warnings),
        )

    def _copy_original(self, scratch: Path) -> Path:
        """Copy a file export into evidence first; parse from that copy, under its own name."""
        if self.export.is_dir():
            return self.export
        self.original = self._store(self.case.evidence.put_file(self.export))
        link = scratch / self.export.name
        # absolute: a relative target would be read from the link's own folder
        link.symlink_to(self.original.path.absolute())
        return link

    def _store_chat(self, container: ExportContainer) -> StoredBlob:
        if container.kind == "txt" and self.original is not None:
            return self.original
        with container.chat.open() as stream:
            return self._store(self.case.evidence.put_stream(stream))

    def _add_exhibit(
        self,
        session: Session,
        reference: str,
        tz_name: str,
        container: ExportContainer,
        chat_blob: StoredBlob,
        profile: Any,
    ) -> Exhibit:
        original = self.original or chat_blob
        exhibit = Exhibit(
            reference=reference,
            custodian=self.options.custodian,
            original_name=self.export.name,
            container_kind=container.kind,
            sha256=original.sha256,
            size=original.size,
            chat_file=container.chat.name,
            chat_sha256=chat_blob.sha256,
            importer=IMPORTERS[profile.format],
            importer_version=__version__,
            detected_format=profile.format,
            date_order=str(profile.date_order),
            date_order_source=_date_order_source(profile, self.options),
            clock=profile.clock,
            encoding=profile.encoding,
            line_endings=profile.line_endings,
            timezone=tz_name,
            imported_utc=utc_now_iso(),
            imported_by=self.actor.name,
            message_count=0,
            warnings="[]",
        )
        session.add(exhibit)
        session.flush()
        if self.original is not None and container.kind != "txt":
            _add_file(session, exhibit.id, self.export.name, "original", self.original, None)
        _add_file(session, exhibit.id, container.chat.name, "chat", chat_blob, "text/plain")
        return exhibit

    def _load_files(
        self,
        session: Session,
        exhibit_id: int,
        container: ExportContainer,
        references: list[tuple[int, int, str]],
    ) -> tuple[int, int]:
        """Store every file of the export; link the referenced ones to their messages."""
        ids = MediaIds(
            evidence_file=(session.scalar(select(func.max(EvidenceFile.id))) or 0) + 1,
            attachment=(session.scalar(select(func.max(Attachment.id))) or 0) + 1,
        )
        loaded = load_media(
            _connection(session),
            self.case.evidence,
            exhibit_id,
            container,
            references,
            ids,
            cancel=self.cancel,
            progress=self.progress,
            created=self.blobs,
        )
        if loaded.unreferenced:
            self.warnings.append(
                f"{loaded.unreferenced} file(s) in the export are not referenced by any "
                "message (stored as evidence all the same)"
            )
        if loaded.missing:
            self.warnings.append(
                f"{loaded.missing} attachment(s) referenced by messages are not in the export"
            )
        for skipped in container.skipped:
            self.warnings.append(f"skipped {skipped}")
        return loaded.present, loaded.missing

    def _warn_about_caps(self, count: int, with_media: bool) -> None:
        for mode, cap in CAPS.items():
            if cap * 0.95 <= count <= cap + 5 and (with_media or mode == "without media"):
                self.warnings.append(
                    f"{count} messages is close to WhatsApp's {cap:,}-message limit for exports "
                    f"{mode}: the oldest part of the chat may be missing from this export"
                )

    def _audit_details(
        self,
        exhibit: Exhibit,
        count: int,
        present: int,
        missing: int,
        container: ExportContainer,
    ) -> dict[str, Any]:
        return {
            "original_name": exhibit.original_name,
            "container": exhibit.container_kind,
            "sha256": exhibit.sha256,
            "size": exhibit.size,
            "chat_file": exhibit.chat_file,
            "chat_sha256": exhibit.chat_sha256,
            "importer": f"{exhibit.importer} {__version__}",
            "format": exhibit.detected_format,
            "date_order": exhibit.date_order,
            "date_order_source": exhibit.date_order_source,
            "timezone": exhibit.timezone,
            "custodian": exhibit.custodian,
            "messages": count,
            "files": len(container.members),
            "attachments_present": present,
            "attachments_missing": missing,
            "warnings": len(self.warnings),
        }


@dataclass(slots=True)
class _Loaded:
    """Messages loaded so far: the first id, the count, and what the merge collected."""

    first_id: int
    count: int = 0
    references: list[tuple[int, int, str]] = field(default_factory=list)
    first_ts: str | None = None
    last_ts: str | None = None

    def add(self, part: StageResult) -> None:
        shift = self.first_id - 1 + self.count
        self.references.extend((i + shift, ordinal, name) for i, ordinal, name in part.references)
        self.count += part.count
        self.first_ts = self.first_ts or part.first_ts
        self.last_ts = part.last_ts or self.last_ts


class _Senders:
    """Participants of one exhibit, created as their first message is written."""

    def __init__(self, session: Session, exhibit_id: int) -> None:
        self._session = session
        self._exhibit_id = exhibit_id
        self._ids: dict[str, int] = {}

    def add(self, name: str) -> int:
        known = self._ids.get(name)
        if known is not None:
            return known
        person = Participant(
            exhibit_id=self._exhibit_id, display_name=name, match_key=match_key(name)
        )
        self._session.add(person)
        self._session.flush()
        self._ids[name] = person.id
        return person.id


def _staging_path(scratch: Path, index: int) -> Path:
    return scratch / f"stage-{index}.sqlite"


def _next_message_id(session: Session) -> int:
    return (session.scalar(select(func.max(Message.id))) or 0) + 1


def _date_order_source(profile: ChatProfile, options: ImportOptions) -> str:
    if profile.format == "telegram-json":
        return "format"
    if options.date_order:
        return "option"
    return "same-either-way" if profile.date_order_moot else "detected"


def _connection(session: Session) -> sqlite3.Connection:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def match_key(name: str) -> str:
    """A key for matching one person across spellings: E.164-ish digits for phone numbers."""
    cleaned = unicodedata.normalize("NFKC", name)
    digits = re.sub(r"\D", "", cleaned)
    if len(digits) >= 7 and re.fullmatch(r"[\s+()\d\-.\u2011\u202a-\u202e]+", cleaned.strip("~ ")):
        return "+" + digits
    return cleaned.casefold().strip()


def _add_file(
    session: Session,
    exhibit_id: int,
    path: str,
    role: str,
    blob: StoredBlob,
    mime: str | None,
    *,
    mime_mismatch: bool = False,
    referenced: bool = True,
) -> EvidenceFile:
    record = EvidenceFile(
        exhibit_id=exhibit_id,
        path=path,
        role=role,
        sha256=blob.sha256,
        size=blob.size,
        mime=mime,
        mime_mismatch=mime_mismatch,
        referenced=referenced,
    )
    session.add(record)
    session.flush()
    return record


def _finish_exhibit(exhibit: Exhibit, loaded: _Loaded, warnings: list[str]) -> None:
    exhibit.message_count = loaded.count
    exhibit.first_timestamp = loaded.first_ts
    exhibit.last_timestamp = loaded.last_ts
    exhibit.warnings = json.dumps(warnings, ensure_ascii=False)


def _next_reference(session: Session) -> str:
    """``EX<n>``: the first number after the exhibit count that no exhibit uses yet."""
    taken = set(session.scalars(select(Exhibit.reference)))
    number = len(taken) + 1
    while f"EX{number}" in taken:
        number += 1
    return f"EX{number}"


_CHAT_NAME = re.compile(
    r"^(?:WhatsApp Chat - |WhatsApp Chat with |WhatsApp Chat mit |Chat de WhatsApp con |"
    r"Discussion WhatsApp avec |Chat WhatsApp con |Conversa do WhatsApp com |"
    r"Conversa no WhatsApp com |WhatsApp-chat met |Czat WhatsApp z |Чат WhatsApp с )",
    re.IGNORECASE,
)


def _chat_name(export: Path) -> str:
    stem = export.stem if export.is_file() else export.name
    stem = stem.replace("%20", " ").replace("_", " ").strip()
    return _CHAT_NAME.sub("", stem).strip() or stem


class _map:
    """mmap a file read-only (an empty file maps to b"")."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._map: mmap.mmap | None = None

    def __enter__(self) -> mmap.mmap | bytes:
        if Path(self._handle.name).stat().st_size == 0:
            return b""
        self._map = mmap.mmap(self._handle.fileno(), 0, access=mmap.ACCESS_READ)
        return self._map

    def __exit__(self, *exc: object) -> None:
        if self._map is not None:
            # A failed parse may still hold a view of the map; GC closes it then.
            with contextlib.suppress(BufferError):
                self._map.close()


def _audit_failure(
    case: Case,
    actor: Actor,
    export: Path,
    options: ImportOptions,
    original: StoredBlob | None,
    exc: BaseException,
) -> None:
    action = "exhibit.import-cancelled" if isinstance(exc, Cancelled) else "exhibit.import-failed"
    reason = str(exc) if isinstance(exc, ReviewerError) else f"internal error: {type(exc).__name__}"
    details: dict[str, Any] = {"path": str(export), "reason": reason}
    if original is not None:
        details["sha256"] = original.sha256
        details["size"] = original.size
    if options.date_order is not None:
        details["date_order"] = str(options.date_order)
    try:
        with case.transaction() as session:
            audit_log.append(session, actor, action, options.exhibit or export.name, details)
    except Exception:  # the original error matters more than a failure to record it
        pass
