"""Shared fixtures: a reviewer identity, fresh cases and small exports written on the fly."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import jpeg_bytes
from reviewer.services.actor import Actor
from reviewer.services.case import Case, create_case

ACTOR = Actor(name="Test Reviewer", workstation="test-host")

IOS_CHAT = (
    "[14/03/2024, 09:58:01] Shift B: \u200eMessages and calls are end-to-end encrypted. "
    "No one outside of this chat, not even WhatsApp, can read or listen to them.\r\n"
    "[14/03/2024, 09:58:02] Shift B: \u200eSam Reid created group \u201cShift B\u201d\r\n"
    "[14/03/2024, 10:00:00] Sam Reid: Morning all\r\n"
    "[14/03/2024, 10:01:30] Alex Turner: first line\nsecond line\n[01:40] not a header\r\n"
    "\u200e[14/03/2024, 10:02:11] Alex Turner: Photo of the car \u200e<attached: "
    "00000015-PHOTO-2024-03-14-10-02-11.jpg>\r\n"
    "[14/03/2024, 10:03:00] Jo Park: ok then \u200e<This message was edited>\r\n"
    "\u200e[14/03/2024, 10:04:00] Jo Park: \u200e<attached: "
    "00000016-PHOTO-2024-03-14-10-04-00.jpg>\r\n"
    "[15/03/2024, 22:15:00] Sam Reid: \u200eThis message was deleted.\r\n"
)


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
