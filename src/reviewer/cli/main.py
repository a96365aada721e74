"""``reviewer`` command line (DESIGN.md §5): one line on stderr and non-zero on failure."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from reviewer.cli import bundle, screening
from reviewer.cli import media as media_cli
from reviewer.cli import packages as packages_cli
from reviewer.cli import participants as participant_cli
from reviewer.cli import reconcile as reconcile_cli
from reviewer.core.errors import ReviewerError

Handler = Callable[[argparse.Namespace], int]


def _lazy(module: str, name: str) -> Handler:
    """The handler ``name`` of ``reviewer.cli.<module>``, imported only when it runs: a command
    loads what it uses and no other command's libraries (DESIGN.md §7, start-up time)."""

    def run(args: argparse.Namespace) -> int:
        handler: Handler = getattr(import_module(f"reviewer.cli.{module}"), name)
        return handler(args)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer", description="Review chat exports as evidence of misconduct."
    )
    parser.add_argument(
        "--version", action="store_true", help="show the versions of reviewer and its libraries"
    )
    parser.add_argument(
        "--reviewer", metavar="NAME", help="your name for the audit log (else $REVIEWER_NAME)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="open the application on a case built from the demo export")
    demo.add_argument("--case", metavar="DIR", help="where to build it (default: a new folder)")
    demo.add_argument(
        "--no-gui", action="store_true", help="build it and print its first messages instead"
    )
    demo.set_defaults(handler=_lazy("commands", "demo"))

    gui = sub.add_parser("gui", help="open the application (on CASE if given)")
    gui.add_argument("case", metavar="CASE", nargs="?")
    gui.set_defaults(handler=None)

    search = sub.add_parser("search", help='search messages (words, "phrases", prefix*, OR, -not)')
    search.add_argument("case", metavar="CASE")
    search.add_argument("query", metavar="QUERY", nargs="?", default="")
    search.add_argument("--regex", action="store_true", help="QUERY is a regular expression")
    search.add_argument("--sender", metavar="NAME")
    search.add_argument("--category", metavar="KEY", help="tagged with KEY or a sub-category")
    search.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY-MM-DD")
    search.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY-MM-DD (inclusive)")
    search.add_argument("--kind", help="text, media, system, deleted, poll, location, …")
    search.add_argument("--exhibit", metavar="REF")
    search.add_argument("--untagged", action="store_true")
    search.add_argument("--unreviewed", action="store_true")
    search.add_argument(
        "--reconciled",
        action="store_true",
        help="a message held by several exhibits (reconcile) is one hit, its first copy",
    )
    search.add_argument(
        "--deleted-somewhere",
        action="store_true",
        help="only messages some phone shows deleted (reconcile)",
    )
    search.add_argument(
        "--missing-from",
        metavar="REF",
        help="only messages exhibit REF lacks within the span it covers (reconcile)",
    )
    search.add_argument("--jsonl", action="store_true", help="one JSON record per hit")
    search.set_defaults(handler=_lazy("commands", "search"))

    case = sub.add_parser("case", help="create cases")
    case_sub = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    new = case_sub.add_parser("new", help="create a new, empty case folder")
    new.add_argument("case", metavar="CASE")
    new.add_argument("--reference", required=True, help="the case reference, e.g. OP-1234")
    new.add_argument("--title")
    new.add_argument("--timezone", default="Europe/London", help="IANA zone of the exports")
    new.set_defaults(handler=_lazy("commands", "case_new"))

    imp = sub.add_parser("import", help="import a WhatsApp export (.txt, .zip or folder)")
    imp.add_argument("case", metavar="CASE")
    imp.add_argument("export", metavar="EXPORT")
    imp.add_argument("--exhibit", metavar="REF", help="exhibit reference (default EX<n>)")
    imp.add_argument("--custodian", metavar="NAME", help="whose phone the export came from")
    imp.add_argument("--timezone", metavar="ZONE", help="time zone of the export (default: case)")
    imp.add_argument(
        "--date-order", choices=["DMY", "MDY", "YMD"], help="when the file's order is ambiguous"
    )
    imp.set_defaults(handler=_lazy("commands", "import_"))

    msgs = sub.add_parser("messages", help="list messages")
    msgs.add_argument("case", metavar="CASE")
    msgs.add_argument("--exhibit", metavar="REF")
    msgs.add_argument("--jsonl", action="store_true", help="one JSON record per line")
    msgs.set_defaults(handler=_lazy("commands", "messages"))

    audit = sub.add_parser("audit", help="list or verify the audit chain")
    audit.add_argument("case", metavar="CASE")
    audit.add_argument("--verify", action="store_true", help="recompute the chain")
    audit.add_argument(
        "--jsonl", action="store_true", help="one JSON entry per line (with v and salts)"
    )
    audit.add_argument(
        "--reveal",
        nargs=2,
        metavar=("SEQ", "FIELD"),
        help="print the value, salt and commitment of one field (target or details.KEY), "
        "to prove a value a redacted bundle withheld",
    )
    audit.set_defaults(handler=_lazy("commands", "audit"))

    tag = sub.add_parser("tag", help="tag messages with a category")
    tag.add_argument("case", metavar="CASE")
    tag.add_argument("message", metavar="MESSAGE_ID", help="an id, or a range such as 17-40")
    tag.add_argument("category", metavar="CATEGORY")
    tag.add_argument("--note")
    tag.set_defaults(handler=_lazy("review", "tag"))

    untag = sub.add_parser("untag", help="remove a category from messages")
    untag.add_argument("case", metavar="CASE")
    untag.add_argument("message", metavar="MESSAGE_ID", help="an id, or a range such as 17-40")
    untag.add_argument("category", metavar="CATEGORY")
    untag.add_argument("--reason")
    untag.set_defaults(handler=_lazy("commands", "untag"))

    review = sub.add_parser("review", help="mark messages reviewed (no concern)")
    review.add_argument("case", metavar="CASE")
    review.add_argument("message", metavar="MESSAGE_ID", help="an id, or a range such as 17-40")
    review.add_argument("--undo", action="store_true", help="mark them unreviewed again")
    review.set_defaults(handler=_lazy("commands", "review"))

    note = sub.add_parser("note", help="set (or with an empty text, clear) a message's note")
    note.add_argument("case", metavar="CASE")
    note.add_argument("message", metavar="MESSAGE_ID", type=int)
    note.add_argument("text", metavar="TEXT")
    note.set_defaults(handler=_lazy("commands", "note"))

    stance = sub.add_parser("stance", help="record a participant's stance toward a message")
    stance.add_argument("case", metavar="CASE")
    stance.add_argument("message", metavar="MESSAGE_ID", type=int)
    stance.add_argument("participant", metavar="PARTICIPANT_ID", type=int)
    stance.add_argument("stance", metavar="STANCE", help="a stance key, or 'none' to clear")
    stance.set_defaults(handler=_lazy("commands", "stance"))

    progress = sub.add_parser("progress", help="review progress per state, exhibit, reviewer")
    progress.add_argument("case", metavar="CASE")
    progress.set_defaults(handler=_lazy("review", "progress"))

    taxonomy = sub.add_parser("taxonomy", help="print the case's taxonomy, or load an edited one")
    taxonomy.add_argument("case", metavar="CASE")
    taxonomy.add_argument("--load", metavar="FILE", help="replace it with this TOML file")
    taxonomy.add_argument("--toml", action="store_true", help="print it as TOML")
    taxonomy.set_defaults(handler=_lazy("commands", "taxonomy"))

    screening.register(sub)
    participant_cli.register(sub)
    bundle.register(sub)
    reconcile_cli.register(sub)  # after `messages`: it adds --reconciled there
    packages_cli.register(sub)
    media_cli.register(sub)

    check = sub.add_parser("check", help="re-hash every evidence file of a case")
    check.add_argument("case", metavar="CASE")
    check.set_defaults(handler=_lazy("commands", "check"))
    return parser


def main(argv: Sequence[str], gui: Handler | None = None) -> int:
    """Run a command. ``gui`` opens the application; it is handed in by ``reviewer.__main__``
    because the command line and the GUI are separate layers."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from reviewer.versions import version_text  # loads Qt's version: only when asked

        print(version_text())
        return 0
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None or (args.command == "demo" and not args.no_gui):
        if gui is None:
            parser.print_help()
            return 0
        handler = gui
    try:
        return handler(args)
    except ReviewerError as exc:
        print(f"reviewer: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("reviewer: interrupted; nothing was stored", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("REVIEWER_DEBUG"):
            raise
        print(
            f"reviewer: internal error: {type(exc).__name__}: {exc} "
            "(set REVIEWER_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 70
