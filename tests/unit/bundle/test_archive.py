"""The bundle as one zip: round trip, AES-256, 7-Zip compatibility, unsafe entries refused."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from reviewer.bundle.archive import (
    ArchiveError,
    archive_path,
    is_encrypted,
    read_password,
    unpacked,
    write_archive,
)
from reviewer.core.errors import InputError


def _bag(root: Path) -> Path:
    bag = root / "OP-1"
    (bag / "data" / "report").mkdir(parents=True)
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\n", encoding="utf-8")
    (bag / "data" / "report" / "notes.txt").write_text("مرحبا 🐒 王伟\n", encoding="utf-8")
    (bag / "data" / "blob.bin").write_bytes(bytes(range(256)) * 100)
    return bag


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("password", [None, b"correct horse battery staple"])
def test_round_trip_gives_back_the_bag(tmp_path: Path, password: bytes | None) -> None:
    bag = _bag(tmp_path)
    target = write_archive(bag, archive_path(bag), password)
    assert target == tmp_path / "OP-1.zip"
    assert is_encrypted(target) is (password is not None)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        methods = {info.compress_type for info in archive.infolist()}
    # AES entries carry method 99 in the header and deflate inside the AES extra field.
    assert methods == ({zipfile.ZIP_DEFLATED} if password is None else {99})
    assert sorted(names) == ["bagit.txt", "data/blob.bin", "data/report/notes.txt"]
    with unpacked(target, password) as folder:
        assert _files(folder) == _files(bag)


def test_encrypted_archive_needs_the_right_password(tmp_path: Path) -> None:
    bag = _bag(tmp_path)
    target = write_archive(bag, tmp_path / "b.zip", b"right")
    for wrong in (None, b"wrong"):
        with pytest.raises(ArchiveError, match="password"), unpacked(target, wrong):
            pass
    # The content is not readable without the password.
    assert "مرحبا".encode() not in target.read_bytes()


def test_source_date_epoch_makes_plain_archives_reproducible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    bag = _bag(tmp_path)
    first = write_archive(bag, tmp_path / "1.zip").read_bytes()
    (bag / "bagit.txt").touch()
    second = write_archive(bag, tmp_path / "2.zip").read_bytes()
    assert first == second


def test_entries_outside_the_folder_are_refused(tmp_path: Path) -> None:
    hostile = tmp_path / "evil.zip"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("bagit.txt", "x")
        archive.writestr("../outside.txt", "x")
    with pytest.raises(ArchiveError, match="outside"), unpacked(hostile):
        pass
    assert not (tmp_path / "outside.txt").exists()


def test_damaged_archive_is_one_clear_error(tmp_path: Path) -> None:
    bag = _bag(tmp_path)
    target = write_archive(bag, tmp_path / "b.zip")
    data = bytearray(target.read_bytes())
    data[40:200] = bytes(160)
    target.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match=r"b\.zip"), unpacked(target):
        pass


def test_password_file(tmp_path: Path) -> None:
    good = tmp_path / "pw"
    good.write_bytes(b"s3cret with spaces\n")
    assert read_password(good) == b"s3cret with spaces"
    empty = tmp_path / "empty"
    empty.write_bytes(b"\n")
    with pytest.raises(InputError, match="empty"):
        read_password(empty)
    with pytest.raises(InputError, match="missing"):
        read_password(tmp_path / "missing")


@pytest.mark.skipif(shutil.which("7zz") is None, reason="7-Zip (Debian package 7zip) not installed")
def test_seven_zip_opens_the_encrypted_archive(tmp_path: Path) -> None:
    bag = _bag(tmp_path)
    target = write_archive(bag, tmp_path / "b.zip", b"pass word")
    out = tmp_path / "out"
    subprocess.run(
        ["7zz", "x", "-ppass word", f"-o{out}", str(target)],
        check=True,
        capture_output=True,
    )
    assert _files(out) == _files(bag)
    listing = subprocess.run(
        ["7zz", "l", "-slt", str(target)], check=True, capture_output=True, text=True
    ).stdout
    assert "AES-256" in listing
