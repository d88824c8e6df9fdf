"""Exact timestamps: integer nanoseconds ↔ RFC 3339 strings as Go's ``time.Time`` writes them."""

from __future__ import annotations

import calendar
import functools
import re
import time

from core.errors import TOCError

__all__ = ["format_rfc3339", "format_rfc3339nano", "parse_pax_time", "parse_rfc3339"]

_NS = 1_000_000_000
_RFC3339_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)
# Go's zero time.Time, which some writers emit instead of omitting the field.
_GO_ZERO = "0001-01-01T00:00:00Z"


def format_rfc3339nano(ns: int) -> str:
    """``time.RFC3339Nano`` in UTC: fraction without trailing zeros, ``Z`` suffix."""
    sec, frac = divmod(ns, _NS)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
    if frac:
        return f"{base}.{frac:09d}".rstrip("0") + "Z"
    return base + "Z"


def format_rfc3339(ns: int) -> str:
    """``time.RFC3339`` in UTC, whole seconds (eStargz ``modtime``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // _NS))


def parse_rfc3339(text: str, *, entry: str = "") -> int | None:
    """Parse an RFC 3339 time into nanoseconds; Go's zero time gives ``None``."""
    if not text or text == _GO_ZERO:
        return None
    try:
        return _parse_rfc3339(text)
    except ValueError as exc:
        raise TOCError(f"TOC entry {entry!r} has {exc}", entry=entry) from None


@functools.lru_cache(maxsize=4096)
def _parse_rfc3339(text: str) -> int | None:
    # Cached: the files of a layer share few distinct times (a 13k-entry TOC had 23), and
    # the regex and calendar work dominated TOC parsing. Errors are not cached.
    m = _RFC3339_RE.match(text)
    if m is None:
        raise ValueError(f"a malformed time {text!r}")
    year, mon, day, hh, mm, ss = (int(m.group(i)) for i in range(1, 7))
    frac = int((m.group(7) or "0").ljust(9, "0"))
    try:
        sec = calendar.timegm((year, mon, day, hh, mm, ss, 0, 0, 0))
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"an invalid time {text!r}") from exc
    if m.group(9):
        offset = (int(m.group(10)) * 60 + int(m.group(11))) * 60
        sec -= offset if m.group(9) == "+" else -offset
    if year == 1 and mon == 1 and day == 1 and not (hh or mm or ss or frac):
        return None
    return sec * _NS + frac


def parse_pax_time(text: str) -> int:
    """A PAX time record (``1700000000.123456789``, possibly negative) → nanoseconds, exactly."""
    neg = text.startswith("-")
    body = text[1:] if neg else text
    whole, _, frac = body.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"bad PAX time {text!r}")
    ns = int(whole) * _NS + int(frac[:9].ljust(9, "0") if frac else "0")
    return -ns if neg else ns
