"""Take the screenshots in this folder from the bundled demo case.

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/take_screenshots.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take_screenshots.py --dark
    QT_SCALE_FACTOR=2 QT_QPA_PLATFORM=offscreen \
        .venv/bin/python docs/screenshots/take_screenshots.py --out /tmp/hidpi

Builds the demo case in a temporary folder, runs the starter lexicon, confirms a few of its
suggestions and records a stance (so that chips, counts and the timeline show something),
then shows each window and saves what it paints. ``--dark`` uses Qt's Fusion style with a
dark palette (what a dark desktop theme gives); ``--only NAME`` takes one picture.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QColor, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from reviewer.gui import tasks
from reviewer.gui.app import FirstRunDialog, make_app
from reviewer.gui.audit_view import AuditView
from reviewer.gui.import_dialog import ImportDialog
from reviewer.gui.main_window import MainWindow
from reviewer.gui.media_viewer import MediaViewer, read_exif
from reviewer.gui.start_window import NewCaseDialog, StartWindow, remember_case
from reviewer.services import browse, participants, screening, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case, create_case
from reviewer.services.demo import DEMO_EXPORT, build_demo_case

HERE = Path(__file__).resolve().parent
ACTOR = Actor("J. Smith", "REVIEW-LAPTOP-07")


def dark_palette() -> QPalette:
    palette = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#dfe1e5")
    for role, colour in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, QColor("#26282b")),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.PlaceholderText, QColor("#9da0a8")),
        (QPalette.ColorRole.Button, QColor("#393b40")),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor("#ff6b6b")),
        (QPalette.ColorRole.Highlight, QColor("#2f65ca")),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Link, QColor("#7aa7ff")),
        (QPalette.ColorRole.Mid, QColor("#4e5157")),
        (QPalette.ColorRole.Midlight, QColor("#43454a")),
        (QPalette.ColorRole.Dark, QColor("#151618")),
        (QPalette.ColorRole.Shadow, QColor("#000000")),
    ):
        palette.setColor(role, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6f737a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6f737a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6f737a"))
    return palette


def settle(app: QApplication, ms: int = 150) -> None:
    tasks.wait_for_all()
    for _ in range(max(1, ms // 10)):
        app.processEvents()
        QTimer.singleShot(10, lambda: None)
        app.processEvents()
    tasks.wait_for_all()
    app.processEvents()


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    widget.raise_()
    widget.activateWindow()
    settle(app)
    pixmap = widget.grab()
    pixmap.save(str(path))
    print(f"{path}  {pixmap.width()}×{pixmap.height()}")


def prepare(root: Path) -> Case:
    case = build_demo_case(ACTOR, root / "demo")
    screening.screen(case, ACTOR)
    found = screening.suggestions(case)
    decided: set[int] = set()
    for suggestion in found:  # confirm one suggestion per message: chips, counts, red days
        if suggestion.message_id not in decided and len(decided) < 6:
            screening.confirm(case, ACTOR, suggestion.id)
            decided.add(suggestion.message_id)
    first = min(decided)
    view = browse.message_views(case, [first])[first]
    if view.sender_id is not None:
        tagging.set_stance(case, ACTOR, first, view.sender_id, "stance.author")
    conversation = browse.conversations(case)[0]
    ids = browse.conversation_message_ids(case, conversation.id)
    tagging.mark_reviewed(case, ACTOR, list(ids[: len(ids) // 5]))
    return case


def example_message(case: Case) -> int:
    """The "[DEMO EXAMPLE]" with a reply that challenges it (a good first view)."""
    for suggestion in screening.suggestions(case, status=None, limit=1000):
        view = browse.message_views(case, [suggestion.message_id])[suggestion.message_id]
        if "kitchen" in view.text:
            return view.id
    return screening.suggestions(case, status=None, limit=1)[0].message_id


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--only")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    if args.dark:
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette())
    workdir = Path(tempfile.mkdtemp(prefix="reviewer-shots-"))
    store = QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat)
    case = prepare(workdir)
    prefix = "dark-" if args.dark else ""

    def wanted(name: str) -> bool:
        return args.only in (None, name)

    shots: list[tuple[str, Callable[[], None]]] = []
    window = MainWindow(case, ACTOR, role="Investigator", settings=store)
    window.resize(1500, 900)
    window.show()
    settle(app, 300)
    message = example_message(case)
    window.jump_to(message)
    settle(app, 300)

    def main_window() -> None:
        save(app, window, args.out / f"{prefix}main-window.png")
        if args.dark:
            save(app, window, args.out / "dark-mode.png")

    shots.append(("main-window", main_window))

    def chat() -> None:
        save(app, window.chat, args.out / f"{prefix}chat-view.png")

    shots.append(("chat-view", chat))

    def start() -> None:
        for path in (case.root, workdir / "OP-2291 Shift B", workdir / "OP-2305 Custody suite"):
            remember_case(store, path)
        start_window = StartWindow(store)
        start_window.show()
        save(app, start_window, args.out / f"{prefix}start-window.png")
        start_window.close()

    shots.append(("start-window", start))

    def new_case() -> None:
        dialog = NewCaseDialog(window)
        dialog.show()
        save(app, dialog, args.out / f"{prefix}new-case.png")
        dialog.close()

    shots.append(("new-case", new_case))

    def first_run() -> None:
        dialog = FirstRunDialog("J. Smith", "Investigator", window)
        dialog.show()
        save(app, dialog, args.out / f"{prefix}first-run.png")
        dialog.close()

    shots.append(("first-run", first_run))

    def importing() -> None:
        target = create_case(workdir / "import", reference="OP-2291", actor=ACTOR)
        dialog = ImportDialog(target, ACTOR, window)
        from importlib import resources

        with resources.as_file(
            resources.files("reviewer.resources") / "demo" / DEMO_EXPORT
        ) as export:
            dialog.path.setText(str(export))
            dialog.exhibit.setText("TW/1")
            dialog.custodian.setText("Tom Whitfield")
            dialog.show()
            settle(app)
            frames: list[tuple[float, QPixmap]] = []

            def progressed(_stage: str, done: int, _total: object) -> None:
                bar = dialog.bar
                if done > 0 and bar.maximum() > 0:
                    layout = dialog.layout()
                    if layout is not None:
                        layout.activate()
                    share = (bar.value() - bar.minimum()) / (bar.maximum() - bar.minimum())
                    frames.append((abs(share - 0.5), dialog.grab()))

            dialog.start()
            assert dialog.task is not None
            dialog.task.progress.progressed.connect(progressed)
            while dialog.task.running:
                app.processEvents()
            settle(app)
            path = args.out / f"{prefix}import-dialog.png"
            if frames:  # the frame nearest half way through
                min(frames, key=lambda f: f[0])[1].save(str(path))
                print(f"{path}  (during the import, {len(frames)} progress frames)")
            else:
                save(app, dialog, path)
        dialog.close()
        target.close()

    shots.append(("import-dialog", importing))

    def audit() -> None:
        view = AuditView(case, window)
        view.resize(1100, 560)
        view.show()
        settle(app)
        verify = getattr(view, "verify_button", None)
        if verify is not None:
            verify.click()
            settle(app, 300)
        save(app, view, args.out / f"{prefix}audit-view.png")
        view.close()

    shots.append(("audit-view", audit))

    def media() -> None:
        conversation = browse.conversations(case)[0]
        ids = browse.conversation_message_ids(case, conversation.id)
        photo = None
        for start in range(0, len(ids), 200):
            for view in browse.message_views(case, ids[start : start + 200]).values():
                for attachment in view.attachments:
                    path = attachment.evidence
                    if photo is None and attachment.is_image and path and read_exif(path):
                        photo = attachment
        assert photo is not None
        viewer = MediaViewer(case, photo, window)
        viewer.resize(900, 820)
        viewer.show()
        save(app, viewer, args.out / f"{prefix}media-viewer.png")
        viewer.close()

    shots.append(("media-viewer", media))

    def media_grid() -> None:
        from reviewer.services.media_analysis import analyse

        analyse(case, ACTOR)  # the demo's pictures: text, scores, near-duplicate groups
        window.media_grid_action.trigger()
        grid = window.media_grid
        assert grid is not None
        grid.resize(1180, 760)
        deadline = time.monotonic() + 60
        while (grid.model.rowCount() == 0 or grid.loader.busy) and time.monotonic() < deadline:
            settle(app, 100)
        grid.select_rows([0])
        settle(app, 300)
        save(app, grid, args.out / f"{prefix}media-grid.png")
        grid.close()

    shots.append(("media-grid", media_grid))

    def shortcuts() -> None:
        window.show_shortcuts()
        settle(app)
        box = window.shortcuts_sheet
        assert box is not None
        save(app, box, args.out / f"{prefix}shortcuts.png")
        box.close()

    shots.append(("shortcuts", shortcuts))

    for name, take in shots:
        if wanted(name):
            take()
    present = participants.present_at(case, message)
    print(f"demo case at {case.root}; {len(present)} present at message {message}")
    window.close()
    settle(app)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: Python's GC order vs. Qt's parents is not ours


if __name__ == "__main__":
    os.environ.setdefault("REVIEWER_NAME", ACTOR.name)
    main(sys.argv[1:])
