"""Benchmark: OCR and sexual-content scoring per image (DESIGN.md §7: OCR ≤ 0.5 s median per
1080-px meme or screenshot on 2 cores; sexual-content score ≤ 0.15 s per image).

Usage: python bench/bench_ocr.py [--count N] [--threads T] [--faces DIR]

Draws N memes (1080 × 1080), N chat screenshots (1080 × 2000) and N text-free photos (1080 ×
810) with ``tests/ocr_fixtures.py``, then reads each with the engines of
``reviewer.review.media.ocr`` and ``.sexual`` (models loaded once, one warm-up image first) and
prints, per kind: word recall (share of drawn words read), words invented on text-free photos,
and the median / slowest CPU time (``time.process_time``: steadier than wall time on a shared
machine) and wall time per image. ``--threads`` sets ONNX Runtime's threads (1: as in each of
the two worker processes of ``reviewer analyse``; 2: one process using both cores). ``--faces``
scores the PNG/JPEG pictures of a folder too, printing what the detector found in each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from ocr_fixtures import meme, photo, screenshot, word_recall, words_of
from reviewer.review.media import ocr, sexual


def _timed(function, *args):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args)
    return value, time.process_time() - cpu, time.perf_counter() - wall


def _line(name: str, cpu: list[float], wall: list[float], extra: str) -> None:
    print(
        f"{name:<22} {extra:<28} CPU median {statistics.median(cpu):.3f} s "
        f"(max {max(cpu):.3f}), wall median {statistics.median(wall):.3f} s (max {max(wall):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--threads", type=int, choices=(1, 2), default=1)
    parser.add_argument("--faces", type=Path)
    args = parser.parse_args()
    # Both engines ask onnx_engine.inference_threads() (by the name they imported) when made.
    ocr.inference_threads = lambda: args.threads
    sexual.inference_threads = lambda: args.threads
    print(f"load average {os.getloadavg()}, ONNX Runtime threads {args.threads}")
    print(f"OCR {ocr.ENGINE} {ocr.engine_version()} {ocr.MODEL}; detector {sexual.MODEL}")
    warm = meme(999)[0]
    ocr.read_picture(warm)
    sexual.picture_score(warm)
    cases = {
        "meme 1080x1080": [meme(seed) for seed in range(args.count)],
        "screenshot 1080x2000": [screenshot(seed) for seed in range(args.count)],
    }
    nude_cpu: list[float] = []
    nude_wall: list[float] = []
    for name, items in cases.items():
        cpu, wall, recall = [], [], []
        for image, words in items:
            lines, c, w = _timed(ocr.read_picture, image)
            cpu.append(c)
            wall.append(w)
            recall.append(word_recall(words, " ".join(line.text for line in lines)))
            _, c, w = _timed(sexual.picture_score, image)
            nude_cpu.append(c)
            nude_wall.append(w)
        worst = min(recall)
        _line(name, cpu, wall, f"recall {statistics.mean(recall):.3f} (min {worst:.2f})")
    cpu, wall, invented = [], [], []
    for seed in range(args.count):
        picture = photo(seed)
        lines, c, w = _timed(ocr.read_picture, picture)
        cpu.append(c)
        wall.append(w)
        invented.extend(words_of(" ".join(line.text for line in lines)))
        _, c, w = _timed(sexual.picture_score, picture)
        nude_cpu.append(c)
        nude_wall.append(w)
    _line("photo 1080x810", cpu, wall, f"invented words {len(invented)} {invented[:5]}")
    scores = []
    if args.faces:
        for path in sorted(args.faces.iterdir()):
            if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                continue
            with Image.open(path) as image:
                image.load()
                (score, found), c, w = _timed(sexual.picture_score, image)
            nude_cpu.append(c)
            nude_wall.append(w)
            scores.append(score)
            print(f"  {path.name}: score {score} {[(d['class'], d['score']) for d in found]}")
    _line("sexual-content score", nude_cpu, nude_wall, f"all images ({len(nude_cpu)})")


if __name__ == "__main__":
    main()
