"""Benchmark: near-duplicate hashing, in seconds per image, for 1080 px memes and photos.

Usage: python bench/bench_analyse.py [--images N] [--workers N] [--seed S]

Draws ``--images`` pictures (half memes with captions, half text-free photos, 1080 px wide,
JPEG; every tenth one a re-encoded, resized or cropped copy of an earlier one), cached under
bench/out/analyse-N/, imports them as one WhatsApp export through the real importer, then
times:

1. ``image_hashes`` on each decoded picture in this process (one core): decode + hash;
2. ``reviewer analyse --similar`` (the service, worker processes, one commit per file,
   grouping at the end) over the whole case, wall clock and per image;
3. the same command again, which skips every file (resume cost).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import media_fixtures as mf  # noqa: E402
from reviewer.review.media.hashes import image_hashes  # noqa: E402
from reviewer.services.actor import Actor  # noqa: E402
from reviewer.services.case import create_case  # noqa: E402
from reviewer.services.importing import ImportOptions, import_export  # noqa: E402
from reviewer.services.media_analysis import AnalyseOptions, analyse  # noqa: E402

OUT = ROOT / "bench" / "out"
ACTOR = Actor(name="Bench", workstation="bench")


def pictures(count: int, seed: int) -> Path:
    """The export (a zip with ``count`` JPEGs), drawn once and cached."""
    folder = OUT / f"analyse-{count}-{seed}"
    export = folder / "WhatsApp Chat - Bench.zip"
    if export.exists():
        return export
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[14/03/2024, 09:58:00] Sam Reid: Morning all\r\n"]
    originals: list[Image.Image] = []
    with zipfile.ZipFile(export, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            if index % 10 == 9 and originals:
                source = originals[(index * 7) % len(originals)]
                copy = (mf.reencoded, mf.resized, mf.cropped)[index % 3]
                data = copy(source)
            else:
                if index % 2:
                    image = mf.meme(seed * 100_000 + index, (1080, 1080))
                else:
                    image = mf.photo(seed * 100_000 + index, (1080, 810))
                if len(originals) < 50:
                    originals.append(image)
                data = mf.jpeg(image, 85)
            name = f"{index:08d}-PHOTO-2024-03-14-10-00-00.jpg"
            archive.writestr(name, data)
            lines.append(
                f"[14/03/2024, {10 + index // 3600:02d}:{index // 60 % 60:02d}:{index % 60:02d}]"
                f" Alex Turner: \u200e<attached: {name}>\r\n"
            )
        archive.writestr("_chat.txt", "".join(lines).encode())
    return export


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    export = pictures(args.images, args.seed)
    print(f"export: {export} ({time.perf_counter() - started:.1f} s to draw or find)")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    with zipfile.ZipFile(export) as archive:
        names = [n for n in archive.namelist() if n.endswith(".jpg")][:200]
        blobs = [archive.read(n) for n in names]
    times = []
    cpu = time.process_time()
    for blob in blobs:
        t = time.perf_counter()
        with Image.open(io.BytesIO(blob)) as image:
            image_hashes(image)
        times.append(time.perf_counter() - t)
    cpu = time.process_time() - cpu
    print(
        f"in-process, one core, {len(blobs)} images: median {statistics.median(times):.3f} s, "
        f"p90 {sorted(times)[int(len(times) * 0.9)]:.3f} s, CPU {cpu / len(blobs):.3f} s/image"
    )

    work = Path(tempfile.mkdtemp(prefix="bench-analyse-"))
    try:
        with create_case(work / "case", reference="BENCH", actor=ACTOR) as case:
            import_export(case, export, ACTOR, ImportOptions(exhibit="B/1"))
            options = AnalyseOptions(kinds=("similar",), workers=args.workers)
            t, before = time.perf_counter(), os.times()
            report = analyse(case, ACTOR, options)
            wall, after = time.perf_counter() - t, os.times()
            done = max(report.analysed["similar"], 1)
            own = after.user + after.system - before.user - before.system
            workers = (
                after.children_user
                + after.children_system
                - before.children_user
                - before.children_system
            )
            print(
                f"reviewer analyse --similar, {args.workers} workers: {done} images in "
                f"{wall:.1f} s = {wall / done:.3f} s/image wall; CPU {workers / done:.3f} s/image "
                f"in the workers, {own / done:.4f} s/image in the main process (storing); "
                f"{report.groups} near-duplicate groups"
            )
            t = time.perf_counter()
            again = analyse(case, ACTOR, options)
            print(
                f"re-run: {sum(again.analysed.values())} analysed, "
                f"{sum(again.skipped.values())} skipped in {time.perf_counter() - t:.2f} s"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
