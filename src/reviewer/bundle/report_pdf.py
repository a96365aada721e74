"""``report/report.pdf``: the paginated report a court receives, typeset by Typst.

The content is computed in ``report_pdf_data`` and handed to the template
``reviewer/resources/report/report.typ`` as JSON, so message text is only ever text. Typst
shapes every script (HarfBuzz rules, via rustybuzz), orders right-to-left runs by the Unicode
bidi algorithm, and embeds only the fonts bundled with the application (system fonts and
Typst's own are ignored). The exact records of the included messages are attached to the PDF
as ``messages.jsonl``.

The output is byte-for-byte reproducible for the same bundle: the creation date is the export
time (or ``SOURCE_DATE_EPOCH`` when set), and nothing else varies between runs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from importlib import resources
from multiprocessing import get_context
from pathlib import Path
from typing import Final

import msgspec
import typst

from reviewer.bundle.model import Bundle
from reviewer.bundle.records import records_jsonl
from reviewer.bundle.report_pdf_data import ATTACHMENT_NAME, ReportData
from reviewer.bundle.thumbnails import Thumbnails, render_thumbnails
from reviewer.core.fonts import font_dir

PDF_STANDARD: Final = "a-3b"  # PDF/A-3: archival, and allows the attached records
# From this many messages, Typst runs in a spawned child process: its memoisation cache is
# process-wide and never evicted by the binding, so a 5,000-tagged report left ~2.5 GB in the
# exporting (GUI) process for good (bench/RESULTS.md); the child returns it at exit (~0.5 s).
CHILD_PROCESS_FROM: Final = 2_000
TAGGED_PDF = False  # accessibility tags: 2.7x the file, 16 % more CPU (bench/RESULTS.md)


@functools.cache
def _fonts() -> typst.Fonts:
    """The bundled fonts only: no system font, none of Typst's own."""
    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(font_dir())]
    )


def creation_time(bundle: Bundle) -> datetime:
    """The PDF's creation date: ``SOURCE_DATE_EPOCH`` when set, else the export time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    try:
        parsed = datetime.fromisoformat(bundle.created_utc.replace("Z", "+00:00"))
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def write_report_pdf(
    bundle: Bundle,
    path: Path,
    media_root: Path,
    *,
    records: bytes | None = None,
    prepared: threading.Event | None = None,
) -> list[str]:
    """Write the court-facing PDF report of ``bundle`` to ``path``; return warnings.

    ``media_root`` is the bundle's ``data/`` folder: image attachments are read from
    ``attachment.thumbnail`` or ``attachment.source`` when given, else from
    ``media_root / attachment.bundle_path`` (see ``Thumbnails``). The
    warnings name characters no bundled font can draw (shown as ``[U+XXXX]`` markers).
    ``records`` are the bytes of messages.jsonl when the caller has them (else made here).
    ``prepared`` is set when the Python-side work is done and Typst starts (it runs without
    the GIL), so a caller may hold back its own Python work until then.
    """
    records = records_jsonl(bundle) if records is None else records
    pool = None
    if len(bundle.messages) >= CHILD_PROCESS_FROM:
        # started first, so the child imports Typst and reads the fonts (~0.25 s, more on a
        # busy machine) while the data is prepared here
        pool = ProcessPoolExecutor(1, get_context("spawn"))
        pool.submit(_warm_up)
    try:
        pdf, warnings = _typeset(bundle, media_root, records, prepared, pool)
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    if pool is not None:
        # not waited for: the child takes ~0.4 s to hand its memory back as it exits
        pool.shutdown(wait=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return warnings


def _typeset(
    bundle: Bundle,
    media_root: Path,
    records: bytes,
    prepared: threading.Event | None,
    pool: ProcessPoolExecutor | None,
) -> tuple[bytes, list[str]]:
    """The PDF and its warnings: the data prepared here, compiled in ``pool`` or here."""
    with tempfile.TemporaryDirectory(prefix="reviewer-report-") as folder:
        root = Path(folder)
        (root / ATTACHMENT_NAME).write_bytes(records)
        # thumbnails are rendered by the child (if any) while the text is prepared here
        thumbs = Thumbnails(media_root, root / "thumbs")
        thumbs.plan(a for m in bundle.messages if not m.context for a in m.attachments)
        rendering = (
            None if pool is None else pool.submit(render_thumbnails, thumbs.jobs, thumbs.folder)
        )
        try:
            failed = render_thumbnails(thumbs.jobs, thumbs.folder) if rendering is None else []
            data = ReportData(bundle, thumbs)
            values = data.build(hashlib.sha256(records).hexdigest())
            (root / "data.json").write_bytes(msgspec.json.encode(values))
            del values
            template = resources.files("reviewer.resources") / "report" / "report.typ"
            with resources.as_file(template) as source:
                shutil.copyfile(source, root / "report.typ")
            if prepared is not None:
                prepared.set()
            if rendering is not None:
                # mostly done by now (the child renders while the text is prepared here); a
                # failure there is raised as itself, not as Typst missing a thumbnail
                failed = rendering.result()
        except BaseException:
            # the child may still be writing into the folder about to be removed
            if rendering is not None and not rendering.cancel():
                with contextlib.suppress(BaseException):
                    rendering.result()
            raise
        if pool is not None:
            pdf, problems = pool.submit(_compile, str(root), creation_time(bundle)).result()
        else:
            pdf, problems = _compile(str(root), creation_time(bundle))
    return pdf, [
        *data.warnings(),
        *(
            f"report/report.pdf: no preview of {name}: the image could not be decoded"
            for name in failed
        ),
        *(f"report/report.pdf: Typst: {p}" for p in problems),
    ]


def _warm_up() -> None:
    _fonts()


def _compile(root: str, timestamp: datetime) -> tuple[bytes, list[str]]:
    """Typeset ``root``/report.typ: the PDF and Typst's warnings."""
    compiler = typst.Compiler(
        Path(root) / "report.typ", root=root, font_paths=_fonts(), ignore_system_fonts=True
    )
    pdf, problems = compiler.compile_with_warnings(
        format="pdf", pdf_standards=PDF_STANDARD, timestamp=timestamp, pdf_tags=TAGGED_PDF
    )
    assert isinstance(pdf, bytes)
    return pdf, [problem.message for problem in problems]
