"""OCR: the text in images and video key frames, with RapidOCR's PP-OCRv6 models (DESIGN.md §10).

The detection and recognition models (PP-OCRv6 small, Apache-2.0) ship inside the ``rapidocr``
wheel; they are named by path, so nothing is fetched at run time. ``rapidocr`` uses OpenCV's
headless build (no Qt of its own, the same ``cv2`` NudeNet's package uses) and ONNX Runtime.

Settings chosen by measurement (``bench/bench_ocr.py``, ``docs/media-analysis.md``): the longer
side of a picture is scaled to at most :data:`DET_SIDE` pixels for detection (text lines are
then recognised from the full-size picture), the 180° classifier is off (memes and screenshots
are upright), lines are recognised one by one without padding short ones to 320 columns
(:data:`REC_MIN_WIDTH`), and a line read with less than :data:`MIN_CONFIDENCE`, or with fewer than
:data:`MIN_WORD_CHARACTERS` letters and digits, is dropped (on text-free photos the recogniser
otherwise reads a stray "O" or "一" at 0.67-0.78, or "8" in two stacked circles at 0.96-0.997).
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass, replace
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image

from reviewer.review.media.analysers import AnalysisResult, images_of, is_image, is_video
from reviewer.review.media.onnx_engine import inference_threads, installed_version

ENGINE = "rapidocr"
MODEL = "PP-OCRv6_det_small+PP-OCRv6_rec_small"
#: Longest side, in pixels, a picture is scaled to for text detection.
DET_SIDE = 544
#: Narrowest input of the recogniser (RapidOCR's default 320 pads every short line to 320
#: columns, and its cost grows with the columns); lines are recognised one at a time, so
#: none is padded to a longer one's width.
REC_MIN_WIDTH = 160
REC_BATCH = 1
#: Lines read with less confidence than this are dropped.
MIN_CONFIDENCE = 0.85
#: Bumped whenever the settings above change what is read.
SETTINGS = "2"

#: A line needs this many letters or digits: a lone character is no word to search for, and
#: text-free photos otherwise yield a confident "8" (two stacked circles) or "O".
MIN_WORD_CHARACTERS = 2

_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line of text: its corners (four [x, y] points, clockwise from top left) in the
    pixels of the picture it was read in (``frame``: which key frame of a video)."""

    box: tuple[tuple[int, int], ...]
    text: str
    confidence: float
    frame: int = 0

    @property
    def rect(self) -> tuple[int, int, int, int]:
        """(x, y, width, height) around the corners."""
        xs = [p[0] for p in self.box]
        ys = [p[1] for p in self.box]
        return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


@dataclass(frozen=True, slots=True)
class OcrResult:
    """What OCR read in one picture (or a video's key frames, one after the other)."""

    text: str
    lines: tuple[OcrLine, ...]
    confidence: float | None
    engine: str
    model: str
    version: str
    frame_sizes: tuple[tuple[int, int], ...] = ()  # (width, height) of each picture read


def have_ocr() -> bool:
    """Whether this build has the OCR engine (its packages are installed)."""
    return find_spec("rapidocr") is not None and find_spec("onnxruntime") is not None


def engine_version() -> str:
    """The version recorded with each result: rapidocr's, and this module's settings."""
    return f"{installed_version('rapidocr')}+s{SETTINGS}"


def _offline_requests() -> None:
    """RapidOCR imports ``requests`` (for image URLs and model downloads, neither used here);
    the packaged application leaves ``requests`` out, so a stand-in that refuses is put in
    its place there."""
    if find_spec("requests") is not None or "requests" in sys.modules:
        return
    stand_in = types.ModuleType("requests")

    class RequestException(OSError):
        pass

    class Response:
        pass

    def refuse(*args: object, **kwargs: object) -> None:
        raise RequestException("reviewer does not use the network")

    stand_in.__dict__.update(
        RequestException=RequestException, Response=Response, get=refuse, post=refuse
    )
    sys.modules["requests"] = stand_in


@cache
def _engine() -> Any:
    """RapidOCR with the models from its wheel, made once per process."""
    _offline_requests()
    import rapidocr
    from rapidocr import RapidOCR

    models = Path(rapidocr.__file__).parent / "models"
    threads = inference_threads()
    params = {
        "Global.log_level": "error",
        "Global.use_cls": False,
        "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
        "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
        "Cls.model_path": str(models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
        "Det.limit_type": "max",
        "Det.limit_side_len": DET_SIDE,
        "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
        "Rec.rec_batch_num": REC_BATCH,
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    return RapidOCR(params=params)


def read_picture(image: Image.Image) -> list[OcrLine]:
    """The lines of text in one picture, top to bottom."""
    rgb = np.asarray(image.convert("RGB"))
    output = _engine()(np.ascontiguousarray(rgb[:, :, ::-1]))  # RapidOCR takes BGR arrays
    if output.txts is None or output.boxes is None or output.scores is None:
        return []
    lines = []
    for box, text, score in zip(output.boxes, output.txts, output.scores, strict=True):
        text = text.strip()
        if float(score) < MIN_CONFIDENCE or len(_WORD.findall(text)) < MIN_WORD_CHARACTERS:
            continue
        corners = tuple((round(float(x)), round(float(y))) for x, y in box)
        lines.append(OcrLine(corners, text, round(float(score), 4)))
    return lines


def _result(lines: list[OcrLine], sizes: tuple[tuple[int, int], ...] = ()) -> OcrResult:
    characters = sum(len(line.text) for line in lines)
    confidence = (
        round(sum(line.confidence * len(line.text) for line in lines) / characters, 4)
        if characters
        else None
    )
    return OcrResult(
        text="\n".join(line.text for line in lines),
        lines=tuple(lines),
        confidence=confidence,
        engine=ENGINE,
        model=MODEL,
        version=engine_version(),
        frame_sizes=sizes,
    )


def ocr_image(path: Path, mime: str = "image/jpeg") -> OcrResult:
    """The text of an image file (or of a video's key frames)."""
    lines: list[OcrLine] = []
    sizes: list[tuple[int, int]] = []
    for index, picture in enumerate(images_of(path, mime)):
        sizes.append(picture.size)
        lines.extend(replace(line, frame=index) for line in read_picture(picture))
    return _result(lines, tuple(sizes))


@dataclass(frozen=True, slots=True)
class OcrAnalyser:
    """The OCR engine as an analyser (``reviewer analyse --ocr``)."""

    version: str
    kind: Literal["ocr"] = "ocr"
    engine: str = ENGINE
    model: str | None = MODEL

    def accepts(self, mime: str) -> bool:
        return is_image(mime) or is_video(mime)

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        result = ocr_image(path, mime)
        video = is_video(mime)
        boxes = [
            {"box": [list(p) for p in line.box], "text": line.text, "confidence": line.confidence}
            | ({"frame": line.frame} if video else {})
            for line in result.lines
        ]
        data: dict[str, Any] = {"boxes": boxes}
        if video:  # boxes are in each key frame's pixels (the av analyser's frames, in order)
            data["frame_sizes"] = [list(size) for size in result.frame_sizes]
        return AnalysisResult(data=data, text=result.text or None, confidence=result.confidence)
