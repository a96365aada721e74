"""Benchmark: screen a 1,000,000-message case with a 500-term lexicon, end to end.

Usage: python bench/bench_screen.py

Copies the 1M-message case that bench/bench_search.py builds (run that first) and runs
``services.screening.screen`` on the copy with the starter lexicon padded to 500 terms by
generated filler words (written as a TOML lexicon file). Target (issue #3): ≤ 30 s including
reading every message and storing the suggestions.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_lexicon import filler_entries
from reviewer.review.lexicon import starter_lexicon
from reviewer.services import screening
from reviewer.services.actor import Actor
from reviewer.services.case import open_case

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "bench" / "out" / "search-case-1000000"


def lexicon_file(path: Path, terms: int) -> Path:
    entries = list(starter_lexicon().entries)
    entries += filler_entries(terms - len(entries), random.Random(3))
    lines = []
    for entry in entries:
        key = "regex" if entry.regex else "term"
        value = json.dumps(entry.regex or entry.term or "")  # a JSON string is a TOML string
        lines.append(f'[[entry]]\n{key} = {value}\ncategory = "{entry.category}"\n')
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> None:
    if not (SOURCE / "bench-ready").exists():
        sys.exit("run bench/bench_search.py first: it builds the 1,000,000-message case")
    with tempfile.TemporaryDirectory(prefix="bench-screen-", dir=ROOT / "bench" / "out") as tmp:
        case_dir = Path(tmp) / "case"
        shutil.copytree(SOURCE, case_dir)
        lexicon = lexicon_file(Path(tmp) / "lexicon.toml", 500)
        with open_case(case_dir) as case:
            started = time.perf_counter()
            result = screening.screen(case, Actor("bench", "bench"), lexicon)
            seconds = time.perf_counter() - started
    print(
        f"screened {result.messages:,} messages with {result.lexicon} (500 terms): "
        f"{result.hits:,} hits, {result.new_suggestions:,} suggestions in {seconds:.1f} s "
        f"({seconds / max(result.messages, 1) * 1e6:.1f} µs/message); target ≤ 30 s"
    )


if __name__ == "__main__":
    main()
