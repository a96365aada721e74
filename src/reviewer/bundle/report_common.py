"""What both reports (PDF and HTML) show, computed once from a :class:`Bundle`.

The writers only lay these values out; counting, numbering and wording live here so the two
renderings of the report cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from reviewer.bundle.copies import found_on_line
from reviewer.bundle.model import (
    Bundle,
    BundleAttachment,
    BundleCategory,
    BundleExhibit,
    BundleMessage,
    BundleParticipant,
)

REPORT_TITLE = "Evidence review report"
DISCLAIMER = (
    "Tags record a reviewer's assessment for further consideration; they are not findings of "
    "misconduct or of any offence."
)
BLUR_STATEMENT = (
    "Images are reproduced unblurred because they are evidence; thumbnails are reduced in size "
    "only. The originals are in the bundle's media folder, named by their SHA-256."
)
TIME_FLAG_TEXT = {
    "ambiguous": "ambiguous local time (clocks went back); the earlier instant is shown",
    "nonexistent": "nonexistent local time (clocks went forward)",
}
UNKNOWN_SENDER = "(system)"


@dataclass(frozen=True, slots=True)
class CategoryCount:
    category: BundleCategory
    messages: int  # tagged messages carrying this category


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    name: str
    exhibit: str
    counts: tuple[int, ...]  # aligned with ParticipantMatrix.columns


@dataclass(frozen=True, slots=True)
class ParticipantMatrix:
    columns: tuple[BundleCategory, ...]
    rows: tuple[ParticipantRow, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """One message as the report shows it; ``number`` is set for tagged messages only."""

    message: BundleMessage
    number: int | None
    anchor: str
    sender: str
    local_time: str
    utc_time: str
    time_flag: str | None
    source: str
    timezone: str
    found: str = ""  # "Found on: …" when other exhibits hold or lack the message (§9)


@dataclass(frozen=True, slots=True)
class Conversation:
    name: str
    exhibit: str
    items: tuple[Item, ...]
    tagged: int


@dataclass(frozen=True, slots=True)
class ActivityDay:
    day: date
    messages: int
    tagged: int


def anchor(message: BundleMessage) -> str:
    """The stable anchor of a message in the HTML report (``m`` + message id)."""
    return f"m{message.id}"


def format_time(value: str | None) -> str:
    """An ISO timestamp as people read it: date and time separated by a space."""
    if not value:
        return "unknown"
    return value.replace("T", " ").removesuffix("+00:00")


def format_size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB ({size:,} bytes)"
    return f"{size / (1024 * 1024):.1f} MiB ({size:,} bytes)"


def source_reference(message: BundleMessage) -> str:
    """Where the message is in the original export: file, lines, byte span."""
    src = message.source
    parts = [str(src.get("file") or "unknown file")]
    line, lines = src.get("line"), src.get("lines")
    if line is not None:
        parts.append(
            f"lines {line}–{int(line) + int(lines) - 1}"
            if lines and int(lines) > 1
            else f"line {line}"
        )
    offset, length = src.get("offset"), src.get("length")
    if offset is not None:
        span = f"byte offset {offset}"
        if length is not None:
            span += f", length {length}"
        parts.append(span)
    return ", ".join(parts)


def is_image(attachment: BundleAttachment) -> bool:
    return bool(attachment.present and attachment.mime and attachment.mime.startswith("image/"))


def selection_lines(bundle: Bundle) -> list[tuple[str, str]]:
    """The export filters, as label/value pairs for the cover page."""
    sel = bundle.selection
    cats = sel.get("categories") or []
    exhibits = sel.get("exhibits") or []
    return [
        ("Context", f"{sel.get('context', '?')} messages before and after each tagged message"),
        ("Categories", ", ".join(str(c) for c in cats) if cats else "all"),
        ("From", str(sel.get("from") or "start of each export")),
        ("To", str(sel.get("to") or "end of each export")),
        ("Exhibits", ", ".join(str(e) for e in exhibits) if exhibits else "all"),
        ("Redaction", "uninvolved participants pseudonymised" if bundle.redacted else "none"),
    ]


def redaction_note(attachment: BundleAttachment) -> str | None:
    """What a redacted bundle did with an attachment's file, for the reports; None if
    nothing."""
    r = attachment.redaction
    if r is None or not r.changed:
        return None
    if r.withheld:
        return f"Withheld from this redacted bundle: {r.withheld}." + (
            f" SHA-256 of the original: {r.original_sha256}." if r.original_sha256 else ""
        )
    removed = "; ".join(x for x in r.removed if not x.startswith("(kept"))
    return f"Redacted copy of the original with SHA-256 {r.original_sha256}: {removed}."


def redaction_statement(bundle: Bundle) -> str | None:
    if not bundle.redacted:
        return None
    return (
        "REDACTED VERSION. Participants not marked as subjects of the investigation are shown "
        "under stable pseudonyms (“Person A”, “Person B”, …), and telephone numbers and e-mail "
        "addresses in message text are masked; shared contact cards are withheld. Media are "
        "redacted copies (metadata removed; text naming such a person blacked out; documents "
        "naming them withheld); each change is listed, with the original's SHA-256, in "
        "redaction/media.csv. "
        "The mapping "
        "to real identities is held in the case and is not part of this bundle. The export and "
        "its redaction are recorded in the case's audit log, in the entry that follows this "
        "bundle's audit chain head. "
        "In the audit log (audit/audit-log.jsonl) every field that would name a pseudonymised "
        "person is withheld and only its cryptographic commitment shown, so the whole chain "
        "still verifies; the investigating body can prove a withheld value on request."
    )


def category_counts(bundle: Bundle, groups: Sequence[str]) -> list[CategoryCount]:
    """Tagged messages per category of the given groups, in taxonomy order (zeros included)."""
    counter: Counter[str] = Counter()
    for message in bundle.messages:
        if not message.context:
            for key in {t.category for t in message.tags}:
                counter[key] += 1
    return [
        CategoryCount(category, counter[category.key])
        for category in bundle.categories
        if category.group in groups
    ]


def stance_counts(bundle: Bundle) -> list[CategoryCount]:
    counter: Counter[str] = Counter()
    for message in bundle.messages:
        for stance in message.stances:
            counter[stance.stance] += 1
    return [
        CategoryCount(category, counter[category.key])
        for category in bundle.categories
        if category.group == "stance"
    ]


def participant_matrix(bundle: Bundle) -> ParticipantMatrix:
    """Tagged messages sent by each participant, per content category actually used."""
    by_key = {c.key: c for c in bundle.categories}
    counts: Counter[tuple[str, str, str]] = Counter()
    used: set[str] = set()
    for message in bundle.messages:
        if message.context:
            continue
        for key in {t.category for t in message.tags}:
            if key in by_key and by_key[key].group == "content":
                used.add(key)
                counts[(message.exhibit, message.sender or UNKNOWN_SENDER, key)] += 1
    columns = tuple(c for c in bundle.categories if c.key in used)
    people = sorted({(exhibit, name) for exhibit, name, _ in counts})
    rows = tuple(
        ParticipantRow(name, exhibit, tuple(counts[(exhibit, name, c.key)] for c in columns))
        for exhibit, name in people
    )
    return ParticipantMatrix(columns, rows)


def build_conversations(bundle: Bundle) -> list[Conversation]:
    """The included messages grouped by conversation, tagged ones numbered 1, 2, … overall."""
    zones = {e.reference: e.timezone for e in bundle.exhibits}
    groups: dict[tuple[str, int], list[BundleMessage]] = {}
    for message in bundle.messages:
        groups.setdefault((message.exhibit, message.conversation_id), []).append(message)
    number = 0
    result = []
    for messages in groups.values():
        items = []
        for message in messages:
            if not message.context:
                number += 1
                items.append(_item(message, number, zones))
            else:
                items.append(_item(message, None, zones))
        tagged = sum(1 for i in items if i.number is not None)
        result.append(
            Conversation(messages[0].conversation, messages[0].exhibit, tuple(items), tagged)
        )
    return result


def _item(message: BundleMessage, number: int | None, zones: dict[str, str]) -> Item:
    return Item(
        message=message,
        number=number,
        anchor=anchor(message),
        sender=message.sender or UNKNOWN_SENDER,
        local_time=format_time(message.timestamp),
        utc_time=format_time(message.utc).removesuffix("Z"),
        time_flag=TIME_FLAG_TEXT.get(message.time_flag or "", message.time_flag),
        source=source_reference(message),
        timezone=zones.get(message.exhibit, "unknown zone"),
        found=found_on_line(message),
    )


def tagged_items(conversations: Sequence[Conversation]) -> Iterator[tuple[Conversation, Item]]:
    for conversation in conversations:
        for item in conversation.items:
            if item.number is not None:
                yield conversation, item


def activity_days(bundle: Bundle) -> list[ActivityDay]:
    days = []
    for day, messages, tagged in bundle.activity:
        parsed = parse_day(day)
        if parsed is not None:
            days.append(ActivityDay(parsed, messages, tagged))
    return sorted(days, key=lambda d: d.day)


def parse_day(value: str | None) -> date | None:
    """The date at the start of an ISO date or timestamp, or None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def membership_span(
    participants: Sequence[BundleParticipant], exhibit: BundleExhibit
) -> tuple[date, date] | None:
    """The date range a membership timeline spans: the export's, widened to every interval."""
    ends = [parse_day(exhibit.first_timestamp), parse_day(exhibit.last_timestamp)]
    for person in participants:
        for interval in person.membership:
            ends += [parse_day(interval.get("from")), parse_day(interval.get("to"))]
    known = [d for d in ends if d is not None]
    if not known:
        return None
    return min(known), max(known)


def interval_text(interval: dict[str, object]) -> str:
    """One membership interval in words, e.g. "2023-01-05 10:00 (added) – end of export"."""
    start = interval.get("from")
    end = interval.get("to")
    joined = interval.get("joined")
    left = interval.get("left")
    text = format_time(str(start)) if start else "start of export"
    if joined:
        text += f" ({joined})"
    text += " – " + (format_time(str(end)) if end else "end of export")
    if left:
        text += f" ({left})"
    if interval.get("inferred"):
        text += " [inferred]"
    return text


def participants_by_exhibit(bundle: Bundle) -> list[tuple[BundleExhibit, list[BundleParticipant]]]:
    result = []
    for exhibit in bundle.exhibits:
        people = [p for p in bundle.participants if p.exhibit == exhibit.reference]
        if people:
            result.append((exhibit, sorted(people, key=lambda p: p.name.casefold())))
    return result


# ------------------------------------------------------------------------------ agreement


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """One category and pair of reviewers, worded for the reports."""

    category: str  # the category's label
    key: str
    reviewers: str  # "A / B"
    messages: int
    both: int
    only_a: int
    only_b: int
    neither: int
    agreement: str  # "92.0%" or "n/a"
    kappa: str  # "0.784" or "n/a"
    disagreements: str  # message ids, the first DISAGREEMENTS_SHOWN of them


DISAGREEMENTS_SHOWN = 30


def agreement_rows(bundle: Bundle) -> list[AgreementRow]:
    """``bundle.agreement`` (``reviewer agreement --jsonl`` records) in the reports' words."""
    labels = {category.key: category.label for category in bundle.categories}
    rows = []
    for record in bundle.agreement:
        ids = [str(i) for i in record["disagreements"]]
        shown = ", ".join(ids[:DISAGREEMENTS_SHOWN]) or "none"
        if len(ids) > DISAGREEMENTS_SHOWN:
            shown += f" and {len(ids) - DISAGREEMENTS_SHOWN} more"
        agreement, kappa = record["agreement"], record["kappa"]
        rows.append(
            AgreementRow(
                category=labels.get(record["category"], record["category"]),
                key=record["category"],
                reviewers=" / ".join(record["reviewers"]),
                messages=record["messages"],
                both=record["both"],
                only_a=record["only_a"],
                only_b=record["only_b"],
                neither=record["neither"],
                agreement="n/a" if agreement is None else f"{agreement:.1%}",
                kappa="n/a" if kappa is None else f"{kappa:.3f}",
                disagreements=shown,
            )
        )
    return rows
