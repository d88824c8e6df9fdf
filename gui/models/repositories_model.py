"""`RepositoriesModel`: repositories of a registry instance with their acceleration switch."""

from __future__ import annotations

import enum
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Qt

from gui.backend import RepoInfo
from gui.format import format_time
from gui.models._base import AnyIndex, KeyedTableModel

__all__ = ["Col", "RepositoriesModel", "Roles"]


class Roles(enum.IntEnum):
    Key = Qt.ItemDataRole.UserRole + 1
    Repo = enum.auto()
    Acceleration = enum.auto()  # bool | None
    Badge = enum.auto()


class Col(enum.IntEnum):
    NAME = 0
    ACCELERATION = 1
    TYPE = 2
    MODIFIED = 3


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


class RepositoriesModel(KeyedTableModel[RepoInfo]):
    COLUMNS = ("Repository", "Acceleration", "Type", "Modified")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: r.repo_id, parent)

    def column_title(self, section: int) -> str:
        return [
            self.tr("Repository"),
            self.tr("Acceleration"),
            self.tr("Type"),
            self.tr("Modified"),
        ][section]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        repo = self.row_at(index) if role in _DATA_ROLES else None
        if repo is None:
            return None
        col = index.column()
        if role == Roles.Key:
            return repo.repo_id
        if role == Roles.Repo:
            return repo
        if role == Roles.Acceleration:
            return repo.acceleration
        if role == Roles.Badge:
            if col != Col.ACCELERATION:
                return None
            if repo.acceleration is None:
                return (self.tr("…"), "muted")
            return (self.tr("On"), "ok") if repo.acceleration else (self.tr("Off"), "muted")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == Col.NAME:
                return repo.path
            if col == Col.ACCELERATION:
                if repo.acceleration is None:
                    return self.tr("…")
                return self.tr("On") if repo.acceleration else self.tr("Off")
            if col == Col.TYPE:
                return self.tr("Public") if repo.repo_type == "PUBLIC" else self.tr("Private")
            if col == Col.MODIFIED:
                return format_time(repo.modified)
        if role == Qt.ItemDataRole.ToolTipRole and col == Col.NAME:
            return repo.summary or repo.path
        return None

    def set_acceleration(self, repo_id: str, on: bool | None) -> None:
        repo = self.get(repo_id)
        if repo is not None and repo.acceleration != on:
            self.upsert(replace(repo, acceleration=on))
