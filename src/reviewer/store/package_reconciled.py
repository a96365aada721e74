"""The reconciliation a package carries (DESIGN.md §9, §11): the parent's ``reconciled_*`` rows
and links restricted to the package's messages, so the reviewer's laptop shows the reconciled
chats and applies the once-rule as the parent does.

Run on the package's connection with the parent attached as ``parent`` after the cut's
messages are in ``temp.pick_msg`` and copied. A reconciled message comes with the copies the
package holds; when the parent's canonical copy is not among them, the earliest-imported one
that is stands for it in the package (a merge redirects to the parent's canonical copy anyway).
Absences and links come only where every row they name is in the package.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

P = "parent"
_IN_PICK = "IN (SELECT id FROM temp.pick_msg)"


def copy_reconciled(session: Session) -> None:
    """Copy the parent's reconciliation of the picked messages into the package."""
    session.execute(text("DROP TABLE IF EXISTS temp.pick_rec"))
    session.execute(text("CREATE TEMP TABLE pick_rec (id INTEGER PRIMARY KEY)"))
    try:
        _copy(session)
    finally:
        session.execute(text("DROP TABLE IF EXISTS temp.pick_rec"))


def _copy(session: Session) -> None:
    session.execute(
        text(
            "INSERT INTO temp.pick_rec (id) SELECT DISTINCT reconciled_id "
            f"FROM {P}.reconciled_copy WHERE message_id {_IN_PICK}"
        )
    )
    session.execute(
        text(
            "INSERT INTO main.reconciled_chat (id, name, conversations, offsets) "
            f"SELECT id, name, conversations, offsets FROM {P}.reconciled_chat WHERE id IN "
            f"(SELECT chat_id FROM {P}.reconciled_message WHERE id IN (SELECT id FROM pick_rec))"
        )
    )
    held = set(session.scalars(text("SELECT id FROM main.conversation")))
    for chat_id, conversations in session.execute(
        text("SELECT id, conversations FROM main.reconciled_chat")
    ).all():
        kept = [c for c in json.loads(conversations) if c in held]
        session.execute(
            text("UPDATE main.reconciled_chat SET conversations = :c WHERE id = :id"),
            {"c": json.dumps(kept), "id": chat_id},
        )
    session.execute(
        text(
            "INSERT INTO main.reconciled_message (id, chat_id, position, utc, first_message_id) "
            "SELECT r.id, r.chat_id, r.position, r.utc, CASE WHEN r.first_message_id "
            f"{_IN_PICK} THEN r.first_message_id ELSE (SELECT min(c.message_id) "
            f"FROM {P}.reconciled_copy c WHERE c.reconciled_id = r.id AND c.message_id "
            f"{_IN_PICK}) END FROM {P}.reconciled_message r "
            "WHERE r.id IN (SELECT id FROM pick_rec)"
        )
    )
    session.execute(
        text(
            "INSERT INTO main.reconciled_copy (message_id, reconciled_id, exhibit_id, state) "
            f"SELECT message_id, reconciled_id, exhibit_id, state FROM {P}.reconciled_copy "
            f"WHERE message_id {_IN_PICK}"
        )
    )
    session.execute(
        text(
            "INSERT INTO main.reconciled_absence (reconciled_id, exhibit_id, reason) "
            f"SELECT reconciled_id, exhibit_id, reason FROM {P}.reconciled_absence "
            "WHERE reconciled_id IN (SELECT id FROM pick_rec) "
            "AND exhibit_id IN (SELECT id FROM main.exhibit)"
        )
    )
    link_columns = (
        "id, conversation_a, conversation_b, confidence, evidence, status, decided_by, decided_utc"
    )
    session.execute(
        text(
            f"INSERT INTO main.conversation_link ({link_columns}) SELECT {link_columns} "
            f"FROM {P}.conversation_link WHERE conversation_a IN "
            "(SELECT id FROM main.conversation) AND conversation_b IN "
            "(SELECT id FROM main.conversation)"
        )
    )
    person_columns = (
        "id, participant_a, participant_b, aligned, share, status, decided_by, decided_utc"
    )
    session.execute(
        text(
            f"INSERT INTO main.person_link ({person_columns}) SELECT {person_columns} "
            f"FROM {P}.person_link WHERE participant_a IN (SELECT id FROM main.participant) "
            "AND participant_b IN (SELECT id FROM main.participant)"
        )
    )


def manifest(session: Session) -> dict[str, Any]:
    """What the package's reconciliation holds: counts and the SHA-256 of its rows in a fixed
    order, recorded in ``package.created`` so the rows can be checked against the chain."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    for table, order in (
        ("reconciled_chat", "id"),
        ("reconciled_message", "id"),
        ("reconciled_copy", "message_id"),
        ("reconciled_absence", "reconciled_id, exhibit_id"),
    ):
        rows = session.execute(text(f"SELECT * FROM main.{table} ORDER BY {order}")).all()
        counts[table.removeprefix("reconciled_")] = len(rows)
        for row in rows:
            digest.update(json.dumps(list(row), ensure_ascii=False).encode())
            digest.update(b"\n")
    return {**counts, "sha256": digest.hexdigest()}
