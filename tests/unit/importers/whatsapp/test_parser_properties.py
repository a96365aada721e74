"""Property tests: spans tile any input exactly; plain messages round-trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.core.errors import InputError
from reviewer.core.records import DateOrder, MessageKind, ParsedMessage
from reviewer.importers.whatsapp.header import MARK_CHARS
from reviewer.importers.whatsapp.parser import parse_chat

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TRICKY_NAMES = [
    "Alex Turner",
    "Sam",
    "~\u00a0Nev",
    "~ Nev - Lee",
    "Jo 🚓 (work)",
    "\u202a+44\u00a07700\u00a0900123\u202c",
    "+44 7700 900\u2011123",
    "User:)",
    "Zoë O'Brien",
    "محمد",
    "Ana-María",
    "\u200eLRM Person",
]
WORD = st.text(
    alphabet=st.characters(
        categories=["Lu", "Ll", "Lo"], max_codepoint=0x2FFF, exclude_characters="\x85"
    ),
    min_size=1,
    max_size=8,
)
NAME = st.one_of(
    st.sampled_from(TRICKY_NAMES),
    st.lists(WORD, min_size=1, max_size=3).map(" ".join),
)
# Continuation-safe text: never starts with a digit, "[" or a mark, so it cannot be a header.
LINE_REST = st.text(alphabet=st.sampled_from(list("abcXYZ 0123456789/.,:!?'()-_~😀ü")), max_size=30)
LINE = st.builds(lambda word, rest: word + rest.rstrip(), WORD, LINE_REST)


@dataclass
class Spec:
    sender: str
    lines: list[str]
    when: datetime


@st.composite
def exports(draw: st.DrawFn) -> tuple[bytes, list[Spec], str]:
    style = draw(st.sampled_from(["ios", "android"]))
    ending = draw(st.sampled_from(["lf", "crlf", "ios", "cr"]))
    twelve_hour = draw(st.booleans())
    when = datetime(2023, 1, 13, 8, 0, 0)
    specs: list[Spec] = []
    for _ in range(draw(st.integers(1, 12))):
        when += timedelta(seconds=draw(st.integers(0, 90_000)))
        if style == "android":
            when = when.replace(second=0)
        specs.append(Spec(draw(NAME), draw(st.lists(LINE, min_size=1, max_size=4)), when))
    records = []
    for spec in specs:
        mark = draw(st.sampled_from(["", "", "\u200e", "\ufeff"]))
        records.append(
            mark + header(spec, style, twelve_hour) + f"{spec.sender}: " + "\n".join(spec.lines)
        )
    inside, between = {"lf": ("\n", "\n"), "crlf": ("\r\n", "\r\n"), "ios": ("\n", "\r\n"),
                       "cr": ("\r", "\r")}[ending]  # fmt: skip
    text = between.join(r.replace("\n", inside) for r in records)
    if draw(st.booleans()):
        text += between
    return text.encode("utf-8"), specs, style


def header(spec: Spec, style: str, twelve_hour: bool) -> str:
    date = spec.when.strftime("%d/%m/%Y")
    hour = spec.when.hour
    if twelve_hour:
        clock = f"{(hour % 12) or 12}:{spec.when:%M}"
        seconds = f":{spec.when:%S}" if style == "ios" else ""
        time = f"{clock}{seconds}\u202f{'pm' if hour >= 12 else 'am'}"
    else:
        time = spec.when.strftime("%H:%M:%S" if style == "ios" else "%H:%M")
    return f"[{date}, {time}] " if style == "ios" else f"{date}, {time} - "


def assert_tiles(raw: bytes, messages: list[ParsedMessage]) -> None:
    offset, line = 0, 1
    for seq, message in enumerate(messages):
        assert message.seq == seq
        assert (message.span.offset, message.span.line) == (offset, line)
        offset += message.span.length
        line += message.span.lines
    assert offset == len(raw)


@SETTINGS
@given(exports())
def test_generated_exports_round_trip(export: tuple[bytes, list[Spec], str]) -> None:
    raw, specs, style = export
    chat = parse_chat(raw, file_name="_chat.txt", date_order=DateOrder.DMY)
    messages = list(chat.messages)
    assert_tiles(raw, messages)
    assert chat.profile.format == f"whatsapp-{style}"
    assert len(messages) == len(specs)
    for message, spec in zip(messages, specs, strict=True):
        assert message.timestamp == spec.when
        assert message.sender == spec.sender.strip(MARK_CHARS)
        if message.kind is MessageKind.TEXT:
            assert message.text == "\n".join(spec.lines)


NOISE = st.lists(
    st.sampled_from(
        [
            b"\n",
            b"\r\n",
            b"\r",
            b"[",
            b"]",
            b"/",
            b":",
            b", ",
            b" - ",
            b"12",
            b"31",
            b"2024",
            b"10:00",
            b"A: ",
            b"\xe2\x80\x8e",
            b"\xef\xbb\xbf",
            b"\xff",
            b"\xc3",
            b"x",
            b" ",
        ]
    ),
    max_size=60,
).map(b"".join)


@SETTINGS
@given(NOISE, NOISE, st.sampled_from(["ios", "android"]), st.sampled_from([None, DateOrder.DMY]))
def test_spans_tile_arbitrary_input(
    before: bytes, after: bytes, style: str, order: DateOrder | None
) -> None:
    first = (
        b"[13/01/2023, 08:00:00] A: hi\r\n" if style == "ios" else b"13/01/2023, 08:00 - A: hi\n"
    )
    raw = before + first + after
    try:
        chat = parse_chat(raw, file_name="_chat.txt", date_order=order)
    except InputError:
        return  # refused with a message (no header, undecidable order), never a crash
    assert_tiles(raw, list(chat.messages))
