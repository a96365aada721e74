"""Benchmark: import a 1,000,000-message iOS export, and time whatstk 0.9.1 on the same file.

Usage: python bench/bench_import.py [--messages N] [--runs R] [--skip-whatstk]

Generates the export with ../shared/tools/gen_whatsapp.py (cached under bench/out/), imports
it into a fresh case in a child process (wall time of ``import_export`` and peak RSS of that
process and of its import worker), then parses the same file with whatstk 0.9.1 installed into
a throwaway venv under bench/out/. The two alternate ``--runs`` times (default 3); medians are
reported, since a shared machine varies by a few tenths of a second from run to run. Targets
(DESIGN.md §7): import ≤ 8 s, faster than whatstk, peak RSS ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_whatsapp.py"
WHATSTK = "whatstk==0.9.1"

IMPORT_CHILD = """
import json, resource, sys, time
from pathlib import Path
from reviewer.services.actor import Actor
from reviewer.services.case import create_case
from reviewer.services.importing import ImportOptions, import_export
actor = Actor("bench", "bench")
case = create_case(Path(sys.argv[1]), reference="BENCH", actor=actor)
start = time.perf_counter()
result = import_export(case, Path(sys.argv[2]), actor, ImportOptions(exhibit="B/1"))
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF)
worker = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "messages": result.messages,
                  "cpu": own.ru_utime + own.ru_stime,
                  "worker_cpu": worker.ru_utime + worker.ru_stime,
                  "peak_rss_mb": own.ru_maxrss / 1024, "worker_rss_mb": worker.ru_maxrss / 1024}))
"""

WHATSTK_CHILD = """
import json, resource, sys, time
from whatstk import WhatsAppChat
start = time.perf_counter()
chat = WhatsAppChat.from_source(
    filepath=sys.argv[1], hformat="[%d/%m/%Y, %H:%M:%S] %name:", max_size=None
)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "messages": len(chat.df),
                  "cpu": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}))
"""


def generate(messages: int) -> Path:
    target = OUT / f"ios-{messages}" / "_chat.txt"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR),
                "--messages",
                str(messages),
                "--style",
                "ios",
                "--seed",
                "1",
                "--out",
                str(target),
                "--quiet",
            ],
            check=True,
        )
    return target


def whatstk_python() -> Path:
    venv = OUT / "whatstk-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", WHATSTK], check=True)
    return python


def run_child(python: Path | str, code: str, *args: str) -> dict[str, float]:
    completed = subprocess.run(
        [str(python), "-c", code, *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"child failed:\n{completed.stderr}")
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-whatstk", action="store_true")
    args = parser.parse_args()

    export = generate(args.messages)
    size_mb = export.stat().st_size / 1e6
    print(f"export: {export} ({size_mb:.0f} MB, {args.messages:,} messages)")
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
            case = str(Path(scratch) / "case")
            ours.append(run_child(sys.executable, IMPORT_CHILD, case, str(export)))
        if not args.skip_whatstk:
            theirs.append(run_child(whatstk_python(), WHATSTK_CHILD, str(export)))
    seconds = median(r["seconds"] for r in ours)
    print(
        f"reviewer import: {seconds:.2f} s median for {int(ours[0]['messages']):,} messages "
        f"({_each(ours)}), peak RSS {max(r['peak_rss_mb'] for r in ours):.0f} MB "
        f"(worker process {max(r['worker_rss_mb'] for r in ours):.0f} MB); CPU (user+sys) "
        f"{_median(ours, 'cpu'):.2f} s + worker {_median(ours, 'worker_cpu'):.2f} s"
    )
    if theirs:
        their_seconds = median(r["seconds"] for r in theirs)
        print(
            f"whatstk 0.9.1 parse: {their_seconds:.2f} s median for "
            f"{int(theirs[0]['messages']):,} messages ({_each(theirs)}), "
            f"CPU {_median(theirs, 'cpu'):.2f} s, "
            f"peak RSS {max(r['peak_rss_mb'] for r in theirs):.0f} MB"
        )
        print(f"reviewer is {their_seconds / seconds:.2f}x as fast as whatstk (medians)")


def _median(results: list[dict[str, float]], key: str) -> float:
    return median(r[key] for r in results)


def _each(results: list[dict[str, float]]) -> str:
    return "runs: " + ", ".join(f"{r['seconds']:.2f}" for r in results)


if __name__ == "__main__":
    main()
