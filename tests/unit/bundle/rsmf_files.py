"""Reading an .rsmf file back in the RSMF tests: its EML message, zip and manifest."""

from __future__ import annotations

import io
import json
import zipfile
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from reviewer.bundle import rsmf


def zip_part(path: Path) -> tuple[EmailMessage, EmailMessage, bytes]:
    """The message, its one attachment (the zip) and the zip's bytes."""
    eml = message_from_bytes(path.read_bytes(), policy=default)
    assert isinstance(eml, EmailMessage)
    (part,) = list(eml.iter_attachments())
    assert isinstance(part, EmailMessage)
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return eml, part, data


def member_names(path: Path) -> list[str]:
    """The zip's member names, in order, the manifest's included."""
    return zipfile.ZipFile(io.BytesIO(zip_part(path)[2])).namelist()


def unpack(path: Path) -> tuple[EmailMessage, dict[str, Any], dict[str, bytes]]:
    """The message, the manifest, and every other member's bytes by name."""
    eml, _, data = zip_part(path)
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {n: archive.read(n) for n in archive.namelist()}
    return eml, json.loads(files.pop(rsmf.MANIFEST)), files
