"""Handlers of the ``reviewer`` subcommands; each returns the exit status.

Imported only when one of them runs (``reviewer.cli.main``). What the import, demo and
search commands need is imported inside them, so these commands do not load the importers
(DESIGN.md §7, start-up time); ``tag`` and ``progress``, lighter still, are in ``cli.review``."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from reviewer.cli.progress import StderrProgress
from reviewer.cli.review import message_ids, report
from reviewer.core.errors import InputError
from reviewer.core.records import DateOrder
from reviewer.services import audit_log, integrity, tagging
from reviewer.services import taxonomy as taxonomy_service
from reviewer.services.actor import resolve_actor
from reviewer.services.case import create_case, open_case
from reviewer.services.messages import message_records


def _dump(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def case_new(args: argparse.Namespace) -> int:
    actor = resolve_actor(args.reviewer)
    with create_case(
        Path(args.case),
        reference=args.reference,
        actor=actor,
        title=args.title,
        timezone=args.timezone,
    ):
        pass
    print(f"created case {args.reference} in {args.case}")
    return 0


def import_(args: argparse.Namespace) -> int:
    from reviewer.services.importing import ImportOptions, import_export

    actor = resolve_actor(args.reviewer)
    options = ImportOptions(
        exhibit=args.exhibit,
        custodian=args.custodian,
        timezone=args.timezone,
        date_order=DateOrder(args.date_order) if args.date_order else None,
    )
    progress = StderrProgress()
    with open_case(Path(args.case)) as case:
        try:
            result = import_export(case, Path(args.export), actor, options, progress=progress)
        finally:
            progress.finish()
    print(
        f"imported exhibit {result.reference}: {result.messages:,} messages, "
        f"{result.attachments_present} attachments present, {result.attachments_missing} missing "
        f"({result.seconds:.1f} s)"
    )
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def messages(args: argparse.Namespace) -> int:
    with open_case(Path(args.case)) as case:
        for record in message_records(case, exhibit=args.exhibit):
            if args.jsonl:
                _dump(record)
            else:
                sender = record["sender"] or f"[{record['kind']}]"
                text = record["text"].replace("\n", " ⏎ ")
                print(f"{record['id']:>7}  {record['timestamp'] or '?':19}  {sender}: {text}")
    return 0


def audit(args: argparse.Namespace) -> int:
    if args.reveal:
        return _reveal(args)
    with open_case(Path(args.case)) as case, case.reading() as session:
        if not args.verify:
            for entry in audit_log.entries(session):
                if args.jsonl:
                    _dump(entry)
                else:
                    print(
                        f"{entry['seq']:>5}  {entry['ts']}  {entry['actor']}  "
                        f"{entry['action']}  {entry['target']}"
                    )
            return 0
        report = audit_log.verify(session)
    if report.ok:
        print(f"audit chain verified: {report.entries} entries, head {report.head}")
        return 0
    print(
        f"reviewer: error: audit chain broken at entry {report.broken_seq}: {report.reason}",
        file=sys.stderr,
    )
    return 1


def _reveal(args: argparse.Namespace) -> int:
    """One JSON object: seq, field, value, salt and commitment (sha256 of salt + canonical
    JSON of the value), which equals the bundle's ``redacted`` entry for that field."""
    seq_text, field = args.reveal
    if not seq_text.isdigit():
        raise InputError(f"--reveal: SEQ must be an entry number, not {seq_text!r}")
    with open_case(Path(args.case)) as case, case.reading() as session:
        revealed = audit_log.reveal(session, int(seq_text), field)
    _dump(revealed.record())
    return 0


def check(args: argparse.Namespace) -> int:
    with open_case(Path(args.case)) as case:
        problems = integrity.check_evidence(case)
    if not problems:
        print("every evidence file matches its recorded SHA-256")
        return 0
    for problem in problems[1:]:
        print(problem)
    print(f"reviewer: error: {problems[0]}", file=sys.stderr)
    return 1


def demo(args: argparse.Namespace) -> int:
    from reviewer.services import demo as demo_service

    actor = resolve_actor(args.reviewer)
    target = Path(args.case) if args.case else None
    with demo_service.build_demo_case(actor, target) as case:
        summary = case.summary()
        print(f"demo case {summary.reference} built in {case.root}")
        for record in itertools.islice(message_records(case), 15):
            sender = record["sender"] or f"[{record['kind']}]"
            print(f"{record['timestamp'] or '?':19}  {sender}: {record['text'][:80]}")
        print(f"… see all with: reviewer messages {case.root}")
    return 0


def untag(args: argparse.Namespace) -> int:
    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        ids = message_ids(case, args.message)
        changes = tagging.untag(case, actor, ids, args.category, reason=args.reason)
    return report(changes, f"removed {args.category} from", "not tagged; nothing changed")


def review(args: argparse.Namespace) -> int:
    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        ids = message_ids(case, args.message)
        changes = tagging.mark_reviewed(case, actor, ids, reviewed=not args.undo)
    done = "marked unreviewed" if args.undo else "marked reviewed"
    return report(changes, f"{done}:", "nothing changed")


def note(args: argparse.Namespace) -> int:
    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        changes = tagging.set_note(case, actor, args.message, args.text)
    return report(changes, "note saved on", "note unchanged")


def stance(args: argparse.Namespace) -> int:
    actor = resolve_actor(args.reviewer)
    value = None if args.stance == "none" else args.stance
    with open_case(Path(args.case)) as case:
        changes = tagging.set_stance(case, actor, args.message, args.participant, value)
    return report(changes, "stance recorded on", "stance unchanged")


def taxonomy(args: argparse.Namespace) -> int:
    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        if args.load:
            changes = taxonomy_service.load_file(case, Path(args.load), actor)
            print(
                f"taxonomy updated: {json.dumps(changes, ensure_ascii=False)}"
                if changes
                else "taxonomy unchanged"
            )
            return 0
        with case.reading() as session:
            current = taxonomy_service.current(session)
    if args.toml:
        from reviewer.review.taxonomy import to_toml

        sys.stdout.write(to_toml(current))
        return 0
    for category in current:
        depth = 0 if category.parent is None else 1 + (category.key.count(".") > 1)
        hotkey = f"[{category.hotkey}] " if category.hotkey else ""
        retired = " (retired)" if category.retired else ""
        print(f"{'  ' * depth}{hotkey}{category.key}  {category.label}{retired}")
    return 0


def search(args: argparse.Namespace) -> int:
    from reviewer.services import search as search_service

    filters = search_service.SearchFilters(
        sender=args.sender,
        category=args.category,
        date_from=_date(args.date_from),
        date_to=_date(args.date_to),
        kind=args.kind,
        untagged=args.untagged,
        unreviewed=args.unreviewed,
        exhibit=args.exhibit,
        once=args.reconciled,
        deleted_somewhere=args.deleted_somewhere,
        missing_from=args.missing_from,
    )
    query = args.query or None
    with open_case(Path(args.case)) as case:
        for hit in search_service.iter_search(case, query, filters, regex=args.regex):
            if args.jsonl:
                _dump(
                    {
                        "id": hit.id,
                        "exhibit": hit.exhibit,
                        "conversation": hit.conversation,
                        "timestamp": hit.timestamp,
                        "sender": hit.sender,
                        "kind": hit.kind,
                        "text": hit.text,
                        "spans": [list(span) for span in hit.spans],
                        "in_image": hit.in_image,
                    }
                )
            else:
                text = hit.text.replace("\n", " ⏎ ")
                if hit.in_image:
                    text += "  [in image]"
                print(f"{hit.id:>7}  {hit.timestamp or '?':19}  {hit.sender or '[system]'}: {text}")
    return 0


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {value!r}") from None
