"""Benchmark: the chat view on a 1,000,000-message case (offscreen Qt).

Usage: python bench/bench_gui.py [--messages N] [--jumps 20] [--seed 1]

Builds (once, cached under bench/out/) the iOS export with ../shared/tools/gen_whatsapp.py and
a case importing it, then measures in a fresh child process: time from opening the case to
the chat view's first paint, jump to a random message (jump_to plus a synchronous repaint,
median of N), scrolling frames, and the process's RSS after opening and scrolling.
Targets (DESIGN.md §7): first paint ≤ 150 ms, jump ≤ 30 ms, RSS ≤ 250 MB.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_whatsapp.py"

TARGETS = {"first_paint_ms": 150.0, "jump_median_ms": 30.0, "rss_mb": 250.0}

BUILD_CHILD = """
import shutil, sys
from pathlib import Path
from reviewer.services.actor import Actor
from reviewer.services.case import create_case
from reviewer.services.importing import ImportOptions, import_export
target, export = Path(sys.argv[1]), Path(sys.argv[2])
building = target.with_name(target.name + ".building")
shutil.rmtree(building, ignore_errors=True)
actor = Actor("bench", "bench")
with create_case(building, reference="BENCH-GUI", actor=actor) as case:
    import_export(case, export, actor, ImportOptions(exhibit="B/1"))
building.rename(target)
"""

MEASURE_CHILD = r"""
import json, os, random, statistics, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtWidgets import QApplication

from reviewer.gui.chat import ChatView, MessageListModel
from reviewer.services import browse
from reviewer.services.case import open_case


def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


case_dir, jumps, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
app = QApplication([])
rss_qt = rss_mb()

class TimedView(ChatView):
    first_paint = None

    def paintEvent(self, event):
        super().paintEvent(event)
        if TimedView.first_paint is None:
            TimedView.first_paint = time.perf_counter()

start = time.perf_counter()
case = open_case(case_dir)
conversation = max(browse.conversations(case), key=lambda c: c.message_count)
ids = browse.conversation_message_ids(case, conversation.id)
model = MessageListModel(case, ids)
view = TimedView()
view.set_model(model)
view.set_custodian_id(conversation.custodian_id)
view.resize(900, 1000)
view.show()
while TimedView.first_paint is None:
    app.processEvents()
first_paint_ms = (TimedView.first_paint - start) * 1000
rss_open = rss_mb()

rng = random.Random(seed)
times = []
for _ in range(jumps):
    target = ids[rng.randrange(len(ids))]
    t = time.perf_counter()
    assert view.jump_to(target)
    view.viewport().repaint()
    times.append((time.perf_counter() - t) * 1000)

frames = []
view.jump_to(ids[len(ids) // 3])
for _ in range(300):  # wheel-like scrolling through ~1,500 messages
    t = time.perf_counter()
    view.scroll_by(250)
    view.viewport().repaint()
    frames.append((time.perf_counter() - t) * 1000)
bar = view.verticalScrollBar()
for _ in range(100):  # scroll-bar drags across the whole conversation
    t = time.perf_counter()
    bar.setValue(rng.randrange(bar.maximum() + 1))
    view.viewport().repaint()
    frames.append((time.perf_counter() - t) * 1000)
t = time.perf_counter()
view.set_current_row(model.rowCount() - 1)
view.viewport().repaint()
end_ms = (time.perf_counter() - t) * 1000
app.processEvents()

print(json.dumps({
    "messages": len(ids),
    "id_list": type(ids).__name__,
    "first_paint_ms": first_paint_ms,
    "jump_median_ms": statistics.median(times),
    "jump_max_ms": max(times),
    "frame_median_ms": statistics.median(frames),
    "frame_max_ms": max(frames),
    "end_key_ms": end_ms,
    "rss_qt_mb": rss_qt,
    "rss_open_mb": rss_open,
    "rss_mb": rss_mb(),
    "page_fetches": model.fetches,
}))
"""


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def export_file(messages: int) -> Path:
    """The generated export, written once (a lock keeps concurrent runs from racing)."""
    target = OUT / f"ios-{messages}" / "_chat.txt"
    with _locked(OUT / f"ios-{messages}.lock"):
        if not target.exists():
            partial = target.with_name(f"_chat.txt.{os.getpid()}.partial")
            subprocess.run(
                [
                    sys.executable,
                    str(GENERATOR),
                    "--messages",
                    str(messages),
                    "--style",
                    "ios",
                    "--seed",
                    "1",
                    "--out",
                    str(partial),
                    "--quiet",
                ],
                check=True,
            )
            partial.rename(target)
    return target


def case_dir(messages: int) -> Path:
    """A case holding the export, imported once."""
    target = OUT / f"gui-case-{messages}"
    with _locked(OUT / f"gui-case-{messages}.lock"):
        if not (target / "case.sqlite").exists():
            shutil.rmtree(target, ignore_errors=True)
            export = export_file(messages)
            print(f"building {target.name} (one-off import)…", file=sys.stderr)
            subprocess.run(
                [sys.executable, "-c", BUILD_CHILD, str(target), str(export)], check=True
            )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--jumps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    case = case_dir(args.messages)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run(
        [sys.executable, "-c", MEASURE_CHILD, str(case), str(args.jumps), str(args.seed)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    rows = [
        ("messages in the conversation", f"{result['messages']:,}", "", ""),
        ("id list held by the model", result["id_list"], "", ""),
        ("open case → first paint", f"{result['first_paint_ms']:.1f} ms", "≤ 150 ms",
         _verdict(result["first_paint_ms"], TARGETS["first_paint_ms"])),
        (f"jump to a random message (median of {args.jumps})",
         f"{result['jump_median_ms']:.1f} ms", "≤ 30 ms",
         _verdict(result["jump_median_ms"], TARGETS["jump_median_ms"])),
        ("jump, slowest", f"{result['jump_max_ms']:.1f} ms", "", ""),
        ("scroll frame (median / max of 400)",
         f"{result['frame_median_ms']:.1f} / {result['frame_max_ms']:.1f} ms", "", ""),
        ("End key (last message)", f"{result['end_key_ms']:.1f} ms", "", ""),
        ("RSS: Qt app only / after open",
         f"{result['rss_qt_mb']:.0f} / {result['rss_open_mb']:.0f} MB", "", ""),
        ("RSS after opening and scrolling", f"{result['rss_mb']:.0f} MB", "≤ 250 MB",
         _verdict(result["rss_mb"], TARGETS["rss_mb"])),
        ("page queries run", str(result["page_fetches"]), "", ""),
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("measure", "value", "target", "")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    if any(row[3] == "FAIL" for row in rows):
        sys.exit(1)


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "FAIL"


if __name__ == "__main__":
    main()
