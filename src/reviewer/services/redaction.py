"""Redaction of people not involved (``--redact-uninvolved``), per evidence-standards.md §D.5.

Participants not marked as subjects get stable pseudonyms per case ("Person A", "Person B" …,
then "Person AA" …). The mapping is kept in the case (the ``setting`` row
``redaction.pseudonyms``, keyed by the name's matching key) so the same person keeps the same
pseudonym in every later bundle; it never goes into a bundle and is never audited in clear.
In texts (message bodies, notes) e-mail addresses are masked, the names of uninvolved people
are replaced by their pseudonyms, then phone numbers are masked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from reviewer.core.errors import CaseError
from reviewer.review.membership import name_key
from reviewer.store.models import Setting

SETTING_KEY = "redaction.pseudonyms"
PHONE_MASK = "[phone number redacted]"
EMAIL_MASK = "[e-mail address redacted]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+(])(?:\+|\()?\d[\d\s().\-]{5,}\d(?!\w)")
_MIN_DIGITS = 7
_PHONE_TAIL = 9  # 07700 900123 and +44 7700 900123 share their last nine digits
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CONFLICT = "another export gave new pseudonyms while this one was written; export again"


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces uninvolved people's names; ``pseudonyms`` maps matching keys to pseudonyms."""

    pseudonyms: Mapping[str, str]
    subjects: frozenset[str]  # matching keys of subjects (never replaced)
    _pattern: re.Pattern[str] | None
    _by_text: Mapping[str, str]
    _phones: frozenset[str] = frozenset()  # the last digits of uninvolved people's numbers

    def name(self, name: str | None) -> str | None:
        """A participant's name as the bundle shows it."""
        if name is None:
            return None
        key = name_key(name)
        if key in self.subjects:
            return name
        return self.pseudonyms.get(key, name)

    def label(self, value: str | None) -> str | None:
        """A name-like value (a conversation's or a sender's name, a custodian): a subject's
        name as it is, a known person's pseudonym, anything else as :meth:`text` masks it."""
        if not value:
            return value
        key = name_key(value)
        if key in self.subjects:
            return value
        if key in self.pseudonyms:
            return self.pseudonyms[key]
        return self.text(value)

    def text(self, text: str | None) -> str | None:
        """A text with uninvolved names replaced and phone numbers and e-mails masked."""
        if not text:
            return text
        text = _EMAIL.sub(EMAIL_MASK, text)
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: self._by_text[m.group(0).casefold()], text)
        return _PHONE.sub(_mask_phone, text)

    def mentions(self, value: Any) -> bool:
        """True when any text in ``value`` (a JSON value: keys and nested values included)
        names an uninvolved person: a name or alias :meth:`text` would replace, or one of
        their phone numbers written in any format."""
        return any(self._names(text) for text in _strings(value))

    def _names(self, text: str) -> bool:
        if self._pattern is not None and self._pattern.search(text):
            return True
        return any(
            _digits(m.group(0))[-_PHONE_TAIL:] in self._phones for m in _PHONE.finditer(text)
        )


def pseudonym(index: int) -> str:
    """0 -> "Person A", 25 -> "Person Z", 26 -> "Person AA" …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = _LETTERS[rest] + letters
    return f"Person {letters}"


def load_mapping(session: Session) -> dict[str, str]:
    row = session.get(Setting, SETTING_KEY)
    return dict(json.loads(row.value)) if row else {}


def prepare(
    session: Session,
    people: Iterable[tuple[str, bool, int | None]],
    extra_names: Iterable[str] = (),
    *,
    store: bool = True,
) -> tuple[Redactor, int]:
    """A redactor for the case, extending and (``store``) storing its mapping in the caller's
    transaction.

    ``people`` are (display name, is subject, person id linking several names) for every
    participant; ``extra_names`` are names known only from system lines. Returns the redactor
    and how many pseudonyms are new. With ``store=False`` (an export reading a snapshot) the
    caller stores ``redactor.pseudonyms`` later with :func:`store_mapping`.
    """
    mapping = load_mapping(session)
    rows = list(people)
    extras = list(extra_names)
    you = name_key("You")
    subjects = _subjects(rows)
    chosen_for: dict[str, str] = {}
    for name, _, pid in rows:
        if name_key(name) in mapping:
            chosen_for.setdefault(_group(name, pid), mapping[name_key(name)])
    before = len(mapping)
    used = set(mapping.values())
    for name, pid in [(n, pid) for n, _, pid in rows] + [(n, None) for n in extras]:
        key = name_key(name)
        if not key or key == you or key in subjects or key in mapping:
            continue
        chosen = chosen_for.get(_group(name, pid))
        if chosen is None:
            index = 0
            while pseudonym(index) in used:
                index += 1
            chosen = pseudonym(index)
            used.add(chosen)
            chosen_for[_group(name, pid)] = chosen
        mapping[key] = chosen
    if store and len(mapping) != before:
        session.merge(Setting(key=SETTING_KEY, value=json.dumps(mapping, ensure_ascii=False)))
    names = {n for n, _, _ in rows} | set(extras)
    return _redactor(mapping, subjects, names), len(mapping) - before


class PseudonymConflict(CaseError):
    """Another export gave a pseudonym meanwhile that this export's bundle contradicts."""


def store_mapping(session: Session, mapping: Mapping[str, str]) -> None:
    """Store the pseudonyms a bundle used (``Redactor.pseudonyms``) in the caller's write
    transaction, refusing when another export stored a different pseudonym for one of these
    people, or this pseudonym for someone else, since the bundle's was chosen."""
    stored = load_mapping(session)
    merged = dict(stored)
    for key, chosen in mapping.items():
        if key in stored:
            if stored[key] != chosen:
                raise PseudonymConflict(_CONFLICT)
            continue
        # A pseudonym stored for someone this bundle did not know: another export's.
        if any(v == chosen and mapping.get(k) != chosen for k, v in stored.items()):
            raise PseudonymConflict(_CONFLICT)
        merged[key] = chosen
    if merged != stored:
        session.merge(Setting(key=SETTING_KEY, value=json.dumps(merged, ensure_ascii=False)))


def audit_screen(
    session: Session,
    people: Iterable[tuple[str, bool, int | None]],
    extra_names: Iterable[str] = (),
) -> Redactor:
    """A redactor whose :meth:`Redactor.mentions` flags every person who is not a subject:
    ``people`` (every participant of the case, as for :func:`prepare`), ``extra_names`` and
    everyone the case's pseudonym mapping holds, whether or not they have a pseudonym yet.
    For the audit log, which covers the whole case; it stores nothing."""
    rows = list(people)
    subjects = _subjects(rows)
    names = {n for n, _, _ in rows} | set(extra_names) | set(load_mapping(session))
    you = name_key("You")
    uninvolved = {name_key(n): "withheld" for n in names if name_key(n) not in subjects | {you, ""}}
    found = _redactor(uninvolved, subjects, names)
    phones = frozenset(key[1:][-_PHONE_TAIL:] for key in uninvolved if key.startswith("+"))
    return Redactor(found.pseudonyms, subjects, found._pattern, found._by_text, phones)


def _subjects(rows: list[tuple[str, bool, int | None]]) -> frozenset[str]:
    """Matching keys of subjects and of every name linked to a subject."""
    groups = {_group(n, pid) for n, subject, pid in rows if subject}
    return frozenset(name_key(n) for n, _, pid in rows if _group(n, pid) in groups)


def _group(name: str, pid: int | None) -> str:
    return f"person:{pid}" if pid is not None else f"name:{name_key(name)}"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _redactor(mapping: Mapping[str, str], subjects: frozenset[str], names: set[str]) -> Redactor:
    """Names to replace in text: each uninvolved name as written, and the first word of a
    multi-word name when no other person's name starts with it."""
    by_text: dict[str, str] = {}
    for name in names:
        key = name_key(name)
        if key in subjects or key not in mapping or len(name.strip()) < 3:
            continue
        by_text[name.strip().casefold()] = mapping[key]
    firsts: dict[str, set[str]] = {}
    for name in names:
        words = name.split()
        if len(words) > 1 and len(words[0]) >= 2 and words[0].isalpha():
            firsts.setdefault(words[0].casefold(), set()).add(name_key(name))
    for first, keys in firsts.items():
        if len(keys) == 1:
            (key,) = keys
            if key in mapping and key not in subjects and first not in by_text:
                by_text[first] = mapping[key]
    if not by_text:
        return Redactor(mapping, subjects, None, {})
    alternatives = "|".join(re.escape(t) for t in sorted(by_text, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return Redactor(mapping, subjects, pattern, by_text)


def _mask_phone(match: re.Match[str]) -> str:
    found = match.group(0)
    if sum(c.isdigit() for c in found) < _MIN_DIGITS or _DATE.search(found):
        return found
    return PHONE_MASK
