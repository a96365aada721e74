"""Image text in a redacted bundle: redacted line by line as message text is, and withheld
whole when what identifies a person is split over two lines."""

from __future__ import annotations

from reviewer.bundle.model import (
    OCR_WITHHELD,
    BundleAnalysis,
    BundleAttachment,
    BundleOcr,
    BundleOcrLine,
)
from reviewer.services.export_redact import _attachment
from reviewer.services.redaction import Redactor


def _attachment_reading(*lines: str) -> BundleAttachment:
    ocr = BundleOcr(
        "\n".join(lines),
        "rapidocr",
        "PP-OCRv6",
        "3.10.0+s1",
        0.9,
        tuple(BundleOcrLine(t, 0.9, ((0, 0), (1, 0), (1, 1), (0, 1))) for t in lines),
    )
    return BundleAttachment(
        "a.jpg",
        "ab" * 32,
        "image/jpeg",
        10,
        True,
        None,
        "media/x.jpg",
        None,
        BundleAnalysis(ocr=ocr, similar_group=3),
    )


REDACTOR = Redactor({}, frozenset(), None, {})  # masks phone numbers and e-mail addresses


def test_a_number_on_one_line_is_masked_in_text_and_boxes() -> None:
    redacted = _attachment(_attachment_reading("CALL 07700 900123", "TONIGHT"), REDACTOR)
    assert redacted.analysis is not None and redacted.analysis.ocr is not None
    ocr = redacted.analysis.ocr
    assert ocr.text == "CALL [phone number redacted]\nTONIGHT" and not ocr.withheld
    assert [line.text for line in ocr.lines] == ["CALL [phone number redacted]", "TONIGHT"]
    assert redacted.analysis.similar_group == 3


def test_a_number_split_over_two_lines_withholds_the_text() -> None:
    redacted = _attachment(_attachment_reading("CALL 07700", "900123 TONIGHT"), REDACTOR)
    assert redacted.analysis is not None and redacted.analysis.ocr is not None
    ocr = redacted.analysis.ocr
    assert ocr.withheld and ocr.text == OCR_WITHHELD and ocr.lines == ()
    assert "900123" not in str(redacted.analysis.record())
