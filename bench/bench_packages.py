"""Benchmark: packages across laptops (DESIGN.md §11) on a generated chat.

Usage: python bench/bench_packages.py [--messages N] [--keep DIR]

Imports an iOS export of N messages (tools/gen_whatsapp.py, ../shared/tools by default), has
the lead tag 500 and mark 500 of 1,000 sampled messages, cuts a blind package of the whole
case, has a second reviewer tag and mark the same 1,000 with a known overlap (250 tagged by
both, 250 by each alone, 250 by neither), then times the merge, a repeated merge and the
agreement report. Prints wall times and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reviewer.services import merging, packaging, tagging
from reviewer.services.actor import Actor
from reviewer.services.adjudication import agreement_report
from reviewer.services.case import create_case, open_case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.store.package_repo import Cut

GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "gen_whatsapp.py"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build in this folder (default: a temporary one)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-packages-"))
    root.mkdir(parents=True, exist_ok=True)
    chat = root / "chat.txt"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--messages", str(args.messages), "--style", "ios",
         "--out", str(chat), "--omitted", "--quiet"],
        check=True,
    )  # fmt: skip
    lead, bee = Actor("Lead", "lead-laptop"), Actor("Bee", "bee-laptop")
    sample = list(range(1, args.messages + 1, max(1, args.messages // 1000)))[:1000]
    with create_case(root / "case", reference="BENCH", actor=lead) as case:
        import_export(case, chat, lead, ImportOptions(exhibit="X/1"))
        tagging.tag(case, lead, sample[:500], "derogatory")
        tagging.mark_reviewed(case, lead, sample[500:])
        start = time.perf_counter()
        cut = packaging.cut_package(case, root / "package", lead, Cut(), blind=True)
        print(
            f"cut a blind package of {cut.messages:,} messages: {time.perf_counter() - start:.2f} s"
        )
    with open_case(root / "package") as package:
        tagging.tag(package, bee, sample[250:750], "derogatory")
        tagging.mark_reviewed(package, bee, sample[:250] + sample[750:])
    with open_case(root / "case") as case:
        start = time.perf_counter()
        report = merging.merge_package(case, root / "package", lead)
        print(
            f"merge: {len(report.changes)} changes, {len(report.conflicts)} conflicts, "
            f"{len(report.concurring)} concurring: {time.perf_counter() - start:.2f} s"
        )
        start = time.perf_counter()
        again = merging.merge_package(case, root / "package", lead)
        print(f"merge again (already merged: {again.already_merged}): "
              f"{time.perf_counter() - start:.2f} s")  # fmt: skip
        start = time.perf_counter()
        rows = agreement_report(case)
        print(f"agreement: {time.perf_counter() - start:.2f} s")
        for row in rows:
            print("  ", {**row.record(), "disagreements": len(row.disagreements)})
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
