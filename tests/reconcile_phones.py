"""One true group chat rendered as exported from several officers' phones (issue 12).

``true_chat`` invents a chat (or ``chat_from_ios_export`` reads one written by
``gen_whatsapp.py``); ``Phone`` describes one phone's export: platform and locale, time zone,
clock offset, contact names, when it joined and where its export ends, messages deleted for
everyone or for me, edits, media kept or omitted. ``render`` writes the phone's export and
returns the true message uid of every record in file order, so tests can score a
reconciliation against the truth.
"""

from __future__ import annotations

import random
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from reviewer.services.actor import Actor
    from reviewer.services.case import Case

LRM = "\u200e"
NNBSP = "\u202f"
GROUP = "Night Shift"

_WORD_TEXT = (
    "van car shift brief station custody suspect briefing report overtime sarge canteen radio "
    "patrol job call log cell desk duty rota late early night tomorrow today done ready back "
    "there here soon now again really proper mate lads boss inspector form statement witness "
    "footage camera bodycam street corner town centre arrest warrant court hearing lunch tea"
)
_WORDS = tuple(_WORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class TrueMessage:
    uid: int
    utc: datetime  # naive UTC, with seconds
    sender: str | None  # a person key; None for a system line
    text: str
    kind: str = "text"  # text, media, system
    event: tuple[str, str, str] | None = None  # (created|added|subject, actor, subject/name)


@dataclass(slots=True)
class Phone:
    exhibit: str
    style: str  # ios | android
    custodian: str  # person key
    names: dict[str, str]  # person key -> the name this phone shows
    zone: str = "Europe/London"
    us: bool = False  # en-US: M/D/YY and a 12-hour clock
    german: bool = False  # German UI: DD.MM.YY, German system lines and placeholders
    import_zone: str | None = None  # the zone the reviewer imports it with, if not ``zone``
    date_order: str | None = None  # what a reviewer passes as --date-order, if anything
    clock_offset: timedelta = timedelta(0)
    start: datetime | None = None  # joined (UTC); earlier messages are not on the phone
    end: datetime | None = None  # the export stops here (UTC)
    media: bool = True  # media files in the export; else "omitted" placeholders
    deleted: set[int] = field(default_factory=set)  # "This message was deleted"
    deleted_for_me: set[int] = field(default_factory=set)  # gone from this phone
    edits: dict[int, str] = field(default_factory=dict)  # uid -> edited text shown

    def holds(self, message: TrueMessage) -> bool:
        if self.start is not None and message.utc < self.start:
            return False
        if self.end is not None and message.utc > self.end:
            return False
        return message.uid not in self.deleted_for_me


PEOPLE = ("alice", "dave", "bob", "carol", "erin")


def true_chat(count: int, seed: int = 7, start: datetime | None = None) -> list[TrueMessage]:
    """A chat of ``count`` messages among PEOPLE, with media, bursts of "ok"/"😂" within a
    minute (by the same and by different people), a member added and a subject change."""
    rng = random.Random(seed)
    t = start or datetime(2024, 1, 13, 7, 0, 5)
    out: list[TrueMessage] = [
        TrueMessage(0, t, None, "", "system", ("created", "alice", GROUP)),
    ]
    uid = 1
    while len(out) < count:
        t += timedelta(seconds=rng.choice((7, 19, 45, 80, 200, 600, 1500, 4000)))
        roll = rng.random()
        if uid == count // 5:
            out.append(TrueMessage(uid, t, None, "", "system", ("added", "alice", "dave")))
        elif uid == count // 2:
            out.append(TrueMessage(uid, t, None, "", "system", ("subject", "bob", "Nights B")))
        elif roll < 0.04:  # a burst of repeated short texts within a minute
            word = rng.choice(("ok", "😂", "👍"))
            for _ in range(rng.randint(2, 4)):
                out.append(TrueMessage(uid, t, rng.choice(PEOPLE), word))
                uid += 1
                t += timedelta(seconds=rng.randint(2, 12))
            continue
        elif roll < 0.08:
            out.append(TrueMessage(uid, t, rng.choice(PEOPLE), "", "media"))
        else:
            words = rng.choices(_WORDS, k=rng.randint(2, 14))
            out.append(TrueMessage(uid, t, rng.choice(PEOPLE), " ".join(words)))
        uid += 1
    return out[:count]


_IOS_HEAD = re.compile(r"^\u200e?\[(\d\d)/(\d\d)/(\d{4}), (\d\d):(\d\d):(\d\d)\] ([^:]+): (.*)$")


def chat_from_ios_export(path: Path, zone: str = "Europe/London") -> list[TrueMessage]:
    """Read an en-GB iOS ``_chat.txt`` written by ``gen_whatsapp.py`` as the true chat:
    participant names are the person keys, attachments media; system lines and deleted
    placeholders are dropped."""
    tz = ZoneInfo(zone)
    out: list[TrueMessage] = []
    current: list[str] | None = None
    head: tuple[datetime, str] | None = None

    def flush() -> None:
        if head is None or current is None:
            return
        body = "\n".join(current)
        when, name = head
        if body.startswith(LRM):
            if "<attached:" in body:
                out.append(TrueMessage(len(out), when, name, "", "media"))
            return  # system lines, deleted placeholders
        body = body.replace(f" {LRM}<This message was edited>", "")
        out.append(TrueMessage(len(out), when, name, body))

    for line in path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n"):
        m = _IOS_HEAD.match(line)
        if m is None:
            if current is not None:
                current.append(line)
            continue
        flush()
        d, mo, y, hh, mm, ss, name, body = m.groups()
        local = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss), tzinfo=tz)
        head = (local.astimezone(UTC).replace(tzinfo=None), name)
        current = [body]
    flush()
    return out


def render(phone: Phone, chat: Sequence[TrueMessage], out: Path) -> list[int]:
    """Write the phone's export under ``out`` (a zip for iOS with media, else ``_chat.txt`` or
    ``WhatsApp Chat with ….txt``) and return the uids of its records in file order; the export
    is ``out / phone.export_name`` (see ``export_path``)."""
    out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    uids: list[int] = []
    media: dict[str, bytes] = {}
    for message in chat:
        if not phone.holds(message):
            continue
        line = _line(phone, message, media)
        if line is None:
            continue
        lines.append(line)
        uids.append(message.uid)
    if phone.style == "ios":
        text = "".join(line + "\r\n" for line in lines)
        if phone.media:
            with zipfile.ZipFile(export_path(phone, out), "w") as archive:
                archive.writestr("_chat.txt", text.encode("utf-8"))
                for name, data in media.items():
                    archive.writestr(name, data)
        else:
            export_path(phone, out).write_text(text, encoding="utf-8", newline="")
    else:
        export_path(phone, out).write_text(
            "".join(line + "\n" for line in lines), encoding="utf-8", newline=""
        )
    return uids


def import_phone(
    case: Case, phone: Phone, chat: Sequence[TrueMessage], out: Path, actor: Actor
) -> list[int]:
    """Render the phone's export under ``out`` and import it into ``case`` as the phone's
    exhibit, with its custodian and import zone; returns what ``render`` does."""
    from reviewer.services.importing import ImportOptions, import_export

    uids = render(phone, chat, out)
    options = ImportOptions(
        exhibit=phone.exhibit,
        custodian=phone.names[phone.custodian],
        timezone=phone.import_zone or phone.zone,
    )
    import_export(case, export_path(phone, out), actor, options)
    return uids


def export_path(phone: Phone, out: Path) -> Path:
    if phone.style == "ios" and phone.media:
        return out / f"{phone.exhibit.replace('/', '-')}.zip"
    if phone.style == "ios":
        return out / f"{phone.exhibit.replace('/', '-')}_chat.txt"
    return out / f"WhatsApp Chat with {GROUP} {phone.exhibit.replace('/', '-')}.txt"


def _stamp(phone: Phone, utc: datetime) -> str:
    local = (utc + phone.clock_offset).replace(tzinfo=UTC).astimezone(ZoneInfo(phone.zone))
    if phone.german:
        return f"{local.day:02d}.{local.month:02d}.{local.year % 100:02d}, {local:%H:%M} -"
    if phone.us:
        hour = local.hour % 12 or 12
        ampm = "AM" if local.hour < 12 else "PM"
        date = f"{local.month}/{local.day}/{local.year % 100:02d}"
        if phone.style == "ios":
            return f"[{date}, {hour}:{local.minute:02d}:{local.second:02d}{NNBSP}{ampm}]"
        return f"{date}, {hour}:{local.minute:02d}{NNBSP}{ampm} -"
    date = f"{local.day:02d}/{local.month:02d}/{local.year}"
    if phone.style == "ios":
        return f"[{date}, {local.hour:02d}:{local.minute:02d}:{local.second:02d}]"
    return f"{date}, {local.hour:02d}:{local.minute:02d} -"


def _name(phone: Phone, person: str) -> str:
    return phone.names[person]


def _system_text(phone: Phone, event: tuple[str, str, str]) -> str:
    what, actor, subject = event
    if phone.german:
        return _german_system(phone, what, actor, subject)
    who = "You" if actor == phone.custodian else _name(phone, actor)
    if what == "created":
        return f"{who} created group \u201c{subject}\u201d"
    if what == "added":
        whom = "you" if subject == phone.custodian else _name(phone, subject)
        return f"{who} added {whom}"
    return f"{who} changed the subject to \u201c{subject}\u201d"


def _german_system(phone: Phone, what: str, actor: str, subject: str) -> str:
    you = actor == phone.custodian
    who, has = ("Du", "hast") if you else (_name(phone, actor), "hat")
    if what == "created":
        return f"{who} {has} die Gruppe \u201e{subject}\u201c erstellt"
    if what == "added":
        whom = "dich" if subject == phone.custodian else _name(phone, subject)
        return f"{who} {has} {whom} hinzugefügt"
    return f"{who} {has} den Gruppennamen zu \u201e{subject}\u201c geändert"


def _line(phone: Phone, message: TrueMessage, media: dict[str, bytes]) -> str | None:
    stamp = _stamp(phone, message.utc)
    ios = phone.style == "ios"
    if message.kind == "system":
        assert message.event is not None
        text = _system_text(phone, message.event)
        return f"{stamp} {GROUP}: {LRM}{text}" if ios else f"{stamp} {text}"
    assert message.sender is not None
    name = _name(phone, message.sender)
    if message.uid in phone.deleted:
        if phone.german:
            return f"{stamp} {name}: Diese Nachricht wurde gelöscht"
        if ios:
            return f"{LRM}{stamp} {name}: {LRM}This message was deleted."
        return f"{stamp} {name}: This message was deleted"
    if message.kind == "media":
        local = (message.utc + phone.clock_offset).strftime("%Y-%m-%d-%H-%M-%S")
        if ios and phone.media:
            filename = f"{message.uid:08d}-PHOTO-{local}.jpg"
            media[filename] = b"\xff\xd8\xff\xe0" + message.uid.to_bytes(8, "big") + b"\xff\xd9"
            return f"{LRM}{stamp} {name}: {LRM}<attached: {filename}>"
        if ios:
            return f"{LRM}{stamp} {name}: {LRM}image omitted"
        if phone.german:
            return f"{stamp} {name}: <Medien ausgeschlossen>"
        return f"{stamp} {name}: <Media omitted>"
    text = phone.edits.get(message.uid, message.text)
    if message.uid in phone.edits:
        if phone.german:
            text += " <Diese Nachricht wurde bearbeitet>"
        else:
            text += f" {LRM}<This message was edited>" if ios else " <This message was edited>"
    return f"{stamp} {name}: {text}"


def pick(rng: random.Random, chat: Iterable[TrueMessage], share: float) -> set[int]:
    """A random share of the chat's non-system messages' uids."""
    return {m.uid for m in chat if m.kind != "system" and rng.random() < share}


def three_phones(chat: Sequence[TrueMessage], seed: int = 11) -> list[Phone]:
    """The issue's three exports of one chat:

    * AB/1 — Alice's iPhone (en-GB, seconds, media in a zip): the whole chat.
    * CD/2 — Dave's Android (en-US, 12-hour, no seconds, Berlin time, without media): joins
      when he is added; contacts saved differently (Bob only as a phone number); a few
      messages deleted for him.
    * EF/3 — Bob's iPhone exported later (media omitted), its clock 3 minutes fast: messages
      deleted for everyone ("This message was deleted") and for him, edits, and the export
      ends early.
    """
    rng = random.Random(seed)
    joined = next(
        (m.utc for m in chat if m.event is not None and m.event[0] == "added"),
        chat[len(chat) // 5].utc,
    )
    cut = chat[int(len(chat) * 0.85)].utc
    people = sorted({m.sender for m in chat if m.sender is not None})
    if set(people) <= set(PEOPLE):
        names_a, names_b, names_c, who = _NAMES_A, _NAMES_B, _NAMES_C, ("alice", "dave", "bob")
    else:  # a generated chat: its own names on the first phone, variants on the others
        names_a = {p: p for p in people}
        names_b = {p: _variant(p, k, "b") for k, p in enumerate(people)}
        names_c = {p: _variant(p, k, "c") for k, p in enumerate(people)}
        who = (people[0], people[1], people[2])
    a = Phone("AB/1", "ios", who[0], names_a)
    b = Phone(
        "CD/2",
        "android",
        who[1],
        names_b,
        zone="Europe/Berlin",
        us=True,
        start=joined,
        media=False,
        deleted_for_me=pick(rng, chat, 0.02),
    )
    c = Phone(
        "EF/3",
        "ios",
        who[2],
        names_c,
        clock_offset=timedelta(minutes=3),
        end=cut,
        media=False,
        deleted=pick(rng, chat, 0.03),
        deleted_for_me=pick(rng, chat, 0.02),
    )
    c.deleted_for_me -= c.deleted
    by_uid = {m.uid: m for m in chat}
    for uid in sorted(pick(rng, chat, 0.03)):
        message = by_uid.get(uid)
        if message is None or message.kind != "text" or uid in c.deleted or len(message.text) < 12:
            continue
        c.edits[uid] = message.text + " (sorry, " + rng.choice(_WORDS) + ")"
    return [a, b, c]


_NAMES_A = {
    "alice": "Alice Turner",
    "dave": "Dave",
    "bob": "Bob Smith",
    "carol": "Carol",
    "erin": "Erin K",
}
_NAMES_B = {
    "alice": "Alice T",
    "dave": "David Ng",
    "bob": "+44 7700 900456",
    "carol": "Carol Jones",
    "erin": "Erin",
}
_NAMES_C = {
    "alice": "Alice",
    "dave": "Dave Ng",
    "bob": "Bob Smith",
    "carol": "Caz",
    "erin": "Erin Kay",
}


def _variant(name: str, k: int, phone: str) -> str:
    """How another phone saved this contact: a phone number, a first name, or initials."""
    if phone == "b" and k % 3 == 0:
        return f"+44 7700 9{k:05d}"
    first, _, rest = name.partition(" ")
    if phone == "b":
        return first if rest else name + " (work)"
    return f"{first} {rest[:1]}." if rest else name.upper()


def german_phone(chat: Sequence[TrueMessage], seed: int = 13) -> Phone:
    """GH/4 — Erin's Android in German (DD.MM.YY, 24-hour, no seconds, media omitted), set to
    London time but imported as Berlin time by mistake (a constant one-hour offset), with a
    few messages deleted for everyone and for her."""
    rng = random.Random(seed)
    people = sorted({m.sender for m in chat if m.sender is not None})
    owner = "erin" if "erin" in people else people[3]
    names = {p: (_NAMES_D.get(p) or _variant(p, k, "c")) for k, p in enumerate(people)}
    phone = Phone(
        "GH/4",
        "android",
        owner,
        names,
        german=True,
        import_zone="Europe/Berlin",
        media=False,
        deleted=pick(rng, chat, 0.02),
        deleted_for_me=pick(rng, chat, 0.01),
    )
    phone.deleted_for_me -= phone.deleted
    return phone


_NAMES_D = {"alice": "Ali", "dave": "D. Ng", "bob": "Robert", "carol": "Carol J", "erin": "Erin"}
