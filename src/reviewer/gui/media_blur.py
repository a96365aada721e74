"""Whether a picture is drawn blurred: one rule for the chat view, the media viewer and the
media grid (DESIGN.md §5a, §10).

Pictures are blurred by default. "Reveal images" shows them all for the session and a click
reveals one message's pictures; a *flagged* picture (possibly sexual, see
``services.media_flags``: score at or above the case's threshold, or an open or confirmed
``sexual`` suggestion on its message) stays blurred through both, until the reviewer reveals
that one picture after a confirmation saying why it is flagged. A picture is one file
(SHA-256): revealing it shows its forwarded copies too. Reveals last for the window's session
and are never stored; the window audits each flagged reveal (``flaggedRevealed``).

Usage (a view)::

    rule.is_blurred(attachment.sha256, message_id)            # thumbnails
    rule.is_blurred(sha256, message_id, opened=True)          # a picture opened on purpose
    rule.request_reveal(widget, sha256, message_id)           # click or key
    rule.changed.connect(viewport.update)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from reviewer.services.media_flags import FlaggedMedia

#: Words for the confirmation and the hover text.
FLAGGED_TEXT = "Flagged: possibly sexual"


def ask_to_reveal(parent: QWidget | None, reason: str) -> bool:
    """The reviewer's confirmation before a flagged picture is shown (default: No)."""
    answer = QMessageBox.question(
        parent,
        "Reveal a flagged picture",
        f"This picture is flagged as possibly sexual: {reason}.\n\n"
        "Reveal it for this session? Revealing a flagged picture is recorded in the audit "
        "log under your name.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class BlurRule(QObject):
    """The blur state of one window's session.

    Attributes:
        flags: the flagged pictures and messages (``services.media_flags.flagged_media``).
        confirm: asks the reviewer (parent, reason) -> reveal?; tests replace it.

    Signals:
        changed(): what is blurred changed (flags read, a reveal, reveal-all toggled).
        flaggedRevealed(str, int, str): SHA-256, message id and reason of a flagged picture
            the reviewer chose to reveal.
    """

    changed = Signal()
    flaggedRevealed = Signal(str, int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.flags = FlaggedMedia()
        self.confirm: Callable[[QWidget | None, str], bool] = ask_to_reveal
        self._reveal_all = False
        self._messages: set[int] = set()
        self._files: set[str] = set()

    def set_flags(self, flags: FlaggedMedia) -> None:
        self.flags = flags
        self.changed.emit()

    def flag_message(self, message_id: int, sha256s: Iterable[str]) -> None:
        """The reviewer confirmed a sexual suggestion on a message: its pictures (files
        ``sha256s``) are flagged and blurred again at once, wherever shown, before the flags
        are read back from the case."""
        self.flags = replace(self.flags, messages=self.flags.messages | {message_id})
        self._files.difference_update(sha256s)
        self.changed.emit()

    @property
    def reveal_all(self) -> bool:
        return self._reveal_all

    def is_flagged(self, sha256: str | None, message_id: int | None) -> bool:
        return self.flags.flagged(sha256, message_id)

    def message_revealed(self, message_id: int) -> bool:
        """Whether the unflagged pictures of a message are shown."""
        return self._reveal_all or message_id in self._messages

    def is_blurred(self, sha256: str | None, message_id: int, *, opened: bool = False) -> bool:
        """Whether to draw this picture blurred; ``opened``: the reviewer opened it on purpose
        (the media viewer), so only a flagged picture is still blurred."""
        if self.is_flagged(sha256, message_id):
            return sha256 is None or sha256 not in self._files
        return not (opened or self.message_revealed(message_id))

    def reveal_message(self, message_id: int, revealed: bool = True) -> None:
        """Show (or blur again) the unflagged pictures of one message."""
        if revealed:
            self._messages.add(message_id)
        else:
            self._messages.discard(message_id)
        self.changed.emit()

    def set_reveal_all(self, revealed: bool) -> None:
        """Show every unflagged picture, or blur everything again (single reveals too)."""
        self._reveal_all = revealed
        if not revealed:
            self._messages.clear()
            self._files.clear()
        self.changed.emit()

    def request_reveal(
        self, parent: QWidget | None, sha256: str | None, message_id: int, *, opened: bool = False
    ) -> bool:
        """Reveal one picture as the reviewer asked: an unflagged one at once (its message's
        pictures), a flagged one only after the confirmation. Whether it is now shown."""
        if not self.is_blurred(sha256, message_id, opened=opened):
            return True
        if not self.is_flagged(sha256, message_id):
            self.reveal_message(message_id)
            return True
        if sha256 is None:
            return False
        reason = self.flags.reason(sha256, message_id)
        if not self.confirm(parent, reason):
            return False
        self._files.add(sha256)
        self.flaggedRevealed.emit(sha256, message_id, reason)
        self.changed.emit()
        return True
