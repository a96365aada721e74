"""The navigator pane on the left of the main window: exhibits and conversations,
participants with message counts, and the taxonomy with live counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from reviewer.review.taxonomy import Taxonomy
from reviewer.services.tagging import TAGGABLE_GROUPS

COUNTED_ONCE = "Tagged messages; a message held by several exhibits (reconciled) counts once"
COUNTED_PER_COPY = (
    "Tagged messages of every exhibit; a message held by several exhibits counts once for each "
    "exhibit's copy (a reconciled chat counts it once)"
)


class NavigatorPane(QTreeWidget):
    """Exhibits and conversations, participants with message counts, and the taxonomy with
    live counts.

    Signals:
        conversationActivated(int): a conversation was clicked.
        reconciledActivated(int): a reconciled chat was clicked.
        categoryActivated(str): a category was clicked (filter by it).
        participantActivated(str): a participant was clicked (filter by sender).
    """

    conversationActivated = Signal(int)
    reconciledActivated = Signal(int)
    categoryActivated = Signal(str)
    participantActivated = Signal(str)

    KIND_ROLE = Qt.ItemDataRole.UserRole
    VALUE_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)  # a few hundred rows at most, all one line
        self.setMinimumWidth(200)
        self.exhibits = self._section("Exhibits")
        self.reconciled = self._section("Reconciled chats")
        self.reconciled.setHidden(True)  # until reviewer reconcile has run
        self.participants = self._section("Participants")
        self.categories = self._section("Categories")
        self._category_items: dict[str, QTreeWidgetItem] = {}
        self._conversation_items: dict[int, QTreeWidgetItem] = {}
        self._reconciled_items: dict[int, QTreeWidgetItem] = {}
        self.itemClicked.connect(self._clicked)

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title.upper()])
        font = QFont(item.font(0))
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        item.setFont(0, font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setFirstColumnSpanned(True)
        item.setExpanded(True)
        return item

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.setColumnWidth(1, 64)
        self.setColumnWidth(0, max(80, self.viewport().width() - 64))

    def _child(
        self, parent: QTreeWidgetItem, label: str, count: int | None, kind: str, value: object
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [label, "" if count is None else f"{count:,}"])
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setData(0, self.KIND_ROLE, kind)
        item.setData(0, self.VALUE_ROLE, value)
        item.setToolTip(0, label)
        return item

    def set_conversations(self, conversations: Sequence[Any]) -> None:
        self.exhibits.takeChildren()
        self._conversation_items.clear()
        by_exhibit: dict[str, QTreeWidgetItem] = {}
        for info in conversations:
            exhibit = str(getattr(info, "exhibit", "?"))
            parent = by_exhibit.get(exhibit)
            if parent is None:
                parent = self._child(self.exhibits, exhibit, None, "exhibit", exhibit)
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                parent.setExpanded(True)
                by_exhibit[exhibit] = parent
            item = self._child(
                parent,
                str(getattr(info, "name", "?")),
                getattr(info, "message_count", None),
                "conversation",
                int(info.id),
            )
            self._conversation_items[int(info.id)] = item
        if not conversations:
            empty = self._child(self.exhibits, "No exhibits yet: Import…", None, "none", None)
            empty.setDisabled(True)

    def set_reconciled_chats(self, chats: Sequence[Any]) -> None:
        """Reconciled chats (``services.reconciled_browse.ReconciledChatInfo``)."""
        self.reconciled.takeChildren()
        self._reconciled_items.clear()
        for chat in chats:
            item = self._child(
                self.reconciled, str(chat.label), int(chat.message_count), "reconciled", chat.id
            )
            self._reconciled_items[int(chat.id)] = item
        self.reconciled.setHidden(not chats)

    def select_reconciled(self, chat_id: int) -> None:
        item = self._reconciled_items.get(chat_id)
        if item is not None:
            self.setCurrentItem(item)

    def select_conversation(self, conversation_id: int) -> None:
        item = self._conversation_items.get(conversation_id)
        if item is not None:
            self.setCurrentItem(item)

    def set_participants(self, participants: Sequence[Any] | None) -> None:
        self.participants.takeChildren()
        if participants is None:
            note = self._child(self.participants, "(not available yet)", None, "none", None)
            note.setDisabled(True)
            return
        for person in participants:
            name = getattr(person, "display_name", None) or getattr(person, "name", "?")
            count = getattr(person, "message_count", None)
            label = str(name)
            if getattr(person, "is_custodian", False):
                label += " (custodian)"
            item = self._child(self.participants, label, count, "participant", str(name))
            membership = getattr(person, "membership", None)
            if membership:
                item.setToolTip(0, f"{name}\n{membership}")

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        self.categories.takeChildren()
        self._category_items.clear()
        parents: dict[str | None, QTreeWidgetItem] = {None: self.categories}
        for category in taxonomy:
            if category.group not in TAGGABLE_GROUPS:
                continue
            parent = parents.get(category.parent, self.categories)
            item = self._child(parent, category.label, None, "category", category.key)
            item.setToolTip(0, f"{category.label}\n{category.description}")
            item.setForeground(0, self.palette().text())
            parents[category.key] = item
            self._category_items[category.key] = item
        for item in self._category_items.values():
            item.setExpanded(False)

    def set_category_counts(self, counts: dict[str, int], *, once: bool = False) -> None:
        """Tagged messages per category; ``once`` when a message held by several exhibits
        (a reconciled message) counts once, else each exhibit's copy counts (the tooltip says
        which)."""
        tip = COUNTED_ONCE if once else COUNTED_PER_COPY
        for key, item in self._category_items.items():
            count = counts.get(key)
            item.setText(1, "" if count is None else f"{count:,}")
            item.setToolTip(1, tip)

    def category_count(self, key: str) -> str:
        item = self._category_items.get(key)
        return item.text(1) if item is not None else ""

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, self.KIND_ROLE)
        value = item.data(0, self.VALUE_ROLE)
        if kind == "conversation":
            self.conversationActivated.emit(int(value))
        elif kind == "reconciled":
            self.reconciledActivated.emit(int(value))
        elif kind == "category":
            self.categoryActivated.emit(str(value))
        elif kind == "participant":
            self.participantActivated.emit(str(value))
