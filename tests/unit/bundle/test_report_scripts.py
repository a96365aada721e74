"""The PDF report prints every script and emoji as sent, read back with poppler and pypdf.

Arabic and Hebrew vowel marks: a PDF maps each glyph of a shaped cluster to the cluster's text,
so a viewer's copy of a word with marks can repeat letters (Typst's ToUnicode, also seen in
poppler). Those words are checked in the attached records, which are exact; the page text is
checked for the unvowelled sentence of the same message.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bundle_factory import make_bundle, message

from reviewer.bundle.model import Bundle
from reviewer.bundle.records import records_jsonl
from reviewer.bundle.report_pdf import write_report_pdf
from reviewer.bundle.writer import write_bundle
from reviewer.core.progress import CancelToken, NullProgress

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)

VOWELLED = "مُحَمَّد"
TEXTS = {
    "arabic": f"{VOWELLED} قال: مرحبا بكم في المحطة",
    "urdu": "یہ گاڑی ہے اور وہ بھی ہے",
    "hebrew": "שלום לכולם בבוקר",
    "hindi": "नमस्ते दोस्तों, क्या हाल है",
    "punjabi": "ਸਤ ਸ੍ਰੀ ਅਕਾਲ ਜੀ",
    "bengali": "আমি তোমাকে ভালোবাসি",
    "gujarati": "કેમ છો મિત્રો",
    "tamil": "வணக்கம் நண்பர்களே",
    "thai": "สวัสดีครับ",
    "chinese": "你好，今天晚上见",
    "japanese": "こんにちは、カタカナも",
    "korean": "안녕하세요 여러분",
    "amharic": "ሰላም ለሁሉም",
    "greek": "Καλημέρα σε όλους",
    "russian": "Привет всем, это проверка",
    "emoji": "monkey 🐒 thumbs 👍🏽 family 👨‍👩‍👧 flag 🇬🇧 heart ❤️",
}
UNCOVERED = "rare 𠀀 and private \ue000 end"


def _bundle() -> Bundle:
    messages = []
    number = 0
    for text in [*TEXTS.values(), UNCOVERED]:
        number += 1
        messages.append(message(number, text="context before", sender="Sam Reid"))
        number += 1
        messages.append(message(number, text=text, sender="王伟", tagged=True))
    return make_bundle(messages)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Bundle, Path, list[str]]:
    folder = tmp_path_factory.mktemp("scripts")
    bundle = _bundle()
    warnings = write_report_pdf(bundle, folder / "report.pdf", folder)
    return bundle, folder / "report.pdf", warnings


def _poppler_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    return re.sub(r"\s+", " ", out.decode("utf-8")).replace("\u202b", "").replace("\u202c", "")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _content_text(path: Path) -> str:
    """The text in content order (pypdf): a table row reads as one line."""
    return _squash(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages))


RIGHT_TO_LEFT = ("arabic", "urdu", "hebrew")


def test_every_script_and_emoji_reads_back_as_sent(
    rendered: tuple[Bundle, Path, list[str]],
) -> None:
    """Right-to-left lines as poppler orders them (logical order); the others as poppler or
    pypdf reads them (poppler splits a line of colour emoji, whose glyphs are taller, in two;
    pypdf misorders Devanagari's pre-base vowel signs)."""
    _bundle, pdf, _warnings = rendered
    poppler = _poppler_text(pdf)
    content = _content_text(pdf)
    for script, sent in TEXTS.items():
        if script == "arabic":  # the vowelled word is checked in the attachment
            assert "مرحبا بكم في المحطة" in poppler and "قال" in poppler
        elif script in RIGHT_TO_LEFT:
            assert _squash(sent) in poppler, script
        else:
            assert _squash(sent) in poppler or _squash(sent) in content, script
    assert "王伟" in poppler and "王伟" in content


def test_no_placeholder_for_covered_characters(rendered: tuple[Bundle, Path, list[str]]) -> None:
    _bundle, pdf, _warnings = rendered
    text = _poppler_text(pdf)
    markers = set(re.findall(r"\[U\+[0-9A-F]+\]", text))
    assert markers == {"[U+20000]", "[U+E000]"}


def test_uncovered_characters_are_named_and_reported(
    rendered: tuple[Bundle, Path, list[str]],
) -> None:
    _bundle, pdf, warnings = rendered
    text = _poppler_text(pdf)
    assert "rare [U+20000] and private [U+E000] end" in text
    assert "CJK UNIFIED IDEOGRAPH-20000" in text and "private use" in text
    assert len(warnings) == 1
    assert "[U+20000]" in warnings[0] and "[U+E000]" in warnings[0] and "34" in warnings[0]


def test_glossary_names_each_emoji_with_code_points(
    rendered: tuple[Bundle, Path, list[str]],
) -> None:
    _bundle, pdf, _warnings = rendered
    text = _content_text(pdf)
    glossary = text[text.index("Emoji glossary") :]
    assert "🐒 monkey U+1F412" in glossary
    assert "👍🏽 thumbs up medium skin tone U+1F44D U+1F3FD" in glossary
    assert "flag: United Kingdom" in glossary
    assert "family man woman girl" in glossary
    assert "item 16" in glossary  # the emoji message is the 16th tagged item


def test_the_attachment_holds_the_exact_records(
    rendered: tuple[Bundle, Path, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    bundle, pdf, _warnings = rendered
    with caplog.at_level(logging.WARNING):
        reader = pypdf.PdfReader(pdf)
        extracted = "".join(page.extract_text() for page in reader.pages)
        attachments = reader.attachments
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]  # e.g. "Odd-length"
    assert "Evidence review report" in extracted
    assert list(attachments) == ["messages.jsonl"]
    (data,) = attachments["messages.jsonl"]
    assert data == records_jsonl(bundle)
    texts = [json.loads(line)["text"] for line in data.decode("utf-8").splitlines()]
    assert TEXTS["arabic"] in texts  # vowel marks and all
    assert "messages.jsonl" in _poppler_text(pdf)


def test_right_to_left_messages_are_set_flush_right(
    rendered: tuple[Bundle, Path, list[str]],
) -> None:
    _bundle, pdf, _warnings = rendered
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    words = re.findall(r'<word xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>([^<]*)</word>', out)

    def extent(first: int, last: int) -> tuple[float, float]:
        found = [(float(x0), float(x1)) for x0, x1, w in words if first <= ord(w[0]) <= last]
        return min(x0 for x0, _ in found), max(x1 for _, x1 in found)

    assert extent(0x0590, 0x05FF)[1] > 520  # Hebrew ends at the right margin (A4 less 18 mm)
    assert extent(0x0600, 0x06FF)[1] > 520  # Arabic and Urdu too
    assert extent(0x0900, 0x097F)[0] < 100  # Devanagari starts at the left


def test_creation_date_is_the_export_time_or_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = make_bundle([message(1, text="hello", tagged=True)])
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    write_report_pdf(bundle, tmp_path / "a.pdf", tmp_path)
    info = pypdf.PdfReader(tmp_path / "a.pdf").metadata
    assert info.creation_date.isoformat().startswith("2024-04-01T00:00:00")
    assert info.title == "Evidence review report — OP-1"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write_report_pdf(bundle, tmp_path / "b.pdf", tmp_path)
    assert (
        pypdf.PdfReader(tmp_path / "b.pdf")
        .metadata.creation_date.isoformat()
        .startswith("2023-11-14T22:13:20")
    )


def test_text_is_never_read_as_markup(tmp_path: Path) -> None:
    hostile = '#panic("x") $x^2$ *bold* <m1> @m1 = Heading \\ #{1 + 1} ] ) }'
    bundle = make_bundle([message(1, text=hostile, sender="#set page(width: 1cm)", tagged=True)])
    write_report_pdf(bundle, tmp_path / "r.pdf", tmp_path)
    text = _poppler_text(tmp_path / "r.pdf")
    assert _squash(hostile) in text
    assert "#set page(width: 1cm)" in text


def test_tabs_become_spaces_and_marks_stay(tmp_path: Path) -> None:
    bundle = make_bundle([message(1, text="a\tb\r\nc\u200dd", tagged=True)])
    write_report_pdf(bundle, tmp_path / "r.pdf", tmp_path)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "a    b" in text or "a b" in text
    assert "[U+" not in text
    assert "c\u200dd" in text  # the zero-width joiner kept, neither dropped nor boxed


def test_the_bundle_reports_uncovered_characters_and_attaches_its_own_records(
    tmp_path: Path,
) -> None:
    bundle = make_bundle([message(1, text="fine"), message(2, text=UNCOVERED, tagged=True)])
    summary = write_bundle(bundle, tmp_path / "out", progress=NullProgress(), cancel=CancelToken())
    assert summary.reports == ["report/report.pdf", "report/index.html"]
    assert any("[U+20000]" in w and "report/report.pdf" in w for w in summary.warnings)
    data = tmp_path / "out" / "data"
    (attached,) = pypdf.PdfReader(data / "report" / "report.pdf").attachments["messages.jsonl"]
    assert attached == (data / "messages" / "messages.jsonl").read_bytes()


def test_long_runs_without_spaces_stay_on_the_page(tmp_path: Path) -> None:
    url = "https://example.com/" + "abcdefghij" * 30
    texts = ["x" * 400, "مرحبا" * 80, f"مرحبا بكم {url} مرحبا", "see " + "مرحبا" * 20 + " ok"]
    bundle = make_bundle([message(i + 1, text=t, tagged=i % 2 == 0) for i, t in enumerate(texts)])
    write_report_pdf(bundle, tmp_path / "r.pdf", tmp_path)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    boxes = re.findall(r'<word xMin="(-?[\d.]+)"[^>]*xMax="(-?[\d.]+)"', out)
    assert boxes and all(float(x0) >= 50 and float(x1) <= 546 for x0, x1 in boxes)
    flat = re.sub(r"\s+", "", _poppler_text(tmp_path / "r.pdf"))
    assert "x" * 400 in flat and url in flat


def test_context_lines_print_time_sender_and_text_in_every_script(tmp_path: Path) -> None:
    """Context lines are one plain paragraph each (bench/RESULTS.md): left-to-right text after
    its time and sender, right-to-left text on its own line below them, emoji drawn."""
    around = [
        ("Sam Reid", TEXTS["emoji"]),
        ("王伟", "plain context"),
        ("Sam Reid", TEXTS["urdu"]),
        ("Nadia Khan", TEXTS["hindi"]),
    ]
    messages = [message(i + 1, sender=s, text=t) for i, (s, t) in enumerate(around)]
    messages.append(message(len(around) + 1, text="the tagged one", tagged=True))
    bundle = make_bundle(messages)
    write_report_pdf(bundle, tmp_path / "r.pdf", tmp_path)
    poppler, content = _poppler_text(tmp_path / "r.pdf"), _content_text(tmp_path / "r.pdf")
    assert "10:00:02 王伟: plain context" in content  # the en space reads back as a space
    assert "Nadia Khan: " in content and _squash(TEXTS["hindi"]) in poppler
    assert "10:00:03 Sam Reid:" in content and TEXTS["urdu"] in poppler
    for emoji in ("🐒", "👍🏽", "👨\u200d👩\u200d👧", "🇬🇧"):
        assert emoji in poppler
    assert "[U+" not in poppler


def test_each_item_is_a_bookmark_under_its_conversation(
    rendered: tuple[Bundle, Path, list[str]],
) -> None:
    _bundle, pdf, _warnings = rendered
    reader = pypdf.PdfReader(pdf)
    titles = [e.title if not isinstance(e, list) else None for e in reader.outline]
    section = titles.index("Tagged messages in context")
    conversation, items = reader.outline[section + 1]
    assert conversation.title.startswith("Shift B")
    assert [item.title for item in items] == [f"Item {n} — 王伟" for n in range(1, 18)]
    for item in items:
        page = reader.pages[reader.get_destination_page_number(item)]
        assert item.title in _squash(page.extract_text())


def test_an_uncovered_character_in_a_note_names_its_message(tmp_path: Path) -> None:
    """A reviewer's note is one message's text: the "Notes on the text" table says which
    message a character no font can draw is in, not "names and labels"."""
    tagged = dataclasses.replace(message(2, text="plain", tagged=True), note="see \ue000 here")
    bundle = make_bundle([message(1, text="context"), tagged])
    warnings = write_report_pdf(bundle, tmp_path / "report.pdf", tmp_path)
    assert "[U+E000] private use (messages 2)" in warnings[0]
    assert "message 2 (item 1)" in _poppler_text(tmp_path / "report.pdf")
