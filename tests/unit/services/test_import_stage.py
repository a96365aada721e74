"""The split of a large chat between the importing process and its worker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from itertools import count
from pathlib import Path

import pytest

from reviewer.core.errors import Cancelled, InputError
from reviewer.core.progress import CancelToken
from reviewer.core.records import DateOrder
from reviewer.core.timeutil import Stamper, zone
from reviewer.importers.whatsapp.parser import parse_chat
from reviewer.services.import_stage import (
    SplitPolicy,
    StageJob,
    StageWorker,
    plan_split,
    write_messages,
)
from reviewer.store.staging import create_staging


def chat_bytes(count: int) -> bytes:
    lines = [
        f"[{13 + i // 100 % 15:02d}/03/2024, {i % 1440 // 60:02d}:{i % 60:02d}:00] "
        f"Sam Reid: message {i}\r\nsecond line\r\n"
        for i in range(count)
    ]
    return "".join(lines).encode()


def test_small_chats_are_not_split() -> None:
    raw = chat_bytes(50)
    plan = plan_split(parse_chat(raw, file_name="_chat.txt"), len(raw), SplitPolicy())
    assert plan.own == (0, len(raw)) and plan.pieces == ()


def test_pieces_tile_the_rest_at_record_starts_and_the_last_is_smallest() -> None:
    raw = chat_bytes(2000)
    chat = parse_chat(raw, file_name="_chat.txt")
    policy = SplitPolicy(min_bytes=0, own_share=0.4, piece_min_bytes=5_000, max_pieces=6)
    plan = plan_split(chat, len(raw), policy)
    assert plan.own[0] == 0 and len(plan.pieces) == 6
    bounds = [plan.own[1]] + [end for _, end in plan.pieces]
    assert [start for start, _ in plan.pieces] == bounds[:-1]
    assert bounds[-1] == len(raw)
    assert abs(plan.own[1] - 0.4 * len(raw)) < 200
    for start in bounds[:-1]:
        assert raw[start - 2 : start] == b"\r\n" and raw[start : start + 1] == b"["
    sizes = [end - start for start, end in plan.pieces]
    assert sizes[-1] < min(sizes[:-1])
    assert max(sizes[:-1]) - min(sizes[:-1]) < 200


def test_few_pieces_when_the_share_is_small() -> None:
    raw = chat_bytes(2000)
    chat = parse_chat(raw, file_name="_chat.txt")
    policy = SplitPolicy(min_bytes=0, piece_min_bytes=len(raw), max_pieces=6)
    assert len(plan_split(chat, len(raw), policy).pieces) == 1


def worker_job(tmp_path: Path, raw: bytes, date_order: str | None) -> StageJob:
    chat = tmp_path / "_chat.txt"
    chat.write_bytes(raw)
    policy = SplitPolicy(min_bytes=0, piece_min_bytes=5_000, max_pieces=3)
    paths = []
    for index in range(policy.max_pieces):
        path = tmp_path / f"stage-{index}.sqlite"
        create_staging(path)
        paths.append(str(path))
    return StageJob(str(chat), "_chat.txt", date_order, "Europe/London", policy, tuple(paths))


def test_the_worker_reports_each_piece_it_planned(tmp_path: Path) -> None:
    raw = chat_bytes(1000)
    job = worker_job(tmp_path, raw, None)
    plan = plan_split(parse_chat(raw, file_name="_chat.txt"), len(raw), job.policy)
    worker = StageWorker(job)
    try:
        worker.files_attached()
        results = [worker.next_result(CancelToken()) for _ in plan.pieces]
    finally:
        worker.stop()
    assert [r.piece for r in results] == list(plan.pieces)
    assert {r.date_order for r in results} == {"DMY"}
    assert sum(r.count for r in results) == raw[plan.own[1] :].count(b"Sam Reid:")
    assert all(r.senders == ["Sam Reid"] for r in results)


def test_an_input_error_in_the_worker_reaches_the_importing_process(tmp_path: Path) -> None:
    job = worker_job(tmp_path, chat_bytes(1000), "YMD")  # the year comes last in this file
    worker = StageWorker(job)
    try:
        with pytest.raises(InputError, match="--date-order YMD does not fit"):
            worker.next_result(CancelToken())
    finally:
        worker.stop()


def test_a_failing_worker_is_an_internal_error_not_a_hang(tmp_path: Path) -> None:
    job = worker_job(tmp_path, chat_bytes(1000), None)
    Path(job.chat_path).unlink()
    worker = StageWorker(job)
    try:
        with pytest.raises(RuntimeError, match="import worker failed"):
            worker.next_result(CancelToken())
    finally:
        worker.stop()


def test_the_worker_writes_nothing_until_the_files_are_attached(tmp_path: Path) -> None:
    job = worker_job(tmp_path, chat_bytes(1000), None)
    sizes = [Path(path).stat().st_size for path in job.staging_paths]
    worker = StageWorker(job)
    try:
        with pytest.raises(Cancelled):  # nothing arrives while the files are not attached
            cancel = CancelToken()
            threading.Timer(1.5, cancel.cancel).start()
            worker.next_result(cancel)
        assert [Path(path).stat().st_size for path in job.staging_paths] == sizes
        worker.files_attached()
        assert worker.next_result(CancelToken()).count > 0
    finally:
        worker.stop()


class RecordingWriter:
    def __init__(self) -> None:
        self.rows: list[tuple[object, ...]] = []

    def write(self, plain: list[tuple[object, ...]], full: list[tuple[object, ...]]) -> None:
        self.rows += plain + [(*row[:11], "full", *row[11:]) for row in full]


def numbered() -> Callable[[str], object]:
    """Sender keys 1, 2, 3 … as the worker numbers them."""
    numbers = count(1)
    return lambda _name: next(numbers)


MIXED_IOS = (
    "[13/03/2024, 09:00:00] Group: \u200eMessages and calls are end-to-end encrypted. "
    "No one outside of this chat, not even WhatsApp, can read or listen to them.\r\n"
    "[13/03/2024, 09:01:00] Sam Reid: plain words\r\n"
    "[13/03/2024, 09:02:00] Alex Turner: \u200eimage omitted\r\n"
    "[13/03/2024, 13:03:00 PM] Sam Reid: an hour that is 24h and PM\r\n"
    "[31/03/2024, 01:30:00] Sam Reid: clocks go forward at one: this time never was\r\n"
    "[27/10/2024, 01:30:00] Kim Lee: clocks go back: this time came twice\r\n"
    "[27/10/2024, 02:00:00] Kim Lee: two\nlines £50 🐒\r\n"
    "[27/10/2024, 02:01:00] Group: \u200eSam Reid added Kim Lee\r\n"
    "[27/10/2024, 02:02:00] Sam Reid: <attached: 00000012-PHOTO-2024-10-27-02-02-00.jpg>\r\n"
)


CORPUS = Path("/work/shared/corpus/whatsapp-chat-miner")


@pytest.mark.parametrize(
    ("raw", "order"),
    [
        (MIXED_IOS.encode(), None),
        ((CORPUS / "test_ddmmyy_24hrs.txt").read_bytes(), None),
        ((CORPUS / "test_mmddyyyy_12hrs.txt").read_bytes(), DateOrder.MDY),
    ],
    ids=["mixed-ios", "chat-miner-ddmmyy", "chat-miner-12h"],
)
def test_plain_text_tuples_give_the_rows_of_parsed_messages(
    raw: bytes, order: DateOrder | None
) -> None:
    """The import's fast path (``records``: plain text as tuples) writes exactly the rows
    that the ParsedMessage of each record gives, flagged times and all."""
    written = []
    for fast in (False, True):
        chat = parse_chat(raw, file_name="chat.txt", date_order=order)
        walk = chat.records() if fast else chat.chunk(0, len(raw), 1)
        writer = RecordingWriter()
        result = write_messages(walk, writer, Stamper(zone("Europe/London")), numbered())
        written.append((writer.rows, result.senders, result.first_ts, result.last_ts))
    assert written[0] == written[1]
    rows = written[1][0]
    assert len(rows) > 5 and any(len(row) == 11 for row in rows)
    if order is None and raw.startswith(b"[13/03/2024"):  # the mixed chat's flagged rows
        flags = {row[12] for row in rows if len(row) > 11}
        assert {"nonexistent", "ambiguous"} <= flags
