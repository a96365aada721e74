"""The chat view on a reconciled chat (DESIGN.md §9): each message once, as its
earliest-imported copy (so tagging and review act on that message, as everywhere else), with
badges for the exhibits that hold it, where a phone shows it deleted and which exhibits lack
it in range; a filter bar narrows to messages deleted on some phone or missing from one
exhibit. Badges are read a page at a time, for the rows the view lays out."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from reviewer.services import browse, reconciled_browse
from reviewer.services.reconciled_browse import Badges, ReconciledChatInfo

if TYPE_CHECKING:
    from reviewer.gui.main_window import MainWindow

HELD_COLOUR: Final = "#5f6b7a"
DELETED_COLOUR: Final = "#c5221f"
MISSING_COLOUR: Final = "#b06000"

ALL: Final = ""
DELETED: Final = "deleted"
MISSING: Final = "missing:"  # + exhibit reference


def badge_chips(badges: Badges) -> list[tuple[str, str]]:
    """(label, colour) chips: the exhibits holding the message (its deleted copies named as
    such), then the exhibits lacking it in range."""
    chips = [(ref, HELD_COLOUR) for ref in badges.held_on if ref not in badges.deleted_on]
    chips += [(f"deleted on {ref}", DELETED_COLOUR) for ref in badges.deleted_on]
    chips += [(f"missing from {ref}", MISSING_COLOUR) for ref in badges.missing_from]
    return chips


class ReconciledFilterBar(QWidget):
    """'Reconciled chat: NAME  Show: [All messages | Deleted on some phone | Missing from X]'.

    Signals:
        filterChanged(str): ``ALL``, ``DELETED`` or ``MISSING`` + exhibit reference.
    """

    filterChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.filter_box = QComboBox()
        self.filter_box.setObjectName("reconciledFilter")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.title, 1)
        layout.addWidget(QLabel("Show:"))
        layout.addWidget(self.filter_box)
        self.filter_box.currentIndexChanged.connect(
            lambda _i: self.filterChanged.emit(str(self.filter_box.currentData()))
        )

    def set_chat(self, chat: ReconciledChatInfo) -> None:
        self.title.setText(f"<b>{chat.label}</b>")
        self.filter_box.blockSignals(True)
        self.filter_box.clear()
        self.filter_box.addItem("All messages", ALL)
        self.filter_box.addItem("Deleted on some phone", DELETED)
        for ref in chat.exhibits:
            self.filter_box.addItem(f"Missing from {ref}", MISSING + ref)
        self.filter_box.blockSignals(False)

    def choose(self, value: str) -> None:
        """Select the filter ``value`` (emits filterChanged when it changes)."""
        index = self.filter_box.findData(value)
        if index >= 0:
            self.filter_box.setCurrentIndex(index)


class ReconciledController(QObject):
    """Shows reconciled chats in the main window's chat view."""

    def __init__(self, window: MainWindow, *, cache_size: int = 4000) -> None:
        super().__init__(window)
        self.window = window
        self.bar = ReconciledFilterBar()
        self.bar.hide()
        self.bar.filterChanged.connect(self._filter)
        self.chats: list[ReconciledChatInfo] = []
        self.chat: ReconciledChatInfo | None = None
        self._cache: OrderedDict[int, Badges] = OrderedDict()
        self._cache_size = cache_size
        self.fetches = 0  # pages of badges read (for tests)

    def refresh(self) -> None:
        """Re-read the reconciled chats into the navigator."""
        self.chats = reconciled_browse.reconciled_chats(self.window.case)
        self.window.navigator.set_reconciled_chats(self.chats)

    def show_chat(self, chat_id: int) -> None:
        chat = next((c for c in self.chats if c.id == chat_id), None)
        if chat is None:
            return
        window = self.window
        window.leave_conversation()
        self.chat = chat
        self._cache.clear()
        window.navigator.select_reconciled(chat_id)
        self.bar.set_chat(chat)
        self.bar.show()
        window.timeline.hide()  # its days are a conversation's
        window.chat.set_custodian_id(None)
        window.chat.delegate().set_badge_provider(self.badges)
        self._filter(ALL)

    def leave(self) -> None:
        """Back to a plain conversation: no badges, no filter bar."""
        if self.chat is None:
            return
        self.chat = None
        self._cache.clear()
        self.bar.hide()
        self.window.timeline.show()
        self.window.chat.delegate().set_badge_provider(None)

    def _filter(self, value: str) -> None:
        if self.chat is None:
            return
        ids = reconciled_browse.reconciled_message_ids(
            self.window.case,
            self.chat.id,
            deleted=value == DELETED,
            missing_from=value.removeprefix(MISSING) if value.startswith(MISSING) else None,
        )
        self.window.model.set_ids(ids)

    def badges(self, message_id: int) -> Sequence[tuple[str, str]]:
        """Chips for ``message_id``; the page of rows around it is read when not cached."""
        found = self._cache.get(message_id)
        if found is None:
            self._fetch_page(message_id)
            found = self._cache.get(message_id)
        else:
            self._cache.move_to_end(message_id)
        return badge_chips(found) if found is not None else ()

    def _fetch_page(self, message_id: int) -> None:
        model = self.window.model
        row = model.row_of(message_id)
        if row < 0:
            wanted = [message_id]
        else:
            start = row - row % browse.PAGE_SIZE
            ids = model.ids()
            wanted = [int(i) for i in ids[start : start + browse.PAGE_SIZE]]
            wanted = [i for i in wanted if i not in self._cache] or [message_id]
        self.fetches += 1
        page = reconciled_browse.copies_page(self.window.case, wanted)
        for mid in wanted:
            self._cache[mid] = page.get(mid, Badges((), (), ()))
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
