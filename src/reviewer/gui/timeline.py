"""The timeline strip above the chat view: messages per day, tagged ones overlaid; a click on
a day jumps to its first message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

TAGGED_COLOUR = QColor("#d64545")
#: Widest bar a day gets: a case of a few days shows narrow bars centred in their slots, not
#: one solid block across the strip.
MAX_BAR_WIDTH = 14


_TIP = "Messages per day; tagged messages in red. Click a day to go there."


@dataclass(frozen=True, slots=True)
class Day:
    date: dt.date
    first_id: int
    count: int
    tagged: int


class TimelineStrip(QWidget):
    """Bars per day (or per group of days when there are more days than pixels).

    Signals:
        dayClicked(int): the first message id of the day clicked.
    """

    dayClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[Day] = []
        self._current: dt.date | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.zone_note = ""  # the zone the days are in, when not the exhibit's own
        self.setToolTip(_TIP)

    def set_zone_note(self, note: str) -> None:
        """Say which zone the days are read in (a reconciled chat: its earliest-imported
        exhibit's); empty for a conversation, whose days are its own exhibit's."""
        self.zone_note = note
        self.setToolTip(_TIP + (f" Days in {note}." if note else ""))

    def sizeHint(self) -> QSize:
        return QSize(400, 48)

    def minimumSizeHint(self) -> QSize:
        return QSize(100, 48)

    def set_days(self, rows: Sequence[Sequence[Any]]) -> None:
        """Rows of ``browse.day_index``: (date, first_id, count, tagged_count)."""
        days: list[Day] = []
        for row in rows:
            date, first, count, tagged = row[0], row[1], row[2], row[3]
            if isinstance(date, str):
                date = dt.date.fromisoformat(date[:10])
            assert isinstance(date, dt.date)
            days.append(Day(date, int(first), int(count), int(tagged)))
        self._days = days
        self.update()

    @property
    def days(self) -> list[Day]:
        return list(self._days)

    def set_current_date(self, date: dt.date | None) -> None:
        if date != self._current:
            self._current = date
            self.update()

    # -- geometry --------------------------------------------------------------------------

    def _span(self) -> tuple[dt.date, int] | None:
        if not self._days:
            return None
        first = self._days[0].date
        return first, (self._days[-1].date - first).days + 1

    def _x(self, date: dt.date) -> int:
        """The left edge of ``date``'s bar: slots of equal width, the bar centred in its slot."""
        span = self._span()
        assert span is not None
        first, ndays = span
        width = self.width() - 8
        slot = width / ndays
        return 4 + int((date - first).days * slot + max(0.0, (slot - self._bar_width()) / 2))

    def _bar_width(self) -> int:
        span = self._span()
        ndays = span[1] if span is not None else 1
        return max(1, min(MAX_BAR_WIDTH, int((self.width() - 8) / ndays) - 1))

    def day_at(self, x: int) -> Day | None:
        """The nearest day with messages to pixel ``x``."""
        span = self._span()
        if span is None:
            return None
        first, ndays = span
        width = max(1, self.width() - 8)
        offset = int((x - 4) * ndays / width)
        target = first + dt.timedelta(days=max(0, min(ndays - 1, offset)))
        return min(self._days, key=lambda d: abs((d.date - target).days))

    # -- painting and input ----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        span = self._span()
        if span is None:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No messages")
            return
        first = span[0]
        top, bottom = 4, self.height() - 4
        height = bottom - top
        # Bucket days into pixel columns so years of messages still draw every day.
        columns: dict[int, tuple[int, int]] = {}
        for day in self._days:
            x = self._x(day.date)
            count, tagged = columns.get(x, (0, 0))
            columns[x] = (count + day.count, tagged + day.tagged)
        peak = max(c for c, _ in columns.values()) or 1
        bar_width = self._bar_width()
        base = palette.color(QPalette.ColorRole.Highlight)
        base.setAlpha(150)
        for x, (count, tagged) in columns.items():
            h = max(2, int(height * count / peak))
            painter.fillRect(QRect(x, bottom - h, bar_width, h), base)
            if tagged:
                th = max(3, int(height * tagged / peak))
                painter.fillRect(QRect(x, bottom - th, bar_width, th), TAGGED_COLOUR)
        if len(self._days) == 1:  # one bar says little on its own: name the day
            day = self._days[0]
            zone = f" ({self.zone_note})" if self.zone_note else ""
            text = f"{day.date:%a %d %b %Y}{zone}: {day.count:,} messages"
            if day.tagged:
                text += f", {day.tagged:,} tagged"
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            left = self._x(day.date) + bar_width + 8
            painter.drawText(
                QRect(left, top, max(0, self.width() - left - 4), height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        if self._current is not None and first <= self._current:
            x = self._x(self._current) + bar_width // 2
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawLine(QPoint(x, top - 2), QPoint(x, bottom + 2))
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(QPoint(0, self.height() - 1), QPoint(self.width(), self.height() - 1))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(int(event.position().x()))
        if day is not None:
            text = f"{day.date:%a %d %b %Y}: {day.count:,} messages"
            if day.tagged:
                text += f", {day.tagged:,} tagged"
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            day = self.day_at(int(event.position().x()))
            if day is not None:
                self.set_current_date(day.date)
                self.dayClicked.emit(day.first_id)
        super().mousePressEvent(event)
