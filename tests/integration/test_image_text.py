"""OCR text in the ordinary search and in lexicon screening, and sexual-content suggestions
above the case's threshold (DESIGN.md §4, §10), through the command line on an imported export
with a meme."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import ocr_fixtures as fx
from helpers import ACTOR
from media_fixtures import use_stand_ins
from reviewer.cli.main import main
from reviewer.review.media.analysers import AnalysisResult, Kind
from reviewer.review.media.ocr import have_ocr
from reviewer.services import audit_log
from reviewer.services.case import Case, create_case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.store.models import Tag


@dataclass(frozen=True)
class Meme:
    only: str  # a word only in the meme
    shared: str  # a word in the meme and in a later message's text


def _export(path: Path) -> tuple[Path, Meme]:
    image, words = fx.meme(5)
    distinct = sorted(set(words))
    meme = Meme(only=distinct[0], shared=distinct[1])
    jpeg = path.with_suffix(".jpg")
    image.save(jpeg, quality=85)
    name = "00000001-PHOTO-2024-03-14-10-00-00.jpg"
    lines = [
        "[14/03/2024, 09:58:00] Sam Reid: Morning all\r\n",
        f"[14/03/2024, 10:00:00] Alex Turner: \u200e<attached: {name}>\r\n",
        f"[14/03/2024, 10:01:00] Sam Reid: the {meme.shared} again\r\n",
    ]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, jpeg.read_bytes())
        archive.writestr("_chat.txt", "".join(lines).encode())
    return path, meme


@pytest.fixture
def meme_case(tmp_path: Path) -> Iterator[tuple[Case, Meme]]:
    export, meme = _export(tmp_path / "WhatsApp Chat - Shift B.zip")
    with create_case(tmp_path / "case", reference="OP-9", actor=ACTOR) as case:
        import_export(case, export, ACTOR, ImportOptions(exhibit="AB/1"))
        yield case, meme


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.skipif(not have_ocr(), reason="OCR engine not installed")
def test_words_in_a_meme_are_searched_and_screened(
    meme_case: tuple[Case, Meme], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case, meme = meme_case
    root = str(case.root)
    assert main(["search", root, meme.only, "--jsonl"]) == 0
    assert _lines(capsys) == []  # not analysed yet
    assert main(["analyse", root, "--ocr", "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["search", root, meme.only, "--jsonl"]) == 0
    (hit,) = _lines(capsys)
    assert hit["in_image"] is True and hit["kind"] == "media" and hit["spans"] == []
    # a word both in the meme and in a later message: both, in conversation order
    assert main(["search", root, meme.shared, "--jsonl"]) == 0
    image_hit, text_hit = _lines(capsys)
    assert image_hit["id"] == hit["id"] < text_hit["id"]
    assert image_hit["in_image"] is True and text_hit["in_image"] is False
    assert text_hit["spans"] != []
    assert main(["search", root, meme.only]) == 0
    assert "[in image]" in capsys.readouterr().out
    assert main(["search", root, "morning", "--jsonl"]) == 0
    assert [h["in_image"] for h in _lines(capsys)] == [False]
    # screening: a lexicon term found only in the meme
    lexicon = tmp_path / "words.toml"
    lexicon.write_text(f'entry = [ {{ term = "{meme.only}", category = "derogatory" }} ]\n')
    assert main(["screen", root, "--lexicon", str(lexicon)]) == 0
    capsys.readouterr()
    assert main(["suggestions", root, "--jsonl"]) == 0
    (suggestion,) = _lines(capsys)
    assert suggestion["message_id"] == hit["id"] and suggestion["source"] == "image"
    assert main(["suggestions", root]) == 0
    assert "(in image text)" in capsys.readouterr().out
    assert main(["screen", root, "--lexicon", str(lexicon)]) == 0  # not suggested twice
    assert "0 new suggestions" in capsys.readouterr().out
    assert main(["confirm", root, str(suggestion["id"])]) == 0
    with case.reading() as session:
        tagged = list(session.scalars(select(Tag.message_id).where(Tag.category == "derogatory")))
    assert tagged == [hit["id"]]


@dataclass(frozen=True)
class _FakeScore:
    """Stands in for NudeNet: its model cannot be given a sexual picture in a test."""

    score: float
    kind: Kind = "sexual"
    engine: str = "fake-nudity"
    version: str = "1"
    model: str | None = None

    def accepts(self, mime: str) -> bool:
        return mime.startswith("image/")

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        return AnalysisResult(score=self.score)


def test_sexual_suggestions_above_the_threshold(
    meme_case: tuple[Case, Meme],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case, _ = meme_case
    root = str(case.root)
    use_stand_ins(monkeypatch, {"sexual": _FakeScore(0.7)})
    assert main(["analyse", root, "--nudity", "--threshold", "0.8", "--workers", "1"]) == 0
    assert "suggestion" not in capsys.readouterr().out
    assert main(["suggestions", root, "--jsonl"]) == 0
    assert _lines(capsys) == []
    assert main(["analyse", root, "--nudity", "--threshold", "0.65", "--workers", "1"]) == 0
    assert "1 new sexual-content suggestion" in capsys.readouterr().out
    assert main(["suggestions", root, "--jsonl"]) == 0
    (suggestion,) = _lines(capsys)
    assert suggestion["category"] == "sexual" and suggestion["source"] == "model"
    with case.reading() as session:
        assert list(session.scalars(select(Tag.message_id))) == []  # never a tag by itself
        changes = [e for e in audit_log.entries(session) if e["action"] == "setting.changed"]
    assert [(e["details"]["old"], e["details"]["new"]) for e in changes] == [
        (None, 0.8),
        (0.8, 0.65),
    ]
    assert main(["analyse", root, "--nudity", "--workers", "1"]) == 0  # not suggested again
    assert "suggestion" not in capsys.readouterr().out
    assert main(["dismiss", root, str(suggestion["id"])]) == 0
    with case.reading() as session:
        assert list(session.scalars(select(Tag.message_id))) == []
