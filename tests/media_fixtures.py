"""Images (and a video) for media-analysis tests, drawn with Pillow from a seed.

Memes: bold outlined capital captions over busy backgrounds. Screenshots: phone-sized chat
screens in one layout, each with different text. Photos: text-free scenes. Copies: re-encoded
(JPEG quality 60), resized (50 %) and slightly cropped (3-5 %) versions of an image.
"""

from __future__ import annotations

import io
import random
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:  # the benchmarks import these fixtures without pytest
    import pytest

    from reviewer.review.media.analysers import Kind

_FONTS = files("reviewer.resources") / "fonts"

WORDS = (
    "shift",
    "sarge",
    "custody",
    "night",
    "patrol",
    "van",
    "radio",
    "report",
    "briefing",
    "canteen",
    "overtime",
    "station",
    "duty",
    "response",
    "inspector",
    "collar",
    "warrant",
    "street",
    "corner",
    "locker",
    "parade",
    "weekend",
    "rota",
    "bodycam",
)


def noto(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return ImageFont.truetype(str(_FONTS / name), size)


def meme(seed: int, size: tuple[int, int] = (600, 600)) -> Image.Image:
    """A busy background of coloured shapes with a top and a bottom caption."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    width, height = size
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(10, width // 4)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    font = noto(width // 12, bold=True)
    for top in (True, False):
        caption = " ".join(rng.choice(WORDS) for _ in range(3)).upper()
        box = draw.textbbox((0, 0), caption, font=font, stroke_width=4)
        x = (width - (box[2] - box[0])) // 2
        y = height // 30 if top else height - (box[3] - box[1]) - height // 15
        draw.text((x, y), caption, font=font, fill="white", stroke_width=4, stroke_fill="black")
    return image


def screenshot(seed: int, size: tuple[int, int] = (540, 1170)) -> Image.Image:
    """A chat screen: status bar, title bar, and bubbles of text; only the text varies."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, (236, 229, 221))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 40), fill=(7, 94, 84))
    draw.rectangle((0, 40, width, 120), fill=(7, 94, 84))
    draw.text((90, 62), "Shift B", font=noto(28, bold=True), fill="white")
    draw.ellipse((20, 55, 70, 105), fill=(200, 200, 200))
    font = noto(22)
    y = 150
    mine = False
    while y < height - 140:
        lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))) for _ in range(2)]
        bubble_height = 34 * len(lines) + 20
        left, right = (width * 0.30, width - 20) if mine else (20, width * 0.72)
        fill = (220, 248, 198) if mine else (255, 255, 255)
        draw.rounded_rectangle((left, y, right, y + bubble_height), 12, fill=fill)
        for index, line in enumerate(lines):
            draw.text((left + 14, y + 10 + 34 * index), line, font=font, fill=(20, 20, 20))
        y += bubble_height + 18
        mine = rng.random() < 0.5
    draw.rectangle((0, height - 90, width, height), fill=(240, 240, 240))
    draw.rounded_rectangle((15, height - 75, width - 90, height - 20), 25, fill="white")
    return image


def gradient(size: tuple[int, int], top: tuple[int, ...], bottom: tuple[int, ...]) -> Image.Image:
    """A vertical gradient from the ``top`` colour to the ``bottom`` one (a photo's sky)."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            (0, y, width, y),
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def photo(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A text-free scene: a sky gradient, hills and a few blurred blobs."""
    rng = random.Random(seed)
    width, height = size
    top = tuple(rng.randrange(80, 200) for _ in range(3))
    bottom = tuple(rng.randrange(0, 120) for _ in range(3))
    image = gradient(size, top, bottom)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(2, 5)):
        cx, cy = rng.randrange(width), rng.randrange(height // 3, height)
        r = rng.randrange(width // 6, width // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((cx - r, cy - r // 2, cx + r, cy + r), fill=colour)
    return image


def use_stand_ins(
    monkeypatch: pytest.MonkeyPatch, engines: Mapping[str, Any], *, real_others: bool = True
) -> None:
    """Make ``analysers.available`` (as media analysis calls it) give each kind in ``engines``
    its stand-in; any other kind gets the real engines, or none when ``real_others`` is false.
    ``engines`` is read at each call, so a test may swap a stand-in in it afterwards."""
    from reviewer.review.media import analysers

    real = analysers.available

    def available(kind: Kind, cache_dir: Path) -> list[Any]:
        if kind in engines:
            return [engines[kind]]
        return real(kind, cache_dir) if real_others else []

    monkeypatch.setattr(analysers, "available", available)


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def reencoded(image: Image.Image) -> bytes:
    """The image as WhatsApp forwards it again: JPEG at quality 60."""
    return jpeg(image, 60)


def resized(image: Image.Image) -> bytes:
    width, height = image.size
    return jpeg(image.resize((width // 2, height // 2), Image.Resampling.BICUBIC), 85)


def cropped(image: Image.Image, share: float = 0.04) -> bytes:
    """Trimmed by ``share`` of each side's length, from the top left edges."""
    width, height = image.size
    return jpeg(image.crop((int(width * share), int(height * share), width, height)), 85)


def video(path: Path, seconds: float = 2.0, fps: int = 10, seed: int = 1) -> Path:
    """A short MPEG-4 video (made with PyAV) of a moving shape over a meme-like picture."""
    import av

    base = meme(seed, (320, 240))
    frames = round(seconds * fps)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = base.size
        stream.pix_fmt = "yuv420p"
        for index in range(frames):
            frame_image = base.copy()
            ImageDraw.Draw(frame_image).ellipse(
                (index * 10, 100, index * 10 + 40, 140), fill="yellow"
            )
            for packet in stream.encode(av.VideoFrame.from_image(frame_image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def voice_note(path: Path, seconds: float = 3.0) -> Path:
    """An Ogg Opus voice note of a tone (made with PyAV)."""
    import math

    import av

    rate = 48000
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=rate)
        stream.layout = "mono"
        samples = round(seconds * rate)
        chunk = 960
        for start in range(0, samples, chunk):
            count = min(chunk, samples - start)
            data = bytearray()
            for i in range(count):
                value = int(8000 * math.sin(2 * math.pi * 440 * (start + i) / rate))
                data += value.to_bytes(2, "little", signed=True)
            frame = av.AudioFrame(format="s16", layout="mono", samples=count)
            frame.planes[0].update(bytes(data))
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
