"""Benchmark: lexicon screening speed, in microseconds per message.

Usage: python bench/bench_lexicon.py [--messages N] [--terms N] [--seed S]

Message texts come from ../shared/tools/gen_whatsapp.py (an Android export, cached under
bench/out/), one message per header line, with about 1% of them carrying a lexicon term in an
evasive spelling. The lexicon is the shipped starter lexicon padded with generated filler terms
(single words and two-word phrases) to ``--terms`` entries. Target: screening 1,000,000 messages
with a 500-term lexicon within 30 s including the service's database work, so ``match`` should
average well under 15 µs per message.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from reviewer.review.lexicon import Entry, Lexicon, fold, starter_lexicon

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_whatsapp.py"
ANDROID_LINE = re.compile(r"^\d\d/\d\d/\d{4}, \d\d:\d\d - [^:]+: (.*)$")
SYLLABLES = ("ka", "ro", "mi", "zu", "te", "la", "vo", "ni", "pe", "da", "gu", "sho", "ren")
CATEGORIES = ("derogatory", "sexual", "violent", "confidential", "bullying", "other")
EVASIONS = (
    lambda w: w.upper(),
    lambda w: "\u200b".join(w),
    lambda w: ".".join(w),
    lambda w: w.replace("i", "1").replace("e", "3").replace("a", "@"),
    lambda w: w[0] + w[1] * 4 + w[2:] if len(w) > 2 else w,
    lambda w: w,
)


def export_texts(messages: int, seed: int) -> list[str]:
    """Message bodies from a generated Android export (generated once, then cached)."""
    path = OUT / f"android-{messages}-{seed}.txt"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, str(GENERATOR), "--messages", str(messages), "--style", "android",
             "--seed", str(seed), "--out", str(path), "--quiet"],
            check=True,
        )  # fmt: skip
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            match = ANDROID_LINE.match(line.rstrip("\n"))
            if match:
                texts.append(match.group(1))
    return texts[:messages]


def filler_entries(count: int, rng: random.Random) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[str] = set()
    while len(entries) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        if rng.random() < 0.3:
            word += " " + "".join(rng.choice(SYLLABLES) for _ in range(2))
        if word in seen:
            continue
        seen.add(word)
        entries.append(Entry(rng.choice(CATEGORIES), term=word, note="filler"))
    return entries


def seed_hits(texts: list[str], terms: list[str], rng: random.Random) -> None:
    """Put an evasively spelt term into about 1% of the messages."""
    for i in range(0, len(texts), 100):
        word = rng.choice(terms)
        texts[i] = f"{texts[i]} {rng.choice(EVASIONS)(word)} lol"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--terms", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    starter = starter_lexicon()
    entries = list(starter.entries)
    entries += filler_entries(max(0, args.terms - len(entries)), rng)
    started = time.perf_counter()
    lexicon = Lexicon(entries)
    compile_ms = (time.perf_counter() - started) * 1000

    texts = export_texts(args.messages, args.seed)
    seed_hits(texts, [e.term for e in starter.entries if e.term and " " not in e.term], rng)
    non_ascii = sum(not t.isascii() for t in texts)
    size = sum(len(t) for t in texts) / len(texts)

    started = time.perf_counter()
    for text in texts:
        fold(text)
    fold_seconds = time.perf_counter() - started

    started = time.perf_counter()
    cpu_started = time.process_time()
    hits = 0
    matched = 0
    for text in texts:
        found = lexicon.match(text)
        hits += len(found)
        matched += bool(found)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started

    per_message = seconds / len(texts) * 1e6
    print(f"lexicon: {len(lexicon)} entries, compiled in {compile_ms:.0f} ms")
    print(
        f"messages: {len(texts):,} (mean {size:.0f} chars, {non_ascii / len(texts):.0%} non-ASCII)"
    )
    print(f"fold only: {fold_seconds / len(texts) * 1e6:.2f} µs/message")
    print(f"match: {per_message:.2f} µs/message, {seconds:.2f} s total (wall)")
    # On a shared machine the CPU time is the steadier figure.
    print(f"match: {cpu_seconds / len(texts) * 1e6:.2f} µs/message of CPU time")
    print(f"hits: {hits:,} in {matched:,} messages")
    print(f"projected for 1,000,000 messages: {per_message:.1f} s")


if __name__ == "__main__":
    main()
