"""Parse a chat file, or one chunk of it, into a staging database (see ``store.staging``).

Large WhatsApp files are split at record boundaries and the second part is staged in another
process, so both cores parse at once; chunked parsing yields exactly the records of a whole-file
parse. Rows get staging ids from 1 in file order; the merge shifts them into the case.
"""

from __future__ import annotations

import json
import mmap
import multiprocessing
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from reviewer.core.errors import InputError, ReviewerError
from reviewer.core.progress import CancelToken, ProgressSink
from reviewer.core.records import DateOrder, ParsedMessage
from reviewer.core.timeutil import Stamper, iso_local, iso_utc, zone
from reviewer.importers.whatsapp.parser import ParsedChat, parse_chat
from reviewer.store.staging import StagingWriter

# Below this size a second process costs more (start-up, imports) than it saves.
PARALLEL_MIN_BYTES = 8 * 2**20
CHECK_EVERY = 10_000


@dataclass(frozen=True, slots=True)
class StageJob:
    chat_path: str
    file_name: str
    date_order: str
    start: int
    end: int
    timezone: str
    staging_path: str


@dataclass(slots=True)
class StageResult:
    """What the merge needs besides the rows: senders in order of first appearance, the
    attachment references (staging id, ordinal, file name), first and last local time."""

    count: int = 0
    senders: list[str] = field(default_factory=list)
    references: list[tuple[int, int, str]] = field(default_factory=list)
    first_ts: str | None = None
    last_ts: str | None = None
    warnings: list[str] = field(default_factory=list)


class RowWriter(Protocol):
    def add_plain(self, row: tuple[Any, ...]) -> None: ...
    def add_full(self, row: tuple[Any, ...]) -> None: ...
    def flush(self) -> None: ...


def write_messages(
    messages: Iterable[ParsedMessage],
    writer: RowWriter,
    stamper: Stamper,
    *,
    sender_key: Callable[[str], object] | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressSink | None = None,
    exact_instants: bool = False,
) -> StageResult:
    """Turn ``messages`` into rows (local ids from 1, in this order) for ``writer``.

    ``sender_key`` turns a sender's name, the first time it appears, into what the rows
    hold (a participant id); without it rows hold the name. With
    ``exact_instants`` a ``unixtime:<seconds>`` flag (Telegram) gives the UTC instant instead
    of the time zone.
    """
    result = StageResult()
    try:
        _write(messages, writer, stamper, exact_instants, result, sender_key, cancel, progress)
    finally:
        close = getattr(messages, "close", None)
        if close is not None:  # release the parser's views of the mapped file now
            close()
    writer.flush()
    return result


def _write(
    messages: Iterable[ParsedMessage],
    writer: RowWriter,
    stamper: Stamper,
    exact_instants: bool,
    result: StageResult,
    sender_key: Callable[[str], object] | None,
    cancel: CancelToken | None,
    progress: ProgressSink | None,
) -> None:
    keys: dict[str | None, object] = {None: None}
    for message in messages:
        local = utc = flag = None
        stamp = message.timestamp
        if stamp is not None:
            if exact_instants and message.flags:
                local, utc, flag = _exact(stamper, stamp, message.flags)
            else:
                local, utc, flag = stamper(stamp)
            if result.first_ts is None:
                result.first_ts = local
            result.last_ts = local
        result.count += 1
        sender = message.sender
        key = keys.get(sender, keys)
        if key is keys:
            assert sender is not None
            result.senders.append(sender)
            key = keys[sender] = sender if sender_key is None else sender_key(sender)
        for ordinal, filename in enumerate(message.attachments):
            result.references.append((result.count, ordinal, filename))
        span = message.span
        row = (
            result.count, message.seq, local, utc, key, message.kind.value, message.text,
            span.line, span.lines, span.offset, span.length,
        )  # fmt: skip
        if sender is not None and _plain(message, flag):
            writer.add_plain(row)
        else:
            writer.add_full(row + _extra(message, flag))
        if not result.count % CHECK_EVERY:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None:
                progress.report("store", result.count, None)


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


def _plain(message: ParsedMessage, flag: str | None) -> bool:
    return not (
        flag is not None
        or message.edited
        or message.flags
        or message.system_event is not None
        or message.event_actor is not None
        or message.reply_to_seq is not None
        or message.raw is not None
    )


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


def plan_chunks(parsed: ParsedChat, size: int) -> list[tuple[int, int]]:
    """One chunk, or two split at a record boundary near the middle for a large file."""
    if size < PARALLEL_MIN_BYTES or multiprocessing.cpu_count() < 2:
        return [(0, size)]
    cut = parsed.record_start_at_or_after(size // 2)
    if cut is None or cut >= size:
        return [(0, size)]
    return [(0, cut), (cut, size)]


def run_stage_job(job: StageJob) -> StageResult:
    """Parse one chunk of a chat file into a staging file (the body of the worker process)."""
    with open(job.chat_path, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            parsed = parse_chat(data, file_name=job.file_name, date_order=DateOrder(job.date_order))
            writer = StagingWriter(Path(job.staging_path))
            try:
                result = write_messages(
                    parsed.chunk(job.start, job.end), writer, Stamper(zone(job.timezone))
                )
            finally:
                writer.close()
            result.warnings.extend(parsed.warnings)
            return result
        finally:
            data.close()


def _worker_main(job: StageJob, pipe: Connection) -> None:
    try:
        pipe.send(("ok", run_stage_job(job)))
    except ReviewerError as exc:
        pipe.send(("input", str(exc)))
    except BaseException:
        pipe.send(("bug", traceback.format_exc()))
    finally:
        pipe.close()


class StageWorker:
    """A child process staging one chunk; ``result()`` waits, ``stop()`` kills it."""

    def __init__(self, job: StageJob) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe(duplex=False)
        self._process = context.Process(target=_worker_main, args=(job, child), daemon=True)
        self._process.start()
        child.close()

    def result(self, cancel: CancelToken) -> StageResult:
        while not self._pipe.poll(0.1):
            cancel.raise_if_cancelled()
            if not self._process.is_alive() and not self._pipe.poll(0):
                raise RuntimeError("the import worker process ended without a result")
        status, payload = self._pipe.recv()
        self._process.join()
        if status == "ok":
            assert isinstance(payload, StageResult)
            return payload
        if status == "input":
            raise InputError(str(payload))
        raise RuntimeError(f"the import worker failed:\n{payload}")

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._pipe.close()
