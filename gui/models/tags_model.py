"""`TagsModel`: a repository's tags, each paired with its accelerated twin.

Built for big repositories: rows are indices into plain lists, so loading 100,000 tags and
filtering them are list operations (no per-row objects, no proxy model). ``_accelerated``
tags come first (the image picker prefers them), or with `set_paired` each plain tag is
followed by its twin, shown indented as a pair (the Images page); a plain tag shows its twin's
state (ready / converting with progress / failed with the reason / none) and an accelerated
tag names its source.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import attrgetter, not_
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt

from core import ACCELERATED_SUFFIX, is_accelerated_tag, source_tag_of, twin_tag_of
from gui.backend import AccelState, TagInfo, TaskInfo, TaskStatus
from gui.format import format_bytes, format_time, short_digest
from gui.i18n import arg
from gui.models._base import AnyIndex

__all__ = ["Col", "Roles", "TagsModel"]


class Roles(enum.IntEnum):
    Key = Qt.ItemDataRole.UserRole + 1
    Tag = enum.auto()  # TagInfo
    IsAccelerated = enum.auto()
    TwinTag = enum.auto()  # the twin's (or source's) name
    TwinState = enum.auto()  # AccelState of the plain tag's twin
    Task = enum.auto()  # TaskInfo | None
    Progress = enum.auto()  # float 0..1 | None while converting
    Badge = enum.auto()


class Col(enum.IntEnum):
    TAG = 0
    TWIN = 1
    STATE = 2
    SIZE = 3
    UPDATED = 4
    DIGEST = 5


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


class TagsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tags: list[TagInfo] = []
        self._names: list[str] = []
        self._lower: list[str] | None = []
        self._accel: list[bool] = []
        self._pos_cache: dict[str, int] | None = {}
        self._accel_set: set[str] = set()
        self._order: list[int] = []  # sorted indices (accelerated first)
        self._view: list[int] = []  # filtered indices shown
        self._filter = ""
        self._row_cache: tuple[list[int], dict[int, int]] | None = None
        self._tasks: dict[str, TaskInfo] = {}  # by source tag
        self._task_ids: dict[str, str] = {}  # task id -> source tag
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.acceleration_on = False
        self._pairs = False

    # -- loading and filtering ----------------------------------------------------------
    def set_tags(self, tags: Sequence[TagInfo]) -> None:
        self.beginResetModel()
        self._tags = list(tags)
        self._names = list(map(attrgetter("tag"), self._tags))
        self._lower = None  # built on the first filter
        # map over the unbound method: half the cost of a methodcaller per name
        self._accel = list(map(str.endswith, self._names, repeat(ACCELERATED_SUFFIX)))
        # Twins are looked up among the accelerated tags only; the full name index is built
        # on first use (live updates, selection by name), not on every load.
        self._accel_set = self._accel_names()
        if ACCELERATED_SUFFIX in self._accel_set:
            # A tag literally named "_accelerated" is nobody's twin.
            self._accel[self._names.index(ACCELERATED_SUFFIX)] = False
            self._accel_set.discard(ACCELERATED_SUFFIX)
        self._pos_cache = None
        self._row_cache = None
        self._resort()
        self._apply_filter()
        self.endResetModel()

    def _resort(self) -> None:
        n = len(self._tags)
        if self._sort is None or self._sort[0] == Col.UPDATED:
            updated = list(map(attrgetter("updated"), self._tags))
            reverse = self._sort is None or self._sort[1] == Qt.SortOrder.DescendingOrder
            order = sorted(range(n), key=updated.__getitem__, reverse=reverse)
        elif self._sort[0] == Col.SIZE:
            sizes = list(map(attrgetter("size"), self._tags))
            order = sorted(
                range(n),
                key=sizes.__getitem__,
                reverse=self._sort[1] == Qt.SortOrder.DescendingOrder,
            )
        else:
            lower = self._lowered()
            order = sorted(
                range(n),
                key=lower.__getitem__,
                reverse=self._sort[1] == Qt.SortOrder.DescendingOrder,
            )
        if self._pairs:
            self._order = self._paired(order)
        else:
            accel = self._accel
            flags = list(map(accel.__getitem__, order))
            self._order = list(compress(order, flags)) + list(compress(order, map(not_, flags)))

    def set_paired(self, paired: bool) -> None:
        """List each twin right under its plain tag (True) or every twin first (False)."""
        if paired == self._pairs:
            return
        self.beginResetModel()
        self._pairs = paired
        self._row_cache = None
        self._resort()
        self._apply_filter()
        self.endResetModel()

    def _paired(self, order: list[int]) -> list[int]:
        """``order`` with each twin moved right after its plain tag (a twin whose plain tag
        is gone keeps its place)."""
        accel, names, twins = self._accel, self._names, self._accel_set
        if not twins:
            return order
        plain = set(compress(names, map(not_, accel)))
        cut = len(ACCELERATED_SUFFIX)
        twin_at = {names[i]: i for i in order if accel[i]}
        out: list[int] = []
        append = out.append
        for i in order:
            name = names[i]
            if accel[i]:
                if name[:-cut] not in plain:
                    append(i)  # an orphan twin
                continue
            append(i)
            j = twin_at.get(name + ACCELERATED_SUFFIX)
            if j is not None:
                append(j)
        return out

    def is_paired_twin(self, name: str) -> bool:
        """An ``_accelerated`` tag listed under its plain tag."""
        if not name.endswith(ACCELERATED_SUFFIX) or name not in self._accel_set:
            return False
        return self.has_tag(name[: -len(ACCELERATED_SUFFIX)])

    def _accel_names(self) -> set[str]:
        return set(compress(self._names, self._accel))

    @property
    def _pos(self) -> dict[str, int]:
        if self._pos_cache is None:
            self._pos_cache = dict(zip(self._names, range(len(self._names)), strict=True))
        return self._pos_cache

    def _lowered(self) -> list[str]:
        if self._lower is None:
            self._lower = list(map(str.lower, self._names))
        return self._lower

    def _apply_filter(self) -> None:
        needle = self._filter
        if not needle:
            self._view = self._order
        elif needle.isascii() and not any(map(str.isalpha, needle)):
            # Digits and punctuation ("1.2", "2024-"): matching the names as they are is
            # the same as matching them lowered, without lowering 100,000 names first.
            names = self._names
            self._view = [i for i in self._order if needle in names[i]]
        else:
            lower = self._lowered()
            self._view = [i for i in self._order if needle in lower[i]]

    def set_filter(self, text: str) -> None:
        text = text.strip().lower()
        if text == self._filter:
            return
        self.beginResetModel()
        self._filter = text
        self._apply_filter()
        self.endResetModel()

    @property
    def filter_text(self) -> str:
        return self._filter

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column not in (Col.TAG, Col.SIZE, Col.UPDATED):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._resort()
        self._apply_filter()
        self.layoutChanged.emit()

    # -- live updates -------------------------------------------------------------------
    def upsert_tag(self, tag: TagInfo) -> None:
        i = self._pos.get(tag.tag)
        if i is not None:
            self._tags[i] = tag
            self._notify_tag(tag.tag)
            if is_accelerated_tag(tag.tag):
                self._notify_tag(source_tag_of(tag.tag))
            return
        if not self._insert_newest(tag):
            self.set_tags([*self._tags, tag])

    def _insert_newest(self, tag: TagInfo) -> bool:
        """Insert a just-pushed tag without rebuilding (live pushes into big repositories):
        with the default order (newest first) and no filter it goes to the top of its group.
        Returns False when a full rebuild is needed instead."""
        if self._sort is not None or self._filter or tag.tag == ACCELERATED_SUFFIX:
            return False
        accelerated = tag.tag.endswith(ACCELERATED_SUFFIX)
        n_accel = len(self._accel_set)
        group_first = 0 if accelerated else n_accel
        order = self._order
        if group_first < len(order):
            head = self._tags[order[group_first]]
            if accelerated == self._accel[order[group_first]] and tag.updated < head.updated:
                return False  # not the newest: let the sort place it
        index = len(self._tags)
        self._tags.append(tag)
        self._names.append(tag.tag)
        self._accel.append(accelerated)
        if self._lower is not None:
            self._lower.append(tag.tag.lower())
        if self._pos_cache is not None:
            self._pos_cache[tag.tag] = index
        self._row_cache = None
        self.beginInsertRows(QModelIndex(), group_first, group_first)
        order.insert(group_first, index)
        if accelerated:
            self._accel_set.add(tag.tag)
        self.endInsertRows()
        if accelerated:
            self._notify_tag(source_tag_of(tag.tag))
        return True

    def remove_tag(self, name: str) -> None:
        if name in self._pos:
            self.set_tags([t for t in self._tags if t.tag != name])

    def set_tasks(self, tasks: Iterable[TaskInfo]) -> None:
        latest: dict[str, TaskInfo] = {}
        for task in tasks:
            old = latest.get(task.source_tag)
            if old is None or (task.started or 0) >= (old.started or 0):
                latest[task.source_tag] = task
        changed = set(latest) ^ set(self._tasks)
        changed |= {k for k in latest if self._tasks.get(k) != latest[k]}
        self._tasks = latest
        self._task_ids = {t.task_id: t.source_tag for t in latest.values()}
        for name in changed:
            self._notify_tag(name)

    def update_task(self, task: TaskInfo) -> None:
        old = self._tasks.get(task.source_tag)
        if (
            old is not None
            and old.task_id != task.task_id
            and (old.started or 0) > (task.started or 0)
        ):
            return
        if old != task:
            self._tasks[task.source_tag] = task
            self._task_ids[task.task_id] = task.source_tag
            self._notify_tag(task.source_tag)

    def task_by_id(self, task_id: str) -> TaskInfo | None:
        source = self._task_ids.get(task_id)
        return self._tasks.get(source) if source is not None else None

    def _notify_tag(self, name: str) -> None:
        i = self._pos.get(name)
        if i is None:
            return
        try:
            row = self._view.index(i) if len(self._view) < 5000 else self._row_of_index(i)
        except ValueError:
            return
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(Col) - 1))

    def _row_of_index(self, i: int) -> int:
        # Large views: a dict is built lazily on first use after a change of view.
        view = self._view
        cache = self._row_cache
        if cache is None or cache[0] is not view:
            cache = (view, {v: r for r, v in enumerate(view)})
            self._row_cache = cache
        return cache[1].get(i, -1)

    # -- queries ------------------------------------------------------------------------
    def twin_state(self, name: str) -> AccelState:
        if is_accelerated_tag(name):
            return AccelState.READY
        if twin_tag_of(name) in self._accel_set:
            return AccelState.READY
        task = self._tasks.get(name)
        if task is not None:
            if task.status in (TaskStatus.PENDING, TaskStatus.BUILDING):
                return AccelState.CONVERTING
            if task.status is TaskStatus.FAILED:
                return AccelState.FAILED
        return AccelState.NONE

    def task_for(self, name: str) -> TaskInfo | None:
        return self._tasks.get(source_tag_of(name))

    def has_tag(self, name: str) -> bool:
        return name in self._pos

    def tag_at(self, row: int) -> TagInfo:
        return self._tags[self._view[row]]

    def row_of_tag(self, name: str) -> int:
        i = self._pos.get(name)
        if i is None:
            return -1
        if len(self._view) < 5000:
            try:
                return self._view.index(i)
            except ValueError:
                return -1
        return self._row_of_index(i)

    def all_tags(self) -> list[TagInfo]:
        return list(self._tags)

    def total_count(self) -> int:
        return len(self._tags)

    # -- Qt API -------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = [
            self.tr("Tag"),
            self.tr("Twin"),
            self.tr("Acceleration"),
            self.tr("Size"),
            self.tr("Updated"),
            self.tr("Digest"),
        ]
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role not in _DATA_ROLES
            or not index.isValid()
            or not (0 <= index.row() < len(self._view))
        ):
            return None
        i = self._view[index.row()]
        tag = self._tags[i]
        name = tag.tag
        accelerated = self._accel[i]
        col = index.column()
        if role == Roles.Key:
            return name
        if role == Roles.Tag:
            return tag
        if role == Roles.IsAccelerated:
            return accelerated
        if role == Roles.TwinTag:
            return source_tag_of(name) if accelerated else twin_tag_of(name)
        if role == Roles.TwinState:
            return self.twin_state(name)
        if role == Roles.Task:
            return self._tasks.get(source_tag_of(name))
        if role == Roles.Progress:
            task = self._tasks.get(name)
            if task is not None and self.twin_state(name) is AccelState.CONVERTING:
                return task.fraction
            return None
        if role == Roles.Badge:
            return self._badge(name, accelerated) if col == Col.STATE else None
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(tag, accelerated, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Col.DIGEST:
                return tag.digest
            if col == Col.STATE:
                task = self._tasks.get(name)
                if task is not None and task.status is TaskStatus.FAILED and task.error:
                    return task.error
            return self._display(tag, accelerated, col)
        return None

    def _display(self, tag: TagInfo, accelerated: bool, col: int) -> str:
        name = tag.tag
        if col == Col.TAG:
            paired = self._pairs and accelerated and self.is_paired_twin(name)
            return f"  ↳ {name}" if paired else name
        if col == Col.TWIN:
            if accelerated:
                return arg(self.tr("source: %1"), source_tag_of(name))
            twin = twin_tag_of(name)
            return twin if twin in self._accel_set else "—"
        if col == Col.STATE:
            return self._badge(name, accelerated)[0]
        if col == Col.SIZE:
            return format_bytes(tag.size) if tag.size else "—"
        if col == Col.UPDATED:
            return format_time(tag.updated)
        if col == Col.DIGEST:
            return short_digest(tag.digest)
        return ""

    def _badge(self, name: str, accelerated: bool) -> tuple[str, str]:
        if accelerated:
            return (self.tr("Accelerated image"), "info")
        state = self.twin_state(name)
        if state is AccelState.READY:
            return (self.tr("Ready"), "ok")
        if state is AccelState.CONVERTING:
            task = self._tasks.get(name)
            frac = task.fraction if task else None
            if frac is None or (task is not None and task.status is TaskStatus.PENDING):
                return (
                    self.tr("Queued")
                    if task and task.status is TaskStatus.PENDING
                    else self.tr("Converting"),
                    "busy",
                )
            return (arg(self.tr("Converting %1%"), str(int(frac * 100))), "busy")
        if state is AccelState.FAILED:
            return (self.tr("Failed"), "bad")
        return (self.tr("None"), "muted")
