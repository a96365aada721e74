"""Benchmark: import iOS exports with photos, where storing the evidence files dominates.

Usage: python bench/bench_import_media.py [--runs N] [--large-runs M] [--skip-large]

Two exports, built once and cached under bench/out/ (git-ignored):

* ``small``: 10,000 messages (../shared/tools/gen_whatsapp.py, every 10th an attachment)
  with 1,000 distinct 64×64 JPEGs, one for each attachment the chat names. About a fifth
  of those names end in .png/.opus/.mp4, so they also exercise the name-disagreement flag.
* ``large``: 10,000 messages, every 50th an attachment: 200 distinct 3000×2000 JPEGs of
  about 1.5 MB (a ~300 MB zip; each run's case, ~600 MB, is deleted after the run).

Each run imports into a fresh case (in the system's temporary folder, as bench_import.py)
in a child process, which counts the ``os.fsync`` calls (and ``F_FULLFSYNC`` ones on macOS)
made during ``import_export`` and its CPU time (user + system, its threads included).
Medians are reported: the machine is shared and single runs vary.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_whatsapp.py"
ATTACHED = re.compile(r"<attached: ([^>]+)>")

IMPORT_CHILD = """
import fcntl, json, os, resource, sys, time
from pathlib import Path
from reviewer.services.actor import Actor
from reviewer.services.case import create_case
from reviewer.services.importing import ImportOptions, import_export
calls = {"fsync": 0, "fullfsync": 0}
real_fsync, real_fcntl = os.fsync, fcntl.fcntl
def counting_fsync(fd):
    calls["fsync"] += 1
    return real_fsync(fd)
def counting_fcntl(fd, cmd, *args):
    if cmd == getattr(fcntl, "F_FULLFSYNC", None):
        calls["fullfsync"] += 1
    return real_fcntl(fd, cmd, *args)
os.fsync, fcntl.fcntl = counting_fsync, counting_fcntl
actor = Actor("bench", "bench")
case = create_case(Path(sys.argv[1]), reference="BENCH", actor=actor)
calls["fsync"] = calls["fullfsync"] = 0
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start, cpu_start = time.perf_counter(), cpu()
result = import_export(case, Path(sys.argv[2]), actor, ImportOptions(exhibit="B/1"))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "cpu": cpu() - cpu_start, "messages": result.messages,
                  "present": result.attachments_present, **calls}))
"""


def build(name: str, messages: int, every: int, photo: object) -> Path:
    """The export zip: the generator's chat, and one distinct JPEG per attachment name."""
    target = OUT / f"media-{name}" / "WhatsApp Chat - Bench.zip"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    chat = target.parent / "_chat.txt"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--messages", str(messages), "--style", "ios",
         "--seed", "5", "--media-every", str(every), "--out", str(chat), "--quiet"],
        check=True,
    )  # fmt: skip
    names = ATTACHED.findall(chat.read_text(encoding="utf-8"))
    partial = target.with_suffix(".part")
    with zipfile.ZipFile(partial, "w") as archive:
        archive.write(chat, "_chat.txt", compress_type=zipfile.ZIP_DEFLATED)
        for index, member in enumerate(names):
            archive.writestr(member, photo(index), compress_type=zipfile.ZIP_STORED)  # type: ignore[operator]
    partial.replace(target)
    return target


def small_photo(index: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 64), ((index * 67) % 256, (index * 151) % 256, 90))
    ImageDraw.Draw(image).text((4, 24), str(index), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


class LargePhotos:
    """3000×2000 JPEGs of about 1.5 MB: shared noise (so they compress like photos do
    rather than like flat colour), and a distinct mark on each."""

    def __init__(self) -> None:
        from PIL import Image

        noise = Image.effect_noise((1500, 1000), 60).resize((3000, 2000), Image.BILINEAR)
        ramp = Image.linear_gradient("L").resize((3000, 2000))
        self.base = Image.merge("RGB", (noise, ramp, noise.transpose(Image.FLIP_LEFT_RIGHT)))

    def __call__(self, index: int) -> bytes:
        from PIL import ImageDraw

        image = self.base.copy()
        x, y = (index * 97) % 2500, (index * 53) % 1600
        ImageDraw.Draw(image).rectangle([x, y, x + 400, y + 300], fill=(index % 256, 40, 200))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=75)
        return buffer.getvalue()


def run_child(export: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-media-") as scratch:
        completed = subprocess.run(
            [sys.executable, "-c", IMPORT_CHILD, str(Path(scratch) / "case"), str(export)],
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        raise SystemExit(f"child failed:\n{completed.stderr}")
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def measure(label: str, export: Path, runs: int) -> None:
    size_mb = export.stat().st_size / 1e6
    results = [run_child(export) for _ in range(runs)]
    first = results[0]
    each = [r["seconds"] for r in results]
    print(
        f"{label}: {export.name} ({size_mb:.0f} MB), {int(first['messages']):,} messages, "
        f"{int(first['present']):,} attachments present: "
        f"{median(each):.2f} s median of {runs} "
        f"(runs: {', '.join(f'{seconds:.2f}' for seconds in each)}), "
        f"CPU {median(r['cpu'] for r in results):.2f} s median; "
        f"fsync calls {int(first['fsync'])}, F_FULLFSYNC calls {int(first['fullfsync'])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of the small-photo export")
    parser.add_argument("--large-runs", type=int, default=3, help="runs of the large one")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    measure("1,000 small photos", build("small", 10_000, 10, small_photo), args.runs)
    if not args.skip_large:
        export = build("large", 10_000, 50, LargePhotos())
        measure("200 photos of ~1.5 MB", export, args.large_runs)


if __name__ == "__main__":
    main()
