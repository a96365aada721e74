"""The command line starts fast (DESIGN.md §7): each command imports only what it uses.

Each command runs in a fresh interpreter, which then lists the modules it loaded. No timings
here (bench/bench_cli_start.py measures them): a heavy library creeping back into a light
command's imports is what makes it slow, and that is what these tests catch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer import versions
from reviewer.cli.main import main

PROBE = """
import contextlib, io, json, sys
from reviewer.__main__ import main
sys.argv = ["reviewer", *sys.argv[1:]]
with contextlib.redirect_stdout(io.StringIO()):
    code = main()
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

# Never wanted by --version or a light command: the GUI toolkit, the migrations machinery, the
# bundle's libraries (report engines, templates, images, BagIt, schemas, fonts, emoji data),
# the importers, the reconciliation engine and media analysis (NumPy, OpenCV, ONNX, OCR, FFmpeg).
HEAVY = (
    "PySide6",
    "shiboken6",
    "alembic",
    "mako",
    "jinja2",
    "PIL",
    "reportlab",
    "typst",
    "bagit",
    "jsonschema",
    "fontTools",
    "emoji",
    "rapidfuzz",
    "numpy",
    "cv2",
    "onnxruntime",
    "rapidocr",
    "nudenet",
    "av",
    "reviewer.gui",
    "reviewer.bundle",
    "reviewer.importers",
    "reviewer.core.emoji",
    "reviewer.core.fonts",
    "reviewer.services.importing",
    "reviewer.services.exporting",
    "reviewer.services.search",
)
# tag and progress work over the case's plain sqlite3 connection: no SQLAlchemy (its import
# alone is about 0.2 s, most of their 0.3 s budget) and no ORM models.
NOT_FOR_TAG_OR_PROGRESS = (*HEAVY, "sqlalchemy", "reviewer.store.models", "reviewer.cli.commands")
# --version reads versions without loading these either.
NOT_FOR_VERSION = (
    *HEAVY,
    "sqlalchemy",
    "importlib.metadata",
    "multiprocessing",
    "reviewer.cli.commands",
)


def loaded(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "REVIEWER_NAME": "Import Probe"},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, done.stderr
    return set(result["modules"])


def offenders(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


@pytest.fixture(scope="module")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("start")
    chat = root / "_chat.txt"
    chat.write_text(
        "[14/09/2023, 10:22:33] Ann Lee: the van is outside\r\n"
        "[14/09/2023, 10:23:01] Bob Kay: on my way 🚓\r\n",
        encoding="utf-8",
    )
    case = root / "case"
    assert main(["--reviewer", "T", "case", "new", str(case), "--reference", "OP-1"]) == 0
    assert main(["--reviewer", "T", "import", str(case), str(chat)]) == 0
    return case


def test_version_loads_no_library_it_only_names() -> None:
    modules = loaded("--version")
    assert offenders(modules, NOT_FOR_VERSION) == []
    if sys.platform.startswith("linux"):  # elsewhere python-magic finds libmagic
        assert "magic" not in modules


@pytest.mark.parametrize(
    "argv",
    [("progress",), ("tag", "1", "discriminatory.race"), ("untag", "1", "discriminatory.race")],
    ids=["progress", "tag", "untag"],
)
def test_light_command_loads_no_heavy_library(small_case: Path, argv: tuple[str, ...]) -> None:
    command, *rest = argv
    assert offenders(loaded(command, str(small_case), *rest), HEAVY) == []


def test_tag_and_progress_load_no_sqlalchemy(small_case: Path) -> None:
    """A tag that writes (with a note), one that finds the tag already there, a range, and
    progress: each in a fresh interpreter, none loading SQLAlchemy or the ORM models."""
    for argv in (
        ("tag", "1", "violent", "--note", "first"),
        ("tag", "1", "violent"),
        ("tag", "1-2", "discriminatory.race"),
        ("progress",),
    ):
        command, *rest = argv
        found = offenders(loaded(command, str(small_case), *rest), NOT_FOR_TAG_OR_PROGRESS)
        assert found == [], argv


def test_cheap_version_readers_agree_with_the_libraries() -> None:
    """--version reads versions without loading the libraries; the answers must be theirs."""
    from importlib import metadata

    from PySide6.QtCore import qVersion

    for name in ("reviewer", "PySide6", "SQLAlchemy", "alembic", "pillow", "python-magic"):
        assert versions.installed_version(name) == metadata.version(name), name
    assert versions._bundled_qt_version() in (None, qVersion())
    assert versions._version("Qt") == qVersion()
    if sys.platform.startswith("linux"):
        import magic

        assert versions._libmagic_by_soname() == magic.version()
    with pytest.raises(ImportError):
        versions.installed_version("no-such-distribution-here")
