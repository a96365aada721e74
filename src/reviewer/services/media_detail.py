"""What media analysis found in one file, for the media viewer (DESIGN.md §10): the
machine-read text with its word boxes, engine, model, version and confidence; the
sexual-content score; the near-duplicate group and its size."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from reviewer.services.case import Case
from reviewer.store.media_models import MediaAnalysis, MediaGroup


@dataclass(frozen=True, slots=True)
class TextBox:
    """One line read: its corners (four (x, y) points in the picture's pixels; of a video,
    in key frame ``frame``'s, None when the result predates frames being recorded)."""

    points: tuple[tuple[float, float], ...]
    text: str
    confidence: float | None
    frame: int | None = None


@dataclass(frozen=True, slots=True)
class ImageText:
    text: str
    engine: str
    model: str | None
    version: str
    confidence: float | None
    boxes: tuple[TextBox, ...]
    frame_sizes: tuple[tuple[int, int], ...] = ()  # a video's key frames, as read

    def frame_boxes(self, frame: int) -> tuple[TextBox, ...]:
        return tuple(box for box in self.boxes if box.frame == frame)


@dataclass(frozen=True, slots=True)
class Score:
    score: float
    engine: str
    version: str


@dataclass(frozen=True, slots=True)
class FileAnalysis:
    """The latest successful result of each engine for one file (None: not analysed)."""

    ocr: ImageText | None = None
    sexual: Score | None = None
    group: int | None = None
    group_size: int = 0
    frames: tuple[str, ...] = ()  # a video's key-frame thumbnails, under the case's cache

    @property
    def empty(self) -> bool:
        return self.ocr is None and self.sexual is None and self.group is None


def file_analysis(case: Case, sha256: str) -> FileAnalysis:
    """One indexed read per kind; cheap enough for the UI thread on opening a viewer."""
    with case.reading() as session:
        rows = session.scalars(
            select(MediaAnalysis)
            .where(MediaAnalysis.sha256 == sha256, MediaAnalysis.status == "ok")
            .order_by(MediaAnalysis.id)
        )
        latest = {row.kind: row for row in rows}
        group = session.scalar(select(MediaGroup.group_no).where(MediaGroup.sha256 == sha256))
        size = (
            session.scalar(
                select(func.count()).select_from(MediaGroup).where(MediaGroup.group_no == group)
            )
            if group is not None
            else 0
        )
    ocr = latest.get("ocr")
    sexual = latest.get("sexual")
    av = latest.get("av")
    return FileAnalysis(
        ocr=_text(ocr) if ocr is not None else None,
        sexual=(
            Score(float(sexual.score), sexual.engine, sexual.version)
            if sexual is not None and sexual.score is not None
            else None
        ),
        group=group,
        group_size=int(size or 0),
        frames=tuple(str(f) for f in _json(av).get("frames") or []) if av is not None else (),
    )


def _json(row: MediaAnalysis) -> dict[str, Any]:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _text(row: MediaAnalysis) -> ImageText:
    data = _json(row)
    boxes = []
    for item in data.get("boxes", []):
        try:
            points = tuple((float(x), float(y)) for x, y in item["box"])
        except (KeyError, TypeError, ValueError):
            continue
        confidence = item.get("confidence")
        frame = item.get("frame")
        boxes.append(
            TextBox(
                points,
                str(item.get("text", "")),
                float(confidence) if confidence else None,
                frame if isinstance(frame, int) else None,
            )
        )
    sizes = []
    for size in data.get("frame_sizes") or []:
        try:
            sizes.append((int(size[0]), int(size[1])))
        except (IndexError, TypeError, ValueError):
            sizes.append((0, 0))
    return ImageText(
        text=row.text or "",
        engine=row.engine,
        model=row.model,
        version=row.version,
        confidence=row.confidence,
        boxes=tuple(boxes),
        frame_sizes=tuple(sizes),
    )
