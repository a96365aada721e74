"""``escaped`` (the HTML report's escape for markup built in Python) is markupsafe's escape,
returned as a plain str whatever the input."""

from __future__ import annotations

from markupsafe import Markup, escape

from reviewer.bundle.html_emoji import emoji_html, escaped

HOSTILE = ["", "plain", "<script>alert(1)</script>", "a & b", "\"double\" 'single'", "🐒 <b>", 7]


def test_escaped_is_markupsafe_escape_as_plain_text() -> None:
    for value in HOSTILE:
        assert escaped(value) == str(escape(value))
        assert type(escaped(value)) is str


def test_plain_text_cannot_escape_the_markup_before_it() -> None:
    # Markup.__radd__ would escape the left side: "<p>" + Markup("&lt;") == "&lt;p&gt;&lt;"
    html = "<p>"
    html += escaped("<")
    html += emoji_html("🐒 & <")
    assert html == '<p>&lt;<span class="emoji" title="monkey U+1F412">🐒</span> &amp; &lt;'
    assert not isinstance(html, Markup)
