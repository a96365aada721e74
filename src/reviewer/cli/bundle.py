"""``reviewer export`` and ``reviewer verify``: the evidence bundle (DESIGN.md §6).

The parser registers these commands for every run, so the bundle's libraries are
imported inside the handlers, only when one of them runs."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from reviewer.cli.progress import StderrProgress
from reviewer.core.errors import InputError


def register(sub: Any) -> None:
    export = sub.add_parser("export", help="export an evidence bundle (a BagIt bag)")
    export.add_argument("case", metavar="CASE")
    export.add_argument("out_dir", metavar="OUT_DIR", help="a new or empty folder")
    export.add_argument(
        "--context", type=int, default=5, metavar="N", help="messages before and after (5)"
    )
    export.add_argument(
        "--category", action="append", default=[], metavar="KEY", help="only these (repeat)"
    )
    export.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY-MM-DD (local)")
    export.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY-MM-DD (local)")
    export.add_argument(
        "--exhibit", action="append", default=[], metavar="REF", help="only these (repeat)"
    )
    export.add_argument(
        "--include-originals", action="store_true", help="add the exports as received"
    )
    export.add_argument(
        "--redact-uninvolved",
        action="store_true",
        help="pseudonymise participants who are not subjects; mask phone numbers and e-mails; "
        "media as redacted copies (metadata removed, names in pictures blacked out, documents "
        "and cards naming them withheld), listed in redaction/media.csv",
    )
    export.add_argument(
        "--archive", action="store_true", help="also write the bag as one OUT_DIR.zip beside it"
    )
    export.add_argument(
        "--agreement",
        action="store_true",
        help="print the agreement between reviewers (per category: Cohen's kappa) in the report",
    )
    export.add_argument(
        "--password-file",
        metavar="FILE",
        help="encrypt that .zip (AES-256) with the password on FILE's first line (implies "
        "--archive; never give a password on the command line)",
    )
    export.set_defaults(handler=export_)

    verify = sub.add_parser("verify", help="verify an evidence bundle without its case")
    verify.add_argument("bundle", metavar="BUNDLE", help="the bag's folder, or its .zip")
    verify.add_argument("--password-file", metavar="FILE", help="the password of an encrypted .zip")
    verify.set_defaults(handler=verify_)


def export_(args: argparse.Namespace) -> int:
    from reviewer.services.actor import resolve_actor
    from reviewer.services.case import open_case
    from reviewer.services.exporting import ExportOptions, export_bundle

    actor = resolve_actor(args.reviewer)
    options = ExportOptions(
        context=args.context,
        categories=tuple(args.category),
        date_from=_date(args.date_from, "--from"),
        date_to=_date(args.date_to, "--to"),
        exhibits=tuple(args.exhibit),
        include_originals=args.include_originals,
        redact_uninvolved=args.redact_uninvolved,
        agreement=args.agreement,
        archive=args.archive or args.password_file is not None,
        password=_password(args.password_file) if args.password_file else None,
    )
    progress = StderrProgress()
    with open_case(Path(args.case)) as case:
        try:
            result = export_bundle(case, actor, Path(args.out_dir), options, progress=progress)
        finally:
            progress.finish()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"exported {result.tagged:,} tagged and {result.context:,} context messages, "
        f"{result.attachments:,} attachments, {result.rsmf_files} RSMF files to {result.out_dir} "
        f"({result.files} files, {result.bytes:,} bytes, {result.seconds:.1f} s); "
        f"audit chain head {result.audit_head}"
    )
    if result.archive is not None:
        print(
            f"archive {result.archive} ({'AES-256 encrypted, ' if result.encrypted else ''}"
            f"SHA-256 {result.archive_sha256})"
        )
    return 0


def verify_(args: argparse.Namespace) -> int:
    from reviewer.bundle import archive

    path = Path(args.bundle)
    if not archive.is_archive(path):
        if args.password_file:
            raise InputError(f"{path}: --password-file is for a bundle's .zip")
        return _verify(path)
    password = _password(args.password_file) if args.password_file else None
    if password is None and archive.is_encrypted(path):
        password = _ask_password(path)
    with archive.unpacked(path, password) as folder:
        return _verify(folder)


def _verify(path: Path) -> int:
    from reviewer.bundle.verify import verify_bundle

    report = verify_bundle(path)
    if not report.ok:
        print(f"reviewer: verify failed: {report.failure}", file=sys.stderr)
        return 1
    for check in report.checks:
        print(f"ok: {check}")
    print(f"bundle verified; audit chain head {report.audit_head}")
    return 0


def _password(path: str) -> bytes:
    from reviewer.bundle.archive import read_password

    return read_password(Path(path))


def _ask_password(path: Path) -> bytes:
    """The password of an encrypted archive, asked for on a terminal (never echoed)."""
    if not sys.stdin.isatty():
        raise InputError(f"{path} is encrypted: give its password with --password-file FILE")
    import getpass

    password = getpass.getpass(f"Password for {path.name}: ").encode("utf-8")
    if not password:
        raise InputError(f"{path} is encrypted and no password was given")
    return password


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{option} {text!r}: give a date as YYYY-MM-DD") from exc
