"""The bundle carries the machine analysis of its pictures, marked as machine-read (DESIGN.md
§6, §10): a case exported through the command line before and after ``reviewer analyse``, read
back from messages.jsonl, the schedule, the HTML report and the PDF (pdftotext); and a
redacted bundle whose meme names an uninvolved person leaks that name in no file."""

from __future__ import annotations

import csv
import email
import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from email import policy
from pathlib import Path
from typing import Any

import pytest
from test_redacted_leaks import build_case, leaks

import ocr_fixtures as fx
from helpers import ACTOR
from media_fixtures import use_stand_ins
from reviewer.cli.main import main
from reviewer.review.media.analysers import AnalysisResult, Kind
from reviewer.review.media.ocr import have_ocr
from reviewer.services.case import create_case, open_case
from reviewer.services.exporting import ExportOptions, export_bundle
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.messages import message_records

MEME = "00000001-PHOTO-2024-03-14-10-00-00.jpg"
COPY = "00000002-PHOTO-2024-03-14-10-05-00.jpg"


def _export(folder: Path) -> tuple[Path, list[str]]:
    """A chat with a meme, then the same meme re-encoded (a near-duplicate)."""
    image, words = fx.meme(11)
    original, copy = io.BytesIO(), io.BytesIO()
    image.save(original, "JPEG", quality=90)
    image.resize((800, 800)).save(copy, "JPEG", quality=60)
    lines = (
        "[14/03/2024, 09:58:00] Sam Reid: Morning all\r\n"
        f"[14/03/2024, 10:00:00] Alex Turner: \u200e<attached: {MEME}>\r\n"
        "[14/03/2024, 10:01:00] Sam Reid: seen it\r\n"
        f"[14/03/2024, 10:05:00] Jo Park: \u200e<attached: {COPY}>\r\n"
    )
    path = folder / "WhatsApp Chat - Shift B.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", lines.encode())
        archive.writestr(MEME, original.getvalue())
        archive.writestr(COPY, copy.getvalue())
    return path, words


def _records(bag: Path) -> list[dict[str, Any]]:
    text = (bag / "data" / "messages" / "messages.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.skipif(not have_ocr(), reason="OCR engine not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_export_carries_the_analysis_marked_as_machine_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export, words = _export(tmp_path)
    root = tmp_path / "case"
    with create_case(root, reference="OP-12", actor=ACTOR) as case:
        import_export(case, export, ACTOR, ImportOptions(exhibit="AB/1"))
        ids = {
            r["attachments"][0]["filename"]: r["id"]
            for r in message_records(case)
            if r["attachments"]
        }
    assert main(["tag", str(root), str(ids[MEME]), "derogatory"]) == 0
    assert main(["tag", str(root), str(ids[COPY]), "derogatory"]) == 0
    # never analysed: no record has an analysis key, the new columns are empty
    assert main(["export", str(root), str(tmp_path / "before"), "--context", "2"]) == 0
    before = _records(tmp_path / "before")
    assert all("analysis" not in a for r in before for a in r["attachments"])
    assert main(["analyse", str(root), "--workers", "1"]) == 0
    assert main(["export", str(root), str(tmp_path / "after"), "--context", "2"]) == 0
    capsys.readouterr()
    bag = tmp_path / "after"

    records = {r["id"]: r for r in _records(bag)}
    (meme,) = records[ids[MEME]]["attachments"]
    (copy,) = records[ids[COPY]]["attachments"]
    # the keys of an attachment record are unchanged; the analysis is one more
    assert list(meme) == ["filename", "sha256", "mime", "size", "present", "analysis"]
    ocr = meme["analysis"]["ocr"]
    assert meme["analysis"]["machine_read"] is True
    assert ocr["engine"] == "rapidocr" and ocr["model"] and ocr["version"]
    assert 0.85 <= ocr["confidence"] <= 1
    assert fx.word_recall(words, ocr["text"]) >= 0.9
    assert ocr["boxes"] and all(len(b["box"]) == 4 and b["text"] for b in ocr["boxes"])
    group = meme["analysis"]["similar_group"]
    assert group is not None and copy["analysis"]["similar_group"] == group
    if meme["analysis"]["sexual"] is not None:  # the detector is installed
        assert meme["analysis"]["sexual"]["score"] < 0.15
        assert meme["analysis"]["sexual"]["engine"] and meme["analysis"]["sexual"]["version"]
    assert [r for r in records.values() if not r["attachments"]]  # text messages unchanged

    with (bag / "data" / "schedule" / "messages.csv").open(encoding="utf-8-sig") as handle:
        rows = {int(r["id"]): r for r in csv.DictReader(handle)}
    cell = rows[ids[MEME]]["image_text"]
    assert cell.startswith("machine-read (rapidocr ")
    assert fx.word_recall(words, cell.split("): ", 1)[1]) >= 0.9
    assert rows[ids[MEME]]["similar_group"] == str(group)
    assert rows[ids[MEME] - 1]["image_text"] == ""  # a text message

    page = html.unescape((bag / "data" / "report" / "index.html").read_text("utf-8"))
    found = re.findall(
        r'<span class="machine-label">Text read by machine \((rapidocr [^)]*)\):</span>\s*'
        r'<span class="machine-text">([^<]*)</span>',
        page,
    )
    assert len(found) == 2 and all(fx.word_recall(words, text) >= 0.9 for _, text in found)
    assert f"Near-duplicate group (by machine):</span> {group}" in page

    pdf = subprocess.run(
        ["pdftotext", str(bag / "data" / "report" / "report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    flat = _flat(pdf)
    assert flat.count("Text read by machine (rapidocr") == 2
    after = flat.split("Text read by machine (rapidocr", 1)[1]
    assert fx.word_recall(words, after[:400]) >= 0.9
    assert "Near-duplicate group (by machine):" in flat
    (rsmf,) = (bag / "data" / "rsmf").glob("*.rsmf")
    message = email.message_from_bytes(rsmf.read_bytes(), policy=policy.default)
    part = next(p for p in message.walk() if p.get_filename() == "rsmf.zip")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(payload)).read("rsmf_manifest.json"))
    event = next(e for e in manifest["events"] if e.get("id") == f"M{ids[MEME]}")
    (field,) = [c for c in event["custom"] if c["name"].startswith("ImageText ")]
    assert field["value"].startswith("machine-read (rapidocr ")
    assert main(["verify", str(bag)]) == 0


@dataclass(frozen=True)
class _FakeOcr:
    """Reads the same hostile text in every picture: an uninvolved person's name on one line,
    another's split over two lines, and a number."""

    kind: Kind = "ocr"
    engine: str = "fake-ocr"
    version: str = "1"
    model: str | None = "fake"

    def accepts(self, mime: str) -> bool:
        return mime.startswith("image/")

    def analyse(self, path: Path, mime: str) -> AnalysisResult:
        lines = [HOSTILE_LINE, "RING 07700 900123 NOW"]
        return AnalysisResult(
            text="\n".join(lines),
            confidence=0.93,
            data={
                "boxes": [
                    {"box": [[0, 0], [9, 0], [9, 9], [0, 9]], "text": t, "confidence": 0.93}
                    for t in lines
                ]
            },
        )


HOSTILE_LINE = "KIM REYES IS A GRASS"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_redacted_bundle_leaks_no_name_from_image_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_root = build_case(tmp_path)
    use_stand_ins(monkeypatch, {"ocr": _FakeOcr()}, real_others=False)
    with open_case(case_root) as case:
        from reviewer.services import tagging
        from reviewer.services.media_analysis import AnalyseOptions, analyse

        analyse(case, ACTOR, AnalyseOptions(kinds=("ocr",), workers=1))
        photo = next(r for r in message_records(case) if r["kind"] == "media" and r["attachments"])
        tagging.tag(case, ACTOR, [photo["id"]], "derogatory")
        export_bundle(
            case, ACTOR, tmp_path / "out", ExportOptions(context=20, redact_uninvolved=True)
        )
        export_bundle(case, ACTOR, tmp_path / "plain", ExportOptions(context=20))
    bag = tmp_path / "out"
    found = leaks(bag)
    assert not found, "\n".join(sorted(set(found))[:40])
    # the image text is there, redacted as message text is, and marked as machine-read
    (record,) = [r for r in _records(bag) if r["id"] == photo["id"]]
    ocr = record["attachments"][0]["analysis"]["ocr"]
    assert re.fullmatch(
        r"Person [A-Z]+ IS A GRASS\nRING \[phone number redacted\] NOW", ocr["text"]
    )
    assert [b["text"] for b in ocr["boxes"]] == ocr["text"].splitlines()
    pdf = subprocess.run(
        ["pdftotext", str(bag / "data" / "report" / "report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "IS A GRASS" in _flat(pdf) and "Text read by machine (fake-ocr 1" in _flat(pdf)
    # the test is not blind: the unredacted bundle carries the name in the image text
    (plain,) = [r for r in _records(tmp_path / "plain") if r["id"] == photo["id"]]
    assert plain["attachments"][0]["analysis"]["ocr"]["text"].startswith(HOSTILE_LINE)
