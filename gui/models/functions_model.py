"""`FunctionsModel`: the Functions table (one row per function)."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, Qt, Signal

from gui.backend import AccelState, FunctionInfo, short_image
from gui.format import format_time, parse_time
from gui.i18n import arg
from gui.models._base import AnyIndex, KeyedTableModel

__all__ = ["Col", "FunctionsModel", "Roles", "accel_badge", "state_badge", "update_badge"]


class Roles(enum.IntEnum):
    Key = Qt.ItemDataRole.UserRole + 1
    Info = enum.auto()
    Badge = enum.auto()  # (text, kind) for the badge delegate
    Sort = enum.auto()


class Col(enum.IntEnum):
    NAME = 0
    IMAGE = 1
    ACCEL = 2
    STATE = 3
    UPDATE = 4
    RESOURCES = 5
    MODIFIED = 6


# Badge kinds are colour names the delegate knows: ok, busy, bad, muted, info.
def state_badge(info: FunctionInfo) -> tuple[str, str]:
    state = info.state
    if state is None:
        return (QCoreApplication.translate("FunctionsModel", "…"), "muted")
    kind = {"Active": "ok", "Pending": "busy", "Failed": "bad", "Inactive": "muted"}.get(
        state, "muted"
    )
    text = {
        "Active": QCoreApplication.translate("FunctionsModel", "Active"),
        "Pending": QCoreApplication.translate("FunctionsModel", "Pending"),
        "Failed": QCoreApplication.translate("FunctionsModel", "Failed"),
        "Inactive": QCoreApplication.translate("FunctionsModel", "Inactive"),
    }.get(state, state)
    return (text, kind)


def update_badge(info: FunctionInfo) -> tuple[str, str]:
    status = info.last_update_status
    if status is None:
        return (QCoreApplication.translate("FunctionsModel", "…"), "muted")
    if status == "InProgress":
        if info.last_update_reason_code == "ImageOptimizing":
            return (QCoreApplication.translate("FunctionsModel", "Optimizing image"), "busy")
        return (QCoreApplication.translate("FunctionsModel", "In progress"), "busy")
    if status == "Successful":
        return (QCoreApplication.translate("FunctionsModel", "Successful"), "ok")
    if status == "Failed":
        return (QCoreApplication.translate("FunctionsModel", "Failed"), "bad")
    return (status, "muted")


def accel_badge(accel: AccelState) -> tuple[str, str]:
    return {
        AccelState.READY: (QCoreApplication.translate("FunctionsModel", "Accelerated"), "ok"),
        AccelState.AVAILABLE: (
            QCoreApplication.translate("FunctionsModel", "Twin available"),
            "warn",
        ),
        AccelState.CONVERTING: (QCoreApplication.translate("FunctionsModel", "Converting"), "busy"),
        AccelState.FAILED: (
            QCoreApplication.translate("FunctionsModel", "Conversion failed"),
            "bad",
        ),
        AccelState.NONE: (QCoreApplication.translate("FunctionsModel", "Not accelerated"), "warn"),
        AccelState.UNKNOWN: (QCoreApplication.translate("FunctionsModel", "…"), "muted"),
    }[accel]


# The roles data() answers; views ask every cell for about seven others (font, colours,
# alignment, …): those return at once.
_DATA_ROLES = frozenset(
    {
        *Roles,
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ToolTipRole,
    }
)


class FunctionsModel(KeyedTableModel[FunctionInfo]):
    """Functions as listed; rows fill in with GetFunction details as they load.

    ``fetchMore`` asks the owner (``moreRequested``) for the next ListFunctions page; the
    owner calls `append_rows` and sets `has_more`.
    """

    COLUMNS = (
        "Name",
        "Image",
        "Acceleration",
        "State",
        "Last update",
        "CPU / Memory",
        "Last modified",
    )
    moreRequested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda f: f.name, parent)
        self.has_more = False
        self._fetching = False

    def column_title(self, section: int) -> str:
        return [
            self.tr("Name"),
            self.tr("Image"),
            self.tr("Acceleration"),
            self.tr("State"),
            self.tr("Last update"),
            self.tr("CPU / Memory"),
            self.tr("Last modified"),
        ][section]

    def set_fetching(self, fetching: bool) -> None:
        self._fetching = fetching

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.has_more and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetching = True
            self.moreRequested.emit()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        info = self.row_at(index) if role in _DATA_ROLES else None
        if info is None:
            return None
        col = index.column()
        if role == Roles.Key:
            return info.name
        if role == Roles.Info:
            return info
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Roles.Badge,
            Qt.ItemDataRole.ToolTipRole,
            Roles.Sort,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return self._cell(info, col, role)
        return None

    def _cell(self, info: FunctionInfo, col: int, role: int) -> Any:
        badge: tuple[str, str] | None = None
        if col == Col.ACCEL:
            badge = accel_badge(info.accel)
        elif col == Col.STATE:
            badge = state_badge(info)
        elif col == Col.UPDATE:
            badge = update_badge(info)
        if badge is not None:
            if role == Roles.Badge:
                return badge
            if role == Qt.ItemDataRole.ToolTipRole:
                if col == Col.STATE and info.state_reason:
                    return info.state_reason
                if col == Col.UPDATE and info.last_update_reason:
                    return info.last_update_reason
                return badge[0]
            if role == Roles.Sort:
                return badge[0]
            return badge[0]
        if role == Roles.Badge:
            return None
        if col == Col.NAME:
            if role == Qt.ItemDataRole.ToolTipRole:
                return info.description or info.name
            return info.name
        if col == Col.IMAGE:
            if role == Qt.ItemDataRole.ToolTipRole:
                return info.resolved_image or info.image
            return short_image(info.image)
        if col == Col.RESOURCES:
            if role == Roles.Sort:
                return (info.cpu or 0.0, info.memory_mb or 0)
            if info.cpu is None and info.memory_mb is None:
                return "—"
            cpu = f"{info.cpu:g}" if info.cpu is not None else "?"
            mem = f"{info.memory_mb}" if info.memory_mb is not None else "?"
            return arg(self.tr("%1 vCPU / %2 MB"), cpu, mem)
        if col == Col.MODIFIED:
            if role == Roles.Sort:
                parsed = parse_time(info.last_modified)
                return parsed.timestamp() if parsed else 0.0
            return format_time(info.last_modified)
        return None

    def update_function(self, info: FunctionInfo) -> None:
        """Merge a GetFunction answer (or a changed listing row) into its row."""
        old = self.get(info.name)
        self.upsert(old.merged(info) if old is not None else info)

    def set_accel(self, name: str, accel: AccelState) -> None:
        from dataclasses import replace

        old = self.get(name)
        if old is not None and old.accel is not accel:
            self.upsert(replace(old, accel=accel))
