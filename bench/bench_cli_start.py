"""Benchmark: how fast the command line starts (DESIGN.md §7: ``--version`` ≤ 0.15 s, a light
command such as ``progress`` or ``tag`` ≤ 0.3 s).

Usage: python bench/bench_cli_start.py [--runs N] [--warmup W] [--reviewer PATH | --source DIR]

Builds a small case from the bundled demo export in a temporary folder, then runs each command
N times in a fresh process (hyperfine-like: W unmeasured warm-up runs first) and prints the
median, minimum and maximum wall time from starting the process to its exit, and the median
CPU time (user + system; steadier than wall time on a shared machine). The program run is
the ``reviewer`` console script next to this Python (what a user types), else ``python -m
reviewer``; compiled modules are cached as on a user's machine. Each ``tag`` run tags a
different text message, so every run writes a tag and an audit entry. ``--source DIR`` runs
``python -m reviewer`` from another checkout's ``src`` folder (e.g. the code before a change,
from ``git worktree``), to compare two versions in the same conditions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "reviewer" / "resources" / "demo" / "WhatsApp Chat - Night Shift.zip"
CATEGORY = "discriminatory.race"


def program(explicit: str | None) -> list[str]:
    if explicit:
        return [explicit]
    script = Path(sys.executable).with_name("reviewer")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reviewer"]


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def build_case(reviewer: list[str], case: Path, env: dict[str, str]) -> list[int]:
    """A case with the demo export imported; the ids of its text messages."""
    for command in (
        ["case", "new", str(case), "--reference", "BENCH-1"],
        ["import", str(case), str(DEMO), "--exhibit", "EX1"],
    ):
        subprocess.run([*reviewer, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(
        [*reviewer, "messages", str(case), "--jsonl"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [r["id"] for r in map(json.loads, out.splitlines()) if r["kind"] == "text"]


def summarise(name: str, runs: list[tuple[float, float]]) -> str:
    wall = [w * 1000 for w, _cpu in runs]
    cpu = [c * 1000 for _wall, c in runs]
    return (
        f"{name:<10} wall median {statistics.median(wall):6.0f} ms  min {min(wall):6.0f}  "
        f"max {max(wall):6.0f}   CPU median {statistics.median(cpu):6.0f} ms   ({len(wall)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reviewer", help="the program to run (default: this venv's reviewer)")
    parser.add_argument("--source", help="run python -m reviewer with this src folder first")
    args = parser.parse_args()
    reviewer = [sys.executable, "-m", "reviewer"] if args.source else program(args.reviewer)
    env = {**os.environ, "REVIEWER_NAME": "Bench Reviewer"}
    if args.source:
        env["PYTHONPATH"] = str(Path(args.source).resolve())
    # As on a user's machine, compiled modules are cached (the warm-up runs write them): a
    # PYTHONDONTWRITEBYTECODE set for the test suite would recompile reviewer on every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        case = Path(tmp) / "case"
        ids = build_case(reviewer, case, env)
        needed = args.warmup + args.runs
        if len(ids) < needed:
            sys.exit(f"the demo has {len(ids)} text messages; at most {len(ids)} runs of tag")
        commands: dict[str, Callable[[int], list[str]]] = {
            "--version": lambda i: [*reviewer, "--version"],
            "progress": lambda i: [*reviewer, "progress", str(case)],
            "tag": lambda i: [*reviewer, "tag", str(case), str(ids[i]), CATEGORY],
        }
        source = f" (PYTHONPATH={env['PYTHONPATH']})" if args.source else ""
        print(f"{' '.join(reviewer)}{source}: {args.runs} runs each, {args.warmup} warm-up runs")
        for name, command in commands.items():
            for i in range(args.warmup):
                run(command(i), env)
            runs = [run(command(args.warmup + i), env) for i in range(args.runs)]
            print(summarise(name, runs), flush=True)


if __name__ == "__main__":
    main()
