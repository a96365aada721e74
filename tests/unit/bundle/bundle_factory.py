"""A synthetic Bundle (no case, no database) for the writers' unit tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from reviewer.audit import chain
from reviewer.bundle.model import (
    Bundle,
    BundleAttachment,
    BundleCategory,
    BundleExhibit,
    BundleMessage,
    BundleParticipant,
    BundleTag,
)

PEOPLE = ("Alex Turner", "Sam Reid", "Jo Park")


def attachment(folder: Path, name: str, content: bytes) -> BundleAttachment:
    sha = hashlib.sha256(content).hexdigest()
    source = folder / sha
    source.write_bytes(content)
    return BundleAttachment(name, sha, "image/jpeg", len(content), True, source, f"media/{sha}.jpg")


def message(
    number: int,
    *,
    conversation: int = 1,
    sender: str | None = "Alex Turner",
    kind: str = "text",
    text: str | None = None,
    tagged: bool = False,
    reply_to: int | None = None,
    edited: bool = False,
    system_event: str | None = None,
    subjects: tuple[str, ...] = (),
    attachments: tuple[BundleAttachment, ...] = (),
) -> BundleMessage:
    seconds = number % 60
    minutes = number // 60 % 60
    return BundleMessage(
        id=number,
        exhibit="AB/1",
        conversation="Shift B",
        conversation_id=conversation,
        seq=number - 1,
        timestamp=f"2024-03-14T10:{minutes:02d}:{seconds:02d}",
        utc=f"2024-03-14T10:{minutes:02d}:{seconds:02d}Z",
        time_flag=None,
        sender=sender,
        kind=kind,
        text=f"message {number}" if text is None else text,
        edited=edited,
        reply_to=reply_to,
        flags=(),
        system_event=system_event,
        attachments=attachments,
        source={"file": "_chat.txt", "line": number, "lines": 1, "offset": 0, "length": 1},
        tags=(
            (BundleTag("derogatory", "Derogatory", "#cc0000", "R", "2024-04-01T00:00:00Z", None),)
            if tagged
            else ()
        ),
        stances=(),
        note=None,
        context=not tagged,
        event_subjects=subjects,
    )


def audit_entries(count: int = 3) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    prev = chain.GENESIS
    for seq in range(1, count + 1):
        entry = chain.seal(
            seq=seq,
            ts="2024-04-01T00:00:00Z",
            actor="R",
            workstation="w",
            action="tag.added",
            target=f"message {seq}",
            details={"n": seq},
            prev=prev,
        )
        entries.append(entry)
        prev = str(entry["hash"])
    return entries


def make_bundle(messages: list[BundleMessage], original: Path | None = None) -> Bundle:
    entries = audit_entries()
    return Bundle(
        case_reference="OP-1",
        case_title="Test",
        marking="OFFICIAL-SENSITIVE",
        reviewer="R",
        workstation="w",
        created_utc="2024-04-01T00:00:00Z",
        software="reviewer 0.1.0",
        selection={"context": 5},
        redacted=False,
        exhibits=[
            BundleExhibit(
                reference="AB/1",
                custodian="Sam Reid",
                original_name="chat.zip",
                sha256="0" * 64,
                size=10,
                chat_file="_chat.txt",
                chat_sha256="1" * 64,
                importer="whatsapp-text 0.1.0",
                detected_format="whatsapp-ios",
                timezone="Europe/London",
                imported_utc="2024-03-20T00:00:00Z",
                imported_by="R",
                message_count=len(messages),
                first_timestamp=None,
                last_timestamp=None,
                original=original,
            )
        ],
        participants=[
            BundleParticipant(i + 1, "AB/1", name, 1, i == 0, [], is_custodian=name == "Sam Reid")
            for i, name in enumerate(PEOPLE)
        ],
        categories=[BundleCategory("derogatory", "Derogatory", "d", "#cc0000", "content", None)],
        messages=messages,
        activity=[("2024-03-14", len(messages), 1)],
        audit_entries=entries,
        audit_head=str(entries[-1]["hash"]),
    )
