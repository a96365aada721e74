"""The search and filter bar: text, regex, sender, category, dates, kind, untagged and
unreviewed; "n of N" with previous and next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from reviewer.review.taxonomy import Category

IN_IMAGE = "in image"
KINDS = ("text", "media", "system", "deleted", "poll", "location", "contact", "call", "unparsed")


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What the bar asks for; the main window turns it into ``services.search`` calls."""

    text: str
    regex: bool
    sender: str | None
    category: str | None
    date_from: dt.date | None
    date_to: dt.date | None
    kind: str | None
    untagged: bool
    unreviewed: bool

    @property
    def empty(self) -> bool:
        return not (
            self.text
            or self.sender
            or self.category
            or self.date_from
            or self.date_to
            or self.kind
            or self.untagged
            or self.unreviewed
        )


class SearchBar(QWidget):
    """Signals:
    searchRequested(): Enter in the text box or a filter changed.
    nextRequested(), previousRequested(): step through the hits.
    """

    searchRequested = Signal()
    nextRequested = Signal()
    previousRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setPlaceholderText("Search messages (Ctrl+F)")
        self.text.setToolTip(
            'Words, "quoted phrases", prefix*, OR, -exclude; emoji and symbols too '
            "(🐒, 👍🏽, 🇬🇧, £) — no regex needed"
        )
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(220)
        self.text.returnPressed.connect(self.searchRequested)
        self.regex = QCheckBox("Regex")
        self.regex.setToolTip("Treat the text as a regular expression")
        self.sender_box = QComboBox()
        self.sender_box.setToolTip("Sender")
        self.sender_box.setMinimumContentsLength(10)
        self.sender_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.category = QComboBox()
        self.category.setToolTip("Category")
        self.category.setMinimumContentsLength(12)
        self.category.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText("from YYYY-MM-DD")
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText("to YYYY-MM-DD")
        for edit in (self.date_from, self.date_to):
            edit.setMaximumWidth(120)
            edit.setInputMask("")
            edit.returnPressed.connect(self.searchRequested)
        self.kind = QComboBox()
        self.kind.setToolTip("Message kind")
        self.kind.addItem("Any kind", None)
        for kind in KINDS:
            self.kind.addItem(kind, kind)
        self.untagged = QCheckBox("Untagged")
        self.unreviewed = QCheckBox("Unreviewed")
        self.position = QLabel("")
        self.position.setMinimumWidth(70)
        self.position.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.previous = QToolButton()
        self.previous.setText("‹")
        self.previous.setToolTip("Previous hit (P)")
        self.previous.clicked.connect(self.previousRequested)
        self.next = QToolButton()
        self.next.setText("›")
        self.next.setToolTip("Next hit (N)")
        self.next.clicked.connect(self.nextRequested)
        self.set_senders([])
        self.set_categories([])
        for box in (self.sender_box, self.category, self.kind):
            box.activated.connect(lambda _i: self.searchRequested.emit())
        for check in (self.regex, self.untagged, self.unreviewed):
            check.toggled.connect(lambda _on: self.searchRequested.emit())

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.text, 3)
        layout.addWidget(self.regex)
        layout.addWidget(self.sender_box, 1)
        layout.addWidget(self.category, 1)
        layout.addWidget(self.date_from)
        layout.addWidget(self.date_to)
        layout.addWidget(self.kind)
        layout.addWidget(self.untagged)
        layout.addWidget(self.unreviewed)
        layout.addWidget(self.position)
        layout.addWidget(self.previous)
        layout.addWidget(self.next)
        self.set_position(None, None)

    def set_senders(self, names: Sequence[str]) -> None:
        current = self.sender_box.currentData()
        self.sender_box.clear()
        self.sender_box.addItem("Any sender", None)
        for name in names:
            self.sender_box.addItem(name, name)
        self.sender_box.setCurrentIndex(max(0, self.sender_box.findData(current)))

    def set_categories(self, categories: Sequence[Category]) -> None:
        current = self.category.currentData()
        self.category.clear()
        self.category.addItem("Any category", None)
        for category in categories:
            indent = "   " * category.key.count(".")
            self.category.addItem(indent + category.label, category.key)
        self.category.setCurrentIndex(max(0, self.category.findData(current)))

    def set_category(self, key: str | None) -> None:
        self.category.setCurrentIndex(max(0, self.category.findData(key)))

    def request(self) -> SearchRequest:
        return SearchRequest(
            text=self.text.text().strip(),
            regex=self.regex.isChecked(),
            sender=self.sender_box.currentData(),
            category=self.category.currentData(),
            date_from=_date(self.date_from.text()),
            date_to=_date(self.date_to.text()),
            kind=self.kind.currentData(),
            untagged=self.untagged.isChecked(),
            unreviewed=self.unreviewed.isChecked(),
        )

    def set_position(self, index: int | None, total: int | None, *, in_image: bool = False) -> None:
        """Show "n of N"; None hides it (no search), 0 hits says so; ``in_image``: the current
        hit's words are only in the text read from its image ("n of N · in image")."""
        self.position.setToolTip("")
        if total is None:
            self.position.setText("")
        elif total == 0:
            self.position.setText("no hits")
        else:
            text = f"{(index or 0) + 1:,} of {total:,}" if index is not None else f"{total:,} hits"
            if in_image and index is not None:
                text += f" · {IN_IMAGE}"
                self.position.setToolTip(
                    "Found in the text read from the message's image (machine-read OCR), not "
                    "in the message text"
                )
            self.position.setText(text)
        has = bool(total)
        self.previous.setEnabled(has)
        self.next.setEnabled(has)

    def focus_text(self) -> None:
        self.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.text.selectAll()


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
