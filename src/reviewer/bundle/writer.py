"""Write a whole evidence bundle (DESIGN.md §6) into an empty folder, then make it a bag."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.bundle.bag import Digests, file_digests, make_bag
from reviewer.bundle.media import write_media, write_originals
from reviewer.bundle.model import Bundle
from reviewer.bundle.provenance import write_provenance
from reviewer.bundle.records import records_jsonl, write_audit, write_messages
from reviewer.bundle.rsmf import write_rsmf
from reviewer.bundle.schedule import write_schedule
from reviewer.core.priority import yield_to_busier_work
from reviewer.core.progress import CancelToken, ProgressSink

ReportWriter = Callable[[Bundle, Path, Path], Sequence[str] | None]  # returns warnings
PDF_REPORT = ("reviewer.bundle.report_pdf", "write_report_pdf", "report/report.pdf")
REPORTS = (("reviewer.bundle.report_html", "write_report_html", "report/index.html"),)


@dataclass(slots=True)
class WriteSummary:
    files: int = 0  # payload files
    bytes: int = 0  # payload bytes
    media: int = 0
    rsmf: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def write_bundle(
    bundle: Bundle,
    out_dir: Path,
    *,
    progress: ProgressSink,
    cancel: CancelToken,
    include_originals: bool = False,
) -> WriteSummary:
    """Write the payload, then turn ``out_dir`` (empty on entry) into a BagIt 1.0 bag whose
    payload is under ``out_dir/data``. Raises on any failure; the caller removes the folder."""
    out_dir = out_dir.resolve()
    summary = WriteSummary()
    records = records_jsonl(bundle)
    # The PDF is typeset in a worker thread (Typst runs without the GIL) while the rest of the
    # payload is written in another; its records attachment is the same bytes as
    # messages.jsonl.
    prepared = threading.Event()
    with (
        ThreadPoolExecutor(max_workers=1) as pdf_pool,
        ThreadPoolExecutor(max_workers=1, initializer=yield_to_busier_work) as rest_pool,
    ):
        pdf = pdf_pool.submit(_write_pdf, bundle, out_dir, records, prepared)
        # The PDF's Python-side preparation is on the export's critical path (Typst follows
        # it): it runs alone, not sharing the GIL with the writing below. It reads images from
        # the attachments' sources, which the copies below must match byte for byte.
        progress.report(f"preparing {PDF_REPORT[2]}", 0, None)
        while not prepared.wait(0.05) and not pdf.done():
            cancel.raise_if_cancelled()
        if pdf.done() and pdf.exception() is not None:
            pdf.result()  # raises: nothing more is written for a bundle that fails anyway
        # Then the rest of the payload is written while Typst compiles, in a thread that gives
        # way to it: Typst's layout keeps every core busy for most of its run, and this work
        # fits in the stretches where it does not (it is done well before Typst is).
        # The rest's own token: set on the caller's cancel, or when this thread is interrupted
        # (Ctrl-C in the command line), so the rest ends at its next step instead of writing
        # the whole payload first.
        stop = CancelToken()
        try:
            rest = rest_pool.submit(
                _write_rest, bundle, out_dir, records, summary, progress, stop, include_originals
            )
            early = _wait(rest, cancel, stop)
        except BaseException:
            stop.cancel()
            raise
        progress.report(f"writing {PDF_REPORT[2]}", 0, None)
        written, warnings = pdf.result()
    if written:
        summary.reports.insert(0, written)
    summary.warnings += warnings
    cancel.raise_if_cancelled()
    progress.report("hashing", 0, None)
    files, digests = _hashed(out_dir, early)
    write_provenance(bundle, out_dir / "provenance" / "case.jsonld", files)
    progress.report("making the bag", 0, None)
    cancel.raise_if_cancelled()
    make_bag(out_dir, bag_info(bundle), digests)
    summary.files = len(files) + 1
    summary.bytes = sum(size for _, _, size in files)
    summary.bytes += (out_dir / "data" / "provenance" / "case.jsonld").stat().st_size
    return summary


def _write_rest(
    bundle: Bundle,
    out_dir: Path,
    records: bytes,
    summary: WriteSummary,
    progress: ProgressSink,
    cancel: CancelToken,
    include_originals: bool,
) -> Digests:
    """Everything in the payload but the PDF; the digests of what it wrote (hashed while Typst
    finishes; not the PDF, which the PDF's thread may be writing)."""
    summary.media, _ = write_media(bundle, out_dir, progress, cancel)
    if include_originals:
        write_originals(bundle, out_dir, cancel)
    cancel.raise_if_cancelled()
    progress.report("writing schedule and records", 0, None)
    write_schedule(bundle, out_dir / "schedule" / "messages.csv")
    write_messages(bundle, out_dir / "messages" / "messages.jsonl", records)
    write_audit(bundle.audit_entries, bundle.audit_head, out_dir / "audit")
    cancel.raise_if_cancelled()
    progress.report("writing RSMF", 0, None)
    summary.rsmf = write_rsmf(bundle, out_dir, progress, cancel)
    for module, function, relative in REPORTS:
        cancel.raise_if_cancelled()
        progress.report(f"writing {relative}", 0, None)
        _write_report(bundle, out_dir, module, function, relative, summary)
    return _digests(out_dir, {}, skip=out_dir / PDF_REPORT[2])


def _wait(future: Future[Digests], cancel: CancelToken, stop: CancelToken) -> Digests:
    """The result of ``future``; ``stop`` is set as soon as ``cancel`` is."""
    while True:
        try:
            return future.result(timeout=0.05)
        except TimeoutError:
            if cancel.cancelled:
                stop.cancel()


def bag_info(bundle: Bundle) -> dict[str, str | list[str]]:
    """bag-info.txt: the reserved elements, then the case's own fields."""
    return {
        "Source-Organization": bundle.organisation or "Not recorded",
        "External-Identifier": bundle.case_reference,
        "External-Description": _one_line(
            f"Evidence bundle for case {bundle.case_reference}"
            + (f" ({bundle.case_title})" if bundle.case_title else "")
            + f": {sum(not m.context for m in bundle.messages)} tagged messages with context"
        ),
        "Bagging-Date": bundle.created_utc[:10],
        "Bag-Software-Agent": bundle.software,
        "Contact-Name": bundle.reviewer,
        "Exhibit-Reference": [e.reference for e in bundle.exhibits],
        "Reviewer": bundle.reviewer,
        "Audit-Chain-Head": bundle.audit_head,
        "Marking": bundle.marking,
        "Redaction": "uninvolved participants pseudonymised" if bundle.redacted else "none",
        "Exported-UTC": bundle.created_utc,
    }


def _write_report(
    bundle: Bundle, out_dir: Path, module: str, function: str, relative: str, summary: WriteSummary
) -> None:
    writer, missing = _report_writer(module, function)
    if writer is None:
        summary.warnings.append(f"{relative} not written: {missing} is not installed")
        return
    target = out_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    summary.warnings += writer(bundle, target, out_dir) or []
    summary.reports.append(relative)


def _write_pdf(
    bundle: Bundle, out_dir: Path, records: bytes, prepared: threading.Event
) -> tuple[str | None, list[str]]:
    """The PDF report (in the worker thread): what was written, and its warnings."""
    module, function, relative = PDF_REPORT
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        return None, [f"{relative} not written: {exc.name or module} is not installed"]
    target = out_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    warnings = getattr(loaded, function)(
        bundle, target, out_dir, records=records, prepared=prepared
    )
    return relative, list(warnings or [])


def _report_writer(module: str, function: str) -> tuple[ReportWriter | None, str]:
    """The report writer, or None and the missing module (until the report lands)."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        return None, exc.name or module
    writer: ReportWriter = getattr(loaded, function)
    return writer, ""


def _hashed(root: Path, known: Digests) -> tuple[list[tuple[str, str, int]], Digests]:
    """(bag path, SHA-256, size) of every payload file, and all the bag's digests of each
    (read once: the provenance and the bag's manifests both need them). ``known`` holds
    digests of files already read, which are not read again."""
    digests = _digests(root, known)
    found = [(name, digests[name]["sha256"], _size(root / name[5:])) for name in digests]
    return found, digests


def _digests(root: Path, known: Digests, skip: Path | None = None) -> Digests:
    """The bag's digests of every file under ``root`` but ``skip``, by bag path
    (``data/…``), sorted; those in ``known`` are taken from it."""
    digests: dict[str, Mapping[str, str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p != skip):
        name = "data/" + path.relative_to(root).as_posix()
        digests[name] = known.get(name) or file_digests(path)
    return digests


def _size(path: Path) -> int:
    return path.stat().st_size


def _one_line(text: str) -> str:
    return " ".join(text.split())
