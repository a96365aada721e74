"""Tagging from the media grid: a category key on the selected pictures' messages (again:
removed), or on every message of their near-duplicate groups as one decision per group
(``services.media.tag_group`` / ``untag_group``: a tag, or its removal, and an audit entry per
message). Through the main window's edit queue, shown on the tiles at once and read back once
written."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from reviewer.core.errors import ReviewerError
from reviewer.gui.edits import Effect, NotSaved
from reviewer.gui.media_grid_host import GridHost
from reviewer.gui.media_grid_model import MediaGridModel
from reviewer.gui.tasks import Task, show_error
from reviewer.services import media, media_grid, tagging
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.media_grid import MediaTile
from reviewer.services.tagging import Changes

log = logging.getLogger("reviewer.gui")


class GridTagging(QObject):
    """Tags the messages of tiles of ``model``; ``say`` shows a one-line status."""

    def __init__(
        self,
        host: GridHost,
        model: MediaGridModel,
        taxonomy: Mapping[str, tuple[str, str]],
        say: Callable[[str], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.model = model
        self.taxonomy = taxonomy
        self.say = say

    def toggle_category(self, tiles: Sequence[MediaTile], key: str) -> None:
        """A hotkey: tag the messages carrying these pictures, or remove the tag when they
        all have it."""
        if not tiles:
            self.say("Select a picture first")
            return
        ids = tuple(sorted({t.message_id for t in tiles}))
        apply = not all(key in t.tags for t in tiles)
        label = self.taxonomy.get(key, (key, ""))[0]
        actor = self.host.actor
        if apply:
            what = f"tag {label} on {_plural(len(ids))} from the media grid"

            def operation(case: Case) -> Changes:
                return tagging.tag(case, actor, ids, key)
        else:
            what = f"remove {label} from {_plural(len(ids))} from the media grid"

            def operation(case: Case) -> Changes:
                return tagging.untag(case, actor, ids, key)

        self._submit(what, operation, Effect(ids, tag=key, apply=apply))

    def toggle_groups(self, tiles: Sequence[MediaTile], key: str) -> None:
        """Ctrl + hotkey: tag every message of these pictures' near-duplicate groups, or
        remove the tag when every picture of those groups shown has it."""
        groups = {t.group for t in tiles if t.group is not None}
        members = [t for t in self.model.tiles() if t.group in groups]
        apply = not members or not all(key in t.tags for t in members)
        self.set_groups(tiles, key, apply=apply)

    def set_groups(self, tiles: Sequence[MediaTile], key: str, *, apply: bool) -> None:
        """Tag (or untag) every message of these pictures' near-duplicate groups in the
        case, one decision per group (``services.media``: audited per message)."""
        groups = sorted({t.group for t in tiles if t.group is not None})
        if not groups:
            self.say("The selected pictures are in no near-duplicate group")
            return
        label = self.taxonomy.get(key, (key, ""))[0]
        actor = self.host.actor
        for number in groups:
            ids = tuple(sorted({t.message_id for t in self.model.tiles() if t.group == number}))
            what = (
                f"tag {label} on near-duplicate group {number}"
                if apply
                else f"remove {label} from near-duplicate group {number}"
            )
            self._submit(
                what,
                functools.partial(_set_group, actor=actor, group=number, key=key, apply=apply),
                Effect(ids, tag=key, apply=apply),
            )

    def _submit(self, what: str, operation: Any, effect: Effect) -> None:
        """Queue a change, show it on the tiles now and the case's state once written."""
        self.model.set_tags(
            {
                t.message_id: _tags_after(t.tags, effect)
                for t in self.model.tiles()
                if t.message_id in effect.ids
            }
        )
        self.host.edits.submit(
            what, operation, effect=effect, done=self._written, failed=self._not_saved
        )

    def _written(self, changes: Changes) -> None:
        self.host.apply_changes(changes)
        self._read_tags(changes.message_ids)

    def _not_saved(self, error: NotSaved) -> None:
        parent = self.parent()
        show_error(parent if isinstance(parent, QWidget) else None, ReviewerError(str(error)))
        self._read_tags([t.message_id for t in self.model.tiles()])

    def _read_tags(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        case, ids = self.host.case, list(ids)

        def read(_progress: Any, _cancel: Any) -> dict[int, tuple[str, ...]]:
            found = media_grid.tags_of(case, ids)
            return {i: found.get(i, ()) for i in ids}

        Task(read, writer=False, parent=self).success(self.model.set_tags).failure(
            lambda exc: log.warning("media grid tags: %s", exc)
        ).run()


def _set_group(case: Case, *, actor: Actor, group: int, key: str, apply: bool) -> Changes:
    if apply:
        return media.tag_group(case, actor, group, key)
    return media.untag_group(case, actor, group, key)


def _tags_after(tags: tuple[str, ...], effect: Effect) -> tuple[str, ...]:
    key = effect.tag
    if key is None:
        return tags
    if effect.apply:
        return tags if key in tags else (*tags, key)
    return tuple(t for t in tags if t != key)


def _plural(count: int) -> str:
    return f"{count:,} message{'s' if count != 1 else ''}"
