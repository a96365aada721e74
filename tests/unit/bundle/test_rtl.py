"""Right-to-left text in the PDF report: shaped, wrapped, then each line in display order."""

from __future__ import annotations

from reviewer.bundle import rtl
from reviewer.bundle.report_pdf import _RtlText

WORDS = ["واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"]


def test_which_text_is_right_to_left() -> None:
    assert not rtl.has_rtl("hello") and not rtl.has_rtl("Привет всем")
    assert rtl.has_rtl("مرحبا") and rtl.has_rtl("the word שלום")
    assert rtl.right_to_left("مرحبا ok") and rtl.right_to_left("123 مرحبا")
    assert not rtl.right_to_left("ok مرحبا") and not rtl.right_to_left("")


def test_left_to_right_text_is_untouched() -> None:
    for text in ("hello world", "Привет всем", "thumbs up 👍🏽", ""):
        assert rtl.visual(rtl.shaped(text)) == text


def test_words_of_a_right_to_left_line_are_drawn_right_to_left() -> None:
    line = rtl.visual(rtl.shaped(" ".join(WORDS[:3])))
    assert line.split(" ") == [rtl.visual(rtl.shaped(word)) for word in reversed(WORDS[:3])]
    assert rtl.visual("the word שלום means peace") == "the word םולש means peace"


def test_arabic_letters_are_joined() -> None:
    shaped = rtl.shaped("مرحبا")
    assert len(shaped) == len("مرحبا") and shaped != "مرحبا"
    assert all(0xFE70 <= ord(char) <= 0xFEFF for char in shaped)  # presentation forms


def test_a_wrapped_paragraph_keeps_its_line_order() -> None:
    text = " ".join(WORDS * 6)
    flowable = _RtlText(text, "text")
    _width, height = flowable.wrap(200, 1000)
    lines = flowable._lines
    assert len(lines) > 3 and height == len(lines) * flowable.style.leading
    assert flowable.flush_right
    # Each drawn line is its logical line reversed; read top to bottom they give the text.
    assert " ".join(line[::-1] for line in lines) == rtl.shaped(text)
    assert rtl.visual(rtl.shaped(WORDS[0])) in lines[0].split(" ")[-1]


def test_context_lines_reorder_the_name_and_the_text_apart() -> None:
    from reviewer.bundle.report_pdf import _ContextRun

    rows = _ContextRun([("2024-03-14 10:01:00  ", "عمر: ", " ".join(WORDS[:3]))])._layout(400)
    ((first, _time, sender, line),) = rows
    assert first and sender == rtl.visual(rtl.shaped("عمر")) + ": "
    assert line == rtl.visual(rtl.shaped(" ".join(WORDS[:3])))
