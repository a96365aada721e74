"""The GUI's composition root: the QApplication, the reviewer's identity, the start window
and the case windows.

Entry points: :func:`gui_entry` (from the command line: ``reviewer``, ``reviewer gui [CASE]``,
``reviewer demo``), :func:`main` (argv) and :func:`run_demo`.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from reviewer import __version__
from reviewer.core.progress import CancelToken
from reviewer.gui.about import app_icon
from reviewer.gui.fonts import install_fonts
from reviewer.gui.main_window import MainWindow
from reviewer.gui.start_window import NewCase, StartWindow, forget_case, remember_case
from reviewer.gui.tasks import SignalProgress, Task
from reviewer.services.actor import Actor
from reviewer.services.case import Case, create_case, open_case
from reviewer.services.demo import build_demo_case

APP_NAME = "reviewer"
ORGANISATION = "reviewer"
ROLES = ("Investigator", "Lead investigator", "Analyst", "Supervisor", "Legal adviser")


def settings() -> QSettings:
    """The application's settings (organisation and name are set in :func:`make_app`)."""
    return QSettings(ORGANISATION, APP_NAME)


def make_app(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication, created once; names set so QSettings has a home."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME, *argv])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("reviewer")
    app.setDesktopFileName("org.reviewer.Reviewer")
    app.setWindowIcon(app_icon())
    app.setOrganizationName(ORGANISATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("reviewer")
    install_fonts()  # the bundled fonts, before any window exists
    # The platform's own palette (light or dark) is used as it is: every colour in the GUI
    # comes from palette roles, apart from category colours and the red "tagged" accent.
    return app


class FirstRunDialog(QDialog):
    """Asks the reviewer's name and role; both go into every audit entry's actor."""

    def __init__(self, name: str = "", role: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to reviewer")
        self.setMinimumWidth(440)
        intro = QLabel(
            "Your name is recorded with every change you make to a case (the audit log) and "
            "shown in the status bar."
        )
        intro.setWordWrap(True)
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("e.g. J. Smith")
        self.role = QComboBox()
        self.role.setEditable(True)
        self.role.addItems(ROLES)
        self.role.setCurrentText(role or ROLES[0])
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("Your name", self.name)
        form.addRow("Role", self.role)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        form.addRow(self.buttons)
        self.name.textChanged.connect(self._validate)
        self._validate()

    def _validate(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name.text().strip()))

    def value(self) -> tuple[str, str]:
        return self.name.text().strip(), self.role.currentText().strip()


def workstation() -> str:
    return platform.node() or "unknown"


def ask_reviewer(store: QSettings, parent: QWidget | None = None) -> tuple[str, str] | None:
    """The reviewer's name and role: from the settings, else from the first-run dialog."""
    name = str(store.value("reviewer/name", "") or "")
    role = str(store.value("reviewer/role", "") or "")
    if name:
        return name, role
    dialog = FirstRunDialog(os.environ.get("REVIEWER_NAME", ""), role, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    name, role = dialog.value()
    store.setValue("reviewer/name", name)
    store.setValue("reviewer/role", role)
    return name, role


class Controller(QObject):
    """Opens cases into windows and goes back to the start window when the last closes."""

    def __init__(self, actor: Actor, role: str, store: QSettings) -> None:
        super().__init__()
        self.actor = actor
        self.role = role
        self.store = store
        self.start: StartWindow | None = None
        self.windows: list[MainWindow] = []

    def show_start(self) -> StartWindow:
        if self.start is None:
            self.start = StartWindow(self.store)
            self.start.openRequested.connect(self.open_path)
            self.start.newCaseRequested.connect(self.new_case)
            self.start.demoRequested.connect(self.demo)
        self.start.refresh()
        self.start.show()
        self.start.raise_()
        return self.start

    def _parent(self) -> QWidget | None:
        return self.start if self.start is not None and self.start.isVisible() else None

    def open_path(self, path: Path) -> Task[Case]:
        """Open (and if need be upgrade) a case off the UI thread, then show it."""

        def run(_progress: SignalProgress, _cancel: CancelToken) -> Case:
            return open_case(path)

        def failed(exc: BaseException) -> None:
            from reviewer.gui.tasks import show_error

            if not (path / "case.sqlite").exists():
                forget_case(self.store, path)
            show_error(self._parent(), exc)
            if not self.windows:
                self.show_start()

        return (
            Task(run, parent=self)
            .success(self.show_case)
            .failure(failed)
            .with_progress(self._parent(), "Opening the case")
            .run()
        )

    def new_case(self, spec: NewCase) -> Task[Case]:
        actor = self.actor

        def run(_progress: SignalProgress, _cancel: CancelToken) -> Case:
            return create_case(
                spec.folder,
                reference=spec.reference,
                actor=actor,
                title=spec.title,
                timezone=spec.timezone,
            )

        return (
            Task(run, parent=self)
            .success(self.show_case)
            .with_progress(self._parent(), "Creating the case")
            .run()
        )

    def demo(self, target: Path | None = None) -> Task[Case]:
        """Build the demo case in the background (progress dialog after a moment), then open
        it."""
        actor = self.actor

        def run(_progress: SignalProgress, _cancel: CancelToken) -> Case:
            return build_demo_case(actor, target)

        return (
            Task(run, parent=self)
            .success(self.show_case)
            .with_progress(self._parent(), "Building the demo case")
            .run()
        )

    def show_case(self, case: Case) -> MainWindow:
        remember_case(self.store, case.root)
        window = MainWindow(case, self.actor, role=self.role, settings=self.store)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.closed.connect(lambda: self._closed(window))
        self.windows.append(window)
        window.show()
        if self.start is not None:
            self.start.hide()
        freeze_long_lived()
        return window

    def _closed(self, window: MainWindow) -> None:
        gc.unfreeze()  # the closed window's objects are collectable again
        if window in self.windows:
            self.windows.remove(window)
        if not self.windows:
            self.show_start()


def freeze_long_lived() -> None:
    """Put every object alive now (the modules, the open windows) out of the cyclic garbage
    collector's reach. A full collection otherwise walks about 110,000 of them: 70-85 ms of
    CPU on whichever thread happens to trigger it, often the UI thread; after this, 6 ms
    (bench/RESULTS.md, "The window never freezes, part 2"). Closing a window unfreezes."""
    gc.freeze()


def start(
    case: Path | None = None,
    *,
    demo: bool = False,
    demo_target: Path | None = None,
    reviewer: str | None = None,
) -> Controller | None:
    """Create the app objects and show the first window; None if the reviewer declined to
    give a name. The caller runs the event loop."""
    make_app()
    store = settings()
    if reviewer:
        identity: tuple[str, str] | None = (reviewer, str(store.value("reviewer/role", "") or ""))
    else:
        identity = ask_reviewer(store)
    if identity is None:
        return None
    name, role = identity
    controller = Controller(Actor(name=name, workstation=workstation()), role, store)
    if demo:
        controller.demo(demo_target)
    elif case is not None:
        controller.open_path(case)
    else:
        controller.show_start()
    return controller


def _exec(controller: Controller | None) -> int:
    if controller is None:
        return 1
    app = QApplication.instance()
    assert app is not None
    code = app.exec()
    from reviewer.gui.tasks import wait_for_all

    wait_for_all()
    return int(code)


def main(argv: Sequence[str] = ()) -> int:
    """``python -m reviewer.gui.app [CASE]``: the start window, or the given case."""
    parser = argparse.ArgumentParser(prog="reviewer gui")
    parser.add_argument("case", nargs="?", metavar="CASE")
    parser.add_argument("--reviewer", metavar="NAME")
    parser.add_argument("--demo", action="store_true")
    args, _qt_args = parser.parse_known_args(list(argv))
    case = Path(args.case) if args.case else None
    return _exec(start(case, demo=args.demo, reviewer=args.reviewer))


def run_demo(target: Path | None = None, *, reviewer: str | None = None) -> int:
    """``reviewer demo``: build the demo case (in the background, with progress) and open it."""
    return _exec(start(demo=True, demo_target=target, reviewer=reviewer))


def gui_entry(args: Any) -> int:
    """Called by the command line for ``reviewer`` (no command), ``reviewer gui [CASE]`` and
    ``reviewer demo [--case DIR]``. Reads ``args.command``, ``args.case`` and
    ``args.reviewer`` when present."""
    command = getattr(args, "command", None)
    case_arg = getattr(args, "case", None)
    reviewer = getattr(args, "reviewer", None)
    if command == "demo":
        return run_demo(Path(case_arg) if case_arg else None, reviewer=reviewer)
    case = Path(case_arg) if case_arg else None
    return _exec(start(case, reviewer=reviewer))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
