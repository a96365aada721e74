"""``report/index.html``: the report as one self-contained, script-free HTML page.

The page's skeleton (cover, summary, tables, charts, headings) is rendered with Jinja2 from
``reviewer/resources/report/`` with autoescaping on. The index of tagged messages and the
messages themselves, the bulk of the page, are built in Python by ``report_html_messages``
and handed to the template as markup; there every string from the case (hostile input,
message text above all) is escaped exactly once. Images are referenced by relative path
(``../media/<sha256>.<ext>``) so the page works from the bundle folder, offline, in any
browser.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from reviewer.bundle import report_common as rc
from reviewer.bundle.html_emoji import emoji_markup
from reviewer.bundle.model import Bundle, BundleExhibit, BundleParticipant
from reviewer.bundle.report_html_messages import MessageHtml

CHART_W, CHART_H = 1000, 160
_WRITE = 1 << 18  # characters written at once


@dataclass(frozen=True, slots=True)
class _Bar:
    x: float
    w: float
    h: float
    tagged_h: float
    title: str
    tagged: int


@dataclass(frozen=True, slots=True)
class _Span:
    left: float  # per cent of the timeline
    width: float
    inferred: bool
    title: str


@dataclass(frozen=True, slots=True)
class _Timeline:
    exhibit: BundleExhibit
    rows: list[tuple[BundleParticipant, list[_Span], list[str]]]
    start: str
    end: str


def _load(name: str) -> str:
    return (resources.files("reviewer.resources") / "report" / name).read_text(encoding="utf-8")


@functools.cache  # compiling the template costs more than a small report's rendering
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["time"] = rc.format_time
    env.filters["size"] = rc.format_size
    env.filters["emoji"] = emoji_markup  # message text and sender names: emoji titled
    return env


def _activity_bars(days: list[rc.ActivityDay]) -> list[_Bar]:
    if not days:
        return []
    first = days[0].day
    span = max((days[-1].day - first).days + 1, 1)
    peak = max(d.messages for d in days) or 1
    width = CHART_W / span
    bars = []
    for day in days:
        height = CHART_H * day.messages / peak
        tagged = max(CHART_H * day.tagged / peak, 2.0) if day.tagged else 0.0
        title = f"{day.day.isoformat()}: {day.messages} messages, {day.tagged} tagged"
        x = CHART_W * (day.day - first).days / span
        bars.append(_Bar(x, max(width * 0.85, 0.8), height, tagged, title, day.tagged))
    return bars


def _timelines(bundle: Bundle) -> list[_Timeline]:
    result = []
    for exhibit, people in rc.participants_by_exhibit(bundle):
        span = rc.membership_span(people, exhibit)
        rows = [
            (person, _spans(person, span), [rc.interval_text(i) for i in person.membership])
            for person in people
        ]
        start, end = (span[0].isoformat(), span[1].isoformat()) if span else ("", "")
        result.append(_Timeline(exhibit, rows, start, end))
    return result


def _spans(person: BundleParticipant, span: tuple[date, date] | None) -> list[_Span]:
    if span is None:
        return []
    first, last = span
    days = max((last - first).days, 1)
    out = []
    for interval in person.membership:
        start = rc.parse_day(interval.get("from")) or first
        end = rc.parse_day(interval.get("to")) or last
        left = 100 * (start - first).days / days
        width = max(100 * (end - start).days / days, 0.6)
        out.append(
            _Span(
                left,
                min(width, 100 - left),
                bool(interval.get("inferred")),
                rc.interval_text(interval),
            )
        )
    return out


def _context(bundle: Bundle, media_root: Path) -> dict[str, Any]:
    conversations = rc.build_conversations(bundle)
    return {
        "bundle": bundle,
        "title": rc.REPORT_TITLE,
        "disclaimer": rc.DISCLAIMER,
        "blur_statement": rc.BLUR_STATEMENT,
        "redaction": rc.redaction_statement(bundle),
        "selection": rc.selection_lines(bundle),
        "conversations": conversations,
        "tagged": list(rc.tagged_items(conversations)),
        "content_counts": rc.category_counts(bundle, ("content",)),
        "standard_counts": rc.category_counts(bundle, ("standard",)),
        "stance_counts": rc.stance_counts(bundle),
        "matrix": rc.participant_matrix(bundle),
        "agreement": rc.agreement_rows(bundle),
        "timelines": _timelines(bundle),
        "bars": _activity_bars(rc.activity_days(bundle)),
        "days": rc.activity_days(bundle),
        "chart_w": CHART_W,
        "chart_h": CHART_H,
        "html": MessageHtml(media_root),
    }


def write_report_html(bundle: Bundle, path: Path, media_root: Path) -> None:
    """Write the self-contained HTML report of ``bundle`` to ``path`` (UTF-8).

    ``media_root`` is the bundle's ``data/`` folder; images are shown only when the file is
    there, and are referenced relative to ``path`` (which must be ``data/report/…``).
    """
    template = _environment().get_template("report.html.j2")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Streamed in batches of pieces: one ``render`` joins the whole page in a single call that
    # holds the GIL (the GUI freezes), and keeps page and pieces in memory at once.
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        pieces: list[str] = []
        size = 0
        for piece in template.generate(**_context(bundle, media_root)):
            pieces.append(piece)
            size += len(piece)
            if size >= _WRITE:
                handle.write("".join(pieces))
                pieces.clear()
                size = 0
        handle.write("".join(pieces))
