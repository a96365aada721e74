"""A dialog that runs one long task: Cancel, Escape and closing the window cancel the task
first; the dialog closes only when nothing is running."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QPushButton

from reviewer.gui.tasks import Task


class TaskDialog(QDialog):
    """Subclasses set ``task`` when they start it, and provide ``stage`` (a label) and
    ``cancel_button``."""

    task: Task[Any] | None = None
    stage: QLabel
    cancel_button: QPushButton

    def running(self) -> bool:
        return self.task is not None and self.task.running

    def cancel(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.stage.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    def reject(self) -> None:
        if self.running():
            self.cancel()  # Escape cancels the task first; the dialog closes after
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running():
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
