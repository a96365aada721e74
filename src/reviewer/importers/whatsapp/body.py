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
  as actor, subject or quoted group name. An ⟨LRM⟩-led iOS body that matches nothing stays
  ``text`` under its author with the ``unrecognised-pattern`` flag — mis-attributing a system
  line is recoverable, hiding a participant's message is not.
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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, NamedTuple, cast

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
_DROP_MARKS: Final = str.maketrans(dict.fromkeys(_MARKS))
_EDGE: Final = _MARKS + " \t\r\n\u00a0\u202f"
_M: Final = "[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff\u200b]*"  # optional marks
_S: Final = "[ \u00a0\u202f]"  # one space as WhatsApp writes it
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
    return text.translate(_DROP_MARKS).strip()


def _key(text: str) -> str:
    """Lookup key: marks and outer space dropped, one trailing period off, first letter lower."""
    t = _norm(text)
    if t.endswith("."):
        t = t[:-1].rstrip()
    t = t.replace("\u00a0", " ").replace("\u202f", " ")
    return t[:1].lower() + t[1:]


def _variants(texts: tuple[str, ...]) -> frozenset[str]:
    """Exact spellings the fast path must not take for plain text."""
    out: set[str] = set()
    for t in texts:
        for head in (t[:1].lower(), t[:1].upper()):
            out.add(head + t[1:])
            out.add(head + t[1:] + ".")
    return frozenset(out)


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

_IOS_TAG: Final = re.compile(
    f"{_M}<{_M}{_alternation(markers.phrases('attached-tag'))}{_S}?:{_S}*{_M}"
    f"(?P<name>[^<>\\n]+?){_M}>"
)
_OLD_IOS_TAG: Final = re.compile(
    f"(?P<name>[^<>\\n]+?){_S}*{_M}<{_M}{_alternation(markers.phrases('attached-tag'))}{_M}>{_M}\\s*"
)
_ANDROID_ATTACHED: Final = re.compile(
    f"{_M}(?P<name>[^\\n]+?){_M}{_S}\\({_alternation(markers.phrases('file-attached'))}\\){_M}\\s*"
)
_OMITTED_TEXTS: Final = tuple(p.text for p in markers.concept_phrases("omitted-"))
_OMITTED_LINE: Final = re.compile(
    f"(?:(?P<pre>.*?){_S}+)?<?(?P<ph>{_alternation(_OMITTED_TEXTS)})\\.?>?"
)
_EDITED: Final = re.compile(
    f"{_S}?{_M}<{_M}{_alternation(markers.phrases('edited'))}\\.?{_M}>{_M}\\s*\\Z"
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
_FREE_TEXT: Final = frozenset({"q", "any", "rest"})


class _Template(NamedTuple):
    event: str
    lang: str
    regex: re.Pattern[str]
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
        regex=re.compile("".join(regex), re.DOTALL),
        probe=probe,
        start=start,
        self_evident=bool(start) and row.event in markers.SELF_EVIDENT_EVENTS,
    )


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
_SYSTEM_PREFILTER: Final = re.compile(
    "|".join(re.escape(p) for p in sorted({t.probe for t in _TEMPLATES}, key=len, reverse=True))
)
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


def _match_system(text: str) -> _SystemMatch | None:
    norm = _norm(text)
    target = norm[:-1].rstrip() if norm.endswith(".") else norm
    probe_text = _probe_text(target)
    for tpl in _TEMPLATES:
        if tpl.probe not in probe_text:
            continue
        found = tpl.regex.fullmatch(target)
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
_HEAD: Final = 2  # prefixes are grouped by their first two characters


def _group(texts: frozenset[str], key: Callable[[str], str]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for t in sorted(texts):
        groups.setdefault(key(t), []).append(t)
    return {k: tuple(v) for k, v in groups.items()}


_PREFIXES: Final = _group(
    _variants(
        markers.phrases("view-once")
        + markers.phrases("deleted-admin")
        + markers.phrases("missed-call")
        + tuple(
            t.start
            for t in _TEMPLATES
            if t.start and (t.self_evident or t.event in markers.PARTICIPANT_EVENTS)
        )
    ),
    lambda t: t[:_HEAD],
)
_EDGE_END: Final = _EDGE + ")"


_TEXT: Final = MessageKind.TEXT  # enum attribute lookups are slow on the hot path


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


def classify_body(author: str | None, body: str, *, platform: str) -> Body:
    """Classify one message body (see the module docstring for the decisions taken).

    ``author`` is the name after the header, or None for an Android line without one;
    ``body`` is the whole body with its original invisible marks; ``platform`` is ``"ios"`` or
    ``"android"``.
    """
    if author is None:
        return _system_line(body)
    ios = platform == "ios"
    # Fast path: ordinary text has no mark, marker, URL or placeholder wording.
    if (
        body
        and "<" not in body
        and _LRM not in body
        and "\n" not in body
        and "://" not in body
        and "@" not in body
        and body[0] not in _EDGE
        and body[-1] not in _EDGE_END
        and body not in _EXACT
        and not body.startswith(_PREFIXES.get(body[:_HEAD], ()))
        and (not ios or author not in body)
    ):
        return _plain_text_body(author, body)
    return _participant_line(author, body, ios)


# --------------------------------------------------------------------------- system lines


def _system_body(found: _SystemMatch, flags: tuple[str, ...] = ()) -> Body:
    return Body(
        MessageKind.SYSTEM,
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
        return Body(
            MessageKind.SYSTEM,
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
    lead_mark: bool
    ios: bool
    edited: bool
    flags: list[str]

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
        return Body(
            kind,
            self.author,
            text,
            self.edited,
            attachments,
            (*self.flags, *flags),
            event,
            actor,
            (),
        )


def _participant_line(author: str, body: str, ios: bool) -> Body:
    text = body.lstrip(_MARKS)
    line = _Line(author, text, len(text) != len(body), ios, False, [])
    _strip_edited(line)
    _unwrap_mentions(line)
    for step in _STEPS:
        found = step(line)
        if found is not None:
            return found
    return _plain_text(line)


def _strip_edited(line: _Line) -> None:
    tail = line.text.rstrip()
    if not tail.endswith(">"):
        return
    start = max(0, len(tail) - 160)
    found = _EDITED.search(tail, start)
    if found is not None:
        line.text = tail[: found.start()]
        line.edited = True


def _unwrap_mentions(line: _Line) -> None:
    if _FSI in line.text:
        text, count = _MENTION_ISOLATED.subn(r"@\1", line.text)
        if count:
            line.text = text
            line.flags.append("mention")
            return
    if "@" in line.text and _MENTION_NUMBER.search(line.text):
        line.flags.append("mention")


def _kind_for(names: tuple[str, ...]) -> MessageKind:
    if names and all(n.lower().endswith(".vcf") for n in names):
        return MessageKind.CONTACT
    return MessageKind.MEDIA


def _ios_attached(line: _Line) -> Body | None:
    if "<" not in line.text:
        return None
    names = tuple(_norm(m.group("name")) for m in _IOS_TAG.finditer(line.text))
    if not names:
        old = _OLD_IOS_TAG.fullmatch(line.text)
        if old is None:
            return None
        name = _norm(old.group("name"))
        return line.body(_kind_for((name,)), "", attachments=(name,))
    caption = _IOS_TAG.sub("", line.text).strip(_EDGE)
    original = _IOS_PREFIX_COUNTER.sub("", names[0], count=1)
    meta = _norm(caption)
    if caption and (_PAGE_COUNT.fullmatch(meta) or meta == original):
        return line.body(_kind_for(names), meta, attachments=names, flags=("document-name-line",))
    return line.body(_kind_for(names), caption, attachments=names)


def _android_attached(line: _Line) -> Body | None:
    first, _, rest = line.text.partition("\n")
    if not first.rstrip(_EDGE).endswith(")"):
        return None
    found = _ANDROID_ATTACHED.fullmatch(first)
    if found is None:
        return None
    name = _norm(found.group("name"))
    if not _HAS_EXTENSION.fullmatch(name):
        return None
    flags = ("document-name-line",) if rest and _norm(rest) == name else ()
    return line.body(_kind_for((name,)), rest, attachments=(name,), flags=flags)


def _android_omitted(line: _Line) -> Body | None:
    first, _, rest = line.text.partition("\n")
    concept = _ANDROID_OMITTED.get(_key(first))
    if concept is None:
        return None
    flags = ["media-omitted"]
    if concept == "video-note-omitted":
        flags.append("omitted-video-note")
    if rest and "\n" not in rest.strip() and _FILE_NAME.fullmatch(_norm(rest)):
        flags.append("document-name-line")
    return line.body(MessageKind.MEDIA, rest, flags=tuple(flags))


def _ios_omitted(line: _Line) -> Body | None:
    if "\n" in line.text:
        return None
    norm = _norm(line.text)
    found = _OMITTED_LINE.fullmatch(norm)
    if found is None:
        return None
    concept = _OMITTED[_key(found.group("ph"))]
    pre = (found.group("pre") or "").strip()
    if pre and _LRM not in line.text:
        return None  # a name before the placeholder only counts with WhatsApp's own ⟨LRM⟩
    kind = MessageKind.CONTACT if concept == "omitted-contact-card" else MessageKind.MEDIA
    flags = ["media-omitted", concept]
    if pre and concept == "omitted-document":
        flags.append("document-name-line")
    return line.body(kind, pre, flags=tuple(flags))


def _view_once(line: _Line) -> Body | None:
    key = _key(line.text)
    if key.startswith(_VIEW_ONCE):
        return line.body(MessageKind.MEDIA, _norm(line.text), flags=("view-once",))
    return None


def _deleted(line: _Line) -> Body | None:
    concept = _DELETED.get(_key(line.text))
    norm = _norm(line.text)
    if concept is not None:
        flags = ("deleted-by-self",) if concept == "deleted-self" else ()
        return line.body(MessageKind.DELETED, norm, flags=flags)
    admin = _DELETED_ADMIN.fullmatch(norm)
    if admin is not None:
        return line.body(
            MessageKind.DELETED, norm, flags=("deleted-by-admin",), actor=admin.group("admin")
        )
    return None


def _names_author(found: _SystemMatch, author: str) -> bool:
    if author == found.actor or author in found.subjects:
        return True
    return any(f"{o}{author}{c}" in found.norm for o, c in ('""', "“”", "„“", "«»", "''"))


def _system_or_call(line: _Line) -> Body | None:
    found = _match_system(line.text)
    if found is None:
        return None
    event = found.template.event
    if event == "call":
        if (line.ios and line.lead_mark) or _key(line.text) in _MISSED_CALL:
            return line.body(MessageKind.CALL, found.norm, event="call", actor=line.author)
        return None
    if event == "waiting":
        return line.body(MessageKind.TEXT, found.norm, flags=("undecryptable",), event="waiting")
    if line.ios and (
        line.lead_mark or found.template.self_evident or _names_author(found, line.author)
    ):
        return _system_body(found)
    return None


def _location(line: _Line) -> Body | None:
    norm = _norm(line.text)
    if _key(norm) in _LIVE_LOCATION:
        return line.body(MessageKind.LOCATION, norm, flags=("live-location",))
    if "://" not in norm:
        return None
    prefixed = _LOCATION_PREFIX.fullmatch(norm)
    if prefixed is not None:
        return line.body(MessageKind.LOCATION, prefixed.group("url"))
    lines = [s.strip() for s in norm.split("\n")]
    if len(lines) > 3 or not _MAP_URL.fullmatch(lines[-1]):
        named = _NAMED_PLACE.fullmatch(norm)
        if named is None or not _MAP_URL.fullmatch(named.group("url")):
            return None
    elif any("://" in s for s in lines[:-1]):
        return None
    return line.body(MessageKind.LOCATION, norm)


def _poll(line: _Line) -> Body | None:
    if "\n" not in line.text:
        return None
    lines = [s.strip(_EDGE) for s in line.text.split("\n")]
    head, rest = lines[0], [s for s in lines[1:] if s]
    if len(head) < 2 or not head.endswith(":") or not head[:-1].isalpha():
        return None
    if not head[:-1].isupper() or len(rest) < 2:
        return None
    for option in rest[1:]:
        found = _POLL_OPTION.fullmatch(option)
        if found is None or not found.group("kw").isupper():
            return None
    return line.body(MessageKind.POLL, line.text.strip(_EDGE))


def _empty_or_null(line: _Line) -> Body | None:
    norm = _norm(line.text)
    if norm in ("", "."):
        return line.body(MessageKind.TEXT, norm, flags=("empty-body",))
    if norm == "null":
        return line.body(MessageKind.TEXT, norm, flags=("null-body",))
    return None


def _plain_text(line: _Line) -> Body:
    unknown = (line.lead_mark and line.ios) or _MARKER_LIKE.fullmatch(_norm(line.text))
    flags = ("unrecognised-pattern",) if unknown else ()
    return line.body(MessageKind.TEXT, line.text, flags=flags)


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
