"""Lexicon screening: suggest categories for messages that contain listed terms.

A hit is a suggestion for a reviewer to confirm or dismiss, never a finding (DESIGN.md §4).

File format (TOML): an array of ``entry`` tables, either ``[[entry]]`` blocks or one inline
table per line inside ``entry = [ … ]``. Each entry has ``term`` (a word or phrase) *or*
``regex`` (a Python regular expression), ``category`` (a taxonomy key), and optionally
``note`` and ``whole_word`` (terms only, default true). CSV works too, with the header
``term,category,note,regex`` (and optionally ``whole_word``).

How a message is compared with the terms
----------------------------------------
1. The message is *folded* once: zero-width and direction marks and soft hyphens are removed,
   the text is case-folded and NFKD-decomposed, combining marks are dropped (``é`` → ``e``,
   Arabic vowel marks go), and a few Cyrillic and Greek look-alike letters become their Latin
   twins (``fuсk`` with a Cyrillic ``с``). An index map remembers, for every folded character,
   the original character it came from, so hits are reported as spans of the original text.
   Terms are folded the same way.
2. Evasions are handled in the compiled pattern, not by rewriting the message, so numbers and
   dates are never changed:

   * leetspeak: each letter of a term also accepts its stand-ins from :data:`LEET`
     (``0 o, 1 i, 3 e, 4 a, 5 s, 7 t, 8 b, 9 g, @ a, $ s, ! i, | l``; each stand-in means one
     letter only, which keeps matching linear). A match must contain at least one real letter
     when the term does, so ``3453`` never matches a word and ``15/03/2024`` stays a date.
     Terms written in leetspeak (``n1gg3r``) are read as the letters they stand for.
   * stretched letters: a run of a letter in the text may be longer than in the term, never
     shorter (``fuuuuck`` matches ``fuck``; ``Niger`` does not match a term with ``gg``).
   * single-letter spacing: a term of three or more letters also matches when every letter is
     separated by one or two non-word characters (``f.u.c.k``, ``f u c k``, ``n-i-g-g-e-r``).
   * phrases: spaces and punctuation in a term match any run of non-word characters, or none
     (``ran a check`` matches ``ran a-check``; ``sand nigger`` matches ``sandnigger``).
   * plurals: a whole-word term ending in a Latin letter also matches with ``s`` added.
3. Whole-word terms must not touch a letter or digit on either side (the check is "is the
   neighbour alphanumeric", Unicode-aware, so it works for Cyrillic, Arabic, Devanagari…): a term
   ``cunt`` never hits ``Scunthorpe``. Scripts written without spaces between words (Chinese,
   Japanese, Thai, Lao, Khmer, Myanmar, Tibetan) have no such boundary on the side of the term
   in that script: the term matches anywhere.
4. All terms are compiled into one regular expression shaped as a trie (shared prefixes are
   tested once) and anchored at word starts, so a message costs one scan however many terms.

Regex entries run on the *folded* text (case-folded, marks and invisible characters removed,
punctuation and digits kept); a regex containing capital letters is compiled with
``re.IGNORECASE``. They see ``sh!t`` as written, so write leetspeak alternatives into the regex
where they matter. Each regex is a separate scan: begin it with a literal word (``pnc`` rather
than a word-boundary escape) and write it in lower case, so the engine can skip ahead quickly.

Overlaps: terms are found in one leftmost-longest pass, so a term inside a longer matched phrase
is not reported again; every entry with exactly that term (e.g. the same word under two
categories) gets a hit. Regex entries each report their own non-overlapping matches. Finally,
within one category, overlapping hits are reduced to the leftmost, then longest, then first
listed; hits of different categories may overlap. Hits are sorted by start, end, entry index.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from reviewer.core.errors import InputError
from reviewer.review._tomlpos import (
    EntrySpan,
    entry_spans,
    field_line,
    parse_toml,
    top_level_line,
)
from reviewer.review.taxonomy import Taxonomy

#: Bump when matching semantics change, so the audit log can tell runs apart.
MATCHER_VERSION = "1"

#: Leetspeak stand-ins and the one letter each stands for.
LEET: Mapping[str, str] = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "l",
}

# Characters that render as nothing or only steer direction; removed before matching.
_INVISIBLE = frozenset(
    [
        0x00AD,  # soft hyphen
        0x034F,  # combining grapheme joiner
        0x180E,  # Mongolian vowel separator
        0xFEFF,  # zero-width no-break space (byte order mark)
        *range(0x200B, 0x2010),  # zero-width space, non-joiner, joiner; LRM, RLM
        *range(0x202A, 0x202F),  # bidi embeddings and overrides
        *range(0x2060, 0x206A),  # word joiner, invisible operators, bidi isolates
    ]
)

# Cyrillic and Greek letters that look like Latin ones (lower case, after case folding).
_HOMOGLYPHS: Mapping[str, str] = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h",
    "ӏ": "l", "ԛ": "q", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x",
}  # fmt: skip

# Scripts written without spaces between words: no word boundary is required there.
_CONTINUOUS_SCRIPTS = (
    (0x0E00, 0x0FFF),  # Thai, Lao, Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3134F),  # CJK extensions B-G
)

_WORD_START = r"(?<![^\W_])"  # the previous character is not a letter or digit
_WORD_END = r"(?![^\W_])"  # the next character is not a letter or digit
_GAP = r"[\W_]*+"  # between the words of a phrase
_SEP = r"[\W_]{1,2}+"  # between the letters of a spaced-out word
_PLURAL = r"(?:[s5$]++)?+"
_TERM_TOKEN = re.compile(r"(?:[^\W_]|[@$!|])+")

_LETTER_CLASS: dict[str, str] = {}
for _symbol, _letter in LEET.items():
    _LETTER_CLASS[_letter] = _LETTER_CLASS.get(_letter, _letter) + re.escape(_symbol)
_LETTER_CLASS = {k: f"[{v}]" for k, v in _LETTER_CLASS.items()}


# --------------------------------------------------------------------------- folding


def _fold_char(ch: str) -> str:
    if ord(ch) in _INVISIBLE:
        return ""
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return "".join(_HOMOGLYPHS.get(c, c) for c in kept)


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each character on first sight and remembers it.

    Characters whose folded form is not exactly one character long (dropped marks, ``ß`` →
    ``ss``) are "irregular": a text containing one needs the slow path with an index map.
    """

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()
        self.irregular_re = re.compile("(?!)")

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        if len(folded) != 1:
            self.irregular.add(chr(code))
            chars = "".join(re.escape(c) for c in sorted(self.irregular))
            self.irregular_re = re.compile(f"[{chars}]")
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, per folded character, the index of its original character.

    ``None`` as the map means the identity: pure ASCII text (the common case) and text whose
    every character folds to exactly one character keep their length and positions.
    """
    if text.isascii():
        return text.lower(), None
    folded = text.translate(_FOLD)
    if _FOLD.irregular_re.search(text) is None:
        return folded, None
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        piece = _FOLD[ord(ch)]
        if piece:
            out.append(piece)
            index.extend([i] * len(piece))
    return "".join(out), index


def _original_span(text: str, index: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if index is None:
        return start, end
    first, last = index[start], index[end - 1] + 1
    # Keep combining marks that belong to the last letter inside the highlight.
    while last < len(text) and unicodedata.category(text[last]).startswith("M"):
        last += 1
    return first, last


def _continuous(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CONTINUOUS_SCRIPTS)


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon line: a term or a regex, and the category a hit suggests."""

    category: str
    term: str | None = None
    regex: str | None = None
    note: str = ""
    whole_word: bool = True
    line: int | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        """The term or regex as written."""
        return self.term if self.term is not None else (self.regex or "")

    def canonical(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "regex": self.regex,
            "category": self.category,
            "note": self.note,
            "whole_word": self.whole_word,
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """A suggestion: entry ``entry_index`` matched ``text[start:end]`` of the original text."""

    entry_index: int
    category: str
    term: str
    start: int
    end: int
    note: str


def term_tokens(term: str) -> list[str]:
    """The words of a term as matched: folded, leetspeak read as letters, punctuation dropped."""
    folded, _ = fold(term)
    tokens = []
    for raw in _TERM_TOKEN.findall(folded):
        if any(c.isalpha() for c in raw) and all(c.isalpha() or c in LEET for c in raw):
            raw = "".join(LEET.get(c, c) for c in raw)
        token = "".join(c for c in raw if c.isalnum())
        if token:
            tokens.append(token)
    return tokens


def compile_regex(pattern: str) -> re.Pattern[str]:
    """Compile a regex entry for the case-folded text.

    The text is already lower case, so a pattern with no capital letters needs no
    ``IGNORECASE``; leaving the flag off lets the engine skip ahead on a literal prefix, which
    is several times faster. A pattern that does use capitals gets the flag.
    """
    unescaped = re.sub(r"\\.", "", pattern)
    flags = re.IGNORECASE if any(c.isupper() for c in unescaped) else 0
    return re.compile(pattern, flags)


def _check_regex(pattern: str) -> str | None:
    """Why ``pattern`` is unusable, or None."""
    try:
        compiled = compile_regex(pattern)
    except re.error as exc:
        return f"invalid regex: {exc}"
    if compiled.match("") is not None:
        return "regex matches the empty string"
    return None


# --------------------------------------------------------------------------- compiling


@dataclass(frozen=True, slots=True)
class _Pattern:
    atoms: tuple[str, ...]
    start_boundary: bool
    end_boundary: bool
    plural: bool
    has_letters: bool


def _run_atoms(token: str) -> list[str]:
    """One atom per run of identical characters: letters stretch (a single letter only to
    three or more), digits are exact."""
    atoms = []
    runs = [(ch, len(list(group))) for ch, group in itertools.groupby(token)]
    for position, (ch, count) in enumerate(runs):
        if not ch.isalpha():
            atoms.append(re.escape(ch) * count)
            continue
        letter = _LETTER_CLASS.get(ch, re.escape(ch))
        following = runs[position + 1][0] if position + 1 < len(runs) else ""
        # Possessive (no backtracking) unless the next exact digit is one of our stand-ins.
        possessive = "" if LEET.get(following) == ch else "+"
        # The first letter is an atom of its own: the regex engine skips an alternative
        # cheaply when it begins with a plain character or class, and the trie shares it
        # with the spaced-out form of the same term.
        atoms.append(letter)
        if count == 1:
            # A doubled letter is ordinary spelling ("need" is not "ned"); three or more in a
            # row is a deliberate stretch ("fuuuck").
            atoms.append(f"(?:{letter}{{2,}})?" + possessive)
        else:
            atoms.append(letter + f"{{{count - 1},}}" + possessive)
    return atoms


def _term_patterns(entry: Entry) -> list[_Pattern]:
    """The contiguous form of a term and, for single words of 3+ letters, the spaced form."""
    tokens = term_tokens(entry.term or "")
    joined = "".join(tokens)
    first, last = joined[0], joined[-1]
    start_b = entry.whole_word and not _continuous(first)
    end_b = entry.whole_word and not _continuous(last)
    plural = end_b and last.isascii() and last.isalpha()
    has_letters = any(c.isalpha() for c in joined)
    contiguous: list[str] = []
    for number, token in enumerate(tokens):
        if number:
            contiguous.append(_GAP)
        contiguous.extend(_run_atoms(token))
    patterns = [_Pattern(tuple(contiguous), start_b, end_b, plural, has_letters)]
    if len(tokens) == 1 and len(joined) >= 3 and joined.isalpha():
        spaced: list[str] = []
        for number, ch in enumerate(joined):
            if number:
                spaced.append(_SEP)
            spaced.append(_LETTER_CLASS.get(ch, re.escape(ch)))
        patterns.append(_Pattern(tuple(spaced), start_b, end_b, plural, has_letters))
    return patterns


class _Trie:
    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.terminals: list[int] = []

    def add(self, atoms: Sequence[str], pattern_id: int) -> None:
        node = self
        for atom in atoms:
            node = node.children.setdefault(atom, _Trie())
        node.terminals.append(pattern_id)

    def regex(self, suffixes: Mapping[int, str]) -> str:
        # Longer alternatives first (a prefix term is the last resort), so the match is the
        # longest term at this position.
        alternatives = [atom + child.regex(suffixes) for atom, child in self.children.items()]
        alternatives += [f"(?P<t{pid}>){suffixes[pid]}" for pid in self.terminals]
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"


def _compile_terms(patterns: Sequence[_Pattern], start_boundary: bool) -> re.Pattern[str] | None:
    trie = _Trie()
    suffixes: dict[int, str] = {}
    for pid, pattern in enumerate(patterns):
        if pattern.start_boundary != start_boundary:
            continue
        trie.add(pattern.atoms, pid)
        suffixes[pid] = (_PLURAL if pattern.plural else "") + (
            _WORD_END if pattern.end_boundary else ""
        )
    if not suffixes:
        return None
    prefix = _WORD_START if start_boundary else ""
    return re.compile(prefix + trie.regex(suffixes))


# --------------------------------------------------------------------------- the lexicon


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    entry_index: int


class Lexicon:
    """Compiled entries; :meth:`match` screens one message."""

    def __init__(self, entries: Iterable[Entry], *, source: str | None = None) -> None:
        self._entries = tuple(entries)
        self._patterns: list[_Pattern] = []
        self._pattern_entries: list[list[int]] = []
        self._regexes: list[tuple[int, re.Pattern[str]]] = []
        by_form: dict[_Pattern, int] = {}
        for index, entry in enumerate(self._entries):
            problem = _entry_problem(entry)
            if problem is not None:
                raise InputError(problem[0], file=source, line=entry.line)
            if entry.regex is not None:
                self._regexes.append((index, compile_regex(entry.regex)))
                continue
            for pattern in _term_patterns(entry):
                pid = by_form.setdefault(pattern, len(self._patterns))
                if pid == len(self._patterns):
                    self._patterns.append(pattern)
                    self._pattern_entries.append([])
                self._pattern_entries[pid].append(index)
        self._bounded = _compile_terms(self._patterns, start_boundary=True)
        self._unbounded = _compile_terms(self._patterns, start_boundary=False)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def fingerprint(self) -> str:
        """SHA-256 over the canonical JSON of the entries (order matters; lines do not)."""
        canonical = [e.canonical() for e in self._entries]
        data = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def match(self, text: str) -> list[Hit]:
        """The hits in ``text``, as spans of ``text`` itself (see the module notes)."""
        folded, index = fold(text)
        candidates = self._term_candidates(folded)
        for entry_index, regex in self._regexes:
            for m in regex.finditer(folded):
                if m.end() > m.start():
                    candidates.append(_Candidate(m.start(), m.end(), entry_index))
        if not candidates:
            return []
        hits = []
        for c in _per_category(candidates, self._entries):
            start, end = _original_span(text, index, c.start, c.end)
            entry = self._entries[c.entry_index]
            hits.append(Hit(c.entry_index, entry.category, entry.text, start, end, entry.note))
        hits.sort(key=lambda h: (h.start, h.end, h.entry_index))
        return hits

    def _term_candidates(self, folded: str) -> list[_Candidate]:
        found: list[tuple[int, int, int]] = []
        for regex in (self._bounded, self._unbounded):
            if regex is None:
                continue
            for m in regex.finditer(folded):
                pid = int(m.lastgroup[1:]) if m.lastgroup else -1
                if pid < 0 or m.end() == m.start():
                    continue
                if self._patterns[pid].has_letters and not _has_letter(m.group()):
                    continue  # "3453" is a number, not leetspeak for a word
                found.append((m.start(), m.end(), pid))
        if self._unbounded is not None and self._bounded is not None:
            found = _leftmost_longest(found)
        return [
            _Candidate(start, end, entry_index)
            for start, end, pid in found
            for entry_index in self._pattern_entries[pid]
        ]


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _leftmost_longest(found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    found.sort(key=lambda f: (f[0], -f[1]))
    kept: list[tuple[int, int, int]] = []
    for item in found:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def _per_category(candidates: list[_Candidate], entries: Sequence[Entry]) -> list[_Candidate]:
    """Within each category keep non-overlapping hits: leftmost, longest, first listed."""
    candidates.sort(key=lambda c: (c.start, -c.end, c.entry_index))
    reach: dict[str, int] = {}
    kept = []
    for c in candidates:
        category = entries[c.entry_index].category
        if c.start >= reach.get(category, 0):
            kept.append(c)
            reach[category] = c.end
    return kept


def _entry_problem(entry: Entry) -> tuple[str, str] | None:
    """What is wrong with an entry and the field to point at, or None."""
    if not entry.category.strip():
        return "missing category", "category"
    if (entry.term is None) == (entry.regex is None):
        return "an entry needs exactly one of 'term' and 'regex'", "term"
    if entry.regex is not None:
        problem = _check_regex(entry.regex)
        return (problem, "regex") if problem else None
    if not (entry.term or "").strip():
        return "empty term", "term"
    if not term_tokens(entry.term or ""):
        return "term has no letters or digits", "term"
    return None


# --------------------------------------------------------------------------- loading

_FIELDS = ("term", "regex", "category", "note", "whole_word")
_ARRAY = "entry"


class _TomlLoader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.spans: list[EntrySpan] = []

    def line(self, index: int, name: str) -> int | None:
        span = self.spans[index] if index < len(self.spans) else None
        return field_line(self.text, span, name)

    def fail(self, message: str, index: int, name: str) -> InputError:
        return InputError(message, file=self.source, line=self.line(index, name))

    def load(self) -> Lexicon:
        document = parse_toml(self.text, self.source)
        for name in document:
            if name != _ARRAY:
                raise InputError(
                    f"unknown top-level field {name!r} (expected [[{_ARRAY}]] tables)",
                    file=self.source,
                    line=top_level_line(self.text, name),
                )
        raw = document.get(_ARRAY, [])
        if not isinstance(raw, list):
            raise InputError(f"{_ARRAY!r} must be an array of tables", file=self.source)
        self.spans = entry_spans(self.text, _ARRAY)
        entries = [self.entry(i, item) for i, item in enumerate(raw)]
        _check_duplicates(entries, self.source)
        return Lexicon(entries, source=self.source)

    def entry(self, index: int, item: object) -> Entry:
        if not isinstance(item, dict):
            raise self.fail(f"entry {index + 1} is not a table", index, "term")
        for name, value in item.items():
            if name not in _FIELDS:
                raise self.fail(f"unknown field {name!r}", index, name)
            expected = bool if name == "whole_word" else str
            if not isinstance(value, expected):
                raise self.fail(f"{name} must be a {expected.__name__}", index, name)
        if "regex" in item and "whole_word" in item:
            raise self.fail("whole_word applies to terms, not regexes", index, "whole_word")
        entry = Entry(
            category=str(item.get("category", "")).strip(),
            term=item.get("term"),
            regex=item.get("regex"),
            note=str(item.get("note", "")).strip(),
            whole_word=bool(item.get("whole_word", True)),
            line=self.line(index, "term" if "term" in item else "regex"),
        )
        problem = _entry_problem(entry)
        if problem is not None:
            raise self.fail(problem[0], index, problem[1])
        return entry


_CSV_COLUMNS = ("term", "category", "note", "regex", "whole_word")
_TRUE = {"", "true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def _load_csv(text: str, source: str) -> Lexicon:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    for name in header:
        if name not in _CSV_COLUMNS:
            raise InputError(f"unknown column {name!r}", file=source, line=1)
    for name in ("term", "category"):
        if name not in header:
            raise InputError(f"missing column {name!r}", file=source, line=1)
    entries = []
    line = reader.line_num + 1
    for row in reader:
        if any(cell.strip() for cell in row):
            entries.append(_csv_entry(dict(zip(header, row, strict=False)), source, line))
        line = reader.line_num + 1
    _check_duplicates(entries, source)
    return Lexicon(entries, source=source)


def _csv_entry(row: Mapping[str, str], source: str, line: int) -> Entry:
    term = row.get("term", "").strip() or None
    regex = row.get("regex", "") or None
    flag = row.get("whole_word", "").strip().lower()
    if flag not in _TRUE | _FALSE:
        raise InputError(f"whole_word must be true or false, not {flag!r}", file=source, line=line)
    entry = Entry(
        category=row.get("category", "").strip(),
        term=term,
        regex=regex,
        note=row.get("note", "").strip(),
        whole_word=flag in _TRUE,
        line=line,
    )
    if term is None and regex is None:
        raise InputError("empty term", file=source, line=line)
    problem = _entry_problem(entry)
    if problem is not None:
        raise InputError(problem[0], file=source, line=line)
    return entry


def _check_duplicates(entries: Sequence[Entry], source: str) -> None:
    seen: dict[tuple[str, str, bool, str], Entry] = {}
    for entry in entries:
        form = " ".join(term_tokens(entry.term)) if entry.term is not None else entry.text
        kind = "term" if entry.term is not None else "regex"
        key = (kind, form, entry.whole_word, entry.category)
        if key in seen:
            raise InputError(
                f"duplicate entry {entry.text!r} for {entry.category!r} "
                f"(first at line {seen[key].line})",
                file=source,
                line=entry.line,
            )
        seen[key] = entry


def load_lexicon(text: str, *, source: str, fmt: Literal["toml", "csv"] = "toml") -> Lexicon:
    """Parse and compile a lexicon; errors name ``source`` and the line of the bad entry."""
    if fmt == "toml":
        return _TomlLoader(text, source).load()
    if fmt == "csv":
        return _load_csv(text, source)
    raise ValueError(f"unknown lexicon format {fmt!r}")


def starter_lexicon_text() -> str:
    """The English starter lexicon shipped with the application (TOML)."""
    package = resources.files("reviewer.resources")
    return (package / "lexicon" / "starter-en.toml").read_text(encoding="utf-8")


def starter_lexicon() -> Lexicon:
    return load_lexicon(starter_lexicon_text(), source="starter-en.toml")


def check_categories(lexicon: Lexicon, taxonomy: Taxonomy) -> list[str]:
    """One message per entry whose category is not an active category of ``taxonomy``."""
    problems = []
    for entry in lexicon.entries:
        where = f"line {entry.line}: " if entry.line is not None else ""
        category = taxonomy.get(entry.category)
        if category is None:
            problems.append(f"{where}unknown category {entry.category!r} for {entry.text!r}")
        elif category.retired:
            problems.append(f"{where}category {entry.category!r} is retired ({entry.text!r})")
    return problems
