"""Shared fixtures: a reviewer identity, fresh cases and small exports written on the fly."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import ACTOR, IOS_CHAT, jpeg_bytes
from reviewer.services.actor import Actor
from reviewer.services.case import Case, create_case


@pytest.fixture
def actor() -> Actor:
    return ACTOR


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    with create_case(tmp_path / "case", reference="OP-1234", actor=ACTOR, title="Test") as opened:
        yield opened


@pytest.fixture
def ios_zip(tmp_path: Path) -> Path:
    """An iOS export with one photo present and one missing."""
    path = tmp_path / "WhatsApp Chat - Shift B.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", IOS_CHAT.encode())
        archive.writestr("00000015-PHOTO-2024-03-14-10-02-11.jpg", jpeg_bytes())
        archive.writestr("__MACOSX/._00000015-PHOTO-2024-03-14-10-02-11.jpg", b"\0\5\26\7")
    return path
