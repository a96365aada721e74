"""Benchmark: export 5,000 tagged messages (context 5) with 1,000 images (DESIGN.md §7: ≤ 30 s).

    .venv/bin/python bench/bench_export.py

Generates an iOS export with tools/gen_whatsapp.py (60,000 messages, media every 60th),
zips it next to (never inside) the generated folder, imports it, tags 5,000 messages in one
bulk call, then times ``export_bundle`` and ``verify_bundle``.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from reviewer.bundle.verify import verify_bundle
from reviewer.services import tagging
from reviewer.services.actor import Actor
from reviewer.services.case import create_case
from reviewer.services.exporting import ExportOptions, export_bundle, preview
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SOURCE = OUT / "export-src"
ZIP = OUT / "export-src.zip"
GENERATOR = HERE.parents[1] / "shared" / "tools" / "gen_whatsapp.py"
ACTOR = Actor("Bench Reviewer", "bench")
TAGGED = 5_000
IMAGES = 1_000
TARGET_SECONDS = 30.0


def generate() -> None:
    if ZIP.is_file():
        return
    shutil.rmtree(SOURCE, ignore_errors=True)
    SOURCE.mkdir(parents=True)
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--messages",
            "60000",
            "--style",
            "ios",
            "--seed",
            "4",
            "--out",
            str(SOURCE / "_chat.txt"),
            "--media-dir",
            str(SOURCE),
            "--media-every",
            "60",
            "--quiet",
        ],
        check=True,
    )
    with zipfile.ZipFile(ZIP, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(SOURCE.iterdir()):
            archive.write(path, path.name)


def _reap_children(timeout: float = 10.0) -> None:
    """Wait until the export's child processes have exited, so their CPU is counted."""
    deadline = time.monotonic() + timeout
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)


def choose(records: list[dict[str, object]]) -> list[int]:
    """1,000 messages with an image, then others spread through the chat, 5,000 in all."""
    with_images = [
        int(str(r["id"]))
        for r in records
        if any(a["present"] and str(a["mime"]).startswith("image/") for a in r["attachments"])  # type: ignore[attr-defined]
    ][:IMAGES]
    chosen = set(with_images)
    others = [int(str(r["id"])) for r in records if int(str(r["id"])) not in chosen]
    step = max(1, len(others) // (TAGGED - len(chosen)))
    chosen.update(others[::step][: TAGGED - len(chosen)])
    return sorted(chosen)


class Phases:
    """A progress sink that notes when each stage of the export starts (wall and process CPU
    seconds from the start), printed after the export."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.cpu = time.process_time()
        self.seen: list[tuple[str, float, float]] = []

    def report(self, stage: str, done: int, total: int | None) -> None:
        if not self.seen or self.seen[-1][0] != stage:
            self.seen.append(
                (stage, time.perf_counter() - self.started, time.process_time() - self.cpu)
            )

    def print(self, seconds: float, cpu: float) -> None:
        ends = [*self.seen[1:], ("", seconds, cpu)]
        for (stage, wall, used), (_, next_wall, next_used) in zip(self.seen, ends, strict=True):
            print(
                f"  {wall:5.1f} s  {stage:<30} {next_wall - wall:5.1f} s wall, "
                f"{next_used - used:5.1f} s CPU (this process)"
            )


def main() -> int:
    generate()
    work = OUT / "export-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with create_case(work / "case", reference="BENCH-1", actor=ACTOR) as case:
        started = time.perf_counter()
        import_export(case, ZIP, ACTOR, ImportOptions(exhibit="AB/1"))
        print(f"import: {time.perf_counter() - started:.1f} s")
        ids = choose(list(message_records(case)))
        started = time.perf_counter()
        tagging.tag(case, ACTOR, ids, "derogatory")
        print(f"tag {len(ids):,} messages in one call: {time.perf_counter() - started:.2f} s")
        shown = preview(case, ExportOptions(context=5))
        print(
            f"preview: {shown.tagged:,} tagged, {shown.context:,} context, "
            f"{shown.attachments:,} attachments, {shown.bytes / 1e6:.1f} MB"
        )
        # The case was just made (and the last run's folders deleted): the kernel writes that
        # back now, not while the export is timed (it took 1-2 s from the export's two cores).
        os.sync()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        phases = Phases()
        result = export_bundle(
            case, ACTOR, work / "bundle", ExportOptions(context=5), progress=phases
        )
        seconds = time.perf_counter() - phases.started
        cpu = time.process_time() - phases.cpu
        _reap_children()  # the export does not wait for the Typst child to exit
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
    for warning in result.warnings:
        print(f"warning: {warning}")
    print(
        f"export: {seconds:.1f} s (target ≤ {TARGET_SECONDS:.0f} s) — {result.tagged:,} tagged, "
        f"{result.context:,} context, {result.attachments:,} media files, {result.rsmf_files} "
        f"RSMF, {result.files} payload files, {result.bytes / 1e6:.1f} MB"
    )
    print(
        f"  CPU: {cpu:.1f} s this process, "
        f"{children.ru_utime + children.ru_stime - before.ru_utime - before.ru_stime:.1f} s "
        f"child processes (Typst); load average {os.getloadavg()[0]:.1f}"
    )
    phases.print(seconds, cpu)
    started = time.perf_counter()
    report = verify_bundle(work / "bundle")
    print(f"verify: {time.perf_counter() - started:.1f} s, ok={report.ok} {report.failure or ''}")
    return 0 if report.ok and seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
