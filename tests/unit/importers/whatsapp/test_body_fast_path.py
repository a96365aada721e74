"""The fast paths of ``classify_body`` are shortcuts: they never change a verdict.

``classify_body`` lets ordinary text skip the step-by-step classification, and the system-line
matcher only tries templates whose wording occurs in the text. Both must give exactly what the
full classification (``_participant_line`` trying every step) gives.
"""

from __future__ import annotations

import itertools

import pytest

from reviewer.core.records import MessageKind
from reviewer.importers.whatsapp import body as body_module
from reviewer.importers.whatsapp import markers
from reviewer.importers.whatsapp.body import Body, classify_body

LRM = "\u200e"
NBSP = "\u00a0"
NNBSP = "\u202f"
ZWSP = "\u200b"


def full(author: str, body: str, platform: str) -> Body:
    """The step-by-step classification, without the fast path."""
    return body_module._participant_line(author, body, platform == "ios")


# --- bodies the old fast path took for plain text (bugs fixed) -------------------------------


@pytest.mark.parametrize("platform", ["android", "ios"])
@pytest.mark.parametrize(
    ("body", "kind", "flags"),
    [
        # NBSP / narrow NBSP where the patterns accept them
        (f"Missed{NBSP}voice call", MessageKind.CALL, ()),
        (f"This{NBSP}message was deleted", MessageKind.DELETED, ()),
        (f"Waiting{NNBSP}for this message", MessageKind.TEXT, ("undecryptable",)),
        # invisible marks inside a placeholder are dropped before matching
        (f"This message{ZWSP} was deleted", MessageKind.DELETED, ()),
        (f"nu{ZWSP}ll", MessageKind.TEXT, ("null-body",)),
        # the lookup key drops whitespace before a final period
        ("This message was deleted .", MessageKind.DELETED, ()),
        # "image omitted>" (closing bracket only) is the iOS placeholder
        ("image omitted>", MessageKind.MEDIA, ("media-omitted", "omitted-image")),
        # any whitespace is stripped (str.strip), not only the characters WhatsApp writes
        ("\x85", MessageKind.TEXT, ("empty-body",)),
    ],
)
def test_fast_path_defers_to_full_classification(
    body: str, kind: MessageKind, flags: tuple[str, ...], platform: str
) -> None:
    got = classify_body("Alex", body, platform=platform)
    assert (got.kind, got.flags) == (kind, flags)
    assert got == full("Alex", body, platform)


def test_self_evident_ios_system_line_with_narrow_nbsp() -> None:
    body = f"This{NNBSP}business is now using a secure service from Meta. Tap to learn more."
    got = classify_body("Alex", body, platform="ios")
    assert (got.kind, got.sender, got.system_event) == (MessageKind.SYSTEM, None, "business")


# --- fast path == full classification over many decorated bodies ---------------------------

_CORES = (
    "see you at the station",
    "Привет, как дела",
    "明天见",
    "😂😂 no way",
    "null",
    "Null.",
    ".",
    "This message was deleted",
    "this message was deleted by admin Sam.",
    "Diese Nachricht wurde gelöscht",
    "You deleted this message",
    "image omitted",
    "Bild weggelassen",
    "<Media omitted>",
    "Missed voice call",
    "Voice call, 2 min",
    "Waiting for this message",
    "live location shared",
    "You sent a view once message. For added privacy …",
    "Messages and calls are end-to-end encrypted",
    "Alex left",
    "Sam added Alex",
    "Your security code with Alex changed",
    "IMG-20240314-WA0007.jpg (file attached)",
    "POLL:\nWhere?\nOPTION: Here (1 vote)\nOPTION: There (0 votes)",
    "location: https://maps.google.com/?q=1,2",
    "Place: https://maps.google.com/?q=1,2",
    "ok <This message was edited>",
    "hi\nthere",
    "Statement.pdf • 3 pages",
)
_HEADS = ("", LRM, " ", "\n", "\x85")
_INSIDE = ("", ZWSP, NBSP, NNBSP, "’")
_TAILS = ("", ".", " .", ">", ")", " ", "\n", ":", "\nmore")


def _decorated() -> list[str]:
    out = []
    for core, head, inside, tail in itertools.product(_CORES, _HEADS, _INSIDE, _TAILS):
        at = core.find(" ")
        middle = core if at < 0 or not inside else core[:at] + inside + core[at + 1 :]
        out.append(head + middle + tail)
    return out


@pytest.mark.parametrize("platform", ["android", "ios"])
@pytest.mark.parametrize("author", ["Alex", "Night Shift"])
def test_fast_path_agrees_with_full_classification(author: str, platform: str) -> None:
    for body in _decorated():
        assert classify_body(author, body, platform=platform) == full(author, body, platform), body


# --- assumptions the shortcuts rest on -------------------------------------------------------


def test_undecryptable_templates_begin_with_fixed_wording() -> None:
    # A participant line is only checked against templates when it begins with a template's
    # fixed wording (or is a missed call, or names its iOS author): "waiting" lines must.
    for t in markers.SYSTEM_TEMPLATES:
        if t.event == "waiting":
            assert not t.template.startswith("{"), t


def test_slow_path_result_is_a_real_body() -> None:
    got = classify_body("Alex", "<Media omitted>", platform="android")
    expected = Body(MessageKind.MEDIA, "Alex", "", False, (), ("media-omitted",), None, None, ())
    assert type(got) is Body
    assert (got, repr(got), hash(got)) == (expected, repr(expected), hash(expected))
    with pytest.raises(AttributeError):
        got.text = "changed"  # type: ignore[misc]


def test_system_candidates_keep_template_order() -> None:
    # Several templates can match one line; the first in _TEMPLATES order must win.
    got = classify_body("Night Shift", f"{LRM}Sam changed this group's icon", platform="ios")
    assert (got.kind, got.system_event, got.event_actor) == (MessageKind.SYSTEM, "icon", "Sam")


def test_every_system_template_compiles_and_matches_its_own_kind_of_line() -> None:
    # Template regexes are compiled when first tried, no longer at import: a broken one would
    # otherwise only show on the chat that needs it.
    for tpl in body_module._TEMPLATES:
        assert body_module._template_regex(tpl.source).pattern == tpl.source
    got = classify_body(None, "Sam added Alex", platform="android")
    assert (got.kind, got.system_event, got.event_subjects) == (
        MessageKind.SYSTEM,
        "added",
        ("Alex",),
    )
