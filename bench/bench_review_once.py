"""Benchmark: the reads that take a reconciled message once (issue 12, DESIGN.md §9), on a
case built by bench_reconcile.py (three phones' exports of one 100,000-message chat). Works on
a copy of the case (it tags 50 messages); prints getrusage CPU and wall per read.

    .venv/bin/python bench/bench_review_once.py bench/out/reconcile/case
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewer.services import browse, search, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import open_case
from reviewer.services.reconciled_browse import day_index, reconciled_chats, reconciled_message_ids


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def t(label: str, f: Callable[[], Any], n: int = 1) -> Any:
    c0, w0 = cpu(), time.perf_counter()
    for _ in range(n):
        out = f()
    cpu_ms, wall_ms = (cpu() - c0) / n * 1000, (time.perf_counter() - w0) / n * 1000
    print(f"{label}: {cpu_ms:.1f} ms CPU, {wall_ms:.1f} ms wall")
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "case"
        shutil.copytree(Path(sys.argv[1]), root)
        run(root)


def run(root: Path) -> None:
    with open_case(root) as case:
        chat = reconciled_chats(case)[0]
        ids = list(reconciled_message_ids(case, chat.id))
        page = ids[50000:50200]
        t("message_views 200 reconciled rows", lambda: browse.message_views(case, page), 5)
        actor = Actor("Bench", "bench")
        tagging.tag(case, actor, page[:50], "violent")
        t("message_views 200 rows, 50 tagged", lambda: browse.message_views(case, page), 5)
        t("review_progress", lambda: tagging.review_progress(case), 3)
        t("category_counts per copy", lambda: tagging.category_counts(case), 3)
        t("category_counts once", lambda: tagging.category_counts(case, once=True), 3)
        t("day_index reconciled chat", lambda: day_index(case, chat.id))
        t(
            "search 'the' first page, reconciled chat",
            lambda: search.search(case, "the", search.SearchFilters(reconciled_chat=chat.id)),
            3,
        )
        t("search 'the' first page, plain", lambda: search.search(case, "the"), 3)
        t(
            "search unreviewed first page",
            lambda: search.search(case, None, search.SearchFilters(unreviewed=True)),
            3,
        )
        t(
            "search category violent, reconciled count",
            lambda: search.count(
                case, None, search.SearchFilters(category="violent", reconciled_chat=chat.id)
            ),
        )


if __name__ == "__main__":
    main()
