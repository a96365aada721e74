"""Parse a chat file, or pieces of it, into staging databases (see ``store.staging``).

Large WhatsApp files are split at record boundaries. The importing process parses the first
part straight into the case while a worker process stages the rest, piece by piece, each
piece in its own staging file; the importing process merges each piece as soon as it is
ready, so at the end only the last, small piece is left to merge. Chunked parsing yields
exactly the records of a whole-file parse. Rows get staging ids from 1 in piece order; the
merge shifts them into the case.
"""

from __future__ import annotations

import json
import mmap
import multiprocessing
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count as counter
from itertools import pairwise
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any, Protocol

from reviewer.core.errors import InputError, ReviewerError
from reviewer.core.gc_pause import cyclic_gc_paused
from reviewer.core.progress import CancelToken, ProgressSink
from reviewer.core.records import DateOrder, MessageKind, ParsedMessage
from reviewer.core.timeutil import Stamper, iso_local, iso_utc, zone
from reviewer.importers.whatsapp.parser import (
    ChatNotes,
    ParsedChat,
    PlainText,
    parse_chat,
    splittable,
)
from reviewer.store.staging import StagingWriter


@dataclass(frozen=True, slots=True)
class SplitPolicy:
    """How a large chat is shared between the importing process and a worker. The worker
    gets the importing process's policy with its job, so both plan the same split."""

    # Below this size a second process costs more (start-up, imports) than it saves.
    min_bytes: int = 8 * 2**20
    # The importing process also merges and indexes every staged row (about a third of the
    # cost of parsing it) and commits after the worker has finished, so it parses the smaller
    # share itself: at 0.36 the worker's last piece arrives just as it is wanted (1M iOS
    # messages, bench/RESULTS.md).
    own_share: float = 0.36
    # The worker's share is cut into pieces of at least this size, at most ``max_pieces``
    # of them (each is a file attached to the case connection; SQLite allows ten).
    piece_min_bytes: int = 4 * 2**20
    max_pieces: int = 6

    def __post_init__(self) -> None:
        if not 1 <= self.max_pieces <= 8:  # two attached files to spare
            raise ValueError(f"max_pieces must be 1 to 8, not {self.max_pieces}")


POLICY = SplitPolicy()
# Rows are written, and cancel checked, every BATCH messages.
BATCH = 10_000
_KINDS = {kind: kind.value for kind in MessageKind}
_TEXT = MessageKind.TEXT.value
# The extra columns of a plain text message whose time is flagged (see ``_extra``).
_PLAIN_EXTRA = (0, None, None, None, None, None, None)


@dataclass(frozen=True, slots=True)
class StageJob:
    """What the worker needs, given as it starts: it profiles the file and plans the split
    itself, at the same time as the importing process does (same code, same bytes, same
    plan; each piece's result states its range so the importing process can check)."""

    chat_path: str
    file_name: str
    date_order: str | None  # as the user gave it; None: detected
    timezone: str
    policy: SplitPolicy
    staging_paths: tuple[str, ...]  # policy.max_pieces empty staging files


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """The byte range the importing process parses, and the worker's pieces, in file order."""

    own: tuple[int, int]
    pieces: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class StageResult:
    """What the merge needs besides the rows: senders in order of first appearance, the
    attachment references (staging id, ordinal, file name), first and last local time."""

    count: int = 0
    senders: list[str] = field(default_factory=list)
    references: list[tuple[int, int, str]] = field(default_factory=list)
    first_ts: str | None = None
    last_ts: str | None = None
    notes: ChatNotes = field(default_factory=ChatNotes)  # set by the worker: its warnings
    # set by the worker: the byte range staged and the date order it parsed with
    piece: tuple[int, int] | None = None
    date_order: str | None = None


class RowWriter(Protocol):
    def write(self, plain: list[tuple[Any, ...]], full: list[tuple[Any, ...]]) -> None:
        """Store rows of PLAIN_COLUMNS and of PLAIN_COLUMNS + EXTRA_COLUMNS (store.staging)."""


def write_messages(
    messages: Iterable[ParsedMessage | PlainText],
    writer: RowWriter,
    stamper: Stamper,
    sender_key: Callable[[str], object],
    *,
    cancel: CancelToken | None = None,
    progress: ProgressSink | None = None,
    exact_instants: bool = False,
) -> StageResult:
    """Turn ``messages`` into rows (local ids from 1, in this order) for ``writer``; a
    :data:`PlainText` tuple stands for a plain text message (``ParsedChat.records``).

    ``sender_key`` turns a sender's name, the first time it appears, into what the rows
    hold (a participant id, or a number in a staging file). With
    ``exact_instants`` a ``unixtime:<seconds>`` flag (Telegram) gives the UTC instant instead
    of the time zone.
    """
    result = StageResult()
    try:
        # millions of short-lived objects and no reference cycles
        with cyclic_gc_paused():
            _write(messages, writer, stamper, exact_instants, result, sender_key, cancel, progress)
    finally:
        close = getattr(messages, "close", None)
        if close is not None:  # release the parser's views of the mapped file now
            close()
    return result


def _write(
    messages: Iterable[ParsedMessage | PlainText],
    writer: RowWriter,
    stamper: Stamper,
    exact_instants: bool,
    result: StageResult,
    sender_key: Callable[[str], object],
    cancel: CancelToken | None,
    progress: ProgressSink | None,
) -> None:
    # This loop runs once per message of the chat: locals only, no calls it can avoid.
    keys: dict[str | None, object] = {None: None}
    senders, references = result.senders, result.references
    plain: list[tuple[Any, ...]] = []
    full: list[tuple[Any, ...]] = []
    count, first_ts, last_ts = 0, None, None
    local: str | None
    utc: str | None
    flag: str | None
    row: tuple[Any, ...]
    for message in messages:
        if isinstance(message, tuple):  # PlainText: the common case, no attribute lookups
            seq, when, name, text, line, lines, offset, length = message
            local, utc, flag = stamper(when)
            if first_ts is None:
                first_ts = local
            last_ts = local
            count += 1
            key = keys.get(name, keys)
            if key is keys:
                senders.append(name)
                key = keys[name] = sender_key(name)
            row = (count, seq, local, utc, key, _TEXT, text, line, lines, offset, length)
            if flag is None:
                plain.append(row)
            else:
                full.append((*row, flag, *_PLAIN_EXTRA))
            if not count % BATCH:
                writer.write(plain, full)
                plain, full = [], []
                if cancel is not None:
                    cancel.raise_if_cancelled()
                if progress is not None:
                    progress.report("store", count, None)
            continue
        stamp = message.timestamp
        if stamp is None:
            local = utc = flag = None
        else:
            if exact_instants and message.flags:
                local, utc, flag = _exact(stamper, stamp, message.flags)
            else:
                local, utc, flag = stamper(stamp)
            if first_ts is None:
                first_ts = local
            last_ts = local
        count += 1
        sender = message.sender
        key = keys.get(sender, keys)
        if key is keys:
            assert sender is not None
            senders.append(sender)
            key = keys[sender] = sender_key(sender)
        if message.attachments:
            references.extend((count, i, name) for i, name in enumerate(message.attachments))
        span = message.span
        row = (
            count, message.seq, local, utc, key, _KINDS[message.kind], message.text,
            span.line, span.lines, span.offset, span.length,
        )  # fmt: skip
        if (
            flag is None
            and sender is not None
            and not message.edited
            and not message.flags
            and message.system_event is None
            and message.event_actor is None
            and message.reply_to_seq is None
            and message.raw is None
        ):
            plain.append(row)
        else:
            full.append(row + _extra(message, flag))
        if not count % BATCH:
            writer.write(plain, full)
            plain, full = [], []
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None:
                progress.report("store", count, None)
    writer.write(plain, full)
    result.count, result.first_ts, result.last_ts = count, first_ts, last_ts


def _exact(
    stamper: Stamper, local: datetime, flags: tuple[str, ...]
) -> tuple[str, str, str | None]:
    """The instant a ``unixtime:`` flag states (Telegram), else the zone's conversion."""
    for flag in flags:
        if flag.startswith("unixtime:"):
            seconds = int(flag.removeprefix("unixtime:"))
            instant = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
            return iso_local(local), iso_utc(instant), None
    return stamper(local)


def _extra(message: ParsedMessage, flag: str | None) -> tuple[Any, ...]:
    subjects = message.event_subjects
    return (
        flag,
        int(message.edited),
        message.reply_to_seq,
        json.dumps(list(message.flags)) if message.flags else None,
        message.system_event,
        message.event_actor,
        json.dumps(list(subjects), ensure_ascii=False) if subjects else None,
        message.raw,
    )


def wants_worker(data: bytes | mmap.mmap, policy: SplitPolicy) -> bool:
    """Whether the chat file ``data`` is worth a second process."""
    return (
        len(data) >= policy.min_bytes
        and multiprocessing.cpu_count() >= 2
        and splittable(data[:4096])
    )


def plan_split(parsed: ParsedChat, size: int, policy: SplitPolicy) -> SplitPlan:
    """The whole file for this process, or a first share for it and pieces for a worker.

    Pieces are of equal size but the last, which is half as big: it is the only one merged
    after the worker has finished.
    """
    whole = SplitPlan((0, size))
    if size < policy.min_bytes:
        return whole
    cut = parsed.record_start_at_or_after(int(size * policy.own_share))
    if cut is None or cut >= size:
        return whole
    count = max(1, min(policy.max_pieces, (size - cut) // policy.piece_min_bytes))
    weights = [2] * (count - 1) + [1]
    bounds, done = [cut], 0
    for weight in weights[:-1]:
        done += weight
        target = cut + (size - cut) * done // sum(weights)
        start = parsed.record_start_at_or_after(max(target, bounds[-1] + 1))
        if start is None or start >= size:
            break
        bounds.append(start)
    bounds.append(size)
    return SplitPlan((0, cut), tuple(pairwise(bounds)))


def run_stage_job(
    job: StageJob, files_attached: Callable[[], object] = lambda: None
) -> Iterator[StageResult]:
    """Parse each of the worker's pieces of a chat file into its staging file (the body of
    the worker process), yielding each piece's result once its file is complete.

    ``files_attached`` returns once the importing process has attached the staging files:
    attaching a file that is being written would wait for its writer."""
    with open(job.chat_path, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            order = DateOrder(job.date_order) if job.date_order else None
            parsed = parse_chat(data, file_name=job.file_name, date_order=order)
            plan = plan_split(parsed, len(data), job.policy)
            stamper = Stamper(zone(job.timezone))
            line, at = 1, 0
            files_attached()
            for piece, path in zip(plan.pieces, job.staging_paths, strict=False):
                line += parsed.line_breaks(at, piece[0])
                at = piece[0]
                writer = StagingWriter(Path(path))
                try:
                    result = write_messages(
                        parsed.records(*piece, first_line=line),
                        writer,
                        stamper,
                        _numbering(),
                    )
                finally:
                    writer.close()
                result.notes = parsed.take_notes()
                result.piece = piece
                result.date_order = parsed.profile.date_order.value
                yield result
        finally:
            data.close()


def _numbering() -> Callable[[str], object]:
    """Sender keys 1, 2, 3 … by order of first appearance (see ``store.staging.merge``)."""
    numbers = counter(1)
    return lambda _name: next(numbers)


def _wait_for(event: EventType) -> None:
    """Wait until ``event`` is set, or exit once the importing process has gone."""
    parent = multiprocessing.parent_process()
    while not event.wait(0.5):
        if parent is not None and not parent.is_alive():
            raise SystemExit(0)


def _worker_main(job: StageJob, pipe: Connection, attached: EventType) -> None:
    try:
        for result in run_stage_job(job, lambda: _wait_for(attached)):
            pipe.send(("ok", result))
    except ReviewerError as exc:
        pipe.send(("input", str(exc)))
    except BaseException:
        pipe.send(("bug", traceback.format_exc()))
    finally:
        pipe.close()


class StageWorker:
    """A child process staging the later pieces of a chat file, started before the file is
    profiled. ``next_result()`` waits for each piece in turn, ``stop()`` kills it. A thread
    receives the results as they arrive: a worker blocked on a full pipe would stall.
    """

    def __init__(self, job: StageJob) -> None:
        self.policy = job.policy
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe(duplex=False)
        self._attached = context.Event()
        self._process = context.Process(
            target=_worker_main, args=(job, child, self._attached), daemon=True
        )
        self._process.start()
        child.close()
        self._results: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._receiver = threading.Thread(target=self._receive, daemon=True)
        self._receiver.start()

    def files_attached(self) -> None:
        """The staging files are attached (and their schemas read): the worker may write."""
        self._attached.set()

    def _receive(self) -> None:
        while True:
            try:
                status, payload = self._pipe.recv()
            except (EOFError, OSError):
                status, payload = "ended", None
            except BaseException:  # a result that cannot be read must not hang the import
                status, payload = "bug", traceback.format_exc()
            self._results.put((status, payload))
            if status != "ok":
                return

    def next_result(self, cancel: CancelToken) -> StageResult:
        while True:
            cancel.raise_if_cancelled()
            try:
                status, payload = self._results.get(timeout=0.05)
                break
            except queue.Empty:
                continue
        if status == "ok":
            assert isinstance(payload, StageResult)
            return payload
        if status == "input":
            raise InputError(str(payload))
        if status == "ended":
            raise RuntimeError("the import worker process ended without a result")
        raise RuntimeError(f"the import worker failed:\n{payload}")

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receiver.join()
        self._pipe.close()
