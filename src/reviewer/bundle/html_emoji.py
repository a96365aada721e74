"""Emoji in the HTML report carry their names: ``<span class="emoji" title="monkey U+1F412">🐒
</span>`` around each emoji sequence (DESIGN.md §6), the rest of the text escaped as usual.

The spans add no character: the page's text (what a reader copies, or a DOM's textContent) is
exactly the message's text. Every character from the message, inside a span or not, and the
title built from it, is HTML-escaped once, so message text can never become markup.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from reviewer.core.emoji import find_emoji


def emoji_markup(text: str | None) -> Markup:
    """``text`` as safe HTML, each emoji sequence wrapped in a span titled with its name and
    code points."""
    if not text:
        return Markup("")
    uses = list(find_emoji(text))
    if not uses:  # most texts: one escape (Markup's join would escape each part again)
        return escape(text)
    parts: list[str] = []
    done = 0
    for use in uses:
        parts.append(escape(text[done : use.start]))
        title = escape(f"{use.name} {use.codepoints}")
        parts.append(Markup('<span class="emoji" title="{}">{}</span>').format(title, use.chars))
        done = use.start + len(use.chars)
    parts.append(escape(text[done:]))
    return Markup("").join(parts)
