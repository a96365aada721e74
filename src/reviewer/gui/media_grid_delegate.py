"""Paints one media-grid tile: the thumbnail (blurred unless the reveal rule says otherwise),
badges for the sexual-content score, the near-duplicate group and its size, text read in the
picture and video, and under it the date and the message's tags."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from reviewer.gui.media_blur import FLAGGED_TEXT
from reviewer.gui.media_grid_model import TILE_ROLE, ThumbnailLoader
from reviewer.services.media_grid import MediaTile

_Index = QModelIndex | QPersistentModelIndex

#: The picture's square, the caption under it, the margin round a tile.
IMAGE_SIDE = 160
CAPTION_H = 38
MARGIN = 5
TILE_SIZE = QSize(IMAGE_SIDE + 2 * MARGIN, IMAGE_SIDE + CAPTION_H + 2 * MARGIN)

FLAGGED = QColor("#c62828")
SCORE = QColor(60, 60, 60, 215)
GROUP = QColor("#1565c0")
TEXT = QColor(30, 30, 30, 215)
HIDDEN_TEXT = "Hidden\nSpace reveals"


def badges(tile: MediaTile, flagged: bool) -> list[tuple[str, str]]:
    """The tile's badges as (corner, text): what the reviewer reads on the tile."""
    found: list[tuple[str, str]] = []
    if tile.score is not None or flagged:
        score = f"{tile.score:.2f}" if tile.score is not None else "suggested"
        found.append(("top-left", f"{'⚑ ' if flagged else ''}{score}"))
    if tile.group is not None:
        found.append(("top-right", f"≈{tile.group} ×{tile.group_size}"))
    if tile.has_text:
        found.append(("bottom-left", "Aa text"))
    if tile.is_video:
        found.append(("bottom-right", "▶ video"))
    return found


class TileDelegate(QStyledItemDelegate):
    """Tiles of a ``MediaGridModel``; pictures come from a :class:`ThumbnailLoader`.

    Attributes:
        blurred: tile -> whether its picture is blurred (the window's reveal rule).
        flagged: tile -> whether it is flagged as possibly sexual (the badge's colour).
    """

    def __init__(
        self,
        loader: ThumbnailLoader,
        taxonomy: Mapping[str, tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.loader = loader
        self.taxonomy = dict(taxonomy)
        self.blurred: Callable[[MediaTile], bool] = lambda _tile: True
        self.flagged: Callable[[MediaTile], bool] = lambda _tile: False

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return TILE_SIZE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        tile = index.data(TILE_ROLE)
        if not isinstance(tile, MediaTile):
            return
        rect: QRect = option.rect
        palette: QPalette = option.palette
        state = option.state
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        frame = rect.adjusted(2, 2, -2, -2)
        if state & QStyle.StateFlag.State_Selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(frame, 8, 8)
        square = QRect(rect.x() + MARGIN, rect.y() + MARGIN, IMAGE_SIDE, IMAGE_SIDE)
        self._paint_picture(painter, square, tile, palette)
        small = QFont(painter.font())
        small.setPixelSize(11)
        painter.setFont(small)
        flagged = self.flagged(tile)
        for corner, text in badges(tile, flagged):
            colour = {
                "top-left": FLAGGED if flagged else SCORE,
                "top-right": GROUP,
            }.get(corner, TEXT)
            _badge(painter, square, corner, text, colour)
        caption = QRect(square.x(), square.bottom() + 1, IMAGE_SIDE, CAPTION_H)
        self._paint_caption(painter, caption, tile, palette, state)
        painter.restore()

    def _paint_picture(
        self, painter: QPainter, square: QRect, tile: MediaTile, palette: QPalette
    ) -> None:
        clip = QPainterPath()
        clip.addRoundedRect(square, 6, 6)
        painter.save()
        painter.setClipPath(clip)
        painter.fillRect(square, palette.color(QPalette.ColorRole.Mid))
        decoded = self.loader.get(tile.thumbnail, tile.evidence)
        blurred = self.blurred(tile)
        if decoded is None:
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(square, Qt.AlignmentFlag.AlignCenter, "…")
        elif decoded.image is None or decoded.tiny is None:
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(
                square.adjusted(6, 6, -6, -6),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWrapAnywhere,
                f"No preview\n{tile.filename}",
            )
        else:
            fitted = decoded.image.size().scaled(square.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, fitted.width(), fitted.height())
            target.moveCenter(square.center())
            painter.drawImage(target, decoded.tiny if blurred else decoded.image)
        if blurred and decoded is not None and decoded.image is not None:
            painter.fillRect(square, QColor(0, 0, 0, 70))
            painter.setPen(QColor("#ffffff"))
            text = f"{FLAGGED_TEXT}\n{HIDDEN_TEXT}" if self.flagged(tile) else HIDDEN_TEXT
            painter.drawText(
                square.adjusted(4, 0, -4, 0),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                text,
            )
        painter.restore()

    def _paint_caption(
        self,
        painter: QPainter,
        caption: QRect,
        tile: MediaTile,
        palette: QPalette,
        state: QStyle.StateFlag,
    ) -> None:
        """The date on one line; the message's tags as chips on the next."""
        selected = bool(state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        line = QRect(caption.x() + 2, caption.y() + 1, caption.width() - 4, 16)
        stamp = (tile.timestamp or "").replace("T", " ")[:16]
        metrics = painter.fontMetrics()
        if tile.exhibits:  # a reconciled chat: the phones holding the message (time: tooltip)
            stamp = metrics.elidedText(
                f"{stamp[:10]} · {'+'.join(tile.exhibits)}",
                Qt.TextElideMode.ElideRight,
                line.width(),
            )
        painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, stamp)
        x, right = caption.x(), caption.right()
        top = line.bottom() + 2
        for n, key in enumerate(tile.tags):
            label, colour = self.taxonomy.get(key, (key, "#888888"))
            more = len(tile.tags) - n - 1
            room = right - x - 8 - (metrics.horizontalAdvance(f"+{more}") + 12 if more else 0)
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
            if len(text) < 4:  # no room for a readable label: say how many are left
                colour, text = "#666666", f"+{len(tile.tags) - n}"
                more = 0
            chip = QRect(x, top, metrics.horizontalAdvance(text) + 8, 16)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
            x = chip.right() + 4
            if text.startswith("+"):
                break


def _badge(painter: QPainter, square: QRect, corner: str, text: str, colour: QColor) -> None:
    metrics = painter.fontMetrics()
    box = QRect(0, 0, metrics.horizontalAdvance(text) + 10, metrics.height() + 4)
    inset = 5
    if corner.startswith("top"):
        box.moveTop(square.top() + inset)
    else:
        box.moveBottom(square.bottom() - inset)
    if corner.endswith("left"):
        box.moveLeft(square.left() + inset)
    else:
        box.moveRight(square.right() - inset)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
