"""The command palette's items, fuzzy search and list model.

`PaletteIndex` searches tens of thousands of items per keystroke: each item's text is lowered
once; a query becomes one compiled regular expression (its characters in order, each at its
next occurrence, without backtracking: ``re`` does the scanning in C), so that Python only
scores the items that match — by where the match starts, how spread out it is, whether it
starts a word, and the item's kind — and keeps the best ``limit`` with a heap.
"""

from __future__ import annotations

import enum
import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Qt

from gui.models._base import AnyIndex

__all__ = ["PaletteIndex", "PaletteItem", "PaletteModel", "PaletteRoles"]

#: Kinds in the order they win a tie.
KINDS = ("action", "function", "repository", "tag", "task", "profile")
_KIND_BONUS = {kind: (len(KINDS) - i) * 2 for i, kind in enumerate(KINDS)}
_WORD = re.compile(r"[\s/:_.\-@]")


@dataclass(frozen=True, slots=True)
class PaletteItem:
    """One thing the palette finds. ``kind`` is one of `KINDS`; ``title`` what is searched
    and shown, ``subtitle`` where it is (searched too); ``target`` the ``(profile, region)``
    it belongs to; ``payload`` what activating it needs (a function name, a task id …)."""

    kind: str
    title: str
    subtitle: str = ""
    target: tuple[str, str] = ("", "")
    payload: Any = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.kind}\x1f{self.target[0]}\x1f{self.target[1]}\x1f{self.title}"


class PaletteIndex:
    """Items and their lowered search texts (see the module docs)."""

    def __init__(self, items: Iterable[PaletteItem] = ()) -> None:
        self.items: list[PaletteItem] = []
        self._titles: list[str] = []
        self._texts: list[str] = []
        self._title_ends: list[int] = []
        self._bonus: list[int] = []
        self.set_items(items)

    def set_items(self, items: Iterable[PaletteItem]) -> None:
        self.items = list(items)
        self._titles = [i.title.lower() for i in self.items]
        self._texts = [
            f"{t} {i.subtitle.lower()}" for t, i in zip(self._titles, self.items, strict=True)
        ]
        self._title_ends = [len(t) for t in self._titles]
        self._bonus = [_KIND_BONUS.get(i.kind, 0) for i in self.items]

    def __len__(self) -> int:
        return len(self.items)

    def search(self, query: str, limit: int = 50) -> list[PaletteItem]:
        """The best ``limit`` items for ``query`` (every character, in order, anywhere in the
        title or subtitle); an empty query keeps the items' order."""
        needle = "".join(query.lower().split())
        if not needle:
            return self.items[:limit]
        # each next character at its first occurrence: [^c]*+c never backtracks
        first, rest = re.escape(needle[0]), needle[1:]
        find = re.compile(
            first + "".join(f"[^{re.escape(c)}]*+{re.escape(c)}" for c in rest)
        ).search
        word = _WORD.match
        width = len(needle)
        titles, ends, bonus = self._titles, self._title_ends, self._bonus
        scored: list[tuple[int, int]] = []
        add = scored.append
        for i, text in enumerate(self._texts):
            m = find(text)
            if m is None:
                continue
            start, end = m.span()
            # a tighter span beats a spread one; the title beats the subtitle; an earlier
            # start and a word start beat a later one; a prefix and a substring win outright
            score = 1000 - 8 * (end - start - width) - start + bonus[i]
            if end <= ends[i]:
                score += 200
                if start == 0 and end == width:
                    score += 300
                elif end - start == width or needle in titles[i]:
                    score += 150
            if start == 0 or word(text, start - 1):
                score += 60
            add((score, -i))
        items = self.items
        return [items[-neg] for _score, neg in heapq.nlargest(limit, scored)]


class PaletteRoles(enum.IntEnum):
    Item = Qt.ItemDataRole.UserRole + 1
    Kind = enum.auto()
    Subtitle = enum.auto()


class PaletteModel(QAbstractListModel):
    """The current results (a few dozen at most): title, kind and subtitle per row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PaletteItem] = []

    def set_results(self, rows: Sequence[PaletteItem]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def item(self, row: int) -> PaletteItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return item.title
        if role == PaletteRoles.Item:
            return item
        if role == PaletteRoles.Kind:
            return item.kind
        if role in (PaletteRoles.Subtitle, Qt.ItemDataRole.ToolTipRole):
            return item.subtitle
        return None
