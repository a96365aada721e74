"""The timeline strip: bars per day, a single day not drawn as one solid block."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from reviewer.gui.timeline import MAX_BAR_WIDTH, TimelineStrip


def bar_columns(strip: TimelineStrip) -> int:
    """How many pixel columns of the strip's lower half carry a bar's colour."""
    image = QImage(strip.size(), QImage.Format.Format_ARGB32)
    strip.render(image)
    background = QColor(image.pixel(1, strip.height() - 6))
    y = strip.height() - 6  # just above the bottom edge, where every bar is drawn
    return sum(1 for x in range(strip.width()) if QColor(image.pixel(x, y)) != background)


def test_a_single_day_is_a_narrow_bar_with_its_date(qtbot: QtBot) -> None:
    strip = TimelineStrip()
    qtbot.addWidget(strip)
    strip.resize(800, 48)
    strip.set_days([(dt.date(2024, 3, 14), 1, 8, 2)])
    assert 0 < bar_columns(strip) <= MAX_BAR_WIDTH + 1
    # the day is still found anywhere on the strip
    day = strip.day_at(700)
    assert day is not None and day.first_id == 1


def test_many_days_still_draw_every_day(qtbot: QtBot) -> None:
    strip = TimelineStrip()
    qtbot.addWidget(strip)
    strip.resize(400, 48)
    first = dt.date(2024, 1, 1)
    strip.set_days([(first + dt.timedelta(days=i), i + 1, 5, 0) for i in range(1000)])
    assert bar_columns(strip) > 300  # a column for (nearly) every pixel
