"""Formatting of sizes, durations, times and ETAs for display (translated)."""

from __future__ import annotations

import datetime as dt
import math

from PySide6.QtCore import QCoreApplication, QLocale

from gui.i18n import arg

__all__ = [
    "format_bytes",
    "format_duration_ms",
    "format_eta",
    "format_time",
    "link_profile_label",
    "parse_time",
    "phase_label",
    "short_digest",
]


def format_bytes(n: int | float | None) -> str:
    if n is None:
        return "—"
    n = float(n)
    units = ["B", "KiB", "MiB", "GiB", "TiB"]
    i = 0
    while abs(n) >= 1024 and i < len(units) - 1:
        n /= 1024
        i += 1
    if i == 0:
        return f"{int(n)} B"
    return f"{QLocale().toString(n, 'f', 1)} {units[i]}"


def format_duration_ms(ms: float | None) -> str:
    if ms is None or math.isnan(ms):
        return "—"
    if ms < 1000:
        return arg(QCoreApplication.translate("Format", "%1 ms"), QLocale().toString(ms, "f", 0))
    if ms < 60_000:
        return arg(
            QCoreApplication.translate("Format", "%1 s"), QLocale().toString(ms / 1000, "f", 2)
        )
    minutes, seconds = divmod(int(ms / 1000), 60)
    return arg(QCoreApplication.translate("Format", "%1 min %2 s"), str(minutes), str(seconds))


def phase_label(name: str) -> str:
    """A cold-start phase (``resolve``, ``pull`` …) in the user's language."""
    labels = {
        "resolve": QCoreApplication.translate("Phase", "resolve"),
        "pull": QCoreApplication.translate("Phase", "pull"),
        "unpack": QCoreApplication.translate("Phase", "unpack"),
        "mount": QCoreApplication.translate("Phase", "mount"),
        "start": QCoreApplication.translate("Phase", "start"),
        "first-invoke": QCoreApplication.translate("Phase", "first-invoke"),
    }
    return labels.get(name, name)


def link_profile_label(name: str) -> str:
    """A cold-start lab link profile (``unshaped``, ``broadband`` …) in the user's language."""
    labels = {
        "unshaped": QCoreApplication.translate("LinkProfile", "Unshaped"),
        "datacenter": QCoreApplication.translate("LinkProfile", "Data center"),
        "fast": QCoreApplication.translate("LinkProfile", "Fast network"),
        "broadband": QCoreApplication.translate("LinkProfile", "Broadband"),
        "slow": QCoreApplication.translate("LinkProfile", "Slow network"),
    }
    return labels.get(name, name)


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds < 0 or math.isinf(seconds) or math.isnan(seconds):
        return QCoreApplication.translate("Format", "estimating…")
    if seconds < 1:
        return QCoreApplication.translate("Format", "almost done")
    if seconds < 60:
        return arg(QCoreApplication.translate("Format", "%1 s left"), str(int(seconds)))
    minutes = int(seconds // 60)
    return arg(QCoreApplication.translate("Format", "%1 min left"), str(minutes))


def parse_time(value: str | float | int | None) -> dt.datetime | None:
    """ISO-8601 strings or epoch seconds/milliseconds → aware datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        num = float(value)
        if num > 1e11:  # milliseconds
            num /= 1000
        return dt.datetime.fromtimestamp(num, tz=dt.UTC)
    assert isinstance(value, str)
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def format_time(value: str | float | int | None) -> str:
    parsed = parse_time(value)
    if parsed is None:
        return "—"
    local = parsed.astimezone()
    return local.strftime("%Y-%m-%d %H:%M")


def short_digest(digest: str) -> str:
    if ":" in digest:
        algo, hexpart = digest.split(":", 1)
        return f"{algo}:{hexpart[:12]}"
    return digest[:19]
