"""The PDF and HTML reports render a synthetic bundle faithfully and safely."""

from __future__ import annotations

import re
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from reviewer.bundle import report_pdf, report_pdf_data
from reviewer.bundle.model import (
    Bundle,
    BundleAttachment,
    BundleCategory,
    BundleExhibit,
    BundleMessage,
    BundleParticipant,
    BundleStance,
    BundleTag,
)
from reviewer.bundle.report_common import REPORT_TITLE
from reviewer.bundle.report_html import write_report_html
from reviewer.bundle.report_pdf import write_report_pdf

pypdf = pytest.importorskip("pypdf")

CASE = "IOPC-2024-0173"
HOSTILE = '<script>alert("x")</script> see https://evil.example/x.png'
SPECIAL_TEXTS = [
    "Привет всем, это проверка",
    "Καλημέρα σε όλους",
    "مرحبا بكم",
    "thumbs up 👍🏽 and 🤮 and ❤️",
    HOSTILE,
]
CATEGORIES = [
    BundleCategory("discriminatory", "Discriminatory", "d", "#e33c3c", "content", None),
    BundleCategory("discriminatory.race", "Race", "r", "#bb533e", "content", "discriminatory"),
    BundleCategory("derogatory", "Derogatory or demeaning", "d", "#d9822b", "content", None),
    BundleCategory("sexual", "Sexual or pornographic", "s", "#c2185b", "content", None),
    BundleCategory(
        "standard.equality-diversity", "Equality and Diversity", "e", "#3949ab", "standard", None
    ),
    BundleCategory("stance.author", "Author", "a", "#555555", "stance", None),
    BundleCategory("stance.endorsed", "Endorsed", "e", "#777777", "stance", None),
]
SENDERS = ["PC Alan Smith", "PS Beth Jones", "Person A", "Дмитрий Иванов"]


def _jpeg(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (120, 80)) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG")
    return path.name


def _attachment(media_root: Path, index: int) -> BundleAttachment:
    sha = f"{index:02x}" * 32
    name = f"media/{sha}.jpg"
    _jpeg(media_root / name, (40 * (index % 6), 120, 200 - 20 * (index % 6)))
    return BundleAttachment(
        filename=f"IMG-2023010{index % 9}-WA000{index}.jpg",
        sha256=sha,
        mime="image/jpeg",
        size=1234 + index,
        present=True,
        source=None,
        bundle_path=name,
    )


def _message(
    ident: int,
    conv: tuple[str, int],
    seq: int,
    text: str,
    tagged: bool,
    attachments: tuple[BundleAttachment, ...] = (),
) -> BundleMessage:
    day = 1 + (seq // 40) % 28
    stamp = f"2023-03-{day:02d}T{8 + seq % 12:02d}:{seq % 60:02d}:00"
    tags: tuple[BundleTag, ...] = ()
    stances: tuple[BundleStance, ...] = ()
    if tagged:
        first, second = CATEGORIES[(ident % 4)], CATEGORIES[4]
        tags = tuple(
            BundleTag(
                c.key,
                c.label,
                c.colour,
                "Investigator Kaur",
                "2024-05-02T10:11:12Z",
                "Appears to mock a protected characteristic." if c is first else None,
            )
            for c in (first, second)
        )
        stances = (
            BundleStance(SENDERS[ident % 4], "stance.author", "Author"),
            BundleStance(SENDERS[(ident + 1) % 4], "stance.endorsed", "Endorsed"),
        )
    return BundleMessage(
        id=ident,
        exhibit="JK/1",
        conversation=conv[0],
        conversation_id=conv[1],
        seq=seq,
        timestamp=stamp,
        utc=stamp + "Z",
        time_flag="ambiguous" if ident % 97 == 5 else None,
        sender=SENDERS[ident % 4],
        kind="text",
        text=text,
        edited=ident % 11 == 0,
        reply_to=None,
        flags=(),
        system_event=None,
        attachments=attachments,
        source={"file": "_chat.txt", "line": seq + 1, "lines": 1, "offset": seq * 64, "length": 63},
        tags=tags,
        stances=stances,
        note="Check with witness." if tagged and ident % 3 == 0 else None,
        context=not tagged,
    )


def make_bundle(
    media_root: Path,
    *,
    conversations: int = 3,
    tagged_per_conv: int = 4,
    context: int = 5,
    redacted: bool = False,
    images: int = 6,
) -> Bundle:
    """A synthetic bundle: each tagged message surrounded by ``context`` messages each side."""
    messages: list[BundleMessage] = []
    ident = 1000
    image_index = 0
    for c in range(conversations):
        conv = (f"Response Team {c + 1} 🚓", c + 1)
        seq = 0
        for t in range(tagged_per_conv):
            for k in range(2 * context + 1):
                ident += 1
                seq += 1
                tagged = k == context
                text = f"context line {ident} about the shift rota"
                attachments: tuple[BundleAttachment, ...] = ()
                if tagged:
                    special = SPECIAL_TEXTS[(c * tagged_per_conv + t) % len(SPECIAL_TEXTS)]
                    text = f"tagged message {ident}: {special}"
                    if image_index < images:
                        attachments = (_attachment(media_root, image_index),)
                        image_index += 1
                messages.append(_message(ident, conv, seq, text, tagged, attachments))
            seq += 30  # a gap before the next tagged message's context
    people = [
        BundleParticipant(
            i,
            "JK/1",
            name,
            100 + i,
            i < 2,
            [
                {
                    "from": None,
                    "to": "2023-03-10T09:00:00",
                    "joined": None,
                    "left": "left",
                    "inferred": True,
                },
                {
                    "from": "2023-03-14T10:00:00",
                    "to": None,
                    "joined": "added",
                    "left": None,
                    "inferred": False,
                },
            ],
        )
        for i, name in enumerate(SENDERS)
    ]
    activity = [(f"2023-03-{d:02d}", 20 + (d * 7) % 40, d % 4 == 0) for d in range(1, 29)]
    exhibit = BundleExhibit(
        reference="JK/1",
        custodian="DC Jane King",
        original_name="WhatsApp Chat - Team.zip",
        sha256="ab" * 32,
        size=1_234_567,
        chat_file="_chat.txt",
        chat_sha256="cd" * 32,
        importer="whatsapp 0.1.0",
        detected_format="whatsapp-android-24h",
        timezone="Europe/London",
        imported_utc="2024-05-01T09:00:00Z",
        imported_by="Investigator Kaur",
        message_count=4321,
        first_timestamp="2023-03-01T08:00:00",
        last_timestamp="2023-03-28T22:00:00",
        original=None,
    )
    return Bundle(
        case_reference=CASE,
        case_title="Operation Larch — Response Team group chat",
        marking="OFFICIAL-SENSITIVE",
        reviewer="Investigator Kaur",
        workstation="IOPC-LT-042",
        created_utc="2024-05-03T12:00:00Z",
        software="reviewer 0.1.0",
        selection={
            "context": context,
            "categories": [],
            "from": None,
            "to": None,
            "exhibits": [],
            "redact_uninvolved": redacted,
        },
        redacted=redacted,
        exhibits=[exhibit],
        participants=people,
        categories=CATEGORIES,
        messages=messages,
        activity=[(d, n, int(t) * 2) for d, n, t in activity],
        audit_entries=[{"seq": 1}],
        audit_head="ef" * 32,
    )


@pytest.fixture(params=[False, True], ids=["plain", "redacted"])
def rendered(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Bundle, Path]:
    data = tmp_path / "data"
    bundle = make_bundle(data, redacted=request.param)
    write_report_pdf(bundle, data / "report" / "report.pdf", data)
    write_report_html(bundle, data / "report" / "index.html", data)
    return bundle, data


def _pdf_text(path: Path) -> tuple[str, int]:
    reader = pypdf.PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text), len(reader.pages)


def _tagged(bundle: Bundle) -> list[BundleMessage]:
    return [m for m in bundle.messages if not m.context]


def test_pdf_holds_case_pages_and_every_tagged_message(rendered: tuple[Bundle, Path]) -> None:
    bundle, data = rendered
    text, pages = _pdf_text(data / "report" / "report.pdf")
    assert pages > 1
    assert CASE in text
    assert f"page 1 of {pages}" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert ("REDACTED VERSION" in text) is bundle.redacted
    for message in _tagged(bundle):
        assert f"tagged message {message.id}:" in text


def test_pdf_text_is_unicode_and_every_emoji_is_drawn(rendered: tuple[Bundle, Path]) -> None:
    _bundle, data = rendered
    text, _ = _pdf_text(data / "report" / "report.pdf")
    assert "Привет всем" in text
    assert "Καλημέρα" in text
    assert "🤮" in text and "👍🏽" in text  # drawn from the bundled colour emoji font
    assert "[U+" not in text  # every character here has a glyph in a bundled font
    assert '<script>alert("x")</script>' in text  # shown as text, verbatim


def test_pdf_is_reproducible(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    write_report_pdf(bundle, tmp_path / "a.pdf", tmp_path)
    write_report_pdf(bundle, tmp_path / "b.pdf", tmp_path)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_pdf_typeset_in_a_child_process_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large reports are typeset in a spawned process (Typst's cache leaves with it)."""
    bundle = make_bundle(tmp_path)
    write_report_pdf(bundle, tmp_path / "a.pdf", tmp_path)
    monkeypatch.setattr(report_pdf, "CHILD_PROCESS_FROM", 0)
    write_report_pdf(bundle, tmp_path / "b.pdf", tmp_path)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_long_conversation_is_cut_into_page_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tagged item starts a new page once enough has been laid out since the last break
    (so Typst can lay the stretches out in parallel); nothing is lost or reordered."""
    bundle = make_bundle(tmp_path, conversations=1, tagged_per_conv=12, images=0)
    write_report_pdf(bundle, tmp_path / "whole.pdf", tmp_path)
    monkeypatch.setattr(report_pdf_data, "PAGE_RUN_WEIGHT", 30)
    write_report_pdf(bundle, tmp_path / "report.pdf", tmp_path)

    def pages_of(name: str) -> list[str]:
        reader = pypdf.PdfReader(tmp_path / name)
        return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]

    def items_starting_a_page(pages: list[str]) -> list[str]:
        header = f"{CASE} OFFICIAL-SENSITIVE {REPORT_TITLE} Item "
        return [p[len(header) :].split(" ")[0] for p in pages if p.startswith(header)]

    whole, pages = pages_of("whole.pdf"), pages_of("report.pdf")
    # every 30 units (a context message 1, a tagged one 8): about every second item
    assert len(items_starting_a_page(pages)) >= 4
    assert len(items_starting_a_page(pages)) > len(items_starting_a_page(whole))
    assert len(pages) > len(whole)
    text = " ".join(pages)
    positions = [text.index(f"tagged message {m.id}:") for m in _tagged(bundle)]
    assert positions == sorted(positions)
    for message in bundle.messages:
        assert f"context line {message.id} " in text or f"tagged message {message.id}:" in text


def test_index_column_heads_repeat_on_each_of_its_pages(tmp_path: Path) -> None:
    """The index is rows, not a table (cheaper to typeset), but reads as one: it starts a
    page, its column heads are at the top of every page it runs onto, and no other page has
    them."""
    bundle = make_bundle(tmp_path, conversations=2, tagged_per_conv=70, context=0, images=0)
    write_report_pdf(bundle, tmp_path / "report.pdf", tmp_path)
    reader = pypdf.PdfReader(tmp_path / "report.pdf")
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    heads = "Item Local time Sender Conversation Categories"
    with_heads = [i for i, page in enumerate(pages) if heads in page]
    assert len(with_heads) >= 3
    assert with_heads == list(range(with_heads[0], with_heads[-1] + 1))
    header = f"{CASE} OFFICIAL-SENSITIVE {REPORT_TITLE} "
    assert pages[with_heads[0]].startswith(header + "Index of tagged messages")
    for i in with_heads[1:]:
        assert pages[i].startswith(header + heads), pages[i][:120]
    rows = " ".join(pages[i].split(heads, 1)[1] for i in with_heads)
    numbers = [int(n) for n in re.findall(r"(?:^| )(\d+) 2023-03-\d\d ", rows)]
    assert numbers == list(range(1, len(_tagged(bundle)) + 1))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.tags: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang")
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src", "srcset", "data", "action", "poster"):
            if values.get(name):
                (self.links if name == "href" else self.sources).append(str(values[name]))


def _html(data: Path) -> tuple[str, _Collector]:
    page = (data / "report" / "index.html").read_text(encoding="utf-8")
    collector = _Collector()
    collector.feed(page)
    return page, collector


def test_html_is_self_contained_and_escaped(rendered: tuple[Bundle, Path]) -> None:
    _bundle, data = rendered
    page, found = _html(data)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "script" not in found.tags
    assert found.html_lang == "en"
    assert re.search(r'<meta charset="utf-8">', page, re.I)
    for ref in found.links + found.sources:
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.I), ref  # no scheme: no remote
        assert not ref.startswith("//"), ref
    assert "@import" not in page and "url(" not in page


def test_html_lists_every_tagged_message_with_working_links(rendered: tuple[Bundle, Path]) -> None:
    bundle, data = rendered
    page, found = _html(data)
    for message in _tagged(bundle):
        assert f"tagged message {message.id}:" in page
        assert f"m{message.id}" in found.ids
        assert f"#m{message.id}" in found.links
    for link in found.links:
        if link.startswith("#"):
            assert link[1:] in found.ids, link
    assert CASE in page and "OFFICIAL-SENSITIVE" in page
    assert ("REDACTED VERSION" in page) is bundle.redacted


def test_html_images_point_to_files_in_the_bundle(rendered: tuple[Bundle, Path]) -> None:
    _bundle, data = rendered
    _page, found = _html(data)
    images = [s for s in found.sources if s.endswith(".jpg")]
    assert images
    for src in images:
        assert src.startswith("../media/")
        assert (data / "report" / src).resolve().is_file()


@pytest.mark.parametrize("child", [False, True])
def test_an_image_that_cannot_be_decoded_gets_a_marked_stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child: bool
) -> None:
    """Its header is read (so its place is planned) but its data is cut short: the report
    shows a grey box saying so and the export warns, naming the attachment."""
    bundle = make_bundle(tmp_path, conversations=1, tagged_per_conv=2, images=2)
    first = next(a for m in bundle.messages if not m.context for a in m.attachments)
    broken = tmp_path / (first.bundle_path or "")
    _jpeg(broken, (200, 30, 30), (600, 400))
    broken.write_bytes(broken.read_bytes()[:700])  # a whole header, a fraction of the data
    if child:
        monkeypatch.setattr(report_pdf, "CHILD_PROCESS_FROM", 0)
    warnings = write_report_pdf(bundle, tmp_path / "r.pdf", tmp_path)
    assert warnings == [
        f"report/report.pdf: no preview of {first.filename}: the image could not be decoded"
    ]
    images = [img for page in pypdf.PdfReader(tmp_path / "r.pdf").pages for img in page.images]
    assert len(images) == 2
    stand_in = images[0].image
    assert stand_in.size == (320, 320)
    assert stand_in.convert("RGB").getpixel((300, 300)) == pytest.approx((224, 224, 224), abs=3)


def test_a_failure_while_the_child_renders_thumbnails_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child renders thumbnails into the report's temporary folder while the text is
    prepared here: when the preparation fails, the child is waited for before the folder is
    removed (else it recreates the folder and leaves evidence pictures in the temp dir), and
    the error is the preparation's own."""
    bundle = make_bundle(tmp_path / "data", conversations=1, tagged_per_conv=4, images=4)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(report_pdf, "CHILD_PROCESS_FROM", 0)

    class Failing(report_pdf_data.ReportData):
        def build(self, attachment_sha256: str) -> dict[str, object]:
            raise RuntimeError("preparation failed")

    monkeypatch.setattr(report_pdf, "ReportData", Failing)
    with pytest.raises(RuntimeError, match="preparation failed"):
        write_report_pdf(bundle, tmp_path / "r.pdf", tmp_path / "data")
    time.sleep(0.5)  # a child still rendering would have recreated the folder by now
    assert list(temp.iterdir()) == []
