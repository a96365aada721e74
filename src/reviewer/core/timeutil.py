"""Local wall-clock times to UTC, flagging times that clock changes make ambiguous or impossible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reviewer.core.errors import ReviewerError

AMBIGUOUS = "ambiguous"
NONEXISTENT = "nonexistent"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; a clear error for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ReviewerError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/London)"
        ) from exc


def to_utc(local: datetime, tz: ZoneInfo) -> tuple[datetime, str | None]:
    """UTC instant of a naive local time, and ``ambiguous``/``nonexistent`` where that applies.

    An ambiguous time (clocks going back) takes the earlier instant (fold=0); a nonexistent one
    (clocks going forward) is read with the offset in force before the change. Both are flagged
    so a reviewer never relies on a silent guess.
    """
    early = local.replace(tzinfo=tz, fold=0)
    late = local.replace(tzinfo=tz, fold=1)
    utc = early.astimezone(UTC).replace(tzinfo=None)
    if early.utcoffset() == late.utcoffset():
        return utc, None
    round_trip = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return utc, AMBIGUOUS if round_trip == local else NONEXISTENT


class UtcConverter:
    """``to_utc`` for one zone, memoised per quarter hour of local time.

    Every clock change since the tz database's early history happens on a quarter hour, so
    all times within one local quarter hour share an offset and a flag.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self._tz = tz
        self._cache: dict[tuple[int, int, int, int, int], tuple[timedelta, str | None]] = {}

    def __call__(self, local: datetime) -> tuple[datetime, str | None]:
        key = (local.year, local.month, local.day, local.hour, local.minute // 15)
        hit = self._cache.get(key)
        if hit is None:
            utc, flag = to_utc(local, self._tz)
            hit = (local - utc, flag)
            self._cache[key] = hit
        return local - hit[0], hit[1]


def utc_now_iso() -> str:
    """Now, as ISO 8601 UTC with ``Z`` and whole seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_local(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of a naive datetime (isoformat is ~5x faster than strftime)."""
    return value.isoformat(timespec="seconds")


def iso_utc(value: datetime) -> str:
    return value.isoformat(timespec="seconds") + "Z"
