"""The case's taxonomy: installed at creation, replaced from an edited file, always audited."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reviewer.core.errors import InputError
from reviewer.review.taxonomy import Taxonomy, default_taxonomy_text, diff, load_taxonomy, to_toml
from reviewer.services import audit_log
from reviewer.services.actor import Actor
from reviewer.store.models import Category, Setting, Stance, Suggestion, Tag

if TYPE_CHECKING:
    from reviewer.services.case import Case

SETTING_KEY = "taxonomy.toml"


def install_default(session: Session) -> Taxonomy:
    """Copy the shipped taxonomy into a new case (the caller audits the case creation)."""
    taxonomy = load_taxonomy(default_taxonomy_text(), source="default.toml")
    _write(session, taxonomy)
    return taxonomy


def current(session: Session) -> Taxonomy:
    """The case's taxonomy, as its stored TOML says."""
    text = session.get(Setting, SETTING_KEY)
    if text is None:
        raise InputError("this case has no taxonomy")
    return load_taxonomy(text.value, source=SETTING_KEY)


def load_file(case: Case, path: Path, actor: Actor) -> dict[str, object]:
    """Replace the case's taxonomy with an edited file; returns the audited changes.

    A category that tags, stances or suggestions use cannot be removed: it must be retired
    (``retired = true``), so existing findings keep their meaning.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the taxonomy file: {exc}", file=str(path)) from exc
    new = load_taxonomy(text, source=str(path))
    with case.transaction() as session:
        old = current(session)
        changes = diff(old, new)
        if not changes:
            return {}
        in_use = _in_use(session, changes.removed)
        if in_use:
            raise InputError(
                f"categories in use cannot be removed, only retired (retired = true): "
                f"{', '.join(in_use)}",
                file=str(path),
            )
        _write(session, new)
        details = changes.to_details()
        details["fingerprint"] = new.fingerprint()
        audit_log.append(session, actor, "taxonomy.changed", path.name, details)
        return details


def _in_use(session: Session, keys: tuple[str, ...]) -> list[str]:
    used: list[str] = []
    for key in keys:
        counts = [
            session.scalar(select(func.count()).select_from(Tag).where(Tag.category == key)),
            session.scalar(select(func.count()).select_from(Stance).where(Stance.stance == key)),
            session.scalar(
                select(func.count()).select_from(Suggestion).where(Suggestion.category == key)
            ),
        ]
        if any(counts):
            used.append(key)
    return used


def _write(session: Session, taxonomy: Taxonomy) -> None:
    session.execute(delete(Category).where(Category.key.not_in(taxonomy.keys())))
    for position, category in enumerate(taxonomy):
        session.merge(
            Category(
                key=category.key,
                position=position,
                label=category.label,
                description=category.description,
                colour=category.colour,
                hotkey=category.hotkey,
                parent=category.parent,
                group=category.group,
                retired=category.retired,
            )
        )
    session.merge(Setting(key=SETTING_KEY, value=to_toml(taxonomy)))
    session.flush()
