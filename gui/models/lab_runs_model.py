"""`LabRunsModel`: the cold-start lab's history of comparisons."""

from __future__ import annotations

import enum
import statistics
from typing import Any

from PySide6.QtCore import QObject, Qt

from core import percentile as core_percentile
from gui.backend import LabResult, LabSide
from gui.format import format_duration_ms, format_time, link_profile_label
from gui.models._base import AnyIndex, KeyedTableModel

__all__ = ["Col", "LabRunsModel", "Roles", "percentile", "side_stats"]


class Roles(enum.IntEnum):
    Key = Qt.ItemDataRole.UserRole + 1
    Result = enum.auto()
    Ratio = enum.auto()


class Col(enum.IntEnum):
    WHEN = 0
    A = 1
    B = 2
    LINK = 3
    P50_A = 4
    P50_B = 5
    RATIO = 6


def percentile(values: list[float], q: float) -> float | None:
    """`core.percentile` of ``values``, or ``None`` when there are none (shown as "—")."""
    return core_percentile(values, q) if values else None


def side_stats(side: LabSide) -> dict[str, float | None]:
    totals = side.totals()
    fetched = [r.bytes_fetched for r in side.runs]
    sizes = [r.image_size for r in side.runs if r.image_size]
    return {
        "p50": percentile(totals, 50),
        "p95": percentile(totals, 95),
        "mean": statistics.fmean(totals) if totals else None,
        "bytes": statistics.fmean(fetched) if fetched else None,
        "share": (statistics.fmean(fetched) / sizes[0]) if fetched and sizes else None,
        "on_demand": float(sum(r.on_demand_fetches for r in side.runs)) if side.runs else None,
        "fallbacks": float(sum(r.fallbacks for r in side.runs)) if side.runs else None,
    }


def ratio(result: LabResult) -> float | None:
    a = side_stats(result.sides[0])["p50"]
    b = side_stats(result.sides[1])["p50"]
    if not a or not b:
        return None
    return a / b


def about_even(r: float | None) -> bool:
    """Whether a ratio shows as 1.0× either way (within 5 %): neither side is faster."""
    return r is not None and r > 0 and round(max(r, 1 / r), 1) <= 1.0


class LabRunsModel(KeyedTableModel[LabResult]):
    COLUMNS = ("When", "A", "B", "Link", "p50 A", "p50 B", "Speed-up")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: r.run_id, parent)

    def column_title(self, section: int) -> str:
        return [
            self.tr("When"),
            self.tr("A"),
            self.tr("B"),
            self.tr("Link"),
            self.tr("p50 A"),
            self.tr("p50 B"),
            self.tr("Speed-up"),
        ][section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        result = self.row_at(index)
        if result is None:
            return None
        col = index.column()
        if role == Roles.Key:
            return result.run_id
        if role == Roles.Result:
            return result
        if role == Roles.Ratio:
            return ratio(result)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == Col.WHEN:
                return format_time(result.created)
            if col == Col.A:
                return result.sides[0].label
            if col == Col.B:
                return result.sides[1].label
            if col == Col.LINK:
                return link_profile_label(result.request.link)
            if col == Col.P50_A:
                return format_duration_ms(side_stats(result.sides[0])["p50"])
            if col == Col.P50_B:
                return format_duration_ms(side_stats(result.sides[1])["p50"])
            if col == Col.RATIO:
                if result.status != "finished":
                    return {"cancelled": self.tr("cancelled"), "failed": self.tr("failed")}.get(
                        result.status, result.status
                    )
                r = ratio(result)
                return "—" if r is None else f"{r:.1f}×"
        if role == Qt.ItemDataRole.ToolTipRole:
            if result.error:
                return result.error
            return f"{result.sides[0].target} vs {result.sides[1].target}"
        return None
