"""Review across laptops (DESIGN.md §11) in the GUI: cut a package, merge one back (with a
preview of what will change and conflict), and adjudicate what reviewers disagreed on.

Every read and write runs as a background :class:`Task`; the dialogs show progress and cancel
like the export dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.errors import Cancelled
from reviewer.core.progress import CancelToken
from reviewer.gui.selection_widgets import DateRange, checkable_list, ticked
from reviewer.gui.task_dialog import TaskDialog
from reviewer.gui.tasks import SignalProgress, Task, error_text, show_progress
from reviewer.review.agreement import PairAgreement
from reviewer.services import adjudication
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.merging import MergeReport, merge_package
from reviewer.services.packaging import CutPreview, PackageResult, cut_package, preview_cut
from reviewer.store.package_repo import Cut

ERROR_STYLE = "color: #d64545"


def _folder_row(parent: QWidget, edit: QLineEdit, title: str) -> QHBoxLayout:
    browse = QPushButton("Choose…")

    def choose() -> None:
        chosen = QFileDialog.getExistingDirectory(parent, title)
        if chosen:
            edit.setText(chosen)

    browse.clicked.connect(choose)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return row


class _Progress:
    """Stage label, counts and bar shared by the dialogs."""

    def __init__(self) -> None:
        self.stage = QLabel()
        self.counts = QLabel()
        self.bar = QProgressBar()
        self.show(False)

    def show(self, visible: bool) -> None:
        for widget in (self.stage, self.counts, self.bar):
            widget.setVisible(visible)
        if visible:
            self.stage.setText("Starting…")
            self.bar.setRange(0, 0)

    def progressed(self, stage: str, done: int, total: object) -> None:
        show_progress(self.stage, self.counts, self.bar, stage, done, total)


class NewPackageDialog(TaskDialog):
    """Case → New package…: what to cut, for whom, blind or not; a live count of what it
    takes.

    Signals:
        packaged(object): the PackageResult.
    """

    packaged = Signal(object)

    def __init__(
        self, case: Case, actor: Actor, exhibits: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.case = case
        self.actor = actor
        self.task: Task[PackageResult] | None = None
        self.setWindowTitle("New package for another reviewer")
        self.setMinimumWidth(640)
        self.out_dir = QLineEdit()
        self.out_dir.setPlaceholderText("A new, empty folder for the package")
        self.exhibits = checkable_list(((ref, ref) for ref in exhibits), max_height=80)
        self.dates = DateRange()
        self.use_dates, self.date_from, self.date_to = (
            self.dates.use_dates,
            self.dates.date_from,
            self.dates.date_to,
        )
        self.for_name = QLineEdit()
        self.for_name.setPlaceholderText("The reviewer it is for (recorded)")
        self.blind = QCheckBox("Blind: leave out tags, notes, stances and suggestions")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.progress = _Progress()
        self.stage = self.progress.stage
        self.cut_button = QPushButton("Write package")
        self.cut_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self.cancel)

        form = QFormLayout()
        form.addRow("Folder", _folder_row(self, self.out_dir, "Package folder"))
        form.addRow("Exhibits (none ticked: all)", self.exhibits)
        form.addRow("Dates", self.dates.row)
        form.addRow("For", self.for_name)
        form.addRow("", self.blind)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cut_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for widget in (self.summary, self.progress.stage, self.progress.counts):
            layout.addWidget(widget)
        layout.addWidget(self.progress.bar)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self._preview: CutPreview | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.refresh_preview)
        self.exhibits.itemChanged.connect(lambda *_: self._debounce.start())
        self.use_dates.toggled.connect(lambda *_: self._debounce.start())
        self.date_from.dateChanged.connect(lambda *_: self._debounce.start())
        self.date_to.dateChanged.connect(lambda *_: self._debounce.start())
        self.blind.toggled.connect(lambda *_: self._show_preview(self._preview))
        self.out_dir.textChanged.connect(lambda *_: self._update_buttons())
        self.refresh_preview()

    def cut(self) -> Cut:
        date_from, date_to = self.dates.bounds()
        return Cut(
            exhibits=ticked(self.exhibits),
            date_from=date_from.isoformat() if date_from else None,
            date_to=date_to.isoformat() if date_to else None,
        )

    def refresh_preview(self) -> None:
        case, cut = self.case, self.cut()

        def run(_progress: SignalProgress, _cancel: CancelToken) -> CutPreview:
            return preview_cut(case, cut)

        Task(run, writer=False, parent=self).success(self._show_preview).failure(
            lambda exc: self.summary.setText(error_text(exc))
        ).run()

    def _show_preview(self, found: CutPreview | None) -> None:
        self._preview = found
        if found is None:
            return
        review = (
            "existing tags, notes and stances are left out (blind)"
            if self.blind.isChecked()
            else f"{found.tagged:,} of them tagged (their review data goes with them)"
        )
        self.summary.setText(
            f"<b>{found.messages:,}</b> messages in {found.conversations:,} conversation(s) of "
            f"{', '.join(found.exhibits) or 'no exhibit'}; {review}. Their evidence files are "
            "copied and re-hashed; the cut is recorded in this case's audit log."
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.running()
        ready = bool(self.out_dir.text().strip()) and bool(self._preview and self._preview.messages)
        self.cut_button.setEnabled(ready and not busy)

    def start(self) -> None:
        out_dir = Path(self.out_dir.text().strip()).expanduser()
        case, actor, cut = self.case, self.actor, self.cut()
        blind, for_name = self.blind.isChecked(), self.for_name.text().strip() or None

        def run(progress: SignalProgress, cancel: CancelToken) -> PackageResult:
            return cut_package(
                case,
                out_dir,
                actor,
                cut,
                blind=blind,
                for_name=for_name,
                progress=progress,
                cancel=cancel,
            )

        self.message.setText("")
        self.progress.show(True)
        self.cancel_button.setText("Cancel")
        self.task = Task(run, parent=self).success(self._done).failure(self._failed)
        self.task.progress.progressed.connect(self.progress.progressed)
        self.task.run()
        self._update_buttons()

    def _finish(self) -> None:
        self.progress.show(False)
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self._update_buttons()

    def _done(self, result: PackageResult) -> None:
        self._finish()
        self.message.setStyleSheet("")
        self.message.setText(
            f"Package written to {result.root}: {result.messages:,} messages, "
            f"{result.evidence_files:,} evidence files{' (blind)' if result.blind else ''}. "
            "Open it as a case on the other laptop; merge it back with Case → Merge package…"
        )
        self.packaged.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.message.setStyleSheet("")
            self.message.setText("Cancelled; the partial package was removed.")
        else:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(error_text(exc))


def change_text(change: dict[str, Any]) -> str:
    item = f" {change['item']}" if change["item"] else ""
    value = "" if change["kind"] in ("tag", "mark") else f" “{change['value']}”"
    return (
        f"{change['op']} {change['kind']}{item}{value} on message {change['message']} "
        f"by {change['by']}"
    )


def conflict_text(conflict: dict[str, Any]) -> str:
    item = f" {conflict['item']}" if conflict["item"] else ""
    return (
        f"message {conflict['message']} {conflict['kind']}{item}: case {conflict['case']!r} "
        f"(by {conflict['case_by'] or '—'}) / package {conflict['package_value']!r} "
        f"(by {conflict['package_by'] or '—'})"
    )


class MergePackageDialog(TaskDialog):
    """Case → Merge package…: choose a package folder, see what will change and what will
    conflict (a dry run), then merge.

    Signals:
        merged(object): the MergeReport of the merge.
    """

    merged = Signal(object)

    def __init__(self, case: Case, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.actor = actor
        self.task: Task[MergeReport] | None = None
        self.setWindowTitle("Merge a package's review back")
        self.setMinimumWidth(680)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("The package folder reviewed on another laptop")
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.refresh_preview)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.changes = QListWidget()
        self.conflicts = QListWidget()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.progress = _Progress()
        self.stage = self.progress.stage
        self.merge_button = QPushButton("Merge")
        self.merge_button.setEnabled(False)
        self.merge_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self.cancel)
        row = _folder_row(self, self.folder, "Package folder")
        row.addWidget(self.preview_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Changes it brings"))
        layout.addWidget(self.changes)
        layout.addWidget(QLabel("Conflicts kept side by side for the lead"))
        layout.addWidget(self.conflicts)
        layout.addWidget(self.progress.stage)
        layout.addWidget(self.progress.bar)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.folder.textChanged.connect(lambda *_: self.merge_button.setEnabled(False))

    def _run(self, dry_run: bool) -> Task[MergeReport]:
        case, actor = self.case, self.actor
        folder = Path(self.folder.text().strip()).expanduser()

        def run(_progress: SignalProgress, _cancel: CancelToken) -> MergeReport:
            return merge_package(case, folder, actor, dry_run=dry_run)

        return Task(run, parent=self)

    def refresh_preview(self) -> None:
        if not self.folder.text().strip():
            return
        self.summary.setText("Reading the package…")
        self.task = self._run(True).success(self._show_preview).failure(self._failed)
        self.task.run()

    def _show(self, report: MergeReport) -> None:
        self.changes.clear()
        self.conflicts.clear()
        self.changes.addItems([change_text(c) for c in report.changes])
        self.conflicts.addItems([conflict_text(c) for c in report.conflicts])

    def _show_preview(self, report: MergeReport) -> None:
        self._show(report)
        record = report.record
        who = f" for {record.get('for')}" if record.get("for") else ""
        if report.already_merged:
            self.summary.setText(
                f"Package {report.package_id}{who} was already merged as it is; nothing to do."
            )
            return
        self.summary.setText(
            f"Package {report.package_id}{who}{' (blind)' if record.get('blind') else ''}: "
            f"its audit chain verifies and it was cut from this case. Merging brings "
            f"<b>{len(report.changes)}</b> changes, keeps <b>{len(report.conflicts)}</b> "
            f"conflicts for the lead, and agrees on {len(report.concurring)} decisions."
        )
        self.merge_button.setEnabled(True)

    def start(self) -> None:
        self.merge_button.setEnabled(False)
        self.progress.show(True)
        self.task = self._run(False).success(self._done).failure(self._failed)
        self.task.run()

    def _done(self, report: MergeReport) -> None:
        self.progress.show(False)
        self._show(report)
        self.message.setStyleSheet("")
        self.message.setText(
            f"Merged: {len(report.changes)} changes, {len(report.conflicts)} conflicts "
            f"(audit entry {report.audit_seq}). Resolve conflicts with Case → Adjudicate…"
        )
        self.merged.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self.progress.show(False)
        self.summary.setText("")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(error_text(exc))


class AdjudicationDialog(QDialog):
    """Case → Adjudicate…: open conflicts from merges and reviewers' disagreements; the lead
    keeps or drops the category on the selected message (audited).

    Signals:
        decided(object): the Adjudication.
    """

    decided = Signal(object)

    def __init__(self, case: Case, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.actor = actor
        self.setWindowTitle("Adjudicate disagreements")
        self.setMinimumWidth(680)
        self.items = QListWidget()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Reason (recorded in the audit log)")
        self.keep_button = QPushButton("Keep category")
        self.drop_button = QPushButton("Drop category")
        self.keep_button.clicked.connect(lambda: self.decide(True))
        self.drop_button.clicked.connect(lambda: self.decide(False))
        self.take_button = QPushButton("Take package's")
        self.case_button = QPushButton("Keep case's")
        self.take_button.clicked.connect(lambda: self.resolve(True))
        self.case_button.clicked.connect(lambda: self.resolve(False))
        self.items.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.message = QLabel()
        self.message.setWordWrap(True)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        for button in (
            self.keep_button,
            self.drop_button,
            self.take_button,
            self.case_button,
            close,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Conflicts and disagreements (message, category)"))
        layout.addWidget(self.items)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        case = self.case

        def run(
            _progress: SignalProgress, _cancel: CancelToken
        ) -> tuple[list[dict[str, Any]], list[PairAgreement], set[tuple[int, str]]]:
            return (
                adjudication.conflicts(case),
                adjudication.agreement_report(case),
                adjudication.adjudicated(case),
            )

        Task(run, writer=False, parent=self).success(self._fill).errors_to(self).run()

    def _fill(
        self, found: tuple[list[dict[str, Any]], list[PairAgreement], set[tuple[int, str]]]
    ) -> None:
        conflicts, rows, decided = found
        self.items.clear()
        seen: set[tuple[int, str]] = set(decided)
        for conflict in conflicts:
            if conflict["kind"] != "tag":  # a note, mark or stance: settled by number
                self._add(int(conflict["conflict"]), "conflict: " + conflict_text(conflict))
                continue
            key = (int(conflict["message"]), str(conflict["item"]))
            seen.add(key)
            self._add(key, "conflict: " + conflict_text(conflict))
        for row in rows:
            for message in row.disagreements:
                key = (message, row.category)
                if key not in seen:
                    seen.add(key)
                    self._add(
                        key,
                        f"message {message} {row.category}: {row.reviewers[0]} and "
                        f"{row.reviewers[1]} disagree (kappa "
                        f"{'n/a' if row.kappa is None else f'{row.kappa:.2f}'})",
                    )
        self.message.setText(f"{self.items.count()} to decide" if self.items.count() else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.items.currentItem()
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        by_number = isinstance(key, int)
        for button in (self.keep_button, self.drop_button):
            button.setEnabled(key is not None and not by_number)
        for button in (self.take_button, self.case_button):
            button.setEnabled(by_number)

    def _add(self, key: tuple[int, str] | int, label: str) -> None:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.items.addItem(item)

    def decide(self, keep: bool) -> None:
        item = self.items.currentItem()
        if item is None:
            self.message.setText("Select a message and category first.")
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(key, int):
            return
        message_id, category = key
        case, actor, reason = self.case, self.actor, self.reason.text().strip() or None

        def run(_progress: SignalProgress, _cancel: CancelToken) -> adjudication.Adjudication:
            return adjudication.adjudicate(
                case, actor, int(message_id), str(category), keep=keep, reason=reason
            )

        Task(run, parent=self).success(self._done).errors_to(self).run()

    def resolve(self, take_package: bool) -> None:
        item = self.items.currentItem()
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(key, int):
            self.message.setText("Select a note, mark or stance conflict first.")
            return
        case, actor, reason = self.case, self.actor, self.reason.text().strip() or None

        def run(_progress: SignalProgress, _cancel: CancelToken) -> adjudication.Adjudication:
            return adjudication.resolve_conflict(
                case, actor, key, take_package=take_package, reason=reason
            )

        Task(run, parent=self).success(self._done).errors_to(self).run()

    def _done(self, done: adjudication.Adjudication) -> None:
        self.reason.clear()
        self.message.setText(
            f"{done.category or 'conflict'} {'kept' if done.keep else 'dropped'} on message "
            f"{done.message_id} (audit entry {done.audit_seq})"
        )
        self.decided.emit(done)
        self.refresh()
