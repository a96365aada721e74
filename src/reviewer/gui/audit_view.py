"""The audit log in a table, filterable by text, with a Verify button."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui.tasks import Task
from reviewer.services import audit_log
from reviewer.services.case import Case

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class AuditModel(QAbstractTableModel):
    """Audit entries as rows; the full entry (JSON) is the tooltip."""

    COLUMNS = ("Seq", "Time (UTC)", "Actor", "Workstation", "Action", "Target", "Details")
    COL_SEQ, COL_TS, COL_ACTOR, COL_WORKSTATION, COL_ACTION, COL_TARGET, COL_DETAILS = range(7)
    #: Text searched by the filter box.
    FilterRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, entries: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
        self._entries: list[dict[str, Any]] = entries or []

    def set_entries(self, entries: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._entries = entries
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section] if 0 <= section < len(self.COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_SEQ:
                return entry["seq"]
            if column == self.COL_TS:
                return str(entry["ts"]).replace("T", " ").rstrip("Z")
            if column == self.COL_DETAILS:
                return _short_details(entry["details"])
            key = ("", "", "actor", "workstation", "action", "target")[column]
            return str(entry[key])
        if role == Qt.ItemDataRole.ToolTipRole:
            return json.dumps(entry, ensure_ascii=False, indent=2)
        if role == self.FilterRole:
            return f"{entry['actor']} {entry['action']} {entry['target']}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_SEQ:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _short_details(details: Any) -> str:
    text = json.dumps(details, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 160 else text[:157] + "…"


class AuditView(QDialog):
    """A window on the case's audit chain.

    Signals:
        loaded(): the entries have been read and are shown.
    """

    loaded = Signal()

    def __init__(self, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.setWindowTitle(f"Audit log — {case.summary().reference}")
        self.resize(1000, 560)
        self.model = AuditModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(AuditModel.FilterRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by action, actor or target")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.verify_button = QPushButton("Verify chain")
        self.verify_button.clicked.connect(self.verify)
        self.result_label = QLabel("")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.result_label)
        self.load()

    def load(self) -> None:
        """Read the entries off the UI thread (a long review's log is thousands of them)."""
        case = self.case

        def run(_progress: Any, _cancel: Any) -> list[dict[str, Any]]:
            with case.reading() as session:
                return list(audit_log.entries(session))

        self.result_label.setText("Reading the audit log…")
        Task(run, writer=False, parent=self).success(self._loaded).errors_to(self).run()

    def _loaded(self, entries: list[dict[str, Any]]) -> None:
        self.model.set_entries(entries)
        if self.result_label.text() == "Reading the audit log…":
            self.result_label.setText("")
        self.table.resizeColumnsToContents()
        for column, cap in ((AuditModel.COL_TARGET, 260), (AuditModel.COL_WORKSTATION, 140)):
            self.table.setColumnWidth(column, min(cap, self.table.columnWidth(column)))
        self.loaded.emit()

    def verify(self) -> None:
        """Recompute the chain off the UI thread and say what was found."""
        case = self.case

        def run(_progress: Any, _cancel: Any) -> Any:
            with case.reading() as session:
                return audit_log.verify(session)

        self.verify_button.setEnabled(False)
        self.result_label.setText("Verifying…")
        Task(run, writer=False, parent=self).success(self._verified).errors_to(self).run()

    def _verified(self, report: Any) -> None:
        self.verify_button.setEnabled(True)
        if report.ok:
            self.result_label.setText(
                f"✓ Chain verified: {report.entries:,} entries, head {report.head}"
            )
            self.result_label.setStyleSheet("color: #2e9b4f; font-weight: bold")
        else:
            self.result_label.setText(
                f"✗ Chain broken at entry {report.broken_seq}: {report.reason}"
            )
            self.result_label.setStyleSheet("color: #d64545; font-weight: bold")
