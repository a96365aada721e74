"""``reviewer`` subcommands about participants: list, link, unlink, members, subject, custodian.

``register(sub)`` adds them to the main parser's subparsers; each handler returns the exit
status and raises ``ReviewerError`` for anything the user can fix. The parser registers
them for every run, so the services are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewer.services.tagging import Changes


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the participant subcommands to ``reviewer``'s subparsers."""
    listing = sub.add_parser("participants", help="list participants (per exhibit)")
    listing.add_argument("case", metavar="CASE")
    listing.add_argument("--exhibit", metavar="REF")
    listing.add_argument("--jsonl", action="store_true", help="one JSON record per line")
    listing.set_defaults(handler=participants)

    link = sub.add_parser("link", help="record that participants are one person")
    link.add_argument("case", metavar="CASE")
    link.add_argument("ids", metavar="ID", type=int, nargs="+", help="two or more participant ids")
    link.set_defaults(handler=link_)

    unlink = sub.add_parser("unlink", help="take a participant out of its linked person")
    unlink.add_argument("case", metavar="CASE")
    unlink.add_argument("id", metavar="ID", type=int)
    unlink.set_defaults(handler=unlink_)

    members = sub.add_parser("members", help="who was in the group when a message was posted")
    members.add_argument("case", metavar="CASE")
    members.add_argument("message", metavar="MESSAGE_ID", type=int)
    members.add_argument("--jsonl", action="store_true", help="one JSON record per line")
    members.set_defaults(handler=members_)

    subject = sub.add_parser("subject", help="mark a participant as under investigation")
    subject.add_argument("case", metavar="CASE")
    subject.add_argument("id", metavar="ID", type=int)
    subject.add_argument("--off", action="store_true", help="no longer a subject")
    subject.set_defaults(handler=subject_)

    custodian = sub.add_parser("custodian", help="mark the participant whose phone it was")
    custodian.add_argument("case", metavar="CASE")
    custodian.add_argument("id", metavar="ID", type=int)
    custodian.set_defaults(handler=custodian_)


def participants(args: argparse.Namespace) -> int:
    from reviewer.services import participants as service
    from reviewer.services.case import open_case

    with open_case(Path(args.case)) as case:
        found = service.list_participants(case, args.exhibit)
    for p in found:
        if args.jsonl:
            sys.stdout.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
            continue
        marks = [
            *(["custodian"] if p.is_custodian else []),
            *(["subject"] if p.is_subject else []),
            *([f"person {p.person_id}"] if p.person_id is not None else []),
        ]
        span = f"{p.first_timestamp or '?'} – {p.last_timestamp or '?'}"
        extra = f"  [{', '.join(marks)}]" if marks else ""
        print(
            f"{p.id:>5}  {p.exhibit}  {p.display_name}  {p.message_count:,} messages  {span}{extra}"
        )
    return 0


def link_(args: argparse.Namespace) -> int:
    from reviewer.services import participants as service
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        changes = service.link_participants(case, actor, args.ids)
    ids = ", ".join(str(i) for i in sorted(set(args.ids)))
    return _report(changes, f"linked participants {ids} as one person", "already linked")


def unlink_(args: argparse.Namespace) -> int:
    from reviewer.services import participants as service
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        changes = service.unlink_participant(case, actor, args.id)
    return _report(changes, f"unlinked participant {args.id}", "not linked")


def members_(args: argparse.Namespace) -> int:
    from reviewer.services import participants as service
    from reviewer.services.case import open_case

    with open_case(Path(args.case)) as case:
        present = service.present_at(case, args.message)
    for m in present:
        if args.jsonl:
            record = {"participant": m.participant_id, "name": m.name, "inferred": m.inferred}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            pid = f"{m.participant_id:>5}" if m.participant_id is not None else "    -"
            print(f"{pid}  {m.name}{'  (inferred)' if m.inferred else ''}")
    if not args.jsonl and any(m.inferred for m in present):
        print("(inferred: no system line records it; deduced from their posts or actions)")
    return 0


def subject_(args: argparse.Namespace) -> int:
    from reviewer.services import participants as service
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    on = not args.off
    with open_case(Path(args.case)) as case:
        changes = service.set_subject(case, actor, args.id, on)
    state = "a subject" if on else "not a subject"
    return _report(changes, f"participant {args.id} is now {state}", f"already {state}")


def custodian_(args: argparse.Namespace) -> int:
    from reviewer.services import participants as service
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case

    actor = resolve_actor(args.reviewer)
    with open_case(Path(args.case)) as case:
        changes = service.set_custodian(case, actor, args.id)
    done = f"participant {args.id} is now the custodian of its exhibit"
    return _report(changes, done, "already the custodian")


def _report(changes: Changes, done: str, nothing: str) -> int:
    if changes.audit_seq is None:
        print(f"{nothing}; nothing changed")
    else:
        print(f"{done} (audit entry {changes.audit_seq})")
    return 0
