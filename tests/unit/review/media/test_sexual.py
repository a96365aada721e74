"""Sexual-content detector (DESIGN.md §10). What is tested is what can be made or shipped here:
the model runs and finds a face in a public-domain portrait (a class it reliably detects),
which is not sexual content; memes, screenshots and photos score near zero. No sexual image
is in the tests, so the detector's recall on such images is not tested here (see
docs/media-analysis.md)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from PIL import Image

import ocr_fixtures as fx
from reviewer.review.media import analysers
from reviewer.review.media.sexual import (
    SexualAnalyser,
    detect,
    have_detector,
    picture_score,
    sexual_score,
)

pytestmark = pytest.mark.skipif(not have_detector(), reason="detector not installed")

FACE = Path(__file__).resolve().parents[3] / "data" / "astronaut-face.jpg"


def test_a_face_is_found_where_it_is_and_is_not_sexual() -> None:
    with Image.open(FACE) as image:
        image.load()
        found = detect(image)
        score, _ = picture_score(image)
    best = found[0]
    assert best["class"] == "FACE_FEMALE" and best["score"] > 0.6
    x, y, w, h = best["box"]
    # the face is in the upper middle of the 340 × 340 crop
    assert 80 < x < 150 and 40 < y < 120 and 80 < w < 140 and 80 < h < 140
    assert score < 0.15
    assert sexual_score(FACE, "image/jpeg") == score


def test_drawn_pictures_score_near_zero() -> None:
    pictures = [fx.meme(1)[0], fx.screenshot(1)[0], fx.photo(1), fx.photo(2)]
    assert all(picture_score(p)[0] < 0.15 for p in pictures)


def test_the_registered_analyser(tmp_path: Path) -> None:
    (engine,) = analysers.available("sexual", tmp_path)
    assert isinstance(engine, SexualAnalyser)
    assert pickle.loads(pickle.dumps(engine)) == engine  # sent to worker processes
    assert engine.kind == "sexual" and engine.engine == "nudenet" and engine.model == "320n"
    assert engine.accepts("image/jpeg") and not engine.accepts("audio/ogg")
    result = engine.analyse(FACE, "image/jpeg")
    assert result.score is not None and result.score < 0.15
    (frame,) = result.data["frames"]
    assert frame["detections"][0]["class"] == "FACE_FEMALE"
