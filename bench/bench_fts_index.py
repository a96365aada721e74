"""Benchmark: the full-text index build of 1,000,000 messages, words only against words, emoji
and symbols (``reviewer.store.fts``).

Usage: python bench/bench_fts_index.py [--runs N]

Reads the messages of the case bench/bench_search.py builds (run that first) and indexes them
into scratch tables of a temporary database, as the import does after its bulk insert: the
table of schema 0003 (``unicode61`` over the raw text) and the current one (contentless, over
each text's index text, with the Python function called only for non-ASCII texts). Reports
the median wall and CPU seconds of ``--runs`` (default 3) and the Python share alone. CPU time
is the steadier number on a shared machine.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from reviewer.core.symbol_tokens import index_text
from reviewer.store import fts

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "bench" / "out" / "search-case-1000000" / "case.sqlite"
OLD_TABLE = (
    "CREATE VIRTUAL TABLE {name} USING fts5(text, content='', "
    "tokenize='unicode61 remove_diacritics 2', columnsize=0)"
)


def build(db: sqlite3.Connection, name: str, expression: str) -> tuple[float, float]:
    db.execute(f"DROP TABLE IF EXISTS {name}")
    db.execute(OLD_TABLE.format(name=name))
    db.execute(f"INSERT INTO {name}({name}, rank) VALUES ('automerge', 0)")
    db.execute(f"INSERT INTO {name}({name}, rank) VALUES ('crisismerge', 64)")
    wall, cpu = time.perf_counter(), time.process_time()
    db.execute(
        f"INSERT INTO {name}(rowid, text) SELECT id, {expression} FROM src.message "
        "WHERE id <= 1000000"
    )
    db.commit()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fts-") as scratch:
        db = sqlite3.connect(Path(scratch) / "fts.sqlite")
        db.execute(f"ATTACH 'file:{CASE}?mode=ro' AS src")
        fts.register(db)
        texts = [text for (text,) in db.execute("SELECT text FROM src.message")]
        non_ascii = [text for text in texts if not text.isascii()]
        results: dict[str, list[tuple[float, float]]] = {"words only": [], "with emoji": []}
        for _ in range(args.runs):
            results["words only"].append(build(db, "old_fts", "text"))
            results["with emoji"].append(build(db, "new_fts", fts.INDEX_TEXT_SQL))
        cpu = time.process_time()
        for text in non_ascii:
            index_text(text)
        python = time.process_time() - cpu
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        print(f"{len(texts):,} messages, {len(non_ascii):,} not ASCII-only")
        for label, runs in results.items():
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            print(f"{label:12} wall {wall:6.2f} s   cpu {cpu:6.2f} s   (runs: {runs})")
        print(f"index_text over the non-ASCII texts alone: {python:.2f} s CPU")
        print(f"scratch database with both tables: {pages * 4096 / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
