"""Search over an imported case: full text, regex, filters, keyset pages, counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reviewer.core.errors import Cancelled, InputError
from reviewer.core.progress import CancelToken
from reviewer.services import search as search_service
from reviewer.services import tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.search import SearchFilters, SearchHit, count, iter_search, search

SHIFT_B = (
    "[14/03/2024, 09:58:02] Shift B: \u200eSam Reid created group \u201cShift B\u201d\r\n"
    "[14/03/2024, 10:00:00] Sam Reid: Morning all, meet at the café\r\n"
    "[14/03/2024, 10:01:00] Alex Turner: Thank you Sam, see you there\r\n"
    "[14/03/2024, 10:02:00] Jo Park: thanks! I'll bring the car\r\n"
    "[15/03/2024, 11:00:00] Björn Kowalski: Cafe closed, don't go\r\n"
    "[15/03/2024, 11:05:00] Sam Reid: e-mail me at sam@example.com\r\n"
    "[16/03/2024, 12:00:00] Alex Turner: you said THANK YOU twice\r\n"
    "[16/03/2024, 12:01:00] Jo Park: \u200eThis message was deleted.\r\n"
)
LOGS = "".join(
    f"[{day:02d}/04/2024, 08:{minute:02d}:00] {'Dana Wells' if minute % 3 else 'Eve Ross'}: "
    f"log entry {minute} of day {day}{' the end' if minute == 59 else ''}\r\n"
    for day in (20, 21)
    for minute in range(60)
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def loaded(case: Case, actor: Actor, tmp_path: Path) -> Case:
    import_export(case, write(tmp_path, "shift.txt", SHIFT_B), actor, ImportOptions("AB/1"))
    import_export(case, write(tmp_path, "logs.txt", LOGS), actor, ImportOptions("AB/2"))
    return case


def texts(hits: list[SearchHit]) -> list[str]:
    return [h.text for h in hits]


def find(case: Case, query: str | None, **filters: object) -> list[str]:
    return texts(list(iter_search(case, query, SearchFilters(**filters))))  # type: ignore[arg-type]


def test_words_phrases_prefixes_or_and_exclusion(loaded: Case) -> None:
    assert find(loaded, "the café") == ["Morning all, meet at the café"]
    assert find(loaded, '"thank you"') == [
        "Thank you Sam, see you there",
        "you said THANK YOU twice",
    ]
    assert find(loaded, "thank*") == [
        "Thank you Sam, see you there",
        "thanks! I'll bring the car",
        "you said THANK YOU twice",
    ]
    assert find(loaded, "car OR closed") == ["thanks! I'll bring the car", "Cafe closed, don't go"]
    assert find(loaded, "you -twice") == ["Thank you Sam, see you there"]
    assert find(loaded, "don't") == ["Cafe closed, don't go"]
    assert find(loaded, "sam@example.com") == ["e-mail me at sam@example.com"]


def test_diacritics_fold_both_ways(loaded: Case) -> None:
    both = ["Morning all, meet at the café", "Cafe closed, don't go"]
    assert find(loaded, "cafe") == both
    assert find(loaded, "CAFÉ") == both


def test_hits_carry_the_record_and_highlight_spans(loaded: Case) -> None:
    (hit,) = search(loaded, "cafe closed").hits
    assert (hit.exhibit, hit.sender, hit.kind) == ("AB/1", "Björn Kowalski", "text")
    assert hit.timestamp == "2024-03-15T11:00:00"
    assert [hit.text[s:e] for s, e in hit.spans] == ["Cafe", "closed"]
    (phrase,) = search(loaded, '"said thank you"').hits
    assert [phrase.text[s:e] for s, e in phrase.spans] == ["said THANK YOU"]


def test_sender_filter_is_a_case_and_accent_insensitive_substring(loaded: Case) -> None:
    assert find(loaded, None, sender="bjorn") == ["Cafe closed, don't go"]
    assert find(loaded, "the", sender="SAM") == ["Morning all, meet at the café"]
    assert len(find(loaded, None, sender="eve")) == 40
    assert find(loaded, None, sender="nobody at all") == []


def test_kind_exhibit_and_date_filters(loaded: Case) -> None:
    assert find(loaded, None, kind="deleted") == ["This message was deleted."]
    assert len(find(loaded, None, kind="system")) == 1
    assert len(find(loaded, None, exhibit="AB/2")) == 120
    ends = ["log entry 59 of day 20 the end", "log entry 59 of day 21 the end"]
    assert find(loaded, "the", exhibit="AB/2") == ends
    assert find(loaded, "the", exhibit="AB/1", date_from=date(2024, 3, 15)) == []
    assert find(loaded, "you", date_from=date(2024, 3, 16), date_to=date(2024, 3, 16)) == [
        "you said THANK YOU twice"
    ]
    assert len(find(loaded, None, date_from=date(2024, 4, 21))) == 60
    assert len(find(loaded, None, date_to=date(2024, 3, 14))) == 4


def test_filters_combine(loaded: Case) -> None:
    hits = find(loaded, "entry", sender="dana", exhibit="AB/2", date_to=date(2024, 4, 20))
    assert len(hits) == 40
    assert all(t.endswith("of day 20") or t.endswith("the end") for t in hits)


@pytest.mark.parametrize("small_set", [0, 256], ids=["walk-doclist", "probe-tagged-ids"])
def test_category_includes_children_and_untagged_unreviewed(
    loaded: Case, actor: Actor, small_set: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_service, "SMALL_TAGGED_SET", small_set)
    ids = [h.id for h in iter_search(loaded, None, SearchFilters(exhibit="AB/1"))]
    tagging.tag(loaded, actor, [ids[1]], "discriminatory.race")
    tagging.tag(loaded, actor, [ids[3]], "discriminatory")
    tagging.tag(loaded, actor, [ids[4]], "violent")
    tagging.mark_reviewed(loaded, actor, [ids[5], ids[6]])
    in_exhibit = {"exhibit": "AB/1"}

    def hit_ids(query: str | None, regex: bool = False, **filters: object) -> list[int]:
        chosen = SearchFilters(**{**in_exhibit, **filters})  # type: ignore[arg-type]
        return [h.id for h in iter_search(loaded, query, chosen, regex=regex)]

    assert hit_ids(None, category="discriminatory") == [ids[1], ids[3]]
    assert hit_ids(None, category="discriminatory.race") == [ids[1]]
    assert hit_ids("cafe", category="discriminatory") == [ids[1]]
    assert hit_ids("cafe", category="bullying") == []
    assert count(loaded, "the OR car", SearchFilters(category="discriminatory")) == 2
    assert hit_ids(r"\bthe\b", category="discriminatory", regex=True) == [ids[1], ids[3]]
    assert hit_ids(None, untagged=True) == [i for i in ids if i not in (ids[1], ids[3], ids[4])]
    assert hit_ids(None, unreviewed=True) == [ids[0], ids[2], ids[7]]
    assert hit_ids("thank*", unreviewed=True) == [ids[2]]
    with pytest.raises(InputError, match="no category"):
        search(loaded, None, SearchFilters(category="nonsense"))


@pytest.mark.parametrize(("query", "regex"), [("log", False), (None, False), (r"entry \d+", True)])
def test_keyset_pages_cover_every_result_once(loaded: Case, query: str | None, regex: bool) -> None:
    everything = [h.id for h in search(loaded, query, regex=regex, limit=1000).hits]
    assert len(everything) >= 120
    paged: list[int] = []
    after: int | None = 0
    while after is not None:
        page = search(loaded, query, regex=regex, after=after, limit=7)
        assert len(page.hits) <= 7
        paged.extend(h.id for h in page.hits)
        after = page.next_after
    assert paged == everything
    assert count(loaded, query, regex=regex) == len(everything)


def test_last_page_says_there_is_no_more(loaded: Case) -> None:
    page = search(loaded, "cafe", limit=2)
    assert len(page.hits) == 2 and page.next_after is None
    page = search(loaded, "cafe", limit=1)
    assert page.next_after == page.hits[0].id
    assert search(loaded, "cafe", after=page.next_after, limit=1).next_after is None


def test_regex_search_with_spans(loaded: Case) -> None:
    hits = search(loaded, r"thank\s+you", regex=True).hits
    assert texts(hits) == ["Thank you Sam, see you there", "you said THANK YOU twice"]
    assert [h.text[s:e] for h in hits for s, e in h.spans] == ["Thank you", "THANK YOU"]
    assert find_regex(loaded, r"caf[eé]\b", sender="sam") == ["Morning all, meet at the café"]


def find_regex(case: Case, pattern: str, **filters: object) -> list[str]:
    chosen = SearchFilters(**filters)  # type: ignore[arg-type]
    return texts(list(iter_search(case, pattern, chosen, regex=True)))


def test_regex_scans_in_pages_and_can_be_cancelled(
    loaded: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_service, "REGEX_SCAN_ROWS", 5)
    assert len(find_regex(loaded, r"day 2[01]$")) == 118
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        search(loaded, "log", regex=True, cancel=token)


def test_invalid_regex_and_query_are_input_errors(loaded: Case) -> None:
    with pytest.raises(InputError, match=r"invalid regular expression.*unterminated"):
        search(loaded, "caf(e", regex=True)
    with pytest.raises(InputError, match="unbalanced quote"):
        search(loaded, '"cafe')
    with pytest.raises(InputError, match="only exclude"):
        count(loaded, "-cafe", SearchFilters())
    with pytest.raises(InputError, match="no exhibit"):
        search(loaded, "cafe", SearchFilters(exhibit="ZZ/9"))
    with pytest.raises(InputError, match="no message kind"):
        search(loaded, None, SearchFilters(kind="sms"))
    with pytest.raises(InputError, match="date range is empty"):
        search(loaded, None, SearchFilters(date_from=date(2024, 2, 2), date_to=date(2024, 2, 1)))


def test_empty_query_lists_every_message(loaded: Case) -> None:
    assert count(loaded, "  ") == count(loaded, None) == 128
    assert count(loaded, "the", SearchFilters(exhibit="AB/2")) == 2
    assert count(loaded, "log", SearchFilters(sender="eve")) == 40
