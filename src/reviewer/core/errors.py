"""Errors a user can cause and understand, as opposed to bugs."""

from __future__ import annotations


class ReviewerError(Exception):
    """A problem the user can act on; shown as one line, never as a traceback."""


class InputError(ReviewerError):
    """Bad or hostile input: names the file and, where it applies, the line."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        super().__init__(f"{where}{message}")


class AmbiguousDateOrderError(InputError):
    """The file's date order cannot be decided; the user must pass --date-order."""


class CaseError(ReviewerError):
    """The case folder is missing, locked, damaged or from a newer version."""


class CaseBusyError(CaseError):
    """Another task held the case's write lock past the busy timeout; trying again later
    may succeed."""


class Cancelled(ReviewerError):
    """The user cancelled a long task; nothing was stored."""

    def __init__(self) -> None:
        super().__init__("cancelled; nothing was stored")
