"""RSMF headers from case strings: a line-break character in a name, the conversation's name,
the case reference or the marking does not fail the export; the manifest keeps it exactly."""

from __future__ import annotations

import dataclasses
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from bundle_factory import make_bundle, message
from rsmf_files import unpack

from reviewer.bundle import rsmf
from reviewer.bundle.rsmf_check import check_rsmf
from reviewer.bundle.rsmf_eml import eml_bytes
from reviewer.core.progress import CancelToken, NullProgress

# every character str.splitlines breaks on; the email package refuses each in a header
BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def _broken(text: str, breaks: str) -> str:
    return breaks.join(text.split(" "))


@pytest.mark.parametrize("breaks", ["\u2028\x85", *BREAKS, "\r\n"])
def test_line_breaks_in_header_values_become_spaces(tmp_path: Path, breaks: str) -> None:
    person = _broken("Alex Turner here", breaks)
    custodian = _broken("Sam Reid", breaks)
    conversation = _broken("Shift B night", breaks)
    messages = [
        dataclasses.replace(message(i, sender=person, tagged=i == 2), conversation=conversation)
        for i in (1, 2, 3)
    ]
    bundle = make_bundle(messages)
    bundle.case_reference = _broken("OP 1", breaks)
    bundle.marking = _broken("OFFICIAL SENSITIVE", breaks)
    bundle.exhibits = [dataclasses.replace(bundle.exhibits[0], custodian=custodian)]
    names = {"Alex Turner": person, "Sam Reid": custodian}
    bundle.participants = [
        dataclasses.replace(p, name=names.get(p.name, p.name)) for p in bundle.participants
    ]

    (name,) = rsmf.write_rsmf(bundle, tmp_path, NullProgress(), CancelToken())
    path = tmp_path / name
    assert check_rsmf(path) == []
    eml, manifest, _ = unpack(path)
    spaced = " " * len(breaks)
    assert eml["Subject"].startswith(f"Shift{spaced}B{spaced}night ")
    assert eml["X-RSMF-Custodian"] == f"Sam{spaced}Reid"
    assert eml["X-RSMF-Marking"] == f"OFFICIAL{spaced}SENSITIVE"
    assert eml["X-RSMF-EventCollectionID"].startswith(f"OP{spaced}1/")
    assert eml["From"].addresses[0].display_name == f"Sam{spaced}Reid"
    shown = [a.display_name for a in eml["To"].addresses]
    assert f"Alex{spaced}Turner{spaced}here" in shown
    assert f"Alex{spaced}Turner{spaced}here" in eml["X-RSMF-Participants"]
    # the manifest keeps the exact values
    displays = {p["display"] for p in manifest["participants"]}
    assert {person, custodian} <= displays
    assert manifest["conversations"][0]["display"] == conversation
    assert manifest["eventcollectionid"].startswith(bundle.case_reference + "/")
    assert {e["participant"] for e in manifest["events"]} == {"P1"}


def test_eml_bytes_takes_any_line_break_in_a_header() -> None:
    raw = eml_bytes({"Subject": f"a{BREAKS}b", "X-Other": "c\u2028d"}, "text\n", b"", "z.zip")
    eml = message_from_bytes(raw, policy=default)
    assert eml["Subject"] == "a" + " " * len(BREAKS) + "b"
    assert eml["X-Other"] == "c d"
