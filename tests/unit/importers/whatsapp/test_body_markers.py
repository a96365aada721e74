"""The vocabulary tables stay well-formed as rows are added."""

from __future__ import annotations

import pytest

from reviewer.importers.whatsapp import markers

# Concepts every language of the table must provide (§1.10.3 has all of them for all six).
REQUIRED = (
    "media-omitted",
    "file-attached",
    "attached-tag",
    "omitted-image",
    "omitted-video",
    "omitted-audio",
    "omitted-sticker",
    "omitted-gif",
    "omitted-document",
    "omitted-contact-card",
    "deleted",
    "deleted-self",
    "edited",
    "location",
    "live-location",
    "missed-call",
    "and",
)


@pytest.mark.parametrize("lang", markers.LANGUAGES)
def test_every_language_has_the_core_concepts(lang: str) -> None:
    have = {p.concept for p in markers.PHRASES if p.lang == lang}
    assert set(REQUIRED) <= have


@pytest.mark.parametrize("lang", markers.LANGUAGES)
def test_every_language_has_an_encryption_notice(lang: str) -> None:
    assert any(t.lang == lang and t.event == "encryption" for t in markers.SYSTEM_TEMPLATES)


def test_rows_are_valid() -> None:
    for p in markers.PHRASES:
        assert p.lang in markers.ALL_LANGUAGES
        assert p.platform in ("android", "ios", "any")
        assert p.text == p.text.strip()
        assert not p.text.endswith("."), "matching strips one trailing period itself"
    for t in markers.SYSTEM_TEMPLATES:
        assert t.lang in markers.ALL_LANGUAGES
    assert len(set(markers.PHRASES)) == len(markers.PHRASES)
