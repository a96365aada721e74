"""What an evidence bundle holds, as plain values: the contract between the export service
(which reads the case) and the writers (which never touch the database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: What a redacted bundle shows instead of image text that names someone not involved across
#: lines (a name split over two lines of a meme is not replaced line by line).
OCR_WITHHELD = "[image text withheld: it names a person not involved]"


@dataclass(frozen=True, slots=True)
class BundleOcrLine:
    """One line read by OCR: its text, confidence and corners ([x, y] in the picture)."""

    text: str
    confidence: float | None
    box: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class BundleOcr:
    """The text a machine read in a picture (DESIGN.md §10): never a reviewer's reading."""

    text: str  # "" when the engine read nothing
    engine: str
    model: str | None
    version: str
    confidence: float | None
    lines: tuple[BundleOcrLine, ...] = ()
    withheld: bool = False  # a redacted bundle withheld the text (OCR_WITHHELD)

    def label(self) -> str:
        """ "rapidocr 3.10.0+s1, model PP-OCRv6_…, confidence 0.93", for the reports."""
        about = f"{self.engine} {self.version}"
        if self.model:
            about += f", model {self.model}"
        if self.confidence is not None:
            about += f", confidence {self.confidence:.2f}"
        return about


@dataclass(frozen=True, slots=True)
class BundleScore:
    """A sexual-content score by a model (0-1): a machine suggestion, never a tag."""

    score: float
    engine: str
    model: str | None
    version: str


@dataclass(frozen=True, slots=True)
class BundleAnalysis:
    """Machine analysis of an attachment's file: the latest successful result of each kind."""

    ocr: BundleOcr | None = None
    sexual: BundleScore | None = None
    similar_group: int | None = None  # near-duplicate group (``reviewer media``)

    def record(self) -> dict[str, Any]:
        """The ``analysis`` key of an attachment record in messages.jsonl."""
        ocr = self.ocr
        sexual = self.sexual
        return {
            "machine_read": True,
            "ocr": None
            if ocr is None
            else {
                "text": ocr.text,
                "engine": ocr.engine,
                "model": ocr.model,
                "version": ocr.version,
                "confidence": ocr.confidence,
                "withheld": ocr.withheld,
                "boxes": [
                    {
                        "box": [list(p) for p in line.box],
                        "text": line.text,
                        "confidence": line.confidence,
                    }
                    for line in ocr.lines
                ],
            },
            "sexual": None
            if sexual is None
            else {
                "score": sexual.score,
                "engine": sexual.engine,
                "model": sexual.model,
                "version": sexual.version,
            },
            "similar_group": self.similar_group,
        }


@dataclass(frozen=True, slots=True)
class MediaRedaction:
    """What a redacted bundle does with an attachment's file. The redaction pass plans it
    (``areas``, ``named``); preparing the media records what was done: a redacted copy of
    ``original_sha256`` with ``removed`` taken out, or the file ``withheld`` (and why)."""

    areas: tuple[tuple[tuple[int, int], ...], ...] = ()  # picture areas naming someone
    named: bool = False  # the file's name named a person not involved
    original_sha256: str | None = None  # None when the hash itself would identify
    removed: tuple[str, ...] = ()
    withheld: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.withheld)

    def record(self) -> dict[str, Any]:
        """The ``redaction`` key of an attachment record (and a line of media-redactions)."""
        if self.withheld:
            return {"withheld": self.withheld, "original_sha256": self.original_sha256}
        return {"redacted_copy_of": self.original_sha256, "removed": list(self.removed)}


@dataclass(frozen=True, slots=True)
class BundleAttachment:
    filename: str  # as the export named it
    sha256: str | None  # None when the export referenced a file it did not contain
    mime: str | None
    size: int | None
    present: bool
    source: Path | None  # the evidence file to copy (read-only), when present
    bundle_path: str | None  # "media/<sha256>.<ext>" inside data/, when present
    thumbnail: Path | None = None  # a JPEG in the case cache, for reports
    analysis: BundleAnalysis | None = None  # None when the file was never analysed
    redaction: MediaRedaction | None = None  # a redacted bundle's copy or withholding
    # (exhibit, message id) of another copy of the reconciled message (§9) the file was taken
    # from, when the message's own copy lacks it ("<Media omitted>", or not in its export)
    from_copy: tuple[str, int] | None = None

    def record(self) -> dict[str, Any]:
        """The attachment as messages.jsonl gives it (``analysis`` only when analysed)."""
        found: dict[str, Any] = {
            "filename": self.filename,
            "sha256": self.sha256,
            "mime": self.mime,
            "size": self.size,
            "present": self.present,
        }
        if self.from_copy is not None:
            found["from_copy"] = {"exhibit": self.from_copy[0], "id": self.from_copy[1]}
        if self.analysis is not None:
            found["analysis"] = self.analysis.record()
        if self.redaction is not None and self.redaction.changed:
            found["redaction"] = self.redaction.record()
        return found


@dataclass(frozen=True, slots=True)
class BundleTag:
    category: str
    label: str
    colour: str
    reviewer: str
    created_utc: str
    note: str | None


@dataclass(frozen=True, slots=True)
class BundleStance:
    participant: str  # display name (pseudonymised when redacted)
    stance: str  # category key, e.g. "stance.endorsed"
    label: str


@dataclass(frozen=True, slots=True)
class BundleCopy:
    """One exhibit's copy of a reconciled message (DESIGN.md §9)."""

    exhibit: str
    id: int
    state: str  # present, deleted, media-omitted, edited
    line: int | None  # first line of the copy in that exhibit's chat file


@dataclass(frozen=True, slots=True)
class BundleMessage:
    """One included message: the §5 record plus review data, and why it is included."""

    id: int
    exhibit: str
    conversation: str
    conversation_id: int
    seq: int
    timestamp: str | None  # local, as written
    utc: str | None
    time_flag: str | None
    sender: str | None  # pseudonymised when redacted
    kind: str
    text: str  # masked when redacted
    edited: bool
    reply_to: int | None
    flags: tuple[str, ...]
    system_event: str | None
    attachments: tuple[BundleAttachment, ...]
    source: dict[str, Any]  # {"file", "line", "lines", "offset", "length"}
    tags: tuple[BundleTag, ...]  # empty for context messages
    stances: tuple[BundleStance, ...]
    note: str | None
    context: bool  # True when included only as context of a tagged message
    event_actor: str | None = None  # system lines: who acted, as written (pseudonymised)
    event_subjects: tuple[str, ...] = ()  # system lines: whom it concerns (pseudonymised)
    # When the message is a copy of a reconciled message (§9): every exhibit's copy, earliest
    # imported first (this one included), and the exhibits without one as (exhibit, reason).
    # Empty when the case was not reconciled or the message has no reconciled message.
    copies: tuple[BundleCopy, ...] = ()
    absent: tuple[tuple[str, str], ...] = ()

    def record(self) -> dict[str, Any]:
        """The DESIGN.md §5 record plus tags, stances and notes (messages.jsonl)."""
        return {
            "id": self.id,
            "exhibit": self.exhibit,
            "conversation": self.conversation,
            "seq": self.seq,
            "timestamp": self.timestamp,
            "utc": self.utc,
            "time_flag": self.time_flag,
            "sender": self.sender,
            "kind": self.kind,
            "text": self.text,
            "edited": self.edited,
            "reply_to": self.reply_to,
            "attachments": [a.record() for a in self.attachments],
            "source": dict(self.source),
            "tags": [
                {
                    "category": t.category,
                    "reviewer": t.reviewer,
                    "created": t.created_utc,
                    "note": t.note,
                }
                for t in self.tags
            ],
            "stances": [{"participant": s.participant, "stance": s.stance} for s in self.stances],
            "note": self.note,
            "context": self.context,
            **(
                {
                    "copies": [
                        {"exhibit": c.exhibit, "id": c.id, "state": c.state} for c in self.copies
                    ],
                    "absent": [{"exhibit": e, "reason": r} for e, r in self.absent],
                }
                if self.copies
                else {}
            ),
        }


@dataclass(frozen=True, slots=True)
class BundleExhibit:
    reference: str
    custodian: str | None
    original_name: str
    sha256: str
    size: int
    chat_file: str
    chat_sha256: str
    importer: str
    detected_format: str
    timezone: str
    imported_utc: str
    imported_by: str
    message_count: int
    first_timestamp: str | None
    last_timestamp: str | None
    original: Path | None  # the evidence file of the original export (--include-originals)
    # Every file to copy under originals/ with --include-originals: (path as received,
    # SHA-256, evidence file). A zip or text export is one file; a folder export is many.
    original_files: tuple[tuple[str, str, Path], ...] = ()
    platform: str = "whatsapp"  # from the importer: "whatsapp" or "telegram"


@dataclass(frozen=True, slots=True)
class BundleParticipant:
    id: int
    exhibit: str
    name: str  # pseudonymised when redacted
    message_count: int
    is_subject: bool
    membership: list[dict[str, Any]]  # intervals: {"from", "to", "joined", "left", "inferred"}
    is_custodian: bool = False


@dataclass(frozen=True, slots=True)
class BundleCategory:
    key: str
    label: str
    description: str
    colour: str
    group: str
    parent: str | None


@dataclass(slots=True)
class Bundle:
    """Everything the writers need. Built by ``services.exporting``."""

    case_reference: str
    case_title: str | None
    marking: str  # "OFFICIAL-SENSITIVE"
    reviewer: str
    workstation: str
    created_utc: str
    software: str  # "reviewer 0.1.0"
    selection: dict[str, Any]  # the filters used: context, categories, dates, exhibits, redaction
    redacted: bool
    exhibits: list[BundleExhibit]
    participants: list[BundleParticipant]
    categories: list[BundleCategory]
    messages: list[BundleMessage]  # in conversation order, context included
    activity: list[tuple[str, int, int]]  # (local date, messages that day, tagged that day)
    # audit/audit-log.jsonl lines: the whole chain (DESIGN.md §3, hash and v2 salts included),
    # or in a redacted bundle its redacted projection
    audit_entries: list[dict[str, Any]]
    audit_head: str
    extra: dict[str, Any] = field(default_factory=dict)
    conversation_kinds: dict[int, str] = field(default_factory=dict)  # id -> group/direct/…
    organisation: str = ""  # Source-Organization of bag-info.txt
    # ``reviewer agreement --jsonl`` records (DESIGN.md §11) when the export asked for them
    agreement: list[dict[str, Any]] = field(default_factory=list)
