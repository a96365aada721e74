"""Benchmark: how long the export holds Python's GIL in one go (the GUI freezes that long).

    .venv/bin/python bench/bench_export_gil.py [--tagged 5000] [--runs 1]

Builds (once, kept in bench/out/) the bench_export.py case — 5,000 tagged messages of the
60,000-message iOS export, 1,000 of them with an image — then exports it with context 5 while a
probe thread sleeps 5 ms in a loop and records how late each wake-up is: a wake-up late by
*n* ms means some other thread held the GIL (or the machine was busy) for about *n* ms. Reports
the export's wall and CPU time, peak RSS of the process, and the longest probe gaps.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_export
from reviewer.bundle import report_pdf, writer
from reviewer.services import tagging
from reviewer.services.case import create_case, open_case
from reviewer.services.exporting import ExportOptions, export_bundle
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records

OUT = bench_export.OUT
TICK = 0.005


class Probe(threading.Thread):
    """Sleeps ``TICK`` in a loop; records how far past ``TICK`` each wake-up came."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.gaps: list[float] = []
        self.where: list[tuple[float, str]] = []  # long gaps: where the other threads were
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            before = time.perf_counter()
            time.sleep(TICK)
            gap = time.perf_counter() - before - TICK
            self.gaps.append(gap)
            if gap > 0.1:
                self.where.append((gap, _stacks(self.ident)))


def _stacks(own: int | None) -> str:
    """The innermost reviewer/jinja frames of the other threads (a long C call just returned
    there, or a thread is waiting there)."""
    found = []
    for ident, frame in sys._current_frames().items():
        if ident == own:
            continue
        names = []
        for summary in traceback.extract_stack(frame)[-3:]:
            names.append(f"{Path(summary.filename).name}:{summary.lineno} {summary.name}")
        found.append(" < ".join(reversed(names)))
    return " | ".join(found)


class _NoWait:
    """Stands for ``threading`` in the writer: its event is set from the start."""

    @staticmethod
    def Event() -> threading.Event:
        event = threading.Event()
        event.set()
        return event


def case_root(tagged: int) -> Path:
    root = OUT / f"gil-case-{tagged}"
    if (root / "case").is_dir():
        return root / "case"
    bench_export.generate()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    with create_case(root / "case", reference="BENCH-GIL", actor=bench_export.ACTOR) as case:
        import_export(case, bench_export.ZIP, bench_export.ACTOR, ImportOptions(exhibit="AB/1"))
        ids = bench_export.choose(list(message_records(case)))[:tagged]
        tagging.tag(case, bench_export.ACTOR, ids, "derogatory")
    return root / "case"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tagged", type=int, default=bench_export.TAGGED)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--in-process", action="store_true", help="typeset the PDF in this process (as before)"
    )
    parser.add_argument(
        "--no-wait", action="store_true", help="writer does not wait for the PDF's preparation"
    )
    args = parser.parse_args()
    if args.in_process:
        report_pdf.CHILD_PROCESS_FROM = sys.maxsize  # type: ignore[misc]
    if args.no_wait:  # the writer does not wait for the PDF's preparation (as before)
        writer.threading = _NoWait  # type: ignore[attr-defined,assignment]
    root = case_root(args.tagged)
    for run in range(args.runs):
        target = root.parent / f"bundle-{run}"
        shutil.rmtree(target, ignore_errors=True)
        with open_case(root) as case:
            probe = Probe()
            probe.start()
            cpu, wall = time.process_time(), time.perf_counter()
            result = export_bundle(case, bench_export.ACTOR, target, ExportOptions(context=5))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            probe.stop.set()
            probe.join()
        gaps = sorted(probe.gaps, reverse=True)
        over = sum(1 for g in gaps if g > 0.1)
        print(
            f"run {run}: export {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"(+ {children.ru_utime + children.ru_stime:.1f} s in child processes) "
            f"({result.tagged:,} tagged, {result.context:,} context); "
            f"longest probe gaps ms: {', '.join(f'{g * 1000:.0f}' for g in gaps[:8])}; "
            f"{over} gaps > 100 ms"
        )
        for gap, where in sorted(probe.where, reverse=True)[:6]:
            print(f"  {gap * 1000:.0f} ms after: {where}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = Path("/proc/loadavg").read_text().split()[:3]
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the process: {peak:.0f} MB (of a child: {child:.0f} MB); load {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
