"""Where an import's time goes: a timeline of its phases in this process and of the pieces
the worker process hands over.

Usage: python bench/import_phases.py [EXPORT]   (default: the 1M-message export of
bench_import.py, which must have been generated first)

Wraps the import's phase functions with timers (this is a measuring tool, not a benchmark:
the wrapping costs a little) and prints when each started and how long it took, in seconds
from the start of ``import_export``.
"""

from __future__ import annotations

import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXPORT = ROOT / "bench" / "out" / "ios-1000000" / "_chat.txt"


def main() -> None:
    # Imported here: the worker process imports this file as its main module.
    from sqlalchemy import event

    from reviewer.services import import_stage, importing
    from reviewer.services.actor import Actor
    from reviewer.services.case import create_case

    export = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_EXPORT
    log: list[tuple[str, float, float]] = []
    start = [time.perf_counter()]

    def timed(owner: Any, name: str, label: str) -> None:
        inner: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                log.append((label, began - start[0], time.perf_counter() - began))

        setattr(owner, name, wrapper)

    timed(importing._ImportJob, "_copy_original", "copy the original into evidence")
    timed(importing, "parse_chat", "profile the chat")
    timed(importing, "write_messages", "parse and store own share")
    timed(importing, "index_messages", "full-text index")
    timed(import_stage.StageWorker, "next_result", "wait for the worker's next piece")
    timed(importing, "merge", "merge a staged piece")
    timed(importing._ImportJob, "_load_files", "attachments")
    actor = Actor("bench", "bench")
    with tempfile.TemporaryDirectory(prefix="import-phases-") as scratch:
        case = create_case(Path(scratch) / "case", reference="PHASES", actor=actor)

        @event.listens_for(case.engine, "commit")
        def _commit(_connection: Any) -> None:
            log.append(("commit (WAL sync, checkpoint)", time.perf_counter() - start[0], 0.0))

        start[0] = time.perf_counter()
        result = importing.import_export(case, export, actor)
        total = time.perf_counter() - start[0]
        case.close()
    for label, began, took in sorted(log, key=lambda entry: entry[1]):
        print(f"{began:6.2f}  {took:5.2f}  {label}")
    print(f"{total:6.2f}         done: {result.messages:,} messages")


if __name__ == "__main__":
    main()
