"""The misconduct taxonomy: categories a reviewer can tag a message with (DESIGN.md §4).

A taxonomy is a TOML file, copied into each case and editable per case. Each ``[[category]]``
entry has a stable ``key`` (dotted for sub-categories: ``discriminatory.race``), a ``label``, a
one-sentence ``description``, a ``colour`` (``#rrggbb``), a ``group`` (``content``, ``standard``
or ``stance``), and optionally a ``hotkey``, an explicit ``parent`` and ``retired = true``.

Parents: an explicit ``parent`` wins; otherwise the key's prefix up to its last dot is the
parent *if that prefix is itself a category* (so ``discriminatory.race`` sits under
``discriminatory``, while ``standard.confidentiality`` is top-level because there is no
``standard`` category). A parent must exist, be in the same group, and not make a cycle.

A retired category can no longer be applied but stays in the file so old tags keep their label.
Keys are never reused: retire a category instead of deleting it once it has been used.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

from reviewer.core.errors import InputError
from reviewer.review._tomlpos import (
    EntrySpan,
    entry_spans,
    field_line,
    parse_toml,
    top_level_line,
)

GROUPS: tuple[str, ...] = ("content", "standard", "stance")
GROUP_LABELS: Mapping[str, str] = {
    "content": "Content",
    "standard": "Standards of Professional Behaviour",
    "stance": "Participant stance",
}

_ARRAY = "category"
_REQUIRED = ("key", "label", "description", "colour", "group")
_OPTIONAL = ("hotkey", "parent", "retired")
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_HOTKEY = re.compile(r"\S+")

_HEADER = """\
# Misconduct taxonomy for reviewer (DESIGN.md §4).
#
# One [[category]] table per category, in display order. Fields:
#   key          stable identifier: lower case, digits and hyphens, dots for sub-categories
#                (e.g. "discriminatory.race"); never reuse a key for a different meaning
#   label        short name shown in the review panel
#   description  one sentence saying when the category applies
#   colour       "#rrggbb", readable on light and dark backgrounds
#   group        "content" (what the message is), "standard" (Standards of Professional
#                Behaviour engaged) or "stance" (a participant's stance toward the message)
#   hotkey       optional keyboard shortcut, unique (e.g. "1")
#   parent       optional; by default the key's prefix before its last dot, if that is a key
#   retired      optional, true = can no longer be applied but kept for existing tags
"""


@dataclass(frozen=True, slots=True)
class Category:
    """One category; ``parent`` is always resolved (derived or explicit) after loading."""

    key: str
    label: str
    description: str
    colour: str
    hotkey: str | None
    parent: str | None
    group: str
    retired: bool = False


class Taxonomy:
    """An ordered, validated set of categories; build one with :func:`load_taxonomy`."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self._categories = tuple(categories)
        self._by_key = {c.key: c for c in self._categories}
        self._by_hotkey = {c.hotkey.casefold(): c for c in self._categories if c.hotkey}

    def __iter__(self) -> Iterator[Category]:
        return iter(self._categories)

    def __len__(self) -> int:
        return len(self._categories)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Taxonomy) and self._categories == other._categories

    def __hash__(self) -> int:
        return hash(self._categories)

    def __repr__(self) -> str:
        return f"Taxonomy({len(self._categories)} categories)"

    @property
    def categories(self) -> tuple[Category, ...]:
        return self._categories

    def keys(self) -> list[str]:
        return [c.key for c in self._categories]

    def get(self, key: str) -> Category | None:
        return self._by_key.get(key)

    def __getitem__(self, key: str) -> Category:
        return self._by_key[key]

    def by_hotkey(self, hotkey: str) -> Category | None:
        return self._by_hotkey.get(hotkey.casefold())

    def children(self, key: str | None) -> list[Category]:
        """Direct children of ``key``, in file order; ``None`` gives the top-level categories."""
        return [c for c in self._categories if c.parent == key]

    def ancestors(self, key: str) -> list[Category]:
        """Parent, grandparent, … of ``key`` (nearest first)."""
        out: list[Category] = []
        parent = self._by_key[key].parent
        while parent is not None:
            category = self._by_key[parent]
            out.append(category)
            parent = category.parent
        return out

    def descendants(self, key: str) -> list[Category]:
        """Every category below ``key``, depth first in file order."""
        out: list[Category] = []
        for child in self.children(key):
            out.append(child)
            out.extend(self.descendants(child.key))
        return out

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups that have at least one category, in the canonical order."""
        present = {c.group for c in self._categories}
        return tuple(g for g in GROUPS if g in present)

    def in_group(self, group: str) -> list[Category]:
        return [c for c in self._categories if c.group == group]

    def content(self) -> list[Category]:
        return self.in_group("content")

    def standards(self) -> list[Category]:
        return self.in_group("standard")

    def stances(self) -> list[Category]:
        return self.in_group("stance")

    def active(self) -> list[Category]:
        """Categories that can still be applied (not retired)."""
        return [c for c in self._categories if not c.retired]

    def fingerprint(self) -> str:
        """SHA-256 of the canonical TOML form, for the audit log."""
        return hashlib.sha256(to_toml(self).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- loading


class _Loader:
    """Validates the parsed document entry by entry, reporting the offending line."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.spans: list[EntrySpan] = []

    def fail(self, message: str, line: int | None) -> InputError:
        return InputError(message, file=self.source, line=line)

    def span(self, index: int) -> EntrySpan | None:
        return self.spans[index] if index < len(self.spans) else None

    def line_of(self, index: int, field: str = "key") -> int | None:
        return field_line(self.text, self.span(index), field)

    def load(self) -> Taxonomy:
        document = parse_toml(self.text, self.source)
        for name in document:
            if name != _ARRAY:
                raise self.fail(
                    f"unknown top-level field {name!r} (expected [[{_ARRAY}]] tables)",
                    top_level_line(self.text, name),
                )
        raw = document.get(_ARRAY)
        if not isinstance(raw, list) or not raw:
            raise self.fail(f"no [[{_ARRAY}]] entries", None)
        self.spans = entry_spans(self.text, _ARRAY)
        entries = [self.entry(i, item) for i, item in enumerate(raw)]
        self.check_unique(entries)
        categories = self.resolve_parents(entries)
        return Taxonomy(categories)

    def entry(self, index: int, item: object) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise self.fail(f"entry {index + 1} is not a table", self.line_of(index))
        for name in item:
            if name not in _REQUIRED and name not in _OPTIONAL:
                raise self.fail(f"unknown field {name!r}", self.line_of(index, name))
        out: dict[str, Any] = {}
        for name in _REQUIRED:
            out[name] = self.text_field(index, item, name, required=True)
        for name in ("hotkey", "parent"):
            out[name] = self.text_field(index, item, name, required=False)
        retired = item.get("retired", False)
        if not isinstance(retired, bool):
            raise self.fail("retired must be true or false", self.line_of(index, "retired"))
        out["retired"] = retired
        self.check_values(index, out)
        return out

    def text_field(
        self, index: int, item: Mapping[str, object], name: str, *, required: bool
    ) -> str | None:
        value = item.get(name)
        if value is None:
            if required:
                key = item.get("key")
                what = f"category {key!r}" if isinstance(key, str) and key else "category"
                raise self.fail(f"{what} is missing {name!r}", self.line_of(index))
            return None
        if name == "hotkey" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # hotkey = 1 is a natural thing to write by hand
        if not isinstance(value, str):
            raise self.fail(f"{name} must be a string", self.line_of(index, name))
        value = value.strip()
        if not value:
            raise self.fail(f"{name} is empty", self.line_of(index, name))
        return value

    def check_values(self, index: int, entry: Mapping[str, Any]) -> None:
        if not _KEY.fullmatch(entry["key"]):
            raise self.fail(
                f"invalid key {entry['key']!r}: use lower-case letters, digits, '-' and '.'",
                self.line_of(index, "key"),
            )
        if not _COLOUR.fullmatch(entry["colour"]):
            raise self.fail(
                f"invalid colour {entry['colour']!r}: expected #rrggbb",
                self.line_of(index, "colour"),
            )
        if entry["group"] not in GROUPS:
            raise self.fail(
                f"unknown group {entry['group']!r}: expected one of {', '.join(GROUPS)}",
                self.line_of(index, "group"),
            )
        hotkey = entry["hotkey"]
        if hotkey is not None and not _HOTKEY.fullmatch(hotkey):
            raise self.fail(f"invalid hotkey {hotkey!r}", self.line_of(index, "hotkey"))

    def check_unique(self, entries: Sequence[Mapping[str, Any]]) -> None:
        keys: dict[str, int] = {}
        hotkeys: dict[str, int] = {}
        for index, entry in enumerate(entries):
            key = entry["key"]
            if key in keys:
                raise self.fail(
                    f"duplicate key {key!r} (first at line {self.line_of(keys[key])})",
                    self.line_of(index),
                )
            keys[key] = index
            hotkey = entry["hotkey"]
            if hotkey is None:
                continue
            folded = hotkey.casefold()
            if folded in hotkeys:
                first = entries[hotkeys[folded]]["key"]
                raise self.fail(
                    f"duplicate hotkey {hotkey!r} (already used by {first!r})",
                    self.line_of(index, "hotkey"),
                )
            hotkeys[folded] = index

    def resolve_parents(self, entries: Sequence[Mapping[str, Any]]) -> list[Category]:
        index_of = {e["key"]: i for i, e in enumerate(entries)}
        parents: dict[str, str | None] = {}
        for index, entry in enumerate(entries):
            parent = entry["parent"]
            if parent is None:
                parent = _derived_parent(entry["key"], index_of)
            elif parent not in index_of:
                raise self.fail(f"parent {parent!r} does not exist", self.line_of(index, "parent"))
            elif parent == entry["key"]:
                raise self.fail(
                    "a category cannot be its own parent", self.line_of(index, "parent")
                )
            if parent is not None and entries[index_of[parent]]["group"] != entry["group"]:
                raise self.fail(
                    f"parent {parent!r} is in group {entries[index_of[parent]]['group']!r}, "
                    f"not {entry['group']!r}",
                    self.line_of(index, "parent" if entry["parent"] else "group"),
                )
            parents[entry["key"]] = parent
        self.check_cycles(parents, index_of)
        return [
            Category(
                key=e["key"],
                label=e["label"],
                description=e["description"],
                colour=e["colour"].lower(),
                hotkey=e["hotkey"],
                parent=parents[e["key"]],
                group=e["group"],
                retired=e["retired"],
            )
            for e in entries
        ]

    def check_cycles(self, parents: Mapping[str, str | None], index_of: Mapping[str, int]) -> None:
        for key in parents:
            seen = {key}
            parent = parents[key]
            while parent is not None:
                if parent in seen:
                    raise self.fail(
                        f"parent chain of {key!r} loops back on itself",
                        self.line_of(index_of[key], "parent"),
                    )
                seen.add(parent)
                parent = parents[parent]


def _derived_parent(key: str, known: Mapping[str, int]) -> str | None:
    prefix, dot, _ = key.rpartition(".")
    return prefix if dot and prefix in known else None


def load_taxonomy(text: str, *, source: str) -> Taxonomy:
    """Parse and validate a taxonomy; errors name ``source`` and the offending line."""
    return _Loader(text, source).load()


def default_taxonomy_text() -> str:
    """The TOML text of the taxonomy shipped with the application."""
    package = resources.files("reviewer.resources")
    return (package / "taxonomy" / "default.toml").read_text(encoding="utf-8")


def default_taxonomy() -> Taxonomy:
    return load_taxonomy(default_taxonomy_text(), source="default.toml")


# --------------------------------------------------------------------------- writing


def toml_string(value: str) -> str:
    """A TOML basic string; escapes what TOML requires, keeps other characters as they are."""
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def to_toml(taxonomy: Taxonomy) -> str:
    """The taxonomy as TOML that :func:`load_taxonomy` reads back to an equal taxonomy.

    ``parent`` is written only where it differs from the parent the key implies.
    """
    known = {c.key: i for i, c in enumerate(taxonomy)}
    blocks = [_HEADER]
    for category in taxonomy:
        lines = ["[[category]]"]
        lines.append(f"key = {toml_string(category.key)}")
        lines.append(f"label = {toml_string(category.label)}")
        lines.append(f"description = {toml_string(category.description)}")
        lines.append(f"colour = {toml_string(category.colour)}")
        lines.append(f"group = {toml_string(category.group)}")
        if category.hotkey is not None:
            lines.append(f"hotkey = {toml_string(category.hotkey)}")
        # Only an explicit parent needs writing; a taxonomy built by loading never has "no
        # parent" where its key implies one, so that case cannot arise.
        if category.parent is not None and category.parent != _derived_parent(category.key, known):
            lines.append(f"parent = {toml_string(category.parent)}")
        if category.retired:
            lines.append("retired = true")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class CategoryChange:
    key: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class TaxonomyChanges:
    """What changed between two taxonomies, for the audit log and the in-use check."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[CategoryChange, ...]
    reordered: bool

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.reordered)

    @property
    def retired(self) -> tuple[str, ...]:
        """Keys that went from active to retired."""
        return tuple(
            c.key for c in self.changed for f in c.fields if f.field == "retired" and f.new is True
        )

    def to_details(self) -> dict[str, Any]:
        """A JSON-ready summary for an audit entry's ``details``."""
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": {
                c.key: {f.field: {"old": f.old, "new": f.new} for f in c.fields}
                for c in self.changed
            },
            "reordered": self.reordered,
        }


_COMPARED = tuple(f.name for f in fields(Category) if f.name != "key")


def diff(old: Taxonomy, new: Taxonomy) -> TaxonomyChanges:
    """Added, removed and field-by-field changed keys from ``old`` to ``new``."""
    old_keys = old.keys()
    new_keys = new.keys()
    old_set, new_set = set(old_keys), set(new_keys)
    changed: list[CategoryChange] = []
    for key in new_keys:
        if key not in old_set:
            continue
        before, after = old[key], new[key]
        field_changes = tuple(
            FieldChange(name, getattr(before, name), getattr(after, name))
            for name in _COMPARED
            if getattr(before, name) != getattr(after, name)
        )
        if field_changes:
            changed.append(CategoryChange(key, field_changes))
    kept_old = [k for k in old_keys if k in new_set]
    kept_new = [k for k in new_keys if k in old_set]
    return TaxonomyChanges(
        added=tuple(k for k in new_keys if k not in old_set),
        removed=tuple(k for k in old_keys if k not in new_set),
        changed=tuple(changed),
        reordered=kept_old != kept_new,
    )
