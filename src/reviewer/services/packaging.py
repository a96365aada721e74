"""Cut a package (DESIGN.md §11): a case folder holding part of this case for another laptop.

The package is an ordinary case (the GUI and the command line open it as any other) holding
the cut's conversations and messages with their original ids, their evidence files (re-hashed
as they are copied), the taxonomy and settings, and, unless blind, the review data of those
messages. Its own audit chain starts with ``package.created``, naming the parent case (the
hash of the parent's first entry is the case's id), the parent's chain head, what was cut and
for whom. The record is also stored as the setting ``package.json`` and the review data it
started with as ``package.base.json`` (its SHA-256 is in the entry), which is what a merge
compares the package's work against. Cutting is recorded in the parent as ``package.cut``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from reviewer import __version__
from reviewer.audit.chain import canonical
from reviewer.core.errors import CaseError, InputError
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import DB_NAME, Case
from reviewer.store import migrate, package_reconciled, package_repo
from reviewer.store.engine import create_database, make_engine
from reviewer.store.models import AuditEntry, CaseInfo, Setting

RECORD_KEY = "package.json"
BASE_KEY = "package.base.json"


@dataclass(frozen=True, slots=True)
class PackageResult:
    package_id: str
    root: Path
    messages: int
    context_messages: int
    conversations: int
    exhibits: tuple[str, ...]
    evidence_files: int
    blind: bool
    parent_seq: int  # the parent's ``package.cut`` entry


def case_id(case: Case) -> str:
    """A case's identity: the hash of its first audit entry (its creation, or a package's
    ``package.created``), which no other case shares."""
    with case.reading() as session:
        found = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == 1))
    if found is None:
        raise CaseError(f"{case.root}: the case has no audit log")
    return found


def cut_package(
    case: Case,
    out_dir: Path,
    actor: Actor,
    cut: package_repo.Cut,
    *,
    blind: bool = False,
    for_name: str | None = None,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> PackageResult:
    """Write a package of ``cut`` into ``out_dir`` (a new or empty folder). Cancelling (or
    any failure) removes what was written; the parent records the cut only once it is whole."""
    out_dir = out_dir.absolute()
    if out_dir == case.root or case.root in out_dir.parents:
        raise InputError("the package folder must be outside the case folder")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InputError(f"{out_dir}: already exists and is not an empty folder")
    parent_id = case_id(case)
    package_id = uuid.uuid4().hex
    made = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        package = _new_database(out_dir)
        try:
            record, entry_hash, copied = _fill(
                package,
                case,
                actor,
                cut,
                blind=blind,
                for_name=for_name,
                package_id=package_id,
                parent_id=parent_id,
                progress=progress or NullProgress(),
                cancel=cancel or CancelToken(),
            )
        finally:
            package.close()
        with case.transaction() as session:
            details = {**record, "package_created": entry_hash, "folder": out_dir.name}
            entry = audit_log.append(
                session, actor, "package.cut", f"package {package_id}", details
            )
    except BaseException:
        _remove(out_dir, made)
        raise
    return PackageResult(
        package_id=package_id,
        root=out_dir,
        messages=copied.messages,
        context_messages=copied.context_messages,
        conversations=copied.conversations,
        exhibits=copied.exhibits,
        evidence_files=len(copied.evidence),
        blind=blind,
        parent_seq=int(entry["seq"]),
    )


@dataclass(frozen=True, slots=True)
class CutPreview:
    """What a cut would take, counted before anything is written."""

    exhibits: tuple[str, ...]
    conversations: int
    messages: int
    tagged: int  # messages with tags (left out of a blind package)


def preview_cut(case: Case, cut: package_repo.Cut) -> CutPreview:
    with case.reading() as session:
        unknown = package_repo.unknown_exhibits(session, cut.exhibits, schema="main")
        if unknown:
            raise InputError(f"no exhibit {unknown[0]!r} in this case")
        return CutPreview(*package_repo.count_cut(session, cut))


def _new_database(root: Path) -> Case:
    (root / "evidence").mkdir()
    (root / "cache").mkdir()
    create_database(root / DB_NAME)
    engine = make_engine(root / DB_NAME)
    migrate.upgrade(engine, root / DB_NAME)
    return Case(root, engine)


def _fill(
    package: Case,
    source: Case,
    actor: Actor,
    cut: package_repo.Cut,
    *,
    blind: bool,
    for_name: str | None,
    package_id: str,
    parent_id: str,
    progress: ProgressSink,
    cancel: CancelToken,
) -> tuple[dict[str, Any], str, package_repo.Copied]:
    """Copy the rows and evidence files, store the record and the base, and seal
    ``package.created``; one transaction on the package."""
    with package.transaction_with({package_repo.PARENT: source.root / DB_NAME}) as session:
        head_seq, head = package_repo.parent_head(session)  # first read: fixes the snapshot
        unknown = package_repo.unknown_exhibits(session, cut.exhibits)
        if unknown:
            raise InputError(f"no exhibit {unknown[0]!r} in this case")
        progress.report("package", 0, None)
        copied = package_repo.copy_cut(session, cut, blind=blind)
        if not copied.messages:
            raise InputError("nothing to package: no message in that selection")
        for done, sha256 in enumerate(copied.evidence):
            cancel.raise_if_cancelled()
            progress.report("evidence", done, len(copied.evidence))
            _copy_evidence(source, package, sha256)
        cancel.raise_if_cancelled()
        base = package_repo.review_state(session).to_json()
        record: dict[str, Any] = {
            "package": package_id,
            "parent": {
                "case_id": parent_id,
                "reference": _reference(session),
                "head_seq": head_seq,
                "head": head,
            },
            "cut": {
                "exhibits": list(copied.exhibits),
                "from": cut.date_from,
                "to": cut.date_to,
                "conversations": copied.conversations,
                "messages": copied.messages,
                "context_messages": copied.context_messages,
                "first_id": copied.first_id,
                "last_id": copied.last_id,
                "evidence_files": len(copied.evidence),
            },
            "for": for_name,
            "blind": blind,
            "base": base_digest(base),
            "app_version": __version__,
            "schema": migrate.head_revision(),
        }
        reconciled = package_reconciled.manifest(session)
        if reconciled["copy"]:
            record["reconciled"] = reconciled
        session.merge(Setting(key=RECORD_KEY, value=stored_json(record)))
        session.merge(Setting(key=BASE_KEY, value=stored_json(base)))
        entry = audit_log.append(session, actor, "package.created", f"package {package_id}", record)
    return record, str(entry["hash"]), copied


def _copy_evidence(source: Case, package: Case, sha256: str) -> None:
    path = source.evidence.path_for(sha256)
    if not path.is_file():
        raise CaseError(f"{path}: evidence file missing from the case")
    blob = package.evidence.put_file(path)
    if blob.sha256 != sha256:
        package.evidence.discard(blob)
        raise CaseError(f"{path}: content no longer matches its SHA-256; run reviewer check")


def _reference(session: Any) -> str:
    return str(session.scalar(select(CaseInfo.reference)))


def _remove(folder: Path, made: bool) -> None:
    if made:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def base_digest(base: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(base)).hexdigest()


def stored_json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def package_record(case: Case) -> dict[str, Any] | None:
    """The record a package keeps of its parent and cut (None: this case is not a package)."""
    with case.reading() as session:
        row = session.get(Setting, RECORD_KEY)
    if row is None:
        return None
    value = json.loads(row.value)
    return value if isinstance(value, dict) else None
