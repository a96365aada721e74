"""The index of tagged messages and the included messages of ``report/index.html``, built
as HTML in Python and handed to the page's template (``report_html``) in large pieces.

They are the bulk of the page (tens of thousands of messages), and Jinja's per-expression
machinery cost more CPU than the export could spare. The markup, whitespace included, is what
the template wrote when it rendered them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from markupsafe import Markup

from reviewer.bundle import report_common as rc
from reviewer.bundle.html_emoji import emoji_html, escaped
from reviewer.bundle.model import BundleAttachment, BundleTag

_ITEMS = 256  # messages (or index rows) joined into one piece for the template


class MessageHtml:
    """The index rows (``index``) and each conversation's items (``conversation``) as markup
    for the template. Every string from the case (hostile input) goes through ``escaped`` or
    ``emoji_html`` exactly once; an image is shown only when its file is under ``media_root``
    (the bundle's ``data/``)."""

    def __init__(self, media_root: Path) -> None:
        self._media_root = media_root
        self._names: dict[str, str] = {}  # senders: a few, each recurring thousands of times

    def index(self, tagged: Iterable[tuple[rc.Conversation, rc.Item]]) -> Iterator[Markup]:
        """The rows of the index of tagged messages."""
        return _in_pieces(self._index_row(conversation, item) for conversation, item in tagged)

    def conversation(self, conversation: rc.Conversation) -> Iterator[Markup]:
        """The conversation's items, a gap marked where messages were left out."""
        return _in_pieces(self._items(conversation))

    def _index_row(self, conversation: rc.Conversation, item: rc.Item) -> str:
        chips = "".join(f"{self._chip(t)} " for t in item.message.tags)
        return (
            f'      <tr><td><a href="#{escaped(item.anchor)}">{item.number}</a></td>'
            f"<td>{escaped(item.local_time)}</td>\n"
            f"        <td>{self._name(item.sender)}</td><td>{escaped(conversation.name)}"
            f"</td>\n        <td>{chips}</td></tr>\n"
        )

    def _items(self, conversation: rc.Conversation) -> Iterator[str]:
        previous: int | None = None
        for item in conversation.items:
            seq = item.message.seq
            if previous is not None and seq > previous + 1:
                yield '<div class="gap">· · ·</div>'
            previous = seq
            yield self._context(item) if item.number is None else self._tagged(item)

    def _name(self, text: str) -> str:
        found = self._names.get(text)
        if found is None:
            found = self._names[text] = emoji_html(text)
        return found

    def _context(self, item: rc.Item) -> str:
        m = item.message
        html = (
            f'    <div class="context" id="{escaped(item.anchor)}"><span class="time">'
            f"{escaped(item.local_time)}</span> <strong>{self._name(item.sender)}</strong>:\n"
        )
        if m.text:
            html += f'<span class="text">{emoji_html(m.text)}</span>'
        elif m.system_event:
            html += f"<em>{escaped(m.system_event)}</em>"
        for a in m.attachments:
            href = _media_href(a)
            name = escaped(a.filename)
            html += f" [attachment: {_link(href, name)}]"
            ocr = a.analysis.ocr if a.analysis else None
            if ocr and ocr.text:
                html += (
                    ' <span class="machine"><span class="machine-label">text read by machine:'
                    f'</span> <span class="machine-text">{emoji_html(ocr.text)}</span></span>'
                )
        return html + "    </div>\n"

    def _tagged(self, item: rc.Item) -> str:
        m = item.message
        colour = m.tags[0].colour if m.tags else "#777"
        html = (
            f'    <article class="tagged" id="{escaped(item.anchor)}" '
            f'style="border-left-color: {escaped(colour)}">\n'
            f"      <h3>Item {item.number} — {self._name(item.sender)}</h3>\n"
            f'      <p class="meta">{escaped(item.local_time)} local '
            f"({escaped(item.timezone)}) · {escaped(item.utc_time)} UTC · "
            f"message {escaped(m.id)}, exhibit {escaped(m.exhibit)}\n"
        )
        if m.edited:
            html += " · edited"
        for flag in m.flags:
            if flag != "edited":
                html += f" · {escaped(flag)}"
        if m.reply_to is not None:
            html += f" · reply to message {escaped(m.reply_to)}"
        if item.time_flag:
            html += f' · <strong class="flag">{escaped(item.time_flag)}</strong>'
        html += '</p>\n      <div class="text">'
        if m.text:
            html += emoji_html(m.text)
        elif m.system_event:
            html += f"&lt;{escaped(m.system_event)}&gt;"
        html += '</div>\n      <ul class="tags">\n'
        for t in m.tags:
            html += (
                f"        <li>{self._chip(t)} <code>{escaped(t.category)}</code>\n"
                f'          <span class="muted">— tagged by {escaped(t.reviewer)}, '
                f"{escaped(rc.format_time(t.created_utc))} UTC</span>\n"
            )
            if t.note:
                html += f"<br>Note: {escaped(t.note)}"
            html += "</li>\n"
        html += "      </ul>\n"
        if m.stances:
            stances = "; ".join(f"{escaped(s.participant)} — {escaped(s.label)}" for s in m.stances)
            html += f"<p><strong>Stances:</strong> {stances}</p>"
        if m.note:
            html += f"<p><strong>Reviewer’s note:</strong> {escaped(m.note)}</p>"
        html += f'      <p class="source">Source: {escaped(item.source)}</p>\n'
        if item.found:
            html += f'<p class="source found">{escaped(item.found)}</p>'
        for a in m.attachments:
            html += self._attachment(a)
        return (
            html + '      <p class="back"><a href="#index">back to index</a></p>\n    </article>\n'
        )

    def _attachment(self, a: BundleAttachment) -> str:
        href = _media_href(a)
        name = escaped(a.filename)
        note = rc.redaction_note(a)
        html = '      <div class="attachment">\n'
        if href and _shows_image(a, self._media_root):
            link = escaped(href)
            html += f'<a href="{link}"><img src="{link}" alt="{name}" loading="lazy"></a>'
        html += f"        <div><strong>Attachment:</strong> {_link(href, name)}<br>\n"
        if a.present:
            html += (
                f"{escaped(a.mime or 'type unknown')}, {escaped(rc.format_size(a.size))}<br>\n"
                f'          SHA-256 <code class="hash">{escaped(a.sha256 or "—")}</code>\n'
            )
        elif not note:
            html += "<em>Not contained in the export (referenced by name only).</em>"
        if note:
            html += f'<br><em class="redaction">{escaped(note)}</em>'
        if a.analysis:
            an = a.analysis
            if an.ocr and an.ocr.text:
                html += (
                    '<div class="machine"><span class="machine-label">Text read by machine '
                    f"({escaped(an.ocr.label())}):</span>\n"
                    f'          <span class="machine-text">{emoji_html(an.ocr.text)}</span></div>'
                )
            if an.sexual:
                html += (
                    '<div class="machine"><span class="machine-label">Sexual-content score by '
                    f"machine ({escaped(an.sexual.engine)} {escaped(an.sexual.version)}):</span> "
                    f"{an.sexual.score:.2f}</div>"
                )
            if an.similar_group is not None:
                html += (
                    '<div class="machine"><span class="machine-label">Near-duplicate group '
                    f"(by machine):</span> {escaped(an.similar_group)}</div>"
                )
        return html + "</div>\n      </div>\n"

    def _chip(self, tag: BundleTag) -> str:
        return (
            f'<span class="chip" style="border-color: {escaped(tag.colour)}">'
            f"{escaped(tag.label)}</span>"
        )


def _in_pieces(parts: Iterable[str]) -> Iterator[Markup]:
    """``parts`` joined into a few large pieces (each piece costs the template some work)."""
    batch: list[str] = []
    for part in parts:
        batch.append(part)
        if len(batch) >= _ITEMS:
            yield Markup("".join(batch))
            batch.clear()
    yield Markup("".join(batch))


def _link(href: str | None, name: str) -> str:
    return f'<a href="{escaped(href)}">{name}</a>' if href else name


def _media_href(attachment: BundleAttachment) -> str | None:
    """The attachment's path relative to ``report/``, when it is in the bundle."""
    if not attachment.present or not attachment.bundle_path:
        return None
    return "../" + attachment.bundle_path.lstrip("/")


def _shows_image(attachment: BundleAttachment, media_root: Path) -> bool:
    if not rc.is_image(attachment) or not attachment.bundle_path:
        return False
    return (media_root / attachment.bundle_path).is_file()
