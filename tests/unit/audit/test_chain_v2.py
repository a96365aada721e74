"""Version 2 (redactable) audit entries: DESIGN.md §3's recipe, tamper detection, redaction of
any subset of fields, and chains that start in version 1 and continue in version 2."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewer.audit import chain

DETAILS = {"category": "discriminatory.race", "note": "Jo Park laughs ü 漢字", "messages": [4, 5]}


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def build(v1: int, v2: int) -> list[dict[str, Any]]:
    """``v1`` version 1 entries followed by ``v2`` version 2 entries."""
    entries: list[dict[str, Any]] = []
    prev = chain.GENESIS
    for seq in range(1, v1 + v2 + 1):
        seal = chain.seal if seq <= v1 else chain.seal_v2
        entry = seal(
            seq=seq,
            ts=f"2026-01-01T00:00:{seq:02d}Z",
            actor="Jo Smith",
            workstation="LAPTOP-7",
            action="tag.added",
            target=f"message {seq}",
            details={**DETAILS, "seq_note": f"n{seq}"},
            prev=prev,
        )
        entries.append(entry)
        prev = entry["hash"]
    return entries


def test_v2_hash_follows_the_documented_recipe() -> None:
    (entry,) = build(0, 1)
    salts = entry["salts"]
    assert set(salts) == {"target", *(f"details.{k}" for k in entry["details"])}
    assert all(len(s) == 32 and int(s, 16) >= 0 and s == s.lower() for s in salts.values())
    assert len(set(salts.values())) == len(salts)  # a fresh salt per field

    def c(name: str, value: Any) -> str:
        return hashlib.sha256(salts[name].encode() + canonical(value)).hexdigest()

    hashed = {
        "v": 2,
        **{k: entry[k] for k in ("seq", "ts", "actor", "workstation", "action", "prev")},
        "target": c("target", entry["target"]),
        "details": {k: c(f"details.{k}", v) for k, v in entry["details"].items()},
    }
    assert entry["v"] == 2
    assert entry["hash"] == hashlib.sha256(canonical(hashed)).hexdigest()


def test_a_mixed_v1_then_v2_chain_verifies() -> None:
    entries = build(3, 3)
    assert "v" not in entries[2] and entries[3]["v"] == 2
    assert entries[3]["prev"] == entries[2]["hash"]
    report = chain.verify(entries)
    assert report.ok and report.entries == 6 and report.head == entries[-1]["hash"]


_NAMES = st.sampled_from(
    ["target", "details.category", "details.note", "details.messages", "details.seq_note"]
)


@given(index=st.integers(0, 5), withheld=st.sets(_NAMES))
def test_redacting_any_subset_of_fields_still_verifies(index: int, withheld: set[str]) -> None:
    entries = build(2, 4)
    entries[index] = chain.redact(entries[index], withheld)
    report = chain.verify(entries)
    assert report.ok, report.reason
    line = entries[index]
    if index < 2 and withheld:  # version 1: withheld whole
        assert set(line) == {"seq", "prev", "hash", "withheld"}
    elif index >= 2:
        assert set(line.get("redacted", {})) == withheld
        assert not withheld & set(line["salts"]) and not withheld & set(chain.field_values(line))


_PLAIN = st.sampled_from(["v", "seq", "ts", "actor", "workstation", "action", "prev", "hash"])


def _changed(value: Any, junk: str) -> Any:
    if isinstance(value, int):
        return value + 1 + len(junk)
    if isinstance(value, list):
        return [*value, junk]
    return value + junk


@given(
    index=st.integers(2, 5),
    withheld=st.sets(_NAMES),
    what=st.one_of(_PLAIN.map(lambda n: ("plain", n)), _NAMES.map(lambda n: ("field", n))),
    part=st.sampled_from(["value", "salt", "commitment"]),
    junk=st.text(min_size=1),
)
def test_any_single_change_to_a_v2_line_is_detected(
    index: int, withheld: set[str], what: tuple[str, str], part: str, junk: str
) -> None:
    entries = build(2, 4)
    line = chain.redact(entries[index], withheld)
    kind, name = what
    if kind == "plain":
        line[name] = _changed(line[name], junk)
    elif name in withheld:  # a withheld field: only its commitment can change
        line["redacted"][name] = hashlib.sha256(line["redacted"][name].encode()).hexdigest()
    elif part == "salt":
        line["salts"][name] = hashlib.md5(line["salts"][name].encode()).hexdigest()
    elif name == "target":
        line["target"] = _changed(line["target"], junk)
    else:
        key = name.removeprefix("details.")
        line["details"][key] = _changed(line["details"][key], junk)
    entries[index] = line
    report = chain.verify(entries)
    assert not report.ok
    assert report.broken_seq in (index + 1, index + 2)


def test_a_value_shown_and_withheld_at_once_fails() -> None:
    entries = build(0, 2)
    line = chain.redact(entries[0], ["details.note"])
    line["details"]["note"] = "someone else"
    line["salts"]["details.note"] = "0" * 32
    entries[0] = line
    assert chain.verify(entries).broken_seq == 1


def test_a_withheld_v1_entry_keeps_the_chain_linked() -> None:
    entries = build(2, 2)
    entries[1] = chain.redact(entries[1], ["target"])
    assert chain.verify(entries).ok
    entries[1] = {**entries[1], "hash": "f" * 64}  # its hash can only be checked by the next
    assert chain.verify(entries).broken_seq == 3
    entries = build(2, 2)
    entries[1] = {**chain.redact(entries[1], ["target"]), "note": "x"}
    assert chain.verify(entries).broken_seq == 2


def test_project_withholds_exactly_the_fields_that_name_someone() -> None:
    entries = build(1, 1)

    def names(value: Any) -> bool:
        return "Jo Park" in json.dumps(value, ensure_ascii=False)

    assert chain.project(entries[0], names)["withheld"] is True
    line = chain.project(entries[1], names)
    assert set(line["redacted"]) == {"details.note"}
    assert chain.verify([chain.project(e, names) for e in entries]).ok
    assert chain.project(entries[1], lambda _: False) == entries[1]


@pytest.mark.parametrize("field", ["salts", "details"])
def test_a_v2_line_without_its_objects_fails(field: str) -> None:
    (entry,) = build(0, 1)
    del entry[field]
    assert chain.verify([entry]).reason == f"missing ['{field}']"
