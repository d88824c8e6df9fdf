"""Shared plumbing for the table models: a keyed list of plain-Python rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

__all__ = ["AnyIndex", "KeyedTableModel"]

R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex


class KeyedTableModel(QAbstractTableModel, Generic[R]):
    """Rows of type ``R`` identified by ``key(row)``; subclasses give columns and data."""

    COLUMNS: Sequence[str] = ()

    def __init__(self, key: Callable[[R], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._key = key
        self._rows: list[R] = []
        self._index: dict[str, int] = {}

    # -- Qt API -------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.column_title(section)
        return None

    def column_title(self, section: int) -> str:
        return self.COLUMNS[section]

    # -- row access ---------------------------------------------------------------------
    @property
    def rows(self) -> list[R]:
        return self._rows

    def row(self, index: int) -> R:
        return self._rows[index]

    def row_at(self, index: AnyIndex) -> R | None:
        """The row an index of this model points at; ``None`` for an invalid index or one
        left over from before the rows changed."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def row_of(self, key: str) -> int:
        return self._index.get(key, -1)

    def get(self, key: str) -> R | None:
        i = self._index.get(key)
        return None if i is None else self._rows[i]

    def _reindex(self) -> None:
        self._index = {self._key(r): i for i, r in enumerate(self._rows)}

    def set_rows(self, rows: Iterable[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._reindex()
        self.endResetModel()

    def append_rows(self, rows: Iterable[R]) -> None:
        new = [r for r in rows if self._key(r) not in self._index]
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for i, r in enumerate(new):
            self._rows.append(r)
            self._index[self._key(r)] = first + i
        self.endInsertRows()

    def upsert(self, row: R, *, prepend: bool = False) -> int:
        """Replace the row with the same key (emitting ``dataChanged``) or insert it."""
        key = self._key(row)
        i = self._index.get(key)
        if i is not None:
            if self._rows[i] != row:
                self._rows[i] = row
                self.dataChanged.emit(
                    self.index(i, 0), self.index(i, max(0, self.columnCount() - 1))
                )
            return i
        pos = 0 if prepend else len(self._rows)
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, row)
        if prepend:
            self._reindex()
        else:
            self._index[key] = pos
        self.endInsertRows()
        return pos

    def remove(self, key: str) -> bool:
        i = self._index.get(key)
        if i is None:
            return False
        self.beginRemoveRows(QModelIndex(), i, i)
        del self._rows[i]
        self._reindex()
        self.endRemoveRows()
        return True

    def clear(self) -> None:
        self.set_rows([])
