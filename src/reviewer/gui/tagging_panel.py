"""The right-hand pane: the selected messages' details, categories, stances, note and review
state. It shows state and emits what the reviewer asked for; the main window queues the
change (``gui.edits``), shows it at once with :meth:`TaggingPanel.update_views`, and the
case's state again once it is written or has failed."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.emoji import distinct_emoji, find_emoji
from reviewer.review.taxonomy import GROUP_LABELS, Category, Taxonomy

NO_STANCE = "—"


class NoteEdit(QPlainTextEdit):
    """A note editor that reports its text when it loses focus or on Ctrl+Enter.

    Signals:
        committed(str): the text to save.
    """

    committed = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.committed.emit(self.toPlainText())
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: Any) -> None:
        if self.document().isModified():
            self.committed.emit(self.toPlainText())
        super().focusOutEvent(event)


class TaggingPanel(QWidget):
    """Details and review controls for the current selection (one message or many).

    Signals:
        categoryToggled(str, bool): apply (True) or remove (False) a category on the selection.
        noteCommitted(int, str): the note text of one message.
        stanceChosen(int, int, object): message id, participant id, stance key or None.
        reviewedRequested(bool): mark the selection reviewed (True) or unreviewed (False).
        nextUnreviewedRequested(): move to the next unreviewed message.
    """

    categoryToggled = Signal(str, bool)
    noteCommitted = Signal(int, str)
    stanceChosen = Signal(int, int, object)
    reviewedRequested = Signal(bool)
    nextUnreviewedRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(280)
        self._taxonomy: Taxonomy | None = None
        self._boxes: dict[str, QCheckBox] = {}
        self._states: dict[str, Qt.CheckState] = {}
        self._ids: list[int] = []
        self._views: list[Any] = []
        self._reviewed = False
        self._loading = False

        self.title = QLabel("No message selected")
        self.title.setObjectName("panelTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.details = QLabel()
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        self.categories = QWidget()
        self._categories_layout = QVBoxLayout(self.categories)
        self._categories_layout.setContentsMargins(0, 0, 0, 0)

        self.stances = QGroupBox("Participant stances")
        self._stance_form = QFormLayout(self.stances)
        self._stance_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._stance_combos: dict[int, QComboBox] = {}
        # who the combos are for and what they offer: the next message with the same people
        # present reuses them (building ~30 combo boxes took 100+ ms of the UI thread)
        self._stance_key: tuple[tuple[tuple[int, str], ...], tuple[str, ...]] | None = None
        self._stance_message = 0

        self.note = NoteEdit()
        self.note.setPlaceholderText("Note (saved when you leave the box, or Ctrl+Enter)")
        self.note.setFixedHeight(72)
        self.note.committed.connect(self._note_committed)
        note_box = QGroupBox("Note")
        QVBoxLayout(note_box).addWidget(self.note)

        self.reviewed_button = QPushButton("Mark reviewed")
        self.reviewed_button.setToolTip("Reviewed, no concern (R)")
        self.reviewed_button.clicked.connect(self._reviewed_clicked)
        self.next_button = QPushButton("Next unreviewed")
        self.next_button.setToolTip("Next unreviewed message (U)")
        self.next_button.clicked.connect(self.nextUnreviewedRequested)
        self.state_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.reviewed_button)
        buttons.addWidget(self.next_button)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(_rule())
        layout.addWidget(self.categories)
        layout.addWidget(self.stances)
        layout.addWidget(note_box)
        layout.addWidget(self.state_label)
        layout.addLayout(buttons)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.show_messages([], [])

    # -- set up ----------------------------------------------------------------------------

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        """Build one checkbox per applicable category, grouped as in the taxonomy."""
        self._taxonomy = taxonomy
        while self._categories_layout.count():
            item = self._categories_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._boxes.clear()
        for group in taxonomy.groups:
            if group == "stance":
                continue
            box = QGroupBox(GROUP_LABELS.get(group, group.capitalize()))
            column = QVBoxLayout(box)
            column.setSpacing(2)
            for category in taxonomy.in_group(group):
                if category.retired:
                    continue
                depth = len(taxonomy.ancestors(category.key))
                column.addWidget(self._checkbox(category, depth))
            self._categories_layout.addWidget(box)

    def _checkbox(self, category: Category, depth: int) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        check = QCheckBox(category.label)
        check.setToolTip(f"{category.key}\n{category.description}")
        check.clicked.connect(lambda _checked, key=category.key: self._category_clicked(key))
        # Long labels may be cut at the pane's edge; the tooltip has them in full.
        check.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        check.setMinimumWidth(60)
        swatch = QLabel()
        swatch.setFixedSize(10, 10)
        swatch.setStyleSheet(f"background: {category.colour}; border-radius: 5px;")
        key = QLabel(category.hotkey or "")
        key.setObjectName("hotkey")
        key.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        key.setFixedWidth(14)
        if category.hotkey:
            key.setToolTip(f"Press {category.hotkey} to toggle")
            font = key.font()
            font.setBold(True)
            key.setFont(font)
        line.addWidget(key)
        line.addSpacing(18 * depth)
        line.addWidget(swatch)
        line.addWidget(check, 1)
        self._boxes[category.key] = check
        return row

    # -- showing ---------------------------------------------------------------------------

    @property
    def message_ids(self) -> list[int]:
        return list(self._ids)

    @property
    def views(self) -> list[Any]:
        """The views shown (pending changes included)."""
        return list(self._views)

    def category_state(self, key: str) -> Qt.CheckState:
        return self._states.get(key, Qt.CheckState.Unchecked)

    def show_messages(
        self,
        ids: Sequence[int],
        views: Sequence[Any],
        present: Sequence[Any] | None = (),
        stance_keys: Sequence[Category] = (),
    ) -> None:
        """Show the selection: ``views`` are browse MessageViews (may be fewer than ids when
        the browse service is missing); ``present`` are the participants present (None:
        still being worked out, see :meth:`set_present`)."""
        self._loading = True
        self._ids = list(ids)
        self._views = list(views)
        enabled = bool(self._ids)
        for widget in (self.categories, self.note, self.reviewed_button):
            widget.setEnabled(enabled)
        self._show_details()
        self._show_categories()
        self._show_stances(present, stance_keys)
        single = self._views[0] if len(self._ids) == 1 and self._views else None
        self.note.setEnabled(single is not None)
        self.note.setPlainText((getattr(single, "note", None) or "") if single else "")
        self.note.document().setModified(False)
        self._show_review_state()
        self._loading = False

    def update_views(self, views: Sequence[Any]) -> None:
        """Show new states of the same messages (a change made or written): categories and
        review state only, so a note being typed and the stance boxes stay as they are."""
        self._views = list(views)
        self._show_categories()
        self._show_review_state()

    def _show_details(self) -> None:
        if not self._ids:
            self.title.setText("No message selected")
            self.details.setText(
                "<span>Select a message in the chat view. "
                "Press <b>?</b> for the keyboard shortcuts.</span>"
            )
            return
        if len(self._ids) > 1:
            self.title.setText(f"{len(self._ids):,} messages selected")
            self.details.setText("Changes apply to every selected message.")
            return
        self.title.setText(f"Message #{self._ids[0]}")
        view = self._views[0] if self._views else None
        self.details.setText(details_html(view) if view is not None else "")

    def _show_categories(self) -> None:
        sets = [set(getattr(v, "tags", ())) for v in self._views]
        for key, box in self._boxes.items():
            have = sum(1 for keys in sets if key in keys)
            if not sets or have == 0:
                state = Qt.CheckState.Unchecked
            elif have == len(sets):
                state = Qt.CheckState.Checked
            else:
                state = Qt.CheckState.PartiallyChecked
            self._states[key] = state
            box.setTristate(state == Qt.CheckState.PartiallyChecked)
            box.setCheckState(state)

    def set_present(self, present: Sequence[Any], stance_keys: Sequence[Category]) -> None:
        """The participants present at the one message shown, once they are known."""
        self._loading = True
        try:
            self._show_stances(present, stance_keys)
        finally:
            self._loading = False

    def _show_stances(self, present: Sequence[Any] | None, stance_keys: Sequence[Category]) -> None:
        people: list[tuple[int, str]] = []
        for person in present or ():
            pid = getattr(person, "id", None) or getattr(person, "participant_id", None)
            name = getattr(person, "display_name", None) or getattr(person, "name", "?")
            if isinstance(pid, int):
                people.append((pid, str(name)))
        key = (tuple(people), tuple(c.key for c in stance_keys))
        if len(self._ids) == 1 and present and key == self._stance_key:
            self._stance_message = self._ids[0]
            self._set_stances(stance_keys)
            self.stances.setVisible(True)
            return
        self._stance_key = None
        while self._stance_form.rowCount():
            self._stance_form.removeRow(0)
        self._stance_combos.clear()
        if present is None and len(self._ids) == 1:
            self.stances.setVisible(True)
            self._stance_form.addRow(QLabel("Finding who was present…"))
            return
        if len(self._ids) != 1 or not present:
            self.stances.setVisible(len(self._ids) == 1)
            if len(self._ids) == 1:
                self._stance_form.addRow(QLabel("Who was present is not known yet."))
            return
        self.stances.setVisible(True)
        self._stance_message = self._ids[0]
        for pid, name in people:
            combo = QComboBox()
            combo.addItem(NO_STANCE, None)
            for category in stance_keys:
                combo.addItem(category.label, category.key)
            combo.currentIndexChanged.connect(
                lambda _i, c=combo, p=pid: self._stance_changed(self._stance_message, p, c)
            )
            self._stance_combos[pid] = combo
            self._stance_form.addRow(name, combo)
        self._stance_key = key
        self._set_stances(stance_keys)

    def _set_stances(self, stance_keys: Sequence[Category]) -> None:
        """Show the current message's recorded stances in the combos."""
        view = self._views[0] if self._views else None
        recorded = dict(getattr(view, "stances", ()) or ())
        for pid, combo in self._stance_combos.items():
            current = recorded.get(pid)
            was_blocked = combo.blockSignals(True)  # showing a stance is not choosing one
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(was_blocked)
            label = next((c.label for c in stance_keys if c.key == current), current)
            combo.setToolTip(f"Recorded stance: {label}" if current else "")

    def _show_review_state(self) -> None:
        states = {getattr(v, "review_state", None) for v in self._views}
        self._reviewed = bool(self._views) and states <= {"reviewed", "tagged"}
        if not self._ids:
            self.state_label.setText("")
        elif len(states) == 1 and None not in states:
            self.state_label.setText(f"State: {next(iter(states))}")
        elif self._views:
            self.state_label.setText("State: mixed")
        else:
            self.state_label.setText("")
        self.reviewed_button.setText("Mark unreviewed" if self._reviewed else "Mark reviewed")

    # -- reviewer actions ------------------------------------------------------------------

    def _category_clicked(self, key: str) -> None:
        apply = self._states.get(key) != Qt.CheckState.Checked
        self._show_categories()  # the window shows the change once it is queued
        if self._ids:
            self.categoryToggled.emit(key, apply)

    def _note_committed(self, text: str) -> None:
        if self._loading or len(self._ids) != 1:
            return
        self.note.document().setModified(False)
        self.noteCommitted.emit(self._ids[0], text)

    def _stance_changed(self, message: int, participant: int, combo: QComboBox) -> None:
        if not self._loading:
            self.stanceChosen.emit(message, participant, combo.currentData())

    def _reviewed_clicked(self) -> None:
        if self._ids:
            self.reviewedRequested.emit(not self._reviewed)


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def emoji_lines(text: str) -> list[tuple[str, str, str, int]]:
    """Each emoji of ``text`` once, in order: (the emoji, its name, its code points, how many
    times it occurs). A sequence (skin tone, family, flag) is one emoji."""
    uses = list(find_emoji(text))
    counts = Counter(use.chars for use in uses)
    return [
        (use.chars, use.name, use.codepoints, counts[use.chars]) for use in distinct_emoji(text)
    ]


def details_html(view: Any) -> str:
    """The detail lines of one MessageView: who, exact times, flags, the emoji with their
    names, source, attachments."""

    def esc(value: object) -> str:
        return html.escape(str(value))

    muted = QColor(QPalette().color(QPalette.ColorRole.PlaceholderText)).name()
    rows: list[str] = []
    sender = getattr(view, "sender", None)
    kind = getattr(view, "kind", "")
    rows.append(f"<b>{esc(sender)}</b>" if sender else f"<i>{esc(kind)} message</i>")
    timestamp = getattr(view, "timestamp", None)
    if timestamp:
        rows.append(
            f"{esc(str(timestamp).replace('T', ' '))} <span style='color:{muted}'>local</span>"
        )
    utc = getattr(view, "utc", None)
    if utc:
        rows.append(f"{esc(str(utc).replace('T', ' '))} <span style='color:{muted}'>UTC</span>")
    flag = getattr(view, "time_flag", None)
    if flag:
        rows.append(f"<b>Time {esc(flag)}</b> (clock change): check against other evidence")
    flags = getattr(view, "flags", None) or ()
    shown = [str(f) for f in (flags if not isinstance(flags, str) else [flags])]
    if getattr(view, "edited", False):
        shown.insert(0, "edited")
    if kind and kind != "text":
        shown.insert(0, kind)
    if shown:
        rows.append("Flags: " + esc(", ".join(shown)))
    uses = emoji_lines(getattr(view, "text", "") or "")
    if uses:
        listed = "<br>".join(
            f"{esc(chars)} {esc(name)} <span style='color:{muted}'>({esc(points)})</span>"
            + (f" ×{count}" if count > 1 else "")
            for chars, name, points, count in uses
        )
        rows.append(f"<span style='color:{muted}'>Emoji</span><br>{listed}")
    source = getattr(view, "source_file", None) or getattr(view, "source", None)
    line = getattr(view, "source_line", None) or getattr(view, "line", None)
    if source:
        where = f"{source}" + (f", line {line}" if line else "")
        rows.append(f"<span style='color:{muted}'>Source</span> {esc(where)}")
    for attachment in getattr(view, "attachments", ()) or ():
        name = getattr(attachment, "filename", "?")
        mime = getattr(attachment, "mime", None) or "type unknown"
        digest = getattr(attachment, "sha256", None)
        present = getattr(attachment, "present", False)
        state = "" if present else " <b>(not in the export)</b>"
        rows.append(
            f"📎 {esc(name)}{state}<br><span style='color:{muted}'>{esc(mime)}</span>"
            + (f"<br><code>{esc(digest[:32])}<br>{esc(digest[32:])}</code>" if digest else "")
        )
    return "<br>".join(rows)
