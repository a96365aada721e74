"""``reviewer reconcile CASE`` and ``reviewer messages CASE --reconciled`` (DESIGN.md §9).

``register(sub)`` adds ``reconcile`` to the main parser's subparsers and ``--reconciled`` to
the ``messages`` subcommand (registered before it); services are imported when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reviewer.services.reconcile import ReconcileReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``reconcile`` and ``messages --reconciled``."""
    parser = sub.add_parser(
        "reconcile", help="link copies of one chat held in several exhibits and align them"
    )
    parser.add_argument("case", metavar="CASE")
    decide = parser.add_mutually_exclusive_group()
    decide.add_argument("--confirm-link", type=int, metavar="ID", help="confirm a chat link")
    decide.add_argument("--undo-link", type=int, metavar="ID", help="undo a chat link")
    decide.add_argument("--confirm-person", type=int, metavar="ID", help="confirm a name link")
    decide.add_argument("--undo-person", type=int, metavar="ID", help="undo a name link")
    parser.add_argument(
        "--jsonl", action="store_true", help="one JSON record per chat, chat link and name link"
    )
    parser.set_defaults(handler=reconcile)

    messages = sub.choices.get("messages")
    if messages is not None:
        messages.add_argument(
            "--reconciled",
            action="store_true",
            help="one record per reconciled message with its copies (after reviewer reconcile)",
        )
        plain = messages.get_default("handler")

        def handler(args: argparse.Namespace) -> int:
            if getattr(args, "reconciled", False):
                return reconciled_messages(args)
            return int(plain(args))

        messages.set_defaults(handler=handler)


def reconcile(args: argparse.Namespace) -> int:
    from reviewer.cli.progress import StderrProgress
    from reviewer.services import reconcile as service
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case
    from reviewer.services.reconcile_decisions import decide_link, decide_person

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        decision = None
        if args.confirm_link is not None or args.undo_link is not None:
            link = args.confirm_link if args.confirm_link is not None else args.undo_link
            seq = decide_link(case, actor, link, confirm=args.confirm_link is not None)
            decision = _decided("chat link", link, args.confirm_link is not None, seq)
        elif args.confirm_person is not None or args.undo_person is not None:
            link = args.confirm_person if args.confirm_person is not None else args.undo_person
            seq = decide_person(case, actor, link, confirm=args.confirm_person is not None)
            decision = _decided("name link", link, args.confirm_person is not None, seq)
        if decision:
            print(decision, file=sys.stderr if args.jsonl else sys.stdout)
        progress = StderrProgress()
        try:
            report = service.reconcile(case, actor, progress=progress)
        finally:
            progress.finish()
    if args.jsonl:
        _dump_jsonl(report)
    else:
        _print(report)
    return 0


def _dump_jsonl(report: ReconcileReport) -> None:
    """``{"type": "chat" | "chat-link" | "name-link", …}`` per line, then a summary."""
    records: list[dict[str, Any]] = [{"type": "chat", **chat} for chat in report.chats]
    records += [
        {
            "type": "chat-link",
            "id": link.id,
            "a": link.a,
            "b": link.b,
            "confidence": link.confidence,
            "status": link.status,
            "evidence": dict(link.evidence),
        }
        for link in report.links
    ]
    records += [
        {
            "type": "name-link",
            "id": p.id,
            "a": p.a,
            "b": p.b,
            "aligned": p.aligned,
            "share": p.share,
            "status": p.status,
        }
        for p in report.people
    ]
    records.append(
        {
            "type": "summary",
            "messages": report.messages,
            "copies": report.copies,
            "audit_seq": report.audit_seq,
        }
    )
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _decided(what: str, link: int, confirm: bool, seq: int | None) -> str:
    done = "confirmed" if confirm else "undone"
    if seq is None:
        return f"{what} {link} was already {done}; nothing changed"
    return f"{what} {link} {done} (audit entry {seq})"


def _print(report: ReconcileReport) -> None:
    for chat in report.chats:
        offsets = ", ".join(
            f"{ref} {seconds:+.0f} s"
            for ref, seconds in chat["offsets"].items()
            if abs(seconds) >= 1
        )
        clock = f"; clocks against {chat['clock']}: {offsets}" if offsets else ""
        print(
            f"chat {chat['name']!r}: exhibits {', '.join(chat['exhibits'])}, "
            f"{chat['messages']:,} messages{clock}"
        )
    linked = [link for link in report.links if link.status in ("auto", "confirmed")]
    proposed = [link for link in report.links if link.status == "proposed"]
    if linked:
        print("chat links:")
        for link in linked:
            print(f"  {link.id:>4}  {link.status:9}  {link.confidence:.3f}  {link.a} = {link.b}")
    if proposed:
        print("proposed chat links (confirm with --confirm-link ID):")
        for link in proposed:
            evidence = link.evidence
            print(
                f"  {link.id:>4}  {link.confidence:.3f}  {link.a} = {link.b}  "
                f"(aligned {evidence.get('aligned', 0)}, same name: "
                f"{'yes' if evidence.get('same_name') else 'no'})"
            )
    names = [p for p in report.people if p.status == "proposed"]
    if names:
        print("proposed as one person (confirm with --confirm-person ID):")
        for p in names:
            print(f"  {p.id:>4}  {p.a} = {p.b}  ({p.aligned:,} aligned messages, {p.share:.0%})")
    print(
        f"reconciled {report.messages:,} messages from {report.copies:,} copies "
        f"(audit entry {report.audit_seq})"
    )


def reconciled_messages(args: argparse.Namespace) -> int:
    from reviewer.services.case import open_case
    from reviewer.services.reconciled_records import reconciled_records

    with open_case(Path(args.case)) as case:
        for record in reconciled_records(case):
            if args.jsonl:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                continue
            where = ", ".join(f"{c['exhibit']} {c['state']}" for c in record["copies"])
            sender = record["sender"] or f"[{record['kind']}]"
            text = record["text"].replace("\n", " ⏎ ")
            print(f"{record['timestamp'] or '?':19}  {sender}: {text}  [{where}]")
    return 0
