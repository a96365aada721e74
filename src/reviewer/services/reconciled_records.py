"""``reviewer messages CASE --reconciled --jsonl``: one record per reconciled message, in chat
order — the §5 record of its earliest-imported copy, plus ``copies`` and ``absent`` (§9)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.services.case import Case
from reviewer.services.messages import message_record
from reviewer.store import message_repo, reconcile_repo
from reviewer.store.reconcile_repo import ReconciledRow

__all__ = ["reconciled_records"]

_BATCH: Final = 2000


def reconciled_records(case: Case) -> Iterator[dict[str, Any]]:
    """Records chat by chat, each chat in order. Refuses a case never reconciled."""
    with case.reading() as session:
        batch: list[ReconciledRow] = []
        for row in reconcile_repo.iter_reconciled(session):
            batch.append(row)
            if len(batch) >= _BATCH:
                yield from _records(session, batch)
                batch = []
        if batch:
            yield from _records(session, batch)
        elif not reconcile_repo.has_reconciled(session):
            raise InputError("this case has not been reconciled; run: reviewer reconcile CASE")


def _records(session: Session, rows: Sequence[ReconciledRow]) -> Iterator[dict[str, Any]]:
    found = message_repo.messages_by_id(session, [row.first_message_id for row in rows])
    for row in rows:
        record = message_record(found[row.first_message_id])
        record["copies"] = [
            {"exhibit": exhibit, "id": mid, "state": state} for exhibit, mid, state in row.copies
        ]
        record["absent"] = [{"exhibit": exhibit, "reason": why} for exhibit, why in row.absent]
        yield record
