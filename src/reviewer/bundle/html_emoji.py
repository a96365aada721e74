"""Emoji in the HTML report carry their names: ``<span class="emoji" title="monkey U+1F412">🐒
</span>`` around each emoji sequence (DESIGN.md §6), the rest of the text escaped as usual.

The spans add no character: the page's text (what a reader copies, or a DOM's textContent) is
exactly the message's text. Every character from the message, inside a span or not, and the
title built from it, is HTML-escaped once, so message text can never become markup.
"""

from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

from reviewer.core.emoji import codepoints, emoji_name, emoji_spans

_NEEDS_ESCAPE = re.compile("[&<>\"']").search  # what markupsafe's escape replaces


def escaped(value: str | int) -> str:
    """``markupsafe.escape(value)`` as a plain ``str``, for HTML built in Python.

    Most strings have nothing to escape and are returned as they are: a ``Markup`` for each
    of a large page's strings cost more than the rest of the page. Plain, so that ``html +=
    escaped(x)`` cannot call ``Markup.__radd__`` (which escapes the left side).
    """
    text = str(value)
    return str(escape(text)) if _NEEDS_ESCAPE(text) else text


def emoji_html(text: str | None) -> str:
    """``text`` as HTML (a plain ``str``), each emoji sequence wrapped in a span titled with
    its name and code points."""
    if not text:
        return ""
    parts: list[str] = []
    done = 0
    for start, end in emoji_spans(text):
        chars = text[start:end]
        parts.append(escaped(text[done:start]))
        parts.append(f'<span class="emoji" title="{_title(chars)}">{escaped(chars)}</span>')
        done = end
    if not parts:  # most texts
        return escaped(text)
    parts.append(escaped(text[done:]))
    return "".join(parts)


def emoji_markup(text: str | None) -> Markup:
    """:func:`emoji_html` as safe markup, for templates."""
    return Markup(emoji_html(text))


@functools.cache  # a few hundred emoji recur in tens of thousands of messages
def _title(chars: str) -> str:
    return escaped(f"{emoji_name(chars)} {codepoints(chars)}")
