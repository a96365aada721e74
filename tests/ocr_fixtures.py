"""Images with known text for OCR tests and the OCR benchmark, drawn with Pillow from a seed.

Each generator returns the picture and the words drawn on it (lower case, in order):
memes (bold outlined capitals over a busy background of shapes), phone screenshots of a chat
(bubbles of ordinary text at phone resolution), and text-free photos (gradients, shapes, noise).
"""

from __future__ import annotations

import random
import re

from PIL import Image, ImageDraw, ImageFilter

from media_fixtures import WORDS as BASE_WORDS
from media_fixtures import gradient, noto

# The media fixtures' words, and more so a meme or screenshot rarely repeats itself.
WORDS = [
    *BASE_WORDS,
    "suspect",
    "arrest",
    "caution",
    "statement",
    "evidence",
    "pocketbook",
    "sergeant",
    "constable",
    "tasking",
    "cell",
    "handcuffs",
    "taser",
    "baton",
    "incident",
    "vehicle",
    "pursuit",
    "witness",
    "footage",
    "complaint",
]

_TOKEN = re.compile(r"[a-z0-9']+")


def words_of(text: str) -> list[str]:
    """The words of a text as OCR is scored: lower case runs of letters and digits."""
    return _TOKEN.findall(text.lower())


def word_recall(truth: list[str], found: str) -> float:
    """Share of the drawn words (counted with repeats) that the OCR text contains."""
    pool: dict[str, int] = {}
    for word in words_of(found):
        pool[word] = pool.get(word, 0) + 1
    hits = 0
    for word in truth:
        if pool.get(word, 0) > 0:
            pool[word] -= 1
            hits += 1
    return hits / len(truth) if truth else 1.0


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def meme(seed: int, width: int = 1080) -> tuple[Image.Image, list[str]]:
    """A square busy picture with a top and a bottom caption of bold outlined capitals."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, width), _colour(rng))
    draw = ImageDraw.Draw(image)
    for _ in range(80):
        x, y, r = rng.randrange(width), rng.randrange(width), rng.randrange(10, width // 4)
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=_colour(rng))
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=_colour(rng))
    image = image.filter(ImageFilter.GaussianBlur(2))
    draw = ImageDraw.Draw(image)
    font = noto(width // 13, bold=True)
    stroke = max(2, width // 270)
    drawn: list[str] = []
    for top in (True, False):
        caption = [rng.choice(WORDS) for _ in range(rng.randint(2, 4))]
        text = " ".join(caption).upper()
        while draw.textlength(text, font=font) > width * 0.94 and len(caption) > 1:
            caption.pop()
            text = " ".join(caption).upper()
        box = draw.textbbox((0, 0), text, font=font, stroke_width=stroke)
        x = (width - (box[2] - box[0])) // 2
        y = width // 30 if top else width - (box[3] - box[1]) - width // 15
        draw.text((x, y), text, font=font, fill="white", stroke_width=stroke, stroke_fill="black")
        drawn.extend(caption)
    return image, drawn


def screenshot(seed: int, size: tuple[int, int] = (1080, 2000)) -> tuple[Image.Image, list[str]]:
    """A phone chat screen: title bar, then bubbles of two or three lines of text."""
    rng = random.Random(seed)
    width, height = size
    scale = width / 540
    image = Image.new("RGB", size, (236, 229, 221))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, int(120 * scale)), fill=(7, 94, 84))
    draw.text(
        (int(90 * scale), int(62 * scale)),
        "Shift B",
        font=noto(int(28 * scale), True),
        fill="white",
    )
    font = noto(int(22 * scale))
    line_height = int(34 * scale)
    drawn: list[str] = ["shift", "b"]
    y = int(150 * scale)
    mine = False
    while y < height - 140 * scale:
        lines = [[rng.choice(WORDS) for _ in range(rng.randint(2, 5))] for _ in range(2)]
        bubble = line_height * len(lines) + int(20 * scale)
        left, right = (width * 0.30, width - 20 * scale) if mine else (20 * scale, width * 0.72)
        fill = (220, 248, 198) if mine else (255, 255, 255)
        draw.rounded_rectangle((left, y, right, y + bubble), int(12 * scale), fill=fill)
        for index, line in enumerate(lines):
            text = " ".join(line)
            if draw.textlength(text, font=font) > right - left - 28 * scale:
                line = line[:2]
                text = " ".join(line)
            draw.text(
                (left + 14 * scale, y + 10 * scale + line_height * index),
                text,
                font=font,
                fill=(20, 20, 20),
            )
            drawn.extend(line)
        y += bubble + int(18 * scale)
        mine = rng.random() < 0.5
    return image, drawn


def photo(seed: int, size: tuple[int, int] = (1080, 810)) -> Image.Image:
    """A text-free picture: a gradient sky, hills, shapes, blur and noise."""
    rng = random.Random(seed)
    width, height = size
    top, bottom = _colour(rng), _colour(rng)
    image = gradient(size, top, bottom)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(4, 12)):
        cx, cy = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(width // 20, width // 3)
        shape = draw.ellipse if rng.random() < 0.6 else draw.rectangle
        shape((cx - r, cy - r // 2, cx + r, cy + r), fill=_colour(rng))
    image = image.filter(ImageFilter.GaussianBlur(rng.choice((0, 1, 3))))
    noise = Image.effect_noise(size, rng.choice((10, 30, 60))).convert("RGB")
    return Image.blend(image, noise, 0.15)
