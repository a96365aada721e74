"""The bundled fonts in the GUI: every laptop shows the same glyphs whatever it has installed.

:func:`install_fonts` registers each file of ``reviewer.core.fonts`` with Qt and makes the
bundled families the application font, in fallback order (Noto Sans, then each script's face,
CJK, symbols, and Noto Color Emoji for emoji). Widgets inherit the application font, so the
chat view, panes and dialogs all fall back through the same chain; system fonts come only
after it, for a character none of the bundled fonts has.
"""

from __future__ import annotations

from PySide6.QtCore import QLoggingCategory
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from reviewer.core.fonts import EMOJI_FAMILY, FALLBACK_FAMILIES, font_paths

_registered: dict[str, list[str]] = {}

#: Qt notes (info level), for every family of a fallback list that lacks a complex script
#: (Devanagari, Tamil...), that "OpenType support is missing" before it takes the next family:
#: noise, not a fault. QT_LOGGING_RULES still overrides this.
QUIET_RULES = "qt.text.font.db.info=false"


def install_fonts() -> dict[str, list[str]]:
    """Register every bundled font file (once per process) and make the bundled families the
    application font's family list. Returns file name -> the families Qt read from it (an
    empty list for a file Qt could not load). Needs a QGuiApplication."""
    app = QGuiApplication.instance()
    if app is None:
        raise RuntimeError("install_fonts() needs a QGuiApplication")
    if not _registered:
        QLoggingCategory.setFilterRules(QUIET_RULES)
        for path in font_paths():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            _registered[path.name] = list(families)
        QFontDatabase.setApplicationEmojiFontFamilies([EMOJI_FAMILY])
    QGuiApplication.setFont(bundled_font(QGuiApplication.font()))
    return dict(_registered)


def bundled_font(base: QFont | None = None) -> QFont:
    """``base`` (size, weight, style kept) with the bundled families as its family list."""
    font = QFont(base) if base is not None else QFont()
    font.setFamilies(list(FALLBACK_FAMILIES))
    return font


def registered_families() -> list[str]:
    """Every family registered by :func:`install_fonts` so far, without repeats."""
    return list(dict.fromkeys(f for families in _registered.values() for f in families))
