"""The chat view: a scroll area that measures and paints only the rows on screen.

A ``QListView`` with non-uniform item sizes lays out every row before it shows anything
(about a minute at a million messages). This view keeps its position as a top row plus a
pixel offset into it; the scroll bar counts rows, and only the rows that cover the viewport
(plus the last screenful, to know where scrolling stops) are ever measured. Opening a
million-message conversation therefore costs the same as opening ten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QFrame,
    QStyle,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from reviewer.gui.chat.delegate import BubbleDelegate, Theme
from reviewer.gui.chat.model import MessageListModel, tooltip
from reviewer.gui.chat.thumbnails import ThumbnailMaker
from reviewer.gui.media_blur import BlurRule


class ChatView(QAbstractScrollArea):
    """Bubbles of one ``MessageListModel``, keyboard-first.

    Signals:
        currentMessageChanged(int): the current message id (-1 when none).
        selectionChanged(list): the selected message ids, in conversation order.
        mediaActivated(int, int): message id and attachment index of a double-clicked thumbnail.
        revealChanged(): a thumbnail was revealed, or reveal-all toggled.
    """

    currentMessageChanged = Signal(int)
    selectionChanged = Signal(list)
    mediaActivated = Signal(int, int)
    revealChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: MessageListModel | None = None
        self._delegate = BubbleDelegate(self)
        self.blur = BlurRule(self)
        self.blur.changed.connect(self._blur_changed)
        self._delegate.is_blurred = self.is_blurred
        self._delegate.is_flagged = self.is_flagged
        self.thumbnails = ThumbnailMaker(self)
        self.thumbnails.made.connect(self.viewport().update)
        self._delegate.missing_thumbnail = self.thumbnails.request
        self._top_row = 0
        self._top_offset = 0  # pixels of the top row scrolled above the viewport
        self._current = -1
        self._anchor = -1
        self._selected: set[int] = set()
        self._visible: list[tuple[int, int, int]] | None = None  # (row, y, height)
        self._max_top: tuple[int, int] | None = None  # the bottom-aligned top position
        self._syncing = False
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.verticalScrollBar().valueChanged.connect(self._on_scrollbar)

    # -- model and delegate ------------------------------------------------------------------

    def model(self) -> MessageListModel | None:
        return self._model

    def set_model(self, model: MessageListModel | None) -> None:
        if self._model is not None:
            self._model.modelReset.disconnect(self._on_reset)
            self._model.dataChanged.disconnect(self._on_data_changed)
            self._model.rowsInserted.disconnect(self._on_reset)
            self._model.rowsRemoved.disconnect(self._on_reset)
            self._model.layoutChanged.disconnect(self._on_reset)
        self._model = model
        if model is not None:
            model.modelReset.connect(self._on_reset)
            model.dataChanged.connect(self._on_data_changed)
            model.rowsInserted.connect(self._on_reset)
            model.rowsRemoved.connect(self._on_reset)
            model.layoutChanged.connect(self._on_reset)
        self._on_reset()

    def delegate(self) -> BubbleDelegate:
        return self._delegate

    def set_taxonomy(self, taxonomy: Mapping[str, tuple[str, str]]) -> None:
        """Category key -> (label, colour) for tag chips."""
        self._delegate.set_taxonomy(taxonomy)
        self._relayout()

    def set_highlight_provider(
        self, provider: Callable[[int], Sequence[tuple[int, int]]] | None
    ) -> None:
        """Message id -> (start, end) character spans to highlight (lexicon hits)."""
        self._delegate.set_highlight_provider(provider)
        self.viewport().update()

    def set_image_mark_provider(self, provider: Callable[[int], str | None]) -> None:
        """Message id -> a label drawn over its thumbnails (a search hit "in image")."""
        self._delegate.image_mark = provider
        self.viewport().update()

    def set_custodian_id(self, participant_id: int | None) -> None:
        """The participant whose messages align right."""
        self._delegate.set_custodian_id(participant_id)
        self._relayout()

    # -- current message and selection -------------------------------------------------------

    def current_id(self) -> int:
        """The current message id, or -1."""
        if self._model is None:
            return -1
        message_id = self._model.id_at(self._current)
        return -1 if message_id is None else message_id

    def current_row(self) -> int:
        return self._current

    def selected_ids(self) -> list[int]:
        """The selected message ids, in conversation order."""
        if self._model is None:
            return []
        model = self._model
        return sorted(self._selected, key=model.row_of)

    def set_current_row(self, row: int, *, extend: bool = False, toggle: bool = False) -> None:
        """Make ``row`` current: select only it, extend from the anchor (Shift), or toggle it
        (Ctrl); then scroll it into view."""
        model = self._model
        if model is None or model.rowCount() == 0:
            return
        row = max(0, min(row, model.rowCount() - 1))
        message_id = model.id_at(row)
        assert message_id is not None
        before = set(self._selected)
        if extend and self._anchor >= 0:
            low, high = sorted((self._anchor, row))
            self._selected = {int(i) for i in model.ids()[low : high + 1]}
        elif toggle:
            self._selected ^= {message_id}
            self._anchor = row
        else:
            self._selected = {message_id}
            self._anchor = row
        changed_current = row != self._current
        self._current = row
        self.ensure_visible(row)
        self.viewport().update()
        if changed_current:
            self.currentMessageChanged.emit(message_id)
        if self._selected != before:
            self.selectionChanged.emit(self.selected_ids())

    def jump_to(self, message_id: int) -> bool:
        """Make ``message_id`` current and selected, centred in the view; False if absent."""
        if self._model is None:
            return False
        row = self._model.row_of(message_id)
        if row < 0:
            return False
        self._anchor = -1
        self.set_current_row(row)
        self.centre_on(row)
        return True

    def clear_selection(self) -> None:
        if self._selected:
            self._selected.clear()
            self.viewport().update()
            self.selectionChanged.emit([])

    # -- refresh and reveal ------------------------------------------------------------------

    def refresh(self, ids: Iterable[int] | None = None) -> None:
        """Re-read these messages (or every cached one) after tags, notes or states changed."""
        if self._model is None:
            return
        if ids is None:
            ids = [i for i in (self._model.id_at(r) for r, _y, _h in self._layout()) if i]
        ids = list(ids)
        self._delegate.forget(ids)
        self._model.invalidate(ids)
        self._relayout()

    def set_blur_rule(self, rule: BlurRule) -> None:
        """Share the window's blur rule (with the media viewer and grid)."""
        self.blur.changed.disconnect(self._blur_changed)
        self.blur = rule
        rule.changed.connect(self._blur_changed)
        self._blur_changed()

    def _blur_changed(self) -> None:
        self.viewport().update()
        self.revealChanged.emit()

    def is_revealed(self, message_id: int) -> bool:
        """Whether the unflagged thumbnails of a message are shown."""
        return self.blur.message_revealed(message_id)

    def is_blurred(self, message_id: int, sha256: str | None) -> bool:
        return self.blur.is_blurred(sha256, message_id)

    def is_flagged(self, message_id: int, sha256: str | None) -> bool:
        return self.blur.is_flagged(sha256, message_id)

    def reveal(self, message_id: int, revealed: bool = True) -> None:
        """Show (or blur again) the unflagged thumbnails of one message. Never persisted."""
        self.blur.reveal_message(message_id, revealed)

    def reveal_pictures(self, message_id: int, index: int | None = None) -> None:
        """Reveal one thumbnail of a message (or each), as a click or V asks: a flagged
        picture only after the reviewer confirms."""
        view = self._model.cached(message_id) if self._model is not None else None
        if view is None:
            return
        for i, attachment in enumerate(view.attachments):
            if (index is None or i == index) and attachment.thumbnail is not None:
                self.blur.request_reveal(self, attachment.sha256, message_id)

    def set_reveal_all(self, revealed: bool) -> None:
        """Show every unflagged thumbnail, or blur them all again (clears single reveals)."""
        self.blur.set_reveal_all(revealed)

    def reveal_all(self) -> bool:
        return self.blur.reveal_all

    # -- geometry ----------------------------------------------------------------------------

    def top_position(self) -> tuple[int, int]:
        """(top row, pixels of it scrolled above the viewport)."""
        return self._top_row, self._top_offset

    def visible_rows(self) -> list[tuple[int, QRect]]:
        """The rows on screen with their rectangles in viewport coordinates."""
        width = self.viewport().width()
        return [(row, QRect(0, y, width, h)) for row, y, h in self._layout()]

    def row_at(self, pos: QPoint) -> int:
        """The row under a viewport position, or -1."""
        for row, y, h in self._layout():
            if y <= pos.y() < y + h:
                return row
        return -1

    def visual_rect(self, row: int) -> QRect:
        """The row's rectangle in viewport coordinates (empty when it is off screen)."""
        for r, rect in self.visible_rows():
            if r == row:
                return rect
        return QRect()

    def ensure_visible(self, row: int) -> None:
        """Scroll as little as needed to show the whole row (its top when it is taller than
        the viewport)."""
        vh = self.viewport().height()
        layout = self._layout()
        for r, y, h in layout:
            if r == row:
                if y >= 0 and (y + h <= vh or y == 0):
                    return
                break
        if row <= self._top_row:
            self._set_top(row, 0)
            return
        height = self._row_height(row)
        if height >= vh:
            self._set_top(row, 0)
            return
        # bottom-align the row
        space = vh - height
        r = row
        while r > 0 and space > 0:
            r -= 1
            h = self._row_height(r)
            if h >= space:
                self._set_top(r, h - space)
                return
            space -= h
        self._set_top(0, 0)

    def centre_on(self, row: int) -> None:
        """Scroll so that ``row`` sits in the middle of the viewport."""
        vh = self.viewport().height()
        height = self._row_height(row)
        space = (vh - height) // 2
        r = row
        while r > 0 and space > 0:
            r -= 1
            h = self._row_height(r)
            if h >= space:
                self._set_top(r, h - space)
                return
            space -= h
        self._set_top(r, 0)

    def scroll_by(self, dy: int) -> None:
        """Scroll by ``dy`` pixels (positive: towards later messages)."""
        model = self._model
        if model is None or model.rowCount() == 0:
            return
        row, offset = self._top_row, self._top_offset + dy
        last = model.rowCount() - 1
        while offset < 0 and row > 0:
            row -= 1
            offset += self._row_height(row)
        offset = max(offset, 0)
        while row < last:
            h = self._row_height(row)
            if offset < h:
                break
            offset -= h
            row += 1
        self._set_top(row, offset)

    # -- internals ---------------------------------------------------------------------------

    def _option(self) -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        option.initFrom(self)
        option.rect = QRect(0, 0, self.viewport().width(), 0)
        option.font = self.font()
        option.widget = self
        return option

    def _row_height(self, row: int) -> int:
        assert self._model is not None
        return max(self._delegate.sizeHint(self._option(), self._model.index(row)).height(), 1)

    def _layout(self) -> list[tuple[int, int, int]]:
        if self._visible is not None:
            return self._visible
        visible: list[tuple[int, int, int]] = []
        model = self._model
        if model is not None and model.rowCount() > 0:
            vh = self.viewport().height()
            count = model.rowCount()
            option = self._option()
            y = -self._top_offset
            row = self._top_row
            while row < count and y < vh:
                h = max(self._delegate.sizeHint(option, model.index(row)).height(), 1)
                visible.append((row, y, h))
                y += h
                row += 1
        self._visible = visible
        return visible

    def _max_top_position(self) -> tuple[int, int]:
        if self._max_top is None:
            model = self._model
            if model is None or model.rowCount() == 0:
                self._max_top = (0, 0)
            else:
                vh = self.viewport().height()
                row = model.rowCount() - 1
                total = self._row_height(row)
                while total < vh and row > 0:
                    row -= 1
                    total += self._row_height(row)
                self._max_top = (row, max(total - vh, 0))
        return self._max_top

    def _set_top(self, row: int, offset: int) -> None:
        max_row, max_offset = self._max_top_position()
        if (row, offset) > (max_row, max_offset):
            row, offset = max_row, max_offset
        row, offset = max(row, 0), max(offset, 0)
        if (row, offset) != (self._top_row, self._top_offset):
            self._top_row, self._top_offset = row, offset
            self._visible = None
            self.viewport().update()
        self._sync_scrollbar()

    def _sync_scrollbar(self) -> None:
        bar = self.verticalScrollBar()
        max_row, max_offset = self._max_top_position()
        maximum = max_row + (1 if max_offset > 0 else 0)
        self._syncing = True
        try:
            bar.setRange(0, maximum)
            bar.setPageStep(max(len(self._layout()) - 1, 1))
            bar.setSingleStep(1)
            at_end = (self._top_row, self._top_offset) == (max_row, max_offset) and max_offset > 0
            bar.setValue(maximum if at_end else self._top_row)
        finally:
            self._syncing = False

    def _on_scrollbar(self, value: int) -> None:
        if self._syncing:
            return
        max_row, max_offset = self._max_top_position()
        if value > max_row or (value == max_row and max_offset > 0):
            self._set_top(max_row, max_offset)
        else:
            self._set_top(value, 0)

    def _relayout(self) -> None:
        self._visible = None
        self._max_top = None
        self._set_top(self._top_row, self._top_offset)
        self.viewport().update()

    def _on_reset(self) -> None:
        self._top_row = self._top_offset = 0
        self._current = self._anchor = -1
        had_selection = bool(self._selected)
        self._selected.clear()
        self._delegate.forget()
        self._relayout()
        if had_selection:
            self.selectionChanged.emit([])

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        model = self._model
        if model is None:
            return
        rows = range(top_left.row(), bottom_right.row() + 1)
        if len(rows) <= 1000:
            self._delegate.forget(i for i in (model.id_at(r) for r in rows) if i is not None)
        else:
            self._delegate.forget()
        self._relayout()

    def _move(self, delta: int, extend: bool) -> None:
        model = self._model
        if model is None or model.rowCount() == 0:
            return
        start = self._current if self._current >= 0 else self._top_row
        target = start + delta if self._current >= 0 else start
        self.set_current_row(target, extend=extend)

    def _page_rows(self) -> int:
        rows = [r for r, y, h in self._layout() if y >= 0 and y + h <= self.viewport().height()]
        return max(len(rows), 1)

    # -- Qt overrides ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """Override QAbstractScrollArea::paintEvent."""
        painter = QPainter(self.viewport())
        theme = Theme.for_palette(self.palette())
        painter.fillRect(event.rect(), theme.background)
        model = self._model
        if model is None or model.rowCount() == 0:
            painter.setPen(theme.muted)
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, "No messages")
            return
        option = self._option()
        width = self.viewport().width()
        base_state = option.state
        for row, y, h in self._layout():
            rect = QRect(0, y, width, h)
            if not rect.intersects(event.rect()):
                continue
            index = model.index(row)
            option.rect = rect
            state = base_state & ~QStyle.StateFlag.State_HasFocus
            message_id = model.id_at(row)
            if message_id in self._selected:
                state |= QStyle.StateFlag.State_Selected
            if row == self._current:
                state |= QStyle.StateFlag.State_HasFocus
            option.state = state
            self._delegate.paint(painter, option, index)
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Override QAbstractScrollArea::resizeEvent."""
        super().resizeEvent(event)
        self._relayout()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Override QAbstractScrollArea::wheelEvent (smooth, in pixels)."""
        pixels = event.pixelDelta().y()
        if pixels == 0:
            lines = QApplication.wheelScrollLines()
            pixels = int(event.angleDelta().y() / 120 * lines * self.fontMetrics().height())
        self.scroll_by(-pixels)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Override QAbstractScrollArea::keyPressEvent: j/k, arrows, pages, Home/End; V
        reveals the current message's pictures."""
        key = event.key()
        extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        model = self._model
        count = model.rowCount() if model is not None else 0
        if key in (Qt.Key.Key_J, Qt.Key.Key_Down):
            self._move(1, extend)
        elif key in (Qt.Key.Key_K, Qt.Key.Key_Up):
            self._move(-1, extend)
        elif key == Qt.Key.Key_PageDown:
            self._move(self._page_rows(), extend)
        elif key == Qt.Key.Key_PageUp:
            self._move(-self._page_rows(), extend)
        elif key == Qt.Key.Key_Home and count:
            self.set_current_row(0, extend=extend)
        elif key == Qt.Key.Key_End and count:
            self.set_current_row(count - 1, extend=extend)
        elif key == Qt.Key.Key_V and self.current_id() >= 0:
            self.reveal_pictures(self.current_id())
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Override QAbstractScrollArea::mousePressEvent: select; a click on a blurred
        thumbnail reveals it."""
        pos = event.position().toPoint()
        row = self.row_at(pos)
        if row < 0 or self._model is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        modifiers = event.modifiers()
        shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        if event.button() == Qt.MouseButton.LeftButton and not (shift or ctrl):
            message_id = self._model.id_at(row)
            index = self._thumbnail_at(row, pos) if message_id is not None else None
            if message_id is not None and index is not None:
                self.reveal_pictures(message_id, index)
        if (
            event.button() == Qt.MouseButton.RightButton
            and self._model.id_at(row) in self._selected
        ):
            self._current = row  # keep a multi-selection for the context menu
            self.viewport().update()
        else:
            self.set_current_row(row, extend=shift, toggle=ctrl and not shift)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Override QAbstractScrollArea::mouseReleaseEvent (presses were handled)."""
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Override QAbstractScrollArea::mouseDoubleClickEvent: open a thumbnail's media."""
        pos = event.position().toPoint()
        row = self.row_at(pos)
        if row >= 0 and self._model is not None:
            index = self._thumbnail_at(row, pos)
            message_id = self._model.id_at(row)
            if index is not None and message_id is not None:
                self.mediaActivated.emit(message_id, index)
                event.accept()
                return
        super().mouseDoubleClickEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        """Override QAbstractScrollArea::viewportEvent: tooltips with exact times."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row = self.row_at(event.pos())
            view = self._model.message(row) if self._model is not None and row >= 0 else None
            if view is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), tooltip(view), self.viewport())
            return True
        return super().viewportEvent(event)

    def _thumbnail_at(self, row: int, pos: QPoint) -> int | None:
        assert self._model is not None
        for r, y, h in self._layout():
            if r == row:
                option = self._option()
                option.rect = QRect(0, y, self.viewport().width(), h)
                return self._delegate.thumbnail_at(
                    option, self._model.index(row), pos - QPoint(0, y)
                )
        return None
