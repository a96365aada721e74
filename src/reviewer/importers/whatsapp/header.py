"""WhatsApp record headers: probe normalisation, shape detection, strict patterns, date order.

A *probe* is a normalised copy of a line (invisible marks removed, odd spaces made plain,
native digits made ASCII) matched by permissive patterns to learn the file's header *shape*.
The shape is then locked and turned into one strict bytes pattern that the parser runs over
the original bytes; :class:`HeaderDecoder` turns that pattern's groups into a timestamp.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Protocol

from reviewer.core.records import DateOrder

# Bidi/format marks WhatsApp (or an editor) puts around header parts and names.
MARK_CHARS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
# Spaces that stand in for a plain space inside headers (NBSP, NNBSP, thin, figure).
SPACE_CHARS = "\u00a0\u202f\u2009\u2007"

_MARKS_B = r"(?:\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xef\xbb\xbf|\xd8\x9c)*"
_SPACE_B = r"(?: |\xc2\xa0|\xe2\x80[\x87\x89\xaf])"

PM_HOUR_CONFLICT = "pm-hour-conflict"

# Day-period words → how a 12-hour value maps to 24 hours.
_AM, _PM, _NIGHT = "am", "pm", "night"
_SUFFIX_TOKENS: dict[str, str] = {
    "am": _AM, "a.m.": _AM, "a.m": _AM, "ص": _AM,
    "pm": _PM, "p.m.": _PM, "p.m": _PM, "م": _PM,
    "inthemorning": _AM, "morgens": _AM, "vormittags": _AM, "vorm.": _AM,
    "noon": _PM, "mittags": _PM, "nachmittags": _PM, "nachm.": _PM, "abends": _PM,
    "intheafternoon": _PM, "intheevening": _PM,
    "atnight": _NIGHT, "nachts": _NIGHT,
}  # fmt: skip
_PREFIX_TOKENS: dict[str, str] = {
    "上午": _AM, "午前": _AM, "오전": _AM,
    "下午": _PM, "午後": _PM, "오후": _PM,
}  # fmt: skip
_SUFFIX_SPELLINGS = (
    "a. m.", "p. m.", "a.m.", "p.m.", "a.m", "p.m", "am", "pm", "ص", "م",
    "in the morning", "in the afternoon", "in the evening", "at night", "noon",
    "morgens", "vormittags", "vorm.", "mittags", "nachmittags", "nachm.", "abends", "nachts",
)  # fmt: skip

_MONTHS: dict[str, int] = {
    name: i + 1
    for names in (
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
    )
    for i, name in enumerate(names)
}
_MONTHS["sept"] = 9

# Japanese era letter → Gregorian year of era year 0.
_ERAS = {"M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}


class _ProbeTable(dict[int, int | None]):
    """str.translate table built lazily: marks vanish, odd spaces → " ", digits → ASCII."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        value: int | None = code
        if ch in MARK_CHARS:
            value = None
        elif ch in SPACE_CHARS:
            value = 0x20
        elif code > 0x7F and ch.isdecimal():
            value = 0x30 + unicodedata.decimal(ch)
        self[code] = value
        return value


_PROBE_TABLE = _ProbeTable()


def probe_normalise(text: str) -> str:
    """The matching copy of ``text``: no marks, plain spaces, ASCII digits."""
    return text.translate(_PROBE_TABLE)


def strip_marks(text: str) -> str:
    """``text`` without bidi/format marks at either end."""
    return text.strip(MARK_CHARS)


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True, slots=True)
class HeaderShape:
    """The locked header form of one file (everything but the date order)."""

    bracket: bool
    time_first: bool
    date_kind: str  # "num", "dmy-name" (28 Aug 2013), "mdy-name" (Aug 28, 2013)
    date_sep: str  # "/", ".", "-" (" " for named months)
    spaced_date: bool  # "12. 3. 2024"
    trailing_dot: bool  # "12.3.2024."
    year_first: bool
    year_digits: int  # 2 or 4; 0 for era years
    calendar: str  # "gregorian", "buddhist" (BE), "japanese" (R4)
    dt_sep: str  # ", ", " ", "، ", " à ", " klo ", ","
    time_sep: str  # ":" or "."
    seconds: bool
    ampm: str  # "", "suffix" or "prefix"
    hdr_sep: str  # " " (after "]"), " - ", ": ", "; "
    native_zeros: tuple[int, ...] = ()  # code points of zero digits of non-ASCII digit blocks
    inner_marks: bool = False  # bidi marks between header parts (RTL locales)

    @property
    def platform(self) -> str:
        ios = self.bracket or self.hdr_sep == ": " or (self.seconds and self.hdr_sep != " - ")
        return "ios" if ios else "android"

    @property
    def clock(self) -> str:
        return "12h" if self.ampm else "24h"

    def key(self) -> HeaderShape:
        """The shape without digit script and inner marks, for voting."""
        return HeaderShape(
            self.bracket, self.time_first, self.date_kind, self.date_sep, self.spaced_date,
            self.trailing_dot, self.year_first, self.year_digits, self.calendar, self.dt_sep,
            self.time_sep, self.seconds, self.ampm, self.hdr_sep,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Probe:
    """One header-looking line as the permissive matcher read it."""

    shape: HeaderShape
    fields: tuple[str, str, str]  # date fields as written (ASCII digits), in file order
    time: tuple[int, int, int]
    ampm: str  # canonical token or ""
    rest: str  # probe text after the header separator


# Permissive patterns (run on probe copies only).
_P_AMPM = "|".join(
    re.escape(s).replace(r"\ ", " ?") for s in sorted(_SUFFIX_SPELLINGS, key=len, reverse=True)
)
_P_PREFIX = "|".join(_PREFIX_TOKENS)
_P_TIME = (
    rf"(?:(?P<pre>{_P_PREFIX}) ?)?(?P<h>[0-9]{{1,2}})(?P<ts>[:.])(?P<mi>[0-9]{{2}})"
    rf"(?:(?P=ts)(?P<s>[0-9]{{2}}))?(?: ?(?P<ap>(?i:{_P_AMPM})))?"
)
_P_DATES = {
    "num": (
        r"(?P<f1>[MTSHR]?[0-9]{1,4})(?P<ds>[./-])(?P<sp> ?)(?P<f2>[0-9]{1,2})(?P=ds) ?"
        r"(?P<f3>[MTSHR]?[0-9]{1,4})(?P<be> ?BE)?(?P<td>\.)?"
    ),
    "dmy-name": r"(?P<f1>[0-9]{1,2}) (?P<f2>[A-Za-z]{3,9}\.?) (?P<f3>[0-9]{4})",
    "mdy-name": r"(?P<f1>[A-Za-z]{3,9}\.?) (?P<f2>[0-9]{1,2}), (?P<f3>[0-9]{4})",
}
_P_DT = r"(?P<dt>, |، | à | klo | |,)"
_P_END = r"(?P<cb>\])?(?P<hs> - |: |; | )"


def _probe_patterns() -> list[tuple[str, bool, re.Pattern[str]]]:
    out = []
    for kind, date_re in _P_DATES.items():
        for time_first in (False, True):
            body = f"{_P_TIME}{_P_DT}{date_re}" if time_first else f"{date_re}{_P_DT}{_P_TIME}"
            out.append((kind, time_first, re.compile(rf"(?P<ob>\[)?{body}{_P_END}")))
    return out


_PROBES = _probe_patterns()
_DATE_START = re.compile(r"\[?[0-9]{1,4}[./-] ?[0-9]{1,2}[./-] ?[0-9]{1,4}")


def _native_zeros(text: str) -> tuple[int, ...]:
    zeros = {ord(ch) - unicodedata.decimal(ch) for ch in text if ord(ch) > 0x7F and ch.isdecimal()}
    return tuple(sorted(zeros))


def probe_line(line: str) -> Probe | None:
    """Read ``line`` (original text) as a header with any known shape, or None."""
    head = line[:200]
    text = probe_normalise(head)
    for kind, time_first, pattern in _PROBES:
        m = pattern.match(text)
        if m is None or (m["ob"] is None) != (m["cb"] is None):
            continue
        raw = head.lstrip(MARK_CHARS)[: m.end()]
        inner = any(ch in MARK_CHARS for ch in raw)
        probe = _probe_from_match(m, kind, time_first, _native_zeros(raw), inner)
        if probe is not None:
            return probe
    return None


def looks_dated(line: str) -> bool:
    """True when ``line`` starts with something date-like (for near-miss reports)."""
    return _DATE_START.match(probe_normalise(line[:40])) is not None


def _probe_from_match(
    m: re.Match[str], kind: str, time_first: bool, zeros: tuple[int, ...], inner: bool
) -> Probe | None:
    g = m.groupdict()
    f1, f2, f3 = g["f1"], g["f2"], g["f3"]
    numeric = kind == "num"
    era = next((f for f in (f1, f3) if f[:1].isalpha()), None) if numeric else None
    year_first = numeric and (len(f1) == 4 or era == f1)
    year, others = (f1, (f2, f3)) if year_first else (f3, (f1, f2))
    if numeric and not _numeric_fields_ok(year, others, era, bool(g["be"]), year_first):
        return None
    if not numeric and month_number(f2 if kind == "dmy-name" else f1) is None:
        return None
    hour, minute, second = int(g["h"]), int(g["mi"]), int(g["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    shape = HeaderShape(
        bracket=g["ob"] is not None,
        time_first=time_first,
        date_kind=kind,
        date_sep=g["ds"] if numeric else " ",
        spaced_date=bool(numeric and g["sp"]),
        trailing_dot=bool(numeric and g["td"]),
        year_first=year_first,
        year_digits=0 if era else len(year),
        calendar="japanese" if era else ("buddhist" if numeric and g["be"] else "gregorian"),
        dt_sep=g["dt"],
        time_sep=g["ts"],
        seconds=g["s"] is not None,
        ampm="suffix" if g["ap"] else ("prefix" if g["pre"] else ""),
        hdr_sep=g["hs"],
        native_zeros=zeros,
        inner_marks=inner,
    )
    ampm = canonical_ampm(g["ap"] or g["pre"] or "")
    return Probe(shape, (f1, f2, f3), (hour, minute, second), ampm, m.string[m.end() :])


def _numeric_fields_ok(
    year: str, others: tuple[str, str], era: str | None, be: bool, year_first: bool
) -> bool:
    if any(o[:1].isalpha() for o in others):
        return False
    if era is not None:
        return era == year and not be and _plausible_day_month(others)
    if be and (year_first or len(year) != 4):
        return False
    return len(year) in (2, 4) and _plausible_day_month(others)


def _plausible_day_month(values: Sequence[str]) -> bool:
    a, b = int(values[0]), int(values[1])
    return 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12


def canonical_ampm(token: str) -> str:
    """``"p. m."`` → ``"p.m."``, ``"PM"`` → ``"pm"``; "" when empty."""
    return "".join(probe_normalise(token).lower().split())


def ampm_meaning(token: str) -> str | None:
    """``"am"``, ``"pm"`` or ``"night"`` for a (canonical or raw) AM/PM token."""
    canon = canonical_ampm(token)
    return _SUFFIX_TOKENS.get(canon) or _PREFIX_TOKENS.get(canon)


def month_number(name: str) -> int | None:
    return _MONTHS.get(name.lower().rstrip("."))


def vote_shape(probes: Iterable[Probe]) -> HeaderShape | None:
    """The majority shape (digit script merged from all its probes), or None."""
    counts: Counter[HeaderShape] = Counter()
    zeros: dict[HeaderShape, set[int]] = {}
    inner: set[HeaderShape] = set()
    for probe in probes:
        key = probe.shape.key()
        counts[key] += 1
        zeros.setdefault(key, set()).update(probe.shape.native_zeros)
        if probe.shape.inner_marks:
            inner.add(key)
    if not counts:
        return None
    best = counts.most_common(1)[0][0]
    return replace(best, native_zeros=tuple(sorted(zeros[best])), inner_marks=best in inner)


# --------------------------------------------------------------------------- strict pattern


def _bytes_lit(text: str) -> str:
    """A regex fragment (str, later UTF-8 encoded) for literal ``text``; spaces flexible."""
    return "".join(_SPACE_B if ch == " " else re.escape(ch) for ch in text)


def _digit(shape: HeaderShape) -> str:
    if not shape.native_zeros:
        return "[0-9]"
    alts = ["[0-9]"]
    for zero in shape.native_zeros:
        for d in range(10):
            alts.append("".join(f"\\x{b:02x}" for b in chr(zero + d).encode()))
    return "(?:" + "|".join(alts) + ")"


def _year_pattern(shape: HeaderShape, d: str) -> str:
    if shape.calendar == "japanese":
        return f"[MTSHR]{d}{{1,2}}"
    return f"{d}{{{shape.year_digits}}}"


_BIG_VALUE = "(?:1[3-9]|[2-9][0-9])"  # 13-99: a day, never a month


def _date_pattern(shape: HeaderShape, d: str, big_field: int) -> str:
    mk = _MARKS_B if shape.inner_marks else ""
    if shape.date_kind == "dmy-name":
        return rf"(?P<f1>{d}{{1,2}}){_SPACE_B}(?P<f2>[A-Za-z]{{3,9}}\.?){_SPACE_B}(?P<f3>{d}{{4}})"
    if shape.date_kind == "mdy-name":
        return rf"(?P<f1>[A-Za-z]{{3,9}}\.?){_SPACE_B}(?P<f2>{d}{{1,2}}),{_SPACE_B}(?P<f3>{d}{{4}})"
    sep = re.escape(shape.date_sep) + (f"{_SPACE_B}?" if shape.spaced_date else "")
    year = _year_pattern(shape, d)
    small = f"{d}{{1,2}}"
    f1 = year if shape.year_first else (_BIG_VALUE if big_field == 1 else small)
    f2 = _BIG_VALUE if big_field == 2 else small
    f3 = small if shape.year_first else year
    tail = f"{_SPACE_B}?BE" if shape.calendar == "buddhist" else ""
    tail += r"\." if shape.trailing_dot else ""
    return rf"(?P<f1>{f1}){mk}{sep}{mk}(?P<f2>{f2}){mk}{sep}{mk}(?P<f3>{f3}){mk}{tail}"


def _time_pattern(shape: HeaderShape, d: str) -> str:
    ts = re.escape(shape.time_sep)
    core = rf"(?P<h>{d}{{1,2}}){ts}(?P<mi>{d}{{2}})"
    core += rf"{ts}(?P<s>{d}{{2}})" if shape.seconds else "(?P<s>)"
    if shape.ampm == "prefix":
        alts = "|".join(_PREFIX_TOKENS)
        return rf"(?P<ap>{alts}){_SPACE_B}?{core}"
    if shape.ampm == "suffix":
        spellings = sorted(_SUFFIX_SPELLINGS, key=len, reverse=True)
        alts = "|".join(_bytes_lit(s) for s in spellings)
        mk = _MARKS_B if shape.inner_marks else ""
        return rf"{core}{mk}{_SPACE_B}?{mk}(?P<ap>(?i:{alts}))"
    return core + "(?P<ap>)"


def header_pattern(shape: HeaderShape, *, big_field: int = 0) -> bytes:
    """The strict bytes pattern (no line anchor) for one header of ``shape``.

    Groups ``f1 f2 f3`` (date fields in file order), ``h mi s`` and ``ap`` always exist
    (possibly empty), as do ``date`` and ``time`` around them and ``stamp`` around both
    (cache keys for :class:`HeaderDecoder`); the match ends where the body (author part)
    begins. ``big_field`` (1 or 2, ASCII digits only) restricts that date field to values
    13-99.
    """
    d = _digit(shape)
    # Marks inside a header cost a third of the scan time, so allow them only where seen.
    mk = _MARKS_B if shape.inner_marks else ""
    date = f"(?P<date>{_date_pattern(shape, d, big_field)})"
    time = f"(?P<time>{_time_pattern(shape, d)})"
    dt = _bytes_lit(shape.dt_sep)
    middle = f"{time}{mk}{dt}{mk}{date}" if shape.time_first else f"{date}{mk}{dt}{mk}{time}"
    open_, close = (r"\[", r"\]") if shape.bracket else ("", "")
    pattern = f"{_MARKS_B}{open_}{mk}(?P<stamp>{middle}){mk}{close}{_bytes_lit(shape.hdr_sep)}"
    return pattern.encode("utf-8")


GROUPS = ("f1", "f2", "f3", "h", "mi", "s", "ap")


# --------------------------------------------------------------------------- conversion


Ymd = tuple[int, int, int]
Hms = tuple[int, int, int, bool]  # hour, minute, second, pm-hour conflict
Entry = tuple[datetime, tuple[str, ...]]  # timestamp, flags (the pm-hour conflict)

STAMP_CACHE_LIMIT = 1 << 16  # entries; a chat is in time order, so recent ones are what hit


class HeaderDecoder:
    """Turns strict header matches into naive timestamps, caching dates and times.

    ``dates`` and ``times`` map the raw ``date`` / ``time`` group bytes to their values (None
    when not a real date/time); the parser reads them directly and calls :meth:`date_miss` /
    :meth:`time_miss` for bytes not cached as valid.
    """

    def __init__(self, shape: HeaderShape, order: DateOrder, groupindex: Mapping[str, int]) -> None:
        self.shape = shape
        self.order = order
        self.dates: dict[bytes, Ymd | None] = {}
        self.times: dict[bytes, Hms | None] = {}
        self._ampm: dict[bytes, str | None] = {}
        self._date_ids = tuple(groupindex[g] for g in ("date", "f1", "f2", "f3"))
        self._time_ids = tuple(groupindex[g] for g in ("time", "h", "mi", "s", "ap"))
        self.stamp_id = groupindex["stamp"]
        # The parser's per-record caches, filled by :meth:`entry`. The whole ``stamp`` key
        # seldom repeats (half the records of a lively chat start a new minute), so when it
        # ends in the minutes (24-hour clock, date first) the parser looks up the hour (the
        # key minus its last ``tail`` bytes, ``MM`` or ``MM:SS``) in ``hours`` and adds
        # ``offsets[tail bytes]``; other shapes cache whole keys in ``stamps``.
        self.tail = 0
        self.offsets: dict[bytes, timedelta] = {}
        sep = shape.time_sep.encode("utf-8")
        if not shape.time_first and not shape.ampm and len(sep) == 1:
            self.tail = 5 if shape.seconds else 2
            self.offsets = {
                (b"%02d%s%02d" % (mi, sep, s) if shape.seconds else b"%02d" % mi): timedelta(
                    minutes=mi, seconds=s
                )
                for mi in range(60)
                for s in (range(60) if shape.seconds else (0,))
            }
        self.stamps: dict[bytes, Entry | None] = {}
        self.hours: dict[bytes, datetime] = {}

    def stamp(self, m: re.Match[bytes]) -> tuple[datetime, bool] | None:
        """``(timestamp, pm_hour_conflict)`` of a strict match, or None if not a real time."""
        ymd = self.dates.get(m.group(self._date_ids[0])) or self.date_miss(m)
        hms = self.times.get(m.group(self._time_ids[0])) or self.time_miss(m)
        if ymd is None or hms is None:
            return None
        return naive(ymd, hms), hms[3]

    def entry(self, m: re.Match[bytes]) -> Entry | None:
        """``(timestamp, flags)`` of a strict match, or None; fills the parser's caches."""
        got = self.stamp(m)
        value = None if got is None else (got[0], (PM_HOUR_CONFLICT,) if got[1] else ())
        key = m.group(self.stamp_id)
        tail = self.tail
        if not tail:
            if len(self.stamps) >= STAMP_CACHE_LIMIT:
                self.stamps.clear()
            self.stamps[key] = value
        elif value is not None and key[-tail:] in self.offsets:  # ASCII minutes end the key
            if len(self.hours) >= STAMP_CACHE_LIMIT:
                self.hours.clear()
            self.hours[key[:-tail]] = value[0] - self.offsets[key[-tail:]]
        return value

    def date_miss(self, m: re.Match[bytes]) -> Ymd | None:
        key, f1, f2, f3 = m.group(*self._date_ids)
        try:
            value: Ymd | None = ymd_of(self.shape, self.order, f1, f2, f3)
        except (ValueError, KeyError):
            value = None
        self.dates[key] = value
        return value

    def time_miss(self, m: re.Match[bytes]) -> Hms | None:
        key, h, mi, s, ap = m.group(*self._time_ids)
        hour, minute = _int(h), _int(mi)
        second = _int(s) if s else 0
        conflict = False
        if ap:
            hour, conflict = hour_24(hour, self._meaning(ap))
        value: Hms | None = (hour, minute, second, conflict)
        if hour > 23 or minute > 59 or second > 59:
            value = None
        self.times[key] = value
        return value

    def _meaning(self, ap: bytes) -> str | None:
        try:
            return self._ampm[ap]
        except KeyError:
            meaning = self._ampm[ap] = ampm_meaning(ap.decode("utf-8", "replace"))
            return meaning


def naive(ymd: Ymd, hms: Hms) -> datetime:
    # Naive on purpose: WhatsApp writes local wall-clock time without an offset.
    return datetime(ymd[0], ymd[1], ymd[2], hms[0], hms[1], hms[2])  # noqa: DTZ001


def hour_24(hour: int, meaning: str | None) -> tuple[int, bool]:
    """12-hour ``hour`` with day period ``meaning`` → (24-hour value, conflict flag)."""
    if meaning is None:
        return hour, False
    if hour > 12:
        return hour, True
    if meaning == _AM:
        return (0 if hour == 12 else hour), False
    if meaning == _PM:
        return (12 if hour == 12 else hour + 12), False
    return (0 if hour == 12 else hour if hour < 6 else hour + 12), False  # night


def _int(raw: bytes | str) -> int:
    try:
        return int(raw)
    except ValueError:
        if isinstance(raw, bytes):
            return int(raw.decode("utf-8"))
        raise


def _year(shape: HeaderShape, raw: bytes | str) -> int:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if shape.calendar == "japanese":
        return _ERAS[text[0]] + _int(text[1:])
    value = _int(text)
    if shape.calendar == "buddhist":
        return value - 543
    return 2000 + value if shape.year_digits == 2 else value


def ymd_of(
    shape: HeaderShape, order: DateOrder, f1: bytes | str, f2: bytes | str, f3: bytes | str
) -> tuple[int, int, int]:
    """(year, month, day) of header date fields; ValueError when not a real date."""
    if shape.date_kind == "dmy-name":
        month = month_number(f2.decode() if isinstance(f2, bytes) else f2)
        day, year = _int(f1), _year(shape, f3)
    elif shape.date_kind == "mdy-name":
        month = month_number(f1.decode() if isinstance(f1, bytes) else f1)
        day, year = _int(f2), _year(shape, f3)
    elif order is DateOrder.YMD:
        year, month, day = _year(shape, f1), _int(f2), _int(f3)
    elif order is DateOrder.DMY:
        day, month, year = _int(f1), _int(f2), _year(shape, f3)
    else:
        month, day, year = _int(f1), _int(f2), _year(shape, f3)
    if month is None:
        raise ValueError("unknown month name")
    date(year, month, day)  # raises ValueError for 31 February and the like
    return year, month, day


# --------------------------------------------------------------------------- date order


class DateScanner(Protocol):
    """Whole-file evidence the parser can gather cheaply once the shape is locked."""

    def field_exceeds_12(self, field: int) -> bool:
        """True when some header has a value above 12 in date field ``field`` (1 or 2)."""
        ...

    def all_dates(self) -> Iterable[tuple[bytes, bytes, bytes]]:
        """Date fields of every header in file order (consecutive repeats may be skipped)."""
        ...

    def attachment_hints(self) -> Iterable[tuple[int, int, int, int]]:
        """(field1, field2, month, day) for headers whose iOS attachment name has a date."""
        ...


class DateOrderConflict(ValueError):
    """Both day/month fields hold values above 12: the file mixes orders."""


def fixed_order(shape: HeaderShape) -> DateOrder | None:
    """The order the shape itself implies (year first, month names), else None."""
    if shape.date_kind == "dmy-name":
        return DateOrder.DMY
    if shape.date_kind == "mdy-name":
        return DateOrder.MDY
    return DateOrder.YMD if shape.year_first else None


def decide_date_order(
    shape: HeaderShape, sample: Sequence[tuple[str, str, str]], scanner: DateScanner
) -> DateOrder | None:
    """Day-first or month-first per export-formats §1.5, or None when undecidable.

    Raises DateOrderConflict when values above 12 occur in both fields.
    """
    fixed = fixed_order(shape)
    if fixed is not None:
        return fixed
    # A whole-file search stops at the first hit, so look for a large day first; a month
    # field above 12 is then only looked for in the sample.
    big1 = any(int(f[0]) > 12 for f in sample) or scanner.field_exceeds_12(1)
    big2 = any(int(f[1]) > 12 for f in sample) or (not big1 and scanner.field_exceeds_12(2))
    if big1 and big2:
        raise DateOrderConflict("values above 12 in both the day and the month position")
    if big1 or big2:
        return DateOrder.DMY if big1 else DateOrder.MDY
    encoded = [(a.encode(), b.encode(), c.encode()) for a, b, c in sample]
    order = order_by_monotonicity(shape, encoded)
    if order is None:
        order = order_by_monotonicity(shape, scanner.all_dates())
    if order is None:
        order = order_by_hints(scanner.attachment_hints())
    if order is None and shape.date_sep in ".-":
        order = DateOrder.DMY
    return order


def same_either_way(dates: Iterable[tuple[bytes, bytes, bytes]]) -> bool:
    """Whether every date's day and month fields are equal (``12/12/2022``, ``1/01/23``), so
    that day-first and month-first read the same dates (an empty file: vacuously true)."""
    return all(_field_value(a) == _field_value(b) for a, b, _ in dates)


def _field_value(raw: bytes) -> int:
    try:
        return int(raw)
    except ValueError:  # native digits (Arabic-Indic …)
        return int(raw.decode("utf-8"))


def order_by_monotonicity(
    shape: HeaderShape, dates: Iterable[tuple[bytes, bytes, bytes]]
) -> DateOrder | None:
    """The order under which consecutive header dates go backwards clearly less often."""
    jumps = {DateOrder.DMY: 0, DateOrder.MDY: 0}
    last: dict[DateOrder, tuple[int, int, int]] = {}
    previous: tuple[bytes, bytes, bytes] | None = None
    for fields in dates:
        if fields == previous:
            continue
        previous = fields
        for order in jumps:
            try:
                ymd = ymd_of(shape, order, *fields)
            except ValueError:
                continue
            if order in last and ymd < last[order]:
                jumps[order] += 1
            last[order] = ymd
    low, high = sorted(jumps.values())
    if low == high or not (low == 0 or high >= 3 * low):
        return None
    return min(jumps, key=jumps.__getitem__)


def order_by_hints(hints: Iterable[tuple[int, int, int, int]]) -> DateOrder | None:
    """Vote with iOS attachment names, whose embedded date is unambiguous."""
    votes = {DateOrder.DMY: 0, DateOrder.MDY: 0}
    for field1, field2, month, day in hints:
        if month == day:
            continue
        if (field1, field2) == (day, month):
            votes[DateOrder.DMY] += 1
        elif (field1, field2) == (month, day):
            votes[DateOrder.MDY] += 1
    low, high = sorted(votes.values())
    if high == 0 or high < 2 * low + 1:
        return None
    return max(votes, key=votes.__getitem__)
