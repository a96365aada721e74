"""Alignment of several exhibits' messages: order kept, robust to clocks and placeholders."""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.review.reconcile.align import align_tracks, estimate_offset
from reviewer.review.reconcile.items import Item, Track, detect_precision, text_key
from reviewer.review.reconcile.run import reconcile_chat
from reviewer.review.reconcile.sequence import heaviest_chain, longest_chain
from reviewer.review.reconcile.states import IN_RANGE, OUT_OF_RANGE, absences, copy_state

T0 = 1_700_000_000.0


def _items(
    first_id: int, rows: Sequence[tuple[float, int | None, str, str]], minute: bool = False
) -> list[Item]:
    """(seconds after T0, sender, kind, text) -> items, times cut to the minute if asked."""
    out = []
    for k, (dt, sender, kind, text) in enumerate(rows):
        t = T0 + dt
        if minute:
            t -= t % 60
        out.append(Item(first_id + k, t, sender, kind, text_key(text)))
    return out


def _pairs(alignment_rows: Sequence[tuple[tuple[int, int], ...]]) -> set[tuple[int, ...]]:
    return {tuple(i for _, i in row) for row in alignment_rows if len(row) > 1}


def test_longest_chain_keeps_both_orders() -> None:
    assert longest_chain([(0, 0), (1, 2), (2, 1), (3, 3)]) in (
        [(0, 0), (1, 2), (3, 3)],
        [(0, 0), (2, 1), (3, 3)],
    )
    assert longest_chain([]) == []


def test_heaviest_chain_prefers_weight_over_count() -> None:
    pairs = [(0, 1), (1, 0), (2, 2)]
    assert heaviest_chain(pairs, [1.0, 5.0, 1.0]) == [(1, 0), (2, 2)]
    assert heaviest_chain([(0, 0), (0, 1)], [1.0, 2.0]) == [(0, 1)]  # one i used once


def test_offset_is_the_mode_of_unique_text_differences() -> None:
    keys = [f"message number {k}" for k in range(20)]
    x_times = [T0 + 100 * k for k in range(20)]
    y_times = [t + 180 for t in x_times]
    y_times[3] += 5000  # one coincidence far off does not move it
    offset, pairs = estimate_offset(keys, x_times, [0.5] * 20, keys, y_times, 0.5)
    assert offset == 180
    assert len(pairs) == 20


def test_offset_against_minutes_is_where_the_intervals_meet() -> None:
    """Minute-only times say little each; together they pin the offset down."""
    keys = [f"message number {k}" for k in range(30)]
    x_times = [T0 + 0.5 + 97 * k for k in range(30)]
    y_times = [(t - 0.5 + 75) - (t - 0.5 + 75) % 60 + 30 for t in x_times]  # 75 s fast
    offset, _ = estimate_offset(keys, x_times, [0.5] * 30, keys, y_times, 30)
    assert abs(offset - 75) <= 3


def test_precision_detected_from_whole_minutes() -> None:
    assert detect_precision([T0 - T0 % 60 + 60 * k for k in range(5)]) == 60
    assert detect_precision([T0 - T0 % 60 + 60 * k + 7 for k in range(5)]) == 1


def test_minute_only_clock_offset_and_placeholders_align() -> None:
    truth = [
        (0, 1, "text", "morning all, briefing at nine"),
        (20, 2, "text", "ok"),
        (25, 3, "text", "ok"),
        (31, 2, "text", "ok"),
        (70, 1, "media", ""),
        (200, 3, "text", "the van is at the station"),
        (260, 2, "text", "see you at the custody desk"),
        (400, 1, "text", "who has the bodycam footage"),
        (460, 3, "text", "ok"),
        (900, 2, "text", "end of shift, well done"),
        *((1000.0 + 90 * k, 1 + k % 3, "text", f"handover note number {k}") for k in range(9)),
    ]
    a = Track(1, _items(100, truth))
    # phone B: minute-only, 3 minutes fast, media omitted, one message deleted for everyone,
    # the second "ok" deleted for me, different participant ids (its own names)
    shifted = [(dt + 180, s + 10 if s else None, k, x) for dt, s, k, x in truth]
    shifted[5] = (shifted[5][0], shifted[5][1], "deleted", "This message was deleted.")
    del shifted[2]
    b_items = _items(200, shifted, minute=True)
    b_items[3] = Item(b_items[3].id, b_items[3].t, 11, "media", "", omitted=True)
    b = Track(2, b_items, precision=60)
    alignment, links = reconcile_chat([a, b])
    assert alignment.offsets[1] == pytest_approx(180, 40)
    got = {row for row in alignment.rows}
    expected_pairs = {(0, 0), (1, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6), (8, 7), (9, 8)}
    expected_pairs |= {(k, k - 1) for k in range(10, 19)}
    assert {tuple(i for _, i in row) for row in got if len(row) == 2} == expected_pairs
    assert len(alignment.rows) == 19
    lonely = [row for row in alignment.rows if len(row) == 1]
    assert lonely == [((0, 2),)]
    assert {(link.a, link.b) for link in links} == {(1, 11), (2, 12), (3, 13)}
    states = {b_items[i].id: copy_state(b_items[i]) for i in range(len(b_items))}
    assert states[b_items[4].id] == "deleted" and states[b_items[3].id] == "media-omitted"
    missing = absences(alignment)
    assert missing[next(r for r, row in enumerate(alignment.rows) if len(row) == 1)] == (
        (1, IN_RANGE),
    )


def test_late_joiner_lacks_earlier_messages_out_of_range() -> None:
    rows = [(60.0 * k, 1 + k % 3, "text", f"line {k} of the night shift chat") for k in range(30)]
    a = Track(1, _items(1, rows))
    b = Track(2, _items(100, [(dt, s + 10, k, x) for dt, s, k, x in rows[10:25]]))
    alignment = align_tracks([a, b])
    missing = absences(alignment)
    reasons = [m[0][1] if m else None for m in missing]
    assert reasons[:10] == [OUT_OF_RANGE] * 10
    assert reasons[10:25] == [None] * 15
    assert reasons[25:] == [OUT_OF_RANGE] * 5


def test_same_short_text_by_two_people_is_told_apart_by_sender() -> None:
    long_rows = [
        (100.0 * k, 1 + k % 2, "text", f"a long enough unique line {k}") for k in range(12)
    ]
    burst = [(1300.0, 1, "text", "😂"), (1304.0, 2, "text", "😂"), (1309.0, 1, "text", "😂")]
    tail = [(1400.0 + 100 * k, 1 + k % 2, "text", f"the tail end line {k}") for k in range(6)]
    a = Track(1, _items(1, long_rows + burst + tail))
    # B lacks the first 😂 (deleted for me) and writes minutes only
    b_rows = [(dt, s + 10, k, x) for dt, s, k, x in long_rows + burst[1:] + tail]
    b = Track(2, _items(100, b_rows, minute=True), precision=60)
    alignment, _ = reconcile_chat([a, b])
    by_a = {i: row for row in alignment.rows for n, i in row if n == 0}
    assert len(by_a[12]) == 1  # the missing 😂 of sender 1
    assert [n for n, _ in by_a[13]] == [0, 1] and by_a[13][1][1] == 12
    assert by_a[14][1][1] == 13


def pytest_approx(value: float, tolerance: float) -> object:
    import pytest

    return pytest.approx(value, abs=tolerance)


def test_a_rewritten_edit_pairs_by_time_and_sender() -> None:
    rows = [(100.0 * k, 1 + k % 2, "text", f"unique line {k} of the shift chat") for k in range(8)]
    a = Track(1, _items(1, rows))
    b_items = _items(100, [(dt, s + 10, k, x) for dt, s, k, x in rows])
    b_items[4] = Item(104, b_items[4].t, 11, "text", text_key("meet at the canteen"), edited=True)
    alignment, _ = reconcile_chat([a, Track(2, b_items)])
    assert ((0, 4), (1, 4)) in alignment.rows
    assert copy_state(b_items[4]) == "edited"
