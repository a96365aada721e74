"""Lexicon screening: loading, evasion-robust matching, spans in the original text."""

from __future__ import annotations

import textwrap

import pytest

from reviewer.core.errors import InputError
from reviewer.review.lexicon import (
    LEET,
    Entry,
    Hit,
    Lexicon,
    check_categories,
    fold,
    load_lexicon,
    starter_lexicon,
    starter_lexicon_text,
    term_tokens,
)
from reviewer.review.taxonomy import default_taxonomy, load_taxonomy

ZWSP, ZWJ, LRM, RLO, WJ, BOM, SHY = (
    "\u200b",
    "\u200d",
    "\u200e",
    "\u202e",
    "\u2060",
    "\ufeff",
    "\xad",
)


def lexicon(*terms: str, whole_word: bool = True) -> Lexicon:
    return Lexicon(Entry("c", term=t, whole_word=whole_word) for t in terms)


def found(lex: Lexicon, text: str) -> list[str]:
    """The original substrings that were hit."""
    return [text[h.start : h.end] for h in lex.match(text)]


# --------------------------------------------------------------------------- folding


def test_fold_ascii_is_identity_mapped() -> None:
    assert fold("Hello World") == ("hello world", None)


def test_fold_maps_each_character_back() -> None:
    text = f"Ca{ZWSP}fe\u0301 ß"
    folded, index = fold(text)
    assert folded == "cafe ss"
    assert index is not None
    assert [text[i] for i in index] == ["C", "a", "f", "e", " ", "ß", "ß"]


# --------------------------------------------------------------------------- matching


def test_simple_hit_has_entry_category_and_span() -> None:
    lex = Lexicon([Entry("sexual", term="nudes", note="sexual content")])
    assert lex.match("send NUDES now") == [Hit(0, "sexual", "nudes", 5, 10, "sexual content")]


def test_scunthorpe_is_not_a_hit() -> None:
    lex = lexicon("cunt")
    assert found(lex, "Scunthorpe United") == []
    assert found(lex, "cunty") == []
    assert found(lex, "you cunt.") == ["cunt"]


def test_whole_word_false_matches_inside_words() -> None:
    lex = lexicon("cunt", whole_word=False)
    assert found(lex, "Scunthorpe") == ["cunt"]


def test_plural_s_is_accepted() -> None:
    assert found(lexicon("paki"), "pakis and paki's, not pakistan") == ["pakis", "paki"]


def test_leetspeak_with_invisible_marks_is_highlighted_in_the_original() -> None:
    lex = lexicon("nigger")
    text = f"he said n{ZWSP}1{ZWJ}gg3r!!"
    hits = lex.match(text)
    assert len(hits) == 1
    assert text[hits[0].start : hits[0].end] == f"n{ZWSP}1{ZWJ}gg3r"
    assert hits[0].start == 8


@pytest.mark.parametrize("mark", [ZWSP, ZWJ, LRM, RLO, WJ, BOM, SHY])
def test_each_invisible_mark_is_ignored(mark: str) -> None:
    text = f"what a f{mark}u{mark}ck"
    assert found(lexicon("fuck"), text) == [f"f{mark}u{mark}ck"]


@pytest.mark.parametrize(
    ("spelling", "term"),
    [
        ("sh!t", "shit"),
        ("$hit", "shit"),
        ("@ss", "ass"),
        ("a$$", "ass"),
        ("5lut", "slut"),
        ("f4g", "fag"),
        ("c00n", "coon"),
        ("7w47", "twat"),
        ("b1tch", "bitch"),
        ("9ook", "gook"),
        ("8ender", "bender"),
        ("sp|c", "splc"),
    ],
)
def test_leetspeak_table(spelling: str, term: str) -> None:
    assert found(lexicon(term), f"you {spelling}!") == [spelling]


def test_leet_table_maps_each_symbol_to_one_letter() -> None:
    assert set(LEET.values()) <= set("abcdefghijklmnopqrstuvwxyz")
    assert LEET["0"] == "o" and LEET["1"] == "i" and LEET["@"] == "a"


def test_terms_written_in_leetspeak_mean_their_letters() -> None:
    assert term_tokens("N1gg3r") == ["nigger"]
    assert term_tokens("1488") == ["1488"]
    assert found(lexicon("n1gg3r"), "nigger") == ["nigger"]


def test_numbers_and_dates_are_not_read_as_leetspeak() -> None:
    lex = lexicon("ease", "is", "so", "tit")
    assert found(lex, "on 15/03/2024 at 3453, room 50, 717") == []
    assert found(lex, "3453 but 3a5e") == ["3a5e"]


def test_number_terms_match_exactly() -> None:
    lex = lexicon("1488")
    assert found(lex, "14 88 1488 21488") == ["1488"]


def test_dates_survive_for_regexes() -> None:
    lex = Lexicon([Entry("confidential", regex=r"\d\d/\d\d/\d{4}")])
    assert found(lex, "seen on 15/03/2024") == ["15/03/2024"]


@pytest.mark.parametrize("text", ["fuuuuck", "fuckkk", "FFFUUUCK", "fuuuck"])
def test_stretched_letters(text: str) -> None:
    assert found(lexicon("fuck"), f"oh {text} off") == [text]


def test_stretching_never_shortens_a_double_letter() -> None:
    lex = lexicon("nigger", "coon")
    assert found(lex, "Niger and a con") == []
    assert found(lex, "niggggger cooooon") == ["niggggger", "cooooon"]


@pytest.mark.parametrize(
    "text", ["f.u.c.k", "f u c k", "f-u-c-k", "F_U_C_K", "f. u. c. k", "f*u*c*k"]
)
def test_single_letter_separated_spellings(text: str) -> None:
    assert found(lexicon("fuck"), f"well {text} that") == [text]


def test_separated_spelling_keeps_double_letters_and_leet() -> None:
    assert found(lexicon("nigger"), "n i g g 3 r") == ["n i g g 3 r"]


def test_separated_spelling_needs_three_letters_and_full_separation() -> None:
    assert found(lexicon("fuck"), "f uck fu ck") == []
    assert found(lexicon("ass"), "a s s") == ["a s s"]
    assert found(lexicon("bj"), "b j") == []


def test_phrases_allow_any_separator_or_none() -> None:
    lex = lexicon("ran a check", "sand nigger")
    text = "I ran  a-check on him, the sandnigger"
    assert found(lex, text) == ["ran  a-check", "sandnigger"]


def test_diacritics_and_compatibility_forms() -> None:
    lex = lexicon("paki")
    for text in ["pâkï", "ＰＡＫＩ", "𝐩𝐚𝐤𝐢", "pa\u0301ki"]:
        assert found(lex, f"x {text} y") == [text], text


def test_combining_mark_after_last_letter_stays_in_span() -> None:
    text = "paki\u0301 shop"
    assert found(lexicon("paki"), text) == ["paki\u0301"]


def test_cyrillic_homoglyphs_in_a_latin_word() -> None:
    assert found(lexicon("fuck"), "fu\u0441k off") == ["fu\u0441k"]


def test_cyrillic_term_respects_word_boundaries() -> None:
    lex = lexicon("сука")
    assert found(lex, "ты сука, понял") == ["сука"]
    assert found(lex, "СУКА!") == ["СУКА"]
    assert found(lex, "сукабля и барсука") == []


def test_arabic_term_with_vowel_marks_in_text() -> None:
    lex = lexicon("كلب")
    text = "يا كَلْب قذر"
    assert found(lex, text) == ["كَلْب"]
    assert found(lex, "كلبة") == []


def test_devanagari_and_greek_words() -> None:
    assert found(lexicon("कुत्ता"), "वो कुत्ता है") == ["कुत्ता"]
    assert found(lexicon("μαλάκα"), "ρε ΜΑΛΑΚΑ!") == ["ΜΑΛΑΚΑ"]
    assert found(lexicon("μαλάκα"), "μαλάκας") == []


def test_scripts_without_spaces_match_inside_text() -> None:
    lex = lexicon("他妈的")
    assert found(lex, "我他妈的不知道") == ["他妈的"]


def test_at_mention_before_a_term() -> None:
    assert found(lexicon("paki"), "@Paki lol") == ["Paki"]


def test_underscore_italics_are_not_part_of_the_word() -> None:
    assert found(lexicon("slag"), "what a _slag_") == ["slag"]


# --------------------------------------------------------------------------- overlaps


def test_leftmost_longest_among_terms() -> None:
    lex = Lexicon(
        [
            Entry("violent", term="kill"),
            Entry("violent", term="kill them all"),
            Entry("derogatory", term="them"),
        ]
    )
    hits = lex.match("kill them all now")
    assert [(h.term, h.start, h.end) for h in hits] == [("kill them all", 0, 13)]


def test_same_term_in_two_categories_gives_two_hits() -> None:
    lex = Lexicon([Entry("derogatory", term="nonce"), Entry("bullying", term="nonce")])
    assert [(h.category, h.entry_index) for h in lex.match("a nonce")] == [
        ("derogatory", 0),
        ("bullying", 1),
    ]


def test_regex_and_term_overlap_only_across_categories() -> None:
    lex = Lexicon(
        [
            Entry("confidential", term="pnc"),
            Entry("confidential", regex=r"pnc\s+check"),
            Entry("other", regex=r"check"),
        ]
    )
    hits = lex.match("did a PNC check")
    assert [(h.term, h.start, h.end) for h in hits] == [
        (r"pnc\s+check", 6, 15),
        ("check", 10, 15),
    ]


def test_regex_runs_on_folded_text_and_uppercase_regex_ignores_case() -> None:
    lex = Lexicon([Entry("c", regex=r"PNC\d+"), Entry("d", regex=r"ran\s+him")])
    text = f"R{ZWSP}AN him and pnc12"
    assert found(lex, text) == [f"R{ZWSP}AN him", "pnc12"]


# --------------------------------------------------------------------------- loading


TOML = """\
# test lexicon
[[entry]]
term = "paki"
category = "discriminatory.race"
note = "racial slur"

[[entry]]
regex = "pnc\\\\s+check"
category = "confidential"

[[entry]]
term = "cunt"
category = "grossly-offensive"
whole_word = false
"""


def error(text: str, fmt: str = "toml") -> InputError:
    with pytest.raises(InputError) as caught:
        load_lexicon(textwrap.dedent(text), source="lex.toml", fmt=fmt)  # type: ignore[arg-type]
    assert caught.value.file == "lex.toml"
    return caught.value


def test_toml_loads() -> None:
    lex = load_lexicon(TOML, source="lex.toml")
    assert [e.text for e in lex.entries] == ["paki", r"pnc\s+check", "cunt"]
    assert lex.entries[0].note == "racial slur"
    assert lex.entries[2].whole_word is False
    assert [e.line for e in lex.entries] == [3, 8, 12]
    assert found(lex, "Scunthorpe paki pnc check") == ["cunt", "paki", "pnc check"]


def test_inline_toml_loads() -> None:
    lex = load_lexicon(
        'entry = [\n  { term = "slag", category = "x" },\n'
        '  { term = "slut", category = "x" },\n]\n',
        source="l",
    )
    assert [e.line for e in lex.entries] == [2, 3]


def test_invalid_toml_line() -> None:
    err = error(TOML.replace('note = "racial slur"', 'note = "racial slur'))
    assert err.line == 5
    assert "invalid TOML" in str(err)


def test_bad_regex_names_line_and_error() -> None:
    err = error(TOML.replace('"pnc\\\\s+check"', '"pnc(check"'))
    assert err.line == 8
    assert "invalid regex: missing ), unterminated subpattern" in str(err)


def test_regex_matching_empty_string() -> None:
    err = error(TOML.replace('"pnc\\\\s+check"', '"x*"'))
    assert "matches the empty string" in str(err)
    assert err.line == 8


def test_empty_term() -> None:
    err = error(TOML.replace('term = "paki"', 'term = "  "'))
    assert "empty term" in str(err)
    assert err.line == 3


def test_term_without_letters_or_digits() -> None:
    err = error(TOML.replace('term = "paki"', 'term = "!?"'))
    assert "no letters or digits" in str(err)


def test_missing_category() -> None:
    err = error(TOML.replace('category = "confidential"\n', ""))
    assert "missing category" in str(err)
    assert err.line == 7  # the entry header: there is no category line to point at


def test_term_and_regex_together() -> None:
    err = error(TOML.replace('term = "paki"', 'term = "paki"\nregex = "p"'))
    assert "exactly one of 'term' and 'regex'" in str(err)
    assert err.line == 3


def test_unknown_field_and_wrong_types() -> None:
    err = error(TOML.replace('note = "racial slur"', 'notes = "racial slur"'))
    assert "unknown field 'notes'" in str(err) and err.line == 5
    err = error(TOML.replace("whole_word = false", 'whole_word = "no"'))
    assert "whole_word must be a bool" in str(err) and err.line == 14
    err = error(
        TOML.replace('category = "confidential"', 'category = "confidential"\nwhole_word = true')
    )
    assert "whole_word applies to terms" in str(err) and err.line == 10


def test_unknown_top_level() -> None:
    err = error("name = 'x'\n" + TOML)
    assert "unknown top-level field 'name'" in str(err) and err.line == 1


def test_duplicate_entry() -> None:
    err = error(TOML + '\n[[entry]]\nterm = "PAKI"\ncategory = "discriminatory.race"\n')
    assert "duplicate entry 'PAKI'" in str(err) and "first at line 3" in str(err)
    assert err.line == 17


CSV = """\
term,category,note,regex
paki,discriminatory.race,racial slur,
,confidential,records check,"pnc\\s+(?:check|search)"
"ran a check",confidential,"reference to a check, by name",
"""


def test_csv_loads() -> None:
    lex = load_lexicon(CSV, source="lex.csv", fmt="csv")
    assert [(e.text, e.category, e.line) for e in lex.entries] == [
        ("paki", "discriminatory.race", 2),
        (r"pnc\s+(?:check|search)", "confidential", 3),
        ("ran a check", "confidential", 4),
    ]
    assert lex.entries[2].note == "reference to a check, by name"
    assert found(lex, "ran a check, PNC search") == ["ran a check", "PNC search"]


def test_csv_whole_word_column_and_bom() -> None:
    lex = load_lexicon("\ufeffterm,category,whole_word\ncunt,x,false\n", source="l", fmt="csv")
    assert found(lex, "Scunthorpe") == ["cunt"]


def test_csv_errors_name_the_line() -> None:
    err = error(CSV + ",confidential,,pnc(\n", fmt="csv")
    assert err.line == 5 and "invalid regex" in str(err)
    err = error(CSV + "slag,,note,\n", fmt="csv")
    assert err.line == 5 and "missing category" in str(err)
    err = error(CSV + ",x,note,\n", fmt="csv")
    assert err.line == 5 and "empty term" in str(err)
    err = error(CSV.replace("note,regex", "notes,regex"), fmt="csv")
    assert err.line == 1 and "unknown column 'notes'" in str(err)


def test_csv_line_numbers_after_a_multiline_field() -> None:
    text = 'term,category,note\nslag,x,"two\nlines"\n"",x,\n'
    assert error(text, fmt="csv").line == 4


# --------------------------------------------------------------------------- categories


def test_check_categories() -> None:
    taxonomy = load_taxonomy(
        textwrap.dedent(
            """\
            [[category]]
            key = "sexual"
            label = "Sexual"
            description = "Sexual."
            colour = "#e027a3"
            group = "content"

            [[category]]
            key = "old"
            label = "Old"
            description = "Old."
            colour = "#123456"
            group = "content"
            retired = true
            """
        ),
        source="t",
    )
    lex = load_lexicon(
        'entry = [\n { term = "porn", category = "sexual" },\n'
        ' { term = "x", category = "nope" },\n { term = "y", category = "old" },\n]\n',
        source="l",
    )
    assert check_categories(lex, taxonomy) == [
        "line 3: unknown category 'nope' for 'x'",
        "line 4: category 'old' is retired ('y')",
    ]


def test_fingerprint_depends_on_entries_not_lines() -> None:
    a = Lexicon([Entry("c", term="x", line=1)])
    b = Lexicon([Entry("c", term="x", line=9)])
    c = Lexicon([Entry("c", term="x", note="n")])
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert len(a.fingerprint()) == 64


# --------------------------------------------------------------------------- starter


def test_starter_lexicon_loads_and_uses_default_categories() -> None:
    lex = starter_lexicon()
    assert 150 <= len(lex) <= 320
    assert check_categories(lex, default_taxonomy()) == []
    assert all(e.note for e in lex.entries)
    assert starter_lexicon_text().startswith("# Starter English lexicon")


def test_starter_lexicon_covers_every_content_category() -> None:
    used = {e.category for e in starter_lexicon().entries}
    content = {c.key for c in default_taxonomy().content()} - {"discriminatory"}
    assert content <= used


def test_starter_lexicon_examples() -> None:
    lex = starter_lexicon()
    text = "Sc\u200bunthorpe lads, ran him through PNC, what a p4k1"
    hits = lex.match(text)
    assert {h.category for h in hits} == {"confidential", "discriminatory.race"}
    assert "p4k1" in [text[h.start : h.end] for h in hits]
    assert "ran him through PNC" in [text[h.start : h.end] for h in hits]
    assert lex.match("see you at the station at 7, 15/03/2024") == []


def test_doubled_letters_are_spelling_not_stretching() -> None:
    lexicon = load_lexicon('[[entry]]\nterm = "ned"\ncategory = "derogatory"\n', source="t.toml")
    assert lexicon.match("we need the van") == []
    assert [h.term for h in lexicon.match("what a neeed")] == ["ned"]
