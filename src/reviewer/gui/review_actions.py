"""What the reviewer does to the selection in the main window: tag and untag, notes, stances,
review marks, lexicon suggestions, next unreviewed; and the tagging panel that shows it.

Every change goes through the window's :class:`~reviewer.gui.edits.EditQueue`: written off
the UI thread, in the order the reviewer made them, shown at once (the panel applies the
pending changes to what it reads) and refreshed from the case when written. A change that
could not be written is reported in a message naming it, and the panel shows the case's state
again. Reads of more than a page (a large selection's details, next unreviewed, the review
progress) run in the background too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLabel, QMainWindow

from reviewer.core.errors import ReviewerError
from reviewer.gui.coalesce import Coalesced
from reviewer.gui.edits import EditQueue, Effect, NotSaved
from reviewer.gui.tasks import Task, show_error
from reviewer.services import (
    browse,
    participants,
    reconciled_browse,
    screening,
    search,
    tagging,
)
from reviewer.services.case import Case
from reviewer.services.sexual_suggestions import CATEGORY as SEXUAL
from reviewer.services.tagging import Changes

if TYPE_CHECKING:
    from reviewer.gui.chat.model import MessageListModel
    from reviewer.gui.chat.view import ChatView
    from reviewer.gui.navigator import NavigatorPane
    from reviewer.gui.reconciled_view import ReconciledController
    from reviewer.gui.tagging_panel import TaggingPanel
    from reviewer.gui.timeline import TimelineStrip
    from reviewer.review.taxonomy import Taxonomy
    from reviewer.services.actor import Actor

log = logging.getLogger("reviewer.gui")

#: Largest selection whose details are loaded for the tagging panel.
SELECTION_DETAIL_LIMIT = 5000
#: The counts over the whole case are read this long after the last of a burst of changes.
REFRESH_DELAY_MS = 250
REFRESH_MAX_WAIT_MS = 2000


@dataclass(frozen=True, slots=True)
class _Counts:
    categories: dict[str, int] | None
    progress: tagging.Progress
    open_suggestions: int


def _is_sexual(category: str) -> bool:
    """A suggestion that flags its message's pictures (``services.media_flags``)."""
    return category == SEXUAL or category.startswith(SEXUAL + ".")


def _plural(count: int, noun: str = "message") -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


def _on(ids: Sequence[int]) -> str:
    return f"message #{ids[0]}" if len(ids) == 1 else _plural(len(ids))


class ReviewActions(QMainWindow):
    """The main window's review actions (a base of ``MainWindow``, which builds the widgets
    named below)."""

    case: Case
    actor: Actor
    chat: ChatView
    model: MessageListModel
    panel: TaggingPanel
    edits: EditQueue
    pending_label: QLabel
    progress_label: QLabel
    current_suggestion: screening.SuggestionView | None
    _close_when_saved: bool
    _taxonomy: Taxonomy
    _selection: list[int]
    _conversation: int | None
    _conversations: list[Any]
    _spans: dict[int, list[tuple[int, int]]]
    _open_suggestions: int | None
    _groups: dict[int, participants.GroupPresence]
    _finding: set[int]
    _selection_request: int = 0
    _refreshers: tuple[Coalesced, Coalesced, Coalesced] | None = None
    _refresh_counts_due: bool = False
    _timeline_request: int
    timeline: TimelineStrip
    navigator: NavigatorPane
    reconciled: ReconciledController
    _status_request: int = 0

    def jump_to(self, message_id: int) -> None:
        raise NotImplementedError

    def refresh_counts(self) -> None:
        raise NotImplementedError

    def refresh_audit_head(self) -> Task[Any]:
        raise NotImplementedError

    def _flag_message(self, message_id: int) -> None:
        """Blur a message's pictures as flagged now (a sexual suggestion confirmed)."""
        raise NotImplementedError

    def _read_flags(self) -> None:
        """Read the flagged pictures again (a sexual suggestion decided)."""
        raise NotImplementedError

    # -- selection -------------------------------------------------------------------------

    def selection(self) -> list[int]:
        """The selected messages, else the current one."""
        ids = self.chat.selected_ids()
        if not ids and self.chat.current_id() >= 0:
            ids = [self.chat.current_id()]
        return ids

    def _selection_changed(self, ids: list[int]) -> None:
        self._selection = [int(i) for i in ids]
        self._show_selection()

    def _show_selection(self, *, keep_editing: bool = False) -> None:
        """Show the selection in the panel: read now when it is a page or less, else in the
        background (a newer selection supersedes it). Who was present at one message comes
        from its conversation's membership (a derivation over the group's events and posts,
        hundreds of ms on a large group), worked out once in the background and kept.
        ``keep_editing`` refreshes only the categories and review state, leaving a note being
        typed and the stances alone."""
        ids = self._selection or self.selection()
        self._selection_request += 1
        request = self._selection_request
        if len(ids) <= browse.PAGE_SIZE:
            self._selection_read(ids, keep_editing, self._read_selection(self.case, ids))
            return
        case = self.case

        def read(_progress: Any, _cancel: Any) -> list[browse.MessageView]:
            return self._read_selection(case, ids)

        def done(views: list[browse.MessageView]) -> None:
            if request == self._selection_request:
                self._selection_read(ids, keep_editing, views)

        self.panel.title.setText(f"{len(ids):,} messages selected")
        Task(read, writer=False, parent=self).success(done).errors_to(self).run()

    @staticmethod
    def _read_selection(case: Case, ids: Sequence[int]) -> list[browse.MessageView]:
        shown = ids[:SELECTION_DETAIL_LIMIT]
        by_id = browse.message_views(case, shown) if shown else {}
        return [by_id[i] for i in shown if i in by_id]

    def _selection_read(
        self, ids: Sequence[int], keep_editing: bool, views: list[browse.MessageView]
    ) -> None:
        shown = self.edits.overlay({v.id: v for v in views})
        views = [shown[v.id] for v in views]
        if keep_editing and self.panel.message_ids == list(ids):
            self.panel.update_views(views)
            return
        stances = [c for c in self._taxonomy.in_group("stance") if not c.retired]
        present: Sequence[Any] | None = ()
        if len(ids) == 1 and views:
            group = self._groups.get(views[0].conversation_id)
            present = group.at(views[0].seq) if group is not None else None
        self.panel.show_messages(ids, views, present, stances)
        if present is None:
            self._find_group(views[0].conversation_id, stances)

    def _find_group(self, conversation_id: int, stances: Sequence[Any]) -> None:
        """Who was in a conversation's group when, derived once in the background."""
        if conversation_id in self._finding:
            return
        self._finding.add(conversation_id)
        case = self.case

        def read(_progress: Any, _cancel: Any) -> participants.GroupPresence | None:
            try:
                return participants.group_presence(case, conversation_id)
            except ReviewerError as exc:
                log.warning("group presence: %s", exc)
                return None

        def done(group: participants.GroupPresence | None) -> None:
            self._finding.discard(conversation_id)
            if group is None:
                return
            self._groups[conversation_id] = group
            shown = self.panel.views
            single = len(self.panel.message_ids) == 1 and shown
            if single and shown[0].conversation_id == conversation_id:
                self.panel.set_present(group.at(shown[0].seq), stances)

        def failed(exc: BaseException) -> None:
            self._finding.discard(conversation_id)
            log.warning("group presence: %s", exc)

        Task(read, writer=False, parent=self).success(done).failure(failed).run()

    def _views(self, ids: Sequence[int]) -> dict[int, browse.MessageView]:
        """Views of a page or a selection (callers cap it); never a whole conversation."""
        return browse.message_views(self.case, ids) if ids else {}

    # -- changes ---------------------------------------------------------------------------

    def _change(
        self,
        what: str,
        operation: Callable[[Case], Changes],
        effect: Effect | None = None,
        done: Callable[[Changes], object] | None = None,
    ) -> None:
        """Queue one change; show its effect now, and the case's state once written."""

        def written(changes: Changes) -> None:
            self.apply_changes(changes)
            if done is not None:
                done(changes)

        self.edits.submit(what, operation, effect=effect, done=written, failed=self._not_saved)
        if effect is not None and self.panel.message_ids:
            self.panel.update_views([effect.on(v) for v in self.panel.views])

    def _not_saved(self, error: NotSaved) -> None:
        """A change was not written: say which, and show the case's state again."""
        cause = error.cause
        if isinstance(cause, ReviewerError) or not isinstance(cause, Exception):
            show_error(self, ReviewerError(str(error)))
        else:
            show_error(self, cause)
        self.statusBar().showMessage(f"Not saved: {error.what}", 15000)
        self._close_when_saved = False  # stay open: the reviewer must see what was not saved
        # The case's state again; a note being typed (not yet committed) is kept.
        self._show_selection(keep_editing=self.panel.note.document().isModified())

    def _show_pending(self) -> None:
        count = self.edits.pending
        if not count:
            self.pending_label.setText("")
            self.pending_label.setToolTip("")
        elif self.edits.waiting:
            self.pending_label.setText(
                f"Saving {_plural(count, 'change')}… waiting for the case (an import or "
                "export is writing)"
            )
            self.pending_label.setToolTip(
                "Your changes are kept in order and written as soon as the case is free. "
                "If one cannot be written you will be told which."
            )
        else:
            self.pending_label.setText("Saving…")

    def apply_changes(self, changes: Changes) -> None:
        """Refresh the views a Changes record names (and the counts and status bar)."""
        if not changes.message_ids:
            self._show_selection(keep_editing=True)
            return
        for message_id in changes.message_ids:
            self._spans.pop(message_id, None)
        self.chat.refresh(list(changes.message_ids))
        self._show_selection(keep_editing=True)
        self._refresh_later(counts=bool(changes.categories))

    def refresh_counts_for_view(self) -> None:
        """Category counts again after moving between a reconciled chat (which counts a
        message held by several exhibits once) and a conversation (each copy)."""
        self._refresh_counts_due = True
        self._refresh_later(counts=False)

    def _refresh_later(self, *, counts: bool) -> None:
        """After changes: the reads over the whole case, each coalesced over a burst of
        changes and run in the background. Category counts, review progress and open
        suggestions (SQL counts) 250 ms after the last change; the timeline (a pass over the
        conversation in Python) after a pause of 1.5 s, and only when tags changed; the audit
        chain's verification (every entry hashed again) after a pause of 3 s."""
        if self._refreshers is None:
            self._refreshers = (
                Coalesced(self, self._read_counts, delay_ms=250, max_wait_ms=2000),
                Coalesced(self, self._read_timeline, delay_ms=1500, max_wait_ms=10_000),
                Coalesced(self, self.refresh_audit_head, delay_ms=3000, max_wait_ms=30_000),
            )
        light, timeline, audit = self._refreshers
        self._refresh_counts_due = self._refresh_counts_due or counts
        light.request()
        if counts:
            timeline.request()
        audit.request()

    def _read_counts(self) -> Task[Any]:
        counts, self._refresh_counts_due = self._refresh_counts_due, False
        case = self.case

        once = self.reconciled.chat is not None  # the reconciled view counts a message once

        def run(_progress: Any, _cancel: Any) -> _Counts:
            return _Counts(
                tagging.category_counts(case, once=once) if counts else None,
                tagging.review_progress(case),
                screening.open_count(case),
            )

        def done(found: _Counts) -> None:
            if found.categories is not None:
                self.navigator.set_category_counts(found.categories, once=once)
            self._status_request += 1  # newer than any status read still running
            self._show_progress(found.progress, found.open_suggestions)

        task = Task(run, writer=False, parent=self).success(done)
        return task.failure(lambda exc: log.warning("counts: %s", exc)).run()

    def day_reader(self) -> Callable[[], list[browse.DayInfo]] | None:
        """How to read the timeline of what is shown: a conversation's days, or a reconciled
        chat's (each message once); None when neither is shown."""
        case, conversation, chat = self.case, self._conversation, self.reconciled.chat
        if chat is not None:
            chat_id = chat.id
            return lambda: reconciled_browse.day_index(case, chat_id)
        if conversation is not None:
            return lambda: browse.day_index(case, conversation)
        return None

    def _read_timeline(self) -> Task[Any]:
        """Messages per day, off the UI thread (one pass over the conversation: about 0.8 s
        at a million messages); a newer request supersedes an older one still running."""
        self._timeline_request += 1
        request = self._timeline_request
        reader = self.day_reader()

        def run(_progress: Any, _cancel: Any) -> list[browse.DayInfo]:
            return reader() if reader is not None else []

        def done(days: list[browse.DayInfo]) -> None:
            if request == self._timeline_request:
                self.timeline.set_days(days)

        task = Task(run, writer=False, parent=self).success(done)
        return task.failure(lambda exc: log.warning("day index: %s", exc)).run()

    def refresh_pending(self) -> bool:
        """Whether a read after changes is still to come (for tests and benchmarks)."""
        return self._refreshers is not None and any(r.pending for r in self._refreshers)

    def toggle_category(self, key: str) -> None:
        """A hotkey: apply ``key`` to the selection, or remove it when all have it (as the
        panel shows them, pending changes included)."""
        ids = self.selection()
        if not ids:
            self.statusBar().showMessage("Select a message first", 3000)
            return
        if self.panel.message_ids == ids and len(self.panel.views) == len(ids):
            views = {v.id: v for v in self.panel.views}
        else:
            views = self.edits.overlay(self._views(ids[:SELECTION_DETAIL_LIMIT]))
        have = bool(views) and all(key in views[i].tags for i in ids if i in views)
        self.set_category(key, not have)

    def set_category(self, key: str, apply: bool) -> None:
        ids = self.selection()
        if not ids:
            return
        label = self._taxonomy[key].label if key in self._taxonomy else key
        actor = self.actor
        if apply:
            verb, what = "Tagged", f"tag {label} on {_on(ids)}"

            def operation(case: Case) -> Changes:
                return tagging.tag(case, actor, ids, key)
        else:
            verb, what = "Removed", f"remove {label} from {_on(ids)}"

            def operation(case: Case) -> Changes:
                return tagging.untag(case, actor, ids, key)

        def done(changes: Changes) -> None:
            if changes.message_ids:
                self.statusBar().showMessage(
                    f"{verb} {label}: {_plural(len(changes.message_ids))}", 4000
                )

        self._change(what, operation, Effect(tuple(ids), tag=key, apply=apply), done)

    def save_note(self, message_id: int, text: str) -> None:
        actor = self.actor
        shown = text.strip()
        what = f"note on message #{message_id}" + (
            f" (“{shown[:80]}{'…' if len(shown) > 80 else ''}”)" if shown else " (removed)"
        )
        self._change(
            what,
            lambda case: tagging.set_note(case, actor, message_id, text),
            Effect((message_id,), note=text),
        )

    def set_stance(self, message_id: int, participant_id: int, stance: object) -> None:
        key = stance if isinstance(stance, str) else None
        actor = self.actor
        self._change(
            f"stance on message #{message_id}",
            lambda case: tagging.set_stance(case, actor, message_id, participant_id, key),
            Effect((message_id,), stance=(participant_id, key)),
        )

    def mark_reviewed(self, reviewed: bool = True) -> None:
        ids = self.selection()
        if not ids:
            return
        actor = self.actor
        self._change(
            f"mark {_on(ids)} {'reviewed' if reviewed else 'unreviewed'}",
            lambda case: tagging.mark_reviewed(case, actor, ids, reviewed=reviewed),
            Effect(tuple(ids), reviewed=reviewed),
        )
        if reviewed and len(ids) == 1:
            self._step_after(ids[0])

    def _step_after(self, message_id: int) -> None:
        """After marking one message, move on to the next one (keyboard flow)."""
        row = self.model.row_of(message_id)
        following = self.model.id_at(row + 1) if row >= 0 else None
        if following is not None:
            self.jump_to(following)

    # -- status ----------------------------------------------------------------------------

    def refresh_status(self) -> None:
        """Review progress and open suggestions (counts over the whole case), then the audit
        head, off the UI thread; the newest request wins."""
        self._status_request += 1
        request = self._status_request
        case = self.case

        def count(_progress: Any, _cancel: Any) -> tuple[tagging.Progress, int]:
            return tagging.review_progress(case), screening.open_count(case)

        def done(result: tuple[tagging.Progress, int]) -> None:
            if request == self._status_request:
                self._show_progress(*result)

        Task(count, writer=False, parent=self).success(done).failure(
            lambda exc: log.warning("review progress: %s", exc)
        ).run()
        self.refresh_audit_head()

    def _show_progress(self, progress: tagging.Progress, open_count: int) -> None:
        if open_count and not self._open_suggestions:
            self._spans.clear()  # suggestions appeared: look their spans up again
            self.chat.viewport().update()
        self._open_suggestions = open_count
        text = f"Reviewed {progress.reviewed:,} / {progress.total:,} · Tagged {progress.tagged:,}"
        if open_count:
            text += f" · Suggestions {open_count:,} open"
        self.progress_label.setText(text)

    # -- next unreviewed -------------------------------------------------------------------

    def next_unreviewed(self) -> None:
        """The first unreviewed message after the current one (wrapping round once), found
        by the search service so it stays fast on a million messages; after the changes
        still being written (a message just marked is not found again)."""
        chat = self.reconciled.chat
        if self._conversation is None and chat is None:
            return
        info = next((c for c in self._conversations if c.id == self._conversation), None)
        filters = search.SearchFilters(
            unreviewed=True, exhibit=info.exhibit if info is not None else None
        )
        current = self.chat.current_id()
        rows = self.model

        def find(case: Case) -> int | None:
            if chat is not None:  # in chat order, a message reviewed through any copy skipped
                return reconciled_browse.next_unreviewed(case, chat.id, current)
            for after in (max(current, 0), 0):
                page = search.search(case, None, filters, after=after, limit=1)
                if page.hits:
                    return page.hits[0].id
            return None

        def found(message_id: int | None) -> None:
            if self.chat.current_id() != current:
                return  # the reviewer has moved on meanwhile
            if message_id is not None and rows.row_of(message_id) >= 0:
                self.jump_to(message_id)
            else:
                where = "reconciled chat" if chat is not None else "conversation"
                self.statusBar().showMessage(
                    f"Every message in this {where} has been reviewed", 5000
                )

        if self.edits.pending:
            self.edits.after_writes(find, found)
        else:
            case = self.case
            Task(lambda _p, _c: find(case), writer=False, parent=self).success(found).errors_to(
                self
            ).run()

    # -- lexicon suggestions ---------------------------------------------------------------

    def confirm_suggestion(self) -> None:
        """Enter: tag the message as the current suggestion proposes."""
        suggestion = self.current_suggestion
        if suggestion is None:
            return
        self.current_suggestion = None
        actor = self.actor
        sexual = _is_sexual(suggestion.category)
        if sexual:  # blurred at once everywhere, before the write
            self._flag_message(suggestion.message_id)

        def confirmed(_changes: Changes) -> None:
            self.statusBar().showMessage("Suggestion confirmed", 3000)
            if sexual:
                self._read_flags()

        self._change(
            f"confirm the suggestion on message #{suggestion.message_id}",
            lambda case: screening.confirm(case, actor, suggestion.id),
            Effect((suggestion.message_id,), tag=suggestion.category),
            confirmed,
        )

    def dismiss_suggestion(self) -> None:
        """Delete: record that the current suggestion is not a concern."""
        suggestion = self.current_suggestion
        if suggestion is None:
            return
        self.current_suggestion = None
        actor = self.actor

        def dismissed(_changes: Changes) -> None:
            self._spans.pop(suggestion.message_id, None)
            self.chat.refresh([suggestion.message_id])
            self.statusBar().showMessage("Suggestion dismissed", 3000)
            if _is_sexual(suggestion.category):  # unflagged now unless its score is high
                self._read_flags()

        self._change(
            f"dismiss the suggestion on message #{suggestion.message_id}",
            lambda case: screening.dismiss(case, actor, suggestion.id),
            None,
            dismissed,
        )
