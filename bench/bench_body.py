"""Benchmark: ``classify_body`` per message, on realistic exports and hand-written samples.

Usage: python bench/bench_body.py [--messages N] [--seed S] [--repeat R] [--compare OLD_BODY_PY]

    git show HEAD:src/reviewer/importers/whatsapp/body.py > /tmp/body_before.py
    python bench/bench_body.py --compare /tmp/body_before.py   # adds a "before" column

Generates one iOS and one Android export with ../shared/tools/gen_whatsapp.py (cached under
/tmp/bodyperf/), captures the exact ``(author, body, platform)`` arguments the parser passes to
``classify_body`` (by wrapping the module attribute while iterating ``parse_chat``), then times
``classify_body`` over them: the overall average per call in file order, and µs/call per
category of body. Hand-written samples of every body kind (export-formats.md §1.7–§1.11: system
lines in English and German, media markers in the seven languages …) are timed the same way.

Targets: average ≤ 1.5 µs per message, plain text ≤ 0.9 µs, no common kind above ~8 µs.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import cast

from reviewer.core.records import MessageKind
from reviewer.importers.whatsapp import body as body_module
from reviewer.importers.whatsapp.body import Body, classify_body
from reviewer.importers.whatsapp.parser import parse_chat

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_whatsapp.py"
CACHE = Path("/tmp/bodyperf")

Call = tuple[str | None, str, str]

LRM = "\u200e"
FSI = "\u2068"
PDI = "\u2069"


def generate(style: str, messages: int, seed: int) -> Path:
    name = "_chat.txt" if style == "ios" else "chat.txt"
    target = CACHE / f"{style}-{messages}-{seed}" / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        args = ["--messages", str(messages), "--style", style, "--seed", str(seed)]
        subprocess.run(
            [sys.executable, str(GENERATOR), *args, "--out", str(target), "--quiet"], check=True
        )
    return target


def capture(path: Path) -> list[Call]:
    """The arguments the parser passes to ``classify_body`` for every message of ``path``."""
    calls: list[Call] = []
    original = body_module.classify_body

    def spy(author: str | None, body: str, *, platform: str, pseudo: bool = False) -> Body:
        calls.append((author, body, platform))  # pseudo (the iOS chat name) is rare: not timed
        return original(author, body, platform=platform, pseudo=pseudo)

    body_module.classify_body = spy  # parse_chat looks it up when called
    try:
        for _ in parse_chat(path.read_bytes(), file_name=path.name).messages:
            pass
    finally:
        body_module.classify_body = original
    return calls


# --------------------------------------------------------------------------- categories


def category(call: Call, got: Body) -> str:
    """A stable name for the kind of body (from the input's shape and the verdict)."""
    author, body, platform = call
    if author is None:
        return "android system line (no author)"
    if got.kind is MessageKind.SYSTEM:
        return f"{platform} system line (pseudo-author)"
    prefix = "edited " if got.edited else ""
    if got.attachments:
        if platform == "ios":
            return prefix + ("ios attached + caption" if got.text else "ios attached")
        return prefix + ("android file attached + caption" if got.text else "android file attached")
    if "media-omitted" in got.flags:
        return prefix + ("android <Media omitted>" if platform == "android" else "ios … omitted")
    if got.kind is not MessageKind.TEXT:
        return prefix + got.kind.value
    if got.flags and got.flags[0] in ("empty-body", "null-body", "undecryptable"):
        return prefix + f"text ({got.flags[0]})"
    if got.edited:
        return "edited text"
    if "unrecognised-pattern" in got.flags:
        return "text, unrecognised LRM-led"
    if "\n" in body:
        return "text, multi-line"
    if "://" in body:
        return "text with URL"
    if "@" in body:
        return "text with @"
    if not body.isascii():
        return "text, non-ASCII"
    return "text, plain ASCII"


# --------------------------------------------------------------------------- samples

ANDROID_OMITTED = (
    "<Media omitted>",
    "<Medien ausgeschlossen>",
    "<Medien weggelassen>",
    "<Multimedia omitido>",
    "<Archivo omitido>",
    "<Médias omis>",
    "<Fichier omis>",
    "<Mídia oculta>",
    "<Mídia omitida>",
    "<Ficheiro não revelado>",
    "<Media omessi>",
    "<Media omesso>",
    "<Media weggelaten>",
    "<Video message omitted>",
)
FILE_ATTACHED = (
    "file attached",
    "Datei angehängt",
    "archivo adjunto",
    "fichier joint",
    "arquivo anexado",
    "file allegato",
    "bestand bijgevoegd",
)
ATTACHED_TAG = (
    "attached: ",
    "Anhang: ",
    "adjunto: ",
    "pièce jointe : ",
    "anexado: ",
    "allegato: ",
    "bijgevoegd: ",
)
IOS_OMITTED = (
    "image omitted",
    "video omitted",
    "audio omitted",
    "sticker omitted",
    "GIF omitted",
    "Contact card omitted",
    "Bild weggelassen",
    "imagen omitida",
    "image absente",
    "imagem ocultada",
    "immagine omessa",
    "afbeelding weggelaten",
)
EDITED = (
    "This message was edited",
    "Diese Nachricht wurde bearbeitet.",
    "Se editó este mensaje.",
    "Ce message a été modifié",
    "Mensagem editada",
    "Questo messaggio è stato modificato",
    "Dit bericht is bewerkt",
)
DELETED = (
    "This message was deleted",
    "You deleted this message",
    "Message deleted",
    "Diese Nachricht wurde gelöscht.",
    "Se eliminó este mensaje.",
    "Ce message a été supprimé.",
    "Esta mensagem foi apagada.",
    "Questo messaggio è stato eliminato.",
    "Dit bericht is verwijderd",
    "This message was deleted by admin ~Sam.",
)
SYSTEM = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
    "WhatsApp, can read or listen to them. Tap to learn more.",
    "Messages to this chat and calls are now secured with end-to-end encryption. "
    "Tap for more info.",
    'Sam Patel created group "Night Shift"',
    "You created group “Night Shift”",
    "Sam Patel added Chris Evans",
    "You added Chris Evans, Jo Lee and Ann",
    "Sam Patel removed Chris Evans",
    "Chris Evans left",
    "+44 7700 900123 joined using this group's invite link",
    'Sam Patel changed the subject from "A" to "B"',
    "Sam Patel changed this group's icon",
    "Sam Patel changed the group description",
    "You're now an admin",
    "Your security code with Sam Patel changed. Tap to learn more.",
    "Sam Patel's security code changed. Tap for more info.",
    "+44 7700 900123 changed to +44 7700 900456",
    "You turned on disappearing messages. New messages will disappear.",
    "Sam Patel started a call",
    "You blocked this contact. Tap to unblock.",
    "This chat is with a business account. Tap to learn more.",
    "Sam Patel pinned a message",
    "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.",
    'Du hast die Gruppe "X" erstellt.',
    'Sam hat die Gruppe "Y" erstellt.',
    "Du hast Chris hinzugefügt.",
    "Sam hat Chris entfernt.",
    "Chris hat die Gruppe verlassen.",
    "Sam hat das Gruppenbild geändert.",
    "Sam hat den Gruppennamen von „A“ zu „B“ geändert.",
    "Dein Sicherheitscode für Sam hat sich geändert. Tippe, um mehr zu erfahren.",
    "Les messages et les appels sont chiffrés de bout en bout.",
)
TEXT = (
    "ok see you at 5",
    "Running late, be there in 10 min!",
    "Привет, как дела? Увидимся завтра",
    "明天见，别忘了带文件",
    "नमस्ते, आप कैसे हैं?",
    "مرحبا كيف حالك",
    "😂😂😂 no way",
    "Straße gesperrt, nehme die Umleitung über Köln",
)


def samples() -> list[tuple[str, Call]]:
    """Hand-written ``(category, call)`` pairs for every body kind."""
    out: list[tuple[str, Call]] = []
    a = "Alex Turner"

    def add(cat: str, author: str | None, body: str, platform: str) -> None:
        out.append((cat, (author, body, platform)))

    for text in TEXT:
        for platform in ("ios", "android"):
            add("text, single line", a, text, platform)
            add("text, multi-line", a, f"{text}\n{text}\n\nand more", platform)
            add("text with URL", a, f"{text} https://example.org/x?y=1", platform)
            add("text with @mention", a, f"@{FSI}Sam Patel{PDI} {text}", platform)
            for edited in EDITED:
                add("edited text", a, f"{text} {LRM}<{edited}>", platform)
    for marker in ANDROID_OMITTED:
        add("android <Media omitted>", a, marker, "android")
    add("android <Media omitted> + document name", a, "<Media omitted>\nStatement.pdf", "android")
    for word in FILE_ATTACHED:
        add("android file attached", a, f"IMG-20240314-WA0007.jpg ({word})", "android")
        add(
            "android file attached + caption",
            a,
            f"{LRM}IMG-20240314-WA0007.jpg ({word})\nPhoto of the damage",
            "android",
        )
    for tag in ATTACHED_TAG:
        name = "00000015-PHOTO-2024-03-14-10-02-11.jpg"
        add("ios attached", a, f"{LRM}<{tag}{name}>", "ios")
        add("ios attached + caption", a, f"Photo of the car {LRM}<{tag}{name}>", "ios")
        add("ios attached, document", a, f"Statement.pdf • {LRM}3 pages {LRM}<{tag}{name}>", "ios")
    add("ios attached, very old", a, f"2015-08-04-PHOTO-00004762.jpg <{LRM}attached>", "ios")
    for omitted in IOS_OMITTED:
        add("ios … omitted", a, f"{LRM}{omitted}", "ios")
    add("ios … omitted, document", a, f"Statement.pdf • {LRM}3 pages {LRM}document omitted", "ios")
    for deleted in DELETED:
        add("deleted", a, deleted, "android")
        add("deleted", a, f"{LRM}{deleted}", "ios")
    for call_line in ("Missed voice call. Tap to call back", "Voice call. 2 min"):
        add("call (ios)", a, f"{LRM}{call_line}", "ios")
    add("call (android)", a, "Missed video call", "android")
    for line in SYSTEM:
        add("android system line (no author)", None, line, "android")
        add("ios system line (pseudo-author)", "Night Shift", f"{LRM}{line}", "ios")
    add("location", a, "location: https://maps.google.com/?q=51.5007,-0.1246", "android")
    add("location", a, f"{LRM}Location: https://maps.google.com/?q=51.5,-0.12", "ios")
    add("location", a, "Abbey (London SW1P 3PA): https://foursquare.com/v/4ac518", "ios")
    add("live location", a, "live location shared", "android")
    add(
        "poll",
        a,
        "POLL:\nWhich shift?\nOPTION: Tuesday (2 votes)\nOPTION: Friday (0 votes)",
        "android",
    )
    add("view once", a, "You sent a view once message. For added privacy, you can only", "ios")
    add("empty / null", a, "", "android")
    add("empty / null", a, "null", "android")
    add("undecryptable", a, "Waiting for this message. This may take a while.", "android")
    return out


# --------------------------------------------------------------------------- timing

Classify = Callable[..., Body]


def load_baseline(path: Path) -> Classify:
    """``classify_body`` of another version of body.py (e.g. ``git show HEAD:…/body.py``)."""
    spec = importlib.util.spec_from_file_location("body_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["body_baseline"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return cast(Classify, module.classify_body)


def per_call(calls: list[Call], repeat: int, fns: list[Classify]) -> list[float]:
    """Best-of-``repeat`` µs per call of each of ``fns`` over ``calls`` in the given order.

    Runs of the functions alternate, so load from other processes hits them alike.
    """
    rounds = max(1, 20_000 // max(1, len(calls)))  # at least ~20,000 calls a run
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(rounds):
                for author, body, platform in calls:
                    fn(author, body, platform=platform)
            best[i] = min(best[i], time.perf_counter() - start)
    return [b / (rounds * len(calls)) * 1e6 for b in best]


def report(
    title: str, groups: dict[str, list[Call]], repeat: int, total: int, fns: dict[str, Classify]
) -> None:
    print(f"\n{title}")
    heads = "".join(f" {name:>10}" for name in fns)
    print(f"  {'category (µs per call)':<44} {'count':>8} {'share':>7}{heads}")
    rows = [
        (per_call(calls, repeat, list(fns.values())), cat, calls) for cat, calls in groups.items()
    ]
    for us, cat, calls in sorted(rows, key=lambda r: r[0][-1], reverse=True):
        share = 100 * len(calls) / total
        cells = "".join(f" {u:>10.2f}" for u in us)
        print(f"  {cat:<44} {len(calls):>8} {share:>6.2f}%{cells}")


def bench_file(style: str, args: argparse.Namespace, fns: dict[str, Classify]) -> None:
    path = generate(style, args.messages, args.seed)
    calls = capture(path)
    groups: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        author, body, platform = call
        groups[category(call, classify_body(author, body, platform=platform))].append(call)
    report(f"{style}: {path} ({len(calls)} messages)", groups, args.repeat, len(calls), fns)
    overall = per_call(calls, args.repeat, list(fns.values()))
    cells = "".join(f" {u:>10.2f}" for u in overall)
    print(f"  {'OVERALL average (file order)':<44} {len(calls):>8} {'':>7}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--compare", type=Path, help="another body.py to time alongside (a 'before' column)"
    )
    args = parser.parse_args()
    fns: dict[str, Classify] = {}
    if args.compare:
        fns["before"] = load_baseline(args.compare)
    fns["now"] = classify_body
    for style in ("ios", "android"):
        bench_file(style, args, fns)
    groups: dict[str, list[Call]] = defaultdict(list)
    for cat, call in samples():
        groups[cat].append(call)
    total = sum(len(v) for v in groups.values())
    title = "hand-written samples (export-formats.md §1.7–§1.11)"
    report(title, groups, args.repeat, total, fns)


if __name__ == "__main__":
    main()
