"""One redaction pass over a whole bundle (``--redact-uninvolved``), which every writer then
consumes: the records, schedule, RSMF, reports, provenance and bag-info are all made from the
redacted :class:`Bundle`, so no writer needs to know about redaction.

Names (senders, participants, stance holders, system-line actors and subjects, custodians,
conversation names) become pseudonyms; every other text (message bodies, notes, tag notes,
exhibit and chat file names, attachment names, the case title) has uninvolved people's names
replaced and phone numbers and e-mail addresses masked; so has text a machine read in an
image (withheld whole when a name is split over its lines). Shared contacts (vCards, Telegram
contacts) are withheld whole: the card is a person's name and number; the names they give are
pseudonymised wherever else they appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from reviewer.bundle.model import (
    OCR_WITHHELD,
    Bundle,
    BundleAttachment,
    BundleExhibit,
    BundleMessage,
    BundleOcr,
    BundleParticipant,
    BundleStance,
    BundleTag,
    MediaRedaction,
)
from reviewer.services.redaction import Redactor

WITHHELD_CARD = "[contact card withheld]"
CARD_WITHHELD = "a contact card: a person's name and number"
CONTACT = "contact"  # core.records.MessageKind.CONTACT
_CARD_TYPES = ("text/vcard", "text/x-vcard", "text/directory")
_CARD_PREFIX = re.compile(r"^\d+-")  # iOS: 00000018-Lee Grant.vcf


def contact_names(kind: str, text: str | None, filenames: Iterable[str]) -> list[str]:
    """The names a shared contact gives (a Telegram contact's first text line, a vCard's file
    name), so that a redacted bundle pseudonymises them wherever else they are written."""
    names = [
        _CARD_PREFIX.sub("", name.rsplit(".", 1)[0]).strip()
        for name in filenames
        if name.lower().endswith((".vcf", ".vcard"))
    ]
    if kind == CONTACT and text:
        names.append(text.strip().splitlines()[0].strip())
    return [n for n in names if n and any(c.isalpha() for c in n)]


def redact_bundle(bundle: Bundle, redactor: Redactor) -> Bundle:
    """``bundle`` as a redacted bundle shows it (the audit log is projected separately)."""
    return replace(
        bundle,
        case_title=redactor.text(bundle.case_title),
        exhibits=[_exhibit(e, redactor) for e in bundle.exhibits],
        participants=[_participant(p, redactor) for p in bundle.participants],
        messages=[_message(m, redactor) for m in bundle.messages],
    )


def is_contact_card(attachment: BundleAttachment) -> bool:
    mime = (attachment.mime or "").lower()
    return mime in _CARD_TYPES or attachment.filename.lower().endswith((".vcf", ".vcard"))


def _text(redactor: Redactor, value: str) -> str:
    return redactor.text(value) or value


def _label(redactor: Redactor, value: str) -> str:
    return redactor.label(value) or value


def _exhibit(exhibit: BundleExhibit, redactor: Redactor) -> BundleExhibit:
    return replace(
        exhibit,
        custodian=redactor.label(exhibit.custodian),
        original_name=_text(redactor, exhibit.original_name),
        chat_file=_text(redactor, exhibit.chat_file),
        original=None,
        original_files=(),
    )


def _participant(participant: BundleParticipant, redactor: Redactor) -> BundleParticipant:
    return replace(
        participant,
        name=_label(redactor, participant.name),
        membership=[_interval(i, redactor) for i in participant.membership],
    )


def _interval(interval: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    return {k: redactor.text(v) if isinstance(v, str) else v for k, v in interval.items()}


def _message(message: BundleMessage, redactor: Redactor) -> BundleMessage:
    source = dict(message.source)
    if isinstance(source.get("file"), str):
        source["file"] = _text(redactor, source["file"])
    return replace(
        message,
        conversation=_label(redactor, message.conversation),
        sender=redactor.label(message.sender),
        text=WITHHELD_CARD if message.kind == CONTACT else _text(redactor, message.text),
        note=redactor.text(message.note),
        tags=tuple(_tag(t, redactor) for t in message.tags),
        stances=tuple(_stance(s, redactor) for s in message.stances),
        attachments=tuple(_attachment(a, redactor) for a in message.attachments),
        source=source,
        event_actor=redactor.label(message.event_actor),
        event_subjects=tuple(_label(redactor, s) for s in message.event_subjects),
    )


def _stance(stance: BundleStance, redactor: Redactor) -> BundleStance:
    return replace(stance, participant=_label(redactor, stance.participant))


def _attachment(attachment: BundleAttachment, redactor: Redactor) -> BundleAttachment:
    if is_contact_card(attachment):
        return BundleAttachment(
            filename=WITHHELD_CARD,
            sha256=None,
            mime=attachment.mime,
            size=None,
            present=False,
            source=None,
            bundle_path=None,
            # A card's hash is not given: a few lines in a known layout, a guessed name and
            # number would confirm it.
            redaction=MediaRedaction(withheld=CARD_WITHHELD) if attachment.present else None,
        )
    analysis = attachment.analysis
    areas: tuple[tuple[tuple[int, int], ...], ...] = ()
    if analysis is not None and analysis.ocr is not None:
        redacted = _ocr(analysis.ocr, redactor)
        areas = _areas(analysis.ocr, redacted)
        analysis = replace(analysis, ocr=redacted)
    plan = MediaRedaction(areas=areas, named=redactor.mentions(attachment.filename))
    filename = _filename(redactor, attachment.filename)
    return replace(attachment, filename=filename, analysis=analysis, redaction=plan)


def _filename(redactor: Redactor, name: str) -> str:
    """An attachment's name redacted, keeping iOS's counter ("00000017-") as it is: eight
    digits are not a phone number."""
    prefix = _CARD_PREFIX.match(name)
    cut = prefix.end() if prefix else 0
    return name[:cut] + _text(redactor, name[cut:])


def _areas(ocr: BundleOcr, redacted: BundleOcr) -> tuple[tuple[tuple[int, int], ...], ...]:
    """The boxes of the lines whose text redaction changed: every line when the text was
    withheld whole (a name split over lines)."""
    if redacted.withheld:
        return tuple(line.box for line in ocr.lines)
    return tuple(
        old.box for old, new in zip(ocr.lines, redacted.lines, strict=True) if old.text != new.text
    )


def _ocr(ocr: BundleOcr, redactor: Redactor) -> BundleOcr:
    """Image text redacted as message text is, line by line; withheld whole when a name
    still shows once the lines are read as one text (a name split over two lines)."""
    lines = tuple(replace(line, text=_text(redactor, line.text)) for line in ocr.lines)
    text = _text(redactor, ocr.text)
    joined = " ".join(" ".join(line.text for line in lines).split())
    if redactor.text(joined) != joined or redactor.text(" ".join(text.split())) != " ".join(
        text.split()
    ):
        return replace(ocr, text=OCR_WITHHELD, lines=(), withheld=True)
    return replace(ocr, text=text, lines=lines)


def _tag(tag: BundleTag, redactor: Redactor) -> BundleTag:
    return replace(tag, note=redactor.text(tag.note))
