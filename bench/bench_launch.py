"""Benchmark: launch the whole program on the 1,000,000-message case until its window shows.

Usage: python bench/bench_launch.py [CASE]

Runs ``python -m reviewer gui CASE`` offscreen in a fresh process, with a probe that prints
the wall-clock time when the main window has been shown and painted, and reports the time
from launching the process. Target (issue #4): ≤ 3 s. Uses the case bench/bench_gui.py
builds unless CASE is given.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASE = ROOT / "bench" / "out" / "gui-case-1000000"

PROBE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from reviewer.gui.app import start
from reviewer.gui.main_window import MainWindow

controller = start(__import__("pathlib").Path(sys.argv[1]), reviewer="Bench Reviewer")

def check():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    if windows and windows[0].isVisible():
        windows[0].repaint()
        print(time.time(), flush=True)
        QApplication.instance().exit(0)
    else:
        QTimer.singleShot(5, check)

QTimer.singleShot(0, check)
QApplication.instance().exec()
"""


def launch(case: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": "/tmp/bench-xdg"}
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(case)],
        capture_output=True, text=True, check=True, env=env, timeout=60,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1]) - started


def main() -> None:
    case = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CASE
    if not (case / "case.sqlite").exists():
        sys.exit(f"{case}: no case (run bench/bench_gui.py first)")
    times = [launch(case) for _ in range(5)]
    print(
        f"launch to main window on {case.name}: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s (target ≤ 3 s)"
    )


if __name__ == "__main__":
    main()
