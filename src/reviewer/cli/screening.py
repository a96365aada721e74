"""``reviewer screen``, ``suggestions``, ``confirm`` and ``dismiss``.

The parser registers these commands for every run, so the services are imported inside
the handlers, only when one of them runs."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from reviewer.cli.progress import StderrProgress


def register(sub: Any) -> None:
    screen = sub.add_parser("screen", help="screen messages against a lexicon (suggestions only)")
    screen.add_argument("case", metavar="CASE")
    screen.add_argument(
        "--lexicon", metavar="FILE", help="a TOML or CSV lexicon (default: the starter lexicon)"
    )
    screen.set_defaults(handler=screen_)

    listing = sub.add_parser("suggestions", help="list lexicon suggestions")
    listing.add_argument("case", metavar="CASE")
    listing.add_argument("--all", action="store_true", help="include confirmed and dismissed")
    listing.add_argument("--jsonl", action="store_true")
    listing.set_defaults(handler=suggestions)

    confirm = sub.add_parser("confirm", help="confirm a suggestion: tag its message")
    confirm.add_argument("case", metavar="CASE")
    confirm.add_argument("suggestion", metavar="SUGGESTION_ID", type=int)
    confirm.add_argument("--note")
    confirm.set_defaults(handler=confirm_)

    dismiss = sub.add_parser("dismiss", help="dismiss a suggestion")
    dismiss.add_argument("case", metavar="CASE")
    dismiss.add_argument("suggestion", metavar="SUGGESTION_ID", type=int)
    dismiss.add_argument("--reason")
    dismiss.set_defaults(handler=dismiss_)


def screen_(args: argparse.Namespace) -> int:
    from reviewer.services import screening
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    progress = StderrProgress()
    lexicon = Path(args.lexicon) if args.lexicon else None
    with open_case(Path(args.case)) as case:
        try:
            result = screening.screen(case, actor, lexicon, progress=progress)
        finally:
            progress.finish()
    print(
        f"screened {result.messages:,} messages with {result.lexicon}: {result.hits:,} hits, "
        f"{result.new_suggestions:,} new suggestions ({result.seconds:.1f} s); "
        "confirm or dismiss each (reviewer suggestions CASE)"
    )
    return 0


def suggestions(args: argparse.Namespace) -> int:
    from reviewer.services import screening
    from reviewer.services.case import open_case
    from reviewer.services.screening import SOURCE_REASON

    status = None if args.all else "open"
    with open_case(Path(args.case)) as case:
        after = 0
        while page := screening.suggestions(case, status=status, after=after):
            for item in page:
                if args.jsonl:
                    record = dataclasses.asdict(item)
                    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                else:
                    print(
                        f"{item.id:>6}  message {item.message_id:<8} {item.category:<28} "
                        f"{item.term!r}  [{item.status}]"
                        + ("" if item.source == "text" else f"  ({SOURCE_REASON[item.source]})")
                    )
            after = page[-1].id
    return 0


def confirm_(args: argparse.Namespace) -> int:
    from reviewer.services import screening
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        changes = screening.confirm(case, actor, args.suggestion, note=args.note)
    print(f"confirmed: message {changes.message_ids[0]} tagged (audit entry {changes.audit_seq})")
    return 0


def dismiss_(args: argparse.Namespace) -> int:
    from reviewer.services import screening
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        changes = screening.dismiss(case, actor, args.suggestion, reason=args.reason)
    print(f"dismissed (audit entry {changes.audit_seq})")
    return 0
