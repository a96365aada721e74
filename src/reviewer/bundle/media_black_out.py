"""Areas of a picture blacked out for a redacted bundle (where machine-read text names a person
not involved): solid black rectangles over the decoded pixels, saved as PNG (lossless, so the
fill stays solid and nothing else changes), with no metadata but the orientation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from reviewer.bundle.media_clean import ORIENTATION

Box = Sequence[Sequence[int]]  # corners [x, y] of an OCR line, in the stored pixels
PAD = 2  # pixels around each box: OCR boxes hug the glyphs


def black_out(source: Path, target: Path, areas: Sequence[Box]) -> int:
    """Write ``source`` to ``target`` (PNG) with each area's bounding rectangle filled black;
    returns how many areas were filled."""
    with Image.open(source) as image:
        image.load()
        orientation = image.getexif().get(ORIENTATION)
        alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        picture = image.convert("RGBA" if alpha else "RGB")
    draw = ImageDraw.Draw(picture)
    black = (0, 0, 0, 255) if alpha else (0, 0, 0)
    filled = 0
    for box in areas:
        xs = [int(p[0]) for p in box]
        ys = [int(p[1]) for p in box]
        if not xs:
            continue
        left, top = max(min(xs) - PAD, 0), max(min(ys) - PAD, 0)
        right = min(max(xs) + PAD, picture.width - 1)
        bottom = min(max(ys) + PAD, picture.height - 1)
        if right < left or bottom < top:
            continue
        draw.rectangle((left, top, right, bottom), fill=black)
        filled += 1
    exif = Image.Exif()
    if isinstance(orientation, int) and 2 <= orientation <= 8:
        exif[ORIENTATION] = orientation
    picture.save(target, "PNG", exif=exif)
    return filled
