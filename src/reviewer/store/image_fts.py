"""The full-text index ``image_fts``: the words read in images (OCR), by analysis row.

Like ``message_fts`` it is contentless and holds each text's index words
(:func:`reviewer.core.symbol_tokens.index_text`); its rowid is the ``media_analysis`` row of
the OCR result, which names the file (SHA-256) and, through ``attachment``, the messages
carrying it. A case without OCR results has an empty table, and search then never joins it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Integer, column, select, text
from sqlalchemy.orm import Session

from reviewer.core.symbol_tokens import index_text
from reviewer.store.media_models import MediaAnalysis
from reviewer.store.models import Attachment

CREATE_TABLE = (
    "CREATE VIRTUAL TABLE image_fts USING fts5(text, content='', "
    "tokenize='unicode61 remove_diacritics 2', columnsize=0)"
)


def add(session: Session, analysis_id: int, words: str) -> None:
    """Index the OCR text of one ``media_analysis`` row."""
    session.execute(
        text("INSERT INTO image_fts(rowid, text) VALUES (:id, :text)"),
        {"id": analysis_id, "text": index_text(words)},
    )


def remove(session: Session, analysis_id: int, words: str) -> None:
    """Drop one row's entry (a contentless index needs the text it was given)."""
    session.execute(
        text("INSERT INTO image_fts(image_fts, rowid, text) VALUES ('delete', :id, :text)"),
        {"id": analysis_id, "text": index_text(words)},
    )


def is_empty(session: Session) -> bool:
    """Whether no OCR text is stored (one seek on the kind index; a contentless table
    cannot be scanned)."""
    query = select(MediaAnalysis.id).where(
        MediaAnalysis.kind == "ocr", MediaAnalysis.text.is_not(None)
    )
    return session.execute(query.limit(1)).first() is None


def matching_message_ids(
    session: Session, match: str, *, after: int = 0, limit: int | None = None
) -> list[int]:
    """Ids (> after, the first ``limit``) of messages with an attachment whose OCR text
    matches, in id order."""
    matching = text("SELECT rowid FROM image_fts WHERE image_fts MATCH :m").bindparams(m=match)
    hashes = select(MediaAnalysis.sha256).where(
        MediaAnalysis.id.in_(matching.columns(column("rowid", Integer)))
    )
    query = (
        select(Attachment.message_id)
        .where(Attachment.sha256.in_(hashes), Attachment.message_id > after)
        .distinct()
        .order_by(Attachment.message_id)
    )
    return list(session.scalars(query if limit is None else query.limit(limit)))


def ocr_texts(session: Session, after: int, limit: int) -> Sequence[tuple[int, str]]:
    """(message id, OCR text) of messages with an attachment read by OCR, message id > after,
    in message id order (a message with several read images comes once per image)."""
    query = (
        select(Attachment.message_id, MediaAnalysis.text)
        .join(MediaAnalysis, MediaAnalysis.sha256 == Attachment.sha256)
        .where(
            Attachment.message_id > after,
            MediaAnalysis.kind == "ocr",
            MediaAnalysis.status == "ok",
            MediaAnalysis.text.is_not(None),
            MediaAnalysis.text != "",
        )
        .order_by(Attachment.message_id, MediaAnalysis.id)
        .limit(limit)
    )
    return [(mid, words or "") for mid, words in session.execute(query)]
