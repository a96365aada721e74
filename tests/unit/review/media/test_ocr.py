"""OCR engine on drawn pictures with known words (DESIGN.md §10): memes and phone screenshots
read with word recall ≥ 0.9, nothing invented on text-free photos; the analyser's record."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import ocr_fixtures as fx
from reviewer.review.media import analysers
from reviewer.review.media.ocr import OcrAnalyser, have_ocr, ocr_image, read_picture

pytestmark = pytest.mark.skipif(not have_ocr(), reason="OCR engine not installed")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_meme_captions_are_read_word_by_word(seed: int) -> None:
    image, words = fx.meme(seed)
    text = " ".join(line.text for line in read_picture(image))
    assert fx.word_recall(words, text) >= 0.9, (words, text)


@pytest.mark.parametrize("seed", [0, 1])
def test_screenshot_text_is_read(seed: int) -> None:
    image, words = fx.screenshot(seed)
    lines = read_picture(image)
    assert fx.word_recall(words, " ".join(line.text for line in lines)) >= 0.9
    # lines come top to bottom, each with its box inside the picture
    tops = [line.rect[1] for line in lines]
    assert tops == sorted(tops)
    assert all(0 <= x <= 1080 and 0 <= y <= 2000 for line in lines for x, y in line.box)


@pytest.mark.parametrize("seed", range(6))
def test_nothing_is_read_in_text_free_photos(seed: int) -> None:
    assert read_picture(fx.photo(seed)) == []


def test_ocr_image_and_the_registered_analyser(tmp_path: Path) -> None:
    image, words = fx.meme(7, width=800)
    path = tmp_path / "meme.jpg"
    image.save(path, quality=80)
    result = ocr_image(path, "image/jpeg")
    assert result.engine == "rapidocr" and result.version.startswith("3.10")
    assert fx.word_recall(words, result.text) >= 0.9
    assert result.confidence is not None and 0.8 < result.confidence <= 1.0
    (engine,) = analysers.available("ocr", tmp_path)
    assert isinstance(engine, OcrAnalyser)
    assert pickle.loads(pickle.dumps(engine)) == engine  # sent to worker processes
    assert engine.accepts("image/png") and engine.accepts("video/mp4")
    assert not engine.accepts("audio/ogg") and not engine.accepts("image/svg+xml")
    found = engine.analyse(path, "image/jpeg")
    assert found.text == result.text and found.confidence == result.confidence
    boxes = found.data["boxes"]
    assert [b["text"] for b in boxes] == result.text.split("\n")
    assert all(len(b["box"]) == 4 for b in boxes)
    photo = tmp_path / "photo.png"
    fx.photo(3).save(photo)
    empty = engine.analyse(photo, "image/png")
    assert empty.text is None and empty.confidence is None and empty.data == {"boxes": []}


def test_without_requests_a_stand_in_refuses_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packaged application leaves ``requests`` out; RapidOCR still imports it."""
    import sys

    from reviewer.review.media import ocr

    real_find_spec = ocr.find_spec
    monkeypatch.setattr(
        ocr, "find_spec", lambda name: None if name == "requests" else real_find_spec(name)
    )
    monkeypatch.delitem(sys.modules, "requests", raising=False)
    ocr._offline_requests()
    stand_in = sys.modules["requests"]
    assert not hasattr(stand_in, "__file__")
    with pytest.raises(OSError, match="does not use the network"):
        stand_in.get("http://127.0.0.1/")
    assert issubclass(stand_in.RequestException, OSError)
