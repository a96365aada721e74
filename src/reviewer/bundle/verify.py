"""Verify an evidence bundle without the case: the bag, the audit chain, and every file the
schedule, the records, the RSMF files and the report name.

Checks run in this order and stop at the first failure, which the report names:

1. bagit.txt says ``BagIt-Version: 1.0``; the bag is complete and valid (Payload-Oxum, every
   payload file in every manifest, every SHA-256 and SHA-512, every tag manifest entry);
2. audit/audit-log.jsonl re-verifies as a hash chain (version 1 and 2 entries, withheld
   fields and withheld version 1 entries of a redacted bundle); its head equals
   audit/chain-head.txt, bag-info.txt's Audit-Chain-Head, and the head that report/report.pdf
   and report/index.html print;
3. every ``media/<sha256>.<ext>`` (and ``originals/…``) named by schedule/messages.csv,
   messages/messages.jsonl, report/index.html and (a redacted bundle's list of redacted
   copies) redaction/media.jsonl is present and hashes to what it states;
4. every rsmf/*.rsmf is sound (EML, zip, 2.0.0 schema, references, attachment hashes).
"""

from __future__ import annotations

import csv
import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit
import pypdf

from reviewer.audit import chain
from reviewer.bundle.bag import BAGIT_TXT
from reviewer.bundle.files import is_sha256, sha256_file
from reviewer.bundle.rsmf_check import check_rsmf

_HEAD = re.compile(r"auditchainhead[:=]?([0-9a-fA-F]{64})", re.IGNORECASE)
_MEDIA_REF = re.compile(r"""(?:src|href)\s*=\s*["']([^"'#?]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """``ok``, or ``failure`` naming the first thing that does not hold."""

    path: Path
    checks: list[str] = field(default_factory=list)  # what held, in order
    failure: str | None = None
    audit_head: str | None = None
    audit_entries: int = 0

    @property
    def ok(self) -> bool:
        return self.failure is None


class _Failed(Exception):
    pass


def verify_bundle(path: Path) -> VerifyReport:
    """Run every check in order; the report names the first failure."""
    checks: list[str] = []
    head: str | None = None
    count = 0
    try:
        _check_bag(path)
        checks.append("bag valid (BagIt 1.0, Payload-Oxum, SHA-256 and SHA-512 of every file)")
        head, count = _check_chain(path)
        checks.append(f"audit chain of {count} entries verifies; head {head} matches")
        referenced = _check_references(path / "data")
        checks.append(f"{referenced} files named by the schedule, records and report match")
        rsmf = _check_rsmf(path / "data")
        checks.append(f"{rsmf} RSMF files sound (schema, references, attachment hashes)")
    except _Failed as exc:
        return VerifyReport(path, checks, str(exc), head, count)
    return VerifyReport(path, checks, None, head, count)


# --------------------------------------------------------------------------- bag


def _check_bag(path: Path) -> None:
    if not path.is_dir():
        raise _Failed(f"{path}: not a folder")
    bagit_txt = path / "bagit.txt"
    if not bagit_txt.is_file():
        raise _Failed("bagit.txt is missing: not a BagIt bag")
    if bagit_txt.read_bytes() != BAGIT_TXT.encode():
        raise _Failed("bagit.txt does not say 'BagIt-Version: 1.0' in UTF-8 as RFC 8493 requires")
    _check_tag_files(path)
    quiet = logging.getLogger("bagit")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        bag = bagit.Bag(str(path.resolve()))
        missing = [a for a in ("sha256", "sha512") if a not in bag.algorithms]
        if missing:
            raise _Failed(f"the bag has no {' or '.join(missing)} manifest")
        bag.validate()
    except bagit.BagValidationError as exc:
        details = getattr(exc, "details", None) or []
        first = details[0] if details else _changed_file(path) or exc.message
        raise _Failed(f"bag: {first}") from exc
    except bagit.BagError as exc:
        raise _Failed(f"bag: {exc}") from exc
    finally:
        quiet.setLevel(level)


TAG_FILES = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt")
TAG_MANIFESTS = ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt")


def _check_tag_files(path: Path) -> None:
    """The bag's own files are what this application writes, and the tag manifests cover
    them: bagit only checks tag files that a tag manifest happens to list, so without this
    an edited bag-info.txt with its tag manifests deleted would pass."""
    expected = {*TAG_FILES, *TAG_MANIFESTS, "data"}
    extra = sorted(entry.name for entry in path.iterdir() if entry.name not in expected)
    if extra:
        raise _Failed(f"unexpected file at the top of the bag: {extra[0]}")
    for manifest in TAG_MANIFESTS:
        target = path / manifest
        if not target.is_file():
            raise _Failed(f"{manifest} is missing: the bag's own files are not protected")
        listed = {line.split(maxsplit=1)[1].strip() for line in _lines(target) if line.strip()}
        unlisted = [name for name in TAG_FILES if name not in listed]
        if unlisted:
            raise _Failed(f"{manifest} does not list {unlisted[0]}")


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise _Failed(f"{path.name}: cannot be read ({exc})") from exc


def _changed_file(path: Path) -> str | None:
    """The first file missing or not matching its SHA-256, to name it when the Payload-Oxum
    check (which bagit runs first) fails."""
    entries: dict[str, dict[str, str]] = bagit.Bag(str(path.resolve())).entries
    for name in sorted(entries):
        target = path / name
        if not target.is_file():
            return f"{name} exists in manifest but was not found on filesystem"
        expected = entries[name].get("sha256")
        if expected and sha256_file(target) != expected.lower():
            return f"{name} sha256 validation failed (Payload-Oxum also differs)"
    return None


# --------------------------------------------------------------------------- audit chain


def _check_chain(path: Path) -> tuple[str, int]:
    log = path / "data" / "audit" / "audit-log.jsonl"
    entries: list[dict[str, Any]] = []
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise _Failed(f"data/audit/audit-log.jsonl: cannot read: {exc}") from exc
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise _Failed(f"data/audit/audit-log.jsonl line {number}: not JSON ({exc})") from exc
        if not isinstance(entry, dict):
            raise _Failed(f"data/audit/audit-log.jsonl line {number}: not a JSON object")
        entries.append(entry)
    report = chain.verify(entries)
    if not report.ok:
        raise _Failed(
            f"audit chain broken at entry {report.broken_seq} "
            f"(data/audit/audit-log.jsonl line {report.broken_seq}): {report.reason}"
        )
    stated = _read(path / "data" / "audit" / "chain-head.txt").strip()
    if stated != report.head:
        raise _Failed(f"audit/chain-head.txt says {stated}, the chain's head is {report.head}")
    info = _bag_info(path)
    if info.get("Audit-Chain-Head") != report.head:
        raise _Failed(
            f"bag-info.txt Audit-Chain-Head {info.get('Audit-Chain-Head')} differs from the "
            f"chain's head {report.head}"
        )
    _check_printed_head(path / "data" / "report", report.head)
    return report.head, report.entries


def _check_printed_head(report: Path, head: str) -> None:
    """The audit chain head the reports print is the chain's head: every one index.html
    prints, and report.pdf's first (its cover page; later pages are not read)."""
    for name, text in (("index.html", _html_text), ("report.pdf", _pdf_text)):
        target = report / name
        if not target.is_file():
            continue
        printed = printed_heads(text(target))
        if not printed:
            raise _Failed(f"report/{name} prints no audit chain head")
        wrong = [h for h in printed if h != head]
        if wrong:
            raise _Failed(
                f"report/{name} prints audit chain head {wrong[0]}, the chain's head is {head}"
            )


def printed_heads(text: str) -> list[str]:
    """The 64-hex-digit values that follow "audit chain head" in a report's text (spaces and
    line breaks inside the value, as a narrow column wraps it, are ignored)."""
    squeezed = re.sub(r"\s+", "", text)
    return [m.lower() for m in _HEAD.findall(squeezed)]


def _html_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]*>", " ", _read(path)))


def _pdf_text(path: Path) -> str:
    """The text of the PDF's pages up to the first that prints a head (the cover page, in
    practice), so that a report of hundreds of pages is not read whole."""
    try:
        pages: list[str] = []
        for page in pypdf.PdfReader(path).pages:
            pages.append(page.extract_text() or "")
            if printed_heads("\n".join(pages[-2:])):
                break
        return "\n".join(pages)
    except (OSError, pypdf.errors.PyPdfError, ValueError) as exc:
        raise _Failed(f"report/report.pdf: cannot read its text: {exc}") from exc


def _bag_info(path: Path) -> dict[str, str]:
    info: dict[str, str] = {}
    for line in _read(path / "bag-info.txt").splitlines():
        label, sep, value = line.partition(":")
        if sep and not line[:1].isspace():
            info.setdefault(label.strip(), value.strip())
    return info


# --------------------------------------------------------------------------- references


def _check_references(data: Path) -> int:
    """Files named by the schedule, the records and the HTML report; returns how many."""
    named: dict[str, str | None] = {}  # name -> its SHA-256 once hashed
    for where, name, stated in _named_files(data):
        if name in named and stated in (None, named[name]):
            continue
        target = data / name
        if not target.is_file():
            raise _Failed(f"{where} names {name}, which is not in the bundle")
        actual = named.get(name) or (sha256_file(target) if stated is not None else None)
        if stated is not None and actual != stated:
            raise _Failed(f"{where} names {name} with SHA-256 {stated}; the file differs")
        named[name] = actual
    return len(named)


def _named_files(data: Path) -> Iterator[tuple[str, str, str | None]]:
    """(where, bundle path, stated SHA-256) for every file a document names."""
    media = {p.stem: p.relative_to(data).as_posix() for p in (data / "media").glob("*")}
    schedule = data / "schedule" / "messages.csv"
    if schedule.is_file():
        with schedule.open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), 2):
                for sha in filter(None, row.get("attachment SHA-256", "").split("; ")):
                    if is_sha256(sha):
                        yield _media(f"schedule/messages.csv row {number}", sha, media)
    records = data / "messages" / "messages.jsonl"
    if records.is_file():
        for number, line in enumerate(_read(records).splitlines(), 1):
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise _Failed(f"messages/messages.jsonl line {number}: not JSON") from exc
            for a in record.get("attachments", ()):
                if a.get("present") and a.get("sha256"):
                    yield _media(f"messages/messages.jsonl line {number}", a["sha256"], media)
    yield from _listed_copies(data)
    report = data / "report" / "index.html"
    if report.is_file():
        for ref in _MEDIA_REF.findall(_read(report)):
            if ref.startswith(("data:", "mailto:")) or "://" in ref:
                continue
            target = (report.parent / ref).resolve()
            try:
                name = target.relative_to(data.resolve()).as_posix()
            except ValueError as exc:
                raise _Failed(f"report/index.html refers outside the bundle: {ref}") from exc
            stem = Path(name).stem
            stated = stem if name.startswith("media/") and is_sha256(stem) else None
            yield "report/index.html", name, stated


def _listed_copies(data: Path) -> Iterator[tuple[str, str, str | None]]:
    """The redacted copies redaction/media.jsonl lists (a redacted bundle), with their hash."""
    listing = data / "redaction" / "media.jsonl"
    if not listing.is_file():
        return
    for number, line in enumerate(_read(listing).splitlines(), 1):
        where = f"redaction/media.jsonl line {number}"
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise _Failed(f"{where}: not JSON") from exc
        name = row.get("file") if isinstance(row, dict) else None
        if name is None:
            continue  # a withheld file: not in the bundle
        if not isinstance(name, str) or not re.fullmatch(r"media/[0-9a-f]{64}(\.\w+)?", name):
            raise _Failed(f"{where}: names {name!r}, not a file of media/")
        yield where, name, row.get("sha256")


def _media(where: str, sha256: str, media: dict[str, str]) -> tuple[str, str, str]:
    name = media.get(sha256)
    if name is None:
        raise _Failed(f"{where} names an attachment with SHA-256 {sha256}, not in media/")
    return where, name, sha256


# --------------------------------------------------------------------------- RSMF


def _check_rsmf(data: Path) -> int:
    files = sorted((data / "rsmf").glob("*.rsmf"))
    for path in files:
        problems = check_rsmf(path)
        if problems:
            raise _Failed(f"rsmf/{path.name}: {problems[0]}")
    return len(files)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Failed(f"{path.name}: cannot read: {exc}") from exc
