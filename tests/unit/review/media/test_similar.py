"""Perceptual hashes and near-duplicate grouping (no database)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

import media_fixtures as mf
from reviewer.review.media.hashes import ImageHashes, dhash, distance, image_hashes, phash
from reviewer.review.media.similar import DHASH_MAX, PHASH_MAX, Picture, group, near, picture


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_copies_are_near_and_different_screenshots_are_not() -> None:
    for meme in (mf.meme(3), mf.meme(4)):
        original = picture(_open(mf.jpeg(meme)))
        for copy in (
            mf.reencoded(meme),
            mf.resized(meme),
            mf.cropped(meme, 0.03),
            mf.cropped(meme, 0.05),
        ):
            assert near(original, picture(_open(copy)))
    shots = [picture(mf.screenshot(seed)) for seed in range(40)]
    close = 0
    for i, a in enumerate(shots):
        for b in shots[i + 1 :]:
            assert not near(a, b)
            # The coarse hashes alone are not enough to tell them apart.
            close += distance(a.hashes.phash, b.hashes.phash) <= PHASH_MAX and (
                distance(a.hashes.dhash, b.hashes.dhash) <= DHASH_MAX
            )
    assert close > 0


def test_hashes_round_trip_through_json() -> None:
    hashes = image_hashes(mf.photo(1))
    assert ImageHashes.from_json(hashes.to_json()) == hashes
    assert len(hashes.to_json()["phash16"]) == 64


def test_transparent_images_are_hashed_on_white() -> None:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    assert image_hashes(image) == image_hashes(Image.new("RGB", (64, 64), "white"))


def test_group_numbers_stay_with_their_pictures() -> None:
    a = Picture(ImageHashes(0, 0, 0))
    b = Picture(ImageHashes(0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0))
    files = {
        "a1": [a],
        "a2": [a],
        "b1": [b],
        "b2": [b],
        "c": [Picture(ImageHashes(0xFF00FF, 0xF0F0F0F0F0F0, 1 << 200))],
    }
    first = group(files)
    assert first == {"a1": 1, "a2": 1, "b1": 2, "b2": 2}
    # A later run where group 2's pictures come first in order keeps both numbers.
    again = group({"0": [b], **files}, previous=first)
    assert again == {"0": 2, "a1": 1, "a2": 1, "b1": 2, "b2": 2}
    # A group of new files gets a number after the largest used, never a used one.
    assert group({"x": [a], "y": [a]}, previous={"a1": 1, "b1": 2}) == {"x": 3, "y": 3}
    # Two earlier groups now joined keep the smaller number.
    assert group({"a1": [a], "b1": [a]}, previous={"a1": 1, "b1": 2}) == {"a1": 1, "b1": 1}


def test_same_bits_as_imagehash() -> None:
    imagehash = pytest.importorskip("imagehash")
    for image in (mf.meme(1), mf.screenshot(2), mf.photo(3)):
        grey = image.convert("L")
        assert phash(grey, 8) == int(str(imagehash.phash(image, 8)), 16)
        assert phash(grey, 16) == int(str(imagehash.phash(image, 16)), 16)
        assert dhash(grey, 8) == int(str(imagehash.dhash(image, 8)), 16)
