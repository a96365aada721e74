"""Prove that no evidence file changed: re-hash each one against the database."""

from __future__ import annotations

import stat

from sqlalchemy import select

from reviewer.services.case import Case
from reviewer.store.models import EvidenceFile


def check_evidence(case: Case) -> list[str]:
    """Problems found, first one first; an empty list when every file matches."""
    problems: list[str] = []
    with case.reading() as session:
        hashes = sorted(set(session.scalars(select(EvidenceFile.sha256))))
    for sha256 in hashes:
        path = case.evidence.path_for(sha256)
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif not case.evidence.verify(sha256):
            problems.append(f"{path}: content no longer matches its SHA-256")
        elif path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            problems.append(f"{path}: has write permission (should be read-only)")
    return problems
