"""``reviewer search --regex`` looks in the text read from images too, and says so ("in
image"), with filters and counts, through the command line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_image_text import Meme, meme_case  # noqa: F401 (the fixture)

from media_fixtures import use_stand_ins
from reviewer.cli.main import main
from reviewer.review.media.analysers import AnalysisResult, Kind
from reviewer.services import search
from reviewer.services.case import Case

IMAGE_TEXT = "RING 07700 900123 ABOUT THE VAN"


@dataclass(frozen=True)
class _FakeOcr:
    """Reads a known text in every picture (the real engine is tested elsewhere)."""

    kind: Kind = "ocr"
    engine: str = "fake-ocr"
    version: str = "1"
    model: str | None = None

    def accepts(self, mime: str) -> bool:
        return mime.startswith("image/")

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        return AnalysisResult(text=IMAGE_TEXT, confidence=0.9, data={"boxes": []})


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_regex_search_finds_words_only_in_an_image(
    meme_case: tuple[Case, Meme],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case, meme = meme_case
    root = str(case.root)
    pattern = r"\d{5} \d{6}"
    assert main(["search", root, pattern, "--regex", "--jsonl"]) == 0
    assert _lines(capsys) == []  # not analysed yet
    use_stand_ins(monkeypatch, {"ocr": _FakeOcr()}, real_others=False)
    assert main(["analyse", root, "--ocr", "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["search", root, pattern, "--regex", "--jsonl"]) == 0
    (hit,) = _lines(capsys)
    assert hit["in_image"] is True and hit["kind"] == "media" and hit["spans"] == []
    assert main(["search", root, pattern, "--regex"]) == 0
    assert "[in image]" in capsys.readouterr().out
    # in the image and in a later message's text: both, in order, marked apart
    assert main(["search", root, f"van|{meme.shared}", "--regex", "--jsonl"]) == 0
    image_hit, text_hit = _lines(capsys)
    assert image_hit["id"] == hit["id"] < text_hit["id"]
    assert (image_hit["in_image"], text_hit["in_image"]) == (True, False)
    assert text_hit["spans"] != []
    assert search.count(case, f"van|{meme.shared}", regex=True) == 2
    # the filters apply to image hits: the meme's sender, then another sender
    assert main(["search", root, pattern, "--regex", "--sender", "Alex Turner", "--jsonl"]) == 0
    assert [h["id"] for h in _lines(capsys)] == [hit["id"]]
    assert main(["search", root, pattern, "--regex", "--sender", "Sam Reid", "--jsonl"]) == 0
    assert _lines(capsys) == []
    # a pattern neither text nor image has
    assert main(["search", root, "nowhere\\d", "--regex", "--jsonl"]) == 0
    assert _lines(capsys) == []
