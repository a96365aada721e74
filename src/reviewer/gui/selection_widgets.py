"""The pieces the export and package dialogs share to say what to take: a list of check
boxes (exhibits, categories) and an optional date range."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
)


def checkable_list(
    entries: Iterable[tuple[str, str]], max_height: int | None = None
) -> QListWidget:
    """A list of unticked check boxes: (text shown, value returned by :func:`ticked`)."""
    widget = QListWidget()
    if max_height is not None:
        widget.setMaximumHeight(max_height)
    for text, value in entries:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        widget.addItem(item)
    return widget


def ticked(widget: QListWidget) -> tuple[str, ...]:
    """The values of the ticked entries, in list order."""
    values = []
    for row in range(widget.count()):
        item = widget.item(row)
        if item.checkState() == Qt.CheckState.Checked:
            values.append(str(item.data(Qt.ItemDataRole.UserRole)))
    return tuple(values)


class DateRange:
    """ "Only messages between [from] and [to]", off until ticked."""

    def __init__(self) -> None:
        self.use_dates = QCheckBox("Only messages between")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
            self.use_dates.toggled.connect(edit.setEnabled)
        self.row = QHBoxLayout()
        for widget in (self.use_dates, self.date_from, QLabel("and"), self.date_to):
            self.row.addWidget(widget)
        self.row.addStretch(1)

    def bounds(self) -> tuple[date | None, date | None]:
        """(from, to), both None when the range is not ticked."""
        if not self.use_dates.isChecked():
            return None, None
        return _day(self.date_from.date()), _day(self.date_to.date())


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
