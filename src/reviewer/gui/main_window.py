"""The main window (DESIGN.md §5a): navigator, timeline and chat view, tagging panel, search
bar, toolbar and status bar, and the keyboard shortcuts that drive a review."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QDate, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui.about import show_about
from reviewer.gui.chat.model import MessageListModel
from reviewer.gui.chat.view import ChatView
from reviewer.gui.edits import EditQueue
from reviewer.gui.media_session import MediaSession, report_text
from reviewer.gui.navigator import NavigatorPane
from reviewer.gui.package_check import check_package_on_open
from reviewer.gui.reconciled_view import ReconciledController
from reviewer.gui.review_actions import ReviewActions
from reviewer.gui.search_bar import SearchBar, SearchRequest
from reviewer.gui.tagging_panel import TaggingPanel
from reviewer.gui.tasks import Task, error_text
from reviewer.gui.timeline import TimelineStrip
from reviewer.review.taxonomy import Taxonomy
from reviewer.services import audit_log, browse, participants, screening, search, tagging
from reviewer.services import taxonomy as taxonomy_service
from reviewer.services.actor import Actor
from reviewer.services.case import Case

log = logging.getLogger("reviewer.gui")

#: Hits fetched per search page.
SEARCH_PAGE = 500
#: The next page of hits is fetched (in the background) this close to the end of the last.
SEARCH_PREFETCH = 100

SHORTCUTS = (
    ("j / k, ↓ / ↑", "Next / previous message"),
    ("1–9, category hotkeys", "Toggle that category on the selection"),
    ("n / p", "Next / previous search hit"),
    ("u", "Next unreviewed message"),
    ("r", "Mark the selection reviewed (no concern)"),
    ("s", "Next lexicon suggestion"),
    ("Enter / Delete", "Confirm / dismiss the current suggestion"),
    ("Ctrl+F", "Search"),
    ("Ctrl+G", "Jump to a date"),
    ("Ctrl+I", "Import an export"),
    ("Ctrl+Shift+B", "Reveal or blur all images"),
    ("v", "Reveal the current message's pictures (a flagged one asks first)"),
    ("Ctrl+Shift+M", "Media grid of the conversation or the search results"),
    ("?", "This list"),
)


class MainWindow(ReviewActions):
    """One open case.

    Attributes:
        case: the open case (closed with the window).
        actor: who is reviewing; every change is recorded under this name.
        chat: the chat view (``gui.chat.view.ChatView``).

    Signals:
        closed(): the window closed and its case is closed.
        taxonomyChanged(object): the case's taxonomy changed (read again by ``reload``, after
            an import, merge or adjudication); the panes and the media grid follow it.
    """

    closed = Signal()
    taxonomyChanged = Signal(object)

    def __init__(
        self,
        case: Case,
        actor: Actor,
        *,
        role: str = "",
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.case = case
        self.actor = actor
        self.role = role
        self._settings = settings
        self._summary = case.summary()
        self._taxonomy: Taxonomy = self._load_taxonomy()
        self._conversation: int | None = None
        self._conversations: list[Any] = []
        self._hits: list[int] = []
        self._hit_index: int | None = None
        self._hit_total: int | None = None
        self._hit_after: Any = None
        self._search_request: SearchRequest | None = None
        self._fetching_hits = False
        self._selection: list[int] = []
        self.current_suggestion: screening.SuggestionView | None = None
        self.search_task: Task[Any] | None = None
        self.audit_head: tuple[str, bool | None] = ("", None)
        self._dialogs: list[QWidget] = []
        self._timeline_request = 0
        self.shortcuts_sheet: QMessageBox | None = None
        self.media_grid: Any = None  # gui.media_grid.MediaGrid, made when first opened
        self.setWindowTitle(self._title())
        self.resize(1400, 860)

        self.navigator = NavigatorPane()
        self.timeline = TimelineStrip()
        self.chat = ChatView(self)
        self.model = MessageListModel(case, parent=self)
        self.reconciled = ReconciledController(self)
        self.edits = EditQueue(case, self)
        self.media = MediaSession(case, actor, self.edits, self)
        self.chat.set_blur_rule(self.media.blur)
        self.chat.set_image_mark_provider(self._image_mark)
        self._image_hits: set[int] = set()
        self._close_after_analysis = False
        self._close_when_saved = False
        self.chat.set_model(self.model)
        self._spans: dict[int, list[tuple[int, int]]] = {}
        self._groups: dict[int, participants.GroupPresence] = {}
        self._open_suggestions: int | None = None  # unknown until the status bar is read
        self._finding: set[int] = set()
        self.panel = TaggingPanel()
        self.search_bar = SearchBar()
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.timeline)
        centre_layout.addWidget(self.reconciled.bar)
        centre_layout.addWidget(self.chat, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([270, 770, 360])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self._build_actions()
        self._build_status_bar()
        self._build_shortcuts()
        self._connect()
        self._restore_state()

        self.chat.set_highlight_provider(self.lexicon_spans)
        self.taxonomyChanged.connect(self._show_taxonomy)
        self._show_taxonomy(self._taxonomy)
        self.reload()
        check_package_on_open(self, case)

    # -- building --------------------------------------------------------------------------

    def _title(self) -> str:
        title = f"Case {self._summary.reference}"
        if self._summary.title:
            title += f" · {self._summary.title}"
        return f"{title} — reviewer"

    def _action(
        self,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.import_action = self._action(
            "Import…", self.open_import_dialog, "Ctrl+I", "Import a WhatsApp export"
        )
        self.export_action = self._action(
            "Export…", self.open_export_dialog, "Ctrl+E", "Export an evidence bundle"
        )
        self.package_action = self._action(
            "New package…", self.open_package_dialog, None, "Cut a package for another reviewer"
        )
        self.merge_action = self._action(
            "Merge package…", self.open_merge_dialog, None, "Take a package's review back"
        )
        self.analyse_action = self._action(
            "Analyse media…",
            self.open_analysis_dialog,
            None,
            "Read the text in images, score sexual content, group near-duplicates",
        )
        self.adjudicate_action = self._action(
            "Adjudicate…", self.open_adjudication, None, "Decide what reviewers disagreed on"
        )
        self.reveal_action = QAction("Reveal images", self)
        self.reveal_action.setCheckable(True)
        self.reveal_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.reveal_action.setToolTip(
            "Images are blurred by default. Reveal them all for this session (Ctrl+Shift+B)"
        )
        self.reveal_action.toggled.connect(self.set_reveal_all)
        self.audit_action = self._action(
            "Audit log", self.open_audit_view, None, "The case's audit log, with Verify"
        )
        self.media_grid_action = self._action(
            "Media grid",
            self.open_media_grid,
            "Ctrl+Shift+M",
            "The pictures of this conversation or of the search results, blurred, to sort, "
            "filter and tag (Ctrl+Shift+M)",
        )
        self.close_action = self._action(
            "Close case", self.close, QKeySequence.StandardKey.Close, "Close this case"
        )
        self.jump_action = self._action("Jump to date…", self.jump_to_date, "Ctrl+G")
        self.find_action = self._action(
            "Find", self.search_bar.focus_text, QKeySequence.StandardKey.Find
        )
        self.shortcuts_action = self._action("Keyboard shortcuts", self.show_shortcuts, "?")
        self.about_action = self._action("About reviewer", self.show_about)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.case_label = QLabel(self._title().removesuffix(" — reviewer"))
        self.case_label.setContentsMargins(6, 0, 12, 0)
        font = self.case_label.font()
        font.setBold(True)
        self.case_label.setFont(font)
        toolbar.addWidget(self.case_label)
        toolbar.addSeparator()
        toolbar.addAction(self.import_action)
        toolbar.addAction(self.export_action)
        toolbar.addAction(self.reveal_action)
        toolbar.addAction(self.media_grid_action)
        toolbar.addAction(self.audit_action)
        self.addToolBar(toolbar)
        self.addToolBarBreak()
        search = QToolBar("Search")
        search.setObjectName("searchToolbar")
        search.setMovable(False)
        search.addWidget(self.search_bar)
        self.addToolBar(search)

        menu = self.menuBar()
        file_menu = menu.addMenu("&Case")
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.analyse_action)
        file_menu.addSeparator()
        file_menu.addAction(self.package_action)
        file_menu.addAction(self.merge_action)
        file_menu.addAction(self.adjudicate_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(self.reveal_action)
        view_menu.addAction(self.media_grid_action)
        view_menu.addAction(self.audit_action)
        go_menu = menu.addMenu("&Go")
        go_menu.addAction(self.find_action)
        go_menu.addAction(self.jump_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress_label = QLabel()
        self.reviewer_label = QLabel()
        self.audit_label = QLabel()
        for label in (self.progress_label, self.reviewer_label, self.audit_label):
            label.setContentsMargins(8, 0, 8, 0)
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pendingLabel")
        self.pending_label.setContentsMargins(8, 0, 8, 0)
        bar.addWidget(self.progress_label, 1)
        bar.addPermanentWidget(self.media.status)
        bar.addPermanentWidget(self.pending_label)
        bar.addPermanentWidget(self.reviewer_label)
        bar.addPermanentWidget(self.audit_label)
        who = self.actor.name + (f" ({self.role})" if self.role else "")
        self.reviewer_label.setText(f"Reviewer: {who}")
        self.reviewer_label.setToolTip(
            f"Recorded in the audit log as {self.actor.name} on {self.actor.workstation}"
        )

    def _shortcut(self, key: str, slot: Callable[[], Any], *, on_chat: bool = False) -> QShortcut:
        parent = self.chat if on_chat else self
        shortcut = QShortcut(QKeySequence(key), parent)
        if on_chat:
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    def _build_shortcuts(self) -> None:
        self._category_shortcuts: list[QShortcut] = []
        self._shortcut("n", self.next_hit)
        self._shortcut("p", self.previous_hit)
        self._shortcut("u", self.next_unreviewed)
        self._shortcut("r", lambda: self.mark_reviewed(True))
        self._shortcut("s", self.next_suggestion)
        self._shortcut("Return", self.confirm_suggestion, on_chat=True)
        self._shortcut("Enter", self.confirm_suggestion, on_chat=True)
        self._shortcut("Delete", self.dismiss_suggestion, on_chat=True)

    def category_hotkeys(self) -> dict[str, str]:
        """Key → category: the taxonomy's hotkeys, else 1–9 over the top-level content
        categories."""
        keys = {
            c.hotkey: c.key
            for c in self._taxonomy
            if c.hotkey and not c.retired and c.group in tagging.TAGGABLE_GROUPS
        }
        if not keys:
            tops = [c for c in self._taxonomy.children(None) if c.group == "content"]
            keys = {str(i): c.key for i, c in enumerate(tops[:9], 1)}
        return keys

    def _install_category_shortcuts(self) -> None:
        for shortcut in self._category_shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._category_shortcuts = [
            self._shortcut(key, functools.partial(self.toggle_category, category))
            for key, category in self.category_hotkeys().items()
        ]

    def _connect(self) -> None:
        self.navigator.conversationActivated.connect(self.show_conversation)
        self.navigator.reconciledActivated.connect(self.reconciled.show_chat)
        self.navigator.reconciledActivated.connect(lambda _id: self._media_grid_follows())
        self.navigator.categoryActivated.connect(self.filter_by_category)
        self.navigator.participantActivated.connect(self.filter_by_sender)
        self.timeline.dayClicked.connect(self.jump_to)
        self.chat.currentMessageChanged.connect(self._current_changed)
        self.chat.selectionChanged.connect(self._selection_changed)
        self.chat.mediaActivated.connect(self.open_media)
        self.panel.categoryToggled.connect(self.set_category)
        self.panel.noteCommitted.connect(self.save_note)
        self.panel.stanceChosen.connect(self.set_stance)
        self.panel.reviewedRequested.connect(self.mark_reviewed)
        self.panel.nextUnreviewedRequested.connect(self.next_unreviewed)
        self.edits.pendingChanged.connect(self._pending_changed)
        self.search_bar.searchRequested.connect(self.run_search)
        self.search_bar.nextRequested.connect(self.next_hit)
        self.search_bar.previousRequested.connect(self.previous_hit)
        self.media.finished.connect(self._analysed)
        self.media.failed.connect(self._analysis_failed)
        self.media.revealNotSaved.connect(self._not_saved)

    # -- settings --------------------------------------------------------------------------

    def _restore_state(self) -> None:
        if self._settings is None:
            return
        geometry = self._settings.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = self._settings.value("main/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def _save_state(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue("main/geometry", self.saveGeometry())
        self._settings.setValue("main/splitter", self.splitter.saveState())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.panel.note.clearFocus()  # saves a note being typed
        if self.edits.pending:
            # Close once every change is written (or reported): never close the case under
            # a change still waiting for it.
            self._close_when_saved = True
            self.statusBar().showMessage(
                "Saving your changes; the case closes when they are written", 0
            )
            event.ignore()
            return
        if self.media.running:  # stop the analysis first; what it stored is kept
            self._close_after_analysis = True
            self.media.cancel()
            self.statusBar().showMessage("Stopping the media analysis; the case then closes", 0)
            event.ignore()
            return
        self._save_state()
        for dialog in self._dialogs:
            dialog.close()
        super().closeEvent(event)
        self.case.close()
        self.closed.emit()

    # -- loading ---------------------------------------------------------------------------

    def _load_taxonomy(self) -> Taxonomy:
        with self.case.reading() as session:
            return taxonomy_service.current(session)

    def _show_taxonomy(self, taxonomy: Taxonomy) -> None:
        """The taxonomy's categories, labels, colours and hotkeys in every pane."""
        self._taxonomy = taxonomy
        self.chat.set_taxonomy({c.key: (c.label, c.colour) for c in taxonomy})
        self.panel.set_taxonomy(taxonomy)
        self.navigator.set_taxonomy(taxonomy)
        self.search_bar.set_categories([c for c in taxonomy if c.group in tagging.TAGGABLE_GROUPS])
        self._install_category_shortcuts()

    def reload(self) -> None:
        """Re-read everything the panes show (after opening or an import)."""
        taxonomy = self._load_taxonomy()
        if taxonomy != self._taxonomy:
            self.taxonomyChanged.emit(taxonomy)
        self._groups.clear()
        self._conversations = browse.conversations(self.case)
        self.navigator.set_conversations(self._conversations)
        self.reconciled.refresh()
        self._load_participants()
        self.refresh_counts()
        self.refresh_status()
        self.media.refresh_flags()
        if self.reconciled.chat is not None:
            self.reconciled.show_chat(self.reconciled.chat.id)
            self._media_grid_follows()
        elif self._conversations and (
            self._conversation is None
            or all(c.id != self._conversation for c in self._conversations)
        ):
            self.show_conversation(int(self._conversations[0].id))
        elif not self._conversations:
            self.panel.show_messages([], [])

    def _load_participants(self) -> None:
        """Participants with their message counts (a pass over the messages), off the UI
        thread."""
        case = self.case

        def read(_progress: Any, _cancel: Any) -> list[Any]:
            return list(participants.list_participants(case))

        def done(people: list[Any]) -> None:
            self.navigator.set_participants(people)
            names = sorted({p.display_name for p in people} - {""}, key=str.casefold)
            self.search_bar.set_senders(names)

        Task(read, writer=False, parent=self).success(done).failure(
            lambda exc: log.warning("participants: %s", exc)
        ).run()

    def _pending_changed(self) -> None:
        self._show_pending()
        if self._close_when_saved and not self.edits.pending:
            self.close()

    def show_conversation(self, conversation_id: int) -> None:
        self.reconciled.leave()
        self._conversation = conversation_id
        self.navigator.select_conversation(conversation_id)
        info = next((c for c in self._conversations if c.id == conversation_id), None)
        self.chat.set_custodian_id(info.custodian_id if info is not None else None)
        self.model.set_ids(browse.conversation_message_ids(self.case, conversation_id))
        self._read_timeline()
        self._media_grid_follows()

    def leave_conversation(self) -> None:
        """No conversation shown (a reconciled chat is, or is about to be)."""
        self._conversation = None
        self._read_timeline()

    def refresh_counts(self) -> None:
        """Per-category counts (one GROUP BY over the tags), off the UI thread."""
        case = self.case

        def count(_progress: Any, _cancel: Any) -> dict[str, int]:
            return tagging.category_counts(case)

        Task(count, writer=False, parent=self).success(self.navigator.set_category_counts).failure(
            lambda exc: log.warning("category counts: %s", exc)
        ).run()

    def refresh_audit_head(self) -> Task[Any]:
        """The audit chain, verified off the UI thread."""
        case = self.case

        def verify(_progress: Any, _cancel: Any) -> Any:
            with case.reading() as session:
                return audit_log.verify(session)

        return (
            Task(verify, writer=False, parent=self)
            .success(self._show_audit_head)
            .failure(lambda exc: self.audit_label.setText(f"Audit: cannot read ({exc})"))
            .run()
        )

    def _show_audit_head(self, report: Any) -> None:
        head = str(report.head)
        short = f"{head[:4]}…{head[-3:]}" if head else "—"
        self.audit_head = (short, bool(report.ok))
        if report.ok:
            self.audit_label.setText(f"Audit head {short} ✓ verified")
            self.audit_label.setToolTip(f"{report.entries:,} entries; head {head}")
        else:
            self.audit_label.setText(f"Audit head {short} ✗ BROKEN at entry {report.broken_seq}")
            self.audit_label.setToolTip(str(report.reason or ""))
            self.audit_label.setStyleSheet("color: #d64545; font-weight: bold")

    # -- selection -------------------------------------------------------------------------

    def lexicon_spans(self, message_id: int) -> list[tuple[int, int]]:
        """Character spans of open lexicon suggestions, for the chat view's highlighting
        (none to look up while the case is known to have no open suggestions)."""
        if self._open_suggestions == 0:
            return []
        if message_id not in self._spans:
            found = screening.suggestions_for(self.case, [message_id]).get(message_id, [])
            self._spans[message_id] = [(s.start, s.end) for s in found]
        return self._spans[message_id]

    def _current_changed(self, message_id: int) -> None:
        if message_id < 0:
            return
        # The current message is on screen, so its page is in the model's cache: no query
        # per cursor move.
        view = self.model.cached(message_id) or self._views([message_id]).get(message_id)
        stamp = getattr(view, "timestamp", None)
        if stamp:
            with contextlib.suppress(ValueError):
                self.timeline.set_current_date(dt.date.fromisoformat(str(stamp)[:10]))

    # -- moving ----------------------------------------------------------------------------

    def jump_to(self, message_id: int) -> None:
        self.chat.jump_to(message_id)

    def jump_to_date(self) -> None:
        days = self.timeline.days
        if not days:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle("Jump to date")
        calendar = QCalendarWidget()
        calendar.setMinimumDate(QDate(days[0].date))
        calendar.setMaximumDate(QDate(days[-1].date))
        calendar.setSelectedDate(QDate(days[0].date))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        calendar.activated.connect(lambda _d: dialog.accept())
        layout = QVBoxLayout(dialog)
        layout.addWidget(calendar)
        layout.addWidget(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            chosen = calendar.selectedDate().toPython()
            assert isinstance(chosen, dt.date)
            self.jump_to_day(chosen)

    def jump_to_day(self, date: dt.date) -> None:
        """The first message on ``date``, or on the next day with messages."""
        for day in self.timeline.days:
            if day.date >= date:
                self.timeline.set_current_date(day.date)
                self.jump_to(day.first_id)
                return

    # -- search ----------------------------------------------------------------------------

    def filter_by_category(self, key: str) -> None:
        self.search_bar.set_category(key)
        self.run_search()

    def filter_by_sender(self, name: str) -> None:
        index = self.search_bar.sender_box.findData(name)
        if index >= 0:
            self.search_bar.sender_box.setCurrentIndex(index)
            self.run_search()

    def run_search(self, *, jump: bool = True) -> None:
        request = self.search_bar.request()
        self._search_request = request
        self._hits, self._hit_index, self._hit_after = [], None, None
        self._image_hits = set()
        # a search the reviewer ran (not one run again after analysis or a filter change)
        self._media_grid_follows(searched=jump and not request.empty)
        if request.empty:
            self._hit_total = None
            self.search_bar.set_position(None, None)
            return
        case = self.case
        filters = self._search_filters(request)
        query = request.text or None

        def run(_progress: Any, cancel: Any) -> tuple[search.SearchPage, int]:
            page = search.search(
                case, query, filters, regex=request.regex, limit=SEARCH_PAGE, cancel=cancel
            )
            return page, search.count(case, query, filters, regex=request.regex)

        def done(result: tuple[search.SearchPage, int]) -> None:
            if self._search_request is not request:
                return  # a newer search replaced this one
            page, total = result
            self._hits = [hit.shown_as or hit.id for hit in page.hits]
            self._image_hits = {hit.id for hit in page.hits if hit.in_image}
            self._hit_after = page.next_after
            self._hit_total = total
            self.search_bar.set_position(None, total)
            if self._hits and jump:
                self._go_to_hit(0)

        def failed(exc: BaseException) -> None:
            if self._search_request is request:
                self.search_bar.set_position(None, 0)
                self.statusBar().showMessage(error_text(exc), 8000)

        self.search_task = Task(run, writer=False, parent=self).success(done).failure(failed)
        self.search_task.run()

    def _search_filters(self, request: SearchRequest) -> search.SearchFilters:
        """The search's filters; in a reconciled chat, its messages once each under the filter
        bar's choice (DESIGN.md §9)."""
        return self.reconciled.narrow(_filters(request))

    def _go_to_hit(self, index: int) -> None:
        self._hit_index = index
        message_id = self._hits[index]
        in_image = message_id in self._image_hits
        self.search_bar.set_position(index, self._hit_total, in_image=in_image)
        view = self._views([message_id]).get(message_id)
        in_chat = self.reconciled.chat is not None  # hits are the reconciled chat's rows
        if view is not None and view.conversation_id != self._conversation and not in_chat:
            self.show_conversation(view.conversation_id)
        self.jump_to(message_id)
        if index + SEARCH_PREFETCH >= len(self._hits):
            self._fetch_more_hits()

    def next_hit(self) -> None:
        if not self._hits:
            return
        index = -1 if self._hit_index is None else self._hit_index
        if index + 1 >= len(self._hits) and self._hit_after is not None:
            self._fetch_more_hits()
            self.statusBar().showMessage("Fetching more hits…", 2000)
            return
        self._go_to_hit((index + 1) % len(self._hits))

    def previous_hit(self) -> None:
        if not self._hits:
            return
        index = 0 if self._hit_index is None else self._hit_index
        self._go_to_hit((index - 1) % len(self._hits))

    def _fetch_more_hits(self) -> None:
        """The next page of hits, in the background (one fetch at a time)."""
        request = self._search_request
        after = self._hit_after
        if request is None or after is None or self._fetching_hits:
            return
        self._fetching_hits = True
        case = self.case

        def run(_progress: Any, _cancel: Any) -> search.SearchPage:
            return search.search(
                case,
                request.text or None,
                self._search_filters(request),
                regex=request.regex,
                after=after,
                limit=SEARCH_PAGE,
            )

        def done(page: search.SearchPage) -> None:
            self._fetching_hits = False
            if self._search_request is request and self._hit_after == after:
                self._hits.extend(hit.shown_as or hit.id for hit in page.hits)
                self._image_hits.update(hit.id for hit in page.hits if hit.in_image)
                self._hit_after = page.next_after

        def failed(exc: BaseException) -> None:
            self._fetching_hits = False
            self.statusBar().showMessage(error_text(exc), 8000)

        Task(run, writer=False, parent=self).success(done).failure(failed).run()

    # -- lexicon suggestions ---------------------------------------------------------------

    def next_suggestion(self) -> None:
        """S: the next open lexicon suggestion after the current message."""
        suggestion = screening.next_open(self.case, max(self.chat.current_id(), 0))
        self.current_suggestion = suggestion
        if suggestion is None:
            self.statusBar().showMessage("No open lexicon suggestions", 4000)
            return
        self.jump_to(suggestion.message_id)
        category = self._taxonomy.get(suggestion.category)
        label = category.label if category is not None else suggestion.category
        self.statusBar().showMessage(
            f"Suggestion: “{suggestion.term}” → {label}. Enter confirms, Delete dismisses", 10000
        )

    # -- other windows ---------------------------------------------------------------------

    def set_reveal_all(self, reveal: bool) -> None:
        self.chat.set_reveal_all(reveal)
        self.reveal_action.setText("Blur images" if reveal else "Reveal images")

    def open_import_dialog(self) -> None:
        from reviewer.gui.import_dialog import ImportDialog

        dialog = ImportDialog(self.case, self.actor, self)
        dialog.imported.connect(lambda _result: self.reload())
        dialog.imported.connect(lambda _result: self.media.start_after_import())
        dialog.open()

    def open_analysis_dialog(self) -> None:
        from reviewer.gui.analysis_dialog import AnalysisDialog

        dialog = AnalysisDialog(self.media, self)
        self._dialogs.append(dialog)
        dialog.open()

    def _analysed(self, report: Any) -> None:
        """A media analysis run ended: new suggestions, flags and image text to show."""
        if self._close_after_analysis:
            self.close()
            return
        self.statusBar().showMessage(report_text(report), 15000)
        self.media.refresh_flags()
        self.refresh_status()
        self.chat.refresh()
        if self._search_request is not None and not self._search_request.empty:
            self.run_search(jump=False)  # words found in images are hits now

    def _analysis_failed(self, text: str) -> None:
        if self._close_after_analysis:
            self.close()
            return
        self.media.refresh_flags()
        self.statusBar().showMessage(text, 10000)

    def _image_mark(self, message_id: int) -> str | None:
        return "found in image" if message_id in self._image_hits else None

    def open_export_dialog(self) -> None:
        from reviewer.gui.export_dialog import ExportDialog

        exhibits = sorted({c.exhibit for c in self._conversations})
        dialog = ExportDialog(self.case, self.actor, self._taxonomy, exhibits, self)
        # The export appends its audit entry: show the new chain head.
        dialog.exported.connect(lambda _result: self.refresh_status())
        dialog.open()

    def open_package_dialog(self) -> None:
        from reviewer.gui.package_dialogs import NewPackageDialog

        exhibits = sorted({c.exhibit for c in self._conversations})
        dialog = NewPackageDialog(self.case, self.actor, exhibits, self)
        dialog.packaged.connect(lambda _result: self.refresh_status())
        dialog.open()

    def open_merge_dialog(self) -> None:
        from reviewer.gui.package_dialogs import MergePackageDialog

        dialog = MergePackageDialog(self.case, self.actor, self)
        dialog.merged.connect(lambda _report: self.reload())
        dialog.open()

    def open_adjudication(self) -> None:
        from reviewer.gui.package_dialogs import AdjudicationDialog

        dialog = AdjudicationDialog(self.case, self.actor, self)
        dialog.decided.connect(lambda _done: self.reload())
        dialog.open()

    def open_audit_view(self) -> None:
        from reviewer.gui.audit_view import AuditView

        view = AuditView(self.case, self)
        self._dialogs.append(view)
        view.show()

    def open_media_grid(self) -> None:
        """The media grid (one per window) on this conversation and, when a search is
        active, its results (shown first)."""
        from reviewer.gui.media_grid import MediaGrid

        if self.media_grid is None:
            taxonomy = {c.key: (c.label, c.colour) for c in self._taxonomy}
            self.media_grid = MediaGrid(self, taxonomy, self)
            self.taxonomyChanged.connect(self.media_grid.set_taxonomy)
        self.media_grid.show_sources(*self._media_grid_sources())
        self.media_grid.show()
        self.media_grid.raise_()
        self.media_grid.activateWindow()

    def _media_grid_sources(self) -> tuple[list[Any], int]:
        """The grid's sources: what the chat view shows (a conversation or a reconciled
        chat) and the search results, if a search is active."""
        from reviewer.gui.media_grid_host import sources_for

        conversation = next((c for c in self._conversations if c.id == self._conversation), None)
        request = self._search_request
        found = None
        if request is not None and not request.empty:
            found = (request.text, self._search_filters(request), request.regex)
        return sources_for(conversation, found, self.reconciled.chat)

    def _media_grid_follows(self, *, searched: bool = False) -> None:
        """The open media grid follows the window: the conversation or reconciled chat shown,
        and a new search (``searched``) shown at once (``MediaGrid.follow``)."""
        grid = self.media_grid
        if grid is not None and grid.isVisible():
            grid.follow(self._media_grid_sources()[0], searched=searched)

    def show_message(self, conversation_id: int, message_id: int) -> None:
        """A message in the chat view, its conversation shown first (from the media grid);
        in a reconciled chat, the chat's message (every picture the grid shows is in it)."""
        if self.reconciled.chat is None and conversation_id != self._conversation:
            self.show_conversation(conversation_id)
        self.jump_to(message_id)

    def _flag_message(self, message_id: int) -> None:
        view = self._views([message_id]).get(message_id)
        files = [a.sha256 for a in getattr(view, "attachments", ()) or () if a.sha256]
        self.media.blur.flag_message(message_id, files)

    def _read_flags(self) -> None:
        self.media.refresh_flags()

    def open_media(self, message_id: int, ordinal: int) -> None:
        from reviewer.gui.media_viewer import MediaViewer

        views = self._views([message_id])
        view = views.get(message_id)
        attachments = list(getattr(view, "attachments", ()) or ())
        if not attachments:
            return
        attachment = attachments[min(max(ordinal, 0), len(attachments) - 1)]
        viewer = MediaViewer(
            self.case, attachment, self, blur=self.media.blur, message_id=message_id
        )
        self._dialogs.append(viewer)
        viewer.show()

    def show_shortcuts(self) -> None:
        """Help ▸ Keyboard shortcuts: one two-column table, so both parts line up."""
        cell = "style='padding:2px 18px 2px 0; white-space:nowrap'"
        rows = [
            f"<tr><td {cell}><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in SHORTCUTS
        ]
        hotkeys = self.category_hotkeys()
        if hotkeys:
            rows.append(
                "<tr><td colspan='2' style='padding:12px 0 4px 0'><b>Category hotkeys</b></td></tr>"
            )
            rows.extend(
                f"<tr><td {cell}><b>{key}</b></td><td>{self._taxonomy[cat].label}</td></tr>"
                for key, cat in hotkeys.items()
            )
        box = QMessageBox(self)
        box.setObjectName("shortcutsSheet")
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table cellspacing='0'>{''.join(rows)}</table>")
        self.shortcuts_sheet = box
        box.open()

    def show_about(self) -> None:
        show_about(self)


def _filters(request: SearchRequest) -> search.SearchFilters:
    return search.SearchFilters(
        sender=request.sender,
        category=request.category,
        date_from=request.date_from,
        date_to=request.date_to,
        kind=request.kind,
        untagged=request.untagged,
        unreviewed=request.unreviewed,
    )
