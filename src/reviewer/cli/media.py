"""``reviewer analyse CASE`` and ``reviewer media CASE`` (DESIGN.md §10).

``register(sub)`` adds both to the main parser's subparsers; services (and the imaging and
video libraries) are imported only when one of them runs.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

UNAVAILABLE = {
    "ocr": "OCR (--ocr) is not available in this build; skipped",
    "sexual": "sexual-content scoring (--nudity) is not available in this build; skipped",
    "similar": "near-duplicate hashing (--similar) is not available in this build; skipped",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``analyse`` and ``media``."""
    analyse = sub.add_parser(
        "analyse", help="analyse images, video and voice notes (resumable; machine suggestions)"
    )
    analyse.add_argument("case", metavar="CASE")
    analyse.add_argument("--ocr", action="store_true", help="read the text in images")
    analyse.add_argument("--nudity", action="store_true", help="score sexual content")
    analyse.add_argument(
        "--threshold",
        type=float,
        metavar="X",
        help="store the case's sexual-content threshold (0-1, default 0.75): a score at or "
        "above it suggests category sexual for the messages carrying the picture",
    )
    analyse.add_argument("--similar", action="store_true", help="group near-duplicate pictures")
    analyse.add_argument(
        "--redo", action="store_true", help="analyse again files an engine has already done"
    )
    analyse.add_argument("--workers", type=int, metavar="N", help="worker processes (default 2)")
    analyse.set_defaults(handler=analyse_command)

    media = sub.add_parser("media", help="one record per attachment with its analysis")
    media.add_argument("case", metavar="CASE")
    media.add_argument("--jsonl", action="store_true", help="one JSON record per attachment")
    media.add_argument("--group", type=int, metavar="N", help="only near-duplicate group N")
    media.add_argument(
        "--tag",
        metavar="CATEGORY",
        help="with --group: tag every message of the group (one audit entry per message)",
    )
    media.set_defaults(handler=media_command)


def analyse_command(args: argparse.Namespace) -> int:
    from reviewer.cli.progress import StderrProgress
    from reviewer.core.progress import CancelToken
    from reviewer.review.media.analysers import Kind
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case
    from reviewer.services.media_analysis import AnalyseOptions, analyse
    from reviewer.services.sexual_suggestions import set_threshold

    kinds: list[Kind] = []
    if args.ocr:
        kinds.append("ocr")
    if args.nudity:
        kinds.append("sexual")
    if args.similar:
        kinds.append("similar")
    actor = resolve_actor(args.reviewer)
    cancel = CancelToken()
    progress = StderrProgress()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    try:
        with open_case(Path(args.case)) as case:
            if args.threshold is not None:
                set_threshold(case, actor, args.threshold)
            report = analyse(
                case,
                actor,
                AnalyseOptions(tuple(kinds), redo=args.redo, workers=args.workers),
                progress=progress,
                cancel=cancel,
            )
    finally:
        signal.signal(signal.SIGINT, previous)
        progress.finish()
    for kind in report.unavailable:
        print(f"warning: {UNAVAILABLE[kind]}", file=sys.stderr)
    line = f"analysis run {report.run_id}: {report.summary()}"
    if report.suggested:
        line += " (reviewer suggestions CASE)"
    print(line)
    if report.cancelled:
        done = sum(report.analysed.values()) + sum(report.failed.values())
        print(
            f"reviewer: cancelled after {done} of {report.todo}; "
            "results so far are kept: run again to resume",
            file=sys.stderr,
        )
        return 130
    return 0


def media_command(args: argparse.Namespace) -> int:
    from reviewer.core.errors import InputError
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case
    from reviewer.services.media import media_records, tag_group

    if args.tag and args.group is None:
        raise InputError("--tag needs --group N (a near-duplicate group from reviewer media)")
    with open_case(Path(args.case)) as case:
        if args.tag:
            changes = tag_group(case, resolve_actor(args.reviewer), args.group, args.tag)
            count = len(changes.message_ids)
            print(
                f"tagged {args.tag}: {count} message{'s' if count != 1 else ''} "
                f"of group {args.group}"
                if count
                else "already tagged; nothing changed"
            )
            return 0
        for record in media_records(case, group=args.group):
            if args.jsonl:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                print(_row(record))
    return 0


def _row(record: dict[str, Any]) -> str:
    group = record["similar_group"]
    duration = record["duration"]
    ocr = record["ocr"]
    sexual = record["sexual"]
    cells = [
        record["sha256"][:12],
        f"{record['mime'] or '?':24}",
        f"group {group:<4}" if group is not None else " " * 10,
        f"{duration:7.1f} s" if duration is not None else " " * 9,
        f"sexual {sexual['score']:.2f}" if sexual else "",
        "messages " + ",".join(str(i) for i in record["messages"]),
    ]
    if ocr and ocr["text"]:
        cells.append("text: " + ocr["text"].replace("\n", " ⏎ ")[:60])
    return "  ".join(cell for cell in cells if cell)
