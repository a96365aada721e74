"""Membership over time from system lines and speakers (review.membership, pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from reviewer.review.membership import (
    Interval,
    Membership,
    Presence,
    SystemEvent,
    derive_membership,
    name_key,
)


def ev(seq: int, event: str, actor: str | None, *subjects: str) -> SystemEvent:
    return SystemEvent(seq, f"2024-03-14T10:{seq:02d}:00", event, actor, subjects)


def derive(
    events: Sequence[SystemEvent],
    speakers: Mapping[str, Sequence[int]] | None = None,
    you: str | None = None,
) -> Membership:
    return derive_membership(events, speakers or {}, you=you)


def names(m: Membership, seq: int) -> list[str]:
    return [p.name for p in m.present_at(seq)]


def test_creator_is_a_member_from_the_creation_line() -> None:
    m = derive([ev(2, "created", "Sam Reid")], {"Sam Reid": [3]})
    assert m.intervals("Sam Reid") == [Interval(2, None, "created", None, False)]
    assert names(m, 1) == []
    assert m.present_at(3) == [Presence("Sam Reid", False)]


def test_added_and_joined_by_link_are_members_from_that_line() -> None:
    m = derive(
        [
            ev(1, "created", "Sam Reid"),
            ev(2, "added", "Sam Reid", "Alex Turner", "Jo Park"),
            ev(5, "joined", "+44 7700 900123", "+44 7700 900123"),
        ]
    )
    assert names(m, 1) == ["Sam Reid"]
    assert names(m, 2) == ["Alex Turner", "Jo Park", "Sam Reid"]
    assert names(m, 5) == ["+44 7700 900123", "Alex Turner", "Jo Park", "Sam Reid"]
    assert m.intervals("Jo Park") == [Interval(2, None, "added", None, False)]
    assert m.intervals("+447700900123") == [Interval(5, None, "joined", None, False)]


def test_left_and_removed_end_membership_at_that_line() -> None:
    m = derive(
        [
            ev(1, "created", "Sam Reid"),
            ev(2, "added", "Sam Reid", "Alex Turner", "Jo Park"),
            ev(6, "left", "Alex Turner", "Alex Turner"),
            ev(8, "removed", "Sam Reid", "Jo Park"),
        ]
    )
    assert names(m, 5) == ["Alex Turner", "Jo Park", "Sam Reid"]
    assert names(m, 6) == ["Jo Park", "Sam Reid"]
    assert names(m, 8) == ["Sam Reid"]
    assert m.intervals("Alex Turner") == [Interval(2, 6, "added", "left", False)]
    assert m.intervals("jo park") == [Interval(2, 8, "added", "removed", False)]


def test_a_re_add_opens_a_new_interval() -> None:
    m = derive(
        [
            ev(1, "created", "Sam Reid"),
            ev(2, "added", "Sam Reid", "Jo Park"),
            ev(4, "removed", "Sam Reid", "Jo Park"),
            ev(7, "added", "Sam Reid", "Jo Park"),
        ],
        {"Jo Park": [3, 9]},
    )
    assert m.intervals("Jo Park") == [
        Interval(2, 4, "added", "removed", False),
        Interval(7, None, "added", None, False),
    ]
    assert "Jo Park" not in names(m, 5)
    assert "Jo Park" in names(m, 7)


def test_number_change_carries_membership_to_the_new_number() -> None:
    m = derive(
        [
            ev(1, "created", "Sam Reid"),
            ev(2, "added", "Sam Reid", "+44 7700 900123"),
            ev(5, "number-changed", "+44 7700 900123", "+44 7700 900456"),
        ],
        {"+44 7700 900456": [6]},
    )
    assert m.intervals("+44 7700 900123") == [Interval(2, 5, "added", "number-changed", False)]
    assert m.intervals("+447700900456") == [Interval(5, None, "number-changed", None, False)]
    assert names(m, 4) == ["+44 7700 900123", "Sam Reid"]
    assert names(m, 6) == ["+44 7700 900456", "Sam Reid"]


def test_number_change_of_an_unseen_member_is_inferred_on_both_sides() -> None:
    m = derive([ev(5, "number-changed", "+44 7700 900123", "+44 7700 900456")])
    assert m.intervals("+44 7700 900123") == [Interval(None, 5, None, "number-changed", True)]
    assert m.intervals("+44 7700 900456") == [Interval(5, None, "number-changed", None, True)]


def test_changed_their_phone_number_keeps_the_identity() -> None:
    m = derive([ev(1, "created", "Sam Reid"), ev(4, "number-changed", "Jo Park", "Jo Park")])
    assert m.intervals("Jo Park") == [Interval(1, None, None, None, True)]


def test_you_is_the_custodian_when_known() -> None:
    events = [
        ev(1, "created", "You"),
        ev(2, "added", "You", "Alex Turner"),
        ev(3, "added", "Alex Turner", "Jo Park"),
        ev(6, "removed", "Jo Park", "you"),
    ]
    m = derive(events, {"Sam Reid": [4], "Alex Turner": [5]}, you="Sam Reid")
    assert m.you == "Sam Reid"
    assert m.intervals("Sam Reid") == [Interval(1, 6, "created", "removed", False)]
    assert m.intervals("You") == m.intervals("Sam Reid")
    assert names(m, 5) == ["Alex Turner", "Jo Park", "Sam Reid"]
    assert names(m, 6) == ["Alex Turner", "Jo Park"]
    assert "You" not in m.names()


def test_you_stays_its_own_identity_when_the_custodian_is_unknown() -> None:
    m = derive(
        [ev(1, "created", "You"), ev(2, "added", "You", "Alex Turner")], {"Alex Turner": [3]}
    )
    assert m.you == "You"
    assert names(m, 3) == ["Alex Turner", "You"]
    assert m.intervals("you") == [Interval(1, None, "created", None, False)]


def test_added_you_makes_the_exporter_a_member_from_that_line() -> None:
    m = derive(
        [ev(1, "created", "Sam Reid"), ev(4, "added", "Sam Reid", "you")],
        {"Sam Reid": [2], "Jo Park": [3, 6]},
        you="Jo Park",
    )
    # Jo posted before the add line: an earlier membership is inferred, then recorded.
    assert m.intervals("Jo Park") == [
        Interval(1, 4, None, None, True),
        Interval(4, None, "added", None, False),
    ]


def test_the_custodian_is_present_throughout_without_any_line_about_them() -> None:
    m = derive([ev(3, "added", "Alex Turner", "Jo Park")], {"Alex Turner": [2, 7]}, you="Sam Reid")
    assert m.intervals("Sam Reid") == [Interval(None, None, None, None, True)]
    assert m.present_at(5) == [
        Presence("Alex Turner", True),
        Presence("Jo Park", False),
        Presence("Sam Reid", True),
    ]


def test_mid_history_speakers_are_inferred_present_from_the_start() -> None:
    m = derive(
        [ev(4, "added", "Alex Turner", "Jo Park"), ev(9, "left", "Chris Evans", "Chris Evans")],
        {"Alex Turner": [1, 8], "Chris Evans": [6], "Jo Park": [5]},
    )
    assert m.intervals("Alex Turner") == [Interval(None, None, None, None, True)]
    assert m.intervals("Chris Evans") == [Interval(None, 9, None, "left", True)]
    assert m.present_at(1) == [Presence("Alex Turner", True), Presence("Chris Evans", True)]
    assert m.present_at(4) == [
        Presence("Alex Turner", True),
        Presence("Chris Evans", True),
        Presence("Jo Park", False),
    ]


def test_a_creation_line_bounds_inferred_membership() -> None:
    m = derive([ev(2, "created", "Sam Reid")], {"Jo Park": [5]})
    assert m.intervals("Jo Park") == [Interval(2, None, None, None, True)]
    assert names(m, 1) == []


def test_speaking_after_leaving_extends_with_an_inferred_interval() -> None:
    m = derive(
        [
            ev(1, "created", "Sam Reid"),
            ev(2, "added", "Sam Reid", "Jo Park"),
            ev(4, "left", "Jo Park", "Jo Park"),
        ],
        {"Jo Park": [3, 7, 9]},
    )
    assert m.intervals("Jo Park") == [
        Interval(2, 4, "added", "left", False),
        Interval(7, None, None, None, True),
    ]
    assert "Jo Park" not in names(m, 5)
    assert Presence("Jo Park", True) in m.present_at(8)


def test_a_second_leave_without_a_re_add_does_not_crash() -> None:
    m = derive(
        [
            ev(2, "added", "Sam Reid", "Jo Park"),
            ev(4, "left", "Jo Park", "Jo Park"),
            ev(6, "left", "Jo Park", "Jo Park"),
        ]
    )
    assert m.intervals("Jo Park") == [
        Interval(2, 4, "added", "left", False),
        Interval(6, 6, None, "left", True),
    ]
    assert "Jo Park" not in names(m, 6)


def test_actors_of_admin_lines_count_as_present() -> None:
    m = derive([ev(3, "subject", "Alex Turner"), ev(5, "admin", "Sam Reid", "Jo Park")])
    assert names(m, 1) == ["Alex Turner", "Jo Park", "Sam Reid"]
    assert all(p.inferred for p in m.present_at(1))


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("+44 7700 900123", "+447700900123"),
        ("\u202a+44\u00a07700\u00a0900123\u202c", "+44 7700 900123"),
        ("+44 (7700) 900-123", "+44 7700 900123"),
        ("~\u00a0Nev", "~ Nev"),
        ("alex turner", "Alex Turner"),
    ],
)
def test_names_in_system_text_match_speakers(written: str, spoken: str) -> None:
    m = derive([ev(1, "created", "Sam Reid"), ev(2, "added", "Sam Reid", written)], {spoken: [3]})
    assert m.intervals(spoken) == [Interval(2, None, "added", None, False)]
    assert spoken in names(m, 3)
    assert name_key(written) == name_key(spoken)


def test_phone_keys_need_enough_digits() -> None:
    assert name_key("+44 7700 900123") == "+447700900123"
    assert name_key("Unit 12") == "unit 12"
    assert name_key("999") == "999"


def test_summary_is_json_friendly_with_times_of_system_lines() -> None:
    m = derive(
        [
            ev(1, "created", "You"),
            ev(2, "added", "You", "Jo Park"),
            ev(4, "left", "Jo Park", "Jo Park"),
        ],
        you="Sam Reid",
    )
    summary = m.summary()
    assert summary["you"] == "Sam Reid"
    jo = next(x for x in summary["members"] if x["name"] == "Jo Park")
    assert jo["intervals"] == [
        {
            "joined_seq": 2,
            "joined_at": "2024-03-14T10:02:00",
            "how_joined": "added",
            "left_seq": 4,
            "left_at": "2024-03-14T10:04:00",
            "how_left": "left",
            "inferred": False,
        }
    ]


def test_unknown_names_have_no_intervals_and_events_other_than_membership_are_ignored() -> None:
    m = derive([ev(1, "encryption", None), ev(2, "security-code", None, "Jo Park")])
    assert m.names() == []
    assert m.intervals("Jo Park") == []
    assert m.present_at(1) == []
