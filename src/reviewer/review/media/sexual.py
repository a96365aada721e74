"""Sexual content: a score per image (the highest over a video's key frames), DESIGN.md §10.

The detector is NudeNet's 320n model (YOLOv8n, MIT) from the ``nudenet`` wheel, run with ONNX
Runtime directly: the picture is padded to a square at its right and bottom (as NudeNet does),
scaled to 320 px with Pillow and each of the model's anchors scored with NumPy, without NudeNet's
per-anchor Python loop or OpenCV. The score is the highest probability of an exposed sexual
body part (:data:`SEXUAL`); the other classes (faces, covered parts, feet) are kept in ``data``
for a reviewer and never raise the score. A score is a suggestion, never a tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image

from reviewer.review.media.analysers import AnalysisResult, images_of, is_image, is_video
from reviewer.review.media.onnx_engine import inference_threads, installed_version

ENGINE = "nudenet"
MODEL = "320n"
SIZE = 320
#: Detections below this probability are not reported in ``data``.
MIN_DETECTION = 0.25
#: Bumped whenever pre- or post-processing changes the score.
SETTINGS = "1"

LABELS = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)
#: The classes whose probability is the sexual-content score.
SEXUAL = frozenset(
    {
        "BUTTOCKS_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "ANUS_EXPOSED",
    }
)
_SEXUAL_INDEX = np.array([LABELS.index(name) for name in sorted(SEXUAL)])


def have_detector() -> bool:
    """Whether this build has the detector (its packages are installed)."""
    return find_spec("nudenet") is not None and find_spec("onnxruntime") is not None


def engine_version() -> str:
    return f"{installed_version('nudenet')}+s{SETTINGS}"


@cache
def _session() -> Any:
    """An ONNX Runtime session on the model in NudeNet's wheel, made once per process."""
    from importlib.resources import files

    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = inference_threads()
    options.inter_op_num_threads = 1
    model = files("nudenet") / "320n.onnx"
    return onnxruntime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )


def _blob(image: Image.Image) -> tuple[np.ndarray[Any, np.dtype[np.float32]], float]:
    """The model's input (1×3×320×320, RGB in 0-1) and the picture's scale to it."""
    rgb = image.convert("RGB")
    side = max(rgb.size)
    square = Image.new("RGB", (side, side))
    square.paste(rgb, (0, 0))
    scaled = square.resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    array = np.asarray(scaled, dtype=np.float32) / 255.0
    return np.ascontiguousarray(array.transpose(2, 0, 1)[np.newaxis]), side / SIZE


def detect(image: Image.Image) -> list[dict[str, Any]]:
    """The best detection of each class found in a picture: class, score, box (x, y, w, h)."""
    blob, scale = _blob(image)
    output = _session().run(None, {"images": blob})[0]
    anchors = np.asarray(output)[0].T  # anchors × (cx, cy, w, h, class scores…)
    scores = anchors[:, 4:]
    found = []
    for index, label in enumerate(LABELS):
        best = int(np.argmax(scores[:, index]))
        score = float(scores[best, index])
        if score < MIN_DETECTION:
            continue
        cx, cy, w, h = (float(v) * scale for v in anchors[best, :4])
        box = [round(cx - w / 2), round(cy - h / 2), round(w), round(h)]
        found.append({"class": label, "score": round(score, 4), "box": box})
    return sorted(found, key=lambda d: -float(d["score"]))


def picture_score(image: Image.Image) -> tuple[float, list[dict[str, Any]]]:
    """A picture's sexual-content score (0-1) and its detections."""
    found = detect(image)
    score = max((float(d["score"]) for d in found if d["class"] in SEXUAL), default=0.0)
    return round(score, 4), found


def sexual_score(path: Path, mime: str = "image/jpeg") -> float:
    """The sexual-content score of an image file (the highest of a video's key frames)."""
    return max((picture_score(p)[0] for p in images_of(path, mime)), default=0.0)


@dataclass(frozen=True, slots=True)
class SexualAnalyser:
    """The detector as an analyser (``reviewer analyse --nudity``)."""

    version: str
    kind: Literal["sexual"] = "sexual"
    engine: str = ENGINE
    model: str | None = MODEL

    def accepts(self, mime: str) -> bool:
        return is_image(mime) or is_video(mime)

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        frames: list[dict[str, Any]] = []
        for picture in images_of(path, mime):
            score, found = picture_score(picture)
            frames.append({"score": score, "detections": found})
        score = max((float(f["score"]) for f in frames), default=0.0)
        return AnalysisResult(data={"frames": frames}, score=score)
