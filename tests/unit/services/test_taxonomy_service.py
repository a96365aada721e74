"""A case's taxonomy: shipped at creation, replaced from an edited file, audited; a category in
use can be retired but not removed; an invalid file is refused with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.core.errors import InputError
from reviewer.review.taxonomy import default_taxonomy_text
from reviewer.services import audit_log, tagging
from reviewer.services import taxonomy as taxonomy_service
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import import_export
from reviewer.services.messages import message_records


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = default_taxonomy_text()
    assert old in text
    path = tmp_path / "taxonomy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def last_action(case: Case) -> str:
    with case.reading() as session:
        return str(list(audit_log.entries(session))[-1]["action"])


def test_label_change_is_applied_and_audited(case: Case, actor: Actor, tmp_path: Path) -> None:
    path = edited(tmp_path, 'label = "Derogatory or demeaning"', 'label = "Demeaning"')
    changes = taxonomy_service.load_file(case, path, actor)
    assert "derogatory" in changes["changed"]
    with case.reading() as session:
        assert taxonomy_service.current(session)["derogatory"].label == "Demeaning"
    assert last_action(case) == "taxonomy.changed"
    assert taxonomy_service.load_file(case, path, actor) == {}  # same again: nothing to record


def test_category_in_use_can_be_retired_not_removed(
    case: Case, actor: Actor, ios_zip: Path, tmp_path: Path
) -> None:
    import_export(case, ios_zip, actor)
    first = int(next(message_records(case))["id"])
    tagging.tag(case, actor, [first], "bullying")
    text = default_taxonomy_text()
    start = text.index('key = "bullying"')
    block_start = text.rindex("[[category]]", 0, start)
    block_end = text.index("[[category]]", start)
    removed = tmp_path / "removed.toml"
    removed.write_text(text[:block_start] + text[block_end:], encoding="utf-8")
    with pytest.raises(InputError, match="only retired"):
        taxonomy_service.load_file(case, removed, actor)
    retired = tmp_path / "retired.toml"
    retired.write_text(
        text.replace('key = "bullying"', 'key = "bullying"\nretired = true', 1), encoding="utf-8"
    )
    taxonomy_service.load_file(case, retired, actor)
    with pytest.raises(InputError, match="retired"):
        tagging.tag(case, actor, [first + 1], "bullying")


def test_invalid_file_is_refused_with_its_line(case: Case, actor: Actor, tmp_path: Path) -> None:
    path = edited(tmp_path, 'colour = "#e33c3c"', 'colour = "red"')
    line = path.read_text().splitlines().index('colour = "red"') + 1
    with pytest.raises(InputError, match=f":{line}:"):
        taxonomy_service.load_file(case, path, actor)
    assert last_action(case) == "case.created"
