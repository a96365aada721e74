"""Self-tests of an installed (frozen) reviewer, run by ``REVIEWER_SELFTEST=MODE reviewer ARGS``.

- ``gui CASE``: open the main window on CASE (offscreen when QT_QPA_PLATFORM=offscreen), print
  ``main window shown: TITLE`` once it is visible, the library versions and whether Qt's
  network module was loaded, then quit. Exit 0 if the window showed within the time limit.
- ``export CASE OUT_DIR``: export a bundle through the service layer and verify it, for builds
  whose command line has no ``export`` command yet.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

TIMEOUT_S = 60.0
ACTOR_NAME = "Packaging Smoke Test"


def main(mode: str, args: list[str]) -> int:
    if mode == "gui" and len(args) == 1:
        return gui(Path(args[0]))
    if mode == "export" and len(args) == 2:
        return export(Path(args[0]), Path(args[1]))
    print(f"reviewer self-test: unknown mode or arguments: {mode} {args}", file=sys.stderr)
    return 2


def gui(case: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.gui import tasks
    from reviewer.gui.app import start
    from reviewer.versions import version_text

    controller = start(case, reviewer=ACTOR_NAME)
    app = QApplication.instance()
    if controller is None or app is None:
        return 1
    deadline = time.monotonic() + TIMEOUT_S
    outcome = {"code": 1}

    def poll() -> None:
        shown = [window for window in controller.windows if window.isVisible()]
        if shown:
            print(f"main window shown: {shown[0].windowTitle()}", flush=True)
            outcome["code"] = 0
            app.quit()
        elif time.monotonic() > deadline:
            print(f"main window not shown within {TIMEOUT_S:.0f} s", flush=True)
            app.quit()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    app.exec()
    tasks.wait_for_all()
    print(version_text())
    print(f"QtNetwork module loaded: {'PySide6.QtNetwork' in sys.modules}", flush=True)
    return outcome["code"]


def export(case: Path, out_dir: Path) -> int:
    from reviewer.bundle.verify import verify_bundle
    from reviewer.services.actor import Actor
    from reviewer.services.case import open_case
    from reviewer.services.exporting import ExportOptions, export_bundle

    with open_case(case) as opened:
        result = export_bundle(opened, Actor(ACTOR_NAME, "smoke"), out_dir, ExportOptions())
    print(f"exported {result.tagged} tagged messages, {result.files} files to {out_dir}")
    report = verify_bundle(out_dir)
    for check in report.checks:
        print(f"  ok: {check}")
    if report.failure:
        print(f"  FAILED: {report.failure}")
    return 0 if report.ok else 1
