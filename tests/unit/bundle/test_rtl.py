"""Right-to-left text in the PDF report: joined, broken into lines, each line in display order."""

from __future__ import annotations

from reviewer.bundle import rtl
from reviewer.bundle.report_pdf import FONT, _ContextRun, _display_lines, _fonts, _RtlText

WORDS = ["واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"]


def shown(text: str) -> str:
    return rtl.visual(rtl.prepare(text, _fonts()), rtl.right_to_left(text))


def test_which_text_is_right_to_left() -> None:
    assert not rtl.has_rtl("hello") and not rtl.has_rtl("Привет всем")
    assert rtl.has_rtl("مرحبا") and rtl.has_rtl("the word שלום")
    assert rtl.right_to_left("مرحبا ok") and rtl.right_to_left("123 مرحبا")
    assert not rtl.right_to_left("ok مرحبا") and not rtl.right_to_left("")


def test_left_to_right_text_is_drawn_as_before() -> None:
    _fonts()
    expected = {
        "hello world": [("hello world", False)],
        "Привет всем": [("Привет всем", False)],
        "a\nb": [("a", False), ("b", False)],
        "thumbs up 👍🏽": [("thumbs up [U+1F44D][U+1F3FD]", False)],
    }
    for text, lines in expected.items():
        assert _display_lines(text, FONT, 10, 400, 400) == lines


def test_words_of_a_right_to_left_line_are_drawn_right_to_left() -> None:
    assert shown(" ".join(WORDS[:3])).split(" ") == [shown(word) for word in reversed(WORDS[:3])]
    assert shown("the word שלום means peace") == "the word םולש means peace"


def test_brackets_and_comparisons_keep_their_meaning() -> None:
    # "the amount > 500 (100 dollars)": drawn left to right, the sign must still point from
    # the amount to 500, and each bracket must face its contents.
    line = shown("المبلغ > 500 (100 دولار)")
    assert line.startswith("(") and ") 500 < " in line
    assert line.endswith(shown("المبلغ"))


def test_arabic_is_joined_without_losing_marks_or_words() -> None:
    joined = rtl.prepare("مرحبا", _fonts())
    assert all(0xFE70 <= ord(char) <= 0xFEFF for char in joined)  # joined presentation forms
    assert "\u064f" in rtl.prepare("مُحَمَّد", _fonts())  # vowel marks are kept
    assert "\ufdf2" not in rtl.prepare("إن شاء الله", _fonts())  # no ligature the font lacks
    assert "\ufefb" in rtl.prepare("لا", _fonts())  # the obligatory lam-alef


def test_missing_glyphs_are_named_left_to_right_and_controls_dropped() -> None:
    line = shown("👍🏽 مرحبا")
    assert "[U+1F44D][U+1F3FD]" in line
    line = shown("\u2068عمر\u2069 said hi")  # WhatsApp isolates around a name
    assert not any(c in line for c in "\u2066\u2067\u2068\u2069\u202a\u202c")
    assert "[U+" not in line


def test_a_wrapped_paragraph_keeps_its_line_order() -> None:
    text = " ".join(WORDS * 6)
    flowable = _RtlText(text, "text")
    _width, height = flowable.wrap(200, 1000)
    lines = flowable._lines
    assert len(lines) > 3 and height == len(lines) * flowable.style.leading
    assert all(right for _line, right in lines)
    # Each drawn line is its logical line reversed; read top to bottom they give the text.
    assert " ".join(line[::-1] for line, _ in lines) == rtl.prepare(text, _fonts())


def test_each_paragraph_has_its_own_direction() -> None:
    lines = _RtlText("مرحبا بكم\nok see you", "text")
    lines.wrap(300, 100)
    assert [right for _line, right in lines._lines] == [True, False]
    assert lines._lines[1][0] == "ok see you"


def test_context_lines_reorder_the_name_and_the_text_apart() -> None:
    rows = _ContextRun([("2024-03-14 10:01:00  ", "عمر: ", " ".join(WORDS[:3]))])._layout(400)
    ((first, _time, sender, line),) = rows
    assert first and sender == shown("عمر") + ": "
    assert line == shown(" ".join(WORDS[:3]))
    rows = _ContextRun([("t  ", "Sam Reid: ", "hello")])._layout(400)
    assert rows == [(True, "t  ", "Sam Reid: ", "hello")]


def test_names_in_tables_are_in_display_order() -> None:
    from reviewer.bundle.report_pdf import _IndexRow, esc_name

    assert esc_name("Sam & Co") == "Sam &amp; Co" and esc_name(None) == ""
    assert esc_name("عمر") == shown("عمر") != "عمر"
    row = _IndexRow(("1", "2024-03-14 10:01:00", "عمر", "محادثة\nثانية", "Derogatory"), "item-1")
    assert row.cells[2:4] == [shown("عمر"), shown("محادثة ثانية")]
