"""Typed SQLAlchemy models of a case database (DESIGN.md §2).

Rows of ``message``, ``attachment`` and ``evidence_file`` are written once at import and never
changed; review data (tags, notes, states) arrives in later migrations.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CaseInfo(Base):
    """The single row describing the case."""

    __tablename__ = "case_info"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    created_utc: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(Text)
    app_version: Mapped[str] = mapped_column(String(32))


class Exhibit(Base):
    """One imported export, as handed over (a zip, a text file or a folder)."""

    __tablename__ = "exhibit"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(200), unique=True)
    custodian: Mapped[str | None] = mapped_column(Text)
    original_name: Mapped[str] = mapped_column(Text)
    container_kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    chat_file: Mapped[str] = mapped_column(Text)
    chat_sha256: Mapped[str] = mapped_column(String(64))
    importer: Mapped[str] = mapped_column(String(64))
    importer_version: Mapped[str] = mapped_column(String(32))
    detected_format: Mapped[str] = mapped_column(String(64))
    date_order: Mapped[str] = mapped_column(String(8))
    date_order_source: Mapped[str] = mapped_column(String(16))
    clock: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str] = mapped_column(String(16))
    line_endings: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    imported_utc: Mapped[str] = mapped_column(String(32))
    imported_by: Mapped[str] = mapped_column(Text)
    message_count: Mapped[int] = mapped_column(Integer)
    first_timestamp: Mapped[str | None] = mapped_column(String(32))
    last_timestamp: Mapped[str | None] = mapped_column(String(32))
    warnings: Mapped[str] = mapped_column(Text, default="[]")


class EvidenceFile(Base):
    """Every file of an exhibit, hashed and stored under ``evidence/``."""

    __tablename__ = "evidence_file"
    __table_args__ = (UniqueConstraint("exhibit_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibit.id"))
    path: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))  # original, chat, media, other
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str | None] = mapped_column(String(128))
    mime_mismatch: Mapped[bool] = mapped_column(default=False)
    referenced: Mapped[bool] = mapped_column(default=False)


class Conversation(Base):
    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibit.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # group, direct, unknown
    source_id: Mapped[str | None] = mapped_column(Text)


class Participant(Base):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("exhibit_id", "display_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibit.id"), index=True)
    display_name: Mapped[str] = mapped_column(Text)
    match_key: Mapped[str] = mapped_column(Text, index=True)
    is_custodian: Mapped[bool] = mapped_column(default=False)
    # The person this participant is, when a reviewer linked several participants (a saved
    # name and a phone number, or one officer across exhibits): the smallest id of the group.
    person_id: Mapped[int | None] = mapped_column(Integer)
    is_subject: Mapped[bool] = mapped_column(default=False, server_default=false())


class Message(Base):
    """One record of the export, with the byte span of its source."""

    __tablename__ = "message"
    # Only the keys that keep an import fast and correct; each extra index costs about
    # 0.7 s per million imported messages, so search indexes are added where measured.
    __table_args__ = (UniqueConstraint("conversation_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"))
    seq: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[str | None] = mapped_column(String(32))
    utc: Mapped[str | None] = mapped_column(String(32))
    time_flag: Mapped[str | None] = mapped_column(String(16))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    edited: Mapped[bool] = mapped_column(default=False)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    flags: Mapped[str | None] = mapped_column(Text)
    system_event: Mapped[str | None] = mapped_column(String(32))
    event_actor: Mapped[str | None] = mapped_column(Text)
    event_subjects: Mapped[str | None] = mapped_column(Text)
    src_line: Mapped[int] = mapped_column(Integer)
    src_lines: Mapped[int] = mapped_column(Integer)
    src_offset: Mapped[int] = mapped_column(Integer)
    src_length: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str | None] = mapped_column(Text)


class Attachment(Base):
    """A file a message references; ``present`` is false when the export lacks it."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(Text)
    present: Mapped[bool] = mapped_column(default=False)
    evidence_file_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_file.id"))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(Integer)
    mime: Mapped[str | None] = mapped_column(String(128))
    mime_mismatch: Mapped[bool] = mapped_column(default=False)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    exif: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """One link of the audit hash chain (DESIGN.md §3). Never updated or deleted."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(Text)
    workstation: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)
    prev: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    v: Mapped[int] = mapped_column(Integer, server_default="1")  # chain version (DESIGN.md §3)


class AuditSalt(Base):
    """The salt of one committed field (``target`` or ``details.KEY``) of a version 2 audit
    entry, written with the entry in the same transaction. Never updated or deleted."""

    __tablename__ = "audit_salt"

    seq: Mapped[int] = mapped_column(ForeignKey("audit_entry.seq"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    salt: Mapped[str] = mapped_column(String(32))


class Setting(Base):
    """Case-level settings and texts (the taxonomy source, lexicons) by key."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Category(Base):
    """The case's taxonomy, as loaded from its TOML (see review.taxonomy)."""

    __tablename__ = "category"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    colour: Mapped[str] = mapped_column(String(16))
    hotkey: Mapped[str | None] = mapped_column(String(8))
    parent: Mapped[str | None] = mapped_column(String(128))
    group: Mapped[str] = mapped_column(String(16))
    retired: Mapped[bool] = mapped_column(default=False)


class Tag(Base):
    """A reviewer's finding that a message falls under a category. Removal is audited."""

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("message_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"))
    category: Mapped[str] = mapped_column(ForeignKey("category.key"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(Text)
    created_utc: Mapped[str] = mapped_column(String(32))


class MessageNote(Base):
    __tablename__ = "message_note"

    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(Text)
    updated_utc: Mapped[str] = mapped_column(String(32))


class ReviewMark(Base):
    """A message a reviewer has read and found of no concern (state "reviewed").

    "tagged" is derived from the message's tags; no row and no tag is "unreviewed".
    """

    __tablename__ = "review_mark"

    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), primary_key=True)
    reviewer: Mapped[str] = mapped_column(Text)
    updated_utc: Mapped[str] = mapped_column(String(32))


class Stance(Base):
    """A participant's stance toward a tagged message (author, endorsed, challenged …)."""

    __tablename__ = "stance"

    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), primary_key=True)
    stance: Mapped[str] = mapped_column(ForeignKey("category.key"))
    reviewer: Mapped[str] = mapped_column(Text)
    updated_utc: Mapped[str] = mapped_column(String(32))


class LexiconRun(Base):
    __tablename__ = "lexicon_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    lexicon_name: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    started_utc: Mapped[str] = mapped_column(String(32))
    reviewer: Mapped[str] = mapped_column(Text)
    messages: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer)


class Suggestion(Base):
    """A lexicon hit: a suggestion for a human to confirm (it becomes a tag) or dismiss."""

    __tablename__ = "suggestion"
    __table_args__ = (Index("ix_suggestion_open", "status", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("lexicon_run.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    category: Mapped[str] = mapped_column(String(128))
    term: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    # what it was found in: text (the message), image (OCR text of an attachment), model
    source: Mapped[str] = mapped_column(String(16), default="text", server_default="text")
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_utc: Mapped[str | None] = mapped_column(String(32))


class ConversationLink(Base):
    """A proposal or decision that two conversations of different exhibits are one chat
    (DESIGN.md §9). ``status``: ``auto`` (reconcile was sure), ``proposed``, ``confirmed`` or
    ``undone`` (by a reviewer; both audited); decisions survive later reconcile runs."""

    __tablename__ = "conversation_link"
    __table_args__ = (UniqueConstraint("conversation_a", "conversation_b"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_a: Mapped[int] = mapped_column(ForeignKey("conversation.id"))
    conversation_b: Mapped[int] = mapped_column(ForeignKey("conversation.id"))
    confidence: Mapped[float]
    evidence: Mapped[str] = mapped_column(Text)  # JSON object
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_utc: Mapped[str | None] = mapped_column(String(32))


class ReconciledChat(Base):
    """One chat as held by one or more linked conversations; rebuilt by each reconcile run."""

    __tablename__ = "reconciled_chat"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    conversations: Mapped[str] = mapped_column(Text)  # JSON list of conversation ids
    offsets: Mapped[str] = mapped_column(Text)  # JSON: exhibit reference -> clock offset (s)


class ReconciledMessage(Base):
    """One message of a reconciled chat, at ``position`` in chat order. ``first_message_id``
    is its earliest-imported copy, which stands for it in records and review."""

    __tablename__ = "reconciled_message"
    __table_args__ = (UniqueConstraint("chat_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("reconciled_chat.id"))
    position: Mapped[int] = mapped_column(Integer)
    utc: Mapped[str | None] = mapped_column(String(32))
    first_message_id: Mapped[int] = mapped_column(ForeignKey("message.id"))


class ReconciledCopy(Base):
    """An exhibit's copy of a reconciled message and its state there (``present``,
    ``deleted``, ``media-omitted``, ``edited``). A message is a copy of at most one."""

    __tablename__ = "reconciled_copy"

    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), primary_key=True)
    reconciled_id: Mapped[int] = mapped_column(ForeignKey("reconciled_message.id"), index=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibit.id"))
    state: Mapped[str] = mapped_column(String(16))


class ReconciledAbsence(Base):
    """An exhibit of the chat without a copy of a reconciled message: ``in-range`` (it covers
    that time) or ``out-of-range``."""

    __tablename__ = "reconciled_absence"

    reconciled_id: Mapped[int] = mapped_column(
        ForeignKey("reconciled_message.id"), primary_key=True
    )
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibit.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))


class PersonLink(Base):
    """Two participants of different exhibits proposed as one person from aligned messages
    (``aligned`` rows in common, ``share`` of their aligned rows); ``proposed``,
    ``confirmed`` (the participants are then linked) or ``undone``."""

    __tablename__ = "person_link"
    __table_args__ = (UniqueConstraint("participant_a", "participant_b"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_a: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    participant_b: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    aligned: Mapped[int] = mapped_column(Integer)
    share: Mapped[float]
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_utc: Mapped[str | None] = mapped_column(String(32))


class PackageMerge(Base):
    """A package (by its id and chain head) whose review work was merged into this case."""

    __tablename__ = "package_merge"

    package_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    package_head: Mapped[str] = mapped_column(String(64), primary_key=True)
    merged_utc: Mapped[str] = mapped_column(String(32))
    merged_by: Mapped[str] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(Integer)


class ReviewOpinion(Base):
    """One reviewer's own decision on a message a package covered: a category it tagged, or
    ``""`` for "reviewed, no concern". Kept for agreement whatever the case's tags become."""

    __tablename__ = "review_opinion"
    __table_args__ = (
        UniqueConstraint(
            "message_id", "reviewer", "category", "source", name="uq_review_opinion_item"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"))
    reviewer: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(64))  # the package id that brought it
    at_utc: Mapped[str] = mapped_column(String(32))


class MergeConflict(Base):
    """A package's decision that disagrees with the case's, kept beside it for the lead.

    ``kind``: ``tag`` (``item`` the category), ``note`` or ``stance`` (``item`` the participant
    id); values are JSON. ``status``: ``open``, ``kept`` or ``dropped`` (by the lead)."""

    __tablename__ = "merge_conflict"
    __table_args__ = (
        UniqueConstraint(
            "package_id", "message_id", "kind", "item", "package_value",
            name="uq_merge_conflict_item",
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"))
    kind: Mapped[str] = mapped_column(String(16))
    item: Mapped[str] = mapped_column(Text)
    case_value: Mapped[str] = mapped_column(Text)
    case_by: Mapped[str | None] = mapped_column(Text)
    package_value: Mapped[str] = mapped_column(Text)
    package_by: Mapped[str | None] = mapped_column(Text)
    package_utc: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(Text)
    resolved_utc: Mapped[str | None] = mapped_column(String(32))


# Media analysis has its own module; importing it here registers its tables in Base.metadata
# wherever the models are (the migrations' autogenerate, the schema test).
from reviewer.store import media_models as media_models  # noqa: E402
