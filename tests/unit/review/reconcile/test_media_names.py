"""Media matched by file name as well as by SHA-256 (DESIGN.md §9): a burst of photos whose
files differ between phones (re-encoded, or not in one export) still pair up by name."""

from __future__ import annotations

from reviewer.review.reconcile.items import Item, Track, text_key
from reviewer.review.reconcile.run import reconcile_chat

T0 = 1_700_000_000.0


def _at(dt: float, minute: bool) -> float:
    return T0 + dt - (T0 + dt) % 60 if minute else T0 + dt


def _texts(first_id: int, sender: int, minute: bool = False) -> list[Item]:
    return [
        Item(first_id + k, _at(300 * k, minute), sender, "text", text_key(f"handover note {k}"))
        for k in range(8)
    ]


def _photo(
    mid: int, dt: float, sender: int, name: str, sha: str | None, minute: bool = False
) -> Item:
    hashes = frozenset({sha}) if sha else frozenset()
    t = _at(1000 + dt, minute)
    return Item(mid, t, sender, "media", "", hashes=hashes, names=frozenset({name}))


def _pairs(a: list[Item], b: list[Item]) -> set[tuple[int, int]]:
    a, b = sorted(a, key=lambda i: i.t or 0.0), sorted(b, key=lambda i: i.t or 0.0)
    minute = all(i.t is not None and i.t % 60 == 0 for i in b)
    alignment, _links = reconcile_chat([Track(1, a), Track(2, b, precision=60 if minute else 1)])
    return {
        (a[row[0][1]].id, b[row[1][1]].id)
        for row in alignment.rows
        if len(row) == 2 and a[row[0][1]].kind == "media"
    }


def test_a_burst_of_photos_pairs_by_file_name() -> None:
    names = [f"0000004{k}-photo-2023-11-14-22-30-0{k}.jpg" for k in range(3)]
    a = _texts(1, 1) + [_photo(100 + k, 4 * k, 1, names[k], f"a{k}") for k in range(3)]
    # phone B (times without seconds) holds the first and last photo re-encoded (other bytes,
    # same names), not the middle one (deleted for its owner); the last one's file is not in
    # B's export at all
    b = [
        *_texts(201, 11, minute=True),
        _photo(300, 0, 11, names[0], "b0", minute=True),
        _photo(302, 8, 11, names[2], None, minute=True),
    ]
    assert _pairs(a, b) == {(100, 300), (102, 302)}


def test_a_shared_hash_still_wins_over_a_name() -> None:
    a = [*_texts(1, 1), _photo(100, 0, 1, "x.jpg", "same"), _photo(101, 4, 1, "y.jpg", "a1")]
    b = [*_texts(201, 11), _photo(300, 4, 11, "y.jpg", "same")]
    assert _pairs(a, b) == {(100, 300)}
