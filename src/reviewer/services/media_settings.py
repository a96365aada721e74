"""Case settings of media analysis the window offers (DESIGN.md §10): whether to analyse
media after each import, and which engines this build has. The sexual-content threshold is
``sexual_suggestions.threshold``/``set_threshold``."""

from __future__ import annotations

from reviewer.review.media import analysers as registry
from reviewer.review.media.analysers import Kind
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.media_analysis import REQUESTABLE
from reviewer.services.sexual_suggestions import threshold
from reviewer.store.models import Setting

AFTER_IMPORT_KEY = "analyse_after_import"


def analyse_after_import(case: Case) -> bool:
    """Whether the window starts media analysis after an import (off by default)."""
    with case.reading() as session:
        row = session.get(Setting, AFTER_IMPORT_KEY)
        return row is not None and row.value == "true"


def set_analyse_after_import(case: Case, actor: Actor, on: bool) -> bool:
    """Store the setting; audited (``setting.changed``) when it changes."""
    with case.transaction() as session:
        row = session.get(Setting, AFTER_IMPORT_KEY)
        old = None if row is None else row.value == "true"
        if bool(old) == on:
            return False
        session.merge(Setting(key=AFTER_IMPORT_KEY, value="true" if on else "false"))
        details = {"key": AFTER_IMPORT_KEY, "old": old, "new": on}
        audit_log.append(session, actor, "setting.changed", AFTER_IMPORT_KEY, details)
        return True


def sexual_threshold(case: Case) -> float:
    with case.reading() as session:
        return threshold(session)


def available_engines(case: Case) -> dict[Kind, str | None]:
    """Each analysis a reviewer can ask for -> the engine that would run it, or None when this
    build lacks it."""
    found: dict[Kind, str | None] = {}
    for kind in REQUESTABLE:
        engines = registry.available(kind, case.cache_dir)
        found[kind] = engines[0].engine if engines else None
    return found
