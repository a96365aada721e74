"""The GUI draws every script and emoji with the bundled fonts, even on a machine with no fonts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QFontDatabase, QGuiApplication
from pytestqt.qtbot import QtBot

from reviewer.core.fonts import FALLBACK_FAMILIES, FONTS
from reviewer.gui.fonts import bundled_font, install_fonts

PROBE = Path(__file__).with_name("fonts_probe.py")

EXPECTED = {
    "latin": "noto sans",
    "arabic": "noto sans arabic",
    "urdu": "noto sans arabic",
    "hebrew": "noto sans hebrew",
    "hindi": "noto sans devanagari",
    "punjabi": "noto sans gurmukhi",
    "bengali": "noto sans bengali",
    "gujarati": "noto sans gujarati",
    "tamil": "noto sans tamil",
    "thai": "noto sans thai",
    "chinese": "wenquanyi micro hei",
    "japanese": "wenquanyi micro hei",
    "korean": "wenquanyi micro hei",
    "amharic": "noto sans ethiopic",
    "greek": "noto sans",
    "russian": "noto sans",
    "monkey": "noto color emoji",
    "thumbs": "noto color emoji",
    "family": "noto color emoji",
    "flag": "noto color emoji",
}

#: Names Qt itself always answers to (aliases, not fonts found on the system).
QT_ALIASES = {"Monospace", "Sans Serif", "Serif"}

NO_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture(scope="module")
def no_system_fonts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The probe's findings when fontconfig knows no fonts at all."""
    folder = tmp_path_factory.mktemp("fontconfig")
    conf = folder / "fonts.conf"
    conf.write_text(NO_FONTS_CONF.format(cache=folder / "cache"), encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("FONTCONFIG_PATH", None)
    done = subprocess.run(
        [sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_only_bundled_fonts_are_there_without_system_fonts(no_system_fonts: dict[str, Any]) -> None:
    assert set(no_system_fonts["database"]) - QT_ALIASES <= {
        *FALLBACK_FAMILIES,
        "WenQuanYi Micro Hei Mono",  # the second face of wqy-microhei.ttc
    }
    assert no_system_fonts["app_font"] == list(FALLBACK_FAMILIES)
    assert no_system_fonts["chat_font"] == list(FALLBACK_FAMILIES)


@pytest.mark.parametrize("sample", list(EXPECTED))
def test_each_script_and_emoji_resolves_to_its_bundled_font(
    no_system_fonts: dict[str, Any], sample: str
) -> None:
    assert no_system_fonts["plain"][sample] == [EXPECTED[sample]]
    assert no_system_fonts["chat"][sample] == [EXPECTED[sample]]


def test_emoji_are_painted_in_colour_in_the_chat_view(no_system_fonts: dict[str, Any]) -> None:
    colour = {key: found["colour"] for key, found in no_system_fonts["painted"].items()}
    for emoji in ("monkey", "thumbs", "flag"):  # the family is grey silhouettes in Noto 15.0
        assert colour[emoji] > 20, colour
    for text in ("latin", "arabic", "chinese", "hindi"):
        assert colour[text] == 0, colour


def test_no_script_or_emoji_spills_out_of_its_bubble(no_system_fonts: dict[str, Any]) -> None:
    overflow = {key: found["overflow"] for key, found in no_system_fonts["painted"].items()}
    assert not any(overflow.values()), overflow


def test_a_message_of_only_emoji_is_drawn_large(no_system_fonts: dict[str, Any]) -> None:
    heights = no_system_fonts["heights"]
    for large in ("monkey", "thumbs", "family", "flag", "three"):
        assert heights[large] >= heights["latin"] + 5, heights
    for ordinary in ("mixed", "four"):
        assert heights[ordinary] <= heights["latin"], heights


def test_install_fonts_registers_every_file(qtbot: QtBot) -> None:
    before = QGuiApplication.font()
    registered = install_fonts()
    QGuiApplication.setFont(before)  # the other tests keep the font they were written with
    assert set(registered) == {font.file for font in FONTS}
    for font in FONTS:
        assert font.family in registered[font.file], font.file
    assert bundled_font(before).families() == list(FALLBACK_FAMILIES)
    assert QFontDatabase.applicationEmojiFontFamilies() == ["Noto Color Emoji"]
