"""Benchmark: the media grid on a conversation with thousands of pictures (DESIGN.md §7: no GUI
action blocks the UI thread > 100 ms; issue 13: only visible tiles are decoded).

Usage: python bench/bench_media_grid.py [--messages 24000] [--every 4] [--step-ms 60] [--cold]

Builds once, under bench/out/: an iOS export with an attachment every ``--every`` messages
(tools/gen_whatsapp.py: small JPEG photos and PNG screenshots, stub videos and voice notes)
imported into a case, with a stand-in sexual-content score for every picture and
near-duplicate groups of five written straight into the analysis tables (so sorting and the
badges have data; the engines are measured by bench_analyse.py). Then, offscreen, on that
case: the main window opens, the grid is opened (View ▸ Media grid), scrolled from top to
bottom a page at a time every ``--step-ms`` ms, sorted by score, by group and by date,
filtered to flagged pictures and back, and every tile selected (Ctrl+A). A 10 ms QTimer on
the UI thread records the gaps between its ticks. Reported: tiles, time until the tiles are
shown, time until the first screen's thumbnails are painted, max gap / p99 / gaps over
100 ms per phase, and how many thumbnails were decoded (against the number of tiles).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_whatsapp.py"


def build_case(messages: int, every: int) -> Path:
    target = OUT / f"grid-case-{messages}-{every}"
    if (target / "case.sqlite").exists():
        return target
    from sqlalchemy import insert, select

    from reviewer.core.timeutil import utc_now_iso
    from reviewer.services.actor import Actor
    from reviewer.services.case import create_case
    from reviewer.services.importing import ImportOptions, import_export
    from reviewer.store.media_models import AnalysisRun, MediaAnalysis, MediaGroup
    from reviewer.store.models import Attachment

    folder = OUT / f"grid-export-{messages}-{every}"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "media").mkdir(parents=True)
    export = folder / "export.zip"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--messages", str(messages), "--style", "ios",
         "--seed", "5", "--out", str(folder / "_chat.txt"), "--media-dir",
         str(folder / "media"), "--media-every", str(every), "--zip", str(export), "--quiet"],
        check=True,
    )  # fmt: skip
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    actor = Actor("bench", "bench")
    print(f"building {target.name} (one-off)…", file=sys.stderr)
    with create_case(building, reference="BENCH-GRID", actor=actor) as case:
        import_export(case, export, actor, ImportOptions(exhibit="G/1"))
        with case.transaction() as session:
            shas = sorted(
                set(
                    session.scalars(
                        select(Attachment.sha256).where(
                            Attachment.present.is_(True), Attachment.mime.like("image/%")
                        )
                    )
                )
            )
            run = AnalysisRun(started_utc=utc_now_iso(), reviewer="bench", engines="[]",
                              status="done", analysed=len(shas), skipped=0, failed=0)  # fmt: skip
            session.add(run)
            session.flush()
            rng = random.Random(5)
            now = utc_now_iso()
            session.execute(
                insert(MediaAnalysis),
                [
                    {"sha256": sha, "kind": "sexual", "engine": "bench-stand-in", "version": "1",
                     "model": None, "run_id": run.id, "created_utc": now, "status": "ok",
                     "score": round(rng.random() ** 4, 3), "data": "{}"}
                    for sha in shas
                ],
            )  # fmt: skip
            session.execute(
                insert(MediaGroup),
                [
                    {"sha256": sha, "group_no": 1 + i // 5, "run_id": run.id}
                    for i, sha in enumerate(shas[: len(shas) // 10 * 5])
                ],
            )
    building.rename(target)
    return target


def measure(case_dir: Path, step_ms: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.gui import media_grid_model, tasks
    from reviewer.gui.main_window import MainWindow
    from reviewer.gui.media_grid_model import Sort
    from reviewer.services.actor import Actor
    from reviewer.services.case import open_case

    app = QApplication.instance() or QApplication([])
    decoded: list[Path] = []
    real_decode = media_grid_model.decode_thumbnail

    def counting(path: Path, original: Path, side: int) -> Any:
        decoded.append(path)
        return real_decode(path, original, side)

    media_grid_model.decode_thumbnail = counting  # type: ignore[assignment]
    case = open_case(case_dir)
    window = MainWindow(case, Actor("Bench Reviewer", "bench"))
    window.resize(1400, 900)
    window.show()

    def pump(until: Any, limit: float = 120.0, least: float = 0.0) -> float:
        """Run the event loop until ``until()`` (at least ``least`` seconds); how long it
        took for ``until()`` to hold."""
        started = time.perf_counter()
        held: float | None = None
        while time.perf_counter() - started < limit:
            if held is None and until():
                held = time.perf_counter() - started
            if held is not None and time.perf_counter() - started >= least:
                break
            app.processEvents()
            time.sleep(0.001)
        return held if held is not None else limit

    pump(lambda: tasks.in_flight() == 0)
    gaps: list[float] = []
    cpu: list[float] = []  # the UI thread's CPU time within each gap
    last = [time.perf_counter(), time.thread_time()]

    def tick() -> None:
        now, used = time.perf_counter(), time.thread_time()
        gaps.append((now - last[0]) * 1000)
        cpu.append((used - last[1]) * 1000)
        last[0], last[1] = now, used

    watchdog = QTimer()
    watchdog.setTimerType(Qt.TimerType.PreciseTimer)
    watchdog.setInterval(10)
    watchdog.timeout.connect(tick)
    watchdog.start()
    results: dict[str, Any] = {}

    def phase(name: str, action: Any, until: Any) -> None:
        """``action`` on the UI thread (its own time is a stall too), then the event loop
        until ``until()``, for at least 0.3 s so the watchdog sees the repaints."""
        gaps.clear()
        cpu.clear()
        before = len(decoded)
        last[0], last[1] = time.perf_counter(), time.thread_time()
        started, started_cpu = time.perf_counter(), time.thread_time()
        action()
        action_ms = (time.perf_counter() - started) * 1000
        action_cpu_ms = (time.thread_time() - started_cpu) * 1000
        seconds = pump(until, least=0.3)
        ordered = sorted(gaps)
        results[name] = {
            "action_ms": round(action_ms, 1),
            "action_cpu_ms": round(action_cpu_ms, 1),
            "seconds": round(action_ms / 1000 + seconds, 3),
            "decoded": len(decoded) - before,
            "max_gap_ms": round(max(gaps, default=0.0), 1),
            "max_gap_cpu_ms": round(cpu[gaps.index(max(gaps))], 1) if gaps else 0.0,
            "max_cpu_in_a_gap_ms": round(max(cpu, default=0.0), 1),
            "p99_gap_ms": round(ordered[int(len(ordered) * 0.99)] if ordered else 0.0, 1),
            "gaps_over_100ms": sum(1 for g in gaps if g > 110),
            "ticks": len(gaps),
        }

    def grid() -> Any:
        return window.media_grid

    def idle() -> bool:
        """Nothing running, and every tile on screen painted from a decoded thumbnail."""
        g = grid()
        if g is None or g.loader.busy or tasks.in_flight():
            return False
        on_screen = _on_screen(g)
        return all(g.loader._cache.get(t.thumbnail) is not None for t in on_screen)

    phase(
        "open",
        window.media_grid_action.trigger,
        lambda: grid() is not None and grid().model.rowCount() > 0 and idle(),
    )
    g = grid()
    results["tiles"] = g.model.rowCount()
    bar = g.view.verticalScrollBar()
    phase("jump to the end", lambda: bar.setValue(bar.maximum()), idle)
    phase("back to the top", lambda: bar.setValue(0), idle)
    steps: list[int] = []

    def scroll() -> None:
        def step() -> None:
            if bar.value() >= bar.maximum():
                stepper.stop()
                steps.append(-1)
                return
            bar.setValue(bar.value() + bar.pageStep())
            steps.append(bar.value())

        stepper.timeout.connect(step)
        stepper.start(step_ms)

    stepper = QTimer()
    phase("scroll to the end", scroll, lambda: steps[-1:] == [-1] and idle())
    results["scroll_steps"] = len(steps) - 1
    for sort in (Sort.SCORE, Sort.GROUP, Sort.DATE):
        phase(f"sort by {sort.name.lower()}", lambda s=sort: g.set_sort(s), idle)
    phase("filter flagged", lambda: g.flagged_box.setChecked(True), idle)
    results["flagged"] = g.model.rowCount()
    phase("filter off", lambda: g.flagged_box.setChecked(False), idle)
    phase("select all", g.view.selectAll, idle)
    results["decoded_total"] = len(decoded)
    results["decoded_distinct"] = len(set(decoded))
    results["thumbnails_in_cache"] = sum(1 for _ in (case_dir / "cache" / "thumbs").rglob("*.jpg"))
    window.close()
    tasks.wait_for_all()
    return results


def _on_screen(g: Any) -> list[Any]:
    """The tiles intersecting the viewport (found from the first one on screen)."""
    from PySide6.QtCore import QPoint

    viewport = g.view.viewport().rect()
    first = max(0, g.view.indexAt(QPoint(1, 1)).row())
    tiles = []
    for row in range(first, g.model.rowCount()):
        if not g.view.visualRect(g.model.index(row)).intersects(viewport):
            break
        tiles.append(g.model.tile(row))
    return tiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=24000)
    parser.add_argument("--every", type=int, default=4)
    parser.add_argument("--step-ms", type=int, default=60)
    parser.add_argument(
        "--cold", action="store_true", help="delete the case's thumbnail cache first"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    case_dir = build_case(args.messages, args.every)
    if args.cold:  # the import makes no thumbnails: the grid makes those it shows
        shutil.rmtree(case_dir / "cache" / "thumbs", ignore_errors=True)
    started = time.process_time()
    results = measure(case_dir, args.step_ms)
    results["process_cpu_s"] = round(time.process_time() - started, 2)
    results["load"] = os.getloadavg()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
