"""The analyser interface media-analysis engines plug into, and the registry of those built in.

An analyser takes one evidence file (its path and libmagic MIME type) and returns a result;
it runs in a worker process, so an instance must pickle (a frozen dataclass of plain fields)
and must not touch the case. Its ``kind`` says what the result means:

- ``similar``: perceptual hashes (``data["frames"]``: one hash set per image or key frame);
- ``av``: ``duration`` in seconds, ``data["frames"]``: key-frame thumbnails under ``cache/``;
- ``ocr``: ``text``, ``confidence`` (0-1), ``data["boxes"]``: ``[{"box": [[x, y] * 4],
  "text", "confidence"}]``;
- ``sexual``: ``score`` (0-1), ``data`` per key frame where the file is a video.

The OCR engine (:mod:`reviewer.review.media.ocr`, RapidOCR) and the sexual-content detector
(:mod:`reviewer.review.media.sexual`, NudeNet's model) register below; each is offered only
where its packages are installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from PIL import Image

Kind = Literal["similar", "av", "ocr", "sexual"]
KINDS: tuple[Kind, ...] = ("similar", "av", "ocr", "sexual")

#: Key frames taken from a video for hashing (and later OCR and scoring).
KEY_FRAMES = 3


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """What an analyser found in one file."""

    data: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    confidence: float | None = None
    score: float | None = None
    duration: float | None = None


class Analyser(Protocol):
    """One engine. ``version`` changes whenever its results could change (engine, model,
    parameters): files analysed with another version are redone only on request."""

    @property
    def kind(self) -> Kind: ...

    @property
    def engine(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def model(self) -> str | None: ...

    def accepts(self, mime: str) -> bool:
        """Whether this analyser reads files of this MIME type."""
        ...

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        """Analyse one file; raise for a file it cannot read (recorded as failed)."""
        ...


def is_image(mime: str) -> bool:
    return mime.startswith("image/") and mime not in ("image/svg+xml",)


def is_video(mime: str) -> bool:
    return mime.startswith("video/")


def is_audio(mime: str) -> bool:
    return mime.startswith("audio/") or mime == "application/ogg"


def images_of(path: Path, mime: str, frames: int = KEY_FRAMES) -> Iterator[Image.Image]:
    """The pictures of a file, for analysers of images: an image itself (its first frame, for
    an animation), or a video's first ``frames`` key frames."""
    if is_video(mime):
        from reviewer.review.media.video import key_frames

        yield from key_frames(path, frames)
        return
    with Image.open(path) as image:
        image.load()
        yield image


_FACTORIES: dict[Kind, list[Callable[[Path], Analyser | None]]] = {kind: [] for kind in KINDS}


def register(kind: Kind, factory: Callable[[Path], Analyser | None]) -> None:
    """Add an engine: ``factory(cache_dir)`` returns an analyser, or None when its library
    is not installed in this build."""
    _FACTORIES[kind].append(factory)


def available(kind: Kind, cache_dir: Path) -> list[Analyser]:
    """The engines of ``kind`` this build can run."""
    found = (factory(cache_dir) for factory in _FACTORIES[kind])
    return [analyser for analyser in found if analyser is not None]


def _similar(cache_dir: Path) -> Analyser | None:
    from reviewer.review.media.similar import HashAnalyser

    return HashAnalyser()


def _av(cache_dir: Path) -> Analyser | None:
    from reviewer.review.media.video import AvAnalyser, have_av

    return AvAnalyser(str(cache_dir / "frames")) if have_av() else None


def _ocr(cache_dir: Path) -> Analyser | None:
    from reviewer.review.media.ocr import OcrAnalyser, engine_version, have_ocr

    return OcrAnalyser(engine_version()) if have_ocr() else None


def _sexual(cache_dir: Path) -> Analyser | None:
    from reviewer.review.media.sexual import SexualAnalyser, engine_version, have_detector

    return SexualAnalyser(engine_version()) if have_detector() else None


register("similar", _similar)
register("av", _av)
register("ocr", _ocr)
register("sexual", _sexual)
