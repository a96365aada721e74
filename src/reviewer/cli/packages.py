"""Review across laptops (DESIGN.md §11): ``package``, ``merge``, ``agreement``,
``conflicts`` and ``adjudicate``.

``register(sub)`` adds the commands; services are imported only when one of them runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from reviewer.core.errors import InputError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    package = sub.add_parser(
        "package", help="cut a package (a case folder) of this case for another reviewer"
    )
    package.add_argument("case", metavar="CASE")
    package.add_argument("out_dir", metavar="OUT_DIR", help="a new or empty folder")
    package.add_argument(
        "--exhibit", metavar="REF", action="append", default=[], help="only this exhibit (repeat)"
    )
    package.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY-MM-DD")
    package.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY-MM-DD (inclusive)")
    package.add_argument(
        "--blind", action="store_true", help="leave out tags, notes, stances and suggestions"
    )
    package.add_argument("--for", dest="for_name", metavar="NAME", help="the reviewer it is for")
    package.set_defaults(handler=package_)

    merge = sub.add_parser("merge", help="take a package's review work back into this case")
    merge.add_argument("case", metavar="CASE")
    merge.add_argument("package", metavar="PACKAGE_DIR")
    merge.add_argument("--jsonl", action="store_true", help="one JSON record per change")
    merge.add_argument(
        "--dry-run", action="store_true", help="show what would change and conflict; change nothing"
    )
    merge.set_defaults(handler=merge_)

    agreement = sub.add_parser(
        "agreement", help="agreement and Cohen's kappa between reviewers of the same messages"
    )
    agreement.add_argument("case", metavar="CASE")
    agreement.add_argument("--jsonl", action="store_true", help="one record per category and pair")
    agreement.set_defaults(handler=agreement_)

    conflicts = sub.add_parser("conflicts", help="decisions merges kept for the lead to resolve")
    conflicts.add_argument("case", metavar="CASE")
    conflicts.add_argument("--all", action="store_true", help="resolved ones too")
    conflicts.add_argument("--jsonl", action="store_true", help="one JSON record per conflict")
    conflicts.set_defaults(handler=conflicts_)

    tags = sub.add_parser("tags", help="list tags with who made them (or reviewers' opinions)")
    tags.add_argument("case", metavar="CASE")
    tags.add_argument("--category", metavar="KEY", help="KEY or a category below it")
    tags.add_argument("--by", metavar="NAME", help="made by this reviewer")
    tags.add_argument(
        "--opinions",
        action="store_true",
        help="each reviewer's own decisions kept by merges (no category: reviewed, no concern)",
    )
    tags.add_argument("--jsonl", action="store_true", help="one JSON record per line")
    tags.set_defaults(handler=tags_)

    resolve = sub.add_parser(
        "resolve", help="settle one conflict (tag, note, mark or stance) by its number"
    )
    resolve.add_argument("case", metavar="CASE")
    resolve.add_argument("conflict", metavar="CONFLICT_ID", type=int)
    side = resolve.add_mutually_exclusive_group(required=True)
    side.add_argument("--take-package", action="store_true", help="the package's value wins")
    side.add_argument("--keep-case", action="store_true", help="the case's value stays")
    resolve.add_argument("--reason", metavar="TEXT")
    resolve.set_defaults(handler=resolve_)

    adjudicate = sub.add_parser(
        "adjudicate", help="decide a disagreement or conflict: keep or drop a category"
    )
    adjudicate.add_argument("case", metavar="CASE")
    adjudicate.add_argument("message", metavar="MESSAGE_ID", type=int)
    adjudicate.add_argument("category", metavar="CATEGORY")
    decision = adjudicate.add_mutually_exclusive_group(required=True)
    decision.add_argument("--keep", action="store_true", help="the message is tagged with it")
    decision.add_argument("--drop", action="store_true", help="the message is not")
    adjudicate.add_argument("--reason", metavar="TEXT")
    adjudicate.set_defaults(handler=adjudicate_)


def _dump(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _date(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"{option}: not a date (YYYY-MM-DD): {value!r}") from None


def package_(args: argparse.Namespace) -> int:
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case
    from reviewer.services.packaging import cut_package
    from reviewer.store.package_repo import Cut

    cut = Cut(
        exhibits=tuple(args.exhibit),
        date_from=_date(args.date_from, "--from"),
        date_to=_date(args.date_to, "--to"),
    )
    if cut.date_from and cut.date_to and cut.date_from > cut.date_to:
        raise InputError("--from is after --to")
    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        result = cut_package(
            case, Path(args.out_dir), actor, cut, blind=args.blind, for_name=args.for_name
        )
    context = f" (+{result.context_messages} replied-to)" if result.context_messages else ""
    print(
        f"package {result.package_id} written to {result.root}"
        f"{' for ' + args.for_name if args.for_name else ''}{' (blind)' if result.blind else ''}: "
        f"{result.messages:,} messages{context} in {result.conversations} conversations of "
        f"{', '.join(result.exhibits)}, {result.evidence_files} evidence files "
        f"(audit entry {result.parent_seq})"
    )
    return 0


def merge_(args: argparse.Namespace) -> int:
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case
    from reviewer.services.merging import merge_package

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        report = merge_package(case, Path(args.package), actor, dry_run=args.dry_run)
    if args.jsonl:
        for change in report.changes:
            _dump({"type": "change", **change})
        for conflict in report.conflicts:
            _dump({"type": "conflict", **conflict})
        _dump(
            {
                "type": "summary",
                "package": report.package_id,
                "package_head": report.package_head,
                "already_merged": report.already_merged,
                "changes": len(report.changes),
                "conflicts": len(report.conflicts),
                "concurring": len(report.concurring),
                "opinions": report.opinions,
                "audit_seq": report.audit_seq,
                "dry_run": args.dry_run,
            }
        )
        return 0
    if report.already_merged:
        print(
            f"package {report.package_id} (head {report.package_head[:12]}…) was already "
            f"merged (audit entry {report.audit_seq}); nothing changed"
        )
        return 0
    print(
        f"{'would merge' if args.dry_run else 'merged'} package {report.package_id} "
        f"(head {report.package_head[:12]}…): "
        f"{len(report.changes)} changes, {len(report.conflicts)} conflicts kept for the lead, "
        f"{len(report.concurring)} concurring"
        + ("; nothing changed (dry run)" if args.dry_run else f" (audit entry {report.audit_seq})")
    )
    for change in report.changes:
        value = "" if change["kind"] in ("tag", "mark") else f" {change['value']!r}"
        item = f" {change['item']}" if change["item"] else ""
        through = f" (through copy {change['through']})" if "through" in change else ""
        print(
            f"  {change['op']} {change['kind']}{item}{value} on message {change['message']}"
            f"{through} by {change['by']}"
        )
    for conflict in report.conflicts:
        print(_conflict_line(conflict))
    return 0


def _conflict_line(conflict: dict[str, Any]) -> str:
    item = f" {conflict['item']}" if conflict["item"] else ""
    return (
        f"  conflict {conflict['conflict'] or '(new)'}: message {conflict['message']} "
        f"{conflict['kind']}"
        f"{item}: case {conflict['case']!r} (by {conflict['case_by'] or '-'}), package "
        f"{conflict['package_value']!r} (by {conflict['package_by'] or '-'}) [{conflict['status']}]"
    )


def agreement_(args: argparse.Namespace) -> int:
    from reviewer.services.adjudication import agreement_report
    from reviewer.services.case import open_case

    with open_case(Path(args.case)) as case:
        rows = agreement_report(case)
    if args.jsonl:
        for row in rows:
            _dump(row.record())
        return 0
    if not rows:
        print("no messages reviewed by two reviewers")
        return 0
    for row in rows:
        kappa = "n/a" if row.kappa is None else f"{row.kappa:.3f}"
        agreed = "n/a" if row.agreement is None else f"{row.agreement:.1%}"
        differ = ", ".join(str(m) for m in row.disagreements) or "none"
        print(
            f"{row.category}  {row.reviewers[0]} / {row.reviewers[1]}: {row.messages} messages, "
            f"both {row.both}, only {row.reviewers[0]} {row.only_a}, only {row.reviewers[1]} "
            f"{row.only_b}, neither {row.neither}; agreement {agreed}, kappa {kappa}; "
            f"disagreements: {differ}"
        )
    return 0


def conflicts_(args: argparse.Namespace) -> int:
    from reviewer.services.adjudication import conflicts
    from reviewer.services.case import open_case

    with open_case(Path(args.case)) as case:
        found = conflicts(case, include_resolved=args.all)
    for conflict in found:
        if args.jsonl:
            _dump(conflict)
        else:
            print(_conflict_line(conflict).strip())
    if not found and not args.jsonl:
        print("no open conflicts")
    return 0


def tags_(args: argparse.Namespace) -> int:
    from reviewer.services.adjudication import tag_records
    from reviewer.services.case import open_case

    with open_case(Path(args.case)) as case:
        records = tag_records(case, category=args.category, by=args.by, opinions=args.opinions)
    for record in records:
        if args.jsonl:
            _dump(record)
        else:
            category = record["category"] or "(reviewed, no concern)"
            print(f"{record['message']:>7}  {category}  by {record['by']}  {record['at']}")
    return 0


def adjudicate_(args: argparse.Namespace) -> int:
    from reviewer.services.actor import resolve_actor
    from reviewer.services.adjudication import adjudicate
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        done = adjudicate(
            case, actor, args.message, args.category, keep=args.keep, reason=args.reason
        )
    decision = "kept" if done.keep else "dropped"
    resolved = f", {len(done.conflicts)} conflicts resolved" if done.conflicts else ""
    tag = "tag changed" if done.tag_changed else "tag unchanged"
    print(
        f"{done.category} {decision} on message {done.message_id} ({tag}{resolved}; "
        f"audit entry {done.audit_seq})"
    )
    return 0


def resolve_(args: argparse.Namespace) -> int:
    from reviewer.services.actor import resolve_actor
    from reviewer.services.adjudication import resolve_conflict
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        done = resolve_conflict(
            case, actor, args.conflict, take_package=args.take_package, reason=args.reason
        )
    side = "the package's value taken" if done.keep else "the case's value kept"
    changed = "changed" if done.tag_changed else "unchanged"
    print(
        f"conflict {args.conflict} on message {done.message_id}: {side} (case {changed}; "
        f"audit entry {done.audit_seq})"
    )
    return 0
