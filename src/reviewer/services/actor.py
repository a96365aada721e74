"""Who is acting, and on which machine: recorded in every audit entry."""

from __future__ import annotations

import getpass
import os
import platform
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    workstation: str


def resolve_actor(name: str | None = None) -> Actor:
    """``--reviewer`` if given, else ``REVIEWER_NAME``, else the login name (DESIGN.md §5)."""
    chosen = name or os.environ.get("REVIEWER_NAME") or _login_name()
    return Actor(name=chosen, workstation=platform.node() or "unknown")


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
