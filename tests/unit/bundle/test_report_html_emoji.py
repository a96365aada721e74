"""The HTML report titles each emoji with its name and code points, and its text stays exactly
the message's characters (parsed back with html.parser, which unescapes as a browser does)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from bundle_factory import make_bundle, message

from reviewer.bundle.html_emoji import emoji_markup
from reviewer.bundle.report_html import write_report_html

TEXTS = {
    1: "he brought a banana 🐒🐒 & <b>bold</b> \"quoted\" 'single' &amp; ok",
    2: "👍🏽 the 👨‍👩‍👧 from 🇬🇧, 1️⃣ ❤️",
    3: '<span class="emoji" title="x">🐒</span><script>alert(1)</script>',
    4: "no emoji at all",
}
SENDER = "Jo 🐒 <Park>"


class _Reader(HTMLParser):
    """Text content of each class="text" element and the title and text of each emoji span."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.emoji: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self._stack: list[tuple[str, list[str]]] = []  # elements being read, with their text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        kind = values.get("class")
        if kind == "emoji":
            self._stack.append((f"emoji:{values.get('title')}", []))
        elif kind == "text" or self._stack:
            self._stack.append((tag if kind != "text" else "text", []))

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        kind, parts = self._stack.pop()
        text = "".join(parts)
        if self._stack:
            self._stack[-1][1].append(text)
        if kind == "text":
            self.texts.append(text)
        elif kind.startswith("emoji:"):
            self.emoji.append((kind.removeprefix("emoji:"), text))

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._stack[-1][1].append(data)


def test_each_emoji_is_titled_and_the_text_is_the_message(tmp_path: Path) -> None:
    messages = [
        message(n, text=text, tagged=n % 2 == 1, sender=SENDER if n == 2 else "Alex Turner")
        for n, text in TEXTS.items()
    ]
    data = tmp_path / "data"
    write_report_html(make_bundle(messages), data / "report" / "index.html", data)
    reader = _Reader()
    reader.feed((data / "report" / "index.html").read_text(encoding="utf-8"))
    assert sorted(reader.texts) == sorted(TEXTS.values())
    assert "script" not in reader.tags and "b" not in reader.tags
    titles = dict((chars, title) for title, chars in reader.emoji)
    assert titles["🐒"] == "monkey U+1F412"
    assert titles["👍🏽"] == "thumbs up medium skin tone U+1F44D U+1F3FD"
    assert titles["👨‍👩‍👧"] == "family man woman girl U+1F468 U+200D U+1F469 U+200D U+1F467"
    assert titles["🇬🇧"] == "flag: United Kingdom U+1F1EC U+1F1E7"
    assert [chars for _, chars in reader.emoji].count("🐒") >= 4  # text 1 twice, 3, the sender
    assert "x" not in titles.values()  # the message's own markup is text, not a span


def test_markup_escapes_once_and_adds_no_characters() -> None:
    text = 'a <i>&amp;</i> "🐒" &'
    html = str(emoji_markup(text))
    assert html == (
        'a &lt;i&gt;&amp;amp;&lt;/i&gt; &#34;<span class="emoji" title="monkey U+1F412">🐒'
        "</span>&#34; &amp;"
    )
    reader = _Reader()
    reader.feed(f'<div class="text">{html}</div>')
    assert reader.texts == [text]
    assert str(emoji_markup(None)) == "" and str(emoji_markup("plain & simple")) == (
        "plain &amp; simple"
    )
