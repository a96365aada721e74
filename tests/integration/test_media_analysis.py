"""Media analysis over exports imported through the real importer: near-duplicate groups across
exhibits, never grouping different screenshots; resumable and audited runs; video and voice
durations; deciding a group once (DESIGN.md §10)."""

from __future__ import annotations

import hashlib
import json
import signal
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import media_fixtures as mf
from helpers import ACTOR
from reviewer.cli.main import main
from reviewer.core.progress import CancelToken
from reviewer.services import audit_log, media_analysis
from reviewer.services.case import Case, create_case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.media import media_records, tag_group
from reviewer.services.media_analysis import AnalyseOptions, analyse
from reviewer.store.media_models import MediaAnalysis
from reviewer.store.models import Tag


@dataclass
class Export:
    path: Path
    members: dict[str, bytes] = field(default_factory=dict)


def _write(path: Path, files: list[tuple[str, bytes]]) -> Path:
    lines = ["[14/03/2024, 09:58:00] Sam Reid: Morning all\r\n"]
    with zipfile.ZipFile(path, "w") as archive:
        for index, (name, data) in enumerate(files):
            lines.append(
                f"[14/03/2024, 10:{index // 60:02d}:{index % 60:02d}] Alex Turner: "
                f"\u200e<attached: {name}>\r\n"
            )
            archive.writestr(name, data)
        archive.writestr("_chat.txt", "".join(lines).encode())
    return path


def _name(index: int, kind: str, ext: str) -> str:
    return f"{index:08d}-{kind}-2024-03-14-10-00-{index % 60:02d}.{ext}"


@dataclass
class Fixture:
    first: Path
    second: Path
    meme_a: list[str]  # SHA-256 of the original and its copies
    meme_b: list[str]
    screenshots: list[str]  # four different texts, the first one's re-encoded copy last
    photos: list[str]
    video: str
    voice: str


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    folder = tmp_path_factory.mktemp("media")
    meme_a, meme_b = mf.meme(11), mf.meme(12)
    a = [mf.jpeg(meme_a), mf.reencoded(meme_a), mf.resized(meme_a), mf.cropped(meme_a, 0.03)]
    b = [mf.jpeg(meme_b), mf.reencoded(meme_b)]
    shots_images = [mf.screenshot(seed) for seed in range(4)]
    shots = [mf.png(image) for image in shots_images] + [mf.reencoded(shots_images[0])]
    photos = [mf.jpeg(mf.photo(seed)) for seed in range(3)]
    video = mf.video(folder / "clip.mp4", seconds=2.0).read_bytes()
    voice = mf.voice_note(folder / "voice.opus", seconds=3.0).read_bytes()
    first = [
        (_name(1, "PHOTO", "jpg"), a[0]),
        (_name(2, "PHOTO", "jpg"), a[1]),
        (_name(3, "PHOTO", "jpg"), a[0]),  # the same bytes forwarded again
        *[(_name(10 + i, "PHOTO", "png" if i < 4 else "jpg"), s) for i, s in enumerate(shots)],
        *[(_name(20 + i, "PHOTO", "jpg"), p) for i, p in enumerate(photos)],
        (_name(30, "VIDEO", "mp4"), video),
        (_name(31, "AUDIO", "opus"), voice),
    ]
    second = [
        (_name(1, "PHOTO", "jpg"), a[2]),
        (_name(2, "PHOTO", "jpg"), a[3]),
        (_name(3, "PHOTO", "jpg"), b[0]),
        (_name(4, "PHOTO", "jpg"), b[1]),
    ]
    return Fixture(
        first=_write(folder / "WhatsApp Chat - Shift B.zip", first),
        second=_write(folder / "WhatsApp Chat - Shift C.zip", second),
        meme_a=[_sha(x) for x in a],
        meme_b=[_sha(x) for x in b],
        screenshots=[_sha(x) for x in shots],
        photos=[_sha(x) for x in photos],
        video=_sha(video),
        voice=_sha(voice),
    )


@pytest.fixture
def media_case(tmp_path: Path, exports: Fixture) -> Iterator[Case]:
    with create_case(tmp_path / "case", reference="OP-9", actor=ACTOR) as case:
        import_export(case, exports.first, ACTOR, ImportOptions(exhibit="AB/1"))
        import_export(case, exports.second, ACTOR, ImportOptions(exhibit="AB/2"))
        yield case


def _groups(case: Case) -> dict[str, int | None]:
    return {r["sha256"]: r["similar_group"] for r in media_records(case)}


def test_copies_of_one_meme_form_one_group_and_screenshots_are_never_grouped(
    media_case: Case, exports: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_analysis, "GROUP_IN_WORKER_FILES", 2)  # grouped in a worker too
    report = analyse(media_case, ACTOR, AnalyseOptions(kinds=("similar",)))  # worker processes
    assert not report.cancelled
    assert report.analysed == {"similar": 15, "av": 2}  # 6 memes, 5 shots, 3 photos, a video
    groups = _groups(media_case)
    a = {groups[sha] for sha in exports.meme_a}
    assert len(a) == 1 and None not in a
    (number,) = a
    assert {sha for sha, g in groups.items() if g == number} == set(exports.meme_a)
    b = {groups[sha] for sha in exports.meme_b}
    assert len(b) == 1 and None not in b and b != a
    # The first screenshot and its re-encoded copy are one picture; the other texts are alone.
    shots = [groups[sha] for sha in exports.screenshots]
    assert shots[0] is not None and shots[4] == shots[0]
    assert shots[1] is None and shots[2] is None and shots[3] is None
    assert all(groups[sha] is None for sha in exports.photos)
    assert report.groups == 3


def test_a_rerun_skips_done_files_and_is_audited(
    media_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = analyse(media_case, ACTOR, AnalyseOptions(kinds=("similar",), workers=1))

    def not_again(*args: object) -> None:
        raise AssertionError("groups computed again though no hash changed")

    with monkeypatch.context() as patch:
        patch.setattr(media_analysis, "_groups", not_again)
        second = analyse(media_case, ACTOR, AnalyseOptions(kinds=("similar",), workers=1))
    assert sum(second.analysed.values()) == 0
    assert second.skipped == first.analysed
    assert first.groups == second.groups == 3  # current: not computed again
    with media_case.reading() as session:
        runs = [e for e in audit_log.entries(session) if e["action"] == "analysis.run"]
    assert [r["details"]["analysed"] for r in runs] == [dict(first.analysed), {}]
    assert runs[-1]["details"]["skipped"] == {"similar": 15, "av": 2}
    assert runs[-1]["details"]["status"] == "done"
    redo = analyse(media_case, ACTOR, AnalyseOptions(kinds=("similar",), redo=True, workers=1))
    assert redo.analysed == first.analysed
    with media_case.reading() as session:
        assert session.scalar(select(func.count()).select_from(MediaAnalysis)) == 17


class CancelAfter:
    def __init__(self, token: CancelToken, count: int) -> None:
        self.token, self.count = token, count

    def report(self, stage: str, done: int, total: int | None) -> None:
        if done >= self.count:
            self.token.cancel()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cancelled_run_resumes_where_it_stopped(media_case: Case, workers: int) -> None:
    token = CancelToken()
    options = AnalyseOptions(kinds=("similar",), workers=workers)
    stopped = analyse(media_case, ACTOR, options, progress=CancelAfter(token, 4), cancel=token)
    assert stopped.cancelled and stopped.groups is None
    assert sum(stopped.analysed.values()) == 4
    resumed = analyse(media_case, ACTOR, options)
    assert not resumed.cancelled
    assert sum(resumed.analysed.values()) == 17 - 4
    assert sum(resumed.skipped.values()) == 4
    with media_case.reading() as session:
        statuses = [
            e["details"]["status"]
            for e in audit_log.entries(session)
            if e["action"] == "analysis.run"
        ]
        assert session.scalar(select(func.count()).select_from(MediaAnalysis)) == 17
    assert statuses == ["cancelled", "done"]


def test_durations_and_key_frames(media_case: Case, exports: Fixture) -> None:
    analyse(media_case, ACTOR, AnalyseOptions(kinds=("similar",), workers=1))
    records = {r["sha256"]: r for r in media_records(media_case)}
    video, voice = records[exports.video], records[exports.voice]
    assert video["mime"] == "video/mp4"
    assert video["duration"] == pytest.approx(2.0, abs=0.15)
    assert voice["duration"] == pytest.approx(3.0, abs=0.1)
    assert voice["frames"] == []
    assert video["frames"]
    for frame in video["frames"]:
        assert (media_case.cache_dir / frame).is_file()
    photo = records[exports.photos[0]]
    assert photo["duration"] is None and photo["ocr"] is None and photo["sexual"] is None


def test_tagging_a_group_is_one_decision_audited_per_message(
    media_case: Case, exports: Fixture
) -> None:
    analyse(media_case, ACTOR, AnalyseOptions(kinds=("similar",), workers=1))
    number = _groups(media_case)[exports.meme_a[0]]
    assert number is not None
    members = [r for r in media_records(media_case, group=number)]
    messages = sorted(i for r in members for i in r["messages"])
    assert len(messages) == 5  # the original twice, three copies (two exhibits)
    changes = tag_group(media_case, ACTOR, number, "derogatory")
    assert sorted(changes.message_ids) == messages
    with media_case.reading() as session:
        tagged = session.scalars(select(Tag.message_id).where(Tag.category == "derogatory"))
        assert sorted(tagged) == messages
        added = [e for e in audit_log.entries(session) if e["action"] == "tag.added"]
    assert sorted(e["details"]["messages"][0] for e in added) == messages
    assert all(e["details"]["similar_group"] == number for e in added)
    assert tag_group(media_case, ACTOR, number, "derogatory").message_ids == ()


def test_command_line(
    media_case: Case, exports: Fixture, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(media_case.root)
    assert main(["analyse", root, "--ocr", "--nudity", "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert "not available in this build" not in err
    assert "analysis run 1: 32 analysed" in out  # OCR and scores of 15 pictures, 2 durations
    assert main(["analyse", root, "--similar", "--workers", "1"]) == 0
    out, _ = capsys.readouterr()
    assert "15 analysed, 2 already done; 3 near-duplicate groups" in out
    assert main(["media", root, "--jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 16
    assert set(records[0]) >= {"sha256", "mime", "messages", "ocr", "sexual", "similar_group"}
    by_sha = {r["sha256"]: r for r in records}
    meme_ocr = by_sha[exports.meme_a[0]]["ocr"]
    assert meme_ocr["engine"] == "rapidocr" and meme_ocr["text"] and meme_ocr["confidence"] > 0.8
    for sha in exports.photos:  # text-free: nothing read, nothing sexual
        assert by_sha[sha]["ocr"]["text"] is None
        assert by_sha[sha]["sexual"]["engine"] == "nudenet"
        assert by_sha[sha]["sexual"]["score"] < 0.15
    assert by_sha[exports.voice]["ocr"] is None
    number = next(r["similar_group"] for r in records if r["sha256"] == exports.meme_a[0])
    assert main(["media", root, "--group", str(number), "--tag", "derogatory"]) == 0
    assert "tagged derogatory: 5 messages" in capsys.readouterr().out
    assert main(["media", root]) == 0
    table = capsys.readouterr().out
    assert f"group {number}" in table and "2.0 s" in table
    assert main(["media", root, "--tag", "derogatory"]) == 1


def test_an_unreadable_picture_is_recorded_as_failed_and_not_retried(
    tmp_path: Path, exports: Fixture
) -> None:
    whole = mf.jpeg(mf.photo(7))
    export = _write(
        tmp_path / "WhatsApp Chat - Cut.zip",
        [(_name(1, "PHOTO", "jpg"), whole[: len(whole) // 3]), (_name(2, "PHOTO", "jpg"), whole)],
    )
    with create_case(tmp_path / "case", reference="OP-10", actor=ACTOR) as case:
        import_export(case, export, ACTOR, ImportOptions(exhibit="C/1"))
        first = analyse(case, ACTOR, AnalyseOptions(kinds=("similar",), workers=1))
        assert first.failed == {"similar": 1} and first.analysed == {"similar": 1}
        with case.reading() as session:
            error = session.scalar(
                select(MediaAnalysis.error).where(MediaAnalysis.status == "failed")
            )
        assert error and "truncated" in error.lower()
        again = analyse(case, ACTOR, AnalyseOptions(kinds=("similar",), workers=1))
        assert sum(again.analysed.values()) + sum(again.failed.values()) == 0
        assert again.skipped == {"similar": 2}


def test_ctrl_c_on_the_command_line_keeps_what_was_done(
    media_case: Case, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = media_analysis.run_job
    calls = []

    def interrupted_after_three(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 3:
            signal.raise_signal(signal.SIGINT)  # as Ctrl-C in the terminal
        return real(*args)

    root = str(media_case.root)
    with monkeypatch.context() as patch:
        patch.setattr(media_analysis, "run_job", interrupted_after_three)
        assert main(["analyse", root, "--similar", "--workers", "1"]) == 130
    out, err = capsys.readouterr()
    assert "analysis run 1: 3 analysed" in out
    assert "cancelled after 3 of 17; results so far are kept: run again to resume" in err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert main(["analyse", root, "--similar", "--workers", "1"]) == 0
    assert "14 analysed, 3 already done" in capsys.readouterr().out


def test_asking_for_durations_by_name_runs_them_once(media_case: Case) -> None:
    both = analyse(media_case, ACTOR, AnalyseOptions(kinds=("similar", "av"), workers=1))
    assert both.analysed["av"] == 2  # the two media files PyAV reads, each analysed once
    with media_case.reading() as session:
        assert session.scalar(select(func.count()).select_from(MediaAnalysis)) == 17
