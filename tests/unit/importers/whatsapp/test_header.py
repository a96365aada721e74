"""Header grammar: probe normalisation, shapes, strict patterns, time and date conversion."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import pytest

from reviewer.core.records import DateOrder
from reviewer.importers.whatsapp.header import (
    DateOrderConflict,
    HeaderDecoder,
    HeaderShape,
    decide_date_order,
    header_pattern,
    hour_24,
    looks_dated,
    order_by_hints,
    order_by_monotonicity,
    probe_line,
    probe_normalise,
    vote_shape,
    ymd_of,
)


def shape_of(line: str) -> HeaderShape:
    probe = probe_line(line)
    assert probe is not None, line
    return probe.shape


def test_probe_normalise_removes_marks_and_maps_spaces_and_digits() -> None:
    assert (
        probe_normalise("\u200e[١٨\u200f/٣\u200f/٢٠٢٢،\u00a0٢:٥٦\u202fم]") == "[18/3/2022، 2:56 م]"
    )
    assert probe_normalise("\ufeff३१.१२.२०२३") == "31.12.2023"
    assert probe_normalise("plain") == "plain"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "31/12/2023, 23:59 - A: x",
            dict(bracket=False, dt_sep=", ", hdr_sep=" - ", seconds=False, ampm="", year_digits=4),
        ),
        (
            "[31/12/2023, 23:59:58] A: x",
            dict(bracket=True, hdr_sep=" ", seconds=True, date_sep="/"),
        ),
        ("7/1/16, 4:56:55 PM: A: x", dict(hdr_sep=": ", ampm="suffix", year_digits=2)),
        ("[3/27/22 21.41.35] A: x", dict(dt_sep=" ", time_sep=".")),
        ("[12. 3. 2024., 14:05:06] A: x", dict(spaced_date=True, trailing_dot=True)),
        ("[21:41:35, 3/27/22] A: x", dict(time_first=True)),
        ("19:23, 28 Aug 2013 - A: x", dict(time_first=True, date_kind="dmy-name")),
        ("Aug 28, 2013, 7:23 PM - A: x", dict(date_kind="mdy-name")),
        ("2023-12-31, 11:59 p.m. - A: x", dict(year_first=True, date_sep="-")),
        ("[3/18/2565 BE, 14:56:01] A: x", dict(calendar="buddhist")),
        ("[3/18/R4, 14:56:01] A: x", dict(calendar="japanese", year_digits=0)),
        ("31.12.2023 klo 23.59 - A: x", dict(dt_sep=" klo ")),
        ("26/09/2019 à 22:39 - A: x", dict(dt_sep=" à ")),
        ("[2022/3/18 下午2:56:01] A: x", dict(ampm="prefix")),
        ("[١٨\u200f/٣\u200f/٢٠٢٢، ٢:٥٦:٠٠\u00a0م] A: x", dict(inner_marks=True, dt_sep="، ")),
    ],
)
def test_probe_shapes(line: str, expected: dict[str, object]) -> None:
    shape = shape_of(line)
    for name, value in expected.items():
        assert getattr(shape, name) == value, name


@pytest.mark.parametrize(
    "line",
    [
        "[01:40] quoted",
        "hello 12/03/2024",
        "32/13/2024, 10:00 - A: x",  # neither field can be a month
        "31/12/2023, 24:00 - A: x",
        "31/12/123, 10:00 - A: x",  # three-digit year
        "[31/12/2023, 23:59:58 A: x",  # unbalanced bracket
        "",
    ],
)
def test_probe_rejects_non_headers(line: str) -> None:
    assert probe_line(line) is None


def test_probe_remembers_native_digits_and_rest() -> None:
    probe = probe_line("[١٨/٣/٢٠٢٢، ٢:٥٦:٠٠\u00a0م] Alex: hi")
    assert probe is not None
    assert probe.shape.native_zeros == (0x660,)
    assert probe.fields == ("18", "3", "2022")
    assert probe.ampm == "م"
    assert probe.rest == "Alex: hi"


def test_vote_shape_takes_the_majority_and_merges_digit_scripts() -> None:
    probes = [probe_line(f"31/12/2023, 23:{i:02d} - A: x") for i in range(3)]
    probes.append(probe_line("12/03/2024 10:00 meeting"))
    probes.append(probe_line("٣١/١٢/٢٠٢٣, ٢٣:٠٠ - A: x"))
    shape = vote_shape(p for p in probes if p is not None)
    assert shape is not None
    assert shape.dt_sep == ", "
    assert shape.native_zeros == (0x660,)
    assert vote_shape([]) is None


@pytest.mark.parametrize(
    ("line", "other"),
    [
        ("31/12/2023, 23:59 - A: x", "31/12/2023 23:59 - A: x"),
        ("[31/12/2023, 23:59:58] A: x", "[31/12/2023, 23:59] A: x"),
        ("[31/12/2023, 23:59:58] A: x", "31/12/2023, 23:59:58 - A: x"),
        ("12/31/23, 11:59 PM - A: x", "12/31/23, 23:59 - A: x"),
        ("31.12.23, 23:59 - A: x", "31/12/23, 23:59 - A: x"),
    ],
)
def test_strict_pattern_matches_its_shape_only(line: str, other: str) -> None:
    pattern = re.compile(header_pattern(shape_of(line)))
    assert pattern.match(line.encode())
    assert not pattern.match(other.encode())


def test_strict_pattern_allows_odd_spaces_and_leading_marks() -> None:
    pattern = re.compile(header_pattern(shape_of("12/31/23, 11:59 PM - A: x")))
    for line in ("\u200e12/31/23, 11:59\u202fPM - A: x", "\ufeff12/31/23,\u00a011:59 pm - A: x"):
        assert pattern.match(line.encode())


@pytest.mark.parametrize(
    ("hour", "meaning", "expected"),
    [
        (12, "am", (0, False)),
        (1, "am", (1, False)),
        (12, "pm", (12, False)),
        (11, "pm", (23, False)),
        (23, "pm", (23, True)),
        (14, "am", (14, True)),
        (10, "night", (22, False)),
        (12, "night", (0, False)),
        (3, "night", (3, False)),
        (9, None, (9, False)),
    ],
)
def test_hour_24(hour: int, meaning: str | None, expected: tuple[int, bool]) -> None:
    assert hour_24(hour, meaning) == expected


def test_ymd_of_orders_calendars_and_validation() -> None:
    num = shape_of("31/12/2023, 23:59 - A: x")
    assert ymd_of(num, DateOrder.DMY, b"31", b"12", b"2023") == (2023, 12, 31)
    assert ymd_of(num, DateOrder.MDY, b"12", b"31", b"2023") == (2023, 12, 31)
    two = shape_of("31/12/23, 23:59 - A: x")
    assert ymd_of(two, DateOrder.DMY, b"1", b"2", b"99") == (2099, 2, 1)
    with pytest.raises(ValueError):
        ymd_of(num, DateOrder.DMY, b"31", b"02", b"2023")
    buddhist = shape_of("[3/18/2565 BE, 14:56:01] A: x")
    assert ymd_of(buddhist, DateOrder.MDY, b"3", b"18", b"2565") == (2022, 3, 18)
    japanese = shape_of("[3/18/R4, 14:56:01] A: x")
    assert ymd_of(japanese, DateOrder.MDY, b"3", b"18", b"R4") == (2022, 3, 18)
    assert ymd_of(japanese, DateOrder.MDY, b"4", b"30", b"H31") == (2019, 4, 30)
    arabic = shape_of("[١٨/٣/٢٠٢٢، ٢:٥٦:٠٠\u00a0م] A: x")
    assert ymd_of(arabic, DateOrder.DMY, "١٨".encode(), "٣".encode(), "٢٠٢٢".encode()) == (
        2022,
        3,
        18,
    )


def test_decoder_caches_and_rejects_impossible_times() -> None:
    shape = shape_of("[31/12/2023, 23:59:58] A: x")
    pattern = re.compile(header_pattern(shape))
    decoder = HeaderDecoder(shape, DateOrder.DMY, pattern.groupindex)
    good = pattern.match(b"[31/12/2023, 23:59:58] A: x")
    bad_time = pattern.match(b"[31/12/2023, 23:61:58] A: x")
    bad_date = pattern.match(b"[30/02/2023, 23:59:58] A: x")
    assert good and bad_time and bad_date
    stamp = decoder.stamp(good)
    assert stamp is not None and stamp[0].isoformat() == "2023-12-31T23:59:58"
    assert decoder.stamp(bad_time) is None
    assert decoder.stamp(bad_date) is None
    assert b"31/12/2023" in decoder.dates


@pytest.mark.parametrize(
    ("header", "tail", "expected", "bad"),
    [
        ("[31/12/2023, 23:59:58] ", 5, "2023-12-31T23:59:58", "[31/12/2023, 23:61:58] "),
        ("31/12/2023, 23:59 - ", 2, "2023-12-31T23:59:00", "31/12/2023, 24:59 - "),
        ("12/31/23, 11:59 PM - ", 0, "2023-12-31T23:59:00", "12/31/23, 11:60 PM - "),
        ("[31.12.23, 9.05.07] ", 5, "2023-12-31T09:05:07", "[31.12.23, 9.05.60] "),
    ],
)
def test_decoder_entry_fills_the_parser_caches(
    header: str, tail: int, expected: str, bad: str
) -> None:
    """The parser's cached hour + ``offsets`` (or whole-key) stamps equal :meth:`stamp`."""
    shape = shape_of(header + "A: x")
    pattern = re.compile(header_pattern(shape))
    order = DateOrder.MDY if "PM" in header else DateOrder.DMY
    decoder = HeaderDecoder(shape, order, pattern.groupindex)
    assert decoder.tail == tail
    m = pattern.match(header.encode() + b"A: x")
    assert m is not None
    entry = decoder.entry(m)
    assert entry is not None and entry[0].isoformat() == expected and entry[1] == ()
    key = m.group(decoder.stamp_id)
    if tail:
        assert decoder.hours[key[:-tail]] + decoder.offsets[key[-tail:]] == entry[0]
    else:
        assert decoder.stamps[key] == entry
    wrong = pattern.match(bad.encode() + b"A: x")
    assert wrong is not None and decoder.entry(wrong) is None


def test_decoder_entry_flags_pm_hour_conflict() -> None:
    shape = shape_of("12/31/23, 11:59 PM - A: x")
    pattern = re.compile(header_pattern(shape))
    decoder = HeaderDecoder(shape, DateOrder.MDY, pattern.groupindex)
    m = pattern.match(b"12/31/23, 13:59 PM - A: x")
    assert m is not None
    assert decoder.entry(m) == (datetime(2023, 12, 31, 13, 59), ("pm-hour-conflict",))


def test_looks_dated() -> None:
    assert looks_dated("12/03/2024 10:00 meeting")
    assert looks_dated("\u200e[12.03.24 x")
    assert not looks_dated("[01:40] quoted")
    assert not looks_dated("1/2 cup of sugar")


class FakeScanner:
    def __init__(
        self,
        big: Iterable[int] = (),
        dates: Iterable[tuple[bytes, bytes, bytes]] = (),
        hints: Iterable[tuple[int, int, int, int]] = (),
    ) -> None:
        self.big, self.dates, self.hints = set(big), list(dates), list(hints)

    def field_exceeds_12(self, field: int) -> bool:
        return field in self.big

    def all_dates(self) -> Iterable[tuple[bytes, bytes, bytes]]:
        return self.dates

    def attachment_hints(self) -> Iterable[tuple[int, int, int, int]]:
        return self.hints


SLASH = shape_of("01/02/2024, 10:00 - A: x")


def test_decide_date_order_steps() -> None:
    sample = [("01", "02", "2024")]
    assert decide_date_order(SLASH, sample, FakeScanner(big=[1])) is DateOrder.DMY
    assert decide_date_order(SLASH, sample, FakeScanner(big=[2])) is DateOrder.MDY
    assert decide_date_order(SLASH, [("13", "02", "2024")], FakeScanner()) is DateOrder.DMY
    with pytest.raises(DateOrderConflict):
        decide_date_order(SLASH, [("13", "02", "2024"), ("02", "13", "2024")], FakeScanner())
    assert decide_date_order(SLASH, sample, FakeScanner()) is None
    hints = FakeScanner(hints=[(1, 2, 1, 2)])
    assert decide_date_order(SLASH, sample, hints) is DateOrder.MDY
    ymd = shape_of("2024/01/02, 10:00 - A: x")
    assert decide_date_order(ymd, sample, FakeScanner()) is DateOrder.YMD
    dotted = shape_of("01.02.24, 10:00 - A: x")
    assert decide_date_order(dotted, [("01", "02", "24")], FakeScanner()) is DateOrder.DMY


def test_order_by_monotonicity() -> None:
    dmy_run = [(b"01", b"07"), (b"12", b"07"), (b"02", b"08"), (b"09", b"08"), (b"03", b"09")]
    dates = [(day, month, b"2023") for day, month in dmy_run]
    assert order_by_monotonicity(SLASH, dates) is DateOrder.DMY
    same_month = [(b"01", b"02", b"2024"), (b"03", b"02", b"2024")]
    assert order_by_monotonicity(SLASH, same_month) is None


def test_order_by_hints_needs_a_clear_majority() -> None:
    assert order_by_hints([]) is None
    assert order_by_hints([(3, 4, 4, 3)]) is DateOrder.DMY
    assert order_by_hints([(3, 4, 4, 3), (3, 4, 3, 4)]) is None
    assert order_by_hints([(5, 5, 5, 5)]) is None
