"""rsmf/<exhibit> <conversation>.rsmf: Relativity Short Message Format 2.0.

Each file is an EML (``X-RSMF-Version: 2.0.0`` and the optional 2.0 headers) with a plain-text
body holding the conversation's text and exactly one attachment, ``rsmf.zip``, which holds
``rsmf_manifest.json`` and every file the manifest names. A conversation of more than
``MAX_EVENTS`` included messages is cut into ``…-partN.rsmf`` slices sharing one
``eventcollectionid``. Review data travels in ``custom`` fields (our convention). The EML
layer is ``rsmf_eml``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from reviewer.bundle.copies import found_in
from reviewer.bundle.files import safe_filename, unique_name
from reviewer.bundle.model import Bundle, BundleExhibit, BundleMessage, BundleParticipant
from reviewer.bundle.rsmf_eml import address, eml_bytes
from reviewer.core.progress import CancelToken, ProgressSink

VERSION = "2.0.0"
MAX_EVENTS = 10_000
MANIFEST = "rsmf_manifest.json"
ZIP_NAME = "rsmf.zip"
SHA_PREFIX = "SHA-256 "  # custom field name before an attachment id: its hash
_JOIN = {"created", "added", "joined"}
_LEAVE = {"left", "removed"}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_APPLICATIONS = {"whatsapp": "WhatsApp", "telegram": "Telegram"}


def write_rsmf(
    bundle: Bundle, payload: Path, progress: ProgressSink, cancel: CancelToken
) -> list[str]:
    """Write one .rsmf per conversation slice under ``payload/rsmf``; returns their paths."""
    folder = payload / "rsmf"
    folder.mkdir(parents=True, exist_ok=True)
    exhibits = {e.reference: e for e in bundle.exhibits}
    written: list[str] = []
    taken: set[str] = set()
    conversations = list(_conversations(bundle.messages))
    for done, messages in enumerate(conversations, 1):
        first = messages[0]
        exhibit = exhibits[first.exhibit]
        people = [p for p in bundle.participants if p.exhibit == first.exhibit]
        slices = [messages[i : i + MAX_EVENTS] for i in range(0, len(messages), MAX_EVENTS)]
        stem = safe_filename(f"{first.exhibit} {first.conversation}")
        collection = f"{bundle.case_reference}/{first.exhibit}/C{first.conversation_id}"
        for number, part in enumerate(slices, 1):
            cancel.raise_if_cancelled()
            suffix = f"-part{number}" if len(slices) > 1 else ""
            name = unique_name(f"{stem}{suffix}", taken, ".rsmf")
            builder = _Slice(bundle, exhibit, people, part, collection, payload)
            (folder / name).write_bytes(builder.eml())
            written.append(f"rsmf/{name}")
        progress.report("writing RSMF", done, len(conversations))
    return written


def _conversations(messages: Sequence[BundleMessage]) -> Iterator[list[BundleMessage]]:
    groups: dict[int, list[BundleMessage]] = {}
    for message in messages:
        groups.setdefault(message.conversation_id, []).append(message)
    yield from groups.values()


@dataclass(frozen=True, slots=True)
class _File:
    zip_name: str
    display: str
    size: int | None
    sha256: str
    path: Path


# The manifest's events as msgspec structs: built and encoded in about half the time of dicts
# (48,322 events in the export benchmark). Fields are written in the order declared, those at
# their default left out (kw_only lets ``custom``, which every event has, come last).
# gc=False: they hold only strings, numbers and lists of these, never a cycle.


class _Field(msgspec.Struct, gc=False):
    """One element of a ``custom`` list."""

    name: str
    value: str


class _Edit(msgspec.Struct, gc=False):
    participant: str


class _Attachment(msgspec.Struct, gc=False, omit_defaults=True):
    id: str
    display: str
    size: int | None = None


class _Event(msgspec.Struct, gc=False, omit_defaults=True, kw_only=True):
    id: str
    type: str
    conversation: str
    timestamp: str | None = None
    participant: str | None = None
    body: str | None = None
    deleted: bool = False
    edits: list[_Edit] | None = None
    parent: str | None = None
    importance: str | None = None
    direction: str | None = None
    attachments: list[_Attachment] | None = None
    custom: list[_Field]


class _Slice:
    """The manifest, zip and EML of one slice of one conversation."""

    def __init__(
        self,
        bundle: Bundle,
        exhibit: BundleExhibit,
        people: Sequence[BundleParticipant],
        messages: Sequence[BundleMessage],
        collection: str,
        payload: Path,
    ) -> None:
        self.bundle = bundle
        self.exhibit = exhibit
        self.messages = messages
        self.collection = collection
        self.payload = payload
        self.conversation = f"C{messages[0].conversation_id}"  # the slice's one conversation
        self.ids: dict[str, str] = {p.name: f"P{p.id}" for p in people}
        self.participants: list[dict[str, Any]] = [_participant(p) for p in people]
        self.custodian = next((f"P{p.id}" for p in people if p.is_custodian), None)
        if self.custodian is None and exhibit.custodian in self.ids:
            self.custodian = self.ids[exhibit.custodian]
        self.files: dict[str, _File] = {}  # by zip name
        self._file_of: dict[tuple[str, str], _File] = {}  # by content hash and file name
        self._names_folded = {MANIFEST.casefold()}  # zip names taken, in any case
        in_slice = {m.id for m in messages}
        self.events = [self._event(m, in_slice) for m in messages]

    # ------------------------------------------------------------------ manifest

    def manifest(self) -> dict[str, Any]:
        first = self.messages[0]
        membership = any(e.type in ("join", "leave") for e in self.events)
        kind = self.bundle.conversation_kinds.get(first.conversation_id, "group")
        direct = kind == "direct" and not membership and len(self.participants) <= 2
        conversation: dict[str, Any] = {
            "id": self.conversation,
            "display": first.conversation,
            "platform": self.exhibit.platform,
            "type": "direct" if direct else "channel",
            "participants": [p["id"] for p in self.participants],
            "custom": [
                {"name": "Exhibit", "value": self.exhibit.reference},
                {"name": "Exhibit-SHA256", "value": self.exhibit.sha256},
            ],
        }
        if self.custodian:
            conversation["custodian"] = self.custodian
        return {
            "version": VERSION,
            "eventcollectionid": self.collection,
            "participants": self.participants,
            "conversations": [conversation],
            "events": self.events,
        }

    def _person(self, name: str | None) -> str | None:
        """The participant id of a name, adding a participant known only from system lines."""
        if not name:
            return None
        found = self.ids.get(name)
        if found is None:
            found = f"X{len(self.ids) + 1}"
            self.ids[name] = found
            self.participants.append({"id": found, "display": name})
        return found

    def _event(self, m: BundleMessage, in_slice: set[int]) -> _Event:
        kind = _event_type(m)
        sender = self._person(m.sender)
        if kind in ("join", "leave"):
            who = m.event_subjects[0] if m.event_subjects else m.event_actor
            sender = self._person(who) or sender
        direction = None
        if self.custodian and sender and kind == "message":
            direction = "outgoing" if sender == self.custodian else "incoming"
        attachments, custom = self._attachments(m)
        return _Event(
            id=f"M{m.id}",
            type=kind,
            conversation=self.conversation,
            timestamp=m.utc or None,
            participant=sender,
            body=m.text or None,
            deleted=m.kind == "deleted",
            edits=[_Edit(sender)] if m.edited and sender else None,
            parent=f"M{m.reply_to}" if m.reply_to in in_slice else None,
            importance="high" if m.tags else None,
            direction=direction,
            attachments=attachments or None,
            custom=_custom(m) + custom,
        )

    def _attachments(self, m: BundleMessage) -> tuple[list[_Attachment], list[_Field]]:
        listed: list[_Attachment] = []
        custom: list[_Field] = []
        for a in m.attachments:
            if not (a.present and a.sha256 and a.bundle_path):
                custom.append(_Field("MissingAttachment", a.filename or "unnamed"))
                continue
            file = self._file(a.filename, a.size, a.sha256, self.payload / a.bundle_path)
            listed.append(_Attachment(file.zip_name, a.filename or file.zip_name, a.size))
            custom.append(_Field(f"{SHA_PREFIX}{file.zip_name}", a.sha256))
            ocr = a.analysis.ocr if a.analysis is not None else None
            if ocr is not None and ocr.text:  # machine-read, marked so (DESIGN.md §10)
                value = f"machine-read ({ocr.label()}): {ocr.text}"
                custom.append(_Field(f"ImageText {file.zip_name}", value))
        return listed, custom

    def _file(self, filename: str, size: int | None, sha256: str, path: Path) -> _File:
        """The zip member of an attachment: one per distinct content and file name, named
        as the file is unless that name is taken in any case (or is the manifest's), then
        ``<hash[:12]>-<name>``, then ``<hash[:12]>-<n>-<name>`` (n = 2, 3 …): a member never
        replaces another, and the same slice always gets the same names."""
        file = self._file_of.get((sha256, filename))
        if file is None:
            name = base = safe_filename(filename or sha256, limit=120)
            n = 1
            while name.casefold() in self._names_folded:
                name = f"{sha256[:12]}-{base}" if n == 1 else f"{sha256[:12]}-{n}-{base}"
                n += 1
            file = _File(name, filename, size, sha256, path)
            self.files[name] = file
            self._file_of[(sha256, filename)] = file
            self._names_folded.add(name.casefold())
        return file

    # ------------------------------------------------------------------ zip and EML

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            info = zipfile.ZipInfo(MANIFEST, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            manifest = _manifest_json(self.manifest())
            # level 1: a fraction of level 6's time for a manifest of 10,000 events
            archive.writestr(info, manifest, compresslevel=1)
            for file in self.files.values():
                info = zipfile.ZipInfo(file.zip_name, date_time=_FIXED_TIME)
                with file.path.open("rb") as src, archive.open(info, "w") as out:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
        return buffer.getvalue()

    def eml(self) -> bytes:
        data = self.zip_bytes()  # builds the manifest, so participants are complete
        names = [str(p.get("display") or p["id"]).replace(",", " ") for p in self.participants]
        times = [e.timestamp for e in self.events if e.timestamp]
        dates = [m.timestamp[:10] for m in self.messages if m.timestamp]
        span = f" {dates[0]} to {dates[-1]}" if dates else ""
        platform = self.exhibit.platform
        headers = {
            "X-RSMF-Version": VERSION,
            "X-RSMF-Generator": self.bundle.software,
            "X-RSMF-Application": _APPLICATIONS.get(platform, platform),
            "X-RSMF-Custodian": self.exhibit.custodian or None,
            "X-RSMF-Participants": ", ".join(names),
            "X-RSMF-BeginDate": min(times) if times else None,
            "X-RSMF-EndDate": max(times) if times else None,
            "X-RSMF-EventCount": str(len(self.events)),
            "X-RSMF-AttachmentCount": str(sum(len(e.attachments or ()) for e in self.events)),
            "X-RSMF-EventCollectionID": self.collection,
            "X-RSMF-Exhibit": self.exhibit.reference,
            "X-RSMF-Marking": self.bundle.marking,
            "From": address(self.exhibit.custodian or self.bundle.reviewer),
            "To": ", ".join(address(n) for n in names),
            "Subject": f"{self.messages[0].conversation}{span}",
        }
        return eml_bytes(headers, _body(self.messages), data, ZIP_NAME)


def _manifest_json(manifest: dict[str, Any]) -> bytes:
    """The manifest as UTF-8 JSON with each top-level field, and each element of a list field
    (one participant, conversation or event), on a line of its own: as readable as indented
    JSON, but each element encoded compactly by msgspec (``json``'s ``indent`` falls back to
    its pure-Python encoder, ~1.5 s of CPU for the export benchmark's 48,000 events)."""
    encoder = msgspec.json.Encoder()
    encode = encoder.encode
    fields = []
    for key, value in manifest.items():
        if isinstance(value, list) and value:
            # one element a line in one call; compact JSON holds no raw line end
            items = encoder.encode_lines(value)[:-1].replace(b"\n", b",\n")
            fields.append(encode(key) + b": [\n" + items + b"\n]")
        else:
            fields.append(encode(key) + b": " + encode(value))
    return b"{\n" + b",\n".join(fields) + b"\n}"


def _participant(p: BundleParticipant) -> dict[str, Any]:
    custom = [{"name": "Exhibit", "value": p.exhibit}]
    if p.is_subject:
        custom.append({"name": "Subject", "value": "yes"})
    if p.is_custodian:
        custom.append({"name": "Custodian", "value": "yes"})
    return {"id": f"P{p.id}", "display": p.name, "custom": custom}


def _event_type(m: BundleMessage) -> str:
    if m.kind != "system":
        return "message"
    if m.system_event in _JOIN:
        return "join"
    if m.system_event in _LEAVE:
        return "leave"
    return "disclaimer"


def _custom(m: BundleMessage) -> list[_Field]:
    """The message's review and provenance fields; those without a value are left out."""
    fields = [
        _Field("MessageId", str(m.id)),
        _Field("Exhibit", m.exhibit),
        _Field("Kind", m.kind),
        _Field("Included", "context" if m.context else "tagged"),
    ]
    if m.timestamp:
        fields.append(_Field("LocalTime", m.timestamp))
    if m.time_flag:
        fields.append(_Field("TimeFlag", m.time_flag))
    fields.append(_Field("Source", f"{m.source.get('file')} line {m.source.get('line')}"))
    if categories := "; ".join([t.category for t in m.tags]):
        fields.append(_Field("Categories", categories))
    if m.note:
        fields.append(_Field("Note", m.note))
    if m.reply_to is not None:
        fields.append(_Field("ReplyTo", f"M{m.reply_to}"))
    if found := found_in(m):
        fields.append(_Field("FoundIn", found))
    return fields


def _body(messages: Sequence[BundleMessage]) -> str:
    lines: list[str] = []
    for m in messages:
        who = m.sender or "(system)"
        lines.append(f"{who}  {m.timestamp or ''}  [message {m.id}]")
        if m.text:
            lines.append(m.text)
        if m.attachments:
            lines.extend([f"<attached: {a.filename}>" for a in m.attachments])
        lines.append("")
    return "\n".join(lines) + "\n"
