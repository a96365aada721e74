"""The media grid (DESIGN.md §10, issue 13): the pictures, video key frames and stickers of a
conversation, a reconciled chat (each picture of a message once, with the exhibits holding it)
or the search results as blurred thumbnails with their analysis — sorted and filtered by
sexual-content score, near-duplicate group and text read in them — tagged from the keyboard
like the chat view. It follows the main window: another conversation or chat shown there, or
a new search, is shown here too (``follow``).

Keys (on the grid): the category hotkeys (the taxonomy's, as the main window's) tag the
messages carrying the selected pictures (or remove the tag when all have it); Ctrl with a
hotkey tags every message of the selected pictures' near-duplicate groups, or removes the tag
from them when every picture of those groups shown has it, one decision per group (audited
per message); Space reveals the selected pictures one by one (or blurs them again); Enter or a
double-click opens the media viewer. The current picture's message is shown in the chat view.

Every change goes through the main window's edit queue; the tiles are read, and thumbnails
decoded (only those on screen), off the UI thread.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QItemSelectionRange,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui.media_blur import BlurRule
from reviewer.gui.media_grid_delegate import IMAGE_SIDE, TILE_SIZE, TileDelegate
from reviewer.gui.media_grid_host import GridHost, GridSource
from reviewer.gui.media_grid_model import (
    ANY_GROUP,
    IN_A_GROUP,
    Filters,
    MediaGridModel,
    Sort,
    ThumbnailLoader,
)
from reviewer.gui.media_grid_tagging import GridTagging
from reviewer.gui.tasks import Task, show_error
from reviewer.review.taxonomy import Taxonomy
from reviewer.services import media_flags
from reviewer.services.browse import AttachmentView
from reviewer.services.media_flags import FlaggedMedia
from reviewer.services.media_grid import MediaGridData, MediaTile


class MediaGrid(QWidget):
    """A window of thumbnails (one per main window, opened again with other sources).

    Signals:
        loaded(): the tiles of the source were read and are shown.
    """

    loaded = Signal()

    def __init__(
        self,
        host: GridHost,
        taxonomy: Mapping[str, tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.host = host
        self.taxonomy = dict(taxonomy)
        self.setWindowTitle("Media — reviewer")
        self.resize(1120, 780)
        self._sources: list[GridSource] = []
        self._request = 0
        self._rule: BlurRule | None = None
        self._dialogs: list[QWidget] = []

        self.model = MediaGridModel(self)
        self.loader = ThumbnailLoader(IMAGE_SIDE, self)
        self.delegate = TileDelegate(self.loader, self.taxonomy, self)
        self.delegate.blurred = self.is_blurred
        self.delegate.flagged = self.model.is_flagged
        self.model.current_flags = lambda: self.rule.flags
        self.tagging = GridTagging(host, self.model, self.taxonomy, self._say, self)
        self.view = QListView()
        self.view.setObjectName("mediaGrid")
        self.view.setViewMode(QListView.ViewMode.ListMode)
        self.view.setFlow(QListView.Flow.LeftToRight)
        self.view.setWrapping(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)  # only one size hint for thousands of tiles
        self.view.setGridSize(TILE_SIZE)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setItemDelegate(self.delegate)
        self.view.setModel(self.model)
        self.loader.visible = self._visible_paths
        self.loader.loaded.connect(self.view.viewport().update)

        self.source_box = QComboBox()
        self.sort_box = QComboBox()
        for sort in Sort:
            self.sort_box.addItem(sort.value, sort)
        self.flagged_box = QCheckBox("Flagged only")
        self.text_box = QCheckBox("Has text")
        self.group_box = QComboBox()
        self.group_box.setMinimumContentsLength(16)
        self.count_label = QLabel("Reading…")
        self.follow_box = QCheckBox("Show in chat")
        self.follow_box.setToolTip("Show the current picture's message in the chat view")
        self.follow_box.setChecked(True)
        self.reveal_button = QPushButton("Reveal (Space)")
        self.reveal_button.setToolTip("Reveal the selected pictures, or blur them again")
        self.open_button = QPushButton("Open (Enter)")
        self.group_button = QToolButton()
        self.group_button.setText("Tag group")
        self.group_button.setToolTip(
            "Tag every message carrying a picture of the selected pictures' near-duplicate "
            "groups: one decision per group, audited per message (Ctrl + category key)"
        )
        self.group_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for button in (self.reveal_button, self.open_button, self.group_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay on the tiles
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self._build()
        self._install_keys()

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.source_box, 1)
        top.addSpacing(12)
        top.addWidget(QLabel("Sort by"))
        top.addWidget(self.sort_box)
        top.addSpacing(12)
        top.addWidget(self.flagged_box)
        top.addWidget(self.text_box)
        top.addWidget(QLabel("Group"))
        top.addWidget(self.group_box)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        actions.addWidget(self.follow_box)
        actions.addWidget(self.reveal_button)
        actions.addWidget(self.open_button)
        actions.addWidget(self.group_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)
        self.source_box.currentIndexChanged.connect(self._source_chosen)
        self.sort_box.currentIndexChanged.connect(self._arrange)
        self.flagged_box.toggled.connect(self._arrange)
        self.text_box.toggled.connect(self._arrange)
        self.group_box.currentIndexChanged.connect(self._arrange)
        self.reveal_button.clicked.connect(self.toggle_reveal)
        self.open_button.clicked.connect(self.open_current)
        self.view.activated.connect(lambda _index: self.open_current())
        selection = self.view.selectionModel()
        selection.currentChanged.connect(self._current_changed)
        selection.selectionChanged.connect(lambda *_: self._show_counts())
        self._follow_rule()
        self.host.media.finished.connect(lambda _report: self.reload())

    def _install_keys(self) -> None:
        """The category keys and the "Tag group" menu from the main window's hotkeys (again
        when the taxonomy changes), Space and F5."""
        for shortcut in getattr(self, "_keys", []):
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._keys: list[QShortcut] = []
        hotkeys = self.host.category_hotkeys()
        old = self.group_button.menu()
        menu = QMenu(self.group_button)
        untag = QMenu("Remove from the whole group", menu)
        for key, category in hotkeys.items():
            self._key(key, functools.partial(self.toggle_category, category))
            self._key(f"Ctrl+{key}", functools.partial(self.toggle_groups, category))
            label = self.taxonomy.get(category, (category, ""))[0]
            action = menu.addAction(f"{label}\tCtrl+{key}")
            action.triggered.connect(lambda _checked=False, c=category: self.tag_groups(c))
            removal = untag.addAction(label)
            removal.triggered.connect(lambda _checked=False, c=category: self.untag_groups(c))
        menu.addSeparator()
        menu.addMenu(untag)
        self.group_button.setMenu(menu)
        if old is not None:
            old.deleteLater()
        self._key("Space", self.toggle_reveal)
        self._key("F5", self.reload)
        keys = ", ".join(sorted(hotkeys))
        self.hint.setText(
            f"Keys: {keys} tag the selected pictures' messages (again: remove) · Ctrl + key "
            "tags their whole near-duplicate groups (again: removes) · Space reveals · Enter "
            "opens · F5 reads again. Flagged pictures (possibly sexual) stay blurred under "
            "“Reveal images” until revealed one by one."
        )

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        """The case's taxonomy changed: labels and colours of the tags, and the keys."""
        chips = {c.key: (c.label, c.colour) for c in taxonomy}
        self.taxonomy.clear()
        self.taxonomy.update(chips)  # shared with the tagging
        self.delegate.taxonomy = dict(chips)
        self._install_keys()
        self.view.viewport().update()

    def _key(self, sequence: str, slot: Any) -> None:
        shortcut = QShortcut(QKeySequence(sequence), self.view)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(slot)
        self._keys.append(shortcut)

    # -- sources ---------------------------------------------------------------------------

    @property
    def rule(self) -> BlurRule:
        """The window's blur rule: reveals here show in the chat view and the other way."""
        return self.host.chat.blur

    def _follow_rule(self) -> None:
        if self._rule is not self.rule:
            if self._rule is not None:
                self._rule.changed.disconnect(self._rule_changed)
            self._rule = self.rule
            self._rule.changed.connect(self._rule_changed)

    def _rule_changed(self) -> None:
        """What is blurred or flagged changed (a reveal, a confirmed suggestion)."""
        if self.flagged_box.isChecked():
            self._arrange()  # the tiles shown are the flagged ones; the counts follow
        else:
            self.view.viewport().update()
            self._show_counts()

    def show_sources(self, sources: Sequence[GridSource], current: int = 0) -> None:
        """Offer these sources (a conversation, search results) and show ``current``."""
        self._follow_rule()
        self._set_source_box(sources, current)
        if not self._sources:
            self.model.set_tiles([])
            self.count_label.setText("Open a conversation or search first")
            return
        self._source_chosen(current)
        self.view.setFocus()

    def shown_source(self) -> GridSource | None:
        index = self.source_box.currentIndex()
        return self._sources[index] if 0 <= index < len(self._sources) else None

    def follow(self, sources: Sequence[GridSource], *, searched: bool = False) -> None:
        """The main window shows another conversation or reconciled chat, or searched: show
        the new search at once (``searched``), else what the grid showed in its new form — the
        window's conversation or chat if the grid showed one, the search results if it showed
        them and they are still there. Read again only when what is shown changed."""
        shown = self.shown_source()
        pick = 0
        if searched or (shown is not None and shown.is_search):
            pick = next((i for i, s in enumerate(sources) if s.is_search), 0)
        else:
            pick = next((i for i, s in enumerate(sources) if not s.is_search), 0)
        if list(sources) == self._sources and pick == self.source_box.currentIndex():
            return
        if pick < len(sources) and sources[pick] == shown:
            self._set_source_box(sources, pick)  # the same pictures: titles only
            return
        self.show_sources(sources, pick)

    def _set_source_box(self, sources: Sequence[GridSource], current: int) -> None:
        self._sources = list(sources)
        self.source_box.blockSignals(True)
        self.source_box.clear()
        for source in self._sources:
            self.source_box.addItem(source.title)
        self.source_box.setCurrentIndex(current)
        self.source_box.blockSignals(False)

    def reload(self) -> None:
        """Read the shown source again (after an analysis run; F5), keeping the sort and
        filters."""
        if self.isVisible():
            self._source_chosen(self.source_box.currentIndex())

    def _source_chosen(self, index: int) -> None:
        if not 0 <= index < len(self._sources):
            return
        source = self._sources[index]
        self._request += 1
        request = self._request
        self.count_label.setText("Reading…")
        case = self.host.case

        def read(_progress: Any, _cancel: Any) -> tuple[MediaGridData, FlaggedMedia]:
            return source.read(case), media_flags.flagged_media(case)

        def done(found: tuple[MediaGridData, FlaggedMedia]) -> None:
            if request == self._request:
                self._show(*found)

        def failed(exc: BaseException) -> None:
            if request == self._request:
                self.count_label.setText("Could not read the pictures")
                show_error(self, exc)

        Task(read, writer=False, parent=self).success(done).failure(failed).run()

    def _show(self, data: MediaGridData, flags: FlaggedMedia) -> None:
        self.rule.set_flags(flags)  # as fresh as the tiles, for the chat view too
        self.model.set_tiles(data.tiles)
        self.flagged_box.setText(f"Flagged only (score ≥ {flags.threshold:.2f})")
        self.flagged_box.setToolTip(
            "Pictures flagged as possibly sexual: a score at or above the case's threshold, "
            "or a sexual-content suggestion on the message"
        )
        chosen = self.group_box.currentData()
        self.group_box.blockSignals(True)
        self.group_box.clear()
        self.group_box.addItem("Any", ANY_GROUP)
        self.group_box.addItem("In a group", IN_A_GROUP)
        for number, size in self.model.groups():
            self.group_box.addItem(f"≈{number} ({size} messages)", number)
        self.group_box.setCurrentIndex(max(0, self.group_box.findData(chosen)))
        self.group_box.blockSignals(False)
        self._arrange()
        self.loaded.emit()

    # -- sorting and filtering -------------------------------------------------------------

    def _arrange(self) -> None:
        """Sort and filter as the controls say, keeping the current tile if it stays."""
        current = self.view.currentIndex()
        kept = self.model.tile(current.row()) if current.isValid() else None
        sort = self.sort_box.currentData()
        group = self.group_box.currentData()
        self.model.arrange(
            sort if isinstance(sort, Sort) else Sort.DATE,
            Filters(
                flagged=self.flagged_box.isChecked(),
                has_text=self.text_box.isChecked(),
                group=group if isinstance(group, int) else ANY_GROUP,
            ),
        )
        if kept is not None:
            key = (kept.message_id, kept.ordinal)
            row = next(
                (r for r, t in enumerate(self.model.shown()) if (t.message_id, t.ordinal) == key),
                -1,
            )
            if row >= 0:
                self.select_rows([row])
                self.view.scrollTo(self.model.index(row))
        self._show_counts()

    def set_sort(self, sort: Sort) -> None:
        self.sort_box.setCurrentIndex(self.sort_box.findData(sort))

    def set_group_filter(self, group: int | None) -> None:
        self.group_box.setCurrentIndex(max(0, self.group_box.findData(group)))

    def _say(self, text: str) -> None:
        self.count_label.setText(text)

    def _show_counts(self) -> None:
        total, shown = len(self.model.tiles()), self.model.rowCount()
        text = f"{shown:,} of {total:,} pictures" if shown != total else f"{total:,} pictures"
        flagged = self.model.flagged_count()
        if flagged:
            text += f" · {flagged:,} flagged"
        selected = sum(r.height() for r in _ranges(self.view.selectionModel().selection()))
        if selected > 1:
            text += f" · {selected:,} selected"
        self.count_label.setText(text)

    def _visible_paths(self) -> set[Any]:
        """Thumbnails of the tiles on screen and a row either side (rows of tiles are laid
        out left to right, so that is a run of rows)."""
        rows = self.model.rowCount()
        if not rows:
            return set()
        height = self.view.viewport().height()
        per_row = max(1, self.view.viewport().width() // TILE_SIZE.width())
        first = self.view.indexAt(QPoint(1, 1)).row()
        last_row = self.view.indexAt(QPoint(1, height - 2)).row()  # first tile of the last row
        first = 0 if first < 0 else first
        last = rows - 1 if last_row < 0 else last_row + per_row - 1
        low, high = max(0, first - per_row), min(rows - 1, last + per_row)
        return {self.model.tile(r).thumbnail for r in range(low, high + 1)}

    # -- selection, opening, reveal --------------------------------------------------------

    def selected_tiles(self) -> list[MediaTile]:
        """The selected tiles in the order shown, else the current one."""
        ranges = _ranges(self.view.selectionModel().selection())
        rows = sorted({row for r in ranges for row in range(r.top(), r.bottom() + 1)})
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        return [self.model.tile(r) for r in rows]

    def select_rows(self, rows: Sequence[int]) -> None:
        """Select these rows (the first current)."""
        selection = self.view.selectionModel()
        selection.clearSelection()
        for n, row in enumerate(rows):
            index = self.model.index(row)
            flags = QItemSelectionModel.SelectionFlag.Select
            if n == 0:
                selection.setCurrentIndex(index, flags)
            else:
                selection.select(index, flags)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self.follow_box.isChecked():
            tile = self.model.tile(current.row())
            self.host.show_message(tile.conversation_id, tile.message_id)

    def open_current(self) -> None:
        """The media viewer on the current picture."""
        from reviewer.gui.media_viewer import MediaViewer

        index = self.view.currentIndex()
        if not index.isValid():
            return
        tile = self.model.tile(index.row())
        attachment = AttachmentView(
            tile.filename, tile.sha256, tile.mime, True, None, None, tile.thumbnail, tile.evidence
        )
        viewer = MediaViewer(
            self.host.case, attachment, self, blur=self.rule, message_id=tile.message_id
        )
        self._dialogs = [d for d in self._dialogs if d.isVisible()]
        self._dialogs.append(viewer)
        viewer.show()

    def is_blurred(self, tile: MediaTile) -> bool:
        return self.rule.is_blurred(tile.sha256, tile.message_id)

    def toggle_reveal(self) -> None:
        """Space: reveal the selected pictures (a flagged one only alone and after the
        reviewer confirms, as in the chat view), or blur them again if none is blurred.
        Never persisted."""
        tiles = self.selected_tiles()
        if not tiles:
            return
        rule = self.rule
        blurred = [t for t in tiles if self.is_blurred(t)]
        if not blurred:
            for tile in tiles:
                rule.reveal_message(tile.message_id, False)
            return
        flagged = [t for t in blurred if self.model.is_flagged(t)]
        if flagged and len(tiles) > 1:
            self.count_label.setText(
                "Flagged pictures are revealed one at a time: select one and press Space"
            )
        for tile in blurred:
            if tile not in flagged or len(tiles) == 1:
                rule.request_reveal(self, tile.sha256, tile.message_id)

    # -- tagging ---------------------------------------------------------------------------

    def toggle_category(self, key: str) -> None:
        """A category key: tag the selected pictures' messages (again: remove the tag)."""
        self.tagging.toggle_category(self.selected_tiles(), key)

    def toggle_groups(self, key: str) -> None:
        """Ctrl + a category key: tag the selected pictures' whole near-duplicate groups, or
        remove the tag from them when every picture of those groups shown has it."""
        self.tagging.toggle_groups(self.selected_tiles(), key)

    def tag_groups(self, key: str) -> None:
        """The "Tag group" menu: tag the selected pictures' whole near-duplicate groups."""
        self.tagging.set_groups(self.selected_tiles(), key, apply=True)

    def untag_groups(self, key: str) -> None:
        """The "Tag group" menu's removal: the tag off the selected pictures' whole groups."""
        self.tagging.set_groups(self.selected_tiles(), key, apply=False)


def _ranges(selection: QItemSelection) -> list[QItemSelectionRange]:
    """The ranges of a selection (a select-all is one range, not thousands of indexes)."""
    return [selection.at(i) for i in range(selection.count())]
