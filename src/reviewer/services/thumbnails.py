"""The case's thumbnail cache: a 320-pixel JPEG of each image attachment, under
``cache/thumbs/<sha[:2]>/<sha>.jpg``, made from the evidence file when first needed.

An import does not make them (for 1,000 photos they cost more CPU than storing the files):
the window makes the ones it shows, in the background (``gui.chat.thumbnails``), and an
export renders missing ones from the originals. Deleting the cache loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PIL import Image

from reviewer.importers import media

__all__ = ["can_have_thumbnail", "ensure_thumbnail", "ensure_thumbnails", "thumbnail_path"]


def thumbnail_path(cache_dir: Path, sha256: str) -> Path:
    return cache_dir / "thumbs" / sha256[:2] / f"{sha256}.jpg"


def can_have_thumbnail(width: int | None, height: int | None) -> bool:
    """Whether an attachment inspected at import as ``width`` × ``height`` (None: not an
    image Pillow could open) gets a thumbnail: an image Pillow will agree to decode."""
    if not width or not height:
        return False
    limit = Image.MAX_IMAGE_PIXELS
    return limit is None or width * height <= limit


def ensure_thumbnail(thumb: Path, original: Path) -> bool:
    """Make ``thumb`` from ``original`` unless it exists; False when no thumbnail can be
    made (the original is missing or is no usable image). Safe from any thread; the file
    appears complete or not at all."""
    if thumb.is_file():
        return True
    if not original.is_file():
        return False
    return media.make_thumbnail(original, thumb)


def ensure_thumbnails(pairs: Iterable[tuple[Path, Path]]) -> set[Path]:
    """:func:`ensure_thumbnail` for each (thumbnail, original); the thumbnails that exist."""
    return {thumb for thumb, original in pairs if ensure_thumbnail(thumb, original)}
