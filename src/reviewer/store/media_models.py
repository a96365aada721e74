"""Models of media analysis (DESIGN.md §10): runs, per-file results of each engine, and
near-duplicate groups. Derived data: the evidence files themselves are never touched."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reviewer.store.models import Base


class AnalysisRun(Base):
    """One ``reviewer analyse`` run (DESIGN.md §10): its engines, counts and how it ended
    (``running`` until then; a run left ``running`` was stopped by a crash)."""

    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_utc: Mapped[str] = mapped_column(String(32))
    finished_utc: Mapped[str | None] = mapped_column(String(32))
    reviewer: Mapped[str] = mapped_column(Text)
    engines: Mapped[str] = mapped_column(Text)  # JSON list of {kind, engine, version, model}
    status: Mapped[str] = mapped_column(String(16))  # running, done, cancelled
    analysed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class MediaAnalysis(Base):
    """One engine's result for one distinct evidence file (by SHA-256), committed as soon as
    it is known. ``kind``: ``similar`` (perceptual hashes), ``av`` (duration, key frames),
    ``ocr`` (``text``, ``confidence``, boxes in ``data``) or ``sexual`` (``score``).
    A machine suggestion, never a tag."""

    __tablename__ = "media_analysis"
    __table_args__ = (UniqueConstraint("sha256", "kind", "engine", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    engine: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id"))
    created_utc: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # ok, failed
    error: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None]
    score: Mapped[float | None]
    duration: Mapped[float | None]
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON: hashes, frames, OCR boxes


class MediaGroup(Base):
    """The near-duplicate group of a distinct evidence file; rebuilt by each similarity run,
    keeping a group's number while any of its files stays in it."""

    __tablename__ = "media_group"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_no: Mapped[int] = mapped_column(Integer, index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id"))
