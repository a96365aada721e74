"""Emoji and symbols in the ordinary search box: imported cases, cases made before the emoji
index (upgraded by their migration), and the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from reviewer.cli.main import main
from reviewer.core.symbol_tokens import spell_text
from reviewer.services.actor import Actor
from reviewer.services.case import DB_NAME, Case, open_case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.search import SearchFilters, count, iter_search, search
from reviewer.store import migrate

EMOJI_REVISION = "0004"  # the migration that rebuilds message_fts with emoji words
CHAT = (
    "[14/03/2024, 10:00:00] Sam Reid: he brought a banana 🐒\r\n"
    "[14/03/2024, 10:01:00] Alex Turner: 🐒🐒 lol\r\n"
    "[14/03/2024, 10:02:00] Jo Park: 👍🏽 agreed\r\n"
    "[14/03/2024, 10:03:00] Sam Reid: 👍 fine\r\n"
    "[14/03/2024, 10:04:00] Jo Park: the whole 👨‍👩‍👧 was there\r\n"
    "[14/03/2024, 10:05:00] Alex Turner: go back to 🇬🇧\r\n"
    "[14/03/2024, 10:06:00] Björn Kowalski: a banana for the café\r\n"
    "[14/03/2024, 10:07:00] Sam Reid: that cost £50 ❤️\r\n"
)


@pytest.fixture
def loaded(case: Case, actor: Actor, tmp_path: Path) -> Case:
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    import_export(case, chat, actor, ImportOptions("AB/1"))
    return case


def find(case: Case, query: str, **filters: object) -> list[str]:
    chosen = SearchFilters(**filters)  # type: ignore[arg-type]
    return [hit.text for hit in iter_search(case, query, chosen)]


def test_emoji_are_found_without_regex(loaded: Case) -> None:
    assert find(loaded, "🐒") == ["he brought a banana 🐒", "🐒🐒 lol"]
    assert find(loaded, "🐒🐒") == ["🐒🐒 lol"]
    assert find(loaded, "👍🏽") == ["👍🏽 agreed"]
    assert find(loaded, "👍") == ["👍🏽 agreed", "👍 fine"]
    assert find(loaded, "👨‍👩‍👧") == ["the whole 👨‍👩‍👧 was there"]
    assert find(loaded, "🇬🇧") == ["go back to 🇬🇧"]
    assert find(loaded, "£ ❤") == ["that cost £50 ❤️"]
    assert count(loaded, "🐒") == 2


def test_words_and_emoji_mix_with_the_query_language_and_filters(loaded: Case) -> None:
    assert find(loaded, "banana 🐒") == ["he brought a banana 🐒"]
    assert find(loaded, '"banana 🐒"') == ["he brought a banana 🐒"]
    assert find(loaded, "banana -🐒") == ["a banana for the café"]
    assert find(loaded, "🐒 OR café") == [
        "he brought a banana 🐒",
        "🐒🐒 lol",
        "a banana for the café",
    ]
    assert find(loaded, "🐒", sender="alex") == ["🐒🐒 lol"]
    assert find(loaded, "cafe") == ["a banana for the café"]


def test_emoji_hits_highlight_the_whole_sequence(loaded: Case) -> None:
    hits = search(loaded, "👍").hits
    assert [hit.text[s:e] for hit in hits for s, e in hit.spans] == ["👍🏽", "👍"]


def test_case_made_before_the_emoji_index_finds_emoji_after_its_upgrade(loaded: Case) -> None:
    root = loaded.root
    config = migrate._config()
    before = ScriptDirectory.from_config(config).get_revision(EMOJI_REVISION).down_revision
    assert isinstance(before, str)
    with loaded.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, before)  # the old index: words only, over message.text
    loaded.close()
    monkey = '"' + spell_text("🐒") + '"'
    with sqlite3.connect(root / DB_NAME) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (before,)
        old = "SELECT count(*) FROM message_fts WHERE message_fts MATCH ?"
        assert db.execute(old, (monkey,)).fetchone() == (0,)
        assert db.execute(old, ("banana",)).fetchone() == (2,)
    with open_case(root) as upgraded:
        assert migrate.current_revision(upgraded.engine) == migrate.head_revision()
        assert find(upgraded, "🐒") == ["he brought a banana 🐒", "🐒🐒 lol"]
        assert find(upgraded, "banana") == ["he brought a banana 🐒", "a banana for the café"]
        assert find(upgraded, "👍🏽") == ["👍🏽 agreed"]


def test_a_phrase_finds_its_words_across_a_symbol_and_with_it_in_place(loaded: Case) -> None:
    """ "cost 50" reads "cost £50" as the words cost and 50 (as before symbols were words);
    "cost £50" needs the pound sign in place; "£" alone finds every message with one."""
    pounds = ["that cost £50 ❤️"]
    assert find(loaded, '"cost 50"') == pounds
    assert find(loaded, '"cost £50"') == pounds
    assert find(loaded, "£") == pounds
    assert find(loaded, '"cost €50"') == []
    assert find(loaded, '"£ cost"') == []
    assert find(loaded, '"50 that"') == []  # never across the seam of the two readings
    assert find(loaded, '"banana 🐒"') == ["he brought a banana 🐒"]
    assert count(loaded, '"cost 50"') == 1
    for query in ('"cost 50"', '"cost £50"'):
        hits = search(loaded, query).hits
        assert [hit.text[s:e] for hit in hits for s, e in hit.spans] == ["cost £50"]


def test_a_case_indexed_with_symbols_in_place_only_is_reindexed(loaded: Case) -> None:
    root = loaded.root
    config = migrate._config()
    with loaded.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    loaded.close()
    with sqlite3.connect(root / DB_NAME) as db:
        old = "SELECT count(*) FROM message_fts WHERE message_fts MATCH ?"
        assert db.execute(old, ('"cost 50"',)).fetchone() == (0,)
        assert db.execute(old, ('"' + spell_text("cost £50") + '"',)).fetchone() == (1,)
    with open_case(root) as upgraded:
        assert find(upgraded, '"cost 50"') == ["that cost £50 ❤️"]
        assert find(upgraded, '"cost £50"') == ["that cost £50 ❤️"]
        assert find(upgraded, "🐒🐒") == ["🐒🐒 lol"]


def test_cli_search_finds_an_emoji(loaded: Case, capsys: pytest.CaptureFixture[str]) -> None:
    root = loaded.root
    loaded.close()
    assert main(["--reviewer", "CLI Tester", "search", str(root), "🐒"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len([line for line in lines if "🐒" in line]) == 2
    assert any("he brought a banana 🐒" in line for line in lines)
