"""The audit chain detects any change, and matches DESIGN.md §3's canonical form."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reviewer.audit import chain


def build(count: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    prev = chain.GENESIS
    for seq in range(1, count + 1):
        entry = chain.seal(
            seq=seq,
            ts=f"2026-01-01T00:00:{seq:02d}Z",
            actor="Jo Smith",
            workstation="LAPTOP-7",
            action="tag.added",
            target=str(seq),
            details={"category": "discriminatory.race", "note": "ü 漢字"},
            prev=prev,
        )
        entries.append(entry)
        prev = entry["hash"]
    return entries


def test_hash_follows_the_documented_recipe() -> None:
    entry = build(1)[0]
    fields = {k: v for k, v in entry.items() if k != "hash"}
    expected = hashlib.sha256(
        json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert entry["hash"] == expected
    assert entry["prev"] == "0" * 64


def test_an_intact_chain_verifies_and_reports_its_head() -> None:
    entries = build(5)
    report = chain.verify(entries)
    assert report.ok
    assert report.entries == 5
    assert report.head == entries[-1]["hash"]


def test_an_empty_chain_is_intact() -> None:
    assert chain.verify([]).ok


_MUTATIONS = st.sampled_from(
    ["seq", "ts", "actor", "workstation", "action", "target", "details", "prev", "hash"]
)


@given(index=st.integers(min_value=0, max_value=5), field=_MUTATIONS, junk=st.text(min_size=1))
def test_any_single_changed_field_is_detected(index: int, field: str, junk: str) -> None:
    entries = build(6)
    original = entries[index][field]
    if field == "seq":
        changed: Any = original + 1 + len(junk)
    elif field == "details":
        changed = {**original, "note": original["note"] + junk}
    else:
        changed = original + junk
    entries[index] = {**entries[index], field: changed}
    report = chain.verify(entries)
    assert not report.ok
    assert report.broken_seq in (index + 1, index + 2)


def test_removed_and_reordered_entries_are_detected() -> None:
    entries = build(4)
    assert chain.verify(entries[:1] + entries[2:]).broken_seq == 2
    assert not chain.verify([entries[1], entries[0], *entries[2:]]).ok


def test_an_extra_field_is_detected() -> None:
    entries = build(2)
    entries[1] = {**entries[1], "sneaky": 1}
    assert chain.verify(entries).broken_seq == 2
