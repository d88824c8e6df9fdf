"""`FilesModel`: an image's file tree (a `core.explore.ImageListing`) for a tree view.

Built for images of 100,000 entries and more: an item is an index into the listing's entry
list (its ``internalId``), a directory's children are computed when it is first expanded
(directories first, then by name), and nothing is copied per row. A search switches the model
to a flat list of the matching paths (a case-insensitive substring of the path), computed from
a lowered copy of every path made once per listing. Files of the image's start-up profile
are drawn bold with a marker, and directories show how much of them start-up reads.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from core.explore import FileEntry, ImageListing
from gui.format import format_bytes, format_time
from gui.i18n import arg
from gui.models._base import AnyIndex

__all__ = ["FileCol", "FileRoles", "FilesModel", "SearchIndex", "search_index"]


class SearchIndex:
    """Paths, lowered, in one string (one ``\n`` after each), so that a search is
    ``str.find`` in C over the whole text rather than a Python loop over the entries. Build
    it off the GUI thread (`search_index`, `SearchIndex.of`)."""

    __slots__ = ("starts", "text")

    def __init__(self, text: str, starts: list[int]) -> None:
        self.text = text
        self.starts = starts

    @classmethod
    def of(cls, paths: Iterable[str]) -> SearchIndex:
        lowered = [p.lower() for p in paths]
        starts = []
        at = 0
        for p in lowered:
            starts.append(at)
            at += len(p) + 1
        return cls("\n".join(lowered) + "\n", starts)

    def find(self, needle: str, first: int = 1) -> list[int]:
        """Rows (indexes into the paths) from ``first`` on whose path contains ``needle``
        (lowered; a listing's row 0 is its root)."""
        text, starts = self.text, self.starts
        out: list[int] = []
        find, n = text.find, len(starts)
        if not needle or not n:
            return out
        pos = find(needle)
        while pos >= 0:
            row = bisect.bisect_right(starts, pos) - 1
            # a match across the separator is no match (needles have no newline)
            if row >= first:
                out.append(row)
            if row + 1 >= n:
                break
            pos = find(needle, starts[row + 1])
        return out


def search_index(listing: ImageListing) -> SearchIndex:
    return SearchIndex.of(e.path for e in listing.entries)


class FileRoles(enum.IntEnum):
    Entry = Qt.ItemDataRole.UserRole + 1  # FileEntry
    Path = enum.auto()
    InProfile = enum.auto()


class FileCol(enum.IntEnum):
    NAME = 0
    SIZE = 1
    STARTUP = 2
    LAYER = 3
    MODE = 4
    OWNER = 5
    MODIFIED = 6


_DATA_ROLES = frozenset(
    {
        *FileRoles,
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.AccessibleTextRole,
    }
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags


class FilesModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listing: ImageListing | None = None
        self._entries: list[FileEntry] = []
        self._kids: dict[int, list[int]] = {}  # entry row -> children rows (dirs first)
        self._pos: dict[int, int] = {}  # entry row -> position under its parent
        self._parent: dict[int, int] = {}
        self._search_index: SearchIndex | None = None
        self._matches: list[int] | None = None  # search mode: entry rows
        self._filter = ""
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content ------------------------------------------------------------------------
    @property
    def listing(self) -> ImageListing | None:
        return self._listing

    def set_listing(self, listing: ImageListing | None, index: SearchIndex | None = None) -> None:
        """Show ``listing``; ``index`` (`search_index` of it, built off the GUI thread) saves
        building it on the first search."""
        self.beginResetModel()
        self._listing = listing
        self._entries = listing.entries if listing is not None else []
        self._kids.clear()
        self._pos.clear()
        self._parent.clear()
        self._search_index = index
        self._matches = None
        if listing is not None and self._filter:
            self._matches = self._search(self._filter)
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        text = text.strip().lower()
        if text == self._filter:
            return
        self.beginResetModel()
        self._filter = text
        self._matches = self._search(text) if text and self._listing is not None else None
        self.endResetModel()

    @property
    def filter_text(self) -> str:
        return self._filter

    @property
    def searching(self) -> bool:
        return self._matches is not None

    def match_count(self) -> int:
        return len(self._matches) if self._matches is not None else 0

    def _search(self, needle: str) -> list[int]:
        if "\n" in needle or self._listing is None:
            return []
        if self._search_index is None:
            self._search_index = search_index(self._listing)
        return self._search_index.find(needle)

    def _children(self, row: int) -> list[int]:
        kids = self._kids.get(row)
        if kids is None:
            assert self._listing is not None
            rows = self._listing.child_rows(row)
            entries = self._entries
            kids = [r for r in rows if entries[r].kind == "dir"]
            kids += [r for r in rows if entries[r].kind != "dir"]
            for pos, r in enumerate(kids):
                self._pos[r] = pos
                self._parent[r] = row
            self._kids[row] = kids
        return kids

    def entry(self, index: AnyIndex) -> FileEntry | None:
        if not index.isValid():
            return None
        return self._entries[index.internalId()]

    def index_of_path(self, path: str) -> QModelIndex:
        """The index of ``path`` in tree mode (its parents' children computed on the way)."""
        if self._listing is None or self._matches is not None:
            return QModelIndex()
        found = self._listing.row_of(path)
        if found is None or found == 0:
            return QModelIndex()
        chain: list[int] = []
        row: int | None = found
        while row:
            chain.append(row)
            row = self._listing.row_of(self._entries[row].parent)
        parent = QModelIndex()
        for r in reversed(chain):
            kids = self._children(parent.internalId() if parent.isValid() else 0)
            parent = self.createIndex(self._pos[r], 0, r)
            assert kids[self._pos[r]] == r
        return parent

    # -- Qt API -------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if self._listing is None or column < 0 or column >= len(FileCol) or row < 0:
            return QModelIndex()
        if self._matches is not None:
            if parent.isValid() or row >= len(self._matches):
                return QModelIndex()
            return self.createIndex(row, column, self._matches[row])
        kids = self._children(parent.internalId() if parent.isValid() else 0)
        if row >= len(kids):
            return QModelIndex()
        return self.createIndex(row, column, kids[row])

    def parent(self, child: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or self._matches is not None:
            return QModelIndex()
        up = self._parent.get(child.internalId(), 0)
        if up == 0:
            return QModelIndex()
        if up not in self._pos:
            self._children(self._parent.get(up, 0))
        return self.createIndex(self._pos[up], 0, up)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if self._listing is None:
            return 0
        if self._matches is not None:
            return 0 if parent.isValid() else len(self._matches)
        if parent.isValid():
            if parent.column() != 0 or self._entries[parent.internalId()].kind != "dir":
                return 0
            return len(self._children(parent.internalId()))
        return len(self._children(0))

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if self._listing is None:
            return False
        if not parent.isValid():
            return self.rowCount() > 0
        if self._matches is not None or parent.column() != 0:
            return False
        e = self._entries[parent.internalId()]
        return e.kind == "dir" and e.files > 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return len(FileCol)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            FileCol.NAME: self.tr("Name"),
            FileCol.SIZE: self.tr("Size"),
            FileCol.STARTUP: self.tr("Start-up"),
            FileCol.LAYER: self.tr("Layer"),
            FileCol.MODE: self.tr("Mode"),
            FileCol.OWNER: self.tr("Owner"),
            FileCol.MODIFIED: self.tr("Modified"),
        }
        return titles.get(FileCol(section)) if 0 <= section < len(FileCol) else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # asked for every row a view lays out: a constant, not an enum operation per call
        return _FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _DATA_ROLES or not index.isValid():
            return None
        e = self._entries[index.internalId()]
        col = index.column()
        if role == FileRoles.Entry:
            return e
        if role == FileRoles.Path:
            return "/" + e.path
        if role == FileRoles.InProfile:
            return e.in_profile
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if e.in_profile and col == FileCol.NAME else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(e, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col in (FileCol.SIZE, FileCol.STARTUP, FileCol.LAYER) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(e)
        return self._display(e, col)

    def _display(self, e: FileEntry, col: int) -> str:
        if col == FileCol.NAME:
            name = e.path if self._matches is not None else e.name
            if e.is_dir:
                return name + "/"
            if e.kind in ("symlink", "hardlink"):
                return f"{name} → {e.link}"
            return ("● " if e.in_profile else "") + name
        if col == FileCol.SIZE:
            return format_bytes(e.size) if e.kind in ("reg", "dir", "hardlink") else ""
        if col == FileCol.STARTUP:
            if e.is_dir:
                if not e.profile_bytes or not e.size:
                    return ""
                return f"{100 * e.profile_bytes / e.size:.0f} %"
            return self.tr("start-up") if e.in_profile else ""
        if col == FileCol.LAYER:
            return str(e.layer) if e.layer >= 0 else ""
        if col == FileCol.MODE:
            return e.mode_text
        if col == FileCol.OWNER:
            return f"{e.user or e.uid}:{e.group or e.gid}"
        if col == FileCol.MODIFIED:
            return format_time(e.mtime_ns / 1e9) if e.mtime_ns else ""
        return ""

    def _foreground(self, e: FileEntry, col: int) -> QBrush | None:
        if col == FileCol.STARTUP and (e.in_profile or e.profile_bytes):
            return QBrush(_accent())
        if col == FileCol.NAME and e.in_profile:
            return QBrush(_accent())
        return None

    def _tooltip(self, e: FileEntry) -> str:
        lines = ["/" + e.path]
        if e.is_dir:
            lines.append(arg(self.tr("%1 in %2 entries"), format_bytes(e.size), f"{e.files:,}"))
            if e.profile_bytes:
                lines.append(arg(self.tr("start-up reads %1 of it"), format_bytes(e.profile_bytes)))
        elif e.in_profile:
            lines.append(self.tr("Read at start-up (in the image's start-up profile)"))
        if e.layer >= 0:
            lines.append(arg(self.tr("From layer %1"), str(e.layer)))
        return "\n".join(lines)


def _accent() -> QColor:
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#f0a030") if dark else QColor("#b35c00")
