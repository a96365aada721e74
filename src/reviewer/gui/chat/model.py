"""Qt list model of one conversation: the ordered message ids, rows paged in on demand.

The model holds only ids (a ``range`` or an ``array('q')`` for a whole conversation, any
sequence for a filtered list). ``data()`` asks ``services.browse`` for the page of about 200
ids around a row it has not seen, and keeps the results in a bounded LRU cache, so memory
stays flat however far the reviewer scrolls.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from enum import IntEnum
from itertools import pairwise
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from reviewer.services import browse
from reviewer.services.browse import MessageView
from reviewer.services.case import Case

_Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    """Named data roles of ``MessageListModel``."""

    Message = Qt.ItemDataRole.UserRole + 1  # the MessageView
    Id = Qt.ItemDataRole.UserRole + 2
    Sender = Qt.ItemDataRole.UserRole + 3
    Text = Qt.ItemDataRole.UserRole + 4
    Timestamp = Qt.ItemDataRole.UserRole + 5
    Kind = Qt.ItemDataRole.UserRole + 6
    Tags = Qt.ItemDataRole.UserRole + 7
    ReviewState = Qt.ItemDataRole.UserRole + 8
    Day = Qt.ItemDataRole.UserRole + 9  # local date 'YYYY-MM-DD' or None
    FirstOfDay = Qt.ItemDataRole.UserRole + 10  # True when a day separator goes above


class MessageListModel(QAbstractListModel):
    """The messages of one conversation (or a filtered id list), by id, fetched lazily.

    Attributes:
        page_size: how many ids one fetch asks for.
        cache_size: how many MessageViews are kept (least recently used are dropped).
    """

    def __init__(
        self,
        case: Case,
        ids: Sequence[int] = (),
        parent: QObject | None = None,
        *,
        page_size: int = browse.PAGE_SIZE,
        cache_size: int = 4000,
    ) -> None:
        super().__init__(parent)
        self._case = case
        self._ids: Sequence[int] = ids
        self._row_by_id: dict[int, int] | None = None
        self._sorted: bool | None = None
        self._cache: OrderedDict[int, MessageView] = OrderedDict()
        self.page_size = page_size
        self.cache_size = max(cache_size, 2 * page_size + 2)
        self.fetches = 0  # number of page queries run (for tests and benchmarks)

    # -- ids ---------------------------------------------------------------------------------

    @property
    def case(self) -> Case:
        return self._case

    def ids(self) -> Sequence[int]:
        return self._ids

    def set_ids(self, ids: Sequence[int]) -> None:
        """Show another id list (a conversation, or a search/filter result)."""
        self.beginResetModel()
        self._ids = ids
        self._row_by_id = None
        self._sorted = None
        self._cache.clear()
        self.endResetModel()

    def id_at(self, row: int) -> int | None:
        if 0 <= row < len(self._ids):
            return int(self._ids[row])
        return None

    def row_of(self, message_id: int) -> int:
        """The row showing ``message_id``, or -1."""
        ids = self._ids
        if isinstance(ids, range):
            try:
                return ids.index(message_id)
            except ValueError:
                return -1
        if self._row_by_id is None:
            row = bisect_left(ids, message_id)  # lists in conversation order are sorted
            if row < len(ids) and ids[row] == message_id:
                return row
            if self._sorted is None:  # checked once per id list, without copying it
                self._sorted = all(a < b for a, b in pairwise(ids))
            if self._sorted:
                return -1
            self._row_by_id = {int(i): r for r, i in enumerate(ids)}  # an unordered short list
        return self._row_by_id.get(message_id, -1)

    # -- message data ----------------------------------------------------------------------

    def message(self, row: int) -> MessageView | None:
        """The MessageView at ``row``, fetching its page when it is not cached."""
        message_id = self.id_at(row)
        if message_id is None:
            return None
        view = self._cache.get(message_id)
        if view is None:
            self._fetch_page(row)
            view = self._cache.get(message_id)
        else:
            self._cache.move_to_end(message_id)
        return view

    def cached(self, message_id: int) -> MessageView | None:
        return self._cache.get(message_id)

    def first_of_day(self, row: int) -> bool:
        """Whether a day separator goes above ``row``: the first row with a timestamp, or the
        first of a new local date."""
        view = self.message(row)
        if view is None or view.day is None:
            return False
        for previous in range(row - 1, max(-1, row - 50), -1):
            before = self.message(previous)
            if before is not None and before.day is not None:
                return before.day != view.day
        return True

    def invalidate(self, ids: Iterable[int]) -> None:
        """Forget these messages (tags, notes or review state changed) and tell the views."""
        rows: list[int] = []
        for message_id in ids:
            self._cache.pop(message_id, None)
            row = self.row_of(message_id)
            if row >= 0:
                rows.append(row)
        if not rows:
            return
        rows.sort()
        # one dataChanged per run of adjacent rows
        start = previous = rows[0]
        for row in rows[1:]:
            if row != previous + 1:
                self.dataChanged.emit(self.index(start), self.index(previous))
                start = row
            previous = row
        self.dataChanged.emit(self.index(start), self.index(previous))

    def prefetch(self, first_row: int, last_row: int) -> None:
        """Make sure rows ``first_row..last_row`` are cached (one query per missing page)."""
        first_row = max(first_row, 0)
        last_row = min(last_row, len(self._ids) - 1)
        row = first_row
        while row <= last_row:
            message_id = self._ids[row]
            if message_id not in self._cache:
                self._fetch_page(row)
            row += 1

    def _fetch_page(self, row: int) -> None:
        start = row - row % self.page_size
        # one id before the page too, so first_of_day() at a page edge needs no extra query
        wanted = [
            int(i)
            for i in self._ids[max(start - 1, 0) : start + self.page_size]
            if i not in self._cache
        ]
        if not wanted:
            return
        self.fetches += 1
        views = browse.message_views(self._case, wanted)
        cache = self._cache
        for message_id in wanted:
            view = views.get(message_id)
            if view is not None:
                cache[message_id] = view
        while len(cache) > self.cache_size:
            cache.popitem(last=False)

    # -- Qt overrides ----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Override QAbstractItemModel::rowCount."""
        return 0 if parent.isValid() else len(self._ids)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Override QAbstractItemModel::flags (no fetch: cheap for select-all)."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def roleNames(self) -> dict[int, QByteArray]:
        """Override QAbstractItemModel::roleNames."""
        names = dict(super().roleNames())
        for role in Role:
            names[int(role)] = QByteArray((role.name[0].lower() + role.name[1:]).encode())
        return names

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Override QAbstractItemModel::data."""
        if not index.isValid() or index.column() != 0 or index.parent().isValid():
            return None
        row = index.row()
        if role == Role.Id:
            return self.id_at(row)
        if role == Role.FirstOfDay:
            return self.first_of_day(row)
        if role not in _VIEW_ROLES:
            return None
        view = self.message(row)
        if view is None:
            return None
        if role == Role.Message:
            return view
        if role in (Qt.ItemDataRole.DisplayRole, Role.Text):
            return view.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(view)
        if role == Role.Sender:
            return view.sender
        if role == Role.Timestamp:
            return view.timestamp
        if role == Role.Kind:
            return view.kind
        if role == Role.Tags:
            return list(view.tags)
        if role == Role.ReviewState:
            return view.review_state
        if role == Role.Day:
            return view.day
        return None


_VIEW_ROLES = frozenset(
    {
        int(Qt.ItemDataRole.DisplayRole),
        int(Qt.ItemDataRole.ToolTipRole),
        int(Role.Message),
        int(Role.Text),
        int(Role.Sender),
        int(Role.Timestamp),
        int(Role.Kind),
        int(Role.Tags),
        int(Role.ReviewState),
        int(Role.Day),
    }
)


def tooltip(view: MessageView) -> str:
    """Exact times (local as written, UTC) and any time flag, for a tooltip."""
    lines = [f"Message #{view.id} · {view.exhibit}"]
    if view.timestamp:
        lines.append(f"Local (as written): {view.timestamp.replace('T', ' ')}")
    if view.utc:
        lines.append(f"UTC: {view.utc.replace('T', ' ')}")
    if view.time_flag == "ambiguous":
        lines.append("⚠ Ambiguous local time (clocks went back): two instants possible")
    elif view.time_flag == "nonexistent":
        lines.append("⚠ Nonexistent local time (clocks went forward)")
    elif view.time_flag:
        lines.append(f"⚠ Time flag: {view.time_flag}")
    lines.append(f"Source: {view.source_file} line {view.source_line}")
    return "\n".join(lines)
