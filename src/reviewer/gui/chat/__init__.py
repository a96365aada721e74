"""The chat view: an id-only lazy model, a bubble delegate and a view that measures only
the rows on screen."""

from reviewer.gui.chat.delegate import BubbleDelegate
from reviewer.gui.chat.model import MessageListModel, Role
from reviewer.gui.chat.view import ChatView

__all__ = ["BubbleDelegate", "ChatView", "MessageListModel", "Role"]
