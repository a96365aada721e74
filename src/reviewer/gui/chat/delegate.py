"""Paints one message as a WhatsApp-like bubble, and measures it.

Geometry is computed once per (message, width) into a ``BubbleLayout`` (text laid out with
``QTextLayout``) and kept in a bounded cache, so measuring the few rows on screen is cheap
and painting never re-wraps text. Colours come from the palette at paint time, so light and
dark themes share one layout.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QImageReader,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from reviewer.core.emoji import find_emoji
from reviewer.gui.chat.model import Role
from reviewer.gui.media_blur import FLAGGED_TEXT
from reviewer.services.browse import REVIEWED, TAGGED, AttachmentView, MessageView

_Index = QModelIndex | QPersistentModelIndex

#: Sender name colours, by hash of the name. Each has contrast ≥ 4.5:1 on both bubble colours
#: of its theme (checked by tests/gui/test_chat_view.py).
LIGHT_NAME_COLOURS = (
    "#b4235a", "#1d6fa5", "#2e7d32", "#8e44ad", "#b34d00", "#00796b",
    "#5d4fb3", "#a0522d", "#0b7285", "#7b5e00", "#ad1457", "#3f51b5",
)  # fmt: skip
DARK_NAME_COLOURS = (
    "#ff8fb1", "#7cc4ff", "#8fd694", "#d4a5ff", "#ffb070", "#6fd6c6",
    "#b3a8ff", "#e8a982", "#66d9ef", "#e6cc66", "#f48fb1", "#9fa8ff",
)  # fmt: skip

DELETED_TEXT = "This message was deleted"
REVEAL_TEXT = "Click to reveal"

# metrics, in pixels
GUTTER = 16  # left strip for the review-state marker
SIDE = 10  # space between the gutter/right edge and bubbles
PAD_X = 10
PAD_Y = 6
ROW_GAP = 3
RADIUS = 8
THUMB_MAX_W = 260
THUMB_MAX_H = 200
CHIP_PAD = 6
CHIP_GAP = 4
SPACING = 4
EMOJI_SCALE = 2.0  # a message of only emoji (at most EMOJI_LARGE_MAX) is drawn this much larger
EMOJI_LARGE_MAX = 3


@dataclass(frozen=True, slots=True)
class Theme:
    """Colours of the chat view for one palette (light or dark)."""

    dark: bool
    background: QColor
    incoming: QColor
    outgoing: QColor
    text: QColor
    muted: QColor
    system: QColor
    separator: QColor
    hit: QColor
    selection: QColor
    focus: QColor
    reviewed: QColor
    tagged: QColor
    names: tuple[QColor, ...]

    @staticmethod
    def for_palette(palette: QPalette) -> Theme:
        dark = palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
        selection = QColor(palette.color(QPalette.ColorRole.Highlight))
        selection.setAlpha(60)
        if dark:
            return Theme(
                dark=True,
                background=QColor("#0b141a"),
                incoming=QColor("#202c33"),
                outgoing=QColor("#0f3a32"),
                text=QColor("#e9edef"),
                muted=QColor("#a3b1ba"),
                system=QColor("#182229"),
                separator=QColor("#182229"),
                hit=QColor(255, 214, 10, 110),
                selection=selection,
                focus=QColor(palette.color(QPalette.ColorRole.Highlight)).lighter(140),
                reviewed=QColor("#4cd07d"),
                tagged=QColor("#ff5c5c"),
                names=tuple(QColor(c) for c in DARK_NAME_COLOURS),
            )
        return Theme(
            dark=False,
            background=QColor("#efeae2"),
            incoming=QColor("#ffffff"),
            outgoing=QColor("#d9fdd3"),
            text=QColor("#111b21"),
            muted=QColor("#54656f"),
            system=QColor("#fff5c4"),
            separator=QColor("#e1f2fb"),
            hit=QColor(255, 200, 0, 150),
            selection=selection,
            focus=QColor(palette.color(QPalette.ColorRole.Highlight)),
            reviewed=QColor("#1e8e3e"),
            tagged=QColor("#d93025"),
            names=tuple(QColor(c) for c in LIGHT_NAME_COLOURS),
        )

    def name_colour(self, name: str | None) -> QColor:
        return self.names[name_slot(name)]


def name_slot(name: str | None) -> int:
    """A stable palette slot for a sender name (CRC-32: the same in every run)."""
    return zlib.crc32((name or "").encode("utf-8")) % len(LIGHT_NAME_COLOURS)


def day_label(day: str) -> str:
    """'2024-03-05' -> 'Tuesday 5 March 2024' (English, whatever the locale)."""
    try:
        d = date.fromisoformat(day)
    except ValueError:
        return day
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(slots=True)
class Chip:
    rect: QRect
    label: str
    colour: QColor


@dataclass(slots=True)
class FileLine:
    rect: QRect
    text: str
    index: int


@dataclass(slots=True)
class BubbleLayout:
    """Geometry of one row at one width; rects are relative to the row's top-left corner."""

    view: MessageView
    width: int
    first_of_day: bool
    height: int = 0
    separator: QRect | None = None
    separator_text: str = ""
    bubble: QRect = field(default_factory=QRect)
    name_rect: QRect | None = None
    name: str = ""
    reply_rect: QRect | None = None
    reply_text: str = ""
    text_layout: QTextLayout | None = None
    text_pos: QPointF = field(default_factory=QPointF)
    text_utf16: list[int] | None = None  # Python index -> UTF-16 index, when they differ
    thumbs: list[tuple[QRect, int]] = field(default_factory=list)
    files: list[FileLine] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)
    footer_rect: QRect = field(default_factory=QRect)
    footer: str = ""
    outgoing: bool = False
    system: bool = False


HighlightProvider = Callable[[int], Sequence[tuple[int, int]]]
BadgeProvider = Callable[[int], Sequence[tuple[str, str]]]  # message id -> (label, colour)


class BubbleDelegate(QStyledItemDelegate):
    """Paints ``MessageListModel`` rows as chat bubbles.

    Attributes:
        taxonomy: category key -> (label, colour '#rrggbb') for tag chips.
        highlights: message id -> (start, end) character spans to highlight (lexicon hits).
        custodian_id: participant whose messages align right, when known.
        is_blurred: (message id, SHA-256) -> whether that thumbnail is drawn blurred
            (``gui.media_blur.BlurRule.is_blurred``).
        is_flagged: (message id, SHA-256) -> whether a blurred thumbnail says it is flagged.
        image_mark: message id -> a label over its thumbnails (a search hit "in image"), or None.
        missing_thumbnail: called when a thumbnail to paint is not made yet (a placeholder is
            painted; repaint once it is made).
    """

    def __init__(self, parent: QObject | None = None, *, cache_size: int = 3000) -> None:
        super().__init__(parent)
        self.taxonomy: Mapping[str, tuple[str, str]] = {}
        self.highlights: HighlightProvider | None = None
        self.badges: BadgeProvider | None = None
        self.custodian_id: int | None = None
        self.is_blurred: Callable[[int, str | None], bool] = lambda _message_id, _sha: True
        self.is_flagged: Callable[[int, str | None], bool] = lambda _message_id, _sha: False
        self.image_mark: Callable[[int], str | None] = lambda _message_id: None
        self.missing_thumbnail: Callable[[AttachmentView], None] = lambda _attachment: None
        self._layouts: OrderedDict[tuple[int, int], BubbleLayout] = OrderedDict()
        self._cache_size = cache_size
        self._pixmaps: OrderedDict[tuple[str, int, int, int, bool], QPixmap] = OrderedDict()
        self._font_key = ""

    # -- configuration ---------------------------------------------------------------------

    def set_taxonomy(self, taxonomy: Mapping[str, tuple[str, str]]) -> None:
        self.taxonomy = dict(taxonomy)
        self._layouts.clear()

    def set_highlight_provider(self, provider: HighlightProvider | None) -> None:
        self.highlights = provider

    def set_badge_provider(self, provider: BadgeProvider | None) -> None:
        """Extra chips after the tags (a reconciled chat's exhibits), by message id."""
        self.badges = provider
        self._layouts.clear()

    def set_custodian_id(self, participant_id: int | None) -> None:
        self.custodian_id = participant_id
        self._layouts.clear()

    def forget(self, ids: Iterable[int] | None = None) -> None:
        """Drop cached layouts (of these messages, or all)."""
        if ids is None:
            self._layouts.clear()
            return
        wanted = set(ids)
        for key in [k for k in self._layouts if k[0] in wanted]:
            del self._layouts[key]

    # -- layout ------------------------------------------------------------------------------

    def layout(self, option: QStyleOptionViewItem, index: _Index) -> BubbleLayout | None:
        """The geometry of ``index`` at ``option.rect.width()`` (cached)."""
        view = index.data(Role.Message)
        if not isinstance(view, MessageView):
            return None
        first_of_day = bool(index.data(Role.FirstOfDay))
        width = option.rect.width()
        font_key = option.font.key()
        if font_key != self._font_key:
            self._font_key = font_key
            self._layouts.clear()
        key = (view.id, width)
        cached = self._layouts.get(key)
        if cached is not None and cached.view is view and cached.first_of_day == first_of_day:
            self._layouts.move_to_end(key)
            return cached
        built = self._build(view, width, first_of_day, option.font)
        self._layouts[key] = built
        while len(self._layouts) > self._cache_size:
            self._layouts.popitem(last=False)
        return built

    def _build(
        self, view: MessageView, width: int, first_of_day: bool, font: QFont
    ) -> BubbleLayout:
        out = BubbleLayout(view=view, width=width, first_of_day=first_of_day)
        small = _small(font)
        sfm = QFontMetrics(small)
        y = ROW_GAP
        if first_of_day and view.day:
            out.separator_text = day_label(view.day)
            w = sfm.horizontalAdvance(out.separator_text) + 24
            h = sfm.height() + 8
            out.separator = QRect((width - w) // 2, y + 4, w, h)
            y += h + 12
        if view.is_system:
            out.system = True
            max_w = max(120, int(width * 0.8) - 2 * PAD_X)
            text = view.text or (view.system_event or "")
            out.text_layout, text_w, text_h = _text_layout(text, small, max_w, centred=True)
            text_w = max(text_w, 1)
            bw = text_w + 2 * PAD_X
            out.bubble = QRect((width - bw) // 2, y, bw, text_h + 2 * PAD_Y)
            out.text_pos = QPointF(out.bubble.left() + PAD_X, out.bubble.top() + PAD_Y)
            out.chips = self._chips(view, small, sfm, max_w)
            if out.chips:
                chips_w = max(c.rect.right() + 1 for c in out.chips)
                if chips_w > text_w:
                    bw = chips_w + 2 * PAD_X
                    out.bubble = QRect((width - bw) // 2, y, bw, text_h + 2 * PAD_Y)
                    out.text_pos = QPointF(
                        out.bubble.left() + PAD_X + (chips_w - text_w) / 2, out.bubble.top() + PAD_Y
                    )
                _place_chips(
                    out.chips, out.bubble.left() + PAD_X, out.bubble.bottom() + 1 + SPACING
                )
                out.bubble.setBottom(max(c.rect.bottom() for c in out.chips) + PAD_Y)
            out.height = out.bubble.bottom() + 1 + ROW_GAP
            return out

        out.outgoing = self.custodian_id is not None and view.sender_id == self.custodian_id
        avail = width - GUTTER - 2 * SIDE
        max_bubble = max(160, min(int(avail * 0.78), 680))
        max_inner = max_bubble - 2 * PAD_X
        inner_w = 0
        cy = 0
        # sender name
        bold = QFont(font)
        bold.setBold(True)
        bfm = QFontMetrics(bold)
        if view.sender:
            out.name = bfm.elidedText(view.sender, Qt.TextElideMode.ElideRight, max_inner)
            name_w = bfm.horizontalAdvance(out.name)
            out.name_rect = QRect(0, cy, name_w, bfm.height())
            inner_w = max(inner_w, name_w)
            cy += bfm.height() + 2
        # reply quote
        if view.reply_to is not None:
            quote = view.reply_quote or f"In reply to message #{view.reply_to}"
            out.reply_text = sfm.elidedText(
                f"↪ {quote}", Qt.TextElideMode.ElideRight, max_inner - 12
            )
            rw = min(sfm.horizontalAdvance(out.reply_text) + 12, max_inner)
            out.reply_rect = QRect(0, cy, rw, sfm.height() + 6)
            inner_w = max(inner_w, rw)
            cy += out.reply_rect.height() + SPACING
        # attachments
        for i, attachment in enumerate(view.attachments):
            if attachment.thumbnail is not None:
                tw, th = _thumb_size(attachment, min(THUMB_MAX_W, max_inner))
                out.thumbs.append((QRect(0, cy, tw, th), i))
                inner_w = max(inner_w, tw)
                cy += th + SPACING
            else:
                text = _file_text(attachment)
                text = sfm.elidedText(text, Qt.TextElideMode.ElideMiddle, max_inner - 12)
                fw = sfm.horizontalAdvance(text) + 12
                out.files.append(FileLine(QRect(0, cy, fw, sfm.height() + 8), text, i))
                inner_w = max(inner_w, fw)
                cy += sfm.height() + 8 + SPACING
        # body text
        deleted = view.kind == "deleted"
        body = DELETED_TEXT if deleted else view.text
        if deleted:
            body_font = QFont(font)
            body_font.setItalic(True)
        elif emoji_only(body):
            body_font = _scaled(font, EMOJI_SCALE)  # as WhatsApp shows them: skin tones legible
        else:
            body_font = font
        footer = _time(view.timestamp)
        if view.edited:
            footer = f"edited  {footer}"
        if view.time_flag:
            footer = f"⚠ {footer}"
        out.footer = footer
        footer_w = sfm.horizontalAdvance(footer)
        last_line_w = 0.0
        if body:
            layout, text_w, text_h = _text_layout(body, body_font, max_inner, centred=False)
            out.text_layout = layout
            out.text_pos = QPointF(0, cy)
            if not deleted and any(ord(ch) > 0xFFFF for ch in body):
                out.text_utf16 = _utf16_offsets(body)
            inner_w = max(inner_w, text_w)
            last = layout.lineAt(layout.lineCount() - 1)
            last_line_w = last.naturalTextWidth()
            cy += text_h
        # footer: on the last text line when it fits, else on a line of its own
        if body and last_line_w + 10 + footer_w <= max_inner:
            inner_w = max(inner_w, int(last_line_w + 0.999) + 10 + footer_w)
            footer_top = cy - sfm.height()
        else:
            footer_top = cy + (2 if body else 0)
            cy = footer_top + sfm.height()
        inner_w = max(inner_w, footer_w)
        out.footer_rect = QRect(inner_w - footer_w, footer_top, footer_w, sfm.height())
        # tag chips
        chips = self._chips(view, small, sfm, max_inner)
        if chips:
            cy += SPACING
            _place_chips(chips, 0, cy)
            inner_w = max(inner_w, max(c.rect.right() + 1 for c in chips))
            cy = max(c.rect.bottom() for c in chips) + 1
            out.chips = chips
        # footer sits at the right edge of the final inner width
        out.footer_rect.moveLeft(inner_w - footer_w)
        bubble_w = inner_w + 2 * PAD_X
        bubble_h = cy + 2 * PAD_Y
        x = width - SIDE - bubble_w if out.outgoing else GUTTER + SIDE
        out.bubble = QRect(x, y, bubble_w, bubble_h)
        dx, dy = x + PAD_X, y + PAD_Y
        if out.name_rect is not None:
            out.name_rect.translate(dx, dy)
        if out.reply_rect is not None:
            out.reply_rect.translate(dx, dy)
        out.thumbs = [(r.translated(dx, dy), i) for r, i in out.thumbs]
        for f in out.files:
            f.rect.translate(dx, dy)
        out.text_pos = QPointF(out.text_pos.x() + dx, out.text_pos.y() + dy)
        out.footer_rect.translate(dx, dy)
        for c in out.chips:
            c.rect.translate(dx, dy)
        out.height = out.bubble.bottom() + 1 + ROW_GAP
        return out

    def _chips(self, view: MessageView, small: QFont, sfm: QFontMetrics, max_w: int) -> list[Chip]:
        chips: list[Chip] = []
        for key in view.tags:
            label, colour = self.taxonomy.get(key, (key, "#d93025"))
            text = sfm.elidedText(label, Qt.TextElideMode.ElideRight, max_w - 2 * CHIP_PAD)
            w = sfm.horizontalAdvance(text) + 2 * CHIP_PAD
            chips.append(Chip(QRect(0, 0, w, sfm.height() + 4), text, QColor(colour)))
        for label, colour in self.badges(view.id) if self.badges is not None else ():
            w = sfm.horizontalAdvance(label) + 2 * CHIP_PAD
            chips.append(Chip(QRect(0, 0, w, sfm.height() + 4), label, QColor(colour)))
        # wrap into lines of at most max_w: store relative positions now
        x = y = 0
        for chip in chips:
            if x > 0 and x + chip.rect.width() > max_w:
                x = 0
                y += chip.rect.height() + CHIP_GAP
            chip.rect.moveTo(x, y)
            x += chip.rect.width() + CHIP_GAP
        return chips

    # -- hit testing -------------------------------------------------------------------------

    def thumbnail_at(self, option: QStyleOptionViewItem, index: _Index, pos: QPoint) -> int | None:
        """The attachment index of the thumbnail under ``pos`` (relative to the row), if any."""
        layout = self.layout(option, index)
        if layout is None:
            return None
        for rect, attachment_index in layout.thumbs:
            if rect.contains(pos):
                return attachment_index
        return None

    # -- Qt overrides ------------------------------------------------------------------------

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """Override QStyledItemDelegate::sizeHint."""
        layout = self.layout(option, index)
        width = option.rect.width()
        if layout is None:
            return QSize(width, QFontMetrics(option.font).height() + 2 * PAD_Y)
        return QSize(width, layout.height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Override QStyledItemDelegate::paint."""
        rect: QRect = option.rect
        state: QStyle.StateFlag = option.state
        theme = Theme.for_palette(option.palette)
        layout = self.layout(option, index)
        painter.save()
        painter.translate(rect.topLeft())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        try:
            if layout is None:
                painter.setPen(theme.muted)
                painter.drawText(
                    QRect(0, 0, rect.width(), rect.height()), Qt.AlignmentFlag.AlignCenter, "…"
                )
                return
            self._paint_layout(painter, layout, theme, option, state)
        finally:
            painter.restore()

    # -- painting ----------------------------------------------------------------------------

    def _paint_layout(
        self,
        painter: QPainter,
        layout: BubbleLayout,
        theme: Theme,
        option: QStyleOptionViewItem,
        state: QStyle.StateFlag,
    ) -> None:
        view = layout.view
        font: QFont = option.font
        small = _small(font)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        current = bool(state & QStyle.StateFlag.State_HasFocus)
        if selected:
            top = layout.bubble.top() - 1
            painter.fillRect(QRect(0, top, layout.width, layout.height - top), theme.selection)
        if layout.separator is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.separator)
            painter.drawRoundedRect(layout.separator, RADIUS, RADIUS)
            painter.setFont(small)
            painter.setPen(theme.muted if not theme.dark else theme.text)
            painter.drawText(layout.separator, Qt.AlignmentFlag.AlignCenter, layout.separator_text)
        # review state in the gutter
        bubble = layout.bubble
        if view.review_state == TAGGED:
            painter.fillRect(QRect(4, bubble.top(), 4, bubble.height()), theme.tagged)
        elif view.review_state == REVIEWED:
            pen = QPen(theme.reviewed, 2.2)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            tick = QPainterPath()
            cy = bubble.top() + 10
            tick.moveTo(3, cy)
            tick.lineTo(6.5, cy + 4)
            tick.lineTo(13, cy - 4)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(tick)
        # the bubble
        fill = (
            theme.system
            if layout.system
            else (theme.outgoing if layout.outgoing else theme.incoming)
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble, RADIUS, RADIUS)
        if current:
            painter.setPen(QPen(theme.focus, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(bubble.adjusted(1, 1, -1, -1), RADIUS, RADIUS)
        # text
        spans = self.highlights(view.id) if self.highlights is not None else ()
        if layout.system:
            painter.setPen(theme.muted)
            if layout.text_layout is not None:
                layout.text_layout.draw(painter, layout.text_pos)
        else:
            if layout.name_rect is not None:
                bold = QFont(font)
                bold.setBold(True)
                painter.setFont(bold)
                painter.setPen(theme.name_colour(view.sender))
                painter.drawText(
                    layout.name_rect,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    layout.name,
                )
            if layout.reply_rect is not None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(theme.background if not theme.dark else theme.system)
                painter.drawRoundedRect(layout.reply_rect, 4, 4)
                painter.fillRect(
                    QRect(
                        layout.reply_rect.left(),
                        layout.reply_rect.top(),
                        3,
                        layout.reply_rect.height(),
                    ),
                    theme.muted,
                )
                painter.setFont(small)
                painter.setPen(theme.muted)
                painter.drawText(
                    layout.reply_rect.adjusted(8, 0, -2, 0),
                    Qt.AlignmentFlag.AlignVCenter,
                    layout.reply_text,
                )
            for thumb_rect, i in layout.thumbs:
                self._paint_thumbnail(
                    painter, thumb_rect, view.attachments[i], view.id, theme, small
                )
            for line in layout.files:
                painter.setPen(QPen(theme.muted, 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(line.rect, 4, 4)
                painter.setFont(small)
                painter.setPen(theme.text)
                painter.drawText(
                    line.rect.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter, line.text
                )
            if layout.text_layout is not None:
                painter.setPen(theme.muted if view.kind == "deleted" else theme.text)
                layout.text_layout.draw(painter, layout.text_pos, _ranges(spans, layout, theme))
            painter.setFont(small)
            painter.setPen(theme.muted)
            painter.drawText(
                layout.footer_rect,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                layout.footer,
            )
        for chip in layout.chips:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(chip.colour)
            painter.drawRoundedRect(chip.rect, chip.rect.height() / 2, chip.rect.height() / 2)
            painter.setFont(small)
            painter.setPen(_ink_on(chip.colour))
            painter.drawText(chip.rect, Qt.AlignmentFlag.AlignCenter, chip.label)

    def _paint_thumbnail(
        self,
        painter: QPainter,
        rect: QRect,
        attachment: AttachmentView,
        message_id: int,
        theme: Theme,
        small: QFont,
    ) -> None:
        revealed = not self.is_blurred(message_id, attachment.sha256)
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        pixmap = self._pixmap(attachment, rect.size(), dpr, blurred=not revealed)
        clip = QPainterPath()
        clip.addRoundedRect(rect, 6, 6)
        painter.save()
        painter.setClipPath(clip)
        if pixmap is None:
            painter.fillRect(rect, theme.muted)
        else:
            painter.drawPixmap(rect, pixmap)
        if not revealed:
            painter.fillRect(rect, QColor(0, 0, 0, 70))
            painter.setFont(small)
            flagged = self.is_flagged(message_id, attachment.sha256)
            label = f"{FLAGGED_TEXT if flagged else 'Image hidden'}\n{REVEAL_TEXT}"
            flags = Qt.AlignmentFlag.AlignCenter
            box = painter.boundingRect(rect, flags, label).adjusted(-8, -4, 8, 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 170))
            painter.drawRoundedRect(box, 6, 6)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(rect, flags, label)
        mark = self.image_mark(message_id)
        if mark:
            painter.setFont(small)
            box = painter.boundingRect(rect, Qt.AlignmentFlag.AlignLeft, mark).adjusted(0, 0, 12, 4)
            box.moveTopLeft(rect.topLeft() + QPoint(6, 6))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.focus)
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(_ink_on(theme.focus))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, mark)
        painter.restore()

    def _pixmap(
        self, attachment: AttachmentView, size: QSize, dpr: float, *, blurred: bool
    ) -> QPixmap | None:
        if attachment.thumbnail is None or attachment.sha256 is None:
            return None
        key = (attachment.sha256, size.width(), size.height(), round(dpr * 100), blurred)
        cached = self._pixmaps.get(key)
        if cached is not None:
            self._pixmaps.move_to_end(key)
            return cached
        image = QImage(str(attachment.thumbnail))
        if image.isNull():
            self.missing_thumbnail(attachment)
            return None
        device_size = QSize(round(size.width() * dpr), round(size.height() * dpr))
        if blurred:
            image = blur(image, device_size)
        else:
            image = image.scaled(
                device_size,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(dpr)
        self._pixmaps[key] = pixmap
        while len(self._pixmaps) > 200:
            self._pixmaps.popitem(last=False)
        return pixmap


def blur(image: QImage, size: QSize) -> QImage:
    """A strongly blurred version of ``image`` at ``size``: shrunk to a few pixels and scaled
    back up smoothly, so no detail survives (reviewer welfare)."""
    tiny = image.scaled(
        QSize(6, max(1, round(6 * image.height() / max(image.width(), 1)))),
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return tiny.scaled(
        size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def _place_chips(chips: list[Chip], x: int, y: int) -> None:
    for chip in chips:
        chip.rect.translate(x, y)


def _small(font: QFont) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
    else:
        small.setPixelSize(max(int(font.pixelSize() * 0.85), 8))
    return small


def _scaled(font: QFont, factor: float) -> QFont:
    scaled = QFont(font)
    if font.pointSizeF() > 0:
        scaled.setPointSizeF(font.pointSizeF() * factor)
    else:
        scaled.setPixelSize(round(font.pixelSize() * factor))
    return scaled


def emoji_only(text: str) -> bool:
    """A message of one to three emoji and nothing else (spaces aside): drawn large."""
    if not text or len(text) > 40:  # three emoji sequences are never longer
        return False
    uses = list(find_emoji(text))
    if not 1 <= len(uses) <= EMOJI_LARGE_MAX:
        return False
    rest = "".join(use.chars for use in uses)
    return "".join(text.split()) == rest


def _text_layout(
    text: str, font: QFont, max_w: int, *, centred: bool
) -> tuple[QTextLayout, int, int]:
    """Lay out ``text`` wrapped at ``max_w``; returns the layout, its width and height."""
    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    if centred:
        option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    layout.setTextOption(option)
    layout.setCacheEnabled(True)
    layout.beginLayout()
    y = 0.0
    natural = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max_w)
        line.setPosition(QPointF(0, y))
        y += line.height()
        natural = max(natural, line.naturalTextWidth())
    layout.endLayout()
    width = min(int(natural + 0.999), max_w)
    if centred:
        # re-lay at the natural width so centring happens inside the bubble
        layout.beginLayout()
        y = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line.height()
        layout.endLayout()
    return layout, width, int(y + 0.999)


def _thumb_size(attachment: AttachmentView, max_w: int) -> tuple[int, int]:
    w, h = attachment.width, attachment.height
    if not w or not h:
        assert attachment.thumbnail is not None
        size = QImageReader(str(attachment.thumbnail)).size()
        w, h = (size.width(), size.height()) if size.isValid() else (4, 3)
    scale = min(max_w / w, THUMB_MAX_H / h, 1.0 if max(w, h) >= 120 else 120 / max(w, h))
    return max(int(w * scale), 24), max(int(h * scale), 24)


def _file_text(attachment: AttachmentView) -> str:
    kind = (attachment.mime or "file").split("/")[0]
    label = {"image": "Image", "video": "Video", "audio": "Audio"}.get(kind, "File")
    missing = "" if attachment.present else " — not in export"
    return f"{label}: {attachment.filename}{missing}"


def _time(timestamp: str | None) -> str:
    if not timestamp or len(timestamp) < 16:
        return "--:--"
    return timestamp[11:16]


def _utf16_offsets(text: str) -> list[int]:
    offsets = [0] * (len(text) + 1)
    pos = 0
    for i, ch in enumerate(text):
        offsets[i] = pos
        pos += 2 if ord(ch) > 0xFFFF else 1
    offsets[len(text)] = pos
    return offsets


def _ranges(
    spans: Sequence[tuple[int, int]], layout: BubbleLayout, theme: Theme
) -> list[QTextLayout.FormatRange]:
    if not spans or layout.view.kind == "deleted":
        return []
    fmt = QTextCharFormat()
    fmt.setBackground(QBrush(theme.hit))
    n = len(layout.view.text)
    ranges: list[QTextLayout.FormatRange] = []
    for start, end in spans:
        start, end = max(0, start), min(end, n)
        if end <= start:
            continue
        if layout.text_utf16 is not None:
            start, end = layout.text_utf16[start], layout.text_utf16[end]
        r = QTextLayout.FormatRange()
        r.start = start
        r.length = end - start
        r.format = fmt
        ranges.append(r)
    return ranges


def _ink_on(colour: QColor) -> QColor:
    """Black or white, whichever reads better on ``colour`` (WCAG relative luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )
    return QColor("#000000") if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else QColor("#ffffff")
