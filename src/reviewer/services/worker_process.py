"""Run an export or an import in a worker process, for the window.

Both are seconds of CPU-bound Python, on several threads. In the window's process each of
those threads competes with the UI thread for the GIL: the window froze for up to 1.5 s at a
time while tagging during an export (bench/bench_gui_stall.py; bench/RESULTS.md "The window
never freezes, part 2"). In its own process the work shares nothing with the window but the
case's database, which SQLite already arbitrates. The window's thread waits on a queue,
without the GIL. The worker runs at a lower priority (nice 10; processes it starts inherit
it), so the window's own threads get a core first.

Progress and cancel cross the process boundary; errors come back as the kinds the window
handles: a ``ReviewerError`` as itself where it pickles (``AmbiguousDateOrderError``, which
the import dialog answers, does), else as a ``ReviewerError`` with its message;
``Cancelled``; anything else as :class:`WorkerProcessError` with the worker's traceback.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import time
import traceback
from pathlib import Path
from typing import Any

from reviewer.core.errors import Cancelled, ReviewerError
from reviewer.core.progress import CancelToken, NullProgress, ProgressSink
from reviewer.services.actor import Actor
from reviewer.services.exporting import ExportOptions, ExportResult
from reviewer.services.importing import ImportOptions, ImportResult

__all__ = ["WorkerProcessError", "export_in_process", "import_in_process"]

POLL_S = 0.1  # how often the waiting thread looks at the cancel flag and the worker
PROGRESS_EVERY_S = 0.05  # the worker sends a progress report at most this often per stage


class WorkerProcessError(RuntimeError):
    """A bug in the worker process (its traceback is the message) or the worker died."""


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
    result: ExportResult = _run(
        "export", (str(case_root), actor, str(out_dir), options), progress, cancel
    )
    return result


def import_in_process(
    case_root: Path,
    export: Path,
    actor: Actor,
    options: ImportOptions,
    *,
    progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> ImportResult:
    """``importing.import_export`` into the case at ``case_root``, in a worker process."""
    result: ImportResult = _run(
        "import", (str(case_root), str(export), actor, options), progress, cancel
    )
    return result


def _work(kind: str, args: tuple[Any, ...], progress: ProgressSink, cancel: CancelToken) -> Any:
    """In the worker: open the case and do the work."""
    from reviewer.services.case import open_case

    if kind == "export":
        from reviewer.services.exporting import export_bundle

        case_root, actor, out_dir, options = args
        with open_case(Path(case_root)) as case:
            return export_bundle(
                case, actor, Path(out_dir), options, progress=progress, cancel=cancel
            )
    from reviewer.services.importing import import_export

    case_root, export, actor, options = args
    with open_case(Path(case_root)) as case:
        return import_export(case, Path(export), actor, options, progress=progress, cancel=cancel)


def _worker(kind: str, args: tuple[Any, ...], out: Any, stop: Any) -> None:
    """The worker process's body: do the work, send the outcome."""
    _lower_priority()
    try:
        result = _work(kind, args, _QueueProgress(out), _EventToken(stop))
        out.put(("done", result))
    except Cancelled:
        out.put(("cancelled",))
    except ReviewerError as exc:
        out.put(("error", _portable(exc)))
    except BaseException:
        out.put(("bug", traceback.format_exc()))


def _portable(exc: ReviewerError) -> bytes:
    """The error pickled, or a plain ReviewerError with its message where it does not
    survive pickling as itself."""
    try:
        payload = pickle.dumps(exc)
        back = pickle.loads(payload)
        if type(back) is type(exc) and str(back) == str(exc):
            return payload
    except Exception:
        pass
    return pickle.dumps(ReviewerError(str(exc)))


def _lower_priority() -> None:
    """Yield the cores to the window. On two cores an export and its Typst child take both;
    a thread of the window's process descheduled while it holds the GIL would then hold up
    the UI thread too."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(10)


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


def _run(
    kind: str,
    args: tuple[Any, ...],
    progress: ProgressSink | None,
    cancel: CancelToken | None,
) -> Any:
    progress = progress or NullProgress()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    stop = context.Event()
    worker = context.Process(target=_worker, args=(kind, args, out, stop), name=f"reviewer-{kind}")
    worker.start()
    try:
        while True:
            if cancel is not None and cancel.cancelled:
                stop.set()
            try:
                message = out.get(timeout=POLL_S)
            except queue.Empty:
                if not worker.is_alive() and out.empty():
                    raise WorkerProcessError(
                        f"the {kind}'s worker process ended without a result "
                        f"(exit code {worker.exitcode})"
                    ) from None
                continue
            what = message[0]
            if what == "progress":
                progress.report(message[1], message[2], message[3])
            elif what == "done":
                return message[1]
            elif what == "cancelled":
                raise Cancelled()
            elif what == "error":
                raise pickle.loads(message[1])
            else:
                raise WorkerProcessError(f"the {kind} failed in its worker process:\n{message[1]}")
    finally:
        stop.set()  # on any way out (the caller's own error too), the worker stops
        while worker.is_alive():  # read what it still sends, or it cannot exit
            with contextlib.suppress(queue.Empty):
                out.get(timeout=POLL_S)
        worker.join()
        out.close()
