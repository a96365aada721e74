"""Property: whatever a second phone drops, deletes or shifts, alignment pairs exactly the
copies of the same true message and keeps both phones' order."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reviewer.review.reconcile.align import align_tracks
from reviewer.review.reconcile.items import Item, Track

T0 = 1_700_000_000.0
SHORT = ("ok", "😂", "yes")


@st.composite
def chats(draw: st.DrawFn) -> tuple[list[tuple[float, int, str]], list[int], set[int], int, bool]:
    count = draw(st.integers(min_value=3, max_value=60))
    gaps = draw(st.lists(st.integers(1, 400), min_size=count, max_size=count))
    senders = draw(st.lists(st.integers(1, 3), min_size=count, max_size=count))
    short = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    times, t = [], T0
    for gap in gaps:
        t += gap
        times.append(t)
    texts = [
        SHORT[k % 3] if is_short else f"message {k} about the shift rota"
        for k, is_short in enumerate(short)
    ]
    kept = draw(st.lists(st.integers(0, count - 1), unique=True, min_size=1))
    deleted = draw(st.sets(st.sampled_from(sorted(kept))))
    offset = draw(st.sampled_from((0, 180, -3600)))
    minute = draw(st.booleans())
    return list(zip(times, senders, texts, strict=True)), sorted(kept), deleted, offset, minute


@settings(max_examples=150, deadline=None)
@given(chats())
def test_alignment_pairs_only_true_copies_in_order(
    case: tuple[list[tuple[float, int, str]], list[int], set[int], int, bool],
) -> None:
    truth, kept, deleted, offset, minute = case
    # a clock offset is only knowable from texts the two phones share (three, or all agree)
    shared = [k for k in kept if k not in deleted and len(truth[k][2]) >= 6]
    assume(offset == 0 or len(shared) >= 3 or (shared and len(shared) == len(kept)))
    a = Track(1, [Item(k, t, s, "text", x) for k, (t, s, x) in enumerate(truth)])
    b_items = []
    for k in kept:
        t, s, x = truth[k]
        t += offset
        if minute:
            t -= t % 60
        if k in deleted:
            b_items.append(Item(1000 + k, t, s + 10, "deleted", "this message was deleted."))
        else:
            b_items.append(Item(1000 + k, t, s + 10, "text", x))
    b = Track(2, b_items, precision=60 if minute else 1)
    alignment = align_tracks([a, b], {s: s for s in (1, 2, 3)} | {s + 10: s for s in (1, 2, 3)})
    # every item appears exactly once, in its own order
    for n, track in enumerate((a, b)):
        seen = [i for row in alignment.rows for m, i in row if m == n]
        assert seen == list(range(len(track.items)))
    wrong = 0
    for row in alignment.rows:
        if len(row) == 2:
            (_, i), (_, j) = row
            wrong += a.items[i].id != b.items[j].id - 1000
    # a pair may only be wrong where the truth is ambiguous: two messages of one sender
    # within the precision, both with the same text or one shown as deleted on B
    assert wrong <= 2 * _ambiguous(truth, deleted, minute)


def _ambiguous(truth: list[tuple[float, int, str]], deleted: set[int], minute: bool) -> int:
    window = 60 + 21 if minute else 21
    count = 0
    for k in range(len(truth)):
        for m in range(k + 1, len(truth)):
            if truth[m][0] - truth[k][0] > window:
                break
            same_sender = truth[m][1] == truth[k][1]
            if same_sender and (truth[m][2] == truth[k][2] or k in deleted or m in deleted):
                count += 1
    return count
