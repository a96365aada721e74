"""A package travelled on removable media: when one is opened, its evidence files are re-hashed
in the background and the reviewer is told the result (a problem stops nothing, but is shown in
a warning that names the first file)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMessageBox

from reviewer.core.progress import CancelToken
from reviewer.gui.tasks import SignalProgress, Task
from reviewer.services import integrity, packaging
from reviewer.services.case import Case

#: (is a package, problems found) — what the check hands back to the window.
CheckResult = tuple[bool, list[str]]


def check_package_on_open(window: QMainWindow, case: Case) -> Task[CheckResult]:
    """Start the check; the window's status bar (or a warning) says how it went."""

    def work(_progress: SignalProgress, _cancel: CancelToken) -> CheckResult:
        if packaging.package_record(case) is None:
            return False, []
        return True, integrity.check_evidence(case)

    def done(result: CheckResult) -> None:
        is_package, problems = result
        window.setProperty("packageEvidenceProblems", problems if is_package else None)
        if not is_package:
            return
        if not problems:
            window.statusBar().showMessage(
                "Package opened: every evidence file matches its SHA-256", 10000
            )
            return
        window.statusBar().showMessage(f"Package evidence check failed: {problems[0]}")
        QMessageBox.warning(
            window,
            "Package evidence",
            f"{len(problems)} evidence file(s) of this package do not match what was cut:\n\n"
            + "\n".join(problems[:10])
            + ("\n…" if len(problems) > 10 else "")
            + "\n\nDo not rely on this copy; ask for the package again.",
        )

    return Task(work, writer=False, parent=window).success(done).errors_to(window).run()
