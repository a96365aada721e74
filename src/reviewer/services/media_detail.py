"""What media analysis found in one file, for the media viewer (DESIGN.md §10): the
machine-read text with its word boxes, engine, model, version and confidence; the
sexual-content score; the near-duplicate group and its size."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from reviewer.services.case import Case
from reviewer.store.media_models import MediaAnalysis, MediaGroup


@dataclass(frozen=True, slots=True)
class TextBox:
    """One line read: its corners (four (x, y) points in the picture's pixels)."""

    points: tuple[tuple[float, float], ...]
    text: str
    confidence: float | None


@dataclass(frozen=True, slots=True)
class ImageText:
    text: str
    engine: str
    model: str | None
    version: str
    confidence: float | None
    boxes: tuple[TextBox, ...]


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
    return FileAnalysis(
        ocr=_text(ocr) if ocr is not None else None,
        sexual=(
            Score(float(sexual.score), sexual.engine, sexual.version)
            if sexual is not None and sexual.score is not None
            else None
        ),
        group=group,
        group_size=int(size or 0),
    )


def _text(row: MediaAnalysis) -> ImageText:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        data = {}
    boxes = []
    for item in data.get("boxes", []) if isinstance(data, dict) else []:
        try:
            points = tuple((float(x), float(y)) for x, y in item["box"])
        except (KeyError, TypeError, ValueError):
            continue
        confidence = item.get("confidence")
        boxes.append(
            TextBox(points, str(item.get("text", "")), float(confidence) if confidence else None)
        )
    return ImageText(
        text=row.text or "",
        engine=row.engine,
        model=row.model,
        version=row.version,
        confidence=row.confidence,
        boxes=tuple(boxes),
    )
