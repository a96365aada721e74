"""What the media grid needs of the main window, and what it shows: a conversation, a
reconciled chat or the messages a search finds (read off the UI thread through
``services.media_grid``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import SignalInstance

from reviewer.core.records import MessageKind
from reviewer.gui.edits import EditQueue
from reviewer.gui.media_blur import BlurRule
from reviewer.services import media_grid, search
from reviewer.services.actor import Actor
from reviewer.services.browse import ConversationInfo
from reviewer.services.case import Case
from reviewer.services.media_grid import MediaGridData
from reviewer.services.reconciled_browse import ReconciledChatInfo
from reviewer.services.tagging import Changes


class _Chat(Protocol):
    @property
    def blur(self) -> BlurRule: ...


class _Analysis(Protocol):
    @property
    def finished(self) -> SignalInstance: ...


class GridHost(Protocol):
    """What the grid needs of the main window (its chat view's blur rule is shared)."""

    @property
    def case(self) -> Case: ...

    @property
    def actor(self) -> Actor: ...

    @property
    def edits(self) -> EditQueue: ...

    @property
    def chat(self) -> _Chat: ...

    @property
    def media(self) -> _Analysis: ...

    def apply_changes(self, changes: Changes) -> None: ...

    def category_hotkeys(self) -> dict[str, str]: ...

    def show_message(self, conversation_id: int, message_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class GridSource:
    """What the grid shows: one conversation, one reconciled chat, or the messages a search
    finds (in a reconciled chat: its messages once each)."""

    title: str
    conversation_id: int | None = None
    query: str | None = None
    filters: search.SearchFilters | None = None
    regex: bool = False
    reconciled_chat: int | None = None

    @property
    def is_search(self) -> bool:
        return self.conversation_id is None and self.reconciled_chat is None

    def read(self, case: Case) -> MediaGridData:
        if self.conversation_id is not None:
            return media_grid.conversation_tiles(case, self.conversation_id)
        if self.reconciled_chat is not None:
            return media_grid.reconciled_tiles(case, self.reconciled_chat)
        filters = self.filters or search.SearchFilters()
        if filters.kind is None:  # pictures are carried by media messages only
            filters = dataclasses.replace(filters, kind=MessageKind.MEDIA.value)
        found = search.iter_search(case, self.query, filters, regex=self.regex)
        ids = [hit.shown_as or hit.id for hit in found]  # a reconciled chat: as shown
        return media_grid.message_tiles(case, ids, reconciled=filters.reconciled_chat is not None)


def sources_for(
    conversation: ConversationInfo | None,
    found: tuple[str, search.SearchFilters, bool] | None,
    chat: ReconciledChatInfo | None = None,
) -> tuple[list[GridSource], int]:
    """The grid's sources for a window showing ``conversation`` (or the reconciled ``chat``)
    with search ``found`` (text, filters, regex) active, and which to show: the search
    results when there are any."""
    sources: list[GridSource] = []
    if chat is not None:
        sources.append(GridSource(chat.label, reconciled_chat=chat.id))
    elif conversation is not None:
        title = f"Conversation “{conversation.name}” ({conversation.exhibit})"
        sources.append(GridSource(title, conversation_id=conversation.id))
    if found is not None:
        text, filters, regex = found
        title = f"Search results for “{text}”" if text else "Search results (filters)"
        sources.append(GridSource(title, query=text or None, filters=filters, regex=regex))
    return sources, max(0, len(sources) - 1)
