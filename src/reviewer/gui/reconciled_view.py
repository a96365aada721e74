"""The chat view on a reconciled chat (DESIGN.md §9): each message once, as its
earliest-imported copy (so tagging and review act on that message, as everywhere else), with
badges for the exhibits that hold it, where a phone shows it deleted and which exhibits lack
it in range; a filter bar narrows to messages deleted on some phone or missing from one
exhibit, and a search in the chat keeps to them (``narrow``). The ordered ids (a whole chat)
are read off the UI thread; badges a page at a time, for the rows the view lays out."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from reviewer.gui.tasks import Task
from reviewer.services import browse, reconciled_browse, search
from reviewer.services.reconciled_browse import Badges, ReconciledChatInfo

if TYPE_CHECKING:
    from reviewer.gui.main_window import MainWindow

log = logging.getLogger(__name__)

HELD_COLOUR: Final = "#5f6b7a"
DELETED_COLOUR: Final = "#c5221f"
MISSING_COLOUR: Final = "#b06000"
TAGGED_COLOUR: Final = "#6a1b9a"

ALL: Final = ""
DELETED: Final = "deleted"
MISSING: Final = "missing:"  # + exhibit reference


def badge_chips(badges: Badges) -> list[tuple[str, str]]:
    """(label, colour) chips: the exhibits holding the message (its deleted copies named as
    such), the exhibits lacking it in range, then those whose other copy is tagged (tags in
    this view go on the earliest-imported copy)."""
    chips = [(ref, HELD_COLOUR) for ref in badges.held_on if ref not in badges.deleted_on]
    chips += [(f"deleted on {ref}", DELETED_COLOUR) for ref in badges.deleted_on]
    chips += [(f"missing from {ref}", MISSING_COLOUR) for ref in badges.missing_from]
    chips += [(f"tagged on {ref}", TAGGED_COLOUR) for ref in badges.tagged_on]
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
        self._request = 0  # the newest id read; older results are dropped
        self.filter = ALL  # the filter bar's choice: ALL, DELETED or MISSING + reference

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
        window.chat.set_custodian_id(None)
        window.chat.delegate().set_badge_provider(self.badges)
        window.model.set_ids(range(0))  # until the chat's ids are read
        clock = reconciled_browse.chat_clock(window.case, chat_id)
        window.timeline.set_zone_note(f"{clock.zone}, the zone of {clock.exhibit}")
        self._filter(ALL)
        window._read_timeline()  # the chat's days, each message once
        window.refresh_counts_for_view()

    def leave(self) -> None:
        """Back to a plain conversation: no badges, no filter bar."""
        if self.chat is None:
            return
        self.chat = None
        self.filter = ALL
        self._request += 1
        self._cache.clear()
        self.bar.hide()
        self.window.timeline.set_zone_note("")
        self.window.chat.delegate().set_badge_provider(None)
        self.window.refresh_counts_for_view()

    def narrow(self, filters: search.SearchFilters) -> search.SearchFilters:
        """A search in the open chat: its messages once each, under the filter bar's choice
        (deleted on some phone, missing from an exhibit), so the hits are rows shown."""
        if self.chat is None:
            return filters
        value = self.filter
        return replace(
            filters,
            reconciled_chat=self.chat.id,
            deleted_somewhere=value == DELETED,
            missing_from=value.removeprefix(MISSING) if value.startswith(MISSING) else None,
        )

    def _filter(self, value: str) -> None:
        """Read the chat's ids under filter ``value`` in the background, then show them (and
        search again under it when a search is on)."""
        if self.chat is None:
            return
        changed = value != self.filter
        self.filter = value
        if changed and not self.window.search_bar.request().empty:
            self.window.run_search(jump=False)
        self._request += 1
        request = self._request
        case, chat_id = self.window.case, self.chat.id
        missing = value.removeprefix(MISSING) if value.startswith(MISSING) else None

        def read(_progress: Any, _cancel: Any) -> Sequence[int]:
            return reconciled_browse.reconciled_message_ids(
                case, chat_id, deleted=value == DELETED, missing_from=missing
            )

        def done(ids: Sequence[int]) -> None:
            if request == self._request:
                self.window.model.set_ids(ids)

        Task(read, writer=False, parent=self).success(done).failure(
            lambda exc: log.warning("reconciled chat: %s", exc)
        ).run()

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
