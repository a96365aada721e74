"""Build a case from the demo export shipped with the package.

The export is a fictional police night-shift group written by `resources/demo/make_demo.py`
(about 3,000 messages, photos, a video, system events and ten messages marked "[DEMO EXAMPLE]"
that the starter lexicon flags).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from reviewer.services.actor import Actor
from reviewer.services.case import Case, create_case
from reviewer.services.importing import ImportOptions, import_export

DEMO_EXPORT = "WhatsApp Chat - Night Shift.zip"
DEMO_CUSTODIAN = "Tom Whitfield"  # the officer whose phone the export came from


def data_dir() -> Path:
    """The per-user data folder (XDG on Linux, AppData on Windows, Library on macOS)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "reviewer"


def build_demo_case(actor: Actor, target: Path | None = None) -> Case:
    """A fresh case holding the demo export as exhibit DEMO/1."""
    if target is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = data_dir() / "cases" / f"demo-{stamp}"
    case = create_case(target, reference="DEMO-0001", actor=actor, title="Demonstration case")
    with resources.as_file(resources.files("reviewer.resources") / "demo" / DEMO_EXPORT) as path:
        import_export(case, path, actor, ImportOptions(exhibit="DEMO/1", custodian=DEMO_CUSTODIAN))
    return case
