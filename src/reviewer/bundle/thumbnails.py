"""Small JPEG renderings of image attachments for the PDF report (the originals are in the
bundle's media folder).

Planning and rendering are apart so that rendering can run in another process (the one that
then typesets the PDF) while the report's text is prepared: a plan reads each image's header
only, which gives its size; :func:`render_thumbnails` decodes (JPEG draft mode, so a large
photo is read at a fraction of its size) and writes the files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from reviewer.bundle import report_common as rc
from reviewer.bundle.model import BundleAttachment

THUMB_PIXELS = 320
_PLACEHOLDER_GREY = (224, 224, 224)


@dataclass(frozen=True, slots=True)
class ThumbnailJob:
    source: Path
    name: str  # file name in the thumbnails folder
    filename: str  # the attachment's, for a warning


class Thumbnails:
    """Plans each image's thumbnail once: its name in ``folder`` and the image's pixel size."""

    def __init__(self, media_root: Path, folder: Path) -> None:
        self.media_root = media_root
        self.folder = folder
        self._planned: dict[str, tuple[str, int, int] | None] = {}
        self.jobs: list[ThumbnailJob] = []  # planned, in order; rendered by render_thumbnails

    def plan(self, attachments: Iterable[BundleAttachment]) -> None:
        """Plan every thumbnail the report shows; names follow the order of
        ``attachments``, so the output is the same every time."""
        for attachment in attachments:
            key = attachment.sha256 or attachment.filename
            if key not in self._planned:
                self._planned[key] = self._plan(attachment, f"t{len(self._planned)}.jpg")

    def get(self, attachment: BundleAttachment) -> tuple[str, int, int] | None:
        """(file name, width, height of the image) of a planned attachment's thumbnail, or
        None when it has none (no image whose size can be read, or not planned)."""
        return self._planned.get(attachment.sha256 or attachment.filename)

    def _plan(self, attachment: BundleAttachment, name: str) -> tuple[str, int, int] | None:
        source = self._source(attachment)
        if source is None:
            return None
        try:
            with Image.open(source) as img:
                width, height = img.size
        except (OSError, ValueError, Image.DecompressionBombError):
            return None
        if width < 1 or height < 1:
            return None
        self.jobs.append(ThumbnailJob(source, name, attachment.filename))
        return name, width, height

    def _source(self, attachment: BundleAttachment) -> Path | None:
        """The case's thumbnail, else the file the bundle's copy is made from (the same bytes:
        the copy is checked against its SHA-256), else the copy in the bundle."""
        if attachment.thumbnail is not None and attachment.thumbnail.is_file():
            return attachment.thumbnail
        if not rc.is_image(attachment):
            return None
        if attachment.source is not None and attachment.source.is_file():
            return attachment.source
        if attachment.bundle_path:
            path = self.media_root / attachment.bundle_path
            return path if path.is_file() else None
        return None


def render_thumbnails(jobs: list[ThumbnailJob], folder: Path) -> list[str]:
    """Write each job's thumbnail into ``folder``; return the file names of the attachments
    that could not be decoded. Each of those gets a grey stand-in saying so (the report shows
    a box in the image's place, never nothing and never another picture)."""
    folder.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    for job in jobs:
        try:
            _render(job.source, folder / job.name)
        except (OSError, ValueError, Image.DecompressionBombError):
            failed.append(job.filename)
            _stand_in(folder / job.name)
    return failed


def _render(source: Path, target: Path) -> None:
    with Image.open(source) as img:
        img.draft("RGB", (THUMB_PIXELS, THUMB_PIXELS))
        img.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
        img.convert("RGB").save(target, "JPEG", quality=80)


def _stand_in(target: Path) -> None:
    img = Image.new("RGB", (THUMB_PIXELS, THUMB_PIXELS), _PLACEHOLDER_GREY)
    ImageDraw.Draw(img).text((12, 12), "no preview:\nthe image could not be decoded", fill="black")
    img.save(target, "JPEG", quality=80)
