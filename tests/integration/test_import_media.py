"""Importing an export with many photos: every file stored once, read-only and hashed, its
rows inserted in bulk; a failure or cancel in the middle of the media leaves nothing new."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from helpers import jpeg_bytes
from reviewer.core.errors import Cancelled
from reviewer.core.progress import CancelToken
from reviewer.importers import media
from reviewer.importers.media import MediaInfo
from reviewer.services import audit_log, import_media
from reviewer.services.actor import Actor
from reviewer.services.case import Case
from reviewer.services.importing import ImportOptions, import_export
from reviewer.services.integrity import check_evidence
from reviewer.services.thumbnails import ensure_thumbnails, thumbnail_path
from reviewer.store.models import Attachment, EvidenceFile, Exhibit, Message

PHOTOS = 40


def photo(index: int) -> bytes:
    return jpeg_bytes(f"#{(index * 2654435761) % 0xFFFFFF:06x}", (32 + index % 7, 24))


def photo_name(index: int) -> str:
    return f"{index + 100:08d}-PHOTO-2024-03-14-10-{index // 60:02d}-{index % 60:02d}.jpg"


def media_zip(path: Path, *, offset: int = 0) -> Path:
    """PHOTOS distinct photos (from ``offset``), two names sharing one photo's bytes, a PNG
    named .jpg, and a file no message names."""
    lines = ["[14/03/2024, 09:58:00] Sam Reid: Morning all\r\n"]
    members: dict[str, bytes] = {}
    for i in range(PHOTOS):
        name = photo_name(i)
        lines.append(
            f"[14/03/2024, 10:{i // 60:02d}:{i % 60:02d}] Sam Reid: \u200e<attached: {name}>\r\n"
        )
        members[name] = photo(i + offset)
    members[photo_name(PHOTOS)] = members[photo_name(0)]  # the same photo sent twice
    members[photo_name(PHOTOS + 1)] = _png()  # a PNG under a .jpg name
    for i in (PHOTOS, PHOTOS + 1):
        lines.append(
            f"[14/03/2024, 11:00:{i % 60:02d}] Jo Park: \u200e<attached: {photo_name(i)}>\r\n"
        )
    members["notes.txt"] = b"not named by any message\n"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", "".join(lines).encode())
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def evidence_tree(case: Case) -> set[Path]:
    return set((case.root / "evidence").rglob("*"))


def test_every_file_is_stored_once_read_only_and_hashed(
    case: Case, tmp_path: Path, actor: Actor
) -> None:
    export = media_zip(tmp_path / "WhatsApp Chat - Photos.zip")
    result = import_export(case, export, actor, ImportOptions(exhibit="P/1"))
    assert result.attachments_present == PHOTOS + 2 and result.attachments_missing == 0

    archive = zipfile.ZipFile(export)
    with case.reading() as session:
        files = session.execute(
            select(EvidenceFile.path, EvidenceFile.sha256, EvidenceFile.size,
                   EvidenceFile.role, EvidenceFile.mime_mismatch, EvidenceFile.referenced)
        ).all()  # fmt: skip
        links = session.execute(
            select(
                Attachment.filename, Attachment.sha256, EvidenceFile.path, EvidenceFile.sha256
            ).join(EvidenceFile, Attachment.evidence_file_id == EvidenceFile.id)
        ).all()
    by_path = {row.path: row for row in files}
    for name in archive.namelist():
        data = archive.read(name)
        row = by_path[name]
        assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)
        stored = case.evidence.path_for(row.sha256)
        assert stored.read_bytes() == data
        assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert by_path["notes.txt"].role == "other" and not by_path["notes.txt"].referenced
    assert by_path[photo_name(1)].role == "media" and by_path[photo_name(1)].referenced
    assert by_path[photo_name(PHOTOS + 1)].mime_mismatch
    assert not by_path[photo_name(1)].mime_mismatch
    assert len(links) == PHOTOS + 2
    assert all(name == path and a == b for name, a, path, b in links)

    on_disk = [p for p in evidence_tree(case) if p.is_file()]
    distinct = {row.sha256 for row in files} | {hashlib.sha256(export.read_bytes()).hexdigest()}
    assert len(on_disk) == len(distinct), "the photo sent twice is one file"
    assert by_path[photo_name(PHOTOS)].sha256 == by_path[photo_name(0)].sha256
    assert check_evidence(case) == []


def test_each_new_file_is_synced_once_and_the_folders_once_each(
    case: Case, tmp_path: Path, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = media_zip(tmp_path / "WhatsApp Chat - Photos.zip")
    synced: list[tuple[int, int]] = []
    real = os.fsync

    def recording(fd: int) -> None:
        info = os.fstat(fd)
        synced.append((info.st_dev, info.st_ino))
        real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    import_export(case, export, actor)
    with case.reading() as session:
        exhibit = session.scalars(select(Exhibit)).one()
    # The original and the chat text are stored one by one before the photos' batch.
    singles = [case.evidence.path_for(exhibit.sha256), case.evidence.path_for(exhibit.chat_sha256)]
    files = [p for p in evidence_tree(case) if p.is_file()]
    assert len(files) == PHOTOS + 4  # + the original, the chat, the PNG and notes.txt

    def times(path: Path) -> int:
        info = path.stat()
        return synced.count((info.st_dev, info.st_ino))

    assert all(times(path) == 1 for path in files)
    for folder in {path.parent for path in files}:
        assert 1 <= times(folder) <= 1 + sum(s.parent == folder for s in singles), folder
    assert 1 <= times(case.root / "evidence") <= 3  # once per store that made new folders


def failing_inspection(after: int, failure: BaseException | None, token: CancelToken) -> Any:
    real = media.inspect_media
    calls = [0]

    def inspect(path: Path, filename: str) -> MediaInfo:
        calls[0] += 1
        if calls[0] == after:
            if failure is None:
                token.cancel()
            else:
                raise failure
        return real(path, filename)

    return inspect


@pytest.mark.parametrize("failure", [RuntimeError("disk on fire"), None], ids=["error", "cancel"])
def test_a_failure_in_the_middle_of_the_media_leaves_nothing_new(
    case: Case,
    tmp_path: Path,
    actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
    failure: BaseException | None,
) -> None:
    first = import_export(case, media_zip(tmp_path / "WhatsApp Chat - A.zip"), actor)
    before = evidence_tree(case)
    token = CancelToken()
    monkeypatch.setattr(media, "inspect_media", failing_inspection(25, failure, token))
    # Half of this export's photos are already stored by the committed import above.
    export = media_zip(tmp_path / "WhatsApp Chat - B.zip", offset=PHOTOS // 2)
    with pytest.raises(Cancelled if failure is None else RuntimeError):
        import_export(case, export, actor, cancel=token)

    assert evidence_tree(case) == before, "no new file, folder or temporary file"
    assert check_evidence(case) == [], "the committed import's files are all still there"
    with case.reading() as session:
        assert session.scalars(select(Exhibit.id)).all() == [first.exhibit_id]
        rows = session.scalar(select(func.count(EvidenceFile.id)))
        assert rows == session.scalar(
            select(func.count(EvidenceFile.id)).where(EvidenceFile.exhibit_id == first.exhibit_id)
        )
        assert session.scalar(select(func.count(Attachment.id))) == first.attachments_present
        assert session.scalar(select(func.count(Message.id))) == first.messages
        actions = [e["action"] for e in audit_log.entries(session)]
    expected = "exhibit.import-cancelled" if failure is None else "exhibit.import-failed"
    assert actions[-1] == expected


def test_a_failed_sync_of_the_photos_leaves_nothing_new(
    case: Case, tmp_path: Path, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = media_zip(tmp_path / "WhatsApp Chat - Photos.zip")
    before = evidence_tree(case)
    real = os.fsync
    calls = [0]

    def failing(fd: int) -> None:
        calls[0] += 1
        if calls[0] == 12:  # the original and the chat come first, then photos
            raise OSError(5, "Input/output error (injected)")
        real(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError, match="injected"):
        import_export(case, export, actor)
    assert evidence_tree(case) == before
    with case.reading() as session:
        assert session.scalar(select(func.count(EvidenceFile.id))) == 0
        assert session.scalar(select(func.count(Exhibit.id))) == 0


def test_a_failure_after_the_photos_are_synced_removes_them(
    case: Case, tmp_path: Path, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = evidence_tree(case)
    real = audit_log.append

    def append(session: Any, who: Actor, action: str, *args: Any) -> Any:
        if action == "exhibit.imported":  # the last step before the transaction commits
            raise RuntimeError("audit log full")
        return real(session, who, action, *args)

    monkeypatch.setattr(audit_log, "append", append)
    with pytest.raises(RuntimeError, match="audit log full"):
        import_export(case, media_zip(tmp_path / "WhatsApp Chat - Photos.zip"), actor)
    assert evidence_tree(case) == before


@pytest.mark.parametrize("inline", [True, False], ids=["from-memory", "from-the-stored-file"])
def test_files_are_inspected_alike_from_memory_or_disk_and_thumbnailed_when_first_needed(
    case: Case, tmp_path: Path, actor: Actor, monkeypatch: pytest.MonkeyPatch, inline: bool
) -> None:
    if not inline:  # as files above the in-memory limit are
        monkeypatch.setattr(import_media, "INLINE_BYTES", 0)
    import_export(case, media_zip(tmp_path / "WhatsApp Chat - Photos.zip"), actor)
    with case.reading() as session:
        rows = session.execute(
            select(Attachment.filename, Attachment.mime, Attachment.width, Attachment.sha256)
        ).all()
    assert len(rows) == PHOTOS + 2
    assert {row.mime for row in rows} == {"image/jpeg", "image/png"}
    assert {row.width for row in rows} == {32 + i % 7 for i in range(PHOTOS)} | {8}
    assert not list(case.cache_dir.rglob("*.jpg"))  # thumbnails are not made by the import
    pairs = [
        (thumbnail_path(case.cache_dir, r.sha256), case.evidence.path_for(r.sha256)) for r in rows
    ]
    assert ensure_thumbnails(pairs) == {thumb for thumb, _ in pairs}
    thumbs = {p.stem for p in (case.cache_dir / "thumbs").rglob("*.jpg")}
    assert thumbs == {row.sha256 for row in rows}
    with Image.open(pairs[0][0]) as made:
        assert made.format == "JPEG" and made.width <= 320
