"""What a reviewer types into the search box, parsed into a safe SQLite FTS5 MATCH expression.

Syntax: words (all must occur), ``"quoted phrases"``, ``prefix*``, ``OR`` between terms,
``-word`` or ``NOT word`` to exclude, and optional parentheses. ``AND``, ``OR`` and ``NOT`` are
operators only when written in capitals; ``or`` and ``not`` are ordinary words.

Every term is written into the expression as an FTS5 string (``"…"``, inner quotes doubled), so
punctuation, apostrophes, ``@``, hyphens and emoji in what the user types can never cause an
FTS5 syntax error; the tokenizer (``unicode61 remove_diacritics 2``) splits a term into words
exactly as it split the messages, and folds case and accents on both sides (``cafe`` finds
``café`` and ``café`` finds ``cafe``). Emoji and non-ASCII symbols are index words too: a term
is spelt with :func:`reviewer.core.symbol_tokens.spell_text` as the messages' spelt copies
were, so ``🐒`` finds every message holding a monkey, ``🐒🐒`` two in a row, ``👍🏽`` that skin
tone (``👍`` any), ``banana🐒`` the word right before the emoji, and ``"costs £50"`` the phrase
with the pound sign in place. A phrase without a symbol reads the messages as they always were
read, symbols separating words: ``"costs 50"`` finds "costs £50" too. A term with no letter,
digit, emoji or symbol at all (``!!!``, ``$``) is refused: only a regex search can find it.

:func:`highlight_spans` finds the positive terms in a message text the same way the tokenizer
does, for highlighting the hits of a result page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reviewer.core.errors import InputError
from reviewer.core.symbol_tokens import spell_text, symbol_tokens

OPERATORS = ("AND", "OR", "NOT")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_LEXEME = re.compile(r'\s*(?:(?P<quote>-?")|(?P<paren>[()])|(?P<word>[^\s()"]+))')


@dataclass(frozen=True, slots=True)
class Term:
    """One positive term: its words as the index holds them (case and accents folded)."""

    text: str
    words: tuple[str, ...]
    prefix: bool = False
    spelt: bool = False  # holds an emoji or symbol: matched where the symbols are words


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query: the FTS5 MATCH expression and the positive terms, for highlighting."""

    match: str
    terms: tuple[Term, ...]


def parse(text: str) -> SearchQuery:
    """Parse a reviewer's query; raise InputError with a clear message when it is invalid."""
    lexemes = list(_lex(text))
    if not lexemes:
        raise InputError('the search is empty: type a word or a "quoted phrase"')
    parser = _Parser(lexemes)
    match = parser.expression()
    if not parser.at_end():
        raise InputError("unbalanced parentheses in the search: a ')' has no matching '('")
    return SearchQuery(match, tuple(parser.positives))


def fold_word(word: str) -> str:
    """A word as the unicode61 tokenizer with remove_diacritics 2 indexes it."""
    if word.isascii():
        return word.lower()
    lowered = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize("NFC", "".join(c for c in lowered if not _is_mark(c)))


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Start and end of every word of ``text``, split as the unicode61 tokenizer splits it."""
    if text.isascii():
        yield from (m.span() for m in _ASCII_WORD.finditer(text))
        return
    start = -1
    for i, char in enumerate(text):
        if _is_word_char(char):
            if start < 0:
                start = i
        elif start >= 0:
            yield start, i
            start = -1
    if start >= 0:
        yield start, len(text)


def index_words(text: str) -> list[tuple[int, int, str]]:
    """Start, end and indexed form of every word, emoji and symbol of ``text``, in the order
    the index holds them (a skin tone follows its emoji, inside its span)."""
    found: list[tuple[int, int, str]] = []
    done = 0
    for start, end, word in symbol_tokens(text):
        if start > done:
            gap = text[done:start]
            found.extend((done + s, done + e, fold_word(gap[s:e])) for s, e in word_spans(gap))
        found.append((start, end, word))
        done = max(done, end)
    gap = text[done:]
    found.extend((done + s, done + e, fold_word(gap[s:e])) for s, e in word_spans(gap))
    return found


def highlight_spans(text: str, terms: Sequence[Term]) -> tuple[tuple[int, int], ...]:
    """Sorted, merged character spans of ``text`` where any of ``terms`` occurs."""
    if not terms:
        return ()
    spelt = index_words(text)
    # A term of words only matches the text as words alone split it (symbols separate them).
    plain = [(start, end, fold_word(text[start:end])) for start, end in word_spans(text)]
    found: list[tuple[int, int]] = []
    for term in terms:
        tokens = spelt if term.spelt else plain
        words = [word for _, _, word in tokens]
        size = len(term.words)
        for i in range(len(words) - size + 1):
            if _matches_at(words, i, term):
                found.append((tokens[i][0], max(end for _, end, _ in tokens[i : i + size])))
    return _merge(found)


# -- lexing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: str  # "term", "op", "(" or ")"
    text: str
    quoted: bool = False
    negated: bool = False


def _lex(text: str) -> Iterator[_Lexeme]:
    pos = 0
    text = text.strip()
    while pos < len(text):
        found = _LEXEME.match(text, pos)
        if found is None:  # only trailing whitespace is left
            return
        pos = found.end()
        if found.group("quote"):
            end = text.find('"', pos)
            if end < 0:
                raise InputError('unbalanced quote in the search: a phrase has no closing "')
            prefix = text.startswith("*", end + 1)
            phrase = text[pos:end] + ("*" if prefix else "")
            yield _Lexeme("term", phrase, quoted=True, negated=found.group("quote")[0] == "-")
            pos = end + 1 + prefix
        elif found.group("paren"):
            yield _Lexeme(found.group("paren"), found.group("paren"))
        else:
            yield _word_lexeme(found.group("word"))


def _word_lexeme(word: str) -> _Lexeme:
    if word in OPERATORS:
        return _Lexeme("op", word)
    if word == "-":  # "- word" or "-(a OR b)"
        return _Lexeme("op", "NOT")
    if word.startswith("-") and len(word) > 1:
        return _Lexeme("term", word[1:], negated=True)
    return _Lexeme("term", word)


# -- parsing ----------------------------------------------------------------------------------


class _Parser:
    """Recursive descent: ``expr := group (OR group)*``; ``group := unit+`` (all must occur);
    ``unit := [-|NOT] (term | '(' expr ')')``."""

    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.pos = 0
        self.positives: list[Term] = []

    def at_end(self) -> bool:
        return self.pos >= len(self.lexemes)

    def peek(self) -> _Lexeme | None:
        return None if self.at_end() else self.lexemes[self.pos]

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.pos]
        self.pos += 1
        return lexeme

    def expression(self) -> str:
        groups = [self.group()]
        while (lexeme := self.peek()) is not None and lexeme.text == "OR" and lexeme.kind == "op":
            self.take()
            groups.append(self.group())
        if len(groups) == 1:
            return groups[0]
        return "(" + " OR ".join(f"({group})" for group in groups) + ")"

    def group(self) -> str:
        included: list[str] = []
        excluded: list[str] = []
        while (lexeme := self.peek()) is not None and lexeme.kind != ")":
            if lexeme.kind == "op" and lexeme.text == "OR":
                break
            negated, unit = self.unit()
            (excluded if negated else included).append(unit)
        if not included:
            if excluded:
                raise InputError(
                    "a search cannot only exclude: add a word to look for before the "
                    "-word or NOT word"
                )
            raise InputError("the search has an operator (OR, AND, NOT) with nothing beside it")
        expression = " AND ".join(included)
        if len(included) > 1 and excluded:
            expression = f"({expression})"
        return " NOT ".join([expression, *excluded])

    def unit(self) -> tuple[bool, str]:
        """One unit and whether it is excluded; an excluded unit adds no positive terms."""
        start = len(self.positives)
        negated, unit = self._unit()
        if negated:
            del self.positives[start:]
        return negated, unit

    def _unit(self) -> tuple[bool, str]:
        lexeme = self.take()
        if lexeme.kind == "op" and lexeme.text in ("AND", "NOT"):
            if self.at_end():
                raise InputError(f"the search ends with {lexeme.text}: add a word after it")
            negated, unit = self._unit()
            return negated != (lexeme.text == "NOT"), unit
        if lexeme.kind == "(":
            inner = self.expression()
            if self.at_end() or self.take().kind != ")":
                raise InputError("unbalanced parentheses in the search: a '(' is never closed")
            return False, inner
        if lexeme.kind != "term":
            raise InputError(f"unexpected {lexeme.text!r} in the search")
        return lexeme.negated, self.term(lexeme)

    def term(self, lexeme: _Lexeme) -> str:
        text, prefix = lexeme.text, False
        if text.endswith("*"):
            text, prefix = text.rstrip("*"), True
        words = tuple(word for _, _, word in index_words(text))
        spelt = any(True for _ in symbol_tokens(text))
        if not words:
            raise InputError(
                f"{lexeme.text!r} has no letter, digit, emoji or symbol, and the index holds "
                "only those: use a regex search to find punctuation and ASCII symbols"
            )
        self.positives.append(Term(lexeme.text, words, prefix, spelt))
        quoted = '"' + spell_text(text).replace('"', '""') + '"'
        return quoted + "*" if prefix else quoted


# -- characters -------------------------------------------------------------------------------


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me")


def _is_word_char(char: str) -> bool:
    """unicode61's default token characters: letters, numbers, private use; combining marks
    stay inside a word (remove_diacritics drops them from the indexed form)."""
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def _matches_at(words: Sequence[str], i: int, term: Term) -> bool:
    last = len(term.words) - 1
    for k, want in enumerate(term.words):
        have = words[i + k]
        if k == last and term.prefix:
            if not have.startswith(want):
                return False
        elif have != want:
            return False
    return True


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
