"""The timeline of a reconciled chat reads every message's day in one zone (DESIGN.md §9,
issue 12): the earliest-imported exhibit's, with each phone's clock offset taken out. Here
AB/1 (London) lacks the messages sent between 23:00 and midnight UTC, which CD/2 (a phone in
Berlin, an hour ahead) holds: by each copy's own local date those messages would fall on the
next day and split the day in two."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import ACTOR
from reconcile_phones import import_phone, three_phones, true_chat
from reviewer.cli.main import main
from reviewer.services import reconciled_browse
from reviewer.services.case import create_case, open_case
from reviewer.store.browse_repo import days_of


def _jsonl(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    assert main(list(argv)) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_one_zone_for_the_days_of_a_reconciled_chat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = true_chat(240)
    alice, dave, bob = three_phones(chat)
    late = {
        m.uid
        for m in chat
        if m.utc.hour == 23 and dave.holds(m) and m.kind == "text" and m.uid > len(chat) // 4
    }
    assert late, "the chat has messages late in the evening (UTC)"
    alice.deleted_for_me |= late
    root = tmp_path / "case"
    with create_case(root, reference="OP-12", actor=ACTOR) as opened:
        for phone in (alice, dave, bob):
            import_phone(opened, phone, chat, tmp_path / "exports", ACTOR)
    assert main(["--reviewer", "Ann", "reconcile", str(root)]) == 0
    capsys.readouterr()

    records = _jsonl(capsys, "messages", str(root), "--reconciled", "--jsonl")
    utc = {r["id"]: r["utc"] for r in _jsonl(capsys, "messages", str(root), "--jsonl")}
    with open_case(root) as case:
        (info,) = reconciled_browse.reconciled_chats(case)
        days = reconciled_browse.day_index(case, info.id)
        clock = reconciled_browse.chat_clock(case, info.id)
    assert (clock.exhibit, clock.zone) == ("AB/1", "Europe/London")
    assert clock.offsets.get("EF/3", 0) > 0  # its clock is 3 minutes fast

    # Each copy's own local date splits a day: the Berlin copies of the late messages say the
    # next day between London-dated neighbours.
    by_own_date = days_of((r["id"], r["timestamp"][:10], False) for r in records)
    assert len({d for d, *_ in by_own_date}) < len(by_own_date)

    # One zone: each calendar day once, in chat order, the days adding up to the chat.
    assert [d.day for d in days] == sorted({d.day for d in days})
    assert sum(d.message_count for d in days) == len(records) == info.message_count
    # A late message is on its London day (the UTC date in January), where AB/1's messages of
    # the same evening are: the day whose run of the chat holds it.
    position = {r["id"]: i for i, r in enumerate(records)}
    runs = [(position[d.first_id], d.day) for d in days]
    checked = 0
    for record in records:
        stamp = utc[record["id"]]
        if record["copies"][0]["exhibit"] == "CD/2" and stamp and stamp[11:13] == "23":
            shown = max(run for run in runs if run[0] <= position[record["id"]])[1]
            assert shown == date.fromisoformat(stamp[:10])
            checked += 1
    assert checked >= len(late) // 2
