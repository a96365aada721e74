"""The chat view: lazy model, bubble delegate, and a view that measures only visible rows."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from reviewer.gui.chat import BubbleDelegate, ChatView, MessageListModel, Role
from reviewer.gui.chat.delegate import (
    DARK_NAME_COLOURS,
    DELETED_TEXT,
    LIGHT_NAME_COLOURS,
    Theme,
    day_label,
    name_slot,
)
from reviewer.review.taxonomy import default_taxonomy
from reviewer.services import browse, tagging
from reviewer.services.actor import Actor
from reviewer.services.browse import AttachmentView
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]

PEOPLE = ("Sam Reid", "Alex Turner", "Jo Park", "Priya Shah")
SENTENCE = (
    "shift handover at six, bring the keys for the van and check the radio batteries before "
    "you leave the yard because last time nobody did and we lost half the morning"
)
WORDS = SENTENCE.split(" ")
PHOTO = "00000100-PHOTO-2024-03-14-12-00-00.jpg"


def checkerboard_jpeg(size: tuple[int, int] = (160, 120), cell: int = 10) -> bytes:
    """A high-detail image: blurring it visibly changes its pixels."""
    image = Image.new("RGB", size, "white")
    pixels = image.load()
    assert pixels is not None
    for x in range(size[0]):
        for y in range(size[1]):
            if (x // cell + y // cell) % 2:
                pixels[x, y] = (20, 20, 160)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def chat_text(days: int = 4, per_day: int = 60) -> str:
    """An iOS export: a system line, ordinary messages over several days, a long message, an
    edited one, a deleted one and a photo."""
    lines = [
        "[14/03/2024, 08:00:00] Shift B: \u200eSam Reid created group \u201cShift B\u201d",
    ]
    n = 0
    for day in range(days):
        date = f"{14 + day:02d}/03/2024"
        for i in range(per_day):
            n += 1
            minute = 9 * 60 + i * 5
            time = f"{minute // 60:02d}:{minute % 60:02d}:00"
            sender = PEOPLE[(n * 5 + n // 3) % len(PEOPLE)]
            if day == 0 and i == 55:
                lines.append(f"\u200e[{date}, {time}] Alex Turner: \u200e<attached: {PHOTO}>")
                continue
            length = 3 + (n * 13) % 17
            if i == 5:
                length = 90  # wraps over several lines
            text = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(length))
            if i == 7:
                text += " \u200e<This message was edited>"
            if i == 9:
                text = "\u200eThis message was deleted."
            lines.append(f"[{date}, {time}] {sender}: {text}")
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def chat_case(case: Case, tmp_path: Path, actor: Actor) -> Case:
    """A case holding a 241-message group chat (4 days, a photo) whose custodian is Alex Turner."""
    export = tmp_path / "WhatsApp Chat - Shift B.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("_chat.txt", chat_text().encode())
        archive.writestr(PHOTO, checkerboard_jpeg())
    import_export(case, export, actor, ImportOptions(exhibit="AB/1", custodian="Alex Turner"))
    return case


@pytest.fixture
def model(chat_case: Case) -> MessageListModel:
    (conversation,) = browse.conversations(chat_case)
    return MessageListModel(chat_case, browse.conversation_message_ids(chat_case, conversation.id))


@pytest.fixture
def view(qtbot: QtBot, chat_case: Case, model: MessageListModel) -> Iterator[ChatView]:
    widget = ChatView()
    qtbot.addWidget(widget)
    widget.set_model(model)
    (conversation,) = browse.conversations(chat_case)
    widget.set_custodian_id(conversation.custodian_id)
    widget.set_taxonomy({c.key: (c.label, c.colour) for c in default_taxonomy()})
    widget.resize(640, 720)
    widget.show()
    qtbot.waitExposed(widget)
    widget.setFocus()
    yield widget


def render(view: ChatView) -> QImage:
    view.viewport().repaint()
    return view.viewport().grab().toImage()


def thumbnails_made(qtbot: QtBot, view: ChatView) -> None:
    """Paint (which asks for the missing thumbnails) and wait until they are made."""
    render(view)
    qtbot.waitUntil(lambda: not view.thumbnails.busy, timeout=10_000)


def row_of_photo(model: MessageListModel) -> int:
    for row in range(model.rowCount()):
        message = model.message(row)
        assert message is not None
        if message.attachments:
            return row
    raise AssertionError("no photo in the chat")


# -- model -------------------------------------------------------------------------------------


def test_model_passes_the_model_tester(qtmodeltester, model: MessageListModel) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(model)


def test_model_fetches_pages_on_demand_into_a_bounded_cache(chat_case: Case) -> None:
    (conversation,) = browse.conversations(chat_case)
    ids = browse.conversation_message_ids(chat_case, conversation.id)
    assert isinstance(ids, range) and len(ids) == conversation.message_count == 241
    model = MessageListModel(chat_case, ids, page_size=50, cache_size=120)
    assert model.fetches == 0
    first = model.index(0).data(Role.Message)
    assert first.id == ids[0] and model.fetches == 1
    model.index(49).data(Role.Text)
    assert model.fetches == 1  # same page
    for row in range(model.rowCount()):
        model.index(row).data(Role.Message)
    assert model.fetches <= 6
    assert len(model._cache) <= 120
    assert model.row_of(ids[100]) == 100 and model.row_of(10**9) == -1


def test_model_row_of_works_on_filtered_lists(chat_case: Case, model: MessageListModel) -> None:
    ids = list(model.ids())
    model.set_ids([ids[5], ids[50], ids[7]])  # not sorted
    assert model.rowCount() == 3
    assert model.row_of(ids[7]) == 2 and model.row_of(ids[50]) == 1
    assert model.index(2).data(Role.Id) == ids[7]


def test_message_views_carry_what_the_bubble_needs(
    chat_case: Case, model: MessageListModel
) -> None:
    photo = model.message(row_of_photo(model))
    assert photo is not None and photo.sender == "Alex Turner"
    (attachment,) = photo.attachments
    assert attachment.present and attachment.mime == "image/jpeg"
    # where its thumbnail goes: the import does not make it, the view does when it is shown
    assert attachment.thumbnail is not None and not attachment.thumbnail.exists()
    assert attachment.evidence is not None and attachment.evidence.is_file()
    views = [model.message(r) for r in range(model.rowCount())]
    kinds = {v.kind for v in views if v is not None}
    assert {"system", "text", "deleted"} <= kinds
    assert any(v is not None and v.edited for v in views)
    assert all(v is not None and v.review_state == browse.UNREVIEWED for v in views)


def test_day_index_counts_messages_and_tags(
    chat_case: Case, actor: Actor, model: MessageListModel
) -> None:
    (conversation,) = browse.conversations(chat_case)
    tagging.tag(chat_case, actor, [model.ids()[70]], "derogatory")
    days = browse.day_index(chat_case, conversation.id)
    assert [d.day.isoformat() for d in days] == [
        "2024-03-14",
        "2024-03-15",
        "2024-03-16",
        "2024-03-17",
    ]
    assert sum(d.message_count for d in days) == 241
    assert days[0].first_id == model.ids()[0]
    assert [d.tagged_count for d in days] == [0, 1, 0, 0]


def test_invalidate_refetches_changed_messages(
    chat_case: Case, actor: Actor, model: MessageListModel, qtbot: QtBot
) -> None:
    message_id = model.ids()[3]
    assert model.index(3).data(Role.ReviewState) == browse.UNREVIEWED
    tagging.mark_reviewed(chat_case, actor, [message_id])
    assert model.index(3).data(Role.ReviewState) == browse.UNREVIEWED  # still cached
    with qtbot.waitSignal(model.dataChanged) as signal:
        model.invalidate([message_id])
    assert signal.args is not None and signal.args[0].row() == 3
    assert model.index(3).data(Role.ReviewState) == browse.REVIEWED


# -- delegate ----------------------------------------------------------------------------------


def test_name_colours_are_stable_and_readable() -> None:
    assert name_slot("Alex Turner") == name_slot("Alex Turner")
    assert len({name_slot(n) for n in ("Sam Reid", "Alex Turner", "Jo Park", "Priya Shah")}) >= 3

    def contrast(a: QColor, b: QColor) -> float:
        def lum(c: QColor) -> float:
            def ch(v: float) -> float:
                return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

            return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

        high, low = sorted((lum(a), lum(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    light, dark = QPalette(QColor("#f0f0f0")), QPalette(QColor("#202020"))
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#101010"))
    for palette, colours in ((light, LIGHT_NAME_COLOURS), (dark, DARK_NAME_COLOURS)):
        theme = Theme.for_palette(palette)
        for colour in colours:
            for bubble in (theme.incoming, theme.outgoing):
                assert contrast(QColor(colour), bubble) >= 4.5, (colour, bubble.name())
        for bubble in (theme.incoming, theme.outgoing, theme.system):
            assert contrast(theme.text, bubble) >= 7
            assert contrast(theme.muted, bubble) >= 4.5


def test_day_label() -> None:
    assert day_label("2024-03-05") == "Tuesday 5 March 2024"


# -- view --------------------------------------------------------------------------------------


def test_view_measures_only_rows_near_the_viewport(
    qtbot: QtBot, chat_case: Case, model: MessageListModel
) -> None:
    measured: set[int] = set()

    class Counting(BubbleDelegate):
        def sizeHint(self, option, index):  # type: ignore[no-untyped-def]
            measured.add(index.row())
            return super().sizeHint(option, index)

    view = ChatView()
    qtbot.addWidget(view)
    view._delegate = Counting(view)
    view._delegate.is_revealed = view.is_revealed
    view.resize(600, 500)
    view.set_model(model)
    view.show()
    render(view)
    assert 0 < len(measured) < 60  # the first screen and the last screen, not 241 rows
    measured.clear()
    view.jump_to(model.ids()[150])
    render(view)
    assert measured and min(measured) > 100 and max(measured) < 200


def test_j_and_k_move_the_current_message(
    qtbot: QtBot, view: ChatView, model: MessageListModel
) -> None:
    ids = model.ids()
    with qtbot.waitSignal(view.currentMessageChanged) as signal:
        qtbot.keyClick(view, Qt.Key.Key_J)
    assert signal.args == [ids[0]]
    qtbot.keyClick(view, Qt.Key.Key_J)
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert view.current_id() == ids[2]
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert view.current_id() == ids[1]
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.current_id() == ids[2] and view.selected_ids() == [ids[2]]
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_ids() == [ids[2], ids[3]]
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.current_id() == ids[-1]
    rect = view.visual_rect(len(ids) - 1)
    assert rect.isValid() and rect.bottom() < view.viewport().height()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.current_id() == ids[0] and view.top_position() == (0, 0)
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert view.current_row() > 3
    assert view.visual_rect(view.current_row()).isValid()


def test_click_shift_click_and_ctrl_click_select(
    qtbot: QtBot, view: ChatView, model: MessageListModel
) -> None:
    ids = model.ids()
    rows = [row for row, _rect in view.visible_rows()][1:6]
    centre = {row: rect.center() for row, rect in view.visible_rows()}
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre[rows[0]])
    assert view.selected_ids() == [ids[rows[0]]] and view.current_id() == ids[rows[0]]
    with qtbot.waitSignal(view.selectionChanged) as signal:
        qtbot.mouseClick(
            view.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ShiftModifier,
            centre[rows[3]],
        )
    expected = [ids[r] for r in range(rows[0], rows[3] + 1)]
    assert view.selected_ids() == expected and signal.args == [expected]
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        centre[rows[1]],
    )
    assert ids[rows[1]] not in view.selected_ids() and len(view.selected_ids()) == 3


def test_jump_to_centres_the_message(qtbot: QtBot, view: ChatView, model: MessageListModel) -> None:
    ids = model.ids()
    with qtbot.waitSignal(view.currentMessageChanged):
        assert view.jump_to(ids[120])
    rect = view.visual_rect(120)
    assert rect.isValid()
    assert abs(rect.center().y() - view.viewport().height() // 2) <= 2
    assert view.current_id() == ids[120] and view.selected_ids() == [ids[120]]
    assert not view.jump_to(10**9)
    view.jump_to(ids[-1])  # near the end: bottom-aligned, not centred past the end
    assert view.visual_rect(len(ids) - 1).bottom() == view.viewport().height() - 1


def test_thumbnails_are_blurred_until_clicked(
    qtbot: QtBot, view: ChatView, model: MessageListModel
) -> None:
    row = row_of_photo(model)
    message_id = model.ids()[row]
    view.jump_to(message_id)
    view.clear_selection()
    view._current = -1
    thumbnails_made(qtbot, view)
    layout = view.delegate().layout(_option(view, row), model.index(row))
    assert layout is not None and len(layout.thumbs) == 1
    thumb = layout.thumbs[0][0].translated(0, view.visual_rect(row).top())
    assert not view.is_revealed(message_id)
    blurred = render(view).copy(thumb)
    top = blurred.copy(0, 0, blurred.width(), blurred.height() // 4)  # above the label
    assert _distinct_greys(top) < 40  # no checkerboard edges survive the blur
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=thumb.center())
    assert view.is_revealed(message_id)
    view.clear_selection()
    view._current = -1
    shown = render(view).copy(thumb)
    assert shown != blurred
    assert _has_sharp_edges(shown) and not _has_sharp_edges(blurred)
    # reveal-all and back: never persisted, and hiding all re-blurs the single reveal too
    view.set_reveal_all(True)
    assert view.is_revealed(model.ids()[0])
    view.set_reveal_all(False)
    assert not view.is_revealed(message_id)


def test_a_photo_appears_once_its_thumbnail_is_made_in_the_background(
    qtbot: QtBot, view: ChatView, model: MessageListModel
) -> None:
    row = row_of_photo(model)
    photo = model.message(row)
    assert photo is not None
    (attachment,) = photo.attachments
    assert attachment.thumbnail is not None and not attachment.thumbnail.exists()
    view.jump_to(photo.id)
    view.set_reveal_all(True)
    view.clear_selection()
    view._current = -1
    layout = view.delegate().layout(_option(view, row), model.index(row))
    assert layout is not None and len(layout.thumbs) == 1  # its place is laid out already
    thumb = layout.thumbs[0][0].translated(0, view.visual_rect(row).top())
    asked: list[AttachmentView] = []
    view.delegate().missing_thumbnail = asked.append  # held back: the placeholder is painted
    placeholder = render(view).copy(thumb)
    assert asked and {a.thumbnail for a in asked} == {attachment.thumbnail}
    inner = placeholder.copy(placeholder.rect().adjusted(8, 8, -8, -8))  # within the corners
    assert (
        len({inner.pixel(x, y) for x in range(inner.width()) for y in range(inner.height())}) == 1
    )
    view.delegate().missing_thumbnail = view.thumbnails.request  # as the view wires it
    with qtbot.waitSignal(view.thumbnails.made, timeout=10_000):
        render(view)
    made = QImage(str(attachment.thumbnail))
    assert not made.isNull() and max(made.width(), made.height()) <= 320
    qtbot.waitUntil(lambda: _has_sharp_edges(render(view).copy(thumb)), timeout=5_000)
    assert not view.thumbnails.busy


def test_double_click_on_thumbnail_activates_media(
    qtbot: QtBot, view: ChatView, model: MessageListModel
) -> None:
    row = row_of_photo(model)
    view.jump_to(model.ids()[row])
    layout = view.delegate().layout(_option(view, row), model.index(row))
    assert layout is not None
    thumb = layout.thumbs[0][0].translated(0, view.visual_rect(row).top())
    with qtbot.waitSignal(view.mediaActivated) as signal:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=thumb.center())
    assert signal.args == [model.ids()[row], 0]


def test_tag_chip_appears_after_tagging_and_refresh(
    qtbot: QtBot, view: ChatView, model: MessageListModel, chat_case: Case, actor: Actor
) -> None:
    row = 30
    message_id = model.ids()[row]
    view.jump_to(message_id)
    layout = view.delegate().layout(_option(view, row), model.index(row))
    assert layout is not None and layout.chips == []
    height_before = view.visual_rect(row).height()
    changes = tagging.tag(chat_case, actor, [message_id], "derogatory")
    view.refresh(changes.message_ids)
    render(view)
    layout = view.delegate().layout(_option(view, row), model.index(row))
    assert layout is not None and [c.label for c in layout.chips] == ["Derogatory or demeaning"]
    assert layout.view.review_state == browse.TAGGED
    assert view.visual_rect(row).height() > height_before
    image = render(view)
    chip = layout.chips[0].rect.translated(0, view.visual_rect(row).top())
    colour = QColor(image.pixel(chip.left() + 3, chip.center().y()))
    assert colour.name() == layout.chips[0].colour.name()
    bar = QColor(image.pixel(5, view.visual_rect(row).top() + layout.bubble.center().y()))
    assert bar.red() > 180 and bar.green() < 100  # red review-state bar


def test_day_separators_and_markers(view: ChatView, model: MessageListModel) -> None:
    separators = {}
    deleted = edited = None
    for row in range(model.rowCount()):
        layout = view.delegate().layout(_option(view, row), model.index(row))
        assert layout is not None
        if layout.separator is not None:
            separators[row] = layout.separator_text
        if layout.view.kind == "deleted" and deleted is None:
            deleted = layout
        if layout.view.edited and edited is None:
            edited = layout
    assert list(separators.values()) == [
        "Thursday 14 March 2024",
        "Friday 15 March 2024",
        "Saturday 16 March 2024",
        "Sunday 17 March 2024",
    ]
    assert 0 in separators
    assert deleted is not None and deleted.text_layout is not None
    assert deleted.text_layout.text() == DELETED_TEXT
    assert edited is not None and edited.footer.startswith("edited")
    system = view.delegate().layout(_option(view, 0), model.index(0))
    assert system is not None and system.system
    assert abs(system.bubble.center().x() - view.viewport().width() // 2) <= 1


def test_custodian_messages_align_right_and_text_is_not_clipped(
    view: ChatView, model: MessageListModel
) -> None:
    width = view.viewport().width()
    for row in range(model.rowCount()):
        layout = view.delegate().layout(_option(view, row), model.index(row))
        assert layout is not None
        if layout.system:
            continue
        custodian = layout.view.sender == "Alex Turner"
        assert layout.outgoing == custodian
        if custodian:
            assert layout.bubble.right() > width * 0.8
        else:
            assert layout.bubble.left() < width * 0.2
        inner = layout.bubble.adjusted(1, 1, -1, -1)
        if layout.text_layout is not None:
            for i in range(layout.text_layout.lineCount()):
                line = layout.text_layout.lineAt(i).naturalTextRect()
                text = line.translated(layout.text_pos).toAlignedRect()
                assert inner.contains(text.adjusted(1, 1, -1, -1)), layout.view.id
        assert inner.contains(layout.footer_rect)
        assert layout.height >= layout.bubble.bottom() + 1


def test_lexicon_hits_are_highlighted(
    qtbot: QtBot, view: ChatView, model: MessageListModel
) -> None:
    row = 12
    message = model.message(row)
    assert message is not None
    view.jump_to(message.id)
    view.clear_selection()
    view._current = -1
    before = render(view)
    view.set_highlight_provider(lambda mid: [(0, 5)] if mid == message.id else [])
    after = render(view)
    rect = view.visual_rect(row)
    assert before.copy(rect) != after.copy(rect)
    assert before.copy(view.visual_rect(row + 1)) == after.copy(view.visual_rect(row + 1))


def test_tooltip_and_empty_model(qtbot: QtBot, chat_case: Case) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    view.set_model(MessageListModel(chat_case, []))
    view.resize(300, 200)
    view.show()
    image = render(view)
    assert not image.isNull()
    assert view.current_id() == -1 and view.selected_ids() == []
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert view.current_id() == -1


def test_render_to_png(
    qtbot: QtBot,
    tmp_path: Path,
    chat_case: Case,
    actor: Actor,
    view: ChatView,
    model: MessageListModel,
) -> None:
    """A picture to look at; REVIEWER_SCREENSHOTS=1 also writes docs/screenshots/chat-view.png."""
    ids = model.ids()
    tagging.tag(chat_case, actor, [ids[53]], "derogatory")
    tagging.tag(chat_case, actor, [ids[53]], "bullying")
    tagging.mark_reviewed(chat_case, actor, list(ids[48:53]))
    view.refresh(ids[45:60])
    view.set_highlight_provider(lambda mid: [(6, 14)] if mid == ids[54] else [])
    view.resize(760, 900)
    view.jump_to(ids[57])
    image = view.grab().toImage()
    out = tmp_path / "chat-view.png"
    assert image.save(str(out))
    assert out.stat().st_size > 10_000
    if os.environ.get("REVIEWER_SCREENSHOTS"):
        target = ROOT / "docs" / "screenshots" / "chat-view.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(target))


# -- helpers -----------------------------------------------------------------------------------


def _option(view: ChatView, row: int):  # type: ignore[no-untyped-def]
    option = view._option()
    option.rect = QRect(0, 0, view.viewport().width(), 0)
    return option


def _distinct_greys(image: QImage) -> int:
    greys = set()
    for x in range(0, image.width(), 2):
        for y in range(0, image.height(), 2):
            greys.add(QColor(image.pixel(x, y)).lightness() // 4)
    return len(greys)


def _has_sharp_edges(image: QImage) -> bool:
    """Whether neighbouring pixels in the top quarter (above any label) differ strongly, as
    the checkerboard's edges do."""
    for y in range(2, image.height() // 4, 3):
        for x in range(2, image.width() - 3):
            a = QColor(image.pixel(x, y)).lightness()
            b = QColor(image.pixel(x + 1, y)).lightness()
            if abs(a - b) > 80:
                return True
    return False


def test_a_reply_quotes_the_message_it_answers(
    qtbot: QtBot, case: Case, tmp_path: Path, actor: Actor
) -> None:
    long_text = "Morning all, " + "the briefing moved to the second floor " * 8
    chat = {
        "name": "Shift B",
        "type": "private_group",
        "id": 7,
        "messages": [
            {"id": 1, "type": "message", "date": "2024-03-14T10:01:00", "from": "Sam Reid",
             "from_id": "user1", "text": long_text},
            {"id": 2, "type": "message", "date": "2024-03-14T10:02:00", "from": "Jo Park",
             "from_id": "user2", "reply_to_message_id": 1, "text": "noted"},
        ],
    }  # fmt: skip
    export = tmp_path / "result.json"
    export.write_text(json.dumps(chat), encoding="utf-8")
    import_export(case, export, actor, ImportOptions(exhibit="TG/1"))
    (conversation,) = browse.conversations(case)
    ids = browse.conversation_message_ids(case, conversation.id)
    views = browse.message_views(case, ids)
    reply = views[ids[1]]
    assert reply.reply_to == ids[0]
    assert reply.reply_quote is not None and reply.reply_quote.startswith("Sam Reid: Morning all")
    assert reply.reply_quote.endswith("…") and len(reply.reply_quote) < len(long_text)
    assert views[ids[0]].reply_quote is None
    widget = ChatView()
    qtbot.addWidget(widget)
    widget.set_model(MessageListModel(case, ids))
    widget.resize(420, 400)
    widget.show()
    qtbot.waitExposed(widget)
    layout = widget.delegate().layout(_option(widget, 1), widget.model().index(1, 0))
    assert layout is not None and layout.reply_rect is not None
    assert layout.reply_text.startswith("↪ Sam Reid: Morning all")
    assert layout.reply_text.endswith("…")  # elided to the bubble
    assert layout.bubble.contains(layout.reply_rect.translated(0, 0).topLeft())
