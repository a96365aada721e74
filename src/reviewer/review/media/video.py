"""Video and audio: duration and key frames, with PyAV (FFmpeg's libraries ship in its wheel;
no system ffmpeg is used)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

from PIL import Image

from reviewer.review.media.analysers import KEY_FRAMES, AnalysisResult, is_audio, is_video

#: Bumped whenever what the analyser writes changes.
AV_ANALYSER_VERSION = "1"
THUMBNAIL_SIDE = 320


def have_av() -> bool:
    return importlib.util.find_spec("av") is not None


def av_version() -> str:
    import av

    return str(av.__version__)


def duration(path: Path) -> float | None:
    """Seconds, from the container's duration or else its longest stream; None if unknown."""
    import av

    with av.open(str(path)) as container:
        if container.duration is not None and container.duration > 0:
            return float(container.duration) / 1_000_000  # av.time_base
        longest: float | None = None
        for stream in container.streams:
            if stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * Fraction(stream.time_base))
                longest = seconds if longest is None else max(longest, seconds)
        return longest


def key_frames(path: Path, limit: int = KEY_FRAMES) -> Iterator[Image.Image]:
    """The first ``limit`` key frames of a video's first video stream, as RGB images (the
    first decoded frame when the stream marks none as key)."""
    import av

    with av.open(str(path)) as container:
        if not container.streams.video:
            return
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        for count, frame in enumerate(container.decode(stream), 1):
            image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
            yield image
            if count >= limit:
                return


@dataclass(frozen=True, slots=True)
class AvAnalyser:
    """Duration of video and audio (voice notes); key-frame thumbnails of video saved as
    ``<frames_dir>/<sha256>/<n>.jpg`` (derived files, in the case's ``cache/``)."""

    frames_dir: str
    kind: Literal["av"] = "av"
    engine: str = "pyav"
    model: str | None = None

    @property
    def version(self) -> str:
        return f"{AV_ANALYSER_VERSION}+av{av_version()}"

    def accepts(self, mime: str) -> bool:
        return is_video(mime) or is_audio(mime)

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        seconds = duration(path)
        frames: list[str] = []
        if is_video(mime):
            folder = Path(self.frames_dir) / path.name
            folder.mkdir(parents=True, exist_ok=True)
            for index, image in enumerate(key_frames(path)):
                image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
                target = folder / f"{index}.jpg"
                image.convert("RGB").save(target, "JPEG", quality=85)
                frames.append(f"frames/{path.name}/{index}.jpg")
        return AnalysisResult(data={"frames": frames}, duration=seconds)
