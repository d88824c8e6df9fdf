"""`TasksModel`: conversion tasks with live progress."""

from __future__ import annotations

import enum
import time
from typing import Any

from PySide6.QtCore import QObject, Qt

from gui.backend import TaskInfo, TaskStatus
from gui.format import format_eta, format_time
from gui.models._base import AnyIndex, KeyedTableModel

__all__ = ["Col", "Roles", "TasksModel", "eta_seconds"]


class Roles(enum.IntEnum):
    Key = Qt.ItemDataRole.UserRole + 1
    Task = enum.auto()
    Progress = enum.auto()  # float | None
    Badge = enum.auto()


class Col(enum.IntEnum):
    IMAGE = 0
    STATUS = 1
    PROGRESS = 2
    STARTED = 3
    TASK_ID = 4


def eta_seconds(task: TaskInfo, now: float | None = None) -> float | None:
    """Remaining seconds from the average rate so far, or ``None`` when unknown."""
    frac = task.fraction
    if task.started is None or frac is None or frac <= 0.0 or task.status.finished:
        return None
    elapsed = (now if now is not None else time.time()) - task.started
    if elapsed <= 0:
        return None
    return elapsed * (1.0 - frac) / frac


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


class TasksModel(KeyedTableModel[TaskInfo]):
    COLUMNS = ("Image", "Status", "Progress", "Started", "Task")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda t: t.task_id, parent)

    def column_title(self, section: int) -> str:
        return [
            self.tr("Image"),
            self.tr("Status"),
            self.tr("Progress"),
            self.tr("Started"),
            self.tr("Task"),
        ][section]

    def status_badge(self, task: TaskInfo) -> tuple[str, str]:
        return {
            TaskStatus.PENDING: (self.tr("Pending"), "muted"),
            TaskStatus.BUILDING: (self.tr("Building"), "busy"),
            TaskStatus.SUCCESS: (self.tr("Succeeded"), "ok"),
            TaskStatus.FAILED: (self.tr("Failed"), "bad"),
            TaskStatus.CANCELED: (self.tr("Cancelled"), "muted"),
        }[task.status]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        task = self.row_at(index) if role in _DATA_ROLES else None
        if task is None:
            return None
        col = index.column()
        if role == Roles.Key:
            return task.task_id
        if role == Roles.Task:
            return task
        if role == Roles.Progress:
            return task.fraction
        if role == Roles.Badge:
            return self.status_badge(task) if col == Col.STATUS else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == Col.IMAGE:
                repo = task.repo_path or task.repo_id
                return f"{repo}:{task.source_tag} → {task.target_tag}"
            if col == Col.STATUS:
                return self.status_badge(task)[0]
            if col == Col.PROGRESS:
                frac = task.fraction
                if task.status is TaskStatus.BUILDING:
                    pct = "…" if frac is None else f"{int(frac * 100)}%"
                    return f"{pct} · {format_eta(eta_seconds(task))}"
                if task.status is TaskStatus.SUCCESS:
                    return "100%"
                return "—"
            if col == Col.STARTED:
                return format_time(task.started)
            if col == Col.TASK_ID:
                return task.task_id
        if role == Qt.ItemDataRole.ToolTipRole:
            if task.error:
                return task.error
            return task.phase or None
        return None
