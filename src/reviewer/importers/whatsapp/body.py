"""Classify one WhatsApp message body: text, media, system line, deleted, poll, location, call.

The record splitter hands over ``(author, body)``; this module decides what the body *is* and
removes WhatsApp's own markers from the text. All localised wording lives in ``markers.py``.

Decisions (documented because the export itself is ambiguous):

* **System lines.** Android system lines arrive with ``author=None`` and are always ``system``
  (``unrecognised-system`` flag when no template matches). iOS system lines carry a
  pseudo-author (group name or affected participant) and a leading ⟨LRM⟩; they become
  ``system`` with ``sender=None`` when the body matches a template. Old iOS exports lack the
  ⟨LRM⟩: then the line counts as a system line only if its wording is self-evident (encryption,
  security-code, business … notices that begin with fixed text) or it names the pseudo-author
  as actor, subject or quoted group name. An ⟨LRM⟩-led single-line iOS body that matches no
  known marker or template (a system line in a UI language the tables lack) is ``system``
  (flag ``unrecognised-system``, sender None) when its pseudo-author is certain: the caller
  says the author is the chat's pseudo-author (``pseudo``: the author of the file's first
  record, the encryption notice), or the body names its own author as a whole word (``⟨LRM⟩Sam
  left`` under ``Sam``). Any other ⟨LRM⟩-led body that matches nothing stays ``text`` under its
  author with the ``unrecognised-pattern`` flag — a person can type an ⟨LRM⟩, and
  mis-attributing a system line is recoverable, hiding a participant's message is not.
* **Attachments in any language.** Besides the tag words of ``markers.py``, an iOS
  ``⟨LRM⟩<WORD: 00000012-PHOTO-2023-09-14-10-22-33.jpg>`` with any WORD, and an Android
  ``IMG-20230914-WA0003.jpg (WORDS)`` with any words, are attachments: the file name's
  WhatsApp pattern (8-digit counter; ``PREFIX-YYYYMMDD-WANNNN``) is the evidence.
* **Calls.** A call line written under a participant (iOS ``⟨LRM⟩Missed voice call. Tap to call
  back``, ``Voice call. 2 min``; Android ``Missed voice call``) is kind ``call`` and keeps that
  participant as sender. A call notice without author (Android ``Sam started a call``) is kind
  ``system``. Both carry ``system_event="call"``.
* **Undecryptable** ``Waiting for this message`` under an author stays ``text`` with the
  ``undecryptable`` flag and ``system_event="waiting"``.
* **View once.** A body of exactly ``null`` is ``text`` with flag ``null-body`` (Android writes it
  for view-once media, but a person can type it). ``You sent/received a view once message…`` is
  ``media`` with flag ``view-once`` and keeps the placeholder as text, as deleted messages do.
* **Empty.** An empty body and a body of just ``.`` are ``text`` with flag ``empty-body``; the
  ``.`` is kept as written.
* **Document names** (Android line after ``<Media omitted>``, iOS ``Statement.pdf • 3 pages``
  before the tag or before ``document omitted``) are kept as text with flag
  ``document-name-line``: they are metadata, not typed words.
* **Per-type omitted media** (iOS ``image omitted`` …) leave an empty text and carry flags
  ``media-omitted`` and ``omitted-<type>``.

Speed (``classify_body`` runs once per message; ``bench/bench_body.py`` measures it): ordinary
text takes a fast path of character tests that is only a shortcut — any body it accepts comes out
of the step-by-step classification as the same plain text (unit tests compare both). The steps
share one normalised text and key, and each rules itself out with a cheap test before its regex;
system templates are looked up by their fixed wording instead of being tried one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, NamedTuple, cast

from reviewer.core.records import MessageKind
from reviewer.importers.whatsapp import markers

__all__ = ["Body", "classify_body", "is_system_text"]


@dataclass(frozen=True, slots=True)
class Body:
    """What one message body is, with WhatsApp's own markers removed from ``text``."""

    kind: MessageKind  # never ``unparsed``
    sender: str | None  # None for system lines (also the iOS pseudo-author)
    text: str  # caption kept; for deleted/view-once/live-location the placeholder itself
    edited: bool
    attachments: tuple[str, ...]  # file names referenced by attached-markers, in order
    flags: tuple[str, ...]  # "media-omitted", "view-once", "empty-body", "mention" …
    system_event: str | None  # "added", "left", "subject" … ("call"/"waiting" also on calls)
    event_actor: str | None  # who did it, as written ("You" allowed)
    event_subjects: tuple[str, ...]  # whom it concerns, as written


# --------------------------------------------------------------------------- characters

_LRM: Final = "\u200e"
_FSI: Final = "\u2068"
# Invisible format characters WhatsApp inserts (direction marks, isolates, embeddings, BOM).
_MARKS: Final = (
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u200b"
)
_MARK_RE: Final = re.compile(f"[{_MARKS}]")
_EDGE: Final = _MARKS + " \t\r\n\u00a0\u202f"
_M: Final = "[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff\u200b]*"  # optional marks
_S: Final = "[ \u00a0\u202f]"  # one space as WhatsApp writes it
_SPACES: Final = frozenset(" \u00a0\u202f")  # the same, for membership tests
_APOS: Final = "['’]"
_QUOTES: Final = "\"“”„«»‘’‚'"


def _literal(text: str) -> str:
    out = []
    for ch in text:
        out.append(_S if ch == " " else _APOS if ch == "'" else re.escape(ch))
    return "".join(out)


def _fold_first(text: str) -> str:
    """Regex for ``text`` whose first letter may be either case."""
    first = text[:1]
    if first.lower() == first.upper():
        return _literal(text)
    return f"[{first.lower()}{first.upper()}]" + _literal(text[1:])


def _alternation(texts: tuple[str, ...]) -> str:
    ordered = sorted(set(texts), key=len, reverse=True)
    return "(?:" + "|".join(_fold_first(t) for t in ordered) + ")"


def _norm(text: str) -> str:
    """Text without invisible marks and outer whitespace."""
    # isascii() is O(1) and marks are never ASCII; str.translate would walk every character.
    if not text.isascii() and _MARK_RE.search(text) is not None:
        text = _MARK_RE.sub("", text)
    return text.strip()


def _key(text: str) -> str:
    """Lookup key: marks and outer space dropped, one trailing period off, first letter lower."""
    return _key_of_norm(_norm(text))


def _key_of_norm(norm: str) -> str:
    """``_key`` of a text that has already been through ``_norm``."""
    t = norm
    if t.endswith("."):
        t = t[:-1].rstrip()
    if "\u00a0" in t or "\u202f" in t:
        t = t.replace("\u00a0", " ").replace("\u202f", " ")
    return t[:1].lower() + t[1:]


def _variants(texts: tuple[str, ...]) -> frozenset[str]:
    """Exact spellings the fast path must not take for plain text.

    Both cases of the first letter, with and without a final period, and with a typographic
    apostrophe (the patterns accept both). Marks, NBSP and a spaced final period never reach
    the fast path, so they need no variants.
    """
    out: set[str] = set()
    for t in texts:
        for text in {t, t.replace("'", "’")}:
            for head in (text[:1].lower(), text[:1].upper()):
                out.add(head + text[1:])
                out.add(head + text[1:] + ".")
    return frozenset(out)


def _trie(words: set[str]) -> str:
    """Regex matching any of ``words``, as a trie: one pass instead of one try per word.

    Where one word is a prefix of another the longer is tried first, so a match is always the
    longest word at its position (``_Probes`` relies on that).
    """
    if not words:
        return "(?!)"  # matches nothing
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a word

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


class _Probes:
    """Which of a set of literal words occur in a text (all of them, overlaps included)."""

    def __init__(self, words: set[str]) -> None:
        self.regex = re.compile(_trie(words))
        # A match is the longest word at its position; the shorter words there are its prefixes.
        self.prefixes = {w: tuple(v for v in words if w.startswith(v)) for w in words}
        self.shortest = min(map(len, words), default=0)

    def at(self, text: str, pos: int) -> tuple[str, ...]:
        """The words that occur at ``pos``."""
        found = self.regex.match(text, pos)
        return () if found is None else self.prefixes[found.group()]

    def within(self, text: str) -> list[str]:
        """The words that occur anywhere in ``text``."""
        out: list[str] = []
        found = self.regex.search(text)
        while found is not None:
            out += self.prefixes[found.group()]
            pos = found.start() + 1
            if len(text) - pos < self.shortest:  # no room for another word
                break
            found = self.regex.search(text, pos)
        return out


def _concept_map(prefix: str) -> dict[str, str]:
    return {_key(p.text): p.concept for p in markers.concept_phrases(prefix)}


# --------------------------------------------------------------------------- vocabulary

_OMITTED: Final = _concept_map("omitted-")  # iOS per-type placeholder -> concept
_ANDROID_OMITTED: Final = {
    _key(p.text): p.concept
    for p in markers.PHRASES
    if p.concept in ("media-omitted", "video-note-omitted")
}
_DELETED: Final = {
    _key(p.text): p.concept for p in markers.PHRASES if p.concept in ("deleted", "deleted-self")
}
_LIVE_LOCATION: Final = frozenset(_key(t) for t in markers.phrases("live-location"))
_MISSED_CALL: Final = frozenset(_key(t) for t in markers.phrases("missed-call"))
_VIEW_ONCE: Final = tuple(_key(t) for t in markers.phrases("view-once"))
_CONJUNCTIONS: Final = {p.lang: p.text for p in markers.PHRASES if p.concept == "and"}
_ANDROID_OMITTED_HEADS: Final = frozenset(k[:1] for k in _ANDROID_OMITTED)

_IOS_TAG: Final = re.compile(
    f"{_M}<{_M}{_alternation(markers.phrases('attached-tag'))}{_S}?:{_S}*{_M}"
    f"(?P<name>[^<>\\n]+){_M}>"  # greedy: trailing marks in the name are dropped by _norm
)
_OLD_IOS_TAG: Final = re.compile(
    f"(?P<name>[^<>\\n]+?){_S}*{_M}<{_M}{_alternation(markers.phrases('attached-tag'))}{_M}>{_M}\\s*"
)
_ANDROID_ATTACHED: Final = re.compile(
    f"{_M}(?P<name>[^\\n]+?){_M}{_S}\\({_alternation(markers.phrases('file-attached'))}\\){_M}\\s*"
)
# Any tag word (letters and spaces, no digits) when the name has WhatsApp's iOS shape.
_ANY_IOS_TAG: Final = re.compile(
    f"{_M}<{_M}[^\\W\\d_][^<>:\\n\\d]{{0,30}}?{_S}?:{_S}*{_M}"
    f"(?P<name>\\d{{8}}-[^<>\\n]*?\\.[A-Za-z0-9]{{1,6}}){_M}>"
)
# Any words in the parentheses when the name has WhatsApp's Android media shape.
_ANY_ANDROID_ATTACHED: Final = re.compile(
    f"{_M}(?P<name>(?:IMG|VID|PTT|AUD|STK|DOC)-\\d{{8}}-WA\\d{{4,}}\\.[A-Za-z0-9]{{1,6}})"
    f"{_M}{_S}\\([^()\\n]{{1,40}}\\){_M}\\s*"
)
_OMITTED_TEXTS: Final = tuple(p.text for p in markers.concept_phrases("omitted-"))
# Last words of the per-type placeholders as the patterns match them literally: after the last
# space or apostrophe (the patterns also accept NBSP and ’ there) and never the case-folded
# first letter.
_OMITTED_TAILS: Final = tuple({re.split("[ ']", t[1:])[-1] for t in _OMITTED_TEXTS})
_OMITTED_LINE: Final = re.compile(
    f"(?:(?P<pre>.*?){_S}+)?<?(?P<ph>{_alternation(_OMITTED_TEXTS)})\\.?>?"
)
_EDITED: Final = re.compile(
    f"{_S}?{_M}<{_M}{_alternation(markers.phrases('edited'))}\\.?{_M}>{_M}\\s*\\Z"
)
_DELETED_ADMIN_KEYS: Final = tuple(  # what the key of a line _DELETED_ADMIN matches starts with
    {_key(t) for t in _variants(markers.phrases("deleted-admin"))}
)
_DELETED_ADMIN: Final = re.compile(
    f"{_alternation(markers.phrases('deleted-admin'))}{_S}+(?P<admin>.+?)\\.?"
)
_LOCATION_PREFIX: Final = re.compile(
    f"(?i:{'|'.join(_literal(t) for t in markers.phrases('location'))}){_S}?:{_S}*"
    r"(?P<url>https?://\S+)"
)
_MAP_URL: Final = re.compile(
    r"https?://(?:maps\.google\.[a-z.]+/\S*|www\.google\.[a-z.]+/maps\S*|(?:www\.)?foursquare"
    r"\.com/v/\S+|maps\.apple\.com/\S*|goo\.gl/maps/\S+|maps\.app\.goo\.gl/\S+)"
)
_NAMED_PLACE: Final = re.compile(r"(?P<place>[^\n]+?):[ \u00a0](?P<url>\S+)")
_MENTION_ISOLATED: Final = re.compile("@\u2068([^\u2069\\n]*)\u2069")
_MENTION_NUMBER: Final = re.compile(r"(?<![\w.])@\+?\d{6,15}\b")
_FILE_NAME: Final = re.compile(r"[^\n/\\<>:|?*]+\.[A-Za-z0-9]{1,6}")
_HAS_EXTENSION: Final = re.compile(r".+\.[A-Za-z0-9]{1,6}")
_PAGE_COUNT: Final = re.compile(r".+ • ?\d+ \S+")
_IOS_PREFIX_COUNTER: Final = re.compile(r"\d{8}-")
_MARKER_LIKE: Final = re.compile(r"<[^<>\n]{2,60}>")
_MARKER_TAIL: Final = re.compile(f"\\S{_S}?{_M}<[^<>\\n]{{2,60}}>{_M}\\Z")  # "text <…>"
_POLL_OPTION: Final = re.compile(r"(?P<kw>\w+): .* \(\d+ \w+\)")

# --------------------------------------------------------------------------- system templates

_NAME: Final = "(?:(?!: )[^\\n])+?(?<!:)"
_PHONE: Final = "\\+?\\d[\\d \u00a0()\\-]*\\d"
_PLACEHOLDERS: Final = {
    "actor": f"(?P<actor>{_NAME})",
    "subject": f"(?P<subject>{_NAME})",
    "subjects": f"(?P<subjects>{_NAME})",
    "self": f"(?P<self>{_NAME})",
    "old": f"(?P<old>{_PHONE})",
    "new": f"(?P<new>{_PHONE})",
    "q": f"[{_QUOTES}][^\\n]*?[{_QUOTES}]",
    "any": "[^\\n]+?",
    "rest": "(?:\\W.*)?",
}
_PLACEHOLDER_RE: Final = re.compile(r"\{(\w+)\}")
_PREFIX_MIN: Final = 10  # characters; see _PREFIX_TEXTS
_FREE_TEXT: Final = frozenset({"q", "any", "rest"})


class _Template(NamedTuple):
    event: str
    lang: str
    source: str  # the regex, compiled when the template is first tried (see _template_regex)
    probe: str  # literal that must occur in the text before any free text (prefilter)
    start: str  # literal the template begins with ("" when it begins with a name)
    self_evident: bool


class _SystemMatch(NamedTuple):
    template: _Template
    actor: str | None
    subjects: tuple[str, ...]
    norm: str


def _compile_template(row: markers.SystemTemplate) -> _Template:
    parts = _PLACEHOLDER_RE.split(row.template)  # literal, name, literal, name, …
    regex: list[str] = []
    literals_before_free: list[str] = []
    free_seen = False
    for i, part in enumerate(parts):
        if i % 2:
            regex.append(_PLACEHOLDERS[part])
            free_seen = free_seen or part in _FREE_TEXT
            continue
        regex.append(_fold_first(part) if i == 0 else _literal(part))
        if part and not free_seen:
            # The first letter of a template is case-folded, so the probe leaves it out.
            literals_before_free.append(part[1:] if i == 0 else part)
    probe = max(literals_before_free, key=len, default="")
    start = parts[0]
    return _Template(
        event=row.event,
        lang=row.lang,
        source="".join(regex),
        probe=probe,
        start=start,
        # A very short fixed start ("您和 ") proves nothing alone, and would shorten the fast
        # path's prefix head (see _PREFIX_MIN).
        self_evident=len(start) >= _PREFIX_MIN and row.event in markers.SELF_EVIDENT_EVENTS,
    )


@cache
def _template_regex(source: str) -> re.Pattern[str]:
    """A template's regex. Compiling all ~220 when the module loads cost ~0.1 s in each import
    process; a chat tries few of them (candidates are found by their fixed wording)."""
    return re.compile(source, re.DOTALL)


def _all_templates() -> tuple[_Template, ...]:
    rows = list(markers.SYSTEM_TEMPLATES)
    rows += [
        markers.SystemTemplate("call", p.lang, p.text + "{rest}")
        for p in markers.PHRASES
        if p.concept == "missed-call"
    ]
    # More fixed wording first: "X changed this group's icon" before "X changed to Y".
    rows.sort(key=lambda r: -len(_PLACEHOLDER_RE.sub("", r.template)))
    return tuple(_compile_template(r) for r in rows)


_TEMPLATES: Final = _all_templates()
_SYSTEM_PREFILTER: Final = re.compile(_trie({t.probe for t in _TEMPLATES}))


def _index(key: Callable[[_Template], str | None]) -> dict[str, tuple[int, ...]]:
    """Word -> positions in ``_TEMPLATES`` of the templates with that ``key`` (None: left out)."""
    out: dict[str, list[int]] = {}
    for i, tpl in enumerate(_TEMPLATES):
        word = key(tpl)
        if word is not None:
            out.setdefault(word, []).append(i)
    return {w: tuple(v) for w, v in out.items()}


# Candidate templates for a text, without trying each template's probe in turn. A template
# that begins with fixed wording can only match a text that begins with it (its first letter
# is case-folded, so the wording after it is looked for at position 1); any other template
# only a text containing its probe. Both are necessary conditions, so the first template whose
# regex matches is the same as when every template is tried in order.
_BY_START: Final = _index(lambda t: t.start[1:] if t.start else None)
_BY_NAME_PROBE: Final = _index(lambda t: None if t.start else t.probe)
_STARTS: Final = _Probes(set(_BY_START))
_START_MAX: Final = max(map(len, _BY_START)) + 1  # characters needed to find a start-led one
_NAME_PROBES: Final = _Probes(set(_BY_NAME_PROBE))
_HEAD_CACHE: dict[str, bool] = {}
_HEAD_CACHE_LIMIT: Final = 8192


def _probe_text(text: str) -> str:
    if "\u00a0" in text or "\u202f" in text:
        text = text.replace("\u00a0", " ").replace("\u202f", " ")
    if "’" in text:
        text = text.replace("’", "'")
    return text


def _split_names(names: str, lang: str) -> tuple[str, ...]:
    items = [n.strip() for n in names.split(", ")]
    conj = _CONJUNCTIONS.get(lang)
    if conj:
        last, sep, tail = items[-1].rpartition(f" {conj} ")
        if sep and last:
            items[-1:] = [last.strip(), tail.strip()]
    return tuple(n.strip(_EDGE) for n in items if n.strip(_EDGE))


def _candidates(probe_text: str) -> list[_Template]:
    """Templates that may match ``probe_text`` (see ``_STARTS``), in ``_TEMPLATES`` order."""
    groups = [_BY_START[w] for w in _STARTS.at(probe_text, 1)]
    groups += [_BY_NAME_PROBE[w] for w in _NAME_PROBES.within(probe_text)]
    if len(groups) == 1:  # the usual case: one word, already in order
        return [_TEMPLATES[i] for i in groups[0]]
    return [_TEMPLATES[i] for i in sorted({i for g in groups for i in g})]


def _match_system(text: str, norm: str | None = None) -> _SystemMatch | None:
    """The first template matching ``text`` (``norm`` is ``_norm(text)`` when known)."""
    if norm is None:
        norm = _norm(text)
    target = norm[:-1].rstrip() if norm.endswith(".") else norm
    for tpl in _candidates(_probe_text(target)):
        found = _template_regex(tpl.source).fullmatch(target)
        if found is None:
            continue
        groups = {k: v.strip(_EDGE) for k, v in found.groupdict().items() if v is not None}
        actor = groups.get("actor") or groups.get("self") or groups.get("old")
        subjects: tuple[str, ...] = ()
        if "subjects" in groups:
            subjects = _split_names(groups["subjects"], tpl.lang)
        else:
            one = groups.get("subject") or groups.get("self") or groups.get("new")
            subjects = (one,) if one else ()
        return _SystemMatch(tpl, actor, subjects, norm)
    return None


def is_system_text(text: str) -> bool:
    """Whether the whole remainder after an Android header is a system line.

    Called before splitting ``Author: ``. Names never contain ``": "`` in a template, so the
    part before the first ``": "`` must already hold a template's fixed wording; that part is
    usually an author name and its verdict is cached.
    """
    if text[:1] in _MARKS:
        text = text.lstrip(_MARKS)
    cut = text.find(": ")
    if cut >= 0:
        head = text[:cut]
        hit = _HEAD_CACHE.get(head)
        if hit is None:
            hit = _SYSTEM_PREFILTER.search(_probe_text(head)) is not None
            if len(_HEAD_CACHE) < _HEAD_CACHE_LIMIT:
                _HEAD_CACHE[head] = hit
        if not hit:
            return False
    elif _SYSTEM_PREFILTER.search(_probe_text(text)) is None:
        return False
    return _match_system(text) is not None


# --------------------------------------------------------------------------- fast path

_WHOLE_BODY_CONCEPTS: Final = (
    "media-omitted",
    "video-note-omitted",
    "deleted",
    "deleted-self",
    "live-location",
    "missed-call",
)
_EXACT: Final = _variants(
    (
        *(p.text for p in markers.PHRASES if p.concept in _WHOLE_BODY_CONCEPTS),
        *_OMITTED_TEXTS,
        "null",
        "",
    )
)


def _group(texts: frozenset[str], key: Callable[[str], str]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for t in sorted(texts):
        groups.setdefault(key(t), []).append(t)
    return {k: tuple(v) for k, v in groups.items()}


# Shorter starts are left out of the prefixes below. That is safe: self-evident templates
# need a start this long (_compile_template), and a call line ("未接语音通话") is taken without
# the iOS ⟨LRM⟩ only when its whole body is the phrase, which _EXACT already holds.
_PREFIX_TEXTS: Final = _variants(
    tuple(
        t
        for t in markers.phrases("view-once")
        + markers.phrases("deleted-admin")
        + markers.phrases("missed-call")
        + tuple(
            t.start
            for t in _TEMPLATES
            if t.start and (t.self_evident or t.event in markers.PARTICIPANT_EVENTS)
        )
        if len(t) >= _PREFIX_MIN
    )
)
# Prefixes grouped by their first _HEAD characters: one slice and one dict lookup rule out
# almost every body (a shorter head matches far too many ordinary words).
_HEAD: Final = min(map(len, _PREFIX_TEXTS))
_PREFIXES: Final = _group(_PREFIX_TEXTS, lambda t: t[:_HEAD])
_EXACT_MAX: Final = max(map(len, _EXACT))
# Characters the slow path strips from the ends of a body: marks, and any whitespace (str.strip;
# U+3000 is the last whitespace character).
_EDGE_CHARS: Final = frozenset(_EDGE).union(c for c in map(chr, range(0x3001)) if c.isspace())
# Last character of a body that may close a marker: those, ")" of "(file attached)", ">" of
# "<…>" and of "image omitted>".
_TAIL: Final = _EDGE_CHARS | frozenset(")>")
# Last character of the first line of a multi-line body: "(file attached)" and "POLL:" too.
_FIRST_LINE_TAIL: Final = _EDGE_CHARS | frozenset("):")
# Characters the patterns treat specially that only occur in non-ASCII text.
_UNUSUAL: Final = re.compile(f"[{_MARKS}\u00a0\u202f]")


class _Kind:
    """``MessageKind`` members as plain class attributes: Enum attribute lookups are slow."""

    TEXT: Final = MessageKind.TEXT
    MEDIA: Final = MessageKind.MEDIA
    CONTACT: Final = MessageKind.CONTACT
    SYSTEM: Final = MessageKind.SYSTEM
    DELETED: Final = MessageKind.DELETED
    CALL: Final = MessageKind.CALL
    LOCATION: Final = MessageKind.LOCATION
    POLL: Final = MessageKind.POLL


_TEXT: Final = _Kind.TEXT  # one lookup less on the hottest path


class _PlainText:
    """Mutable twin of ``Body`` with the same slot layout, for the hot path.

    A frozen dataclass sets each field through ``object.__setattr__``, which costs more than
    the rest of the fast path together. The twin assigns its slots directly and then re-classes
    itself to ``Body`` (legal because the layouts match; a unit test guards that).
    """

    __slots__ = Body.__slots__

    def __init__(self, sender: str, text: str) -> None:
        self.kind = _TEXT
        self.sender = sender
        self.text = text
        self.edited = False
        self.attachments = ()
        self.flags = ()
        self.system_event = None
        self.event_actor = None
        self.event_subjects = ()
        self.__class__ = Body  # type: ignore[assignment]  # same layout, see above


_plain_text_body: Final = cast(Callable[[str, str], Body], _PlainText)


class _AnyBody:
    """``_PlainText`` for any body: ``Body``'s constructor at a third of its cost."""

    __slots__ = Body.__slots__

    def __init__(
        self,
        kind: MessageKind,
        sender: str | None,
        text: str,
        edited: bool,
        attachments: tuple[str, ...],
        flags: tuple[str, ...],
        system_event: str | None,
        event_actor: str | None,
        event_subjects: tuple[str, ...],
    ) -> None:
        self.kind = kind
        self.sender = sender
        self.text = text
        self.edited = edited
        self.attachments = attachments
        self.flags = flags
        self.system_event = system_event
        self.event_actor = event_actor
        self.event_subjects = event_subjects
        self.__class__ = Body  # type: ignore[assignment]  # same layout, see _PlainText


_new_body: Final = cast(type[Body], _AnyBody)  # same signature as Body


def classify_body(author: str | None, body: str, *, platform: str, pseudo: bool = False) -> Body:
    """Classify one message body (see the module docstring for the decisions taken).

    ``author`` is the name after the header, or None for an Android line without one;
    ``body`` is the whole body with its original invisible marks; ``platform`` is ``"ios"`` or
    ``"android"``; ``pseudo`` says that ``author`` is known to be the chat's iOS pseudo-author
    (the name over the encryption notice), not a person.
    """
    if author is None:
        return _system_line(body)
    ios = platform == "ios"
    if is_plain_text(author, body, ios):
        return _plain_text_body(author, body)
    return _participant_line(author, body, ios, pseudo)


def is_plain_text(author: str, body: str, ios: bool) -> bool:
    """Whether ``author``'s ``body`` is plain text that no step of ``_participant_line`` can
    take for anything else: the fast path of :func:`classify_body`, whose result for such a
    body is ``Body(TEXT, author, body)``. Each test rules out some steps (the unit tests
    compare both paths)."""
    return bool(
        body
        # leading marks (iOS system lines), outer whitespace; "(file attached)", "<…>" ends
        and body[0] not in _EDGE_CHARS
        and (last := body[-1]) not in _TAIL
        # markers, mentions, URLs (location)
        and "<" not in body
        and "@" not in body
        and (":" not in body or "://" not in body)  # one memchr is cheaper than a search
        # marks and NBSPs inside (patterns skip or accept them). isascii() is O(1); marks and
        # NBSPs are not printable, and isprintable() is cheaper than a regex on short text.
        and (body.isascii() or body.isprintable() or _UNUSUAL.search(body) is None)
        # lines after the first: only after "(file attached)", "<Media omitted>" or "POLL:"
        and ("\n" not in body or body[body.index("\n") - 1] not in _FIRST_LINE_TAIL)
        # whole-body placeholders ("null", "This message was deleted." …); lookup keys also
        # drop whitespace before a final period
        and (len(body) > _EXACT_MAX or body not in _EXACT)
        and (last != "." or not body[-2:-1].isspace())
        # system-line and placeholder wording at the start
        and (body[:_HEAD] not in _PREFIXES or not body.startswith(_PREFIXES[body[:_HEAD]]))
        # an iOS system line without its LRM that names its pseudo-author
        and (not ios or author not in body)
    )


# --------------------------------------------------------------------------- system lines


def _system_body(found: _SystemMatch, flags: tuple[str, ...] = ()) -> Body:
    return _new_body(
        _Kind.SYSTEM,
        None,
        found.norm,
        False,
        (),
        flags,
        found.template.event,
        found.actor,
        found.subjects,
    )


def _system_line(body: str) -> Body:
    found = _match_system(body)
    if found is None:
        return _new_body(
            _Kind.SYSTEM,
            None,
            _norm(body),
            False,
            (),
            ("unrecognised-system",),
            None,
            None,
            (),
        )
    return _system_body(found)


# --------------------------------------------------------------------------- participant lines


@dataclass(slots=True)
class _Line:
    author: str
    text: str  # leading marks, edited suffix and mention isolates already removed
    norm: str  # _norm(text)
    key: str  # _key(text)
    lead_mark: bool
    ios: bool
    edited: bool
    flags: tuple[str, ...]
    pseudo: bool = False

    def body(
        self,
        kind: MessageKind,
        text: str,
        *,
        attachments: tuple[str, ...] = (),
        flags: tuple[str, ...] = (),
        event: str | None = None,
        actor: str | None = None,
    ) -> Body:
        return _new_body(
            kind,
            self.author,
            text,
            self.edited,
            attachments,
            self.flags + flags,
            event,
            actor,
            (),
        )


def _participant_line(author: str, body: str, ios: bool, pseudo: bool = False) -> Body:
    text = body.lstrip(_MARKS)
    lead_mark = len(text) != len(body)
    text, edited = _strip_edited(text)
    text, flags = _unwrap_mentions(text)
    norm = _norm(text)
    line = _Line(author, text, norm, _key_of_norm(norm), lead_mark, ios, edited, flags, pseudo)
    for step in _STEPS:
        found = step(line)
        if found is not None:
            return found
    return _plain_text(line)


def _strip_edited(text: str) -> tuple[str, bool]:
    tail = text.rstrip()
    if not tail.endswith(">"):
        return text, False
    # The suffix's "<" is the last one (its wording has none), preceded by marks and at most
    # one space: start there rather than scan up to 160 characters with the regex.
    lt = tail.rfind("<")
    if lt < 0:
        return text, False
    start = lt
    while start and tail[start - 1] in _MARKS:
        start -= 1
    if start and tail[start - 1] in _SPACES:
        start -= 1
    found = _EDITED.match(tail, max(start, len(tail) - 160))
    if found is None:
        return text, False
    return tail[: found.start()], True


def _unwrap_mentions(text: str) -> tuple[str, tuple[str, ...]]:
    if "@" not in text:
        return text, ()
    if _FSI in text:
        text, count = _MENTION_ISOLATED.subn(r"@\1", text)
        if count:
            return text, ("mention",)
    if _MENTION_NUMBER.search(text):
        return text, ("mention",)
    return text, ()


def _kind_for(names: tuple[str, ...]) -> MessageKind:
    for name in names:
        if not name.lower().endswith(".vcf"):
            return _Kind.MEDIA
    return _Kind.CONTACT if names else _Kind.MEDIA


def _ios_attached(line: _Line) -> Body | None:
    if "<" not in line.text:
        return None
    # Marks may precede the first "<": the regex need not try every character before them.
    first = len(line.text[: line.text.find("<")].rstrip(_MARKS))
    tags = list(_IOS_TAG.finditer(line.text, first))
    if not tags:
        tags = list(_ANY_IOS_TAG.finditer(line.text, first))
    if not tags:
        old = _OLD_IOS_TAG.fullmatch(line.text)
        if old is None:
            return None
        name = _norm(old.group("name"))
        return line.body(_kind_for((name,)), "", attachments=(name,))
    names = tuple(_norm(m.group("name")) for m in tags)
    caption = _without(line.text, tags).strip(_EDGE)
    if caption:
        meta = _norm(caption)
        if ("•" in meta and _PAGE_COUNT.fullmatch(meta)) or meta == _IOS_PREFIX_COUNTER.sub(
            "", names[0], count=1
        ):
            flags = ("document-name-line",)
            return line.body(_kind_for(names), meta, attachments=names, flags=flags)
    return line.body(_kind_for(names), caption, attachments=names)


def _without(text: str, spans: list[re.Match[str]]) -> str:
    """``text`` with the matched spans cut out (``Pattern.sub("", …)`` without a second scan)."""
    if len(spans) == 1:
        return text[: spans[0].start()] + text[spans[0].end() :]
    parts, pos = [], 0
    for m in spans:
        parts.append(text[pos : m.start()])
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts)


def _android_attached(line: _Line) -> Body | None:
    first, _, rest = line.text.partition("\n")
    if not first.rstrip(_EDGE).endswith(")"):
        return None
    found = _ANDROID_ATTACHED.fullmatch(first) or _ANY_ANDROID_ATTACHED.fullmatch(first)
    if found is None:
        return None
    name = _norm(found.group("name"))
    if not _HAS_EXTENSION.fullmatch(name):
        return None
    flags = ("document-name-line",) if rest and _norm(rest) == name else ()
    return line.body(_kind_for((name,)), rest, attachments=(name,), flags=flags)


def _android_omitted(line: _Line) -> Body | None:
    if line.key[:1] not in _ANDROID_OMITTED_HEADS:  # the first line's key starts the same way
        return None
    first, _, rest = line.text.partition("\n")
    concept = _ANDROID_OMITTED.get(_key(first))
    if concept is None:
        return None
    flags = ["media-omitted"]
    if concept == "video-note-omitted":
        flags.append("omitted-video-note")
    if rest and "\n" not in rest.strip() and _FILE_NAME.fullmatch(_norm(rest)):
        flags.append("document-name-line")
    return line.body(_Kind.MEDIA, rest, flags=tuple(flags))


def _ios_omitted(line: _Line) -> Body | None:
    if "\n" in line.text:
        return None
    norm = line.norm
    # _OMITTED_LINE ends with the placeholder, an optional "." and an optional ">"; checking
    # the placeholder's last word first spares the regex its scan of every ordinary line.
    end = norm[:-1] if norm.endswith(">") else norm
    if not end.removesuffix(".").endswith(_OMITTED_TAILS):
        return None
    found = _OMITTED_LINE.fullmatch(norm)
    if found is None:
        return None
    concept = _OMITTED[_key(found.group("ph"))]
    pre = (found.group("pre") or "").strip()
    if pre and _LRM not in line.text:
        return None  # a name before the placeholder only counts with WhatsApp's own ⟨LRM⟩
    kind = _Kind.CONTACT if concept == "omitted-contact-card" else _Kind.MEDIA
    flags = ["media-omitted", concept]
    if pre and concept == "omitted-document":
        flags.append("document-name-line")
    return line.body(kind, pre, flags=tuple(flags))


def _view_once(line: _Line) -> Body | None:
    if line.key.startswith(_VIEW_ONCE):
        return line.body(_Kind.MEDIA, line.norm, flags=("view-once",))
    return None


def _deleted(line: _Line) -> Body | None:
    concept = _DELETED.get(line.key)
    norm = line.norm
    if concept is not None:
        flags = ("deleted-by-self",) if concept == "deleted-self" else ()
        return line.body(_Kind.DELETED, norm, flags=flags)
    if not line.key.startswith(_DELETED_ADMIN_KEYS):
        return None
    admin = _DELETED_ADMIN.fullmatch(norm)
    if admin is None:
        return None
    return line.body(_Kind.DELETED, norm, flags=("deleted-by-admin",), actor=admin.group("admin"))


def _names_author(found: _SystemMatch, author: str) -> bool:
    if author == found.actor or author in found.subjects:
        return True
    return any(f"{o}{author}{c}" in found.norm for o, c in ('""', "“”", "„“", "«»", "''"))


def _may_be_system_or_call(line: _Line) -> bool:
    """Cheap necessary condition for ``_system_or_call`` to return a body.

    Without the iOS ⟨LRM⟩ a line is a call only with exact missed-call wording, and a system
    or undecryptable line only through a template that begins with fixed wording (waiting and
    self-evident ones; a unit test keeps it so) or that names an iOS author.
    """
    if line.ios and (line.lead_mark or line.author in line.norm):
        return True
    return line.key in _MISSED_CALL or bool(_STARTS.at(_probe_text(line.norm[:_START_MAX]), 1))


def _system_or_call(line: _Line) -> Body | None:
    if not _may_be_system_or_call(line):
        return None
    found = _match_system(line.text, line.norm)
    if found is None:
        return None
    event = found.template.event
    if event == "call":
        if (line.ios and line.lead_mark) or line.key in _MISSED_CALL:
            return line.body(_Kind.CALL, found.norm, event="call", actor=line.author)
        return None
    if event == "waiting":
        return line.body(_Kind.TEXT, found.norm, flags=("undecryptable",), event="waiting")
    if line.ios and (
        line.lead_mark or found.template.self_evident or _names_author(found, line.author)
    ):
        return _system_body(found)
    return None


def _location(line: _Line) -> Body | None:
    norm = line.norm
    if line.key in _LIVE_LOCATION:
        return line.body(_Kind.LOCATION, norm, flags=("live-location",))
    if "://" not in norm:
        return None
    prefixed = _LOCATION_PREFIX.fullmatch(norm)
    if prefixed is not None:
        return line.body(_Kind.LOCATION, prefixed.group("url"))
    lines = [s.strip() for s in norm.split("\n")]
    if len(lines) > 3 or not _MAP_URL.fullmatch(lines[-1]):
        # A named place is one line "PLACE: URL" whose URL is a map URL (so "http…").
        if len(lines) > 1 or (": http" not in norm and ":\u00a0http" not in norm):
            return None
        named = _NAMED_PLACE.fullmatch(norm)
        if named is None or not _MAP_URL.fullmatch(named.group("url")):
            return None
    elif any("://" in s for s in lines[:-1]):
        return None
    return line.body(_Kind.LOCATION, norm)


def _poll(line: _Line) -> Body | None:
    first, newline, after = line.text.partition("\n")
    if not newline:
        return None
    head = first.strip(_EDGE)  # an upper-case word and ":" ("POLL:", "ENCUESTA:")
    if len(head) < 2 or not head.endswith(":") or not head[:-1].isalpha():
        return None
    if not head[:-1].isupper():
        return None
    rest = [s for s in (s.strip(_EDGE) for s in after.split("\n")) if s]
    if len(rest) < 2:
        return None
    for option in rest[1:]:
        found = _POLL_OPTION.fullmatch(option)
        if found is None or not found.group("kw").isupper():
            return None
    return line.body(_Kind.POLL, line.text.strip(_EDGE))


def _empty_or_null(line: _Line) -> Body | None:
    norm = line.norm
    if norm in ("", "."):
        return line.body(_Kind.TEXT, norm, flags=("empty-body",))
    if norm == "null":
        return line.body(_Kind.TEXT, norm, flags=("null-body",))
    return None


def _ios_unknown_system(line: _Line) -> Body | None:
    """An ⟨LRM⟩-led iOS line in a wording the tables lack, when its pseudo-author is certain
    (see the module docstring): ``system`` without sender, flagged ``unrecognised-system``."""
    if not (line.ios and line.lead_mark) or line.edited or "\n" in line.norm or not line.norm:
        return None
    if not (line.pseudo or _names_as_word(line.norm, line.author.strip(_EDGE))):
        return None
    return _new_body(
        _Kind.SYSTEM, None, line.norm, False, (), ("unrecognised-system",), None, None, ()
    )


def _names_as_word(text: str, name: str) -> bool:
    """Whether ``name`` occurs in ``text`` not glued to letters of a cased script (names in
    scripts without case, such as Chinese, are written without spaces around them)."""
    if len(name) < 2:
        return False
    pos = text.find(name)
    while pos >= 0:
        before = text[pos - 1] if pos else " "
        after = text[pos + len(name)] if pos + len(name) < len(text) else " "
        if not _glued(before, name[0]) and not _glued(after, name[-1]):
            return True
        pos = text.find(name, pos + 1)
    return False


def _glued(neighbour: str, edge: str) -> bool:
    return (
        neighbour.isalnum()
        and edge.isalnum()
        and (neighbour.lower() != neighbour.upper() or edge.lower() != edge.upper())
    )


def _plain_text(line: _Line) -> Body:
    system = _ios_unknown_system(line)
    if system is not None:
        return system
    unknown = (line.lead_mark and line.ios) or (
        line.norm.startswith("<") and _MARKER_LIKE.fullmatch(line.norm)
    )
    flags: tuple[str, ...] = ("unrecognised-pattern",) if unknown else ()
    if not unknown and line.norm.endswith(">") and _MARKER_TAIL.search(line.norm):
        flags = ("unrecognised-suffix",)  # an edited suffix in an unknown wording?
    return line.body(_Kind.TEXT, line.text, flags=flags)


_STEPS: Final[tuple[Callable[[_Line], Body | None], ...]] = (
    _empty_or_null,
    _ios_attached,
    _android_attached,
    _android_omitted,
    _ios_omitted,
    _view_once,
    _deleted,
    _system_or_call,
    _location,
    _poll,
)
