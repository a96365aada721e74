"""The details pane names each emoji of the selected message (🐒 → monkey, U+1F412)."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from reviewer.gui.tagging_panel import TaggingPanel, emoji_lines
from reviewer.services.browse import MessageView


def message(text: str) -> MessageView:
    return MessageView(
        id=7, exhibit="AB/1", conversation_id=1, seq=7, timestamp="2024-03-14T09:00:00",
        utc=None, time_flag=None, sender="王伟", sender_id=2, kind="text", text=text,
        edited=False, flags=(), system_event=None, attachments=(), tags=(), note=None,
        review_state="unreviewed", reply_to=None, source_file="_chat.txt", source_line=7,
    )  # fmt: skip


def shown(panel: TaggingPanel) -> list[str]:
    """The details as the reader sees them, line by line."""
    document = QTextDocument()
    document.setHtml(panel.details.text())
    return document.toPlainText().splitlines()


def test_the_selected_message_lists_its_emoji_with_names(qtbot: QtBot) -> None:
    panel = TaggingPanel()
    qtbot.addWidget(panel)
    text = "🐒 ok 👍🏽 👨\u200d👩\u200d👧 🇬🇧 🐒🐒"
    panel.show_messages([7], [message(text)])
    lines = shown(panel)
    start = lines.index("Emoji")
    assert lines[start + 1 : start + 5] == [
        "🐒 monkey (U+1F412) ×3",
        "👍🏽 thumbs up medium skin tone (U+1F44D U+1F3FD)",
        "👨\u200d👩\u200d👧 family man woman girl (U+1F468 U+200D U+1F469 U+200D U+1F467)",
        "🇬🇧 flag: United Kingdom (U+1F1EC U+1F1E7)",
    ]
    assert lines[0] == "王伟"


def test_a_message_without_emoji_has_no_emoji_section(qtbot: QtBot) -> None:
    panel = TaggingPanel()
    qtbot.addWidget(panel)
    panel.show_messages([7], [message("shift handover at six ☺ no")])
    assert "Emoji" in shown(panel)  # ☺ is an emoji (text style)
    panel.show_messages([7], [message("shift handover at six")])
    assert "Emoji" not in shown(panel)
    assert emoji_lines("no emoji here") == []
