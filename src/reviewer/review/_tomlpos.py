"""Line numbers of the entries of a TOML array of tables, for error messages.

``tomllib`` reports positions only for syntax errors. When an entry is valid TOML but wrong in
meaning (a duplicate key, an unknown parent, a bad colour), the user still needs the line. This
scanner finds where each entry of one top-level array begins, in either spelling TOML allows:

    [[category]]                      category = [
    key = "race"                          { key = "race", ... },
                                      ]

It understands strings (basic, literal and multi-line), comments and bracket nesting well enough
to find those starts; it does not validate anything (``tomllib`` has already done that).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from reviewer.core.errors import InputError

_HEADER = re.compile(r"\s*\[\[\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*\]\]")
_TABLE = re.compile(r"\s*\[")
_ASSIGN = re.compile(r"\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*=")


@dataclass(frozen=True, slots=True)
class EntrySpan:
    """Where one entry of the array lies: its first and last line (1-based, inclusive)."""

    first: int
    last: int


def _bare(name: str) -> str:
    return name[1:-1] if name[:1] in "\"'" else name


class _Scanner:
    """Walks the text once, tracking strings and nesting, and records entry starts."""

    def __init__(self, text: str, array: str) -> None:
        self.text = text
        self.array = array
        self.lines = text.splitlines()
        self.starts: list[int] = []
        self.ends: list[int] = []

    def scan(self) -> list[EntrySpan]:
        depth = 0  # nesting of [ and { inside a value
        current_key = ""  # top-level key whose value we are inside
        in_string: str | None = None  # the delimiter of the open string
        in_header_array = False
        for number, line in enumerate(self.lines, start=1):
            col = 0
            if in_string is None and depth == 0:
                header = _HEADER.match(line)
                if header:
                    self._close(number - 1)
                    in_header_array = _bare(header.group(1)) == self.array
                    if in_header_array:
                        self.starts.append(number)
                    continue
                if _TABLE.match(line):
                    self._close(number - 1)
                    in_header_array = False
                    continue
                assign = _ASSIGN.match(line)
                if assign and not in_header_array:
                    current_key = _bare(assign.group(1))
                    col = assign.end()
            while col < len(line):
                ch = line[col]
                if in_string is not None:
                    if ch == "\\" and in_string in ('"', '"""'):
                        col += 2
                        continue
                    if line.startswith(in_string, col):
                        col += len(in_string)
                        in_string = None
                        continue
                    col += 1
                    continue
                if ch == "#":
                    break
                if ch in "\"'":
                    triple = ch * 3
                    in_string = triple if line.startswith(triple, col) else ch
                    col += len(in_string)
                    continue
                if ch in "[{":
                    depth += 1
                    if ch == "{" and depth == 2 and current_key == self.array:
                        self.starts.append(number)
                elif ch in "]}":
                    depth = max(0, depth - 1)
                    if ch == "}" and depth == 1 and current_key == self.array:
                        self.ends.append(number)
                col += 1
            if in_string in ('"', "'"):
                in_string = None  # single-line strings cannot span lines
        self._close(len(self.lines))
        return [EntrySpan(first, last) for first, last in zip(self.starts, self.ends, strict=False)]

    def _close(self, last_line: int) -> None:
        """End the open ``[[array]]`` entry, if any, at ``last_line``."""
        if len(self.ends) < len(self.starts):
            self.ends.append(max(last_line, self.starts[-1]))


def entry_spans(text: str, array: str) -> list[EntrySpan]:
    """The line span of each entry of the top-level array of tables ``array``, in order."""
    return _Scanner(text, array).scan()


def field_line(text: str, span: EntrySpan | None, field: str) -> int | None:
    """The line inside ``span`` where ``field = …`` is written, else the entry's first line."""
    if span is None:
        return None
    lines = text.splitlines()
    pattern = re.compile(rf"(?:^|[\s{{,])(?:{re.escape(field)}|\"{re.escape(field)}\")\s*=")
    for number in range(span.first, span.last + 1):
        if number - 1 < len(lines) and pattern.search(lines[number - 1]):
            return number
    return span.first


def top_level_line(text: str, name: str) -> int | None:
    """The line where the top-level key or table ``name`` is written, if it can be found."""
    pattern = re.compile(
        rf"\s*(?:\[\[?\s*)?(?:{re.escape(name)}|\"{re.escape(name)}\")\s*(?:=|\]\]?)"
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML, turning tomllib's error into an InputError with its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        line = int(position.group(1)) if position else None
        if position:
            message = message[: position.start()]
        raise InputError(f"invalid TOML: {message}", file=source, line=line) from None
