"""Small JPEG renderings of image attachments for the PDF report (the originals are in the
bundle's media folder). Decoding uses JPEG draft mode, so a large photo is read at a fraction
of its size."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from reviewer.bundle import report_common as rc
from reviewer.bundle.model import BundleAttachment

THUMB_PIXELS = 320
WORKERS = 2


class Thumbnails:
    """Writes each image's thumbnail once into ``folder``; returns its name and pixel size."""

    def __init__(self, media_root: Path, folder: Path) -> None:
        self.media_root = media_root
        self.folder = folder
        self._done: dict[str, tuple[str, int, int] | None] = {}

    def prepare(self, attachments: Iterable[BundleAttachment]) -> None:
        """Render every thumbnail ahead, two at a time (Pillow decodes without the GIL).
        Names follow the order of ``attachments``, so the output is the same every time."""
        jobs: dict[str, tuple[BundleAttachment, str]] = {}
        for attachment in attachments:
            key = attachment.sha256 or attachment.filename
            if key not in self._done and key not in jobs:
                jobs[key] = (attachment, f"t{len(self._done) + len(jobs)}.jpg")
        self.folder.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            done = pool.map(lambda job: self._render(*job), jobs.values())
            self._done.update(zip(jobs, done, strict=True))

    def get(self, attachment: BundleAttachment) -> tuple[str, int, int] | None:
        key = attachment.sha256 or attachment.filename
        if key not in self._done:
            self._done[key] = self._render(attachment, f"t{len(self._done)}.jpg")
        return self._done[key]

    def _render(self, attachment: BundleAttachment, name: str) -> tuple[str, int, int] | None:
        source = self._source(attachment)
        if source is None:
            return None
        try:
            with Image.open(source) as img:
                img.draft("RGB", (THUMB_PIXELS, THUMB_PIXELS))
                img.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
                rgb = img.convert("RGB")
                self.folder.mkdir(parents=True, exist_ok=True)
                rgb.save(self.folder / name, "JPEG", quality=80)
                return name, rgb.width, rgb.height
        except (OSError, ValueError, Image.DecompressionBombError):
            return None

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
