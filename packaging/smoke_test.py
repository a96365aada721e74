"""Smoke test of the built one-folder application (standard library only).

    python packaging/smoke_test.py [dist/reviewer/reviewer]

Runs the frozen executable as a user would, in a throwaway HOME: ``--version``; the demo
case built by ``reviewer demo --no-gui`` and its media analysed by every engine; a new case;
an import of a corpus export (../shared/corpus, else the demo export the application ships);
a tag; an export, whose PDF and HTML reports must both be written (the PDF with the bundled
fonts), and ``reviewer verify``; the GUI offscreen up to its main window; and an import large
enough to use the spawned worker process. Prints one line per step, the start-up times and
the application's size, and exits non-zero if any step failed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_ZIP = "whatsapp-zip-pustur/whatsapp-chat-parser-example.zip"
# The demo export is whatever the package ships in resources/demo (its name has changed).
DEMO_FOLDER = Path("reviewer", "resources", "demo")
FONTS_FOLDER = Path("reviewer", "resources", "fonts")
VERSION_NAMES = ("Qt", "SQLAlchemy", "SQLite", "Pillow", "libmagic")
WORKER_BYTES = 9 * 2**20  # above the importer's 8 MB threshold for its worker process
GUI_TIMEOUT_S = 120


class Smoke:
    def __init__(self, app: Path, work: Path) -> None:
        self.app = app
        self.work = work
        self.failures: list[str] = []
        self.env = dict(os.environ)
        # A fresh HOME: no settings, recent cases or data folders of the person building.
        home = work / "home"
        home.mkdir()
        self.env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local/share"),
            XDG_CACHE_HOME=str(home / ".cache"),
            REVIEWER_NAME="Packaging Smoke Test",
            QT_QPA_PLATFORM="offscreen",
        )
        self.env.pop("REVIEWER_SELFTEST", None)

    def run(self, *args: str, extra: dict[str, str] | None = None) -> str:
        env = {**self.env, **(extra or {})}
        done = subprocess.run(
            [str(self.app), *args], env=env, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-800:]}")
        return done.stdout

    def run_both(self, *args: str) -> tuple[str, str]:
        """Stdout and stderr of a successful run."""
        done = subprocess.run(
            [str(self.app), *args], env=self.env, capture_output=True, text=True, timeout=900
        )
        if done.returncode != 0:
            raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-800:]}")
        return done.stdout, done.stderr

    def has_command(self, name: str) -> bool:
        try:
            self.run(name, "--help")
        except RuntimeError:
            return False
        return True

    def step(self, name: str, action: Callable[[], str]) -> None:
        started = time.perf_counter()
        try:
            detail = action()
        except Exception as exc:  # every failure is reported, then the next step runs
            self.failures.append(name)
            print(f"FAIL  {name}: {exc}", flush=True)
            return
        print(f"ok    {name} ({time.perf_counter() - started:.2f} s){detail}", flush=True)


def check_version(smoke: Smoke) -> str:
    out = smoke.run("--version")
    lines = out.splitlines()
    if not lines or not re.fullmatch(r"reviewer \d+\.\d+\.\d+\S*", lines[0].strip()):
        raise RuntimeError(f"first line is not 'reviewer X.Y.Z': {out!r}")
    found = {line.split()[0]: line.split(None, 1)[1] for line in lines[1:] if line.strip()}
    missing = [n for n in VERSION_NAMES if found.get(n, "not installed") == "not installed"]
    if missing:
        raise RuntimeError(f"--version lacks {', '.join(missing)}: {out!r}")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        smoke.run("--version")
        timings.append(time.perf_counter() - started)
    median, best = statistics.median(timings), min(timings)
    return (
        "\n"
        + out.rstrip()
        + f"\n      --version wall time: median of 5 {median:.2f} s, best {best:.2f} s"
    )


def demo_export(app: Path) -> Path:
    """The demo export inside the built application (one-folder: ``_internal/``), else the
    one in the source tree."""
    for folder in (app.parent / "_internal" / DEMO_FOLDER, app.parent / DEMO_FOLDER):
        found = sorted(folder.glob("*.zip"))
        if found:
            return found[0]
    found = sorted((ROOT / "src" / DEMO_FOLDER).glob("*.zip"))
    if not found:
        raise RuntimeError(f"no demo export in the application or in src/{DEMO_FOLDER}")
    return found[0]


def corpus_export(app: Path) -> Path:
    corpus = Path(os.environ.get("REVIEWER_CORPUS", ROOT.parent / "shared" / "corpus"))
    candidate = corpus / CORPUS_ZIP
    return candidate if candidate.is_file() else demo_export(app)


def demo_case(smoke: Smoke) -> str:
    out = smoke.run("demo", "--no-gui", "--case", str(smoke.work / "demo-case"))
    if "demo case" not in out or len(out.splitlines()) < 3:
        raise RuntimeError(f"unexpected output: {out[-800:]!r}")
    return ": " + out.splitlines()[0]


def import_and_tag(smoke: Smoke, case: Path) -> str:
    export = corpus_export(smoke.app)
    smoke.run("case", "new", str(case), "--reference", "SMOKE-1", "--timezone", "Europe/London")
    out = smoke.run("import", str(case), str(export), "--exhibit", "EX1")
    records = [
        json.loads(line)
        for line in smoke.run("messages", str(case), "--jsonl").split("\n")
        if line.strip()
    ]
    texts = [r["id"] for r in records if r["kind"] == "text"]
    if not texts:
        raise RuntimeError("the import produced no text message")
    smoke.run("tag", str(case), str(texts[0]), "discriminatory.race", "--note", "smoke test")
    return f": {export.name}: {out.strip()}"


def export_and_verify(smoke: Smoke, case: Path, bundle: Path) -> str:
    if not smoke.has_command("export") or not smoke.has_command("verify"):
        out = smoke.run(str(case), str(bundle), extra={"REVIEWER_SELFTEST": "export"})
        return " (service layer: this build's command line has no export command)\n" + out
    out = smoke.run("export", str(case), str(bundle))
    # A report whose library is missing from the build is skipped with a warning and the export
    # still succeeds, so look at the files themselves.
    pdf, html = bundle / "data" / "report" / "report.pdf", bundle / "data" / "report" / "index.html"
    if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF-"):
        raise RuntimeError(f"the bundle has no PDF report (is its engine in the build?): {out}")
    if not html.is_file():
        raise RuntimeError(f"the bundle has no HTML report: {out}")
    fonts = bundled_fonts_in(pdf, smoke.app)
    verified = smoke.run("verify", str(bundle))
    sizes = f"report.pdf {pdf.stat().st_size:,} bytes, index.html {html.stat().st_size:,} bytes"
    return "\n" + (out + verified).rstrip() + f"\n      {sizes}; bundled fonts used: {fonts}"


def bundled_fonts_in(pdf: Path, app: Path) -> str:
    """The bundled fonts the PDF embeds (by PostScript name, which for these fonts is the file's
    name); fails when it embeds none of them, e.g. when the engine fell back to its own."""
    fonts = [app.parent / "_internal" / FONTS_FOLDER, app.parent / FONTS_FOLDER]
    bundled = {f.stem for folder in fonts if folder.is_dir() for f in folder.iterdir()}
    if not bundled:
        raise RuntimeError(f"the application has no {FONTS_FOLDER} folder")
    embedded = {
        m.decode() for m in re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([\w-]+)", pdf.read_bytes())
    }
    used = sorted(embedded & bundled)
    if not used:
        raise RuntimeError(f"report.pdf embeds none of the bundled fonts: {sorted(embedded)}")
    return ", ".join(used)


def analyse_media(smoke: Smoke) -> str:
    """OCR, sexual-content scoring and near-duplicate grouping of the demo case's pictures,
    in the spawned worker processes: an engine or model missing from the build is only a
    warning to the command, so the warnings are what is checked."""
    case = smoke.work / "demo-case"
    out, err = smoke.run_both("analyse", str(case), "--ocr", "--nudity", "--similar")
    missing = [line for line in err.splitlines() if "not available" in line]
    if missing or "could not be read" in out:
        raise RuntimeError(f"{out.strip()} {' '.join(missing)}")
    records = [json.loads(line) for line in smoke.run("media", str(case), "--jsonl").splitlines()]
    return f": {out.strip()}; {len(records)} media records"


def gui_main_window(smoke: Smoke, case: Path) -> str:
    env = {**smoke.env, "REVIEWER_SELFTEST": "gui"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(smoke.app), str(case)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    shown_after = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("main window shown") and shown_after is None:
            shown_after = time.perf_counter() - started
        if line.startswith("QtNetwork module loaded: True"):
            proc.kill()
            raise RuntimeError("the GUI loaded PySide6.QtNetwork")
    code = proc.wait(timeout=GUI_TIMEOUT_S)
    if code != 0 or shown_after is None:
        raise RuntimeError(f"exit {code}: {proc.stderr.read()[-800:] if proc.stderr else ''}")
    return f": main window after {shown_after:.2f} s (process start to window visible)"


def large_import(smoke: Smoke, case: Path) -> str:
    """An export above the worker threshold: proves the spawned worker runs frozen."""
    chat = smoke.work / "large" / "_chat.txt"
    chat.parent.mkdir()
    with chat.open("w", encoding="utf-8", newline="") as out:
        n = 0
        while out.tell() < WORKER_BYTES:
            minute, second = divmod(n % 3600, 60)
            day = 1 + n // 3600 % 28
            out.write(
                f"[{day:02d}/03/2024, 10:{minute:02d}:{second:02d}] Sam Reid: "
                f"message number {n} of the large smoke-test export, padded out\r\n"
            )
            n += 1
    out_text = smoke.run("import", str(case), str(chat), "--exhibit", "EX2")
    cpus = os.cpu_count() or 1
    note = "" if cpus >= 2 else " (1 CPU: the importer stays in one process)"
    return f": {n} messages, {chat.stat().st_size / 2**20:.1f} MB{note}: {out_text.strip()}"


def media_analysis(smoke: Smoke) -> str:
    """Ten photos (one re-encoded twice) and a one-second video made here with PyAV: the
    frozen app hashes them in worker processes and reads the video with its bundled FFmpeg."""
    import io
    import zipfile

    import av
    from PIL import Image, ImageDraw

    case, export = smoke.work / "media-case", smoke.work / "media.zip"
    lines, members = ["[14/03/2024, 09:58:00] Sam Reid: Morning all\r\n"], {}
    for index in range(10):
        image = Image.new("RGB", (320, 240), (index * 25, 80, 255 - index * 25))
        ImageDraw.Draw(image).ellipse((index * 20, 40, index * 20 + 120, 200), fill="white")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=60 if index == 9 else 90)
        members[f"{index:08d}-PHOTO-2024-03-14-10-00-{index:02d}.jpg"] = buffer.getvalue()
    first = Image.open(io.BytesIO(members["00000000-PHOTO-2024-03-14-10-00-00.jpg"]))
    buffer = io.BytesIO()
    first.save(buffer, "JPEG", quality=50)
    members["00000010-PHOTO-2024-03-14-10-00-10.jpg"] = buffer.getvalue()
    video = smoke.work / "clip.mp4"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for _ in range(10):
            for packet in stream.encode(av.VideoFrame.from_image(first)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    members["00000011-VIDEO-2024-03-14-10-00-11.mp4"] = video.read_bytes()
    with zipfile.ZipFile(export, "w") as archive:
        for index, name in enumerate(members):
            lines.append(f"[14/03/2024, 10:00:{index:02d}] Jo Park: \u200e<attached: {name}>\r\n")
            archive.writestr(name, members[name])
        archive.writestr("_chat.txt", "".join(lines).encode())
    smoke.run("case", "new", str(case), "--reference", "SMOKE-2")
    smoke.run("import", str(case), str(export), "--exhibit", "M1")
    out = smoke.run("analyse", str(case))
    records = [json.loads(x) for x in smoke.run("media", str(case), "--jsonl").splitlines() if x]
    durations = [r["duration"] for r in records if r["mime"] == "video/mp4"]
    grouped = [r for r in records if r["similar_group"] is not None]
    if not durations or abs(durations[0] - 1.0) > 0.2:
        raise RuntimeError(f"video duration {durations}, expected 1.0 s")
    if len(grouped) < 2:
        raise RuntimeError(f"no near-duplicate group: {out.strip()}")
    return f": {out.strip()}; video {durations[0]:.2f} s"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: Sequence[str]) -> int:
    app = Path(argv[0] if argv else ROOT / "dist" / "reviewer" / "reviewer").resolve()
    if not app.exists():
        print(f"smoke test: {app} not found (run packaging/build.sh)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="reviewer-smoke-"))
    smoke = Smoke(app, work)
    case, bundle = work / "case", work / "bundle"
    try:
        smoke.step("--version prints reviewer and library versions", lambda: check_version(smoke))
        smoke.step("reviewer demo --no-gui builds the demo case", lambda: demo_case(smoke))
        smoke.step(
            "analyse the demo's media (OCR, nudity, near-duplicates)", lambda: analyse_media(smoke)
        )
        smoke.step("import a corpus export and tag a message", lambda: import_and_tag(smoke, case))
        smoke.step(
            "export a bundle; reviewer verify accepts it",
            lambda: export_and_verify(smoke, case, bundle),
        )
        smoke.step(
            "GUI starts offscreen and shows its main window", lambda: gui_main_window(smoke, case)
        )
        smoke.step("large import through the worker process", lambda: large_import(smoke, case))
        smoke.step(
            "analyse media in worker processes; PyAV reads a video", lambda: media_analysis(smoke)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"application size: {folder_size(app.parent) / 2**20:.0f} MiB ({app.parent})")
    if smoke.failures:
        print(f"smoke test FAILED: {', '.join(smoke.failures)}")
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
