"""Check an .rsmf file as Relativity's validator would: the EML layer, the zip layer, the
manifest against the 2.0.0 JSON schema, and what the schema cannot see (misspelt keys,
references to undefined participants, conversations, parents and files, hashes)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from jsonschema import Draft7Validator, FormatChecker

from reviewer.bundle.rsmf import MANIFEST, SHA_PREFIX, VERSION, ZIP_NAME

SCHEMA = "rsmf/rsmf_schema_2_0_0.json"


@cache
def schema() -> dict[str, Any]:
    """The RSMF 2.0.0 manifest schema shipped with the application (BSD-3, see its LICENSE)."""
    text = resources.files("reviewer.resources").joinpath(SCHEMA).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


def check_rsmf(path: Path) -> list[str]:
    """Every problem found in one .rsmf file, in the order checked; [] when it is sound."""
    try:
        message = message_from_bytes(path.read_bytes(), policy=default)
    except (OSError, ValueError) as exc:
        return [f"cannot read as an EML message: {exc}"]
    assert isinstance(message, EmailMessage)
    problems: list[str] = []
    header = message.get("X-RSMF-Version")
    if header is None:
        return ["no X-RSMF-Version header"]
    parts = [p for p in message.iter_attachments() if isinstance(p, EmailMessage)]
    if len(parts) != 1 or parts[0].get_filename() != ZIP_NAME:
        names = [p.get_filename() for p in parts]
        return [f"must have exactly one attachment named {ZIP_NAME}, has {names}"]
    body = message.get_body(("plain",))
    if body is None or not cast(EmailMessage, body).get_content().strip():
        problems.append("the EML body is empty")
    data = parts[0].get_payload(decode=True)
    if not isinstance(data, bytes):
        return [*problems, f"{ZIP_NAME} cannot be decoded"]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
        files = {i.filename: archive.read(i) for i in members}
    except (zipfile.BadZipFile, RuntimeError, ValueError) as exc:
        return [*problems, f"{ZIP_NAME} is not a readable zip: {exc}"]
    problems += _clashing_names([i.filename for i in members])
    if MANIFEST not in files:
        return [*problems, f"{ZIP_NAME} has no {MANIFEST}"]
    try:
        manifest = json.loads(files.pop(MANIFEST).decode("utf-8"))
    except ValueError as exc:
        return [*problems, f"{MANIFEST} is not JSON: {exc}"]
    if str(header).strip() != manifest.get("version"):
        problems.append(f"X-RSMF-Version {header} differs from the manifest's version")
    problems += _header_problems(message, manifest)
    problems += check_manifest(manifest, files)
    return problems


def _clashing_names(names: list[str]) -> list[str]:
    """Member names the zip holds more than once, or that differ only in case (one would
    overwrite the other when the zip is extracted on Windows or macOS)."""
    seen: dict[str, str] = {}
    problems = []
    for name in names:
        first = seen.setdefault(name.casefold(), name)
        if first is not name:
            problems.append(f"{ZIP_NAME}: member {name!r} clashes with {first!r}")
    return problems


def check_manifest(manifest: Any, files: Mapping[str, bytes]) -> list[str]:
    """Schema, undefined properties and references of a manifest; ``files`` are the other
    members of its zip (name -> bytes)."""
    validator = Draft7Validator(schema(), format_checker=FormatChecker())
    problems = [
        f"schema: {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    ]
    if problems or not isinstance(manifest, dict):
        return problems
    if manifest["version"] != VERSION:
        problems.append(f"version {manifest['version']!r}, expected {VERSION}")
    problems += [f"undefined property {p}" for p in _undefined(manifest, schema(), "")]
    problems += _references(manifest, files)
    return problems


def _undefined(value: Any, node: Mapping[str, Any], where: str) -> Iterator[str]:
    """Keys the schema does not define (it allows them; Relativity's validator does not)."""
    if isinstance(value, dict) and "properties" in node:
        known = node["properties"]
        for key, item in value.items():
            if key not in known:
                yield f"{where}/{key}"
            else:
                yield from _undefined(item, known[key], f"{where}/{key}")
    elif isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            yield from _undefined(item, node["items"], f"{where}/{index}")


def _references(manifest: dict[str, Any], files: Mapping[str, bytes]) -> list[str]:
    problems: list[str] = []
    people = [p["id"] for p in manifest["participants"]]
    talks = [c["id"] for c in manifest["conversations"]]
    for kind, ids in (("participant", people), ("conversation", talks)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"duplicate {kind} ids {dupes}")
    for what in ("participants", "conversations", "events"):
        if not manifest[what]:
            problems.append(f"no {what}")
    known, members = (
        set(people),
        {c["id"]: set(c["participants"]) for c in manifest["conversations"]},
    )
    referenced = set()
    for p in manifest["participants"]:
        if "avatar" in p:
            referenced.add(p["avatar"])
    for c in manifest["conversations"]:
        undefined = sorted(set(c["participants"]) - known)
        if undefined:
            problems.append(f"conversation {c['id']}: undefined participants {undefined}")
        if "custodian" in c and c["custodian"] not in members[c["id"]]:
            problems.append(f"conversation {c['id']}: custodian is not a participant")
        if "icon" in c:
            referenced.add(c["icon"])
    problems += _event_references(manifest["events"], known, members, files, referenced)
    for name in sorted(referenced - set(files)):
        problems.append(f"file {name!r} is named in the manifest but not in the zip")
    for name in sorted(set(files) - referenced):
        problems.append(f"file {name!r} in the zip is not referenced by the manifest")
    return problems


def _event_references(
    events: list[dict[str, Any]],
    known: set[str],
    members: Mapping[str, set[str]],
    files: Mapping[str, bytes],
    referenced: set[str],
) -> list[str]:
    problems: list[str] = []
    seen: dict[tuple[str | None, str], str | None] = {}
    for index, e in enumerate(events):
        where = f"event {e.get('id', index)}"
        conversation = e.get("conversation")
        if conversation not in members:
            problems.append(f"{where}: conversation {conversation!r} is not defined")
        people = [e.get("participant")]
        people += [x.get("participant") for x in (*e.get("edits", ()), *e.get("read_receipts", ()))]
        people += [p for r in e.get("reactions", ()) for p in r.get("participants", ())]
        for person in people:
            if person is not None and person not in known:
                problems.append(f"{where}: participant {person!r} is not defined")
        if "id" in e:
            if (conversation, e["id"]) in seen:
                problems.append(f"{where}: duplicate event id")
            seen[(conversation, e["id"])] = e.get("timestamp")
        if "parent" in e and (conversation, e["parent"]) not in seen:
            problems.append(f"{where}: parent {e['parent']!r} is not an earlier event")
        hashes = {
            c["name"][len(SHA_PREFIX) :]: c["value"]
            for c in e.get("custom", ())
            if c["name"].startswith(SHA_PREFIX)
        }
        for attachment in e.get("attachments", ()):
            name = attachment["id"]
            referenced.add(name)
            if name in files and name in hashes:
                actual = hashlib.sha256(files[name]).hexdigest()
                if actual != hashes[name]:
                    problems.append(f"{where}: {name} does not match its stated SHA-256")
    return problems


def _header_problems(message: EmailMessage, manifest: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    events = manifest.get("events") or []
    count = message.get("X-RSMF-EventCount")
    if count is not None and str(count).strip() != str(len(events)):
        problems.append(f"X-RSMF-EventCount {count} but the manifest has {len(events)} events")
    times = [e["timestamp"] for e in events if isinstance(e, dict) and "timestamp" in e]
    for name, expected in (
        ("BeginDate", min(times, default=None)),
        ("EndDate", max(times, default=None)),
    ):
        value = message.get(f"X-RSMF-{name}")
        if value is not None and str(value).strip() != expected:
            problems.append(f"X-RSMF-{name} {value} differs from the events ({expected})")
    return problems
