"""The media grid's list model (sorted and filtered in Python, shown through one uniform-size
list view) and its thumbnail loader, which decodes only the tiles the view asks for, off the
UI thread, a batch at a time.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QImage, QImageReader

from reviewer.gui.chat.delegate import blur
from reviewer.gui.tasks import Task
from reviewer.services.media_flags import FlaggedMedia
from reviewer.services.media_grid import MediaTile
from reviewer.services.thumbnails import ensure_thumbnail

_Index = QModelIndex | QPersistentModelIndex

#: The role that returns a row's ``MediaTile``.
TILE_ROLE = Qt.ItemDataRole.UserRole + 1


class Sort(Enum):
    DATE = "Date"
    SCORE = "Sexual-content score"
    GROUP = "Near-duplicate group"


#: Group filter: every tile, or only tiles in some group (else a group's number).
ANY_GROUP = None
IN_A_GROUP = -1


@dataclass(frozen=True, slots=True)
class Filters:
    flagged: bool = False  # possibly sexual (services.media_flags)
    has_text: bool = False
    group: int | None = ANY_GROUP  # ANY_GROUP, IN_A_GROUP or a group's number


class MediaGridModel(QAbstractListModel):
    """All tiles of a conversation or of search results; the rows shown are those passing
    the filters, in the chosen order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tiles: list[MediaTile] = []
        self._shown: list[int] = []
        # the window's flags (its BlurRule's): confirming a suggestion flags a picture at once
        self.current_flags: Callable[[], FlaggedMedia] = FlaggedMedia
        self.order = Sort.DATE
        self.filters = Filters()

    # -- Qt ------------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        tile = self._tiles[self._shown[index.row()]]
        if role == TILE_ROLE:
            return tile
        if role == Qt.ItemDataRole.DisplayRole:
            return tile.filename
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(tile, self.current_flags())
        return None

    # -- contents ------------------------------------------------------------------------------

    def set_tiles(self, tiles: Sequence[MediaTile]) -> None:
        self.beginResetModel()
        self._tiles = list(tiles)
        self._shown = self._order()
        self.endResetModel()

    def arrange(self, sort: Sort, filters: Filters) -> None:
        """Show the tiles passing ``filters`` in ``sort`` order."""
        self.beginResetModel()
        self.order, self.filters = sort, filters
        self._shown = self._order()
        self.endResetModel()

    def tiles(self) -> list[MediaTile]:
        """Every tile, shown or not, in conversation order."""
        return list(self._tiles)

    def shown(self) -> list[MediaTile]:
        return [self._tiles[i] for i in self._shown]

    def tile(self, row: int) -> MediaTile:
        return self._tiles[self._shown[row]]

    def groups(self) -> list[tuple[int, int]]:
        """(group number, messages in the case) of the groups among the tiles, largest first."""
        sizes = {t.group: t.group_size for t in self._tiles if t.group is not None}
        return sorted(
            ((g, s) for g, s in sizes.items() if g is not None), key=lambda gs: (-gs[1], gs[0])
        )

    def is_flagged(self, tile: MediaTile) -> bool:
        """Possibly sexual (``services.media_flags``): kept blurred under "Reveal images"."""
        return self.current_flags().flagged(tile.sha256, tile.message_id)

    def flagged_count(self) -> int:
        flags = self.current_flags()
        return sum(1 for t in self._tiles if flags.flagged(t.sha256, t.message_id))

    def set_tags(self, tags: Mapping[int, Iterable[str]]) -> None:
        """New tags of these messages (their tiles are repainted)."""
        changed = False
        for i, tile in enumerate(self._tiles):
            if tile.message_id in tags:
                new = tuple(tags[tile.message_id])
                if new != tile.tags:
                    self._tiles[i] = dataclasses.replace(tile, tags=new)
                    changed = True
        if changed and self._shown:
            self.dataChanged.emit(self.index(0), self.index(len(self._shown) - 1))

    def _order(self) -> list[int]:
        f = self.filters
        flags = self.current_flags() if f.flagged else None
        rows = [
            i
            for i, t in enumerate(self._tiles)
            if (flags is None or flags.flagged(t.sha256, t.message_id))
            and (not f.has_text or t.has_text)
            and (
                f.group is ANY_GROUP
                or (f.group == IN_A_GROUP and t.group is not None)
                or t.group == f.group
            )
        ]
        tiles = self._tiles
        if self.order is Sort.SCORE:
            rows.sort(key=lambda i: _score_key(tiles[i]))
        elif self.order is Sort.GROUP:
            rows.sort(
                key=lambda i: (
                    tiles[i].group is None,
                    -tiles[i].group_size,
                    tiles[i].group or 0,
                )
            )
        return rows  # sorts are stable: conversation order within equal keys


def _score_key(tile: MediaTile) -> float:
    """Highest score first; tiles not scored last."""
    return -tile.score if tile.score is not None else 1.0


def tooltip(tile: MediaTile, flags: FlaggedMedia) -> str:
    lines = [tile.filename, f"Message #{tile.message_id} · {tile.timestamp or 'no time'}"]
    if tile.exhibits:
        lines.append(f"Held on {', '.join(tile.exhibits)} (one reconciled message)")
    if tile.score is not None:
        lines.append(f"Sexual-content score {tile.score:.2f}")
    reason = flags.reason(tile.sha256, tile.message_id)
    if reason:
        lines.append(f"Flagged: {reason}")
    if tile.group is not None:
        lines.append(f"Near-duplicate group {tile.group}: {tile.group_size} messages in the case")
    if tile.text:
        lines.append(f"Text read in it (machine): {tile.text}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A thumbnail ready to paint: the picture fitted to the tile (None when the file could
    not be read) and a small blurred version, painted scaled up in its place."""

    image: QImage | None
    tiny: QImage | None


class ThumbnailLoader(QObject):
    """Decodes thumbnails on a background queue, a batch at a time: those asked for by paints
    and still on screen when the batch starts; keeps the most recent in memory.

    Signals:
        loaded(): some thumbnails became available (repaint).
    """

    loaded = Signal()

    BATCH = 24
    KEEP = 600

    def __init__(self, side: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.visible: Callable[[], set[Path]] | None = None  # None: decode all asked for
        self._cache: OrderedDict[Path, Decoded] = OrderedDict()
        self._asked: dict[Path, Path] = {}  # thumbnail -> the original, to read instead
        self._reading: set[Path] = set()  # in the batch being decoded
        self._busy = False
        self._queue = f"media-grid-thumbnails-{id(self)}"

    def get(self, path: Path, original: Path) -> Decoded | None:
        """The decoded thumbnail (``original`` read when there is no thumbnail file), or
        None while it is being read (asked for now)."""
        found = self._cache.get(path)
        if found is not None:
            self._cache.move_to_end(path)
            return found
        if path not in self._reading:
            self._asked[path] = original
        if not self._busy:
            self._start()
        return None

    @property
    def busy(self) -> bool:
        return self._busy or bool(self._asked)

    def _start(self) -> None:
        batch: list[tuple[Path, Path]] = []
        visible = self.visible() if self.visible is not None else None
        for path, original in list(self._asked.items()):
            del self._asked[path]
            if path not in self._cache and (visible is None or path in visible):
                batch.append((path, original))
            if len(batch) >= self.BATCH:
                break
        if not batch:
            return
        self._busy = True
        self._reading = {path for path, _original in batch}
        side = self.side

        def decode(_progress: Any, _cancel: Any) -> dict[Path, Decoded]:
            return {path: decode_thumbnail(path, original, side) for path, original in batch}

        Task(decode, queue=self._queue, parent=self).success(self._done).failure(self._failed).run()

    def _done(self, found: dict[Path, Decoded]) -> None:
        self._busy = False
        self._reading = set()
        self._cache.update(found)
        while len(self._cache) > self.KEEP:
            self._cache.popitem(last=False)
        self.loaded.emit()
        if self._asked:
            self._start()

    def _failed(self, _exc: BaseException) -> None:
        self._busy = False
        self._reading = set()
        if self._asked:
            self._start()


def decode_thumbnail(path: Path, original: Path, side: int) -> Decoded:
    """Read a picture scaled to fit ``side`` × ``side`` from its thumbnail, made first in
    the case's cache where the import made none (``services.thumbnails``, shared with the
    chat view and the export); the original itself when no thumbnail can be made. Runs on a
    worker thread."""
    if not path.is_file():
        ensure_thumbnail(path, original)
    reader = QImageReader(str(path if path.is_file() else original))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and size.width() > 0 and size.height() > 0:
        reader.setScaledSize(size.scaled(QSize(side, side), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return Decoded(None, None)
    # the chat view's blur, kept small: painted scaled up, it stays as featureless
    tiny = blur(image, QSize(max(1, image.width() // 6), max(1, image.height() // 6)))
    return Decoded(image, tiny)
