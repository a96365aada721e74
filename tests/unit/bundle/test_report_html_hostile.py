"""Every case string the HTML report shows is escaped exactly once, wherever it is written: a
hostile string in any field (not only in message text) makes no element or attribute, and the
page's text (as html.parser, like a browser, reads it) holds the string exactly as given."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bundle_factory import make_bundle, message

from reviewer.bundle.model import (
    Bundle,
    BundleAnalysis,
    BundleAttachment,
    BundleCategory,
    BundleCopy,
    BundleOcr,
    BundleScore,
    BundleStance,
    BundleTag,
    MediaRedaction,
)
from reviewer.bundle.report_html import write_report_html

# markup, both quotes, an entity written out and a made-up one, an emoji, template and format
# syntax, and a script's end tag; each field gets its own copy, told apart by its name
HOSTILE = "<x>\"q\"'s'&amp;&x; 🐒 {{x}} %s </script>"
BENIGN = "0 plain 🐒 text"  # sorts among names as HOSTILE does

# every field the page shows, by the name that tells its copy apart
FIELDS = (
    "case-reference",
    "case-title",
    "marking",
    "reviewer",
    "workstation",
    "software",
    "exhibit",
    "original-name",
    "chat-file",
    "custodian",
    "format",
    "importer",
    "timezone",
    "imported-by",
    "participant",
    "category-label",
    "category-key",
    "conversation",
    "sender",
    "text",
    "context-text",
    "system-event",
    "context-system-event",
    "filename",
    "context-filename",
    "missing-filename",
    "withheld-filename",
    "mime",
    "ocr-text",
    "context-ocr-text",
    "ocr-engine",
    "ocr-model",
    "ocr-version",
    "score-engine",
    "score-version",
    "redaction-note",
    "tag-label",
    "tag-reviewer",
    "tag-note",
    "stance-participant",
    "stance-label",
    "message-note",
    "flag",
    "time-flag",
    "source-file",
    "found-in",
)


def hostile(field: str) -> str:
    return f"{HOSTILE} {field}"


def benign(field: str) -> str:
    return f"{BENIGN} {field}"


def _bundle(tmp_path: Path, value: Callable[[str], str], colour: str) -> Bundle:
    """A bundle with ``value(field)`` in every field the page shows."""
    content = b"\xff\xd8\xff\xe0 stands in for a JPEG"
    sha = hashlib.sha256(content).hexdigest()
    media = tmp_path / "data" / "media"
    media.mkdir(parents=True, exist_ok=True)
    (media / f"{sha}.jpg").write_bytes(content)
    ocr = BundleOcr(
        value("ocr-text"), value("ocr-engine"), value("ocr-model"), value("ocr-version"), 0.5
    )
    analysis = BundleAnalysis(
        ocr=ocr,
        sexual=BundleScore(0.25, value("score-engine"), None, value("score-version")),
        similar_group=7,
    )

    def present(name: str, mime: str, read: BundleAnalysis | None) -> BundleAttachment:
        return BundleAttachment(name, sha, mime, 123, True, None, f"media/{sha}.jpg", analysis=read)

    shown = present(value("filename"), "image/" + value("mime"), analysis)
    context_ocr = dataclasses.replace(ocr, text=value("context-ocr-text"))
    in_context = present(value("context-filename"), "image/jpeg", BundleAnalysis(ocr=context_ocr))
    missing = BundleAttachment(value("missing-filename"), None, None, None, False, None, None)
    withheld = BundleAttachment(
        value("withheld-filename"),
        None,
        None,
        None,
        False,
        None,
        None,
        redaction=MediaRedaction(withheld=value("redaction-note")),
    )
    exhibit = value("exhibit")
    category = value("category-key")
    tag = BundleTag(
        category,
        value("tag-label"),
        colour,
        value("tag-reviewer"),
        "2024-04-01T00:00:00Z",
        value("tag-note"),
    )
    source = {"file": value("source-file"), "line": 3, "lines": 2, "offset": 10, "length": 40}
    plain = [
        dataclasses.replace(
            message(number, sender=value("sender"), text=value("context-text")),
            exhibit=exhibit,
            conversation=value("conversation"),
            source=source,
        )
        for number in range(1, 7)
    ]
    plain[0] = dataclasses.replace(plain[0], attachments=(in_context,))
    plain[1] = dataclasses.replace(
        plain[1], kind="system", text="", system_event=value("context-system-event")
    )
    plain[2] = dataclasses.replace(
        plain[2],
        text=value("text"),
        context=False,
        tags=(tag,),
        stances=(BundleStance(value("stance-participant"), "stance.x", value("stance-label")),),
        note=value("message-note"),
        flags=("edited", value("flag")),
        time_flag=value("time-flag"),
        edited=True,
        reply_to=1,
        attachments=(shown, missing, withheld),
        copies=(
            BundleCopy(exhibit, 3, "present", 3),
            BundleCopy(value("found-in"), 9, "edited", 4),
        ),
    )
    plain[4] = dataclasses.replace(
        plain[4],
        kind="system",
        text="",
        system_event=value("system-event"),
        context=False,
        tags=(tag,),
        seq=9,  # a gap before it
    )
    bundle = make_bundle(plain)
    bundle.case_reference = value("case-reference")
    bundle.case_title = value("case-title")
    bundle.marking = value("marking")
    bundle.reviewer = value("reviewer")
    bundle.workstation = value("workstation")
    bundle.software = value("software")
    bundle.exhibits = [
        dataclasses.replace(
            bundle.exhibits[0],
            reference=exhibit,
            original_name=value("original-name"),
            chat_file=value("chat-file"),
            custodian=value("custodian"),
            detected_format=value("format"),
            importer=value("importer"),
            timezone=value("timezone"),
            imported_by=value("imported-by"),
        )
    ]
    bundle.participants = [
        dataclasses.replace(p, exhibit=exhibit, name=value("participant") if p.id == 1 else p.name)
        for p in bundle.participants
    ]
    bundle.categories = [
        BundleCategory(category, value("category-label"), "d", colour, "content", None)
    ]
    return bundle


class _Page(HTMLParser):
    """The page's elements (tag and attribute names, in order), attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, ...]] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, *(name for name, _ in attrs)))
        self.attributes.extend((tag, name, value) for name, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        self.elements.append((f"/{tag}",))

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.elements.append(("<!--",))

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _page(tmp_path: Path, value: Callable[[str], str], colour: str) -> _Page:
    bundle = _bundle(tmp_path, value, colour)
    path = tmp_path / "data" / "report" / "index.html"
    write_report_html(bundle, path, tmp_path / "data")
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


HOSTILE_COLOUR = '#cc0000"><x onload=alert(1)>'


@pytest.fixture
def pages(tmp_path: Path) -> tuple[_Page, _Page]:
    return (
        _page(tmp_path / "benign", benign, "#cc0000"),
        _page(tmp_path / "hostile", hostile, HOSTILE_COLOUR),
    )


def test_hostile_fields_make_no_element_or_attribute(pages: tuple[_Page, _Page]) -> None:
    plain, page = pages
    tags = {e[0] for e in page.elements}
    assert "x" not in tags and "script" not in tags and "/script" not in tags
    assert not {name for _, name, _ in page.attributes} & {"onload", "s", "q"}  # (svg rects have x)
    # element for element, attribute name for attribute name, the page a benign bundle gives
    assert page.elements == plain.elements


def test_every_hostile_field_is_in_the_text_exactly_as_given(pages: tuple[_Page, _Page]) -> None:
    plain, page = pages
    for field in FIELDS:
        assert benign(field) in plain.text, field  # the field is shown at all
        assert hostile(field) in page.text, field
    assert HOSTILE.replace("&amp;", "&amp;amp;") not in page.text  # escaped once, not twice


def test_hostile_values_in_attributes_stay_values(pages: tuple[_Page, _Page]) -> None:
    _, page = pages
    alts = [value for tag, name, value in page.attributes if (tag, name) == ("img", "alt")]
    assert alts == [hostile("filename")]
    styles = [value for _, name, value in page.attributes if name == "style"]
    assert f"border-left-color: {HOSTILE_COLOUR}" in styles
    assert f"border-color: {HOSTILE_COLOUR}" in styles
    assert f"background: {HOSTILE_COLOUR}" in styles
