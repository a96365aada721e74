"""The fonts that travel with reviewer: every laptop shows, and every report embeds, the same
glyphs whatever the machine has installed.

The files live in ``reviewer/resources/fonts`` (taken once from Debian's ``fonts-noto-core``,
``fonts-noto-color-emoji`` and ``fonts-wqy-microhei``; their licence texts lie beside them).
``FALLBACK_FAMILIES`` is the order in which a renderer should look for a glyph: Latin first,
then each script's face, then CJK, symbols and colour emoji last.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True, slots=True)
class BundledFont:
    """One font file shipped in the package."""

    file: str
    family: str
    covers: str
    version: str
    licence: str
    licence_file: str


_NOTO = ("OFL-1.1", "LICENSE-Noto.txt")

FONTS: tuple[BundledFont, ...] = (
    BundledFont("NotoSans-Regular.ttf", "Noto Sans", "Latin, Greek, Cyrillic", "2.004", *_NOTO),
    BundledFont("NotoSans-Bold.ttf", "Noto Sans", "Latin, Greek, Cyrillic (bold)", "2.004", *_NOTO),
    BundledFont(
        "NotoSansArabic-Regular.ttf", "Noto Sans Arabic", "Arabic, Persian, Urdu", "2.005", *_NOTO
    ),
    BundledFont(
        "NotoSansArabic-Bold.ttf",
        "Noto Sans Arabic",
        "Arabic, Persian, Urdu (bold)",
        "2.005",
        *_NOTO,
    ),
    BundledFont("NotoSansHebrew-Regular.ttf", "Noto Sans Hebrew", "Hebrew", "3.000", *_NOTO),
    BundledFont("NotoSansHebrew-Bold.ttf", "Noto Sans Hebrew", "Hebrew (bold)", "3.000", *_NOTO),
    BundledFont(
        "NotoSansDevanagari-Regular.ttf",
        "Noto Sans Devanagari",
        "Hindi, Marathi, Nepali",
        "2.001",
        *_NOTO,
    ),
    BundledFont("NotoSansGurmukhi-Regular.ttf", "Noto Sans Gurmukhi", "Punjabi", "2.001", *_NOTO),
    BundledFont(
        "NotoSansBengali-Regular.ttf", "Noto Sans Bengali", "Bengali, Assamese", "2.001", *_NOTO
    ),
    BundledFont("NotoSansGujarati-Regular.ttf", "Noto Sans Gujarati", "Gujarati", "2.001", *_NOTO),
    BundledFont("NotoSansTamil-Regular.ttf", "Noto Sans Tamil", "Tamil", "2.001", *_NOTO),
    BundledFont("NotoSansThai-Regular.ttf", "Noto Sans Thai", "Thai", "2.000", *_NOTO),
    BundledFont(
        "NotoSansEthiopic-Regular.ttf", "Noto Sans Ethiopic", "Amharic, Tigrinya", "2.000", *_NOTO
    ),
    BundledFont(
        "wqy-microhei.ttc",
        "WenQuanYi Micro Hei",
        "Chinese, Japanese, Korean",
        "0.2.0-beta",
        "Apache-2.0",
        "LICENSE-WenQuanYi.txt",
    ),
    BundledFont("NotoSansSymbols-Regular.ttf", "Noto Sans Symbols", "symbols", "2.001", *_NOTO),
    BundledFont("NotoSansSymbols2-Regular.ttf", "Noto Sans Symbols2", "symbols", "2.003", *_NOTO),
    BundledFont(
        "DejaVuSans.ttf",
        "DejaVu Sans",
        "wide symbol coverage",
        "2.37",
        "Bitstream-Vera",
        "LICENSE-DejaVu.txt",
    ),
    BundledFont(
        "NotoColorEmoji.ttf",
        "Noto Color Emoji",
        "colour emoji (Unicode Emoji 15.0)",
        "2.042",
        "OFL-1.1",
        "LICENSE-NotoColorEmoji.txt",
    ),
)

#: The order in which to look for a glyph; the first family is the text face.
FALLBACK_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(font.family for font in FONTS))

EMOJI_FAMILY = "Noto Color Emoji"


def font_dir() -> Path:
    """The folder holding the bundled font files (a real directory in a wheel or frozen app)."""
    return Path(str(resources.files("reviewer.resources") / "fonts"))


def font_paths() -> list[Path]:
    """Every bundled font file, in fallback order."""
    folder = font_dir()
    return [folder / font.file for font in FONTS]


@functools.cache
def covered_codepoints() -> frozenset[int]:
    """Every code point at least one bundled font has a glyph for (read with fontTools)."""
    from fontTools.ttLib import TTFont  # imported here: only coverage checks need it

    covered: set[int] = set()
    for path in font_paths():
        with TTFont(path, fontNumber=0, lazy=True) as font:
            # Only the code points are wanted, not glyph names: placeholder names spare
            # fontTools reading every font's 'post' table (half the time of this function).
            font.setGlyphOrder([f"g{i}" for i in range(font["maxp"].numGlyphs)])
            covered.update(font.getBestCmap() or {})
    return frozenset(covered)
