"""Benchmark: a reviewer tags while the benchmark export runs (issue 11: the export holds no
write lock while it writes).

    .venv/bin/python bench/bench_export_lock.py

Builds bench_export.py's case (5,000 tagged, context 5, ~1,000 images), then runs the export
while another connection tags and untags one message every 0.2 s; prints the export's wall
time, how many edits were made during it and their slowest wait.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time

from bench_export import ACTOR, OUT, ZIP, choose, generate
from reviewer.bundle.verify import verify_bundle
from reviewer.services import tagging
from reviewer.services.case import create_case, open_case
from reviewer.services.exporting import ExportOptions, export_bundle
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records


def main() -> int:
    generate()
    work = OUT / "export-lock-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with create_case(work / "case", reference="BENCH-1", actor=ACTOR) as case:
        import_export(case, ZIP, ACTOR, ImportOptions(exhibit="AB/1"))
        records = list(message_records(case))
        ids = choose(records)
        tagging.tag(case, ACTOR, ids, "derogatory")
        spare = next(int(str(r["id"])) for r in records if int(str(r["id"])) not in set(ids))
        waits: list[float] = []
        done = threading.Event()

        def edit() -> None:
            with open_case(case.root) as other:
                tagged = False
                while not done.is_set():
                    started = time.perf_counter()
                    if tagged:
                        tagging.untag(other, ACTOR, [spare], "sexual")
                    else:
                        tagging.tag(other, ACTOR, [spare], "sexual")
                    tagged = not tagged
                    waits.append(time.perf_counter() - started)
                    done.wait(0.2)

        editor = threading.Thread(target=edit)
        started = time.perf_counter()
        editor.start()
        result = export_bundle(case, ACTOR, work / "bundle", ExportOptions(context=5))
        seconds = time.perf_counter() - started
        done.set()
        editor.join()
    print(
        f"export: {seconds:.1f} s ({result.tagged:,} tagged, {result.context:,} context); "
        f"{len(waits)} tag/untag edits meanwhile, slowest {max(waits) * 1000:.0f} ms, "
        f"median {sorted(waits)[len(waits) // 2] * 1000:.0f} ms"
    )
    report = verify_bundle(work / "bundle")
    print(f"verify: ok={report.ok} {report.failure or ''}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
