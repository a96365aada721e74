"""``report/report.pdf``: the paginated report a court receives (reportlab platypus).

Text is real text in an embedded Unicode font (DejaVu Sans, shipped under
``reviewer/resources/fonts``), so it can be searched and copied. Characters the font has no
glyph for (most emoji) are shown as ``[U+XXXX]``. The output is byte-for-byte reproducible
for the same bundle (``invariant``), so its hash means something.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from reportlab.graphics.shapes import Drawing, Line, Rect, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER, TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import cm, mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reviewer.bundle import report_common as rc
from reviewer.bundle import rtl
from reviewer.bundle.model import Bundle, BundleAttachment, BundleExhibit, BundleParticipant

FONT = "ReportSans"
BOLD = "ReportSans-Bold"
MONO = "Courier"  # hashes are ASCII hex: a standard PDF font, nothing to embed

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
TOP = 22 * mm
BOTTOM = 20 * mm
BODY_W = PAGE_W - 2 * MARGIN
THUMB = 4 * cm
THUMB_PIXELS = 320

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#6b6b6b")
RULE = colors.HexColor("#b5b5b5")
SHADE = colors.HexColor("#f0f0f0")
MARK_RED = colors.HexColor("#8b0000")


# ------------------------------------------------------------------------- fonts and text


@functools.cache
def _fonts() -> frozenset[int]:
    """Register the embedded fonts once; return the code points the regular face covers."""
    package = resources.files("reviewer.resources") / "fonts"
    faces = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
    for name, filename in faces.items():
        data = (package / filename).read_bytes()
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


_CONTROLS = {code: " " for code in range(32) if code != 10}
_DROP = frozenset({0xFE0E, 0xFE0F, 0x200D})  # presentation selectors and joiners: no glyph
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}


def esc(text: str | None) -> str:
    """Paragraph markup for untrusted text: escaped, line breaks kept, missing glyphs named."""
    if not text:
        return ""
    if not text.isascii():
        text = _replace_missing(text, _fonts())
    return text.translate(_ESCAPES).replace("\r\n", "\n").replace("\n", "<br/>")


def esc_name(text: str | None) -> str:
    """Paragraph markup for a one-line name or label, right-to-left ones in display order."""
    return esc(_display_name(text)) if text and rtl.has_rtl(text) else esc(text)


def _replace_missing(text: str, covered: frozenset[int]) -> str:
    out = []
    for char in text:
        code = ord(char)
        if code in covered or char in "\n\t":
            out.append(char)
        elif code not in _DROP:
            out.append(f"[U+{code:04X}]")
    return "".join(out)


# ------------------------------------------------------------------------------- styles


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "small": style("small", fontSize=7.5, leading=9.5),
        "muted": style("muted", fontSize=7.5, leading=9.5, textColor=MUTED),
        "cell": style("cell", fontSize=8, leading=10),
        "cellr": style("cellr", fontSize=8, leading=10, alignment=TA_RIGHT),
        "head": style("head", fontName=BOLD, fontSize=8, leading=10),
        "mono": style("mono", fontName=MONO, fontSize=8, leading=10),
        "title": style("title", fontName=BOLD, fontSize=22, leading=28, spaceAfter=6),
        "subtitle": style("subtitle", fontSize=13, leading=17, spaceAfter=14),
        "h1": style("h1", fontName=BOLD, fontSize=15, leading=19, spaceBefore=4, spaceAfter=8),
        "h2": style("h2", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=5),
        "h3": style("h3", fontName=BOLD, fontSize=9.5, leading=12, spaceBefore=8, spaceAfter=3),
        "marking": style(
            "marking",
            fontName=BOLD,
            fontSize=14,
            leading=18,
            alignment=TA_CENTER,
            textColor=MARK_RED,
        ),
        "context": style(
            "context",
            fontSize=8,
            leading=10.5,
            textColor=MUTED,
            leftIndent=12,
            firstLineIndent=0,
            spaceAfter=1.5,
        ),
        "itemhead": style("itemhead", fontName=BOLD, fontSize=10, leading=13),
        "text": style("text", fontSize=10, leading=13.5),
        "notice": style(
            "notice",
            fontSize=9,
            leading=12,
            borderColor=MARK_RED,
            borderWidth=0.8,
            borderPadding=6,
            backColor=colors.HexColor("#fff4f4"),
            spaceBefore=8,
            spaceAfter=12,
        ),
    }


def _p(markup: str, style: str = "body") -> Paragraph:
    return Paragraph(markup, _styles()[style])


def _colour(value: str | None) -> colors.Color:
    try:
        return colors.HexColor(value or "#777777")
    except ValueError:
        return colors.HexColor("#777777")


def _tint(value: str | None, amount: float = 0.1) -> colors.Color:
    base = _colour(value)
    return colors.Color(*(1 - amount * (1 - c) for c in (base.red, base.green, base.blue)))


# ------------------------------------------------------------ lightweight flowables
#
# A report may hold tens of thousands of messages; Paragraph (an XML parser plus rich text
# layout) costs too much for the plain, one-style lines of context messages and the index.


FRAME_H = PAGE_H - TOP - BOTTOM


def plain(text: str | None) -> str:
    """Untrusted text for drawing directly: missing glyphs named, control characters dropped."""
    if not text:
        return ""
    if not text.isascii():
        text = _replace_missing(text, _fonts())
    return text.translate(_CONTROLS)


def _wrap_words(text: str, font: str, size: float, first: float, rest: float) -> list[str]:
    """Greedy line breaking: ``first`` points on the first line, ``rest`` on the others."""
    lines: list[str] = []
    width = first
    space = pdfmetrics.stringWidth(" ", font, size)
    for paragraph in text.split("\n"):
        if pdfmetrics.stringWidth(paragraph, font, size) <= width:
            lines.append(paragraph)  # the common case: a short message
            width = rest
            continue
        line, used = "", 0.0
        for word in paragraph.split(" "):
            w = pdfmetrics.stringWidth(word, font, size)
            gap = space if line else 0.0
            if used + gap + w <= width:
                line, used = (f"{line} {word}" if line else word), used + gap + w
                continue
            if line:
                lines.append(line)
                width = rest
            while w > width:
                cut = _fit_chars(word, font, size, width)
                lines.append(word[:cut])
                word = word[cut:]
                w = pdfmetrics.stringWidth(word, font, size)
                width = rest
            line, used = word, w
        lines.append(line)
        width = rest
    return lines


def _fit_chars(word: str, font: str, size: float, width: float) -> int:
    cut = max(1, int(len(word) * width / max(pdfmetrics.stringWidth(word, font, size), 1)))
    while cut > 1 and pdfmetrics.stringWidth(word[:cut], font, size) > width:
        cut -= 1
    return cut


def _display_lines(
    text: str, font: str, size: float, first: float, rest: float
) -> list[tuple[str, bool]]:
    """``text`` broken into lines as they are drawn, each with whether its paragraph reads
    right to left (see ``bundle.rtl``). Text without right-to-left letters gives exactly the
    lines ``_wrap_words`` makes of ``plain(text)``."""
    if not rtl.has_rtl(text):
        return [(line, False) for line in _wrap_words(plain(text), font, size, first, rest)]
    lines: list[tuple[str, bool]] = []
    width = first
    for paragraph in text.split("\n"):
        right = rtl.right_to_left(paragraph)
        prepared = rtl.prepare(paragraph.translate(_CONTROLS), _fonts())
        for line in _wrap_words(prepared, font, size, width, rest):
            lines.append((rtl.visual(line, right), right))
            width = rest
    return lines


def _display_name(name: str) -> str:
    """A one-line name or label as drawn."""
    if not rtl.has_rtl(name):
        return plain(name)
    prepared = rtl.prepare(name.translate(_CONTROLS).replace("\n", " "), _fonts())
    return rtl.visual(prepared, rtl.right_to_left(name))


Entry = tuple[str, str, str]  # local time, sender, text
_Row = tuple[bool, str, str, str]  # first line of its message?, time, sender, text
GAP: Entry = ("", "", "· · ·")


class _ContextRun(Flowable):  # type: ignore[misc]
    """Consecutive context messages: grey, small, time and sender first, hanging indent.

    One flowable (and one PDF text object) per run keeps tens of thousands of messages cheap.
    """

    size, leading, indent, hang = 8.0, 10.5, 12.0, 24.0

    def __init__(self, entries: Sequence[Entry], rows: list[_Row] | None = None) -> None:
        super().__init__()
        self.entries = [(plain(t), s, x) for t, s, x in entries]
        self._rows = rows
        self._width = -1.0 if rows is None else 0.0
        self.spaceAfter = 1.5

    def _layout(self, width: float) -> list[_Row]:
        rows: list[_Row] = []
        rest = width - self.indent - self.hang
        for time, sender, text in self.entries:
            # "Name: ": a right-to-left name is reordered apart from its ": "
            name, colon, space = sender.rpartition(": ")
            sender = _display_name(name) + colon if colon and not space else _display_name(sender)
            prefix = pdfmetrics.stringWidth(time, FONT, self.size) + pdfmetrics.stringWidth(
                sender, BOLD, self.size
            )
            first = max(width - self.indent - prefix, 20.0)
            lines = [line for line, _right in _display_lines(text, FONT, self.size, first, rest)]
            rows.append((True, time, sender, lines[0]))
            rows += [(False, "", "", line) for line in lines[1:]]
        return rows

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._rows is None or (self._width >= 0 and avail_width != self._width):
            self._rows = self._layout(avail_width)
            self._width = avail_width
        self.width = avail_width
        self.height = len(self._rows) * self.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        assert self._rows is not None
        fit = int(avail_height // self.leading)
        if fit < 1 or fit >= len(self._rows):
            return []
        return [_ContextRun([], self._rows[:fit]), _ContextRun([], self._rows[fit:])]

    def draw(self) -> None:
        assert self._rows is not None
        text = self.canv.beginText()
        text.setFillColor(MUTED)
        y = self.height - self.size
        for first, time, sender, line in self._rows:
            text.setTextOrigin(self.indent if first else self.indent + self.hang, y)
            if time:
                text.setFont(FONT, self.size)
                text.textOut(time)
            if sender:
                text.setFont(BOLD, self.size)
                text.textOut(sender)
            text.setFont(FONT, self.size)
            text.textOut(line)
            y -= self.leading
        self.canv.drawText(text)


class _IndexRow(Flowable):  # type: ignore[misc]
    """One line of the index of tagged messages; the whole row links to the message."""

    size, height_pt = 7.5, 11.0

    def __init__(self, cells: Sequence[str], target: str | None) -> None:
        super().__init__()
        self.cells = [_display_name(c.replace("\n", " ")) for c in cells]
        self.target = target

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, self.height_pt
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        font = FONT if self.target else BOLD
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.25)
        canvas.line(0, 0, self.width, 0)
        x = 0.0
        for index, (cell, width) in enumerate(zip(self.cells, INDEX_WIDTHS, strict=False)):
            colour = colors.HexColor("#1f4e8c") if self.target and index == 0 else INK
            canvas.setFillColor(colour)
            canvas.setFont(font, self.size)
            canvas.drawString(x + 2, 3, _clip(cell, font, self.size, width - 6))
            x += width
        if self.target:
            canvas.linkRect(
                "", self.target, (0, 0, self.width, self.height), relative=1, thickness=0
            )


def _clip(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    return text[: _fit_chars(text + "…", font, size, width) - 1] + "…"


class _Boxed(Flowable):  # type: ignore[misc]
    """A tagged message: its parts on a tinted background behind a bar in the category colour.

    Kept on one page when it fits on a page; only a block taller than a page is split.
    """

    bar, pad, vpad = 1.6 * mm, 7.0, 5.0

    def __init__(self, parts: Sequence[Flowable], colour: str | None, first: bool = True) -> None:
        super().__init__()
        self.parts = list(parts)
        self.colour = colour
        self.first = first
        self.spaceBefore = self.spaceAfter = 2.5 * mm
        self._sizes: list[float] = []
        self._width = -1.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if avail_width != self._width:
            inner = avail_width - self.bar - 2 * self.pad
            self._sizes = [part.wrap(inner, FRAME_H)[1] + 2.5 for part in self.parts]
            self._width = avail_width
        self.width = avail_width
        self.height = sum(self._sizes) + 2 * self.vpad
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        if self.height <= FRAME_H:
            return []  # start it on the next page instead
        used, count = 2 * self.vpad, 0
        for size in self._sizes:
            if used + size > avail_height:
                break
            used, count = used + size, count + 1
        if count == 0:
            return []
        return [
            _Boxed(self.parts[:count], self.colour, self.first),
            _Boxed(self.parts[count:], self.colour, False),
        ]

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(_tint(self.colour, 0.09))
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(_colour(self.colour))
        canvas.rect(0, 0, self.bar, self.height, stroke=0, fill=1)
        y = self.height - self.vpad
        for part, size in zip(self.parts, self._sizes, strict=True):
            y -= size
            part.drawOn(canvas, self.bar + self.pad, y + 2.5)


# ------------------------------------------------------------------- page furniture


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Keeps every page until the end, then stamps "page X of Y" (the second pass)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(INK)
            self.drawRightString(PAGE_W - MARGIN, BOTTOM - 10 * mm, f"page {number} of {total}")
            super().showPage()
        super().save()


def _furniture(bundle: Bundle) -> Callable[[Canvas, Any], None]:
    reference = bundle.case_reference
    marking = bundle.marking

    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        top = PAGE_H - TOP + 5 * mm
        canvas.line(MARGIN, top, PAGE_W - MARGIN, top)
        canvas.line(MARGIN, BOTTOM - 5 * mm, PAGE_W - MARGIN, BOTTOM - 5 * mm)
        canvas.setFillColor(INK)
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, top + 2.5 * mm, _fit(reference, 60))
        canvas.drawRightString(PAGE_W - MARGIN, top + 2.5 * mm, rc.REPORT_TITLE)
        canvas.drawString(MARGIN, BOTTOM - 10 * mm, _fit(f"Case {reference}", 60))
        canvas.setFillColor(MARK_RED)
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(PAGE_W / 2, top + 2.5 * mm, marking)
        canvas.drawCentredString(PAGE_W / 2, BOTTOM - 10 * mm, marking)
        canvas.restoreState()

    return draw


def _fit(text: str, limit: int) -> str:
    text = "".join(c if ord(c) in _fonts() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------- helpers


def _kv_table(rows: Sequence[tuple[str, Flowable | str]], label_w: float = 4.2 * cm) -> Table:
    data = [
        [_p(esc(label), "head"), value if not isinstance(value, str) else _p(esc(value), "cell")]
        for label, value in rows
    ]
    table = Table(data, colWidths=[label_w, BODY_W - label_w], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _grid(data: list[list[Any]], widths: Sequence[float], header_rows: int = 1) -> Table:
    table = Table(data, colWidths=list(widths), repeatRows=header_rows, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, RULE),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _mono(value: str | None) -> Paragraph:
    return _p(esc(value) if value else "—", "mono")


# ---------------------------------------------------------------------------- cover


def _marking_banner(bundle: Bundle) -> Table:
    table = Table([[_p(esc(bundle.marking), "marking")]], colWidths=[BODY_W])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, MARK_RED),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _cover(bundle: Bundle, conversations: Sequence[rc.Conversation]) -> list[Flowable]:
    tagged = sum(c.tagged for c in conversations)
    story: list[Flowable] = [_marking_banner(bundle), Spacer(1, 8 * mm)]
    story += [_p(esc(rc.REPORT_TITLE), "title"), _p(esc(bundle.case_reference), "h1")]
    if bundle.case_title:
        story.append(_p(esc(bundle.case_title), "subtitle"))
    story.append(Spacer(1, 4 * mm))
    details: list[tuple[str, Flowable | str]] = [
        ("Case reference", bundle.case_reference),
        ("Case title", bundle.case_title or "—"),
        ("Reviewer", bundle.reviewer),
        ("Workstation", bundle.workstation),
        ("Report produced (UTC)", rc.format_time(bundle.created_utc)),
        ("Produced with", bundle.software),
        ("Audit chain head", _mono(bundle.audit_head)),
        ("Audit entries", str(len(bundle.audit_entries))),
        ("Messages", f"{tagged} tagged, {len(bundle.messages)} included with context"),
    ]
    story.append(_kv_table(details))
    statement = rc.redaction_statement(bundle)
    if statement:
        story.append(_p(f"<b>{esc(statement)}</b>", "notice"))
    story += [_p("Selection", "h2"), _kv_table(rc.selection_lines(bundle))]
    story.append(_p("Exhibits", "h2"))
    for exhibit in bundle.exhibits:
        story.append(
            KeepTogether([_p(f"Exhibit {esc(exhibit.reference)}", "h3"), _exhibit_table(exhibit)])
        )
    story += [Spacer(1, 6 * mm), _p(esc(rc.DISCLAIMER), "small"), Spacer(1, 3 * mm)]
    story += [KeepTogether([Spacer(1, 4 * mm), _marking_banner(bundle)]), PageBreak()]
    return story


def _exhibit_table(exhibit: BundleExhibit) -> Table:
    period = f"{rc.format_time(exhibit.first_timestamp)} – {rc.format_time(exhibit.last_timestamp)}"
    return _kv_table(
        [
            ("Original file", exhibit.original_name),
            ("SHA-256", _mono(exhibit.sha256)),
            ("Size", rc.format_size(exhibit.size)),
            ("Chat file", exhibit.chat_file),
            ("Chat file SHA-256", _mono(exhibit.chat_sha256)),
            ("Custodian", exhibit.custodian or "—"),
            ("Format", f"{exhibit.detected_format} (importer {exhibit.importer})"),
            ("Time zone", exhibit.timezone),
            ("Messages", f"{exhibit.message_count:,}"),
            ("Period (local)", period),
            ("Imported", f"{rc.format_time(exhibit.imported_utc)} UTC by {exhibit.imported_by}"),
        ]
    )


# -------------------------------------------------------------------------- summary


def _summary(bundle: Bundle, conversations: Sequence[rc.Conversation]) -> list[Flowable]:
    story: list[Flowable] = [_p("Summary", "h1")]
    story += _count_section("Content categories", rc.category_counts(bundle, ("content",)))
    story += _count_section(
        "Standards of Professional Behaviour engaged", rc.category_counts(bundle, ("standard",))
    )
    story += _count_section("Participants’ stances", rc.stance_counts(bundle), unit="stances")
    story += _participant_section(bundle)
    story += _membership_section(bundle)
    story += _activity_section(bundle)
    story += _index_section(conversations)
    story.append(PageBreak())
    return story


def _count_section(
    title: str, counts: Sequence[rc.CategoryCount], unit: str = "messages"
) -> list[Flowable]:
    if not counts:
        return []
    data: list[list[Any]] = [
        [_p("", "head"), _p("Category", "head"), _p("Key", "head"), _p(f"Tagged {unit}", "head")]
    ]
    styles: list[tuple[Any, ...]] = []
    for row, count in enumerate(counts, start=1):
        indent = "&nbsp;&nbsp;&nbsp;&nbsp;" if count.category.parent else ""
        style = "cell" if count.messages else "muted"
        data.append(
            [
                "",
                _p(indent + esc(count.category.label), style),
                _p(esc(count.category.key), style),
                _p(str(count.messages), "cellr"),
            ]
        )
        styles.append(("BACKGROUND", (0, row), (0, row), _colour(count.category.colour)))
    table = _grid(data, [0.35 * cm, 7.5 * cm, 6.2 * cm, BODY_W - 14.05 * cm])
    table.setStyle(TableStyle(styles))
    return [CondPageBreak(4 * cm), _p(esc(title), "h2"), table]


def _participant_section(bundle: Bundle) -> list[Flowable]:
    matrix = rc.participant_matrix(bundle)
    story: list[Flowable] = [
        CondPageBreak(5 * cm),
        _p("Tagged messages by sender and category", "h2"),
    ]
    if not matrix.rows:
        return [*story, _p("No tagged messages.")]
    story.append(
        _p("Counts of tagged messages each participant sent, per content category.", "small")
    )
    per_table = 4
    for start in range(0, len(matrix.columns), per_table):
        columns = matrix.columns[start : start + per_table]
        head = [_p("Participant (exhibit)", "head")] + [_p(esc(c.label), "head") for c in columns]
        data: list[list[Any]] = [head]
        for row in matrix.rows:
            counts = row.counts[start : start + per_table]
            data.append(
                [
                    _p(
                        f"{esc_name(row.name)} <font color='#6b6b6b'>({esc(row.exhibit)})</font>",
                        "cell",
                    )
                ]
                + [_p(str(n) if n else "·", "cellr") for n in counts]
            )
        name_w = 5.5 * cm
        col_w = (BODY_W - name_w) / per_table
        table = _grid(data, [name_w] + [col_w] * len(columns))
        table.setStyle(
            TableStyle(
                [("LINEABOVE", (1, 0), (-1, 0), 2.5, colors.white)]
                + [
                    ("LINEABOVE", (i + 1, 0), (i + 1, 0), 2.5, _colour(c.colour))
                    for i, c in enumerate(columns)
                ]
            )
        )
        story += [Spacer(1, 2 * mm), table]
    return story


# ------------------------------------------------------------------ membership timeline


def _membership_section(bundle: Bundle) -> list[Flowable]:
    story: list[Flowable] = []
    for exhibit, people in rc.participants_by_exhibit(bundle):
        span = rc.membership_span(people, exhibit)
        story += [
            CondPageBreak(6 * cm),
            _p(f"Group membership — exhibit {esc(exhibit.reference)}", "h2"),
        ]
        story.append(
            _p(
                "Solid bars are read from system messages (joined, added, left, removed); "
                "hatched bars are inferred (for example, a member who wrote before any "
                "recorded join).",
                "small",
            )
        )
        if span is not None:
            for start in range(0, len(people), 40):
                story.append(_timeline_drawing(people[start : start + 40], span))
        story.append(Spacer(1, 2 * mm))
        rows = [
            [
                _p("Participant", "head"),
                _p("Messages", "head"),
                _p("Membership (local time)", "head"),
            ]
        ]
        for person in people:
            intervals = "<br/>".join(esc(rc.interval_text(i)) for i in person.membership) or "—"
            name = esc_name(person.name) + (" <b>(subject)</b>" if person.is_subject else "")
            rows.append(
                [_p(name, "cell"), _p(f"{person.message_count:,}", "cellr"), _p(intervals, "cell")]
            )
        story.append(_grid(rows, [5 * cm, 1.8 * cm, BODY_W - 6.8 * cm]))
    return story


def _timeline_drawing(people: Sequence[BundleParticipant], span: tuple[Any, Any]) -> Drawing:
    label_w, row_h, axis_h = 4.2 * cm, 11, 14
    width = BODY_W
    chart_w = width - label_w - 4
    height = axis_h + row_h * len(people) + 4
    first, last = span
    days = max((last - first).days, 1)
    drawing = Drawing(width, height)

    def x_of(value: Any, default: Any) -> float:
        day = rc.parse_day(value) or default
        return float(label_w + chart_w * (day - first).days / days)

    _date_axis(drawing, first, last, label_w, chart_w, height - axis_h + 2, height)
    for row, person in enumerate(people):
        y = height - axis_h - (row + 1) * row_h
        drawing.add(
            String(
                label_w - 4,
                y + 3,
                _fit(_display_name(person.name), 28),
                fontName=FONT,
                fontSize=7,
                textAnchor="end",
                fillColor=INK,
            )
        )
        drawing.add(
            Line(
                label_w,
                y + row_h / 2,
                label_w + chart_w,
                y + row_h / 2,
                strokeColor=SHADE,
                strokeWidth=0.5,
            )
        )
        for interval in person.membership:
            x0 = x_of(interval.get("from"), first)
            x1 = max(x_of(interval.get("to"), last), x0 + 1.5)
            _interval_bar(drawing, x0, y + 2, x1 - x0, row_h - 4, bool(interval.get("inferred")))
    return drawing


def _interval_bar(drawing: Drawing, x: float, y: float, w: float, h: float, inferred: bool) -> None:
    blue = colors.HexColor("#3f6aa1")
    if not inferred:
        drawing.add(Rect(x, y, w, h, fillColor=blue, strokeColor=None))
        return
    drawing.add(
        Rect(
            x,
            y,
            w,
            h,
            fillColor=colors.HexColor("#dfe7f1"),
            strokeColor=blue,
            strokeWidth=0.5,
            strokeDashArray=[2, 1.5],
        )
    )
    step = 4.0
    pos = x + step
    while pos < x + w:
        drawing.add(
            Line(
                pos,
                y,
                min(pos + h, x + w),
                y + min(h, x + w - pos),
                strokeColor=blue,
                strokeWidth=0.4,
            )
        )
        pos += step


def _date_axis(
    drawing: Drawing, first: Any, last: Any, x0: float, w: float, y: float, top: float
) -> None:
    days = max((last - first).days, 1)
    drawing.add(Line(x0, y, x0 + w, y, strokeColor=RULE, strokeWidth=0.5))
    for tick, label in _ticks(first, last):
        x = x0 + w * (tick - first).days / days
        drawing.add(Line(x, y, x, y + 3, strokeColor=MUTED, strokeWidth=0.5))
        drawing.add(String(x + 1.5, y + 3, label, fontName=FONT, fontSize=6.5, fillColor=MUTED))


def _ticks(first: Any, last: Any) -> list[tuple[Any, str]]:
    """Month starts (or year starts for long spans, or days for short ones) within the span."""
    from datetime import timedelta

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


# -------------------------------------------------------------------- activity chart


def _activity_section(bundle: Bundle) -> list[Flowable]:
    days = rc.activity_days(bundle)
    if not days:
        return []
    return [
        CondPageBreak(6 * cm),
        _p("Activity per day", "h2"),
        _p(
            "Grey: messages per day in the exhibits. Red: tagged messages that day; a red "
            "mark below the axis shows each day with at least one tagged message.",
            "small",
        ),
        Spacer(1, 2 * mm),
        _activity_drawing(days),
    ]


def _activity_drawing(days: Sequence[rc.ActivityDay]) -> Drawing:
    width, height = BODY_W, 4.2 * cm
    left, bottom, top_pad = 28.0, 22.0, 6.0
    chart_w, chart_h = width - left - 4, height - bottom - top_pad
    first, last = days[0].day, days[-1].day
    span = max((last - first).days + 1, 1)
    peak = max(d.messages for d in days) or 1
    bar_w = max(chart_w / span, 0.6)
    drawing = Drawing(width, height)
    drawing.add(Line(left, bottom, left + chart_w, bottom, strokeColor=RULE, strokeWidth=0.5))
    drawing.add(
        String(
            left - 3,
            bottom + chart_h - 3,
            f"{peak:,}",
            fontName=FONT,
            fontSize=6.5,
            textAnchor="end",
            fillColor=MUTED,
        )
    )
    drawing.add(
        String(
            left - 3,
            bottom - 1,
            "0",
            fontName=FONT,
            fontSize=6.5,
            textAnchor="end",
            fillColor=MUTED,
        )
    )
    red = colors.HexColor("#c62828")
    for day in days:
        x = left + chart_w * (day.day - first).days / span
        drawing.add(
            Rect(
                x,
                bottom,
                bar_w * 0.85,
                chart_h * day.messages / peak,
                fillColor=colors.HexColor("#9e9e9e"),
                strokeColor=None,
            )
        )
        if day.tagged:
            drawing.add(
                Rect(
                    x,
                    bottom,
                    bar_w * 0.85,
                    max(chart_h * day.tagged / peak, 1.2),
                    fillColor=red,
                    strokeColor=None,
                )
            )
            drawing.add(
                Rect(x, bottom - 5, max(bar_w * 0.85, 1.2), 3.5, fillColor=red, strokeColor=None)
            )
    for tick, label in _ticks(first, last):
        x = left + chart_w * (tick - first).days / span
        drawing.add(Line(x, bottom - 8, x, bottom - 6, strokeColor=MUTED, strokeWidth=0.5))
        drawing.add(
            String(
                x,
                bottom - 16,
                label,
                fontName=FONT,
                fontSize=6.5,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
    return drawing


# ------------------------------------------------------------------ index of tagged items


INDEX_WIDTHS = (1.2 * cm, 3.3 * cm, 4.0 * cm, 4.5 * cm, BODY_W - 13.0 * cm)


def _index_section(conversations: Sequence[rc.Conversation]) -> list[Flowable]:
    rows: list[Flowable] = []
    for conversation, item in rc.tagged_items(conversations):
        cats = ", ".join(t.label for t in item.message.tags)
        cells = (str(item.number), item.local_time, item.sender, conversation.name, cats)
        rows.append(_IndexRow(cells, item.anchor))
    if not rows:
        return []
    header = _IndexRow(("Item", "Local time", "Sender", "Conversation", "Categories"), None)
    header.keepWithNext = True
    return [
        CondPageBreak(5 * cm),
        _p("Index of tagged messages", "h2"),
        _p(
            "Each item number links to the message in the next section. Long entries are "
            "shortened here; they are given in full with the message.",
            "small",
        ),
        Spacer(1, 2 * mm),
        header,
        *rows,
    ]


# ----------------------------------------------------------------------- messages


def _messages(
    bundle: Bundle, conversations: Sequence[rc.Conversation], media_root: Path
) -> list[Flowable]:
    context = bundle.selection.get("context", "?")
    story: list[Flowable] = [
        _p("Tagged messages in context", "h1"),
        _p(
            f"Each tagged message is numbered and shown with up to {esc(str(context))} messages "
            "before and after it from the same conversation. Context messages are printed "
            "small and grey; tagged messages are highlighted with a bar in the colour of their "
            "first category. "
            "Times are local to the exhibit’s time zone, with the UTC instant alongside.",
            "small",
        ),
    ]
    thumbs = _ThumbnailCache(media_root)
    for conversation in conversations:
        heading = _p(
            f"{esc_name(conversation.name)} <font size=9 color='#6b6b6b'>— exhibit "
            f"{esc(conversation.exhibit)}, {conversation.tagged} tagged</font>",
            "h2",
        )
        heading.keepWithNext = True
        story.append(heading)
        story += _conversation_story(conversation, bundle, thumbs)
    return story


def _conversation_story(
    conversation: rc.Conversation, bundle: Bundle, thumbs: _ThumbnailCache
) -> list[Flowable]:
    story: list[Flowable] = []
    run: list[Entry] = []
    previous: int | None = None
    for item in conversation.items:
        if previous is not None and item.message.seq > previous + 1:
            run.append(GAP)
        previous = item.message.seq
        if item.number is None:
            run.append(_context_entry(item))
            continue
        if run:
            story.append(_ContextRun(run))
            run = []
        story.append(_tagged(item, thumbs))
    if run:
        story.append(_ContextRun(run))
    return story


class _RtlText(Flowable):  # type: ignore[misc]
    """A message text holding right-to-left script (see ``bundle.rtl``): broken into lines
    here, each line in display order, set flush right where its paragraph reads right to left."""

    def __init__(self, text: str, style: str) -> None:
        super().__init__()
        self.style = _styles()[style]
        self.text = text
        self._lines: list[tuple[str, bool]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        font, size = self.style.fontName, self.style.fontSize
        self._lines = _display_lines(self.text, font, size, avail_width, avail_width)
        self.width = avail_width
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(self.style.fontName, self.style.fontSize)
        canvas.setFillColor(self.style.textColor)
        y = self.height - self.style.fontSize
        for line, right in self._lines:
            if right:
                canvas.drawRightString(self.width, y, line)
            else:
                canvas.drawString(0, y, line)
            y -= self.style.leading


def _context_entry(item: rc.Item) -> Entry:
    message = item.message
    body = message.text or (f"<{message.system_event}>" if message.system_event else "")
    names = ", ".join(a.filename for a in message.attachments)
    if names:
        body += f" [attachment: {names}]"
    return f"{item.local_time}  ", f"{item.sender}: ", body


def _tagged(item: rc.Item, thumbs: _ThumbnailCache) -> Flowable:
    message = item.message
    colour = message.tags[0].colour if message.tags else "#777777"
    rows: list[list[Any]] = [
        [
            _p(
                f'<a name="{item.anchor}"/>Item {item.number} — {esc_name(item.sender)}',
                "itemhead",
            )
        ]
    ]
    rows.append([_p(_time_line(item), "small")])
    for chunk in _chunks(
        message.text or (f"<{message.system_event}>" if message.system_event else "")
    ):
        rows.append([_RtlText(chunk, "text") if rtl.has_rtl(chunk) else _p(esc(chunk), "text")])
    rows.append([_review_block(item)])
    for attachment in message.attachments:
        rows.append([_attachment(attachment, thumbs)])
    return _Boxed([row[0] for row in rows], colour)


def _time_line(item: rc.Item) -> str:
    message = item.message
    parts = [
        f"{esc(item.local_time)} local ({esc(item.timezone)})",
        f"{esc(item.utc_time)} UTC",
        f"message {message.id}, exhibit {esc(message.exhibit)}",
    ]
    if message.edited:
        parts.append("edited")
    parts += [esc(flag) for flag in message.flags if flag != "edited"]
    if message.reply_to is not None:
        parts.append(f"reply to message {message.reply_to}")
    line = " · ".join(parts)
    if item.time_flag:
        line += f" · <font color='#8b0000'><b>{esc(item.time_flag)}</b></font>"
    return line


def _review_block(item: rc.Item) -> Paragraph:
    """Categories, stances, notes and the source reference, as one paragraph."""
    message = item.message
    lines = []
    for tag in message.tags:
        swatch = f"<font color='{esc(tag.colour)}'>■</font>"
        line = (
            f"{swatch} <b>{esc(tag.label)}</b> <font color='#6b6b6b'>({esc(tag.category)}) — "
            f"tagged by {esc(tag.reviewer)}, {esc(rc.format_time(tag.created_utc))} UTC</font>"
        )
        if tag.note:
            line += f"<br/>Note: {esc(tag.note)}"
        lines.append(line)
    if message.stances:
        stances = "; ".join(f"{esc_name(s.participant)} — {esc(s.label)}" for s in message.stances)
        lines.append(f"<b>Stances:</b> {stances}")
    if message.note:
        lines.append(f"<b>Reviewer’s note:</b> {esc(message.note)}")
    lines.append(f"<font size=7.5 color='#6b6b6b'>Source: {esc(item.source)}</font>")
    return _p("<br/>".join(lines), "cell")


def _chunks(text: str, size: int = 1500) -> list[str]:
    """Split long text on paragraph breaks so no table row outgrows a page."""
    if len(text) <= size:
        return [text] if text else []
    out: list[str] = []
    current = ""
    for part in text.split("\n"):
        while len(part) > size:
            out.append(part[:size])
            part = part[size:]
        if current and len(current) + len(part) + 1 > size:
            out.append(current)
            current = part
        else:
            current = f"{current}\n{part}" if current else part
    if current:
        out.append(current)
    return out


def _attachment(attachment: BundleAttachment, thumbs: _ThumbnailCache) -> Flowable:
    lines = [f"<b>Attachment:</b> {esc(attachment.filename)}"]
    if attachment.present:
        lines.append(
            f"{esc(attachment.mime or 'type unknown')}, {esc(rc.format_size(attachment.size))}"
        )
        lines.append(f"SHA-256:<br/><font name='{MONO}'>{esc(attachment.sha256 or '—')}</font>")
        if attachment.bundle_path:
            ext = attachment.bundle_path.rsplit(".", 1)[-1] if "." in attachment.bundle_path else ""
            lines.append(f"In this bundle: data/media/&lt;SHA-256&gt;.{esc(ext)}")
    else:
        lines.append("<i>Not contained in the export (referenced by name only).</i>")
    text = _p("<br/>".join(lines), "small")
    image = thumbs.get(attachment)
    if image is None:
        return text
    table = Table(
        [[image, text]], colWidths=[THUMB + 4 * mm, BODY_W - THUMB - 16 * mm], hAlign="LEFT"
    )
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return table


class _ThumbnailCache:
    """Small JPEG renderings of image attachments (the originals are in the bundle)."""

    def __init__(self, media_root: Path) -> None:
        self.media_root = media_root
        self._data: dict[str, tuple[bytes, int, int] | None] = {}

    def get(self, attachment: BundleAttachment) -> Image | None:
        key = attachment.sha256 or attachment.filename
        if key not in self._data:
            self._data[key] = self._render(attachment)
        found = self._data[key]
        if found is None:
            return None
        data, w, h = found
        scale = THUMB / max(w, h)
        return Image(io.BytesIO(data), width=w * scale, height=h * scale)

    def _render(self, attachment: BundleAttachment) -> tuple[bytes, int, int] | None:
        source = self._source(attachment)
        if source is None:
            return None
        try:
            with PILImage.open(source) as img:
                img.draft("RGB", (THUMB_PIXELS, THUMB_PIXELS))
                img.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
                rgb = img.convert("RGB")
                out = io.BytesIO()
                rgb.save(out, "JPEG", quality=80)
                return out.getvalue(), rgb.width, rgb.height
        except (OSError, ValueError, PILImage.DecompressionBombError):
            return None

    def _source(self, attachment: BundleAttachment) -> Path | None:
        if attachment.thumbnail is not None and attachment.thumbnail.is_file():
            return attachment.thumbnail
        if rc.is_image(attachment) and attachment.bundle_path:
            path = self.media_root / attachment.bundle_path
            return path if path.is_file() else None
        return None


# ---------------------------------------------------------------------------- entry


def write_report_pdf(bundle: Bundle, path: Path, media_root: Path) -> None:
    """Write the court-facing PDF report of ``bundle`` to ``path``.

    ``media_root`` is the bundle's ``data/`` folder: image attachments are read from
    ``media_root / attachment.bundle_path`` (or ``attachment.thumbnail`` when given).
    """
    _fonts()
    conversations = rc.build_conversations(bundle)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = BaseDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=f"{rc.REPORT_TITLE} — {bundle.case_reference}",
        author=bundle.reviewer,
        subject=f"{bundle.marking} — case {bundle.case_reference}",
        creator=bundle.software,
        invariant=True,
    )
    frame = Frame(
        MARGIN,
        BOTTOM,
        BODY_W,
        PAGE_H - TOP - BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_furniture(bundle))])
    story = _cover(bundle, conversations) + _summary(bundle, conversations)
    story += _messages(bundle, conversations, media_root)
    doc.build(story, canvasmaker=_NumberedCanvas)
