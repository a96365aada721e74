"""Perceptual hashes of an image: pHash (DCT) and dHash (gradient), on Pillow and NumPy.

:func:`phash` and :func:`dhash` give the bits of ImageHash 4.3 (``imagehash.phash``,
``imagehash.dhash``): a grey image resized with Lanczos, a 2-D DCT-II whose low frequencies are
compared with their median (pHash), or each pixel compared with its right-hand neighbour
(dHash); the first bit is the most significant. ImageHash itself needs SciPy (about 140 MB
installed) for the one DCT; only the low ``size`` x ``size`` frequencies are needed, two small
matrix products, so they are computed here. :func:`image_hashes` box-averages a large picture
first (1080 px: 12 ms instead of 65 ms), which moves a bit or two of the 64 (measured: at most
3) against ImageHash.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from PIL import Image

#: pHash input side per hash side (ImageHash's ``highfreq_factor``).
HIGHFREQ_FACTOR = 4
#: Pictures larger than twice this (short side) are box-averaged down before hashing.
PRESHRINK_SIDE = 128


@dataclass(frozen=True, slots=True)
class ImageHashes:
    """The hashes of one image (or video key frame) as integers."""

    phash: int  # 64 bits
    dhash: int  # 64 bits
    phash16: int  # 256 bits: finer detail (text in screenshots) than the 64-bit pHash

    def to_json(self) -> dict[str, str]:
        return {
            "phash": f"{self.phash:016x}",
            "dhash": f"{self.dhash:016x}",
            "phash16": f"{self.phash16:064x}",
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> ImageHashes:
        return cls(int(data["phash"], 16), int(data["dhash"], 16), int(data["phash16"], 16))


def image_hashes(image: Image.Image) -> ImageHashes:
    """All three hashes of ``image`` (any mode; transparency is flattened onto white)."""
    return hashes_of_grey(shrunk_grey(image))


def hashes_of_grey(grey: Image.Image) -> ImageHashes:
    return ImageHashes(phash(grey, 8), dhash(grey, 8), phash(grey, 16))


def shrunk_grey(image: Image.Image) -> Image.Image:
    """The picture in grey, box-averaged down by an integer factor to at least
    ``PRESHRINK_SIDE`` pixels on its short side: the Lanczos resizes after it then cost a few
    milliseconds instead of tens. Bits can differ from ImageHash's by a few where a
    coefficient is near the median."""
    grey = _grey(image)
    factor = min(grey.size) // PRESHRINK_SIDE
    return grey.reduce(factor) if factor >= 2 else grey


def distance(a: int, b: int) -> int:
    """Hamming distance between two hashes."""
    return (a ^ b).bit_count()


def phash(image: Image.Image, size: int = 8) -> int:
    """ImageHash's ``phash(image, hash_size=size)`` as an integer."""
    side = size * HIGHFREQ_FACTOR
    small = image.convert("L").resize((side, side), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.float64)
    table = _cosines(side, size)
    # DCT along the columns, then along the rows, keeping only the low ``size`` frequencies.
    low = (table @ pixels @ table.T).ravel()
    return _bits((low > np.median(low)).tolist())


def dhash(image: Image.Image, size: int = 8) -> int:
    """ImageHash's ``dhash(image, hash_size=size)`` as an integer."""
    width = size + 1
    pixels = _pixels(image, width, size)
    return _bits(
        pixels[y * width + x + 1] > pixels[y * width + x] for y in range(size) for x in range(size)
    )


def _grey(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        return flat.convert("L")
    return image.convert("L")


def _pixels(image: Image.Image, width: int, height: int) -> list[int]:
    small = image.convert("L").resize((width, height), Image.Resampling.LANCZOS)
    return list(small.tobytes())


@cache
def _cosines(n: int, keep: int) -> npt.NDArray[np.float64]:
    """Unnormalised DCT-II basis (SciPy's ``dct`` type 2): ``2 cos(pi k (2i + 1) / 2n)``,
    ``keep`` x ``n`` (read only: it is shared)."""
    table = np.array(
        [
            [2.0 * math.cos(math.pi * k * (2 * i + 1) / (2 * n)) for i in range(n)]
            for k in range(keep)
        ]
    )
    table.flags.writeable = False
    return table


def _bits(flags: Iterable[bool]) -> int:
    value = 0
    for flag in flags:
        value = (value << 1) | flag
    return value
