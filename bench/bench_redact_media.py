"""Benchmark: what a redacted bundle's media cost (issue 11 item 2), per file, in CPU time.

    .venv/bin/python bench/bench_redact_media.py [PHOTOS]

Generates PHOTOS (default 40) 12-megapixel JPEG photos (4032 x 3024, quality 90, EXIF with
artist, GPS and owner, XMP, a comment) and 20 phone screenshots (1080 x 2340 PNG), then
times :func:`reviewer.bundle.media_clean.clean_file` on each photo (metadata removed
losslessly), :func:`reviewer.bundle.media_black_out.black_out` on each screenshot (3 OCR
lines filled, saved as PNG), and for comparison Pillow re-encoding a photo without its
metadata (what a lossy rewrite would cost, besides changing every pixel).
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from reviewer.bundle.media_black_out import black_out
from reviewer.bundle.media_clean import clean_file


def _photo(seed: int) -> bytes:
    image = Image.effect_mandelbrot((4032, 3024), (-2.0 + seed / 100, -1.2, 1.0, 1.2), 60)
    noise = Image.effect_noise((4032, 3024), 40)
    picture = Image.merge("RGB", (image, noise, image.point(lambda v: 255 - v)))
    exif = Image.Exif()
    exif[0x013B] = "Kim Reyes"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90, exif=exif, xmp=b"<x:xmpmeta/>" * 200, comment=b"c")
    return buffer.getvalue()


def _screen() -> bytes:
    image = Image.new("RGB", (1080, 2340), "white")
    draw = ImageDraw.Draw(image)
    for y in range(0, 2340, 90):
        draw.rectangle((40, y + 10, 1000, y + 70), fill=(220, 240, 220))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _cpu() -> float:
    return time.process_time()


def main() -> None:
    photos = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    work = Path(tempfile.mkdtemp(prefix="bench-redact-"))
    try:
        sources = []
        for n in range(photos):
            path = work / f"p{n}.jpg"
            path.write_bytes(_photo(n % 5))
            sources.append(path)
        screens = []
        for n in range(20):
            path = work / f"s{n}.png"
            path.write_bytes(_screen())
            screens.append(path)
        sizes = [p.stat().st_size for p in sources]
        clean_cpu = []
        for path in sources:
            started = _cpu()
            clean_file(path, path.with_suffix(".clean.jpg"))
            clean_cpu.append(_cpu() - started)
        areas = [((40, 100), (1000, 100), (1000, 160), (40, 160))] * 3
        black_cpu = []
        for path in screens:
            started = _cpu()
            black_out(path, path.with_suffix(".black.png"), areas)
            black_cpu.append(_cpu() - started)
        reencode_cpu = []
        for path in sources[:5]:
            started = _cpu()
            with Image.open(path) as image:
                image.save(path.with_suffix(".re.jpg"), "JPEG", quality=90)
            reencode_cpu.append(_cpu() - started)
        load = os.getloadavg()[0]
        print(
            f"load average {load:.1f}; {photos} photos, mean {statistics.mean(sizes) / 1e6:.2f} MB"
        )
        clean_ms = statistics.median(clean_cpu) * 1000
        per_mb = sum(clean_cpu) * 1000 / (sum(sizes) / 1e6)
        print(f"clean_file (lossless JPEG): median {clean_ms:.1f} ms CPU, {per_mb:.1f} ms per MB")
        black_ms = statistics.median(black_cpu) * 1000
        print(f"black_out (1080x2340 PNG, 3 areas): median {black_ms:.0f} ms CPU")
        again_ms = statistics.median(reencode_cpu) * 1000
        print(f"for comparison, Pillow re-encoding a photo: median {again_ms:.0f} ms CPU")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
