"""`DiffModel`: two images' file trees compared (a `core.explore.ListingDiff`) as a flat table.

Built for comparisons of 100,000 changed paths: a row is an index into the diff's changes,
nothing is copied per row, and the shown rows are those of the chosen kinds (added, removed,
changed) whose path contains the search text — found with the same one-string search index
as the Files tab's search. Rows sort by any column (path, kind, sizes, size change).
"""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt

from core.explore import Change, ChangeKind, FileEntry, ListingDiff
from gui.format import format_bytes
from gui.i18n import arg
from gui.models._base import AnyIndex
from gui.models.files_model import SearchIndex

__all__ = ["DiffCol", "DiffModel", "DiffRoles", "diff_search_index"]


class DiffCol(enum.IntEnum):
    CHANGE = 0
    PATH = 1
    BEFORE = 2
    AFTER = 3
    DELTA = 4
    WHAT = 5


class DiffRoles(enum.IntEnum):
    Change = Qt.ItemDataRole.UserRole + 1  # core Change
    Path = enum.auto()
    Badge = enum.auto()  # (text, kind) of the Change column, for the badge delegate


_KIND_BADGE = {ChangeKind.ADDED: "ok", ChangeKind.REMOVED: "bad", ChangeKind.CHANGED: "warn"}
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_DATA_ROLES = frozenset(
    {
        *DiffRoles,
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.AccessibleTextRole,
    }
)


def diff_search_index(diff: ListingDiff) -> SearchIndex:
    """The search index of a diff's paths (build it off the GUI thread)."""
    return SearchIndex.of(c.path for c in diff.changes)


def _size(entry: FileEntry | None) -> int | None:
    if entry is None or entry.kind not in ("reg", "hardlink"):
        return None
    return entry.size


class DiffModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._diff: ListingDiff | None = None
        self._changes: tuple[Change, ...] = ()
        self._index: SearchIndex | None = None
        self._rows: list[int] = []
        self._kinds: set[ChangeKind] = set(ChangeKind)
        self._filter = ""
        self._sort: tuple[int, Qt.SortOrder] = (DiffCol.PATH, Qt.SortOrder.AscendingOrder)

    # -- content ------------------------------------------------------------------------
    @property
    def diff(self) -> ListingDiff | None:
        return self._diff

    def set_diff(self, diff: ListingDiff | None, index: SearchIndex | None = None) -> None:
        """Show ``diff``; ``index`` (`diff_search_index` of it, built off the GUI thread)
        saves building it on the first search."""
        self.beginResetModel()
        self._diff = diff
        self._changes = diff.changes if diff is not None else ()
        self._index = index
        self._rows = self._select()
        self.endResetModel()

    def set_kinds(self, kinds: set[ChangeKind]) -> None:
        if kinds == self._kinds:
            return
        self.beginResetModel()
        self._kinds = set(kinds)
        self._rows = self._select()
        self.endResetModel()

    @property
    def kinds(self) -> set[ChangeKind]:
        return set(self._kinds)

    def set_filter(self, text: str) -> None:
        text = text.strip().lower()
        if text == self._filter:
            return
        self.beginResetModel()
        self._filter = text
        self._rows = self._select()
        self.endResetModel()

    def change(self, row: int) -> Change | None:
        return self._changes[self._rows[row]] if 0 <= row < len(self._rows) else None

    def shown(self) -> list[Change]:
        """The changes shown, in the order shown."""
        return [self._changes[i] for i in self._rows]

    def _select(self) -> list[int]:
        changes = self._changes
        if self._filter:
            if "\n" in self._filter:
                return []
            if self._index is None:
                self._index = SearchIndex.of(c.path for c in changes)
            rows = self._index.find(self._filter, first=0)
        else:
            rows = list(range(len(changes)))
        if len(self._kinds) < len(ChangeKind):
            kinds = self._kinds
            rows = [i for i in rows if changes[i].kind in kinds]
        return self._sorted(rows)

    def _sorted(self, rows: list[int]) -> list[int]:
        column, order = self._sort
        changes = self._changes
        reverse = order == Qt.SortOrder.DescendingOrder
        if column == DiffCol.PATH:  # the diff's own order
            return rows[::-1] if reverse else rows
        key: Any
        if column == DiffCol.CHANGE:
            rank = {ChangeKind.ADDED: 0, ChangeKind.REMOVED: 1, ChangeKind.CHANGED: 2}
            key = lambda i: rank[changes[i].kind]  # noqa: E731
        elif column == DiffCol.BEFORE:
            key = lambda i: _size(changes[i].before) or 0  # noqa: E731
        elif column == DiffCol.AFTER:
            key = lambda i: _size(changes[i].after) or 0  # noqa: E731
        elif column == DiffCol.DELTA:
            key = lambda i: changes[i].size_delta  # noqa: E731
        else:
            key = lambda i: changes[i].fields  # noqa: E731
        return sorted(rows, key=key, reverse=reverse)  # stable: path order within a key

    # -- Qt API -------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._rows = self._sorted(sorted(self._rows))
        self.layoutChanged.emit()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DiffCol)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            DiffCol.CHANGE: self.tr("Change"),
            DiffCol.PATH: self.tr("Path"),
            DiffCol.BEFORE: self.tr("Before"),
            DiffCol.AFTER: self.tr("After"),
            DiffCol.DELTA: self.tr("Size change"),
            DiffCol.WHAT: self.tr("What changed"),
        }
        return titles.get(DiffCol(section)) if 0 <= section < len(DiffCol) else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _DATA_ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        c = self._changes[self._rows[row]]
        col = index.column()
        if role == DiffRoles.Change:
            return c
        if role == DiffRoles.Path:
            return "/" + c.path
        if role == DiffRoles.Badge:
            if col != DiffCol.CHANGE:
                return None
            return (self.kind_text(c.kind), _KIND_BADGE[c.kind])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col in (DiffCol.BEFORE, DiffCol.AFTER, DiffCol.DELTA) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(c)
        return self._display(c, col)

    def kind_text(self, kind: ChangeKind) -> str:
        return {
            ChangeKind.ADDED: self.tr("added"),
            ChangeKind.REMOVED: self.tr("removed"),
            ChangeKind.CHANGED: self.tr("changed"),
        }[kind]

    def _display(self, c: Change, col: int) -> str:
        entry = c.after or c.before
        assert entry is not None
        if col == DiffCol.CHANGE:
            return self.kind_text(c.kind)
        if col == DiffCol.PATH:
            text = "/" + c.path + ("/" if entry.is_dir else "")
            if entry.kind == "symlink":
                text += f" → {entry.link}"
            return text
        if col == DiffCol.BEFORE:
            return self._size_text(c.before)
        if col == DiffCol.AFTER:
            return self._size_text(c.after)
        if col == DiffCol.DELTA:
            delta = c.size_delta
            if not delta:
                return ""
            return ("+" if delta > 0 else "−") + format_bytes(abs(delta))
        if col == DiffCol.WHAT:
            return self.describe(c)
        return ""

    def _size_text(self, entry: FileEntry | None) -> str:
        if entry is None:
            return ""
        size = _size(entry)
        if size is not None:
            return format_bytes(size)
        return self.tr("directory") if entry.is_dir else entry.kind

    def describe(self, c: Change) -> str:
        """What changed, in words: ``mode rw-r--r-- → rwxr-xr-x, owner 0:0 → 1000:1000``."""
        if c.kind is not ChangeKind.CHANGED or c.before is None or c.after is None:
            return ""
        a, b = c.before, c.after
        parts = []
        for name in c.fields:
            if name == "content":
                parts.append(self.tr("content"))
            elif name == "size":
                parts.append(self.tr("size"))
            elif name == "kind":
                parts.append(arg(self.tr("kind %1 → %2"), a.kind, b.kind))
            elif name == "mode":
                parts.append(arg(self.tr("mode %1 → %2"), a.mode_text[1:], b.mode_text[1:]))
            elif name == "owner":
                parts.append(arg(self.tr("owner %1 → %2"), _owner(a), _owner(b)))
            elif name == "link":
                parts.append(arg(self.tr("target %1 → %2"), a.link, b.link))
            else:
                parts.append(name)
        return ", ".join(parts)

    def _tooltip(self, c: Change) -> str:
        lines = ["/" + c.path, self.kind_text(c.kind)]
        what = self.describe(c)
        if what:
            lines.append(what)
        for label, entry in ((self.tr("Before"), c.before), (self.tr("After"), c.after)):
            if entry is not None and entry.layer >= 0:
                lines.append(arg(self.tr("%1: from layer %2"), label, str(entry.layer)))
        return "\n".join(lines)


def _owner(e: FileEntry) -> str:
    return f"{e.user or e.uid}:{e.group or e.gid}"
