"""redaction/media.jsonl lists each changed or withheld file once: a file with its hash once
for all its messages, a file listed without its hash once per message (two short withheld
files are two lines, not one)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bundle_factory import attachment, make_bundle, message

from reviewer.bundle.media import write_redactions
from reviewer.bundle.model import MediaRedaction

WHY = "its content names a person not involved"


def test_each_file_is_listed_once(tmp_path: Path) -> None:
    photo = attachment(tmp_path, "a.jpg", b"photo")
    copy = replace(
        photo,
        sha256="c" * 64,
        redaction=MediaRedaction(original_sha256=photo.sha256, removed=("EXIF (APP1)",)),
    )
    short = [
        replace(
            attachment(tmp_path, f"{n}.txt", f"note {n}".encode()),
            sha256=None,
            present=False,
            bundle_path=None,
            redaction=MediaRedaction(withheld=WHY),
        )
        for n in (1, 2)
    ]
    unchanged = attachment(tmp_path, "b.jpg", b"plain")
    bundle = make_bundle(
        [
            message(1, tagged=True, attachments=(copy, short[0])),
            message(2, tagged=True, attachments=(copy, short[1], unchanged)),
        ]
    )
    bundle.redacted = True
    assert write_redactions(bundle, tmp_path) == 3
    lines = (tmp_path / "redaction" / "media.jsonl").read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["messages"] for r in rows] == [[1, 2], [1], [2]]
    assert rows[0]["original_sha256"] == photo.sha256 and rows[0]["sha256"] == "c" * 64
    assert [r["filename"] for r in rows[1:]] == ["1.txt", "2.txt"]
    assert all(r["original_sha256"] is None and r["withheld"] == WHY for r in rows[1:])
    csv_lines = (tmp_path / "redaction" / "media.csv").read_text("utf-8-sig").splitlines()
    assert len(csv_lines) == 4 and csv_lines[2].startswith(",,(not given),1.txt,1,")


def test_nothing_is_written_when_nothing_changed(tmp_path: Path) -> None:
    bundle = make_bundle([message(1, tagged=True, attachments=(attachment(tmp_path, "a", b"x"),))])
    assert write_redactions(bundle, tmp_path) == 0
    assert not (tmp_path / "redaction").exists()
