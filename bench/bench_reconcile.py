"""Benchmark: reconcile three exports of one 100,000-message chat (DESIGN.md §7: ≤ 10 s, peak
RSS ≤ 300 MB).

gen_whatsapp.py writes the chat (iOS); tests/reconcile_phones.py turns it into three phones'
exports (iOS with media; Android en-US 12-hour without seconds, Berlin time, joining late,
other contact names; a later iOS export 3 minutes fast with deletions, deleted-for-me gaps,
edits, ending early). They are imported into a case by the real importer, then
``reviewer reconcile CASE`` runs in a fresh process, timed, with its peak RSS; precision and
recall of copy pairs are scored against the truth.

    .venv/bin/python bench/bench_reconcile.py [--messages 100000] [--out bench/out/reconcile]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import select  # noqa: E402

from reconcile_phones import (  # noqa: E402
    chat_from_ios_export,
    export_path,
    render,
    three_phones,
)
from reviewer.core.records import DateOrder  # noqa: E402
from reviewer.services.actor import Actor  # noqa: E402
from reviewer.services.case import create_case, open_case  # noqa: E402
from reviewer.services.importing import ImportOptions, import_export  # noqa: E402
from reviewer.store import reconcile_repo  # noqa: E402
from reviewer.store.models import Conversation, Exhibit, Message  # noqa: E402

# `reviewer ...` in a fresh process that reports its own peak RSS and CPU time at exit
_MEASURED = """
import json, resource, sys
from reviewer.__main__ import main
sys.argv = ["reviewer", *sys.argv[1:]]
code = main()
use = resource.getrusage(resource.RUSAGE_SELF)
print("RUSAGE " + json.dumps([use.ru_maxrss, use.ru_utime + use.ru_stime]), file=sys.stderr)
sys.exit(code)
"""
GEN = Path(os.environ.get("GEN_WHATSAPP", "/work/shared/tools/gen_whatsapp.py"))
ACTOR = Actor(name="bench", workstation="bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "reconcile")
    args = parser.parse_args()
    out: Path = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    source = out / "source" / "_chat.txt"
    source.parent.mkdir()
    subprocess.run(  # its resources are reaped here, before the measured child
        [sys.executable, str(GEN), "--messages", str(args.messages), "--style", "ios",
         "--seed", "12", "--out", str(source), "--quiet"],
        check=True,
    )  # fmt: skip
    chat = chat_from_ios_export(source)
    phones = three_phones(chat)
    truth: dict[int, int] = {}
    counts: dict[str, int] = {}
    case_dir = out / "case"
    with create_case(case_dir, reference="BENCH-12", actor=ACTOR) as case:
        for phone in phones:
            uids = render(phone, chat, out / "exports")
            options = ImportOptions(
                exhibit=phone.exhibit,
                custodian=phone.names[phone.custodian],
                timezone=phone.zone,
                date_order=DateOrder(phone.date_order) if phone.date_order else None,
            )
            import_export(case, export_path(phone, out / "exports"), ACTOR, options)
            with case.reading() as session:
                ids = session.scalars(
                    select(Message.id)
                    .join(Conversation, Message.conversation_id == Conversation.id)
                    .join(Exhibit, Conversation.exhibit_id == Exhibit.id)
                    .where(Exhibit.reference == phone.exhibit)
                    .order_by(Message.seq)
                ).all()
            if len(ids) != len(uids):
                raise SystemExit(f"{phone.exhibit}: {len(ids)} messages for {len(uids)} records")
            truth.update(zip(ids, uids, strict=True))
            counts[phone.exhibit] = len(ids)
            print(f"imported {phone.exhibit}: {len(ids):,} messages", file=sys.stderr)
    command = [sys.executable, "-c", _MEASURED, "--reviewer", "bench", "reconcile", str(case_dir)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    usage = [line for line in done.stderr.splitlines() if line.startswith("RUSAGE ")]
    peak_kb, cpu = json.loads(usage[-1][7:]) if usage else (0, 0.0)
    peak_mb = peak_kb / 1024
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    with open_case(case_dir) as case, case.reading() as session:
        rows = list(reconcile_repo.iter_reconciled(session))
    predicted = {
        tuple(sorted((a[1], b[1])))
        for row in rows
        for a, b in itertools.combinations(row.copies, 2)
    }
    by_uid: dict[int, list[int]] = {}
    for mid, uid in truth.items():
        by_uid.setdefault(uid, []).append(mid)
    true_pairs = {
        tuple(sorted(pair)) for mids in by_uid.values() for pair in itertools.combinations(mids, 2)
    }
    hits = len(predicted & true_pairs)
    result = {
        "messages": counts,
        "reconciled_messages": len(rows),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load_average": os.getloadavg()[0],
        "peak_rss_mb": round(peak_mb, 1),
        "precision": round(hits / max(1, len(predicted)), 5),
        "recall": round(hits / max(1, len(true_pairs)), 5),
    }
    print(json.dumps(result))
    print(done.stdout[-2000:], file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
