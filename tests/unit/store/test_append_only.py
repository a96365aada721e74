"""Imported messages, evidence records and audit entries cannot be changed in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from reviewer.services.case import Case


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET actor = 'someone else'",
        "DELETE FROM audit_entry",
    ],
)
def test_audit_entries_are_append_only(case: Case, statement: str) -> None:
    with pytest.raises(IntegrityError, match="append-only"), case.transaction() as session:
        session.execute(text(statement))
