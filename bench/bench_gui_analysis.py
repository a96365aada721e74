"""Benchmark: the UI thread while Case ▸ Analyse media… runs (DESIGN.md §7: media analysis
"GUI responsive throughout"; any GUI action never blocks > 100 ms).

Usage: python bench/bench_gui_analysis.py [--images 40] [--idle 5]

Draws ``--images`` pictures with ``tests/ocr_fixtures.py`` (half 1080-px memes, half 1080-px
text-free photos), imports them as one WhatsApp export into a new case under a temporary
folder, opens the main window (offscreen Qt) and starts the window's own analysis run
(``MediaSession.start()``: every engine, real OCR and sexual-content model, two worker
processes at nice +10, exactly as the dialog's Analyse button). A 10 ms QTimer on the UI thread
records the gaps between its ticks, first with the window idle for ``--idle`` seconds, then
during the run. Prints per phase: max gap, p99, gaps over 100 ms, ticks; the run's wall time,
the CPU time of the GUI process and of the worker processes (getrusage), and its report.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from ocr_fixtures import meme, photo


def export(path: Path, count: int) -> Path:
    lines = []
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(count):
            image = meme(i)[0] if i % 2 == 0 else photo(i)
            data = io.BytesIO()
            image.save(data, "JPEG", quality=85)
            name = f"{i + 1:08d}-PHOTO-2024-03-14-10-00-{i % 60:02d}.jpg"
            archive.writestr(name, data.getvalue())
            stamp = f"14/03/2024, 10:{i // 60:02d}:{i % 60:02d}"
            lines.append(f"[{stamp}] Sam Reid: \u200e<attached: {name}>\r\n")
        archive.writestr("_chat.txt", "".join(lines).encode())
    return path


def gaps_summary(gaps: list[float]) -> str:
    if not gaps:
        return "no ticks"
    ordered = sorted(gaps)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    over = sum(1 for g in gaps if g > 100)
    return (
        f"max gap {max(gaps):.0f} ms, p99 {p99:.0f} ms, median {statistics.median(gaps):.0f} ms, "
        f"{over} of {len(gaps)} gaps > 100 ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--idle", type=float, default=5.0)
    args = parser.parse_args()

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.gui import tasks
    from reviewer.gui.main_window import MainWindow
    from reviewer.services.actor import Actor
    from reviewer.services.case import create_case
    from reviewer.services.importing import ImportOptions, import_export

    app = QApplication.instance() or QApplication([])
    actor = Actor("Bench Reviewer", "bench")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        print(f"drawing {args.images} pictures…", flush=True)
        zipped = export(root / "WhatsApp Chat - Bench.zip", args.images)
        case = create_case(root / "case", reference="BENCH", actor=actor)
        import_export(case, zipped, actor, ImportOptions(exhibit="AB/1"))
        window = MainWindow(case, actor)
        window.show()
        tasks.wait_for_all()
        gaps: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def tick() -> None:
            now = clock.elapsed()
            gaps.append(float(now - last[0]))
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        timer.start()
        deadline = time.monotonic() + args.idle
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.001)
        idle = list(gaps)
        gaps.clear()
        last[0] = clock.elapsed()
        reports: list[Any] = []
        window.media.finished.connect(reports.append)
        window.media.failed.connect(lambda text: reports.append(text))
        cpu_self = resource.getrusage(resource.RUSAGE_SELF)
        cpu_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        window.media.start()
        while not reports:
            app.processEvents()
            time.sleep(0.001)
        wall = time.perf_counter() - started
        after_self = resource.getrusage(resource.RUSAGE_SELF)
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        timer.stop()
        print(f"idle ({args.idle:.0f} s): {gaps_summary(idle)}")
        print(f"during the analysis ({wall:.1f} s wall): {gaps_summary(gaps)}")
        gui = (after_self.ru_utime + after_self.ru_stime) - (cpu_self.ru_utime + cpu_self.ru_stime)
        workers = (after_children.ru_utime + after_children.ru_stime) - (
            cpu_children.ru_utime + cpu_children.ru_stime
        )
        print(f"CPU: GUI process {gui:.1f} s, worker processes {workers:.1f} s")
        report = reports[0]
        if isinstance(report, str):
            print(f"failed: {report}")
        else:
            print(
                f"report: analysed {dict(report.analysed)}, groups {report.groups}, "
                f"cancelled {report.cancelled}"
            )
        print(f"per picture: {wall / args.images:.2f} s wall")
        window.close()
        tasks.wait_for_all()
        case.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
