"""Run by test_fonts.py in a subprocess (with a fontconfig that knows no fonts): start the app
as ``reviewer`` does, then print as JSON which font family Qt draws each sample with — in a
plain text layout and in the chat view's bubble layout — and how colourful the painted emoji
bubble is."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QModelIndex, QRect
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QPainter,
    QStandardItem,
    QStandardItemModel,
    QTextLayout,
)
from PySide6.QtWidgets import QStyleOptionViewItem

from reviewer.gui.app import make_app
from reviewer.gui.chat import ChatView, Role
from reviewer.services.browse import MessageView

SAMPLES = {
    "latin": "Hello",
    "arabic": "مرحبا",
    "urdu": "ہیلو",
    "hebrew": "שלום",
    "hindi": "नमस्ते",
    "punjabi": "ਸਤ ਸ੍ਰੀ",
    "bengali": "হ্যালো",
    "gujarati": "નમસ્તે",
    "tamil": "வணக்கம்",
    "thai": "สวัสดี",
    "chinese": "王伟",
    "japanese": "こんにちは",
    "korean": "안녕하세요",
    "amharic": "ሰላም",
    "greek": "Γειά",
    "russian": "Привет",
    "monkey": "🐒",
    "thumbs": "👍🏽",
    "family": "👨\u200d👩\u200d👧",
    "flag": "🇬🇧",
}
#: Bubble heights are compared for these too (a message of only emoji is drawn large).
MORE = {"mixed": "ok 🐒 fine", "three": "🐒 👍🏽 🇬🇧", "four": "🐒👍🏽🇬🇧🐒"}


def families(layout: QTextLayout) -> list[str]:
    return sorted({run.rawFont().familyName().lower() for run in layout.glyphRuns()})


def plain(text: str) -> list[str]:
    layout = QTextLayout(text, QGuiApplication.font())
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(10_000)
    layout.endLayout()
    return families(layout)


def message(number: int, text: str) -> MessageView:
    return MessageView(
        id=number, exhibit="AB/1", conversation_id=1, seq=number,
        timestamp="2024-03-14T09:00:00", utc=None, time_flag=None, sender="王伟", sender_id=2,
        kind="text", text=text, edited=False, flags=(), system_event=None, attachments=(),
        tags=(), note=None, review_state="unreviewed", reply_to=None, source_file="_chat.txt",
        source_line=number,
    )  # fmt: skip


def painted(chat: ChatView, option: QStyleOptionViewItem, index: QModelIndex) -> dict[str, int]:
    """Paint one bubble on white with room below it; count, inside the message text's columns,
    the strongly coloured pixels of the text and any ink below the bubble (a glyph too tall
    for the measured line)."""
    delegate = chat.delegate()
    bubble = delegate.layout(option, index)
    assert bubble is not None and bubble.text_layout is not None
    image = QImage(option.rect.width(), bubble.height + 40, QImage.Format.Format_RGB32)
    white = QColor("#ffffff")
    image.fill(white)
    painter = QPainter(image)
    row = QStyleOptionViewItem(option)
    row.rect = QRect(0, 0, option.rect.width(), bubble.height)
    delegate.paint(painter, row, index)
    painter.end()
    text = bubble.text_layout.lineAt(0).naturalTextRect().translated(bubble.text_pos).toRect()
    colour = overflow = 0
    for x in range(max(text.left(), 0), min(text.right() + 1, image.width())):
        for y in range(max(text.top(), 0), image.height()):
            pixel = QColor(image.pixel(x, y))
            if y <= text.bottom() and pixel.hsvSaturation() > 100 and pixel.value() > 60:
                colour += 1
            if y > bubble.bubble.bottom() and pixel != white:
                overflow += 1
    return {"colour": colour, "overflow": overflow}


def main() -> int:
    make_app()
    chat = ChatView()
    chat.resize(700, 600)
    model = QStandardItemModel()
    for number, text in enumerate([*SAMPLES.values(), *MORE.values()], start=1):
        item = QStandardItem()
        item.setData(message(number, text), Role.Message)
        model.appendRow(item)
    option = QStyleOptionViewItem()
    option.initFrom(chat)
    option.font = chat.font()
    option.rect = QRect(0, 0, 700, 0)
    delegate = chat.delegate()
    in_chat: dict[str, list[str]] = {}
    heights: dict[str, int] = {}
    for row, key in enumerate([*SAMPLES, *MORE]):
        bubble = delegate.layout(option, model.index(row, 0))
        assert bubble is not None and bubble.text_layout is not None
        in_chat[key] = families(bubble.text_layout)
        heights[key] = bubble.bubble.height()
    print(
        json.dumps(
            {
                "database": sorted(QFontDatabase.families()),
                "app_font": QGuiApplication.font().families(),
                "chat_font": chat.font().families(),
                "plain": {key: plain(text) for key, text in SAMPLES.items()},
                "chat": in_chat,
                "heights": heights,
                "painted": {
                    key: painted(chat, option, model.index(row, 0))
                    for row, key in enumerate(SAMPLES)
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
