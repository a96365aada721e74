"""Run an export in a worker process, for the window.

An export is seconds of CPU-bound Python (selection, schedule, RSMF, HTML, the PDF's data)
on several threads. In the window's process every one of those threads competes with the
UI thread for the GIL, and the window froze for up to 1.5 s at a time while tagging during
an export (bench/bench_gui_stall.py; bench/RESULTS.md "The window never freezes, part 2").
In its own process the export shares nothing with the window but the case's database, which
SQLite already arbitrates: it reads one snapshot and appends its audit entry at the end, as
in-process. The window's thread waits on a queue, without the GIL. The worker runs at a lower
priority (nice 10), so the window's own threads get a core first.

Progress and cancel cross the process boundary; errors come back as the same kinds the
window shows (a ``ReviewerError`` as its message, ``Cancelled``, anything else with the
worker's traceback).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import time
import traceback
from pathlib import Path
from typing import Any

from reviewer.core.errors import Cancelled, ReviewerError
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.services.actor import Actor
from reviewer.services.exporting import ExportOptions, ExportResult

__all__ = ["ExportProcessError", "export_in_process"]

POLL_S = 0.1  # how often the waiting thread looks at the cancel flag and the worker
PROGRESS_EVERY_S = 0.05  # the worker sends a progress report at most this often per stage


class ExportProcessError(RuntimeError):
    """A bug in the worker process (its traceback is the message) or the worker died."""


class _EventToken(CancelToken):
    """A cancel token whose flag is a ``multiprocessing`` event set by the parent."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self._event = event


class _QueueProgress:
    """Progress reports sent to the parent, at most every ``PROGRESS_EVERY_S`` per stage
    (the last report of a stage before another stage's first is always sent)."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self._stage = ""
        self._sent = 0.0
        self._held: tuple[str, int, int | None] | None = None

    def report(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if stage != self._stage and self._held is not None:
            self._out.put(("progress", *self._held))
        if stage != self._stage or now - self._sent >= PROGRESS_EVERY_S:
            self._out.put(("progress", stage, done, total))
            self._stage, self._sent, self._held = stage, now, None
        else:
            self._held = (stage, done, total)


def _worker(
    case_root: str, actor: Actor, out_dir: str, options: ExportOptions, out: Any, stop: Any
) -> None:
    """The worker process's body: open the case, export, send the outcome."""
    _lower_priority()
    from reviewer.services.case import open_case
    from reviewer.services.exporting import export_bundle

    try:
        with open_case(Path(case_root)) as case:
            result = export_bundle(
                case,
                actor,
                Path(out_dir),
                options,
                progress=_QueueProgress(out),
                cancel=_EventToken(stop),
            )
        out.put(("done", result))
    except Cancelled:
        out.put(("cancelled",))
    except ReviewerError as exc:
        out.put(("error", str(exc)))
    except BaseException:
        out.put(("bug", traceback.format_exc()))


def _lower_priority() -> None:
    """Yield the cores to the window (and the Typst process this one starts inherits it).
    On two cores an export and its Typst child take both; a thread of the window's process
    descheduled while it holds the GIL would then hold up the UI thread too."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(10)


def export_in_process(
    case_root: Path,
    actor: Actor,
    out_dir: Path,
    options: ExportOptions,
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> ExportResult:
    """``exporting.export_bundle`` on the case at ``case_root``, in a worker process; blocks
    the calling thread (not the GIL) until it is done."""
    progress = progress or NullProgress()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    stop = context.Event()
    worker = context.Process(
        target=_worker,
        args=(str(case_root), actor, str(out_dir), options, out, stop),
        name="reviewer-export",
    )
    worker.start()
    try:
        while True:
            if cancel is not None and cancel.cancelled:
                stop.set()
            try:
                message = out.get(timeout=POLL_S)
            except queue.Empty:
                if not worker.is_alive() and out.empty():
                    raise ExportProcessError(
                        f"the export's worker process ended without a result "
                        f"(exit code {worker.exitcode})"
                    ) from None
                continue
            kind = message[0]
            if kind == "progress":
                progress.report(message[1], message[2], message[3])
                continue
            if kind == "done":
                result: ExportResult = message[1]
                return result
            if kind == "cancelled":
                raise Cancelled()
            if kind == "error":
                raise ReviewerError(message[1])
            raise ExportProcessError(f"the export failed in its worker process:\n{message[1]}")
    finally:
        stop.set()  # on any way out (the caller's own error too), the worker stops
        while worker.is_alive():  # read what it still sends, or it cannot exit
            with contextlib.suppress(queue.Empty):
                out.get(timeout=POLL_S)
        worker.join()
        out.close()
