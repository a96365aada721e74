"""The message records of DESIGN.md §5, for ``reviewer messages --jsonl`` and the bundle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reviewer.services.case import Case
from reviewer.store import message_repo
from reviewer.store.message_repo import MessageRow


def message_records(case: Case, *, exhibit: str | None = None) -> Iterator[dict[str, Any]]:
    """One dict per message, in conversation order, with exactly the §5 fields."""
    with case.reading() as session:
        for row in message_repo.iter_messages(session, exhibit=exhibit):
            yield message_record(row)


def message_record(row: MessageRow) -> dict[str, Any]:
    """The §5 record of one message row."""
    return {
        "id": row.id,
        "exhibit": row.exhibit,
        "conversation": row.conversation,
        "seq": row.seq,
        "timestamp": row.timestamp,
        "utc": row.utc,
        "time_flag": row.time_flag,
        "sender": row.sender,
        "kind": row.kind,
        "text": row.text,
        "edited": bool(row.edited),
        "reply_to": row.reply_to,
        "attachments": [
            {
                "filename": a.filename,
                "sha256": a.sha256,
                "mime": a.mime,
                "size": a.size,
                "present": bool(a.present),
            }
            for a in row.attachments
        ],
        "source": {
            "file": row.chat_file,
            "line": row.src_line,
            "lines": row.src_lines,
            "offset": row.src_offset,
            "length": row.src_length,
        },
    }
