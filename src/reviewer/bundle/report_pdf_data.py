"""The PDF report's content as plain JSON values for the Typst template (``report.typ``).

Everything the report says is decided here (with ``report_common``) and handed to Typst as
data: the template reads strings from JSON and places them as text, so nothing a message says
can ever be read as Typst markup. Every user-supplied string goes through
``report_text.prepare`` (coverage markers, emoji presentation, tabs).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from reviewer.bundle import report_common as rc
from reviewer.bundle.glossary import MAX_REFERENCES, emoji_glossary
from reviewer.bundle.model import Bundle, BundleAttachment, BundleExhibit, BundleParticipant
from reviewer.bundle.report_text import (
    Prepared,
    Segment,
    Uncovered,
    char_name,
    direction,
    marker,
    prepare,
)
from reviewer.bundle.thumbnails import Thumbnails
from reviewer.core.fonts import FALLBACK_FAMILIES, FONTS

BODY_W = 493.23  # A4 less two 18 mm margins, in points
THUMB = 113.39  # 4 cm: the longer side of a thumbnail, in points
ATTACHMENT_NAME = "messages.jsonl"
BREAKABLE_CHARS = 1200  # a tagged message longer than this may break across pages
# Typst lays out the stretches between explicit page breaks in parallel (one per core), and
# the message section is otherwise one stretch of ~1,500 pages in a large report: a tagged
# item starts a new page once this much has been laid out since the last break (a context
# message weighs 1, a tagged one TAGGED_WEIGHT, about their measured layout costs), ~60 pages.
PAGE_RUN_WEIGHT = 4_000
TAGGED_WEIGHT = 8
CONTEXT_GAP = "\u2002"  # an en space between a context line's time and sender


class ReportData:
    """Collects the template's data for one bundle; ``uncovered`` fills in as it goes. Images
    are looked up in ``thumbs``, whose caller renders what it planned (``report_pdf``)."""

    def __init__(self, bundle: Bundle, thumbs: Thumbnails) -> None:
        self.bundle = bundle
        self.thumbs = thumbs
        self.uncovered = Uncovered()
        # texts of no one message (labels, names, reviewers) recur thousands of times
        self._shared: dict[tuple[str | None, bool], Prepared] = {}

    def t(self, text: str | None, message_id: int | None = None, rtl: bool = False) -> Prepared:
        if message_id is not None:
            return prepare(text, self.uncovered, message_id, rtl)
        found = self._shared.get((text, rtl))
        if found is None:
            found = self._shared[text, rtl] = prepare(text, self.uncovered, None, rtl)
        return found

    def build(self, attachment_sha256: str) -> dict[str, Any]:
        bundle = self.bundle
        conversations = rc.build_conversations(bundle)
        tagged = sum(c.tagged for c in conversations)
        data: dict[str, Any] = {
            "fonts": list(FALLBACK_FAMILIES),
            "title": f"{rc.REPORT_TITLE} — {bundle.case_reference}",
            "report_title": rc.REPORT_TITLE,
            "case": self.t(bundle.case_reference),
            "author": bundle.reviewer,
            "description": f"{bundle.marking} — case {bundle.case_reference}",
            "marking": self.t(bundle.marking),
            "cover": self._cover(tagged, attachment_sha256),
            "counts": self._counts(),
            "matrix": self._matrix(),
            "agreement": [
                {
                    "category": self.t(row.category),
                    "key": row.key,
                    "reviewers": self.t(row.reviewers),
                    "cells": [row.messages, row.both, row.only_a, row.only_b, row.neither],
                    "agreement": row.agreement,
                    "kappa": row.kappa,
                    "disagreements": row.disagreements,
                }
                for row in rc.agreement_rows(self.bundle)
            ],
            "membership": self._membership(),
            "activity": self._activity(),
            "index": self._index(conversations),
            "context": str(bundle.selection.get("context", "?")),
            "conversations": [self._conversation(c) for c in conversations],
            "attachment": {
                "name": ATTACHMENT_NAME,
                "records": len(bundle.messages),
                "sha256": attachment_sha256,
            },
            "glossary": [
                {
                    "chars": self.t(g.chars),
                    "name": g.name,
                    "codepoints": g.codepoints,
                    "refs": ", ".join(g.references[:MAX_REFERENCES])
                    + (
                        f" and {len(g.references) - MAX_REFERENCES} more"
                        if len(g.references) > MAX_REFERENCES
                        else ""
                    ),
                    "messages": g.messages,
                }
                for g in emoji_glossary(conversations)
            ],
            "fonts_used": [
                f"{font.family} {font.version} ({font.covers}; {font.licence})" for font in FONTS
            ],
        }
        data["uncovered"] = self._uncovered(conversations)
        return data

    # ------------------------------------------------------------------------------ cover

    def _cover(self, tagged: int, attachment_sha256: str) -> dict[str, Any]:
        bundle = self.bundle
        t = self.t
        details = [
            ("Case reference", t(bundle.case_reference), False),
            ("Case title", t(bundle.case_title or "—"), False),
            ("Reviewer", t(bundle.reviewer), False),
            ("Workstation", t(bundle.workstation), False),
            ("Report produced (UTC)", rc.format_time(bundle.created_utc), False),
            ("Produced with", t(bundle.software), False),
            ("Audit chain head", bundle.audit_head or "—", True),
            ("Audit entries", str(len(bundle.audit_entries)), False),
            ("Messages", f"{tagged} tagged, {len(bundle.messages)} included with context", False),
            (
                "Exact records",
                f"attached to this PDF as {ATTACHMENT_NAME} ({len(bundle.messages)} records, "
                f"the same as the bundle's messages/messages.jsonl)",
                False,
            ),
            ("Attachment SHA-256", attachment_sha256, True),
        ]
        return {
            "title": t(bundle.case_title) if bundle.case_title else None,
            "details": [list(row) for row in details],
            "redaction": rc.redaction_statement(bundle),
            "selection": [[label, t(value)] for label, value in rc.selection_lines(bundle)],
            "exhibits": [
                {"reference": t(e.reference), "rows": self._exhibit_rows(e)}
                for e in bundle.exhibits
            ],
            "disclaimer": rc.DISCLAIMER,
        }

    def _exhibit_rows(self, exhibit: BundleExhibit) -> list[list[Any]]:
        t = self.t
        period = (
            f"{rc.format_time(exhibit.first_timestamp)} – {rc.format_time(exhibit.last_timestamp)}"
        )
        return [
            ["Original file", t(exhibit.original_name), False],
            ["SHA-256", exhibit.sha256 or "—", True],
            ["Size", rc.format_size(exhibit.size), False],
            ["Chat file", t(exhibit.chat_file), False],
            ["Chat file SHA-256", exhibit.chat_sha256 or "—", True],
            ["Custodian", t(exhibit.custodian or "—"), False],
            ["Format", t(f"{exhibit.detected_format} (importer {exhibit.importer})"), False],
            ["Time zone", t(exhibit.timezone), False],
            ["Messages", f"{exhibit.message_count:,}", False],
            ["Period (local)", period, False],
            [
                "Imported",
                t(f"{rc.format_time(exhibit.imported_utc)} UTC by {exhibit.imported_by}"),
                False,
            ],
        ]

    # ---------------------------------------------------------------------------- summary

    def _counts(self) -> list[dict[str, Any]]:
        bundle = self.bundle
        sections = [
            ("Content categories", rc.category_counts(bundle, ("content",)), "messages"),
            (
                "Standards of Professional Behaviour engaged",
                rc.category_counts(bundle, ("standard",)),
                "messages",
            ),
            ("Participants’ stances", rc.stance_counts(bundle), "stances"),
        ]
        return [
            {
                "title": title,
                "unit": unit,
                "rows": [
                    {
                        "colour": _colour(c.category.colour),
                        "label": self.t(c.category.label),
                        "key": c.category.key,
                        "n": c.messages,
                        "child": c.category.parent is not None,
                    }
                    for c in counts
                ],
            }
            for title, counts, unit in sections
            if counts
        ]

    def _matrix(self) -> list[dict[str, Any]]:
        matrix = rc.participant_matrix(self.bundle)
        per_table = 4
        tables = []
        for start in range(0, len(matrix.columns), per_table):
            columns = matrix.columns[start : start + per_table]
            tables.append(
                {
                    "columns": [
                        {"label": self.t(c.label), "colour": _colour(c.colour)} for c in columns
                    ],
                    "rows": [
                        {
                            "name": self.t(row.name),
                            "exhibit": self.t(row.exhibit),
                            "counts": list(row.counts[start : start + per_table]),
                        }
                        for row in matrix.rows
                    ],
                }
            )
        return tables

    def _membership(self) -> list[dict[str, Any]]:
        result = []
        for exhibit, people in rc.participants_by_exhibit(self.bundle):
            span = rc.membership_span(people, exhibit)
            charts = []
            if span is not None:
                for start in range(0, len(people), 40):
                    charts.append(self._timeline(people[start : start + 40], span))
            result.append(
                {
                    "exhibit": self.t(exhibit.reference),
                    "charts": charts,
                    "rows": [
                        {
                            "name": self.t(p.name),
                            "subject": p.is_subject,
                            "messages": f"{p.message_count:,}",
                            "intervals": [self.t(rc.interval_text(i)) for i in p.membership],
                        }
                        for p in people
                    ],
                }
            )
        return result

    def _timeline(
        self, people: Sequence[BundleParticipant], span: tuple[date, date]
    ) -> dict[str, Any]:
        label_w = 119.06  # 4.2 cm
        chart_w = BODY_W - label_w - 4
        first, last = span
        days = max((last - first).days, 1)

        def x_of(value: Any, default: date) -> float:
            day = rc.parse_day(value) or default
            return round(label_w + chart_w * (day - first).days / days, 2)

        rows = []
        for person in people:
            bars = []
            for interval in person.membership:
                x0 = x_of(interval.get("from"), first)
                x1 = max(x_of(interval.get("to"), last), x0 + 1.5)
                bars.append(
                    {"x": x0, "w": round(x1 - x0, 2), "inferred": bool(interval.get("inferred"))}
                )
            rows.append({"name": self.t(person.name), "bars": bars})
        ticks = [
            {"x": round(label_w + chart_w * (tick - first).days / days, 2), "label": label}
            for tick, label in _ticks(first, last)
        ]
        return {"label_w": label_w, "chart_w": round(chart_w, 2), "rows": rows, "ticks": ticks}

    def _activity(self) -> dict[str, Any] | None:
        days = rc.activity_days(self.bundle)
        if not days:
            return None
        left, chart_w = 28.0, BODY_W - 32.0
        first, last = days[0].day, days[-1].day
        span = max((last - first).days + 1, 1)
        peak = max(d.messages for d in days) or 1
        bar_w = round(min(max(chart_w / span, 0.6) * 0.85, 24.0), 2)
        bars = [
            [
                round(left + chart_w * (d.day - first).days / span, 2),
                round(d.messages / peak, 4),
                round(d.tagged / peak, 4) if d.tagged else 0,
            ]
            for d in days
        ]
        ticks = [
            {"x": round(left + chart_w * (tick - first).days / span, 2), "label": label}
            for tick, label in _ticks(first, last)
        ]
        return {"left": left, "peak": f"{peak:,}", "bar_w": bar_w, "bars": bars, "ticks": ticks}

    def _index(self, conversations: Sequence[rc.Conversation]) -> list[list[Any]]:
        return [
            [
                item.number,
                item.local_time,
                self.t(_one_line(item.sender)),
                self.t(_one_line(conversation.name)),
                self.t(", ".join(tag.label for tag in item.message.tags)),
            ]
            for conversation, item in rc.tagged_items(conversations)
        ]

    # --------------------------------------------------------------------------- messages

    def _conversation(self, conversation: rc.Conversation) -> dict[str, Any]:
        entries: list[Any] = []  # runs of context lines (arrays) and tagged messages
        run: list[Any] = []  # context lines and gaps
        previous: int | None = None
        weight = 0  # laid out since the last page break (see PAGE_RUN_WEIGHT)
        for item in conversation.items:
            if previous is not None and item.message.seq > previous + 1:
                run.append(["g"])
            previous = item.message.seq
            if item.number is None:
                run.append(self._context(item))
                weight += 1
                continue
            if run:
                entries.append(run)
                run = []
            entries.append(self._tagged(item))
            if weight >= PAGE_RUN_WEIGHT:
                entries[-1]["pb"] = True
                weight = 0
            weight += TAGGED_WEIGHT
        if run:
            entries.append(run)
        return {
            "name": self.t(conversation.name),
            "exhibit": self.t(conversation.exhibit),
            "tagged": conversation.tagged,
            "entries": entries,
        }

    def _body(self, item: rc.Item) -> str:
        message = item.message
        return message.text or (f"<{message.system_event}>" if message.system_event else "")

    def _context(self, item: rc.Item) -> str | list[Any]:
        message = item.message
        body = self._body(item)
        names = ", ".join(a.filename for a in message.attachments)
        if names:
            body += f" [attachment: {names}]"
        read = [
            a.analysis.ocr.text
            for a in message.attachments
            if a.analysis is not None and a.analysis.ocr is not None and a.analysis.ocr.text
        ]
        if read:
            body += " [text read by machine: " + " / ".join(" ".join(t.split()) for t in read) + "]"
        # One plain paragraph, not time, bold sender and text as three runs: Typst's cost
        # grows with the runs and styles of a paragraph, and a large report prints tens of
        # thousands of these lines (bench/RESULTS.md).
        sender = self.t(f"{item.sender}:")  # recurs, so prepared once (see ``t``)
        time = f"{item.local_time}{CONTEXT_GAP}"
        head: Prepared = time + sender if isinstance(sender, str) else [("t", time), *sender]
        if direction(body) == "rtl":
            return ["r", head, self.t(body, message.id, True)]
        text = self.t(body, message.id)
        if isinstance(head, str) and isinstance(text, str):
            return f"{head} {text}"
        return ["s", [*_segments(head), ("t", " "), *_segments(text)]]

    def _tagged(self, item: rc.Item) -> dict[str, Any]:
        message = item.message
        body = self._body(item)
        colour = message.tags[0].colour if message.tags else "#777777"
        return {
            "k": "t",
            "n": item.number,
            "s": self.t(item.sender),
            "time": self.t(_time_line(item), message.id),
            "flag": item.time_flag,
            "x": self.t(body, message.id, direction(body) == "rtl"),
            "d": direction(body),
            "c": _colour(colour),
            "bg": _tint(colour, 0.09),
            "tags": [
                {
                    "c": _colour(tag.colour),
                    "label": self.t(tag.label),
                    "key": tag.category,
                    "by": self.t(
                        f"tagged by {tag.reviewer}, {rc.format_time(tag.created_utc)} UTC"
                    ),
                    "note": self.t(tag.note, message.id) if tag.note else None,
                }
                for tag in message.tags
            ],
            "stances": [
                {"p": self.t(s.participant), "label": self.t(s.label)} for s in message.stances
            ],
            "note": self.t(message.note, message.id) if message.note else None,
            "src": self.t(item.source, message.id),
            "found": self.t(item.found, message.id) if item.found else None,
            "att": [self._attachment(a) for a in message.attachments],
            "brk": len(body) > BREAKABLE_CHARS or body.count("\n") > 20,
        }

    def _attachment(self, attachment: BundleAttachment) -> dict[str, Any]:
        found = self.thumbs.get(attachment)
        image = None
        if found is not None:
            name, w, h = found
            scale = THUMB / max(w, h)
            image = {"path": "thumbs/" + name, "w": round(w * scale, 2)}
        path = attachment.bundle_path or ""
        ext = path.rsplit(".", 1)[-1] if "." in path else ""
        return {
            "name": self.t(attachment.filename),
            "present": attachment.present,
            "type": self.t(
                f"{attachment.mime or 'type unknown'}, {rc.format_size(attachment.size)}"
            ),
            "sha": attachment.sha256 or "—",
            "where": f"In this bundle: data/media/<SHA-256>.{ext}" if path else None,
            "image": image,
            "machine": self._machine(attachment),
            "redaction": self.t(note) if (note := rc.redaction_note(attachment)) else None,
        }

    def _machine(self, attachment: BundleAttachment) -> list[list[Any]]:
        """[label, text] per machine result shown beside the picture (DESIGN.md §10)."""
        analysis = attachment.analysis
        if analysis is None:
            return []
        shown: list[list[Any]] = []
        ocr = analysis.ocr
        if ocr is not None and ocr.text:
            shown.append([self.t(f"Text read by machine ({ocr.label()}):"), self.t(ocr.text)])
        if analysis.sexual is not None:
            sexual = analysis.sexual
            label = f"Sexual-content score by machine ({sexual.engine} {sexual.version}):"
            shown.append([self.t(label), f"{sexual.score:.2f}"])
        if analysis.similar_group is not None:
            shown.append(["Near-duplicate group (by machine):", str(analysis.similar_group)])
        return shown

    # ------------------------------------------------------------------------------ notes

    def _uncovered(self, conversations: Sequence[rc.Conversation]) -> list[dict[str, str]]:
        numbers = {
            item.message.id: item.number for c in conversations for item in c.items if item.number
        }
        rows = []
        for code in sorted(self.uncovered.found):
            ids = sorted(self.uncovered.found[code])
            where = [
                f"message {i} (item {numbers[i]})" if i in numbers else f"message {i} (context)"
                for i in ids[:40]
            ]
            if len(ids) > 40:
                where.append(f"and {len(ids) - 40} more")
            rows.append(
                {
                    "marker": marker(code),
                    "name": char_name(code),
                    "where": ", ".join(where) if where else "names and labels",
                }
            )
        return rows

    def warnings(self) -> list[str]:
        """What the export reports about the PDF: characters shown as markers."""
        found = self.uncovered.found
        if not found:
            return []
        codes = ", ".join(
            f"{marker(code)} {char_name(code)} (messages {', '.join(map(str, sorted(ids)[:10]))}"
            + (" …" if len(ids) > 10 else "")
            + ")"
            if ids
            else f"{marker(code)} {char_name(code)}"
            for code, ids in sorted(found.items())
        )
        return [
            f"report/report.pdf: {len(found)} character(s) no bundled font can draw are shown as "
            f"[U+…] markers and listed in the report's notes: {codes}"
        ]


def _time_line(item: rc.Item) -> str:
    message = item.message
    parts = [
        f"{item.local_time} local ({item.timezone})",
        f"{item.utc_time} UTC",
        f"message {message.id}, exhibit {message.exhibit}",
    ]
    if message.edited:
        parts.append("edited")
    parts += [flag for flag in message.flags if flag != "edited"]
    if message.reply_to is not None:
        parts.append(f"reply to message {message.reply_to}")
    return " · ".join(parts)


def _segments(prepared: Prepared) -> list[Segment]:
    return [("t", prepared)] if isinstance(prepared, str) else prepared


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _colour(value: str | None) -> str:
    """A ``#rrggbb`` colour, or grey when the value is not one."""
    if value and len(value) == 7 and value[0] == "#":
        try:
            int(value[1:], 16)
            return value.lower()
        except ValueError:
            pass
    return "#777777"


def _tint(value: str | None, amount: float) -> str:
    base = _colour(value)
    channels = [int(base[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    mixed = [round(255 * (1 - amount * (1 - c))) for c in channels]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _ticks(first: date, last: date) -> list[tuple[date, str]]:
    """Month starts (or year starts for long spans, or days for short ones) within the span."""
    days = (last - first).days
    if days <= 20:
        return [
            (first + timedelta(d), (first + timedelta(d)).strftime("%d %b"))
            for d in range(days + 1)
        ]
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        tick = first.replace(year=year, month=month, day=1)
        if tick >= first:
            months.append(tick)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if len(months) > 14:
        return [(t, t.strftime("%Y")) for t in months if t.month == 1]
    return [(t, t.strftime("%b %Y")) for t in months]
