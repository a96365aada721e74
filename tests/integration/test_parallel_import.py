"""A large chat is parsed by two processes; the case must equal a single-process import."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import text

from reviewer.core.progress import CancelToken
from reviewer.importers.whatsapp.parser import parse_chat
from reviewer.services import import_stage, importing
from reviewer.services.actor import Actor
from reviewer.services.case import Case, create_case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records

# Every chat is split, into as many pieces as there are, of a few hundred messages each.
SMALL_PIECES = import_stage.SplitPolicy(min_bytes=0, piece_min_bytes=16_000, max_pieces=6)
NAMES = ["Sam Reid", "Alex Turner", "Jo Park", "\u202a+44\u00a07700\u00a0900123\u202c", "Zoë ⚽"]


def ios_export(path: Path, count: int) -> Path:
    rng = random.Random(7)
    lines = []
    for i in range(count):
        day, minute = 1 + i // 1440 % 28, i % 1440
        stamp = f"[{day:02d}/03/2024, {minute // 60:02d}:{minute % 60:02d}:{i % 60:02d}]"
        name = rng.choice(NAMES)
        body = rng.choice(
            [
                "ok",
                "first line\nsecond line\n[01/03/2024, 10:00:00] quoted header",
                "\u200e<attached: 00000001-PHOTO-2024-03-01-10-00-00.jpg>",
                "see you later \u200e<This message was edited>",
                "\u200eThis message was deleted.",
                "list:\n01/03/2024 first\n02/03/2024 second",  # two near-miss warnings
                "bad <invalid> bytes",  # invalid UTF-8: a warning, and a flag
                "it costs £50 🐒 👍🏽 today",  # index words the worker spells for its pieces
                "привет 🇬🇧 and ❤️",
            ]
        )
        lines.append(f"{stamp} {name}: {body}\r\n")
    path.write_bytes("".join(lines).encode().replace(b"<invalid>", b"\xff\xfe"))
    return path


def snapshot(case: Case) -> list[dict[str, object]]:
    return [{k: v for k, v in r.items() if k != "exhibit"} for r in message_records(case)]


def index_entries(case: Case) -> list[tuple[object, ...]]:
    """Every entry of the full-text index: word, message id, position."""
    with case.reading() as session:
        session.execute(
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_words "
                "USING fts5vocab('main', 'message_fts', 'instance')"
            )
        )
        rows = session.execute(
            text("SELECT term, doc, offset FROM temp.fts_words ORDER BY doc, offset")
        ).all()
    return [tuple(row) for row in rows]


def exhibit_and_people(case: Case) -> tuple[tuple[object, ...], list[tuple[object, ...]]]:
    with case.reading() as session:
        exhibit = session.execute(
            text(
                "SELECT message_count, first_timestamp, last_timestamp, warnings, date_order "
                "FROM exhibit"
            )
        ).one()
        people = session.execute(
            text("SELECT id, display_name, match_key FROM participant ORDER BY id")
        ).all()
    return tuple(exhibit), [tuple(p) for p in people]


class CountedWorker(import_stage.StageWorker):
    started = 0

    def __init__(self, job: import_stage.StageJob) -> None:
        CountedWorker.started += 1
        super().__init__(job)


def test_two_process_import_equals_one_process_import(
    tmp_path: Path, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = ios_export(tmp_path / "_chat.txt", 3000)
    raw = export.read_bytes()
    plan = import_stage.plan_split(parse_chat(raw, file_name="_chat.txt"), len(raw), SMALL_PIECES)
    assert len(plan.pieces) == SMALL_PIECES.max_pieces  # several pieces, merged one by one
    with create_case(tmp_path / "one", reference="A", actor=actor) as one:
        import_export(one, export, actor)
        expected = snapshot(one)
        expected_exhibit = exhibit_and_people(one)
        expected_index = index_entries(one)
    warnings = json.loads(str(expected_exhibit[0][3]))
    assert "_chat.txt: 2 more records with invalid UTF-8" not in warnings  # worded once
    assert [w for w in warnings if "more" in w] == [
        f"_chat.txt: {n} more header-like lines kept inside messages"
        for n in [sum("01/03/2024 first" in str(r["text"]) for r in expected) * 2 - 20]
    ] + [
        f"_chat.txt: {sum('bad' in str(r['text']) for r in expected) - 20} more records with "
        "invalid UTF-8"
    ]
    monkeypatch.setattr(import_stage, "POLICY", SMALL_PIECES)
    monkeypatch.setattr(import_stage.multiprocessing, "cpu_count", lambda: 2)
    monkeypatch.setattr(importing, "StageWorker", CountedWorker)
    with create_case(tmp_path / "two", reference="A", actor=actor) as two:
        import_export(two, export, actor)
        assert CountedWorker.started == 1
        assert snapshot(two) == expected
        assert exhibit_and_people(two) == expected_exhibit
        with two.reading() as session:
            hits = session.execute(
                text("SELECT count(*) FROM message_fts WHERE message_fts MATCH 'quoted'")
            ).scalar()
        assert hits == sum(1 for r in expected if "quoted" in str(r["text"]))
        assert index_entries(two) == expected_index
    monkey = "".join(chr(0xE000 + int(d, 16)) for d in "1f412") + chr(0xE010)
    monkeys = [doc for term, doc, _ in expected_index if term == monkey]
    assert len(monkeys) == sum("🐒" in str(r["text"]) for r in expected) > 100
    assert not list((tmp_path / "two" / "cache").glob("import-*")), "scratch files are removed"


def test_cancel_stops_the_worker_and_stores_nothing(
    tmp_path: Path, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = ios_export(tmp_path / "_chat.txt", 2000)
    monkeypatch.setattr(import_stage, "POLICY", SMALL_PIECES)
    token = CancelToken()

    class CancelOnStore:
        def report(self, stage: str, done: int, total: int | None) -> None:
            if stage == "store":
                token.cancel()

    monkeypatch.setattr(import_stage, "BATCH", 100)
    with create_case(tmp_path / "c", reference="A", actor=actor) as case:
        from reviewer.core.errors import Cancelled

        with pytest.raises(Cancelled):
            import_export(case, export, actor, progress=CancelOnStore(), cancel=token)
        assert snapshot(case) == []


def test_a_utf16_chat_is_parsed_by_one_process(
    tmp_path: Path, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """UTF-16 spans are not offsets of the bytes scanned, so such a file is never split (and
    no worker is started for it)."""
    utf8 = ios_export(tmp_path / "_chat.txt", 500)
    utf16 = tmp_path / "utf16" / "_chat.txt"
    utf16.parent.mkdir()
    utf16.write_bytes(
        b"\xff\xfe" + utf8.read_bytes().decode("utf-8", "replace").encode("utf-16-le")
    )
    with create_case(tmp_path / "one", reference="A", actor=actor) as one:
        import_export(one, utf8, actor)
        expected = [r["text"] for r in message_records(one)]
    monkeypatch.setattr(import_stage, "POLICY", SMALL_PIECES)

    def no_worker(*_args: object) -> None:
        raise AssertionError("a worker was started for a UTF-16 chat")

    monkeypatch.setattr(importing, "StageWorker", no_worker)
    with create_case(tmp_path / "c", reference="A", actor=actor) as case:
        import_export(case, utf16, actor)
        assert [r["text"] for r in message_records(case)] == expected
    assert len(expected) >= 500
