"""Export an evidence bundle: the selection with a live preview of what it includes, then
the export with progress and Cancel, and a verification of what was written."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.errors import Cancelled
from reviewer.core.progress import CancelToken
from reviewer.gui.selection_widgets import DateRange, checkable_list, ticked
from reviewer.gui.task_dialog import TaskDialog
from reviewer.gui.tasks import SignalProgress, Task, error_text, show_progress
from reviewer.review.taxonomy import Taxonomy
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.exporting import ExportOptions, ExportPreview, ExportResult, preview
from reviewer.services.worker_process import export_in_process


class ExportDialog(TaskDialog):
    """Signals:
    exported(object): the ExportResult, after a successful export.
    """

    exported = Signal(object)

    def __init__(
        self,
        case: Case,
        actor: Actor,
        taxonomy: Taxonomy,
        exhibits: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.case = case
        self.actor = actor
        self.task: Task[ExportResult] | None = None
        self.preview_task: Task[ExportPreview] | None = None
        self.setWindowTitle("Export an evidence bundle")
        self.setMinimumWidth(720)

        self.out_dir = QLineEdit()
        self.out_dir.setPlaceholderText("A new, empty folder for the bundle")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.out_dir, 1)
        folder_row.addWidget(browse)

        self.context = QSpinBox()
        self.context.setRange(0, 100)
        self.context.setValue(5)
        self.context.setSuffix(" messages before and after")
        self.categories = checkable_list(
            (f"{category.label}  ({category.key})", category.key)
            for category in taxonomy
            if category.group in ("content", "standard") and not category.retired
        )
        self.categories.setMinimumHeight(150)
        self.exhibits = checkable_list(((ref, ref) for ref in exhibits), max_height=56)
        self.dates = DateRange()
        self.use_dates, self.date_from, self.date_to = (
            self.dates.use_dates,
            self.dates.date_from,
            self.dates.date_to,
        )
        self.originals = QCheckBox("Include the original export files")
        self.redact = QCheckBox("Redact people not marked as subjects")
        self.redact.setToolTip(
            "Uninvolved people get stable pseudonyms (Person A, Person B …); phone numbers "
            "and e-mail addresses in the text are masked. The mapping stays in the case. "
            "Media are redacted copies: metadata (EXIF, GPS, XMP …) removed, text naming "
            "an uninvolved person in a picture blacked out, documents and contact cards "
            "naming them withheld; each change is listed in redaction/media.csv."
        )
        self.agreement = QCheckBox("Include the agreement between reviewers (Cohen's kappa)")
        self.agreement.setToolTip(
            "Where a second reviewer reviewed the same messages (a merged blind package), the "
            "report gives per category how often the reviewers agreed and Cohen's kappa."
        )
        self.archive = QCheckBox("Also write a single .zip beside the folder, for transfer")
        self.encrypt = QCheckBox("Encrypt the .zip with a password (AES-256)")
        self.encrypt.setToolTip(
            "The recipient opens it with 7-Zip 9.20 or later, WinZip 9 or later, Keka, or "
            "7zz/7z on Linux; the password is not kept anywhere: send it separately."
        )
        self.password = QLineEdit()
        self.confirm = QLineEdit()
        for secret, hint in ((self.password, "Password"), (self.confirm, "Password again")):
            secret.setEchoMode(QLineEdit.EchoMode.Password)
            secret.setPlaceholderText(hint)
        passwords = QHBoxLayout()
        passwords.addWidget(self.password)
        passwords.addWidget(self.confirm)
        self.password_hint = QLabel()
        passwords.addWidget(self.password_hint)
        self.archive.toggled.connect(lambda _on: self._archive_changed())
        self.encrypt.toggled.connect(lambda _on: self._archive_changed())
        self.password.textChanged.connect(lambda _text: self._update_buttons())
        self.confirm.textChanged.connect(lambda _text: self._update_buttons())
        for disabled in (self.encrypt, self.password, self.confirm):
            disabled.setEnabled(False)

        form = QFormLayout()
        form.addRow("Bundle folder", folder_row)
        form.addRow("Context", self.context)
        form.addRow("Categories (none = all)", self.categories)
        form.addRow("Exhibits (none = all)", self.exhibits)
        form.addRow("Dates", self.dates.row)
        form.addRow("", self.originals)
        form.addRow("", self.redact)
        form.addRow("", self.agreement)
        form.addRow("", self.archive)
        form.addRow("", self.encrypt)
        form.addRow("", passwords)

        self.summary = QLabel("Counting…")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stage = QLabel()
        self.counts = QLabel()
        self.bar = QProgressBar()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.stage, self.counts, self.bar):
            widget.setVisible(False)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.stage)
        layout.addWidget(self.bar)
        layout.addWidget(self.counts)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh_preview)
        for signal in (
            self.context.valueChanged,
            self.categories.itemChanged,
            self.exhibits.itemChanged,
            self.use_dates.toggled,
            self.date_from.dateChanged,
            self.date_to.dateChanged,
            self.originals.toggled,
            self.redact.toggled,
        ):
            signal.connect(lambda *_: self._debounce.start())
        self.out_dir.textChanged.connect(lambda _text: self._update_buttons())
        self.refresh_preview()
        self._update_buttons()

    # -- selection -------------------------------------------------------------------------

    def options(self) -> ExportOptions:
        date_from, date_to = self.dates.bounds()
        return ExportOptions(
            context=self.context.value(),
            categories=ticked(self.categories),
            exhibits=ticked(self.exhibits),
            date_from=date_from,
            date_to=date_to,
            include_originals=self.originals.isChecked(),
            redact_uninvolved=self.redact.isChecked(),
            agreement=self.agreement.isChecked(),
            archive=self.archive.isChecked(),
            password=self._password(),
        )

    def _password(self) -> bytes | None:
        """The .zip's password, when encrypting and both fields agree (never stored)."""
        if not (self.archive.isChecked() and self.encrypt.isChecked()):
            return None
        text = self.password.text()
        return text.encode("utf-8") if text and text == self.confirm.text() else None

    def _archive_changed(self) -> None:
        self.encrypt.setEnabled(self.archive.isChecked())
        typing = self.archive.isChecked() and self.encrypt.isChecked()
        for secret in (self.password, self.confirm):
            secret.setEnabled(typing)
            if not typing:
                secret.clear()
        self._update_buttons()

    def refresh_preview(self) -> None:
        case, options = self.case, self.options()

        def run(_progress: SignalProgress, _cancel: CancelToken) -> ExportPreview:
            return preview(case, options)

        self.preview_task = (
            Task(run, writer=False, parent=self)
            .success(self._show_preview)
            .failure(lambda exc: self.summary.setText(error_text(exc)))
        )
        self.preview_task.run()

    def _show_preview(self, found: ExportPreview) -> None:
        megabytes = found.bytes / 1e6
        missing = (
            f", {found.missing_attachments:,} referenced but not in the export"
            if found.missing_attachments
            else ""
        )
        self.summary.setText(
            f"<b>{found.tagged:,}</b> tagged messages with <b>{found.context:,}</b> messages of "
            f"context, from {found.conversations:,} conversation(s) in "
            f"{', '.join(found.exhibits) or 'no exhibit'}; <b>{found.attachments:,}</b> "
            f"attachments ({megabytes:,.1f} MB){missing}. {self._audit_wording()}"
        )
        self._tagged = found.tagged
        self._update_buttons()

    def _audit_wording(self) -> str:
        if self.redact.isChecked():
            return (
                "The audit log is included with every field that names an uninvolved person "
                "withheld (its commitment shown, so the chain still verifies)."
            )
        return "The case's whole audit log up to the export is included."

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Bundle folder")
        if chosen:
            self.out_dir.setText(chosen)

    def _update_buttons(self) -> None:
        busy = self.task is not None and self.task.running
        ready = bool(self.out_dir.text().strip()) and getattr(self, "_tagged", 0) > 0
        hint = ""
        if self.archive.isChecked() and self.encrypt.isChecked():
            if not self.password.text():
                hint = "Type the password twice."
            elif self.password.text() != self.confirm.text():
                hint = "The two passwords differ."
        self.password_hint.setText(hint)
        ready = ready and not hint
        self.export_button.setEnabled(ready and not busy)

    # -- running ---------------------------------------------------------------------------

    def start(self) -> None:
        out_dir = Path(self.out_dir.text().strip()).expanduser()
        case, actor, options = self.case, self.actor, self.options()

        def run(progress: SignalProgress, cancel: CancelToken) -> ExportResult:
            # in a worker process: its Python threads would take the GIL from the window's
            return export_in_process(
                case.root, actor, out_dir, options, progress=progress, cancel=cancel
            )

        self.message.setText("")
        self.stage.setText("Starting…")
        self.bar.setRange(0, 0)
        for widget in (self.stage, self.counts, self.bar):
            widget.setVisible(True)
        self.cancel_button.setText("Cancel export")
        self.task = Task(run, parent=self).success(self._done).failure(self._failed)
        self.task.progress.progressed.connect(self._progressed)
        self.task.run()
        self._update_buttons()

    def _progressed(self, stage: str, done: int, total: object) -> None:
        show_progress(self.stage, self.counts, self.bar, stage, done, total)

    def _finish(self) -> None:
        for widget in (self.stage, self.counts, self.bar):
            widget.setVisible(False)
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self._update_buttons()

    def _done(self, result: ExportResult) -> None:
        self._finish()
        self.message.setStyleSheet("")
        archive = ""
        if result.archive is not None:
            archive = (
                f" Also as {result.archive}"
                f"{' (AES-256 encrypted)' if result.encrypted else ''}, SHA-256 "
                f"{result.archive_sha256}."
            )
        self.password.clear()
        self.confirm.clear()
        self.message.setText(
            f"Bundle written to {result.out_dir}: {result.files:,} files, "
            f"{result.bytes / 1e6:,.1f} MB, in {result.seconds:.1f} s. Audit chain head "
            f"{result.audit_head}.{archive} Check it at any time with: reviewer verify "
            f'"{result.out_dir}"'
        )
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.message.setStyleSheet("")
            self.message.setText("Export cancelled; the partial folder was removed.")
        else:
            self.message.setStyleSheet("color: #d64545")
            self.message.setText(error_text(exc))
