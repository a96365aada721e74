"""`reviewer export --agreement`: the report prints the agreement between a lead and a blind
second reviewer (DESIGN.md §11), with kappa computed here independently."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reviewer.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _review(
    capsys: pytest.CaptureFixture[str], who: str, case: str, ids: list[int], says: list[bool]
) -> None:
    for message, derogatory in zip(ids, says, strict=True):
        if derogatory:
            run(capsys, "--reviewer", who, "tag", case, str(message), "derogatory")
        else:
            run(capsys, "--reviewer", who, "review", case, str(message))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_report_prints_the_agreement_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "".join(f"[14/03/2024, 10:{i:02d}:00] Sam Reid: message {i}\r\n" for i in range(10)),
        encoding="utf-8",
    )
    case, second = str(tmp_path / "case"), str(tmp_path / "second")
    run(capsys, "--reviewer", "Lead", "case", "new", case, "--reference", "OP-7")
    run(capsys, "--reviewer", "Lead", "import", case, str(chat), "--exhibit", "AB/1")
    listing = run(capsys, "messages", case, "--jsonl")
    ids = [json.loads(line)["id"] for line in listing.splitlines() if line]
    lead = [True, True, True, False, False, False, False, False, True, False]
    bee = [True, True, False, False, True, False, False, False, True, False]
    _review(capsys, "Lead", case, ids, lead)
    run(capsys, "--reviewer", "Lead", "package", case, second, "--blind", "--for", "Bee")
    _review(capsys, "Bee", second, ids, bee)
    run(capsys, "--reviewer", "Lead", "merge", case, second)

    n = len(lead)
    p_o = sum(a == b for a, b in zip(bee, lead, strict=True)) / n
    p_bee, p_lead = sum(bee) / n, sum(lead) / n
    p_e = p_bee * p_lead + (1 - p_bee) * (1 - p_lead)
    kappa = f"{(p_o - p_e) / (1 - p_e):.3f}"
    disagreements = [ids[i] for i in range(n) if bee[i] != lead[i]]

    with_section = tmp_path / "with"
    run(capsys, "--reviewer", "Lead", "export", case, str(with_section), "--agreement")
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(with_section / "data/report/report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Agreement between reviewers" in pdf
    row = next(line for line in pdf.splitlines() if "Bee / Lead" in line)
    assert kappa in row and f"{p_o:.1%}" in row
    assert re.search(rf"\b{disagreements[0]}, {disagreements[1]}\b", pdf)
    html = (with_section / "data/report/index.html").read_text(encoding="utf-8")
    assert "Agreement between reviewers" in html and kappa in html and "Bee / Lead" in html
    assert "bundle verified" in run(capsys, "verify", str(with_section))

    without = tmp_path / "without"
    run(capsys, "--reviewer", "Lead", "export", case, str(without))
    html = (without / "data/report/index.html").read_text(encoding="utf-8")
    assert "Agreement between reviewers" not in html
