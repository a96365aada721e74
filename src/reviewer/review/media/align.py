"""Fine comparison of two small grey thumbnails after undoing a slight crop.

A cropped copy is a sub-rectangle of the original stretched to the same thumbnail size. The
crop is found per axis from the row and column brightness profiles (either picture may be the
cropped one), both thumbnails are cut to the matching regions and resampled, and their 256-bit
pHashes compared. Texts that differ (screenshots of one layout) stay far apart; the same
picture comes back within a few bits.
"""

from __future__ import annotations

import base64
import zlib

from PIL import Image

from reviewer.review.media.hashes import distance, phash

SIDE = 64
#: Largest crop searched, in thumbnail pixels per axis (6 of 64: about 9 %), and the step
#: (half-pixel steps found the same crops at twice the cost: 20 ms a pair instead of 10).
MAX_CROP = 6.0
STEP = 1.0

Region = tuple[float, float]


def thumbnail(grey: Image.Image) -> Image.Image:
    """The ``SIDE`` x ``SIDE`` grey thumbnail compared here."""
    return grey.convert("L").resize((SIDE, SIDE), Image.Resampling.LANCZOS)


def pack(image: Image.Image) -> str:
    return base64.b64encode(zlib.compress(image.tobytes(), 9)).decode("ascii")


def unpack(text: str) -> Image.Image:
    return Image.frombytes("L", (SIDE, SIDE), zlib.decompress(base64.b64decode(text)))


class Prepared:
    """A thumbnail with its row and column profiles, whole and cut by every crop searched
    (computed once per picture: comparing two pictures is then a few thousand operations)."""

    __slots__ = ("cols", "image", "rows")

    def __init__(self, image: Image.Image) -> None:
        self.image = image
        rows, cols = _profiles(image.tobytes())
        self.rows = _variants(rows)
        self.cols = _variants(cols)


Variants = list[tuple[Region, list[float]]]


def aligned_distance(a: Image.Image | Prepared, b: Image.Image | Prepared) -> int:
    """Bits between the 256-bit pHashes of ``a`` and ``b`` once a slight crop is undone."""
    pa = a if isinstance(a, Prepared) else Prepared(a)
    pb = b if isinstance(b, Prepared) else Prepared(b)
    ya, yb = _align(pa.rows, pb.rows)
    xa, xb = _align(pa.cols, pb.cols)
    box_a = (xa[0], ya[0], xa[1], ya[1])
    box_b = (xb[0], yb[0], xb[1], yb[1])
    fa = pa.image.resize((SIDE, SIDE), Image.Resampling.BILINEAR, box=box_a)
    fb = pb.image.resize((SIDE, SIDE), Image.Resampling.BILINEAR, box=box_b)
    return distance(phash(fa, 16), phash(fb, 16))


def _profiles(pixels: bytes) -> tuple[list[float], list[float]]:
    rows = [sum(pixels[y * SIDE : (y + 1) * SIDE]) / SIDE for y in range(SIDE)]
    cols = [sum(pixels[x::SIDE]) / SIDE for x in range(SIDE)]
    return rows, cols


def _variants(profile: list[float]) -> Variants:
    """The whole profile first, then each crop of it resampled to ``SIDE`` values."""
    found: Variants = [((0.0, float(SIDE)), profile)]
    for c in range(1, int(MAX_CROP / STEP) + 1):
        crop = c * STEP
        for o in range(c + 1):
            start = o * STEP
            found.append(((start, start + SIDE - crop), _segment(profile, start, SIDE - crop)))
    return found


def _segment(profile: list[float], start: float, length: float) -> list[float]:
    """``profile[start : start + length]`` resampled (linearly) to ``SIDE`` values."""
    out = []
    scale = length / SIDE
    last = SIDE - 1
    for i in range(SIDE):
        position = min(max(start + (i + 0.5) * scale - 0.5, 0.0), float(last))
        low = int(position)
        high = min(low + 1, last)
        fraction = position - low
        out.append(profile[low] * (1 - fraction) + profile[high] * fraction)
    return out


def _align(a: Variants, b: Variants) -> tuple[Region, Region]:
    """The regions of ``a`` and ``b`` (one of them whole) whose profiles agree best."""
    (whole, a_whole), (_, b_whole) = a[0], b[0]
    best = (_gap(a_whole, b_whole), whole, whole)
    for region, segment in a[1:]:
        gap = _gap(segment, b_whole)
        if gap < best[0]:
            best = (gap, region, whole)
    for region, segment in b[1:]:
        gap = _gap(a_whole, segment)
        if gap < best[0]:
            best = (gap, whole, region)
    return best[1], best[2]


def _gap(a: list[float], b: list[float]) -> float:
    return sum((x - y) * (x - y) for x, y in zip(a, b, strict=True))
