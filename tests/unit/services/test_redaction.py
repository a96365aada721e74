"""Pseudonyms and masking for --redact-uninvolved."""

from __future__ import annotations

import pytest

from reviewer.services.case import Case
from reviewer.services.redaction import (
    PseudonymConflict,
    load_mapping,
    prepare,
    pseudonym,
    store_mapping,
)

PEOPLE = [("Alex Turner", True, None), ("Sam Reid", False, None), ("+44 7700 900999", False, None)]


def test_pseudonyms_run_a_to_z_then_aa() -> None:
    assert [pseudonym(i) for i in (0, 1, 25, 26, 27)] == [
        "Person A",
        "Person B",
        "Person Z",
        "Person AA",
        "Person AB",
    ]


def test_names_numbers_and_emails_are_replaced_and_subjects_kept(case: Case) -> None:
    with case.transaction() as session:
        redactor, added = prepare(session, PEOPLE, ["Jo Park"])
    assert added == 3
    assert redactor.name("Alex Turner") == "Alex Turner"
    assert redactor.name("Sam Reid") == "Person A"
    assert redactor.name("+44 7700 900999") == "Person B"
    text = "Sam said +44 7700 900999 added Jo Park; ring 07700 900123, a@b.co at 2024-03-14 10:02"
    assert redactor.text(text) == (
        "Person A said Person B added Person C; ring [phone number redacted], "
        "[e-mail address redacted] at 2024-03-14 10:02"
    )


def test_the_mapping_is_stable_and_stored_in_the_case(case: Case) -> None:
    with case.transaction() as session:
        prepare(session, PEOPLE)
    with case.transaction() as session:
        redactor, added = prepare(session, [("Jo Park", False, None), *PEOPLE])
        assert added == 1
        assert redactor.name("Sam Reid") == "Person A" and redactor.name("Jo Park") == "Person C"
        assert load_mapping(session)["sam reid"] == "Person A"


def test_linked_names_share_a_pseudonym_and_a_linked_subject_is_kept(case: Case) -> None:
    people = [("Sam Reid", False, 2), ("Sam R", False, 2), ("Al", False, 1), ("Alex T", True, 1)]
    with case.transaction() as session:
        redactor, _ = prepare(session, people)
    assert redactor.name("Sam R") == redactor.name("Sam Reid") == "Person A"
    assert redactor.name("Al") == "Al"


def test_a_snapshot_mapping_is_stored_later_unless_another_export_took_its_pseudonyms(
    case: Case,
) -> None:
    with case.reading() as session:
        first, added = prepare(session, PEOPLE, store=False)
        second, _ = prepare(session, [("Jo Park", False, None)], store=False)
    assert added == 2 and load_mapping_of(case) == {}
    with case.transaction() as session:
        store_mapping(session, first.pseudonyms)
    assert load_mapping_of(case) == dict(first.pseudonyms)
    with case.transaction() as session:
        store_mapping(session, first.pseudonyms)  # the same again: nothing changes
    # The second snapshot gave Jo Park "Person A", which the first export stored for Sam Reid.
    assert second.name("Jo Park") == "Person A"
    with pytest.raises(PseudonymConflict), case.transaction() as session:
        store_mapping(session, second.pseudonyms)
    assert load_mapping_of(case) == dict(first.pseudonyms)


def load_mapping_of(case: Case) -> dict[str, str]:
    with case.reading() as session:
        return load_mapping(session)
