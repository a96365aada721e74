"""Local wall-clock times to UTC, flagging times that clock changes make ambiguous or impossible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reviewer.core.errors import ReviewerError

AMBIGUOUS = "ambiguous"
NONEXISTENT = "nonexistent"
# "MM:SS" by minute * 60 + second: formatting them costs more than the rest of a Stamper call.
_MINUTE_SECOND = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))


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


class Stamper:
    """Local time as written and its UTC instant, both as ISO text, for one zone.

    Imports call this a million times, so each local hour is worked out once: an hour with
    no clock change inside shares one offset, and its strings differ only in ``MM:SS``.
    An hour holding a change (flagged ambiguous or nonexistent) is converted message by
    message.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self._tz = tz
        self._hours: dict[tuple[int, int, int, int], tuple[str, str, timedelta] | None] = {}

    def __call__(self, local: datetime) -> tuple[str, str, str | None]:
        try:
            hour = self._hours[local.year, local.month, local.day, local.hour]
        except KeyError:
            hour = self._hours[local.year, local.month, local.day, local.hour] = self._hour(local)
        if hour is None:
            utc, flag = to_utc(local, self._tz)
            return iso_local(local), iso_utc(utc), flag
        local_prefix, utc_prefix, offset = hour
        minute_second = _MINUTE_SECOND[local.minute * 60 + local.second]
        if utc_prefix:
            return local_prefix + minute_second, utc_prefix + minute_second + "Z", None
        return local_prefix + minute_second, iso_utc(local - offset), None

    def _hour(self, local: datetime) -> tuple[str, str, timedelta] | None:
        start = local.replace(minute=0, second=0, microsecond=0)
        first, first_flag = to_utc(start, self._tz)
        last, last_flag = to_utc(start + timedelta(minutes=59, seconds=59), self._tz)
        offset = start - first
        if first_flag or last_flag or last != first + timedelta(minutes=59, seconds=59):
            return None
        # "YYYY-MM-DDTHH:" prefixes; a UTC prefix only when the offset is whole hours
        whole_hours = offset % timedelta(hours=1) == timedelta(0)
        return iso_local(start)[:-5], iso_local(first)[:-5] if whole_hours else "", offset


def utc_now_iso() -> str:
    """Now, as ISO 8601 UTC with ``Z`` and whole seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_local(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of a naive datetime (isoformat is ~5x faster than strftime)."""
    return value.isoformat(timespec="seconds")


def iso_utc(value: datetime) -> str:
    return value.isoformat(timespec="seconds") + "Z"
