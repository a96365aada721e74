"""Taxonomy: the default file, validation with line numbers, round trip and diff."""

from __future__ import annotations

import json
import textwrap

import pytest

from reviewer.core.errors import InputError
from reviewer.review.taxonomy import (
    Category,
    Taxonomy,
    default_taxonomy,
    default_taxonomy_text,
    diff,
    load_taxonomy,
    to_toml,
)

CONTENT_KEYS = [
    "discriminatory",
    "discriminatory.race",
    "discriminatory.religion",
    "discriminatory.sex",
    "discriminatory.sexual-orientation",
    "discriminatory.gender-reassignment",
    "discriminatory.disability",
    "discriminatory.age",
    "discriminatory.pregnancy-maternity",
    "discriminatory.marriage-civil-partnership",
    "derogatory",
    "sexual",
    "grossly-offensive",
    "violent",
    "confidential",
    "bullying",
    "other",
]

SMALL = """\
# a comment
[[category]]
key = "discriminatory"
label = "Discriminatory"
description = "Hostile to a protected characteristic."
colour = "#E33C3C"
group = "content"
hotkey = "1"

[[category]]
key = "discriminatory.race"
label = "Race"
description = "Racist content."
colour = "#bb533e"
group = "content"

[[category]]
key = "standard.confidentiality"
label = "Confidentiality"
description = "Information disclosed outside duty."
colour = "#5e82ba"
group = "standard"
"""


def load(text: str) -> Taxonomy:
    return load_taxonomy(textwrap.dedent(text), source="tax.toml")


def error(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        load(text)
    assert caught.value.file == "tax.toml"
    return caught.value


# --------------------------------------------------------------------------- default


def test_default_has_the_stable_content_keys_in_order() -> None:
    taxonomy = default_taxonomy()
    assert [c.key for c in taxonomy.content()] == CONTENT_KEYS
    assert taxonomy.groups == ("content", "standard", "stance")


def test_default_hotkeys_are_1_to_8_on_top_level_content() -> None:
    taxonomy = default_taxonomy()
    top = [c for c in taxonomy.children(None) if c.group == "content"]
    assert [c.hotkey for c in top] == [str(n) for n in range(1, 9)]
    assert taxonomy.by_hotkey("4") == taxonomy["grossly-offensive"]
    assert all(c.hotkey is None for c in taxonomy if c.parent or c.group != "content")


def test_default_standards_and_stances() -> None:
    taxonomy = default_taxonomy()
    assert [c.key for c in taxonomy.standards()] == [
        "standard.honesty-integrity",
        "standard.authority-respect-courtesy",
        "standard.equality-diversity",
        "standard.use-of-force",
        "standard.orders-instructions",
        "standard.duties-responsibilities",
        "standard.confidentiality",
        "standard.fitness-for-work",
        "standard.discreditable-conduct",
        "standard.challenging-reporting",
    ]
    assert [c.key for c in taxonomy.stances()] == [
        "stance.author",
        "stance.shared",
        "stance.endorsed",
        "stance.present-no-challenge",
        "stance.challenged-reported",
    ]
    # Dotted keys without an existing prefix category stay top-level.
    assert taxonomy["standard.use-of-force"].parent is None


def test_default_tree() -> None:
    taxonomy = default_taxonomy()
    children = [c.key for c in taxonomy.children("discriminatory")]
    assert children == CONTENT_KEYS[1:10]
    assert taxonomy["discriminatory.age"].parent == "discriminatory"
    assert [c.key for c in taxonomy.ancestors("discriminatory.age")] == ["discriminatory"]
    assert taxonomy.descendants("discriminatory") == taxonomy.children("discriminatory")


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def test_default_colours_are_distinct_and_readable_on_light_and_dark() -> None:
    taxonomy = default_taxonomy()
    colours = [c.colour for c in taxonomy]
    assert len(set(colours)) == len(colours)
    dark = _luminance("#1e1e1e")
    for category in taxonomy:
        lum = _luminance(category.colour)
        assert _contrast(1.0, lum) >= 3.0, category.key
        assert _contrast(lum, dark) >= 3.0, category.key


def test_default_descriptions_are_single_sentences() -> None:
    for category in default_taxonomy():
        assert category.description.endswith("."), category.key
        assert ". " not in category.description.replace("s.", "s"), category.key


# --------------------------------------------------------------------------- API


def test_small_taxonomy_parents_and_lookup() -> None:
    taxonomy = load(SMALL)
    assert len(taxonomy) == 3
    assert "discriminatory.race" in taxonomy
    assert taxonomy.get("nope") is None
    race = taxonomy["discriminatory.race"]
    assert race == Category(
        key="discriminatory.race",
        label="Race",
        description="Racist content.",
        colour="#bb533e",
        hotkey=None,
        parent="discriminatory",
        group="content",
    )
    assert taxonomy["discriminatory"].colour == "#e33c3c"  # normalised to lower case
    assert [c.key for c in taxonomy.children(None)] == [
        "discriminatory",
        "standard.confidentiality",
    ]
    assert taxonomy.groups == ("content", "standard")


def test_explicit_parent_retired_and_integer_hotkey() -> None:
    taxonomy = load(
        SMALL
        + """
[[category]]
key = "leak"
label = "Leak"
description = "Old category."
colour = "#123456"
group = "standard"
parent = "standard.confidentiality"
hotkey = 9
retired = true
"""
    )
    leak = taxonomy["leak"]
    assert leak.parent == "standard.confidentiality"
    assert leak.hotkey == "9"
    assert leak.retired
    assert leak not in taxonomy.active()


def test_inline_table_form_loads() -> None:
    taxonomy = load(
        """\
        category = [
          { key = "a", label = "A", description = "A.", colour = "#111111", group = "content" },
          { key = "a.b", label = "B", description = "B.", colour = "#222222", group = "content" },
        ]
        """
    )
    assert taxonomy["a.b"].parent == "a"


# --------------------------------------------------------------------------- errors


def test_invalid_toml_reports_tomllib_line() -> None:
    err = error(SMALL.replace('label = "Race"', 'label = "Race'))
    assert err.line == 12
    assert "invalid TOML" in str(err)
    assert str(err).startswith("tax.toml:12: ")


@pytest.mark.parametrize("field", ["label", "description", "colour", "group"])
def test_missing_field_names_the_entry_key_line(field: str) -> None:
    lines = [ln for ln in SMALL.splitlines() if not ln.startswith(f"{field} =")]
    err = error("\n".join(lines))
    assert f"missing {field!r}" in str(err)
    assert "discriminatory" in str(err)
    assert err.line == 3  # the key = "discriminatory" line of the first entry


def test_missing_key_names_the_header_line() -> None:
    err = error(SMALL.replace('key = "discriminatory.race"\n', ""))
    assert err.line == 10  # the [[category]] line, as there is no key line


def test_empty_field() -> None:
    err = error(SMALL.replace('label = "Race"', 'label = "  "'))
    assert "label is empty" in str(err)
    assert err.line == 12


def test_wrong_type() -> None:
    err = error(SMALL.replace('label = "Race"', "label = 3"))
    assert "label must be a string" in str(err)
    assert err.line == 12


def test_duplicate_key_names_the_second_entry() -> None:
    err = error(SMALL.replace('key = "standard.confidentiality"', 'key = "discriminatory.race"'))
    assert "duplicate key 'discriminatory.race' (first at line 11)" in str(err)
    assert err.line == 18


def test_parent_that_does_not_exist() -> None:
    err = error(SMALL.replace('group = "standard"', 'group = "standard"\nparent = "nowhere"'))
    assert "parent 'nowhere' does not exist" in str(err)
    assert err.line == 23


def test_parent_in_another_group() -> None:
    err = error(
        SMALL.replace('group = "standard"', 'group = "standard"\nparent = "discriminatory"')
    )
    assert "is in group 'content'" in str(err)
    assert err.line == 23


def test_parent_cycle() -> None:
    text = """\
        [[category]]
        key = "a"
        label = "A"
        description = "A."
        colour = "#111111"
        group = "content"
        parent = "b"

        [[category]]
        key = "b"
        label = "B"
        description = "B."
        colour = "#222222"
        group = "content"
        parent = "a"
        """
    err = error(text)
    assert "loops back" in str(err)
    assert err.line == 7


def test_duplicate_hotkey() -> None:
    err = error(SMALL.replace('group = "standard"', 'group = "standard"\nhotkey = "1"'))
    assert "duplicate hotkey '1' (already used by 'discriminatory')" in str(err)
    assert err.line == 23


def test_invalid_colour() -> None:
    err = error(SMALL.replace('"#bb533e"', '"red"'))
    assert "invalid colour 'red'" in str(err)
    assert err.line == 14


def test_unknown_group() -> None:
    err = error(SMALL.replace('group = "standard"', 'group = "standards"'))
    assert "unknown group 'standards'" in str(err)
    assert err.line == 22


def test_unknown_field() -> None:
    err = error(SMALL.replace('colour = "#bb533e"', 'colour = "#bb533e"\ncolor = "#bb533e"'))
    assert "unknown field 'color'" in str(err)
    assert err.line == 15


def test_unknown_top_level_field() -> None:
    err = error("version = 2\n" + SMALL)
    assert "unknown top-level field 'version'" in str(err)
    assert err.line == 1


def test_invalid_key() -> None:
    err = error(SMALL.replace('key = "discriminatory.race"', 'key = "Discriminatory Race"'))
    assert "invalid key" in str(err)
    assert err.line == 11


def test_retired_must_be_boolean() -> None:
    err = error(SMALL.replace('group = "standard"', 'group = "standard"\nretired = "yes"'))
    assert "retired must be true or false" in str(err)
    assert err.line == 23


def test_no_entries() -> None:
    assert "no [[category]] entries" in str(error("# nothing\n"))


def test_error_line_in_inline_table_form() -> None:
    err = error(
        """\
        category = [
          { key = "a", label = "A", description = "A.", colour = "#111111", group = "content" },
          { key = "b", label = "B", description = "B.", colour = "#12345", group = "content" },
        ]
        """
    )
    assert err.line == 3


def test_line_scanner_ignores_headers_inside_multiline_strings() -> None:
    text = SMALL.replace(
        'description = "Racist content."',
        'description = """Racist\n[[category]]\ncontent."""',
    ).replace('"#5e82ba"', '"#5e82"')
    err = error(text)
    assert err.line == 23  # the colour line of the third entry, not shifted by the string


# --------------------------------------------------------------------------- writing


def test_round_trip_default() -> None:
    taxonomy = default_taxonomy()
    text = to_toml(taxonomy)
    assert load_taxonomy(text, source="x") == taxonomy
    assert to_toml(load_taxonomy(text, source="x")) == text


def test_round_trip_escapes_and_explicit_parent() -> None:
    taxonomy = load(
        SMALL.replace('"Racist content."', r'"Says \"quoted\", a back\\slash,\ttab and ünïcödé."')
        + """
[[category]]
key = "x.y"
label = "Odd"
description = "Explicit parent."
colour = "#101010"
group = "standard"
parent = "standard.confidentiality"
retired = true
"""
    )
    again = load_taxonomy(to_toml(taxonomy), source="x")
    assert again == taxonomy
    assert again["x.y"].parent == "standard.confidentiality"
    assert again["discriminatory.race"].description.startswith('Says "quoted"')


def test_default_text_is_the_packaged_file() -> None:
    assert default_taxonomy_text().startswith("# Default misconduct taxonomy")
    assert len(default_taxonomy().fingerprint()) == 64


# --------------------------------------------------------------------------- diff


def test_diff_lists_added_removed_and_changed_fields() -> None:
    old = load(SMALL)
    new_text = (
        SMALL.replace('label = "Race"', 'label = "Race or ethnicity"')
        .replace('colour = "#bb533e"', 'colour = "#bb533e"\nretired = true')
        .split('[[category]]\nkey = "standard.confidentiality"')[0]
        + """
[[category]]
key = "bullying"
label = "Bullying"
description = "Bullying."
colour = "#148e51"
group = "content"
"""
    )
    new = load(new_text)
    changes = diff(old, new)
    assert changes
    assert changes.added == ("bullying",)
    assert changes.removed == ("standard.confidentiality",)
    assert [c.key for c in changes.changed] == ["discriminatory.race"]
    fields = {f.field: (f.old, f.new) for f in changes.changed[0].fields}
    assert fields == {"label": ("Race", "Race or ethnicity"), "retired": (False, True)}
    assert changes.retired == ("discriminatory.race",)
    assert not changes.reordered
    details = changes.to_details()
    assert json.loads(json.dumps(details)) == details
    assert details["changed"]["discriminatory.race"]["label"]["new"] == "Race or ethnicity"


def test_diff_of_identical_and_reordered() -> None:
    taxonomy = load(SMALL)
    assert not diff(taxonomy, taxonomy)
    blocks = SMALL.split("[[category]]")
    reordered = load("[[category]]".join([blocks[0], blocks[3], blocks[1], blocks[2]]))
    changes = diff(taxonomy, reordered)
    assert changes.reordered
    assert not changes.added and not changes.removed and not changes.changed
