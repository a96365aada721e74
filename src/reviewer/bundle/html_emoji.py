"""Emoji in the HTML report carry their names: ``<span class="emoji" title="monkey U+1F412">🐒
</span>`` around each emoji sequence (DESIGN.md §6), the rest of the text escaped as usual.

The spans add no character: the page's text (what a reader copies, or a DOM's textContent) is
exactly the message's text. Every character from the message, inside a span or not, and the
title built from it, is HTML-escaped once, so message text can never become markup.
"""

from __future__ import annotations

import functools

from markupsafe import Markup, escape

from reviewer.core.emoji import codepoints, emoji_name, emoji_spans


def emoji_markup(text: str | None) -> Markup:
    """``text`` as safe HTML, each emoji sequence wrapped in a span titled with its name and
    code points."""
    if not text:
        return Markup("")
    parts: list[str] = []
    done = 0
    for start, end in emoji_spans(text):
        chars = text[start:end]
        parts.append(escape(text[done:start]))
        parts.append(f'<span class="emoji" title="{_title(chars)}">{escape(chars)}</span>')
        done = end
    if not parts:  # most texts: one escape
        return escape(text)
    parts.append(escape(text[done:]))
    return Markup("".join(parts))


@functools.cache  # a few hundred emoji recur in tens of thousands of messages
def _title(chars: str) -> Markup:
    return escape(f"{emoji_name(chars)} {codepoints(chars)}")
