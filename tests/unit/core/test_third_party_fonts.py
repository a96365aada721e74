"""packaging/THIRD-PARTY-FONTS.md records every bundled font file with its version and licence."""

from __future__ import annotations

from pathlib import Path

from reviewer.core.fonts import FONTS, font_dir

NOTES = Path(__file__).resolve().parents[3] / "packaging" / "THIRD-PARTY-FONTS.md"


def test_every_bundled_font_file_is_recorded_with_its_licence() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in NOTES.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    for font in FONTS:
        row = rows[font.file]
        assert f"| {font.version} | {font.licence} | `{font.licence_file}` |" in row, row
    shipped = {path.name for path in font_dir().iterdir() if path.suffix in (".ttf", ".ttc")}
    assert shipped == set(rows)
