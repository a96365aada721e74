"""parse_chat on small exports written inline: header variants, boundaries, encodings."""

from __future__ import annotations

import mmap
from datetime import datetime
from pathlib import Path

import pytest

from reviewer.core.errors import AmbiguousDateOrderError, Cancelled, InputError
from reviewer.core.progress import CancelToken
from reviewer.core.records import DateOrder, MessageKind, ParsedMessage
from reviewer.importers.whatsapp.parser import ParsedChat, parse_chat, split_author

LRM, RLM, NNBSP, NBSP, BOM = "\u200e", "\u200f", "\u202f", "\u00a0", "\ufeff"
LRE, PDF = "\u202a", "\u202c"


def parse(
    data: str | bytes, date_order: DateOrder | None = None
) -> tuple[ParsedChat, list[ParsedMessage]]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    chat = parse_chat(raw, file_name="chat.txt", date_order=date_order)
    messages = list(chat.messages)
    assert_tiles(raw, messages)
    return chat, messages


def assert_tiles(raw: bytes, messages: list[ParsedMessage]) -> None:
    """Spans are contiguous, in order, and cover every byte and line of the file."""
    offset, line = 0, 1
    for seq, message in enumerate(messages):
        assert message.seq == seq
        assert message.span.offset == offset
        assert message.span.line == line
        assert message.span.length > 0
        offset += message.span.length
        line += message.span.lines
    assert offset == len(raw)


def stamps(messages: list[ParsedMessage]) -> list[datetime | None]:
    return [m.timestamp for m in messages]


# --------------------------------------------------------------------------- header shapes

ANDROID_LF = (
    "31/12/2023, 23:59 - Alex Turner: Happy new year\n"
    "01/01/2024, 00:01 - Sam Patel: Same to you\n"
    "01/01/2024, 00:02 - Sam Patel added Chris Evans\n"
)


def test_android_dash_headers() -> None:
    chat, messages = parse(ANDROID_LF)
    assert chat.profile.format == "whatsapp-android"
    assert chat.profile.date_order is DateOrder.DMY
    assert chat.profile.clock == "24h"
    assert chat.profile.line_endings == "lf"
    assert chat.profile.encoding == "utf-8"
    assert stamps(messages) == [
        datetime(2023, 12, 31, 23, 59),
        datetime(2024, 1, 1, 0, 1),
        datetime(2024, 1, 1, 0, 2),
    ]
    assert [m.sender for m in messages[:2]] == ["Alex Turner", "Sam Patel"]
    assert [m.text for m in messages[:2]] == ["Happy new year", "Same to you"]
    assert messages[2].sender is None
    assert messages[2].kind is MessageKind.SYSTEM
    assert [m.span.line for m in messages] == [1, 2, 3]


IOS_CRLF = (
    "[14/03/2024, 09:58:01] Shift B: \u200eMessages and calls are end-to-end encrypted. "
    "No one outside of this chat, not even WhatsApp, can read or listen to them.\r\n"
    "[14/03/2024, 10:00:00] Sam Reid: Morning all\r\n"
    "[14/03/2024, 10:01:30] Alex Turner: first line\nsecond line\n[01:40] not a header\r\n"
    "\u200e[14/03/2024, 10:02:11] Alex Turner: Photo \u200e<attached: "
    "00000015-PHOTO-2024-03-14-10-02-11.jpg>\r\n"
    "[15/03/2024, 22:15:00] Sam Reid: last\r\n"
)


def test_ios_bracket_headers_and_multiline_body() -> None:
    chat, messages = parse(IOS_CRLF)
    assert chat.profile.format == "whatsapp-ios"
    assert chat.profile.line_endings == "ios"
    assert len(messages) == 5
    assert messages[0].sender is None  # the iOS pseudo-author of a system line
    assert messages[0].kind is MessageKind.SYSTEM
    assert messages[2].text == "first line\nsecond line\n[01:40] not a header"
    assert messages[2].span.lines == 3
    assert messages[3].sender == "Alex Turner"
    assert messages[3].attachments == ("00000015-PHOTO-2024-03-14-10-02-11.jpg",)
    assert messages[3].timestamp == datetime(2024, 3, 14, 10, 2, 11)
    assert messages[4].span.line == 7


@pytest.mark.parametrize(
    ("line", "order", "expected"),
    [
        ("31/12/2023, 23:59 - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("12/31/23, 11:59\u202fPM - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("2023-12-31, 11:59 p.m. - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("2023/12/31, 11:59 pm - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("31.12.23, 23:59 - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("31-12-2023 23:59 - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("31/12/2023 23:59 - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("31/12/2023, 11:59 p.\u00a0m. - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("31/12/2023, 11:59\u00a0a. m. - A: x", None, datetime(2023, 12, 31, 11, 59)),
        ("30/08/25 18.00 - A: x", None, datetime(2025, 8, 30, 18, 0)),
        ("31.12.2023 klo 23.59 - A: x", None, datetime(2023, 12, 31, 23, 59)),
        ("26/09/2019 à 22:39 - A: x", None, datetime(2019, 9, 26, 22, 39)),
        ("[31/12/2023, 23:59:58] A: x", None, datetime(2023, 12, 31, 23, 59, 58)),
        ("[06/02/2026, 12:32:30\u202fpm] A: x", DateOrder.DMY, datetime(2026, 2, 6, 12, 32, 30)),
        ("[06/02/2026, 12:32:30\u202fam] A: x", DateOrder.DMY, datetime(2026, 2, 6, 0, 32, 30)),
        ("[05.08.23, 5:52:02 PM] A: x", None, datetime(2023, 8, 5, 17, 52, 2)),
        ("[3/27/22 21:41:35] A: x", None, datetime(2022, 3, 27, 21, 41, 35)),
        ("[27-11-18 18:43:20] A: x", None, datetime(2018, 11, 27, 18, 43, 20)),
        ("[3/27/22 21.41.35] A: x", None, datetime(2022, 3, 27, 21, 41, 35)),
        ("[12. 3. 2024., 14:05:06] A: x", None, datetime(2024, 3, 12, 14, 5, 6)),
        ("13. 6. 2018. 21:25:15 A: x", None, datetime(2018, 6, 13, 21, 25, 15)),
        ("[21:41:35, 3/27/22] A: x", None, datetime(2022, 3, 27, 21, 41, 35)),
        ("19:23, 28 Aug 2013 - A: x", None, datetime(2013, 8, 28, 19, 23)),
        ("7/13/16, 4:56:55 PM: A: x", None, datetime(2016, 7, 13, 16, 56, 55)),
        ("13/06/15 10:59:59: A: x", None, datetime(2015, 6, 13, 10, 59, 59)),
        ("2016-06-27, 8:04:08 AM: A: x", None, datetime(2016, 6, 27, 8, 4, 8)),
        ("[3/18/2565 BE, 14:56:01] A: x", None, datetime(2022, 3, 18, 14, 56, 1)),
        ("[3/18/R4, 14:56:01] A: x", None, datetime(2022, 3, 18, 14, 56, 1)),
        ("[3/18/H31, 14:56:01] A: x", None, datetime(2019, 3, 18, 14, 56, 1)),
        (
            "[١٨\u200f/٣\u200f/٢٠٢٢، ٢:٥٦:٠٠\u00a0م] A: x",
            None,
            datetime(2022, 3, 18, 14, 56),
        ),
        ("[١٨/٣/٢٠٢٢، ٢:٥٦:٠٠\u00a0ص] A: x", None, datetime(2022, 3, 18, 2, 56)),
        ("03/01/2021, 9:15 in the morning - A: x", DateOrder.DMY, datetime(2021, 1, 3, 9, 15)),
        ("03/01/2021, 3:15 in the afternoon - A: x", DateOrder.DMY, datetime(2021, 1, 3, 15, 15)),
        ("03/01/2021, 7:15 in the evening - A: x", DateOrder.DMY, datetime(2021, 1, 3, 19, 15)),
        ("03/01/2021, 10:15 at night - A: x", DateOrder.DMY, datetime(2021, 1, 3, 22, 15)),
        ("03/01/2021, 2:15 at night - A: x", DateOrder.DMY, datetime(2021, 1, 3, 2, 15)),
        ("14.03.24, 9:15 nachm. - A: x", None, datetime(2024, 3, 14, 21, 15)),
        ("14.03.24, 9:15 vorm. - A: x", None, datetime(2024, 3, 14, 9, 15)),
        ("14.03.24, 8:15 abends - A: x", None, datetime(2024, 3, 14, 20, 15)),
        ("14.03.24, 7:15 morgens - A: x", None, datetime(2024, 3, 14, 7, 15)),
        ("14.03.24, 12:15 mittags - A: x", None, datetime(2024, 3, 14, 12, 15)),
        ("14.03.24, 2:15 nachts - A: x", None, datetime(2024, 3, 14, 2, 15)),
        ("[2022/3/18 下午2:56:01] A: x", None, datetime(2022, 3, 18, 14, 56, 1)),
        ("[2022/3/18 上午12:56:01] A: x", None, datetime(2022, 3, 18, 0, 56, 1)),
        ("[2022/03/18 午後2:56:01] A: x", None, datetime(2022, 3, 18, 14, 56, 1)),
        ("[2022/03/18 午前2:56:01] A: x", None, datetime(2022, 3, 18, 2, 56, 1)),
        ("2023-12-31, 9:59 a.m. - A: x", None, datetime(2023, 12, 31, 9, 59)),
        ("2023-12-31, 12:05 AM - A: x", None, datetime(2023, 12, 31, 0, 5)),
        ("[2022. 3. 18. 오후 2:56:01] A: x", None, datetime(2022, 3, 18, 14, 56, 1)),
        ("[2022. 3. 18. 오전 9:56:01] A: x", None, datetime(2022, 3, 18, 9, 56, 1)),
        ("[18/3/2022, 2:56:01\u202fPM] A: x", None, datetime(2022, 3, 18, 14, 56, 1)),
        ("३१/१२/२०२३, ११:५९ pm - A: x", None, datetime(2023, 12, 31, 23, 59)),
    ],
)
def test_header_variants(line: str, order: DateOrder | None, expected: datetime) -> None:
    _, messages = parse(line + "\n", date_order=order)
    assert [m.timestamp for m in messages] == [expected]
    assert messages[0].sender == "A"
    assert messages[0].text == "x"


def test_clock_and_format_in_profile() -> None:
    chat, _ = parse("12/31/23, 11:59\u202fPM - A: x\n1/1/24, 12:01\u202fAM - B: y\n")
    assert chat.profile.clock == "12h"
    assert chat.profile.date_order is DateOrder.MDY
    chat, _ = parse("7/13/16, 4:56:55 PM: A: x\n")
    assert chat.profile.format == "whatsapp-ios"


def test_pm_hour_conflict_is_taken_as_24h_and_flagged() -> None:
    _, messages = parse("31/12/2023, 23:59 PM - A: late\n31/12/2023, 11:59 PM - A: ok\n")
    assert messages[0].timestamp == datetime(2023, 12, 31, 23, 59)
    assert "pm-hour-conflict" in messages[0].flags
    assert "pm-hour-conflict" not in messages[1].flags


def test_seconds_absent_and_present_are_locked_per_file() -> None:
    data = "[31/12/2023, 23:59:58] A: one\n[31/12/2023, 23:59] B: not a header here\n"
    _, messages = parse(data)
    assert len(messages) == 1
    assert messages[0].text == "one\n[31/12/2023, 23:59] B: not a header here"


# --------------------------------------------------------------------------- boundaries


def test_continuation_lines_that_look_like_dates_stay_in_body() -> None:
    data = (
        "14/03/2024, 10:00 - A: see below\n"
        "12/03/2024 10:00 meeting moved\n"
        "[01:40] quoted\n"
        "14/03/2024, 10:05 - B: ok\n"
    )
    chat, messages = parse(data)
    assert len(messages) == 2
    assert messages[0].text == "see below\n12/03/2024 10:00 meeting moved\n[01:40] quoted"
    assert any(w.startswith("chat.txt:2:") for w in chat.warnings)
    assert not any(w.startswith("chat.txt:3:") for w in chat.warnings)


def test_ios_bare_lf_before_header_looking_line_is_continuation() -> None:
    data = (
        "[14/03/2024, 10:00:00] A: I forwarded this:\n"
        "[13/03/2024, 09:00:00] B: original words\r\n"
        "[14/03/2024, 10:01:00] B: thanks\r\n"
        "[14/03/2024, 10:02:00] A: np\r\n"
    )
    chat, messages = parse(data)
    assert chat.profile.line_endings == "ios"
    assert len(messages) == 3
    assert messages[0].text == "I forwarded this:\n[13/03/2024, 09:00:00] B: original words"


def test_crlf_everywhere_resaved_file() -> None:
    data = "[14/03/2024, 10:00:00] A: one\r\ntwo\r\n[14/03/2024, 10:01:00] B: three\r\n"
    chat, messages = parse(data)
    assert chat.profile.line_endings == "crlf"
    assert [m.text for m in messages] == ["one\ntwo", "three"]
    assert [m.span.lines for m in messages] == [2, 1]


def test_crlf_file_header_after_crlf_inside_body_is_a_header() -> None:
    data = "[14/03/2024, 10:00:00] A: one\r\n[13/03/2024, 09:00:00] B: jumps back\r\n"
    _, messages = parse(data)
    assert len(messages) == 2  # file order is evidence: a locked-profile header is a header
    assert messages[1].timestamp == datetime(2024, 3, 13, 9, 0)


def test_lone_cr_line_endings() -> None:
    data = "14/03/2024, 10:00 - A: one\rtwo\r14/03/2024, 10:01 - B: three\r"
    chat, messages = parse(data)
    assert chat.profile.line_endings == "cr"
    assert [m.text for m in messages] == ["one\ntwo", "three"]
    assert [m.span.line for m in messages] == [1, 3]


def test_mixed_line_endings() -> None:
    data = "14/03/2024, 10:00 - A: one\r\n14/03/2024, 10:01 - B: two\n14/03/2024, 10:02 - C: 3\n"
    chat, messages = parse(data)
    assert chat.profile.line_endings == "mixed"
    assert len(messages) == 3


def test_no_trailing_newline_and_blank_lines() -> None:
    data = "14/03/2024, 10:00 - A: one\n\n\n14/03/2024, 10:01 - B: two"
    _, messages = parse(data)
    assert [m.text for m in messages] == ["one\n\n", "two"]
    assert [m.span.lines for m in messages] == [3, 1]


def test_preamble_before_first_header_is_unparsed() -> None:
    data = "exported by me\nsee below\n14/03/2024, 10:00 - A: one\n"
    chat, messages = parse(data)
    assert messages[0].kind is MessageKind.UNPARSED
    assert messages[0].timestamp is None
    assert messages[0].text == "exported by me\nsee below"
    assert messages[0].span.lines == 2
    assert messages[1].seq == 1
    assert messages[1].span.line == 3
    assert any("before the first message header" in w for w in chat.warnings)


def test_invisible_marks_and_boms_at_line_starts() -> None:
    data = (
        f"{BOM}[14/03/2024, 10:00:00] A: one\r\n"
        f"{LRM}[14/03/2024, 10:01:00] A: {LRM}image omitted\r\n"
        f"{BOM}[14/03/2024, 10:02:00] B: after a mid-file BOM\r\n"
        f"{RLM}[14/03/2024, 10:03:00] C: rtl\r\n"
    )
    chat, messages = parse(data)
    assert chat.profile.encoding == "utf-8-sig"
    assert len(messages) == 4
    assert messages[0].span.offset == 0
    assert [m.sender for m in messages] == ["A", "A", "B", "C"]
    assert messages[2].text == "after a mid-file BOM"


# --------------------------------------------------------------------------- authors


def test_tricky_author_names() -> None:
    phone = f"{LRE}+44{NBSP}7700{NBSP}900123{PDF}"
    data = (
        "14/03/2024, 10:00 - Sam: Patel: hi\n"
        "14/03/2024, 10:01 - Sam: Patel: again: with colons\n"
        "14/03/2024, 10:02 - Sam: Patel: x\n"
        f"14/03/2024, 10:03 - {phone}: hello\n"
        "14/03/2024, 10:04 - ~\u00a0Nev - Lee: hi\n"
        "14/03/2024, 10:05 - Jo 🚓 (work): yo\n"
        "14/03/2024, 10:06 - Alex: note: see this\n"
        "14/03/2024, 10:07 - User:): smile\n"
    )
    _, messages = parse(data)
    # "Sam: Patel" is only an author once it has been seen unambiguously; none here, so the
    # first ": " wins, consistently.
    assert messages[0].sender == "Sam"
    assert messages[3].sender == f"+44{NBSP}7700{NBSP}900123"
    assert messages[4].sender == "~\u00a0Nev - Lee"
    assert messages[5].sender == "Jo 🚓 (work)"
    assert (messages[6].sender, messages[6].text) == ("Alex", "note: see this")
    assert (messages[7].sender, messages[7].text) == ("User:)", "smile")


@pytest.mark.parametrize(
    ("body", "known", "expected"),
    [
        ("Sam: Patel: hi", set(), ("Sam", "Patel: hi", False)),
        ("Sam: Patel: hi", {"Sam: Patel"}, ("Sam: Patel", "hi", False)),
        ("Sam: Patel: re: x", {"Sam", "Sam: Patel"}, ("Sam: Patel", "re: x", False)),
        ("Alex: hi", set(), ("Alex", "hi", True)),
        ("Alex:", set(), ("Alex", "", False)),
        ("Alex:.", set(), ("Alex", ".", False)),
        (":.", set(), (None, ":.", True)),
        ("a.", set(), (None, "a.", True)),
        ("Alex:x", set(), (None, "Alex:x", True)),
        ("Alex:.x", set(), (None, "Alex:.x", True)),
        ("Alex:\nnext line", set(), ("Alex", "\nnext line", False)),
        ("no author here", set(), (None, "no author here", True)),
        ("first line\nsecond: line", set(), (None, "first line\nsecond: line", True)),
    ],
)
def test_split_author(body: str, known: set[str], expected: tuple[str | None, str, bool]) -> None:
    assert split_author(body, known) == expected


def test_split_author_leaves_android_system_text_whole() -> None:
    text = 'Sam Patel changed the subject from "a: b" to "c"'
    assert split_author(text, set(), lambda t: t.startswith("Sam Patel changed")) == (
        None,
        text,
        True,
    )


def test_known_colon_name_is_preferred() -> None:
    data = (
        "14/03/2024, 10:00 - Sam Patel: ok\n"
        "14/03/2024, 10:01 - Sam Patel: re: the rota\n"
        "14/03/2024, 10:02 - Sam Patel: fine\n"
    )
    _, messages = parse(data)
    assert [m.sender for m in messages] == ["Sam Patel"] * 3
    assert messages[1].text == "re: the rota"


def test_android_system_line_with_colon_is_not_split() -> None:
    data = (
        "14/03/2024, 10:00 - Sam Patel: hi\n"
        '14/03/2024, 10:01 - Sam Patel changed the subject from "a: b" to "c"\n'
    )
    _, messages = parse(data)
    assert messages[1].sender is None
    assert messages[1].kind is MessageKind.SYSTEM


def test_empty_body_after_colon() -> None:
    _, messages = parse("14/03/2024, 10:00 - Sam Patel:\n14/03/2024, 10:01 - Jo: hi\n")
    assert messages[0].sender == "Sam Patel"
    assert messages[0].text == ""


# --------------------------------------------------------------------------- date order


def test_date_order_from_values_above_twelve() -> None:
    _, messages = parse("01/02/2024, 10:00 - A: x\n13/02/2024, 10:00 - A: y\n")
    assert messages[0].timestamp == datetime(2024, 2, 1, 10, 0)
    chat, _ = parse("02/01/2024, 10:00 - A: x\n02/13/2024, 10:00 - A: y\n")
    assert chat.profile.date_order is DateOrder.MDY


def test_date_order_from_values_beyond_the_sample() -> None:
    lines = [f"01/02/2024, 10:{i % 60:02d} - A: m{i}\n" for i in range(2500)]
    lines.append("14/02/2024, 10:00 - A: late\n")
    chat, _ = parse("".join(lines))
    assert chat.profile.date_order is DateOrder.DMY


def test_date_order_from_monotonicity() -> None:
    # days never exceed 12, but month-first would jump back from Dec to Jan
    dates = ["01/07/2023", "05/07/2023", "12/07/2023", "02/08/2023", "09/08/2023"]
    data = "".join(f"{d}, 10:00 - A: x\n" for d in dates)
    chat, messages = parse(data)
    assert chat.profile.date_order is DateOrder.DMY
    assert messages[3].timestamp == datetime(2023, 8, 2, 10, 0)


@pytest.mark.parametrize(("header", "order"), [("03/04", DateOrder.DMY), ("04/03", DateOrder.MDY)])
def test_date_order_from_ios_attachment_names(header: str, order: DateOrder) -> None:
    photo = "00000015-PHOTO-2024-04-03-10-02-11.jpg"  # 3 April 2024
    data = (
        f"[{header}/2024, 10:00:00] A: x\r\n"
        f"[{header}/2024, 10:02:11] A: \u200e<attached: {photo}>\r\n"
    )
    chat, _ = parse(data)
    assert chat.profile.date_order is order


def test_dotted_dates_are_day_first() -> None:
    chat, _ = parse("03.04.24, 10:00 - A: x\n03.04.24, 10:01 - A: y\n")
    assert chat.profile.date_order is DateOrder.DMY


def test_ambiguous_date_order_is_refused() -> None:
    data = "03/04/2024, 10:00 - A: x\n03/04/2024, 10:01 - A: y\n"
    with pytest.raises(AmbiguousDateOrderError) as info:
        parse(data)
    assert "--date-order" in str(info.value)
    assert "chat.txt" in str(info.value)
    chat, messages = parse(data, date_order=DateOrder.MDY)
    assert chat.profile.date_order is DateOrder.MDY
    assert messages[0].timestamp == datetime(2024, 3, 4, 10, 0)


@pytest.mark.parametrize(
    "dates",
    [
        ["12/12/2022", "01/01/2023"],  # Android, 4-digit years
        ["1/1/23", "01/01/23", "2/02/23"],  # padding differs, values equal
        ["05/05/2024"],
    ],
)
def test_dates_that_read_the_same_either_way_are_not_refused(dates: list[str]) -> None:
    chat, messages = parse("".join(f"{d}, 10:0{i} - A: x\n" for i, d in enumerate(dates)))
    assert chat.profile.date_order is DateOrder.DMY
    assert chat.profile.date_order_moot
    assert [m.timestamp.day == m.timestamp.month for m in messages if m.timestamp] == [True] * len(
        dates
    )


def test_ios_dates_that_read_the_same_either_way() -> None:
    data = "[12/12/2022, 10:00:01] A: x\r\n[01/01/2023, 10:00:02] B: y\r\n"
    chat, messages = parse(data)
    assert chat.profile.date_order_moot
    assert [m.timestamp for m in messages] == [
        datetime(2022, 12, 12, 10, 0, 1),
        datetime(2023, 1, 1, 10, 0, 2),
    ]


def test_one_unequal_date_late_in_the_file_makes_it_ambiguous_again() -> None:
    lines = [f"01/01/2023, 10:{i % 60:02d} - A: x\n" for i in range(3000)]  # beyond the sample
    lines.append("01/02/2023, 10:00 - A: y\n")
    with pytest.raises(AmbiguousDateOrderError, match="--date-order"):
        parse("".join(lines))


def test_the_issue_example_of_a_truly_ambiguous_file_is_still_refused() -> None:
    with pytest.raises(AmbiguousDateOrderError, match="--date-order"):
        parse("01/02/2023, 10:00 - A: x\n03/04/2023, 10:00 - A: y\n")
    with pytest.raises(AmbiguousDateOrderError, match="--date-order"):  # one equal date is no help
        parse("12/12/2022, 10:00 - A: x\n01/02/2023, 10:00 - A: y\n")


def test_decided_order_is_not_moot() -> None:
    chat, _ = parse("13/01/2023, 10:00 - A: x\n")
    assert chat.profile.date_order is DateOrder.DMY and not chat.profile.date_order_moot
    chat, _ = parse("01/01/2023, 10:00 - A: x\n", date_order=DateOrder.MDY)
    assert chat.profile.date_order is DateOrder.MDY and not chat.profile.date_order_moot


def test_ambiguous_monotone_both_ways_is_refused() -> None:
    dates = ["01/02/2024", "02/03/2024", "03/04/2024"]
    with pytest.raises(AmbiguousDateOrderError):
        parse("".join(f"{d}, 10:00 - A: x\n" for d in dates))


def test_conflicting_values_above_twelve_are_refused() -> None:
    with pytest.raises(AmbiguousDateOrderError):
        parse("13/02/2024, 10:00 - A: x\n02/13/2024, 10:00 - A: y\n")


def test_year_first_is_ymd_and_mismatched_option_is_refused() -> None:
    chat, _ = parse("2024/03/04, 10:00 - A: x\n")
    assert chat.profile.date_order is DateOrder.YMD
    with pytest.raises(InputError, match="--date-order"):
        parse("2024/03/04, 10:00 - A: x\n", date_order=DateOrder.DMY)


def test_invalid_date_under_locked_order_stays_in_body_with_warning() -> None:
    data = "14/03/2024, 10:00 - A: x\n31/02/2024, 10:01 - A: not a date\n"
    chat, messages = parse(data)
    assert len(messages) == 1
    assert any(w.startswith("chat.txt:2:") for w in chat.warnings)


# --------------------------------------------------------------------------- encodings


def test_utf16_with_bom_spans_count_utf16_bytes() -> None:
    text = "[14/03/2024, 10:00:00] A: héllo 🚓\r\n[14/03/2024, 10:01:00] B: two\r\n"
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        raw = bom + text.encode(codec)
        chat, messages = parse(raw)
        assert chat.profile.encoding == codec
        assert [m.text for m in messages] == ["héllo 🚓", "two"]
        first = len(bom) + len("[14/03/2024, 10:00:00] A: héllo 🚓\r\n".encode(codec))
        assert messages[0].span.length == first


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(codec: str) -> None:
    raw = "14/03/2024, 10:00 - A: one\n14/03/2024, 10:01 - B: two\n".encode(codec)
    chat, messages = parse(raw)
    assert chat.profile.encoding == codec
    assert [m.text for m in messages] == ["one", "two"]


def test_invalid_utf8_is_replaced_and_flagged() -> None:
    raw = b"14/03/2024, 10:00 - A: caf\xe9\n14/03/2024, 10:01 - B: fine\n"
    chat, messages = parse(raw)
    assert messages[0].text == "caf\ufffd"
    assert "decode-error" in messages[0].flags
    assert "decode-error" not in messages[1].flags
    assert any(w.startswith("chat.txt:1:") and "UTF-8" in w for w in chat.warnings)


def test_memoryview_and_mmap_inputs(tmp_path: Path) -> None:
    raw = IOS_CRLF.encode()
    expected = [m.text for m in parse(raw)[1]]
    chat = parse_chat(memoryview(raw), file_name="chat.txt")
    assert [m.text for m in chat.messages] == expected
    path = tmp_path / "_chat.txt"
    path.write_bytes(raw)
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        chat = parse_chat(mm, file_name="_chat.txt")
        assert [m.text for m in chat.messages] == expected


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"", "empty"),
        (b"PK\x03\x04rest of a zip", "zip"),
        (b"\x00\x01\x02\x03binary" * 20, "binary"),
        (b"<!DOCTYPE html><html><body>Telegram</body></html>", "HTML"),
        (b'{"name": "Sam", "messages": []}', "JSON"),
        (b"just some notes\nwith no headers at all\n", "no WhatsApp message header"),
    ],
)
def test_not_a_whatsapp_chat(raw: bytes, needle: str) -> None:
    with pytest.raises(InputError) as info:
        parse_chat(raw, file_name="thing.txt")
    assert needle in str(info.value)
    assert "thing.txt" in str(info.value)


def test_header_must_appear_near_the_start() -> None:
    raw = ("filler\n" * 300 + "14/03/2024, 10:00 - A: x\n").encode()
    with pytest.raises(InputError):
        parse_chat(raw, file_name="thing.txt")


# --------------------------------------------------------------------------- progress


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def report(self, stage: str, done: int, total: int | None) -> None:
        self.calls.append((stage, done, total))


def big_android(count: int) -> bytes:
    return "".join(
        f"14/03/2024, {i // 60 % 24:02d}:{i % 60:02d} - A: message {i}\n" for i in range(count)
    ).encode()


def test_progress_is_reported_and_ends_at_total() -> None:
    raw = big_android(25_000)
    recorder = Recorder()
    chat = parse_chat(raw, file_name="chat.txt", progress=recorder)
    assert sum(1 for _ in chat.messages) == 25_000
    assert [c[0] for c in recorder.calls] == ["parse"] * 3
    assert recorder.calls[-1] == ("parse", len(raw), len(raw))
    assert recorder.calls[0][1] < recorder.calls[1][1] < len(raw)


def test_cancel_stops_the_generator() -> None:
    token = CancelToken()
    chat = parse_chat(big_android(25_000), file_name="chat.txt", cancel=token)
    next(chat.messages)
    token.cancel()
    with pytest.raises(Cancelled):
        list(chat.messages)


def test_near_miss_warnings_are_capped() -> None:
    body = "".join(f"0{i % 9 + 1}/03/2024 note {i}\n" for i in range(30))
    chat, messages = parse("14/03/2024, 10:00 - A: list\n" + body)
    assert len(messages) == 1
    assert len(chat.warnings) == 21
    assert chat.warnings[0].startswith("chat.txt:2:")
    assert chat.warnings[-1] == "chat.txt: 10 more header-like lines kept inside messages"


def test_body_classification_is_applied() -> None:
    data = (
        "14/03/2024, 10:00 - Sam Patel: IMG-20240314-WA0007.jpg (file attached)\n"
        "Photo of the damage\n"
        "14/03/2024, 10:01 - Sam Patel: <Media omitted>\n"
        "14/03/2024, 10:02 - Jo Lee: This message was deleted\n"
        "14/03/2024, 10:03 - Jo Lee: fixed it <This message was edited>\n"
        "14/03/2024, 10:04 - Jo Lee left\n"
    )
    _, messages = parse(data)
    assert messages[0].kind is MessageKind.MEDIA
    assert messages[0].attachments == ("IMG-20240314-WA0007.jpg",)
    assert messages[2].kind is MessageKind.DELETED
    assert (messages[3].text, messages[3].edited) == ("fixed it", True)
    assert (messages[4].kind, messages[4].sender) == (MessageKind.SYSTEM, None)


def test_utf16_transcoding_across_chunk_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.importers.whatsapp import parser

    monkeypatch.setattr(parser, "TRANSCODE_CHUNK", 7)  # odd: splits code units and pairs
    text = "".join(f"[14/03/2024, 10:{i:02d}:00] A: 🚓 é {i}\r\n" for i in range(20))
    raw = b"\xff\xfe" + text.encode("utf-16-le") + b"\x00"  # a stray odd byte at the end
    _, messages = parse(raw)
    assert [m.text for m in messages] == [f"🚓 é {i}" for i in range(20)]
    assert messages[-1].span.offset + messages[-1].span.length == len(raw)


# --------------------------------------------------------------------------- mapped files

LINE_ENDING_SAMPLES = {
    "ios": "".join(f"[14/03/2024, 10:{i:02d}:00] A: line {i}\nmore {i}\r\n" for i in range(12)),
    "crlf": "".join(f"14/03/2024, 10:{i:02d} - A: text {i}\r\n" for i in range(12)),
    "lf": "".join(f"14/03/2024, 10:{i:02d} - A: text {i}\n" for i in range(12)),
    "mixed": "".join(
        f"14/03/2024, 10:{i:02d} - A: text {i}" + ("\r" if i % 3 else "\r\n") for i in range(12)
    ),
}


@pytest.mark.parametrize("kind", sorted(LINE_ENDING_SAMPLES))
def test_mapped_file_scans_agree_with_whole_buffer_at_every_chunk_edge(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mapped file is searched and counted in chunks; a CRLF or a match straddling a chunk
    edge must be seen exactly as in one pass over the bytes."""
    from reviewer.importers.whatsapp import parser

    raw = LINE_ENDING_SAMPLES[kind].encode()
    expected_chat = parse_chat(raw, file_name="chat.txt")
    expected = (expected_chat.profile, [(m.text, m.span) for m in expected_chat.messages])
    path = tmp_path / "chat.txt"
    path.write_bytes(raw)
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for step in range(1, 41):
            monkeypatch.setattr(parser, "SCAN_CHUNK", step)
            chat = parse_chat(mm, file_name="chat.txt")
            assert chat.profile.line_endings == kind
            assert (chat.profile, [(m.text, m.span) for m in chat.messages]) == expected
            for start, end in [(0, len(raw)), (3, 97), (step, len(raw) - step)]:
                piece = raw[start:end]
                breaks = piece.count(b"\n") + piece.count(b"\r") - piece.count(b"\r\n")
                assert chat.line_breaks(start, end) == breaks


def test_chunks_parse_into_the_records_of_the_whole_file() -> None:
    raw = (IOS_CRLF * 3).encode()
    whole = parse_chat(raw, file_name="_chat.txt")
    records = [(m.timestamp, m.sender, m.text, m.span) for m in whole.messages]
    chat = parse_chat(raw, file_name="_chat.txt")
    cut = chat.record_start_at_or_after(len(raw) // 2)
    assert cut is not None and 0 < cut < len(raw)
    first = list(chat.chunk(0, cut, first_line=1))
    line = 1 + chat.line_breaks(0, cut)
    second = list(chat.chunk(cut, len(raw), first_line=line))
    assert [m.seq for m in second] == list(range(len(second)))
    assert [(m.timestamp, m.sender, m.text, m.span) for m in first + second] == records


def test_warnings_of_a_chat_walked_in_chunks_are_those_of_the_whole() -> None:
    near = "".join(f"0{i % 9 + 1}/03/2024 note {i}\n" for i in range(30))
    raw = (
        "14/03/2024, 10:00 - A: list\n" + near + "14/03/2024, 10:01 - A: bad \udcff\n"
        "14/03/2024, 10:02 - A: more\n" + near[:100]
    ).encode("utf-8", "surrogateescape")
    whole = parse_chat(raw, file_name="chat.txt")
    list(whole.messages)
    assert whole.warnings[-1] == "chat.txt: 16 more header-like lines kept inside messages"
    chat = parse_chat(raw, file_name="chat.txt")
    cut = chat.record_start_at_or_after(len(raw) // 2)
    assert cut is not None
    list(chat.chunk(0, cut, first_line=1))
    first = chat.take_notes()
    list(chat.chunk(cut, len(raw)))
    second = chat.take_notes()
    assert first.counts["near-miss"] == 30 and second.counts["near-miss"] == 6
    assert chat.warnings_of([first, second]) == whole.warnings
    assert chat.warnings == whole.warnings
