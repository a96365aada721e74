"""Where a message was found, as one readable line for the reports and the schedule
(DESIGN.md §9): "Found on: AB/1 (line 41), CD/2 (line 12, deleted); missing from EF/3"."""

from __future__ import annotations

from reviewer.bundle.model import BundleCopy, BundleMessage

__all__ = ["found_in", "found_on_line"]


def found_in(message: BundleMessage) -> str:
    """The exhibits holding the message (line and state of each copy), those that cover its
    time but lack it, and the copy its media were taken from when its own lacked them; empty
    when the message was not reconciled with other exhibits."""
    missing = [exhibit for exhibit, reason in message.absent if reason == "in-range"]
    if len(message.copies) < 2 and not missing:
        return ""
    text = ", ".join(_copy(c) for c in message.copies)
    if missing:
        text += "; missing from " + ", ".join(missing)
    taken = dict.fromkeys(a.from_copy for a in message.attachments if a.from_copy is not None)
    for exhibit, copy_id in taken:
        text += f"; media from {exhibit} (message {copy_id})"
    return text


def found_on_line(message: BundleMessage) -> str:
    """``found_in`` as the reports print it under a tagged message."""
    summary = found_in(message)
    return f"Found on: {summary}" if summary else ""


def _copy(copy: BundleCopy) -> str:
    details = [f"line {copy.line}"] if copy.line is not None else []
    if copy.state != "present":
        details.append(copy.state)
    return f"{copy.exhibit} ({', '.join(details)})" if details else copy.exhibit
