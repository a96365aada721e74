"""Benchmark: the longest UI-thread stall while a reviewer tags messages during an export or
an import of the same case (DESIGN.md §7: no GUI action blocks the UI thread > 100 ms).

Usage: python bench/bench_gui_stall.py [--messages 100000] [--tagged 20000] [--tags 200]
       [--phases idle,export,import] [--export-in-this-process]

Builds once, under bench/out/: an iOS export of N messages (tools/gen_whatsapp.py), a second
one to import, and a case holding the first with ``--tagged`` messages tagged (so the export
selects them with context and runs for seconds). Then, in a fresh process with offscreen Qt,
on a copy of the case: the main window is opened and, in three phases (idle; an export of the
case started exactly as the export dialog starts it: from the writer thread, in a worker
process, or with ``--export-in-this-process`` on the writer thread itself as before; an import
of the second export started the same way, ``--import-in-this-process`` for the old way), the
reviewer's own actions tag ``--tags`` messages: jump
to the next message, press the category's hotkey (``MainWindow.toggle_category``), every
``--interval`` ms. A 10 ms QTimer on the UI thread records the gaps between its ticks; a gap
is the tick interval plus however long the event loop was blocked. Reported per phase: max
gap, p99, count of gaps over 100 ms, ticks, how long the background task ran, tag latency
(key press to written and shown: median / max), and whether every tag was persisted and
audited; and, to tell the GIL from the machine's load, the CPU this whole process used in the
longest gap and how many gaps over 100 ms had it busy for most of the gap (a thread of its own
held the GIL) rather than idle (it waited for a core).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_whatsapp.py"
CATEGORY = "violent"  # the one the reviewer tags in the bench
BULK_CATEGORY = "derogatory"  # what the pre-tagged messages carry (the export selects them)


def generate(messages: int, seed: int) -> Path:
    target = OUT / f"stall-ios-{messages}-{seed}.zip"
    if not target.exists():
        folder = OUT / f"stall-ios-{messages}-{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR),
                "--messages",
                str(messages),
                "--style",
                "ios",
                "--seed",
                str(seed),
                "--out",
                str(folder / "_chat.txt"),
                "--zip",
                str(partial),
                "--quiet",
            ],
            check=True,
        )
        partial.rename(target)
    return target


def build_case(messages: int, tagged: int) -> Path:
    target = OUT / f"stall-case-{messages}-{tagged}"
    if (target / "case.sqlite").exists():
        return target
    from reviewer.services import browse, tagging
    from reviewer.services.actor import Actor
    from reviewer.services.case import create_case
    from reviewer.services.importing import ImportOptions, import_export

    export = generate(messages, 1)
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    actor = Actor("bench", "bench")
    print(f"building {target.name} (one-off)…", file=sys.stderr)
    with create_case(building, reference="BENCH-STALL", actor=actor) as case:
        import_export(case, export, actor, ImportOptions(exhibit="B/1"))
        conversation = max(browse.conversations(case), key=lambda c: c.message_count)
        ids = list(browse.conversation_message_ids(case, conversation.id))
        step = max(1, len(ids) // tagged)
        tagging.tag(case, actor, ids[::step][:tagged], BULK_CATEGORY)
    building.rename(target)
    return target


def _run_queue_reader() -> Any:
    """Milliseconds the calling thread has spent runnable but waiting for a core, so far
    (Linux ``schedstat``; 0 elsewhere). Opened by the thread it measures."""
    try:
        fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
    except OSError:
        return lambda: 0.0

    def read() -> float:
        return int(os.pread(fd, 128, 0).split()[1]) / 1e6

    return read


def child(
    case_dir: Path,
    second_export: Path,
    tags: int,
    interval_ms: int,
    phases: tuple[str, ...] = ("idle", "export", "import"),
) -> dict[str, Any]:
    """Runs in the measuring process: the window, the driver and the watchdog."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from reviewer.gui import tasks
    from reviewer.gui.app import freeze_long_lived
    from reviewer.gui.main_window import MainWindow
    from reviewer.gui.tasks import Task
    from reviewer.services import audit_log, browse
    from reviewer.services.actor import Actor
    from reviewer.services.case import open_case
    from reviewer.services.exporting import ExportOptions, export_bundle
    from reviewer.services.importing import ImportOptions, import_export
    from reviewer.services.worker_process import export_in_process, import_in_process

    app = QApplication.instance() or QApplication([])
    run_queue_ms = _run_queue_reader()  # the UI thread's
    collections: list[tuple[float, float, bool]] = []  # (start, ms, on the UI thread)
    collecting: dict[int, float] = {}

    def on_gc(phase_name: str, _info: dict[str, Any]) -> None:
        now = time.perf_counter()
        ident = threading.get_ident()
        if phase_name == "start":
            collecting[ident] = now
        elif ident in collecting:
            began = collecting.pop(ident)
            collections.append((began, (now - began) * 1000, ident == ui_thread))

    ui_thread = threading.get_ident()
    gc.callbacks.append(on_gc)
    actor = Actor("Bench Reviewer", "bench")
    case = open_case(case_dir)
    window = MainWindow(case, actor)
    window.show()
    if os.environ.get("STALL_NO_FREEZE") != "1":
        freeze_long_lived()  # as the app does once a case's window is shown
    deadline = time.perf_counter() + 60
    while tasks.in_flight() and time.perf_counter() < deadline:
        app.processEvents()
    key = next(k for k, v in window.category_hotkeys().items() if v == CATEGORY)
    del key  # the driver calls the hotkey's slot directly (no key event in offscreen Qt)
    ids = list(window.model.ids())
    views = browse.message_views(case, ids[:5000])
    candidates = [i for i in ids[:5000] if views[i].kind == "text" and not views[i].tags]
    used = 0
    written_at: dict[int, float] = {}
    original_apply = window.apply_changes

    def apply(changes: Any) -> None:
        now = time.perf_counter()
        for message_id in changes.message_ids:
            written_at.setdefault(message_id, now)
        original_apply(changes)

    window.apply_changes = apply  # type: ignore[method-assign]

    def phase(name: str, background: Any) -> dict[str, Any]:
        nonlocal used
        targets = candidates[used : used + tags]
        used += tags
        pressed: dict[int, float] = {}
        gaps: list[float] = []
        cpu: list[float] = []
        process_cpu: list[float] = []  # every thread of this process (not child processes)
        queued: list[float] = []  # the UI thread runnable but waiting for a core (Linux)
        last = [time.perf_counter(), time.thread_time(), time.process_time(), run_queue_ms()]

        def tick() -> None:
            now, used, everyone = time.perf_counter(), time.thread_time(), time.process_time()
            waited = run_queue_ms()
            gaps.append((now - last[0]) * 1000)
            cpu.append((used - last[1]) * 1000)
            process_cpu.append((everyone - last[2]) * 1000)
            queued.append(waited - last[3])
            last[0], last[1], last[2], last[3] = now, used, everyone, waited

        watchdog = QTimer()
        watchdog.setTimerType(Qt.TimerType.PreciseTimer)
        watchdog.setInterval(10)
        watchdog.timeout.connect(tick)
        queue = list(targets)

        def press() -> None:
            if not queue:
                driver.stop()
                return
            message_id = queue.pop(0)
            window.jump_to(message_id)
            pressed[message_id] = time.perf_counter()
            window.toggle_category(CATEGORY)  # what the hotkey's shortcut calls

        driver = QTimer()
        driver.setInterval(interval_ms)
        driver.timeout.connect(press)
        state: dict[str, Any] = {"done": background is None, "error": None, "seconds": 0.0}
        watchdog.start()
        started = time.perf_counter()
        if background is not None:

            def finished(_result: object) -> None:
                state["done"] = True
                state["seconds"] = time.perf_counter() - started

            def failed(exc: BaseException) -> None:
                state["done"] = True
                state["error"] = repr(exc)
                state["seconds"] = time.perf_counter() - started

            Task(background).success(finished).failure(failed).run()  # the writer thread
            # let the background task get going before the first key press
            warm = time.perf_counter() + 0.5
            while time.perf_counter() < warm:
                app.processEvents()
        driver.start()
        limit = time.perf_counter() + 900
        while time.perf_counter() < limit and not (
            state["done"]
            and not queue
            and not window.edits.pending
            and not tasks.in_flight()
            and not window.refresh_pending()
        ):
            app.processEvents()
            time.sleep(0.001)
        total = time.perf_counter() - started
        pauses = [ms for began, ms, on_ui in collections if began >= started and on_ui]
        watchdog.stop()
        driver.stop()
        ordered = sorted(gaps)
        latencies = sorted(
            (written_at[i] - pressed[i]) * 1000 for i in targets if i in written_at and i in pressed
        )
        with case.reading() as session:
            audited = {
                m
                for e in audit_log.entries(session)
                if e["action"] == "tag.added" and e["details"].get("category") == CATEGORY
                for m in e["details"]["messages"]
            }
        persisted = browse.message_views(case, targets)
        return {
            "phase": name,
            "max_gap_ms": round(ordered[-1], 1) if ordered else None,
            "p99_gap_ms": round(ordered[int(len(ordered) * 0.99) - 1], 1) if ordered else None,
            "gaps_over_100ms": sum(1 for g in gaps if g > 100),
            # CPU the UI thread itself used in its longest gaps: the rest of a gap is waiting
            # (for a core on a loaded machine, or for the GIL)
            "max_gap_cpu_ms": round(cpu[gaps.index(max(gaps))], 1) if gaps else None,
            "max_cpu_in_a_gap_ms": round(max(cpu), 1) if cpu else None,
            # CPU of all this process's threads in the longest gap, and how many gaps > 100 ms
            # had this process busy for most of them (a thread of its own held the GIL)
            # rather than idle (the process waited for a core: the machine's load)
            "max_gap_process_cpu_ms": round(process_cpu[gaps.index(max(gaps))], 1)
            if gaps
            else None,
            "gaps_over_100ms_process_busy": sum(
                1 for g, c in zip(gaps, process_cpu, strict=True) if g > 100 and c >= 0.8 * (g - 10)
            ),
            # the UI thread blocked though it was neither running nor waiting for a core: for
            # the GIL (or on I/O). The tick interval (10 ms) is part of every gap.
            "max_blocked_ms": round(
                max((g - c - q for g, c, q in zip(gaps, cpu, queued, strict=True)), default=0), 1
            ),
            "blocked_over_100ms": sum(
                1 for g, c, q in zip(gaps, cpu, queued, strict=True) if g - c - q > 100
            ),
            "max_gap_run_queue_ms": round(queued[gaps.index(max(gaps))], 1) if gaps else None,
            # garbage collections run on the UI thread during the phase: the longest, count
            "max_ui_gc_ms": round(max(pauses), 1) if pauses else 0.0,
            "ui_gc_runs": len(pauses),
            "ticks": len(gaps),
            "phase_s": round(total, 2),
            "background_s": round(state["seconds"], 2),
            "background_error": state["error"],
            "tags": len(targets),
            "tag_latency_median_ms": round(latencies[len(latencies) // 2], 1)
            if latencies
            else None,
            "tag_latency_max_ms": round(latencies[-1], 1) if latencies else None,
            "persisted": sum(1 for i in targets if CATEGORY in persisted[i].tags),
            "audited": len(audited & set(targets)),
        }

    out_dir = Path(tempfile.mkdtemp(prefix="stall-bundle-"))
    export_here = os.environ.get("STALL_EXPORT_HERE") == "1"
    import_here = os.environ.get("STALL_IMPORT_HERE") == "1"

    def export(progress: Any, cancel: Any) -> object:
        if export_here:  # as before 2026-12-07 14:00: on the writer thread, in this process
            return export_bundle(
                case,
                actor,
                out_dir / "bundle",
                ExportOptions(context=5),
                progress=progress,
                cancel=cancel,
            )
        return export_in_process(
            case.root,
            actor,
            out_dir / "bundle",
            ExportOptions(context=5),
            progress=progress,
            cancel=cancel,
        )

    def import_second(progress: Any, cancel: Any) -> object:
        if import_here:  # as before 2026-12-07 14:40: on the writer thread, in this process
            return import_export(
                case,
                second_export,
                actor,
                ImportOptions(exhibit="B/2"),
                progress=progress,
                cancel=cancel,
            )
        return import_in_process(
            case.root,
            second_export,
            actor,
            ImportOptions(exhibit="B/2"),
            progress=progress,
            cancel=cancel,
        )

    work = {"idle": None, "export": export, "import": import_second}
    results = [phase(name, work[name]) for name in phases]
    window.edits.pendingChanged.disconnect()
    window.close()
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--tagged", type=int, default=20_000)
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--interval", type=int, default=100, help="ms between key presses")
    parser.add_argument("--phases", default="idle,export,import")
    parser.add_argument(
        "--export-in-this-process",
        action="store_true",
        help="export on the writer thread of the window's process (as before the worker process)",
    )
    parser.add_argument(
        "--import-in-this-process",
        action="store_true",
        help="import on the writer thread of the window's process (as before the worker process)",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        phases = tuple(args.phases.split(","))
        result = child(Path(args.child[0]), Path(args.child[1]), args.tags, args.interval, phases)
        print(json.dumps(result))
        return
    source = build_case(args.messages, args.tagged)
    second = generate(args.messages, 2)
    with tempfile.TemporaryDirectory(prefix="stall-case-") as scratch:
        copy = Path(scratch) / "case"
        shutil.copytree(source, copy)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        env["STALL_EXPORT_HERE"] = "1" if args.export_in_this_process else "0"
        env["STALL_IMPORT_HERE"] = "1" if args.import_in_this_process else "0"
        run = subprocess.run(
            [
                sys.executable,
                __file__,
                "--tags",
                str(args.tags),
                "--interval",
                str(args.interval),
                "--phases",
                args.phases,
                "--child",
                str(copy),
                str(second),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        raise SystemExit(run.returncode)
    found = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"case: {args.messages:,} messages, {args.tagged:,} tagged; {args.tags} tags per phase")
    for row in found["results"]:
        print(json.dumps(row))
    worst = max(r["max_gap_ms"] or 0 for r in found["results"])
    print(f"longest UI-thread gap: {worst:.0f} ms (target: no stall > 100 ms)")


if __name__ == "__main__":
    main()
