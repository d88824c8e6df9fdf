"""`OverviewModel`: the acceleration report's rows (one per function across targets), and
`OverviewFilter`, the proxy that filters them by problem, profile and text."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSortFilterProxyModel, Qt, QTimer

from core.report import FunctionRow, ProblemCode, TwinState, UnreadableReason
from gui.format import format_time
from gui.models._base import AnyIndex, KeyedTableModel

__all__ = [
    "ANY_PROBLEM",
    "Col",
    "OverviewFilter",
    "OverviewModel",
    "Roles",
    "problem_kind",
    "problem_title",
    "reason_text",
    "twin_badge",
]

_WARM_SLICE = 300  # rows whose cells are computed per idle turn of the event loop

#: Filter value: rows with at least one problem.
ANY_PROBLEM = "any"


def problem_title(code: ProblemCode) -> str:
    """A short, translated name of a problem code."""
    return {
        ProblemCode.PLAIN_TAG_WITH_TWIN: QCoreApplication.translate(
            "Overview", "Plain tag, twin exists"
        ),
        ProblemCode.STALE_TWIN: QCoreApplication.translate("Overview", "Stale twin"),
        ProblemCode.ACCELERATION_OFF: QCoreApplication.translate("Overview", "Acceleration off"),
        ProblemCode.TWIN_FAILED: QCoreApplication.translate("Overview", "Conversion failed"),
        ProblemCode.TWIN_MISSING: QCoreApplication.translate("Overview", "Never converted"),
        ProblemCode.IMAGE_UNREADABLE: QCoreApplication.translate("Overview", "Image unreadable"),
        ProblemCode.EDITION_UNSUPPORTED: QCoreApplication.translate(
            "Overview", "Edition without acceleration"
        ),
        ProblemCode.MULTI_ARCH: QCoreApplication.translate("Overview", "Multi-architecture"),
        ProblemCode.TOO_LARGE: QCoreApplication.translate("Overview", "Image too large"),
        ProblemCode.INDEX_ONLY: QCoreApplication.translate("Overview", "Index-only mode"),
        ProblemCode.PUBLIC_ENDPOINT: QCoreApplication.translate("Overview", "Public address"),
        ProblemCode.VPC_NOT_LINKED: QCoreApplication.translate("Overview", "VPC not linked"),
        ProblemCode.REGION_MISMATCH: QCoreApplication.translate("Overview", "Other region"),
        ProblemCode.NOT_ENTERPRISE: QCoreApplication.translate(
            "Overview", "No acceleration registry"
        ),
        ProblemCode.REDEPLOY_NEEDED: QCoreApplication.translate("Overview", "Not redeployed"),
    }[code]


def problem_kind(code: ProblemCode) -> str:
    """The badge colour kind of a problem."""
    return {
        ProblemCode.PLAIN_TAG_WITH_TWIN: "warn",
        ProblemCode.STALE_TWIN: "bad",
        ProblemCode.ACCELERATION_OFF: "muted",
        ProblemCode.TWIN_FAILED: "bad",
        ProblemCode.TWIN_MISSING: "warn",
        ProblemCode.IMAGE_UNREADABLE: "bad",
        ProblemCode.EDITION_UNSUPPORTED: "bad",
        ProblemCode.MULTI_ARCH: "bad",
        ProblemCode.TOO_LARGE: "bad",
        ProblemCode.INDEX_ONLY: "bad",
        ProblemCode.PUBLIC_ENDPOINT: "warn",
        ProblemCode.VPC_NOT_LINKED: "bad",
        ProblemCode.REGION_MISMATCH: "bad",
        ProblemCode.NOT_ENTERPRISE: "muted",
        ProblemCode.REDEPLOY_NEEDED: "bad",
    }[code]


def reason_text(reason: str) -> str:
    """Why an image is unreadable, in words."""
    texts = {
        UnreadableReason.AUTH.value: QCoreApplication.translate("Overview", "access denied"),
        UnreadableReason.NOT_FOUND.value: QCoreApplication.translate("Overview", "not found"),
        UnreadableReason.UNREACHABLE.value: QCoreApplication.translate(
            "Overview", "registry unreachable"
        ),
        UnreadableReason.INVALID_REFERENCE.value: QCoreApplication.translate(
            "Overview", "invalid reference"
        ),
        UnreadableReason.ERROR.value: QCoreApplication.translate("Overview", "registry error"),
    }
    return texts.get(reason, reason)


def twin_badge(state: TwinState) -> tuple[str, str]:
    return {
        TwinState.READY: (QCoreApplication.translate("Overview", "ready"), "ok"),
        TwinState.STALE: (QCoreApplication.translate("Overview", "stale"), "bad"),
        TwinState.CONVERTING: (QCoreApplication.translate("Overview", "converting"), "busy"),
        TwinState.FAILED: (QCoreApplication.translate("Overview", "failed"), "bad"),
        TwinState.NONE: (QCoreApplication.translate("Overview", "none"), "muted"),
        TwinState.SOURCE_GONE: (QCoreApplication.translate("Overview", "source gone"), "warn"),
        TwinState.UNKNOWN: (QCoreApplication.translate("Overview", "unknown"), "muted"),
    }[state]


class Roles(enum.IntEnum):
    Key = Qt.ItemDataRole.UserRole + 1
    Row = enum.auto()
    Badge = enum.auto()
    Problems = enum.auto()  # frozenset[ProblemCode]
    Profile = enum.auto()
    Sort = enum.auto()


class Col(enum.IntEnum):
    FUNCTION = 0
    TARGET = 1
    IMAGE = 2
    ACCELERATED = 3
    TWIN = 4
    PROBLEMS = 5
    SINCE = 6


def _target_text(row: FunctionRow) -> str:
    return (
        f"{row.target.profile} · {row.target.region}" if row.target.region else row.target.profile
    )


def _problems_text(row: FunctionRow) -> str:
    parts = []
    for p in row.problems:
        text = problem_title(p.code)
        if p.code is ProblemCode.IMAGE_UNREADABLE and p.reason:
            text += f" ({reason_text(p.reason)})"
        parts.append(text)
    return ", ".join(parts)


def _since(row: FunctionRow) -> float | None:
    values = [p.since for p in row.problems if p.since is not None]
    return min(values) if values else None


class _Cells:
    """What the table shows and sorts and filters by for one row, computed once per row."""

    __slots__ = ("codes", "display", "hay", "key", "problems", "profile", "since", "sort")

    def __init__(self, model: OverviewModel, row: FunctionRow) -> None:
        problems = model.problems_text(row)
        since = _since(row)
        self.key = row.key
        self.problems = problems
        self.since = since
        self.display = (
            row.function,
            _target_text(row),
            row.image,
            model.yes_no(row.runs_accelerated),
            model.twin_text(row.twin_state),
            problems or "—",
            format_time(since) if since else "",
        )
        sort: list[Any] = [t.casefold() for t in self.display]
        sort[Col.PROBLEMS] = len(row.problems)
        sort[Col.SINCE] = since or 0.0
        self.sort = tuple(sort)
        self.hay = " ".join([row.function, row.image, self.display[Col.TARGET], problems]).lower()
        self.codes = frozenset(c.value for c in row.problem_codes)
        self.profile = row.target.profile


class OverviewModel(KeyedTableModel[FunctionRow]):
    """Rows of the report, keyed by ``FunctionRow.key`` (target + function).

    Each row's texts are computed once (`_Cells`), so that painting, sorting and filtering
    thousands of rows stays cheap: when a row is first shown or filtered, else in slices of
    a few hundred rows while the event loop is idle after new rows arrive (so thousands of
    rows do not freeze the window at once). The model sorts itself (:meth:`sort`, which
    `OverviewFilter` forwards to): one Python sort with precomputed keys instead of the
    proxy asking ``data()`` for every comparison.
    """

    COLUMNS = ("Function", "Profile", "Image", "Accelerated", "Twin", "Problems", "Since")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: r.key, parent)
        # the report's order (sorting starts from it), each row's cells, and per sorted
        # column the rows' keys in that order; the shown order is ``_order`` (indexes)
        self._base: list[FunctionRow] = []
        self._base_cells: list[_Cells | None] = []
        self._keys: dict[int, list[Any]] = {}
        self._order: list[int] = []
        self._warming = 0  # generation of the idle-time computation of the cells
        # translated texts shared by many rows, looked up once per set of rows
        self._texts: dict[Any, str] = {}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def column_title(self, section: int) -> str:
        return [
            self.tr("Function"),
            self.tr("Profile"),
            self.tr("Image"),
            self.tr("Accelerated"),
            self.tr("Twin"),
            self.tr("Problems"),
            self.tr("Since"),
        ][section]

    def problems_text(self, row: FunctionRow) -> str:
        key = tuple((p.code, p.reason) for p in row.problems)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = _problems_text(row)
        return text

    def twin_text(self, state: TwinState) -> str:
        text = self._texts.get(state)
        if text is None:
            text = self._texts[state] = twin_badge(state)[0]
        return text

    def yes_no(self, value: bool) -> str:
        text = self._texts.get(value)
        if text is None:
            text = self._texts[value] = (
                QCoreApplication.translate("OverviewModel", "yes")
                if value
                else QCoreApplication.translate("OverviewModel", "no")
            )
        return text

    def cells(self, i: int) -> _Cells:
        return self._cells_at(self._order[i])

    def _cells_at(self, b: int) -> _Cells:
        cells = self._base_cells[b]
        if cells is None:
            cells = self._base_cells[b] = _Cells(self, self._base[b])
        return cells

    def _warm(self, generation: int, start: int) -> None:
        if generation != self._warming:
            return  # new rows since
        end = min(start + _WARM_SLICE, len(self._base))
        for b in range(start, end):
            self._cells_at(b)
        if end < len(self._base):
            QTimer.singleShot(0, lambda: self._warm(generation, end))

    def _sort_keys(self, col: int) -> list[Any]:
        rows = self._base
        if col == Col.FUNCTION:
            return [r.function.casefold() for r in rows]
        if col == Col.IMAGE:
            return [r.image.casefold() for r in rows]
        if col == Col.TARGET:
            return [_target_text(r).casefold() for r in rows]
        if col == Col.PROBLEMS:
            return [len(r.problems) for r in rows]
        if col == Col.SINCE:
            return [_since(r) or 0.0 for r in rows]
        if col == Col.ACCELERATED:
            return [self.yes_no(r.runs_accelerated).casefold() for r in rows]
        if col == Col.TWIN:
            return [self.twin_text(r.twin_state).casefold() for r in rows]
        return [self._cells_at(b).sort[col] for b in range(len(rows))]

    def _sorted_order(self) -> list[int]:
        col = self._sort_column
        order = list(range(len(self._base)))
        if not 0 <= col < len(self.COLUMNS):
            return order
        keys = self._keys.get(col)
        if keys is None:
            keys = self._keys[col] = self._sort_keys(col)
        # stable in both directions: equal keys keep the report's order
        order.sort(key=keys.__getitem__, reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return order

    def _show(self, order: list[int]) -> None:
        self._order = order
        self._rows = [self._base[i] for i in order]
        self._index = {r.key: k for k, r in enumerate(self._rows)}

    def set_rows(self, rows: Iterable[FunctionRow]) -> None:
        self.beginResetModel()
        self._base = list(rows)
        self._base_cells = [None] * len(self._base)
        self._keys = {}
        self._texts = {}
        self._show(self._sorted_order())
        self.endResetModel()
        self._warming += 1
        generation = self._warming
        QTimer.singleShot(0, lambda: self._warm(generation, 0))

    def append_rows(self, rows: Iterable[FunctionRow]) -> None:
        self.set_rows([*self._base, *(r for r in rows if r.key not in self._index)])

    def upsert(self, row: FunctionRow, *, prepend: bool = False) -> int:
        i = self._index.get(row.key)
        if i is None:
            self.set_rows([row, *self._base] if prepend else [*self._base, row])
            return self._index[row.key]
        if self._rows[i] != row:
            b = self._order[i]
            self._base[b] = row
            self._base_cells[b] = None
            self._keys = {}
            self._rows[i] = row
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.COLUMNS) - 1))
        return i

    def remove(self, key: str) -> bool:
        if key not in self._index:
            return False
        self.set_rows([r for r in self._base if r.key != key])
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column`` (a `Col`), stably; -1 restores the report's order."""
        self._sort_column, self._sort_order = column, order
        old = self._order
        new = self._sorted_order()
        if new == old:
            return
        self.layoutAboutToBeChanged.emit()
        where = [0] * len(new)
        for k, b in enumerate(new):
            where[b] = k
        persistent = self.persistentIndexList()
        moved = [
            self.index(where[old[p.row()]], p.column()) if 0 <= p.row() < len(old) else p
            for p in persistent
        ]
        self._show(new)
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def replace_target_rows(self, target_rows: list[FunctionRow], targets: set[Any]) -> None:
        """Swap the rows of ``targets`` for ``target_rows`` (a partial refresh)."""
        kept = [r for r in self._base if r.target not in targets]
        self.set_rows(sorted([*kept, *target_rows], key=lambda r: (str(r.target), r.function)))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(index.row()).display[col] if 0 <= col < len(self.COLUMNS) else None
        if role == Roles.Key:
            return row.key
        if role == Roles.Row:
            return row
        if role == Roles.Problems:
            return row.problem_codes
        if role == Roles.Profile:
            return row.target.profile
        if role == Roles.Badge:
            if col == Col.TWIN:
                return twin_badge(row.twin_state)
            if col == Col.PROBLEMS and row.problems:
                first = row.problems[0]
                return (self.cells(index.row()).problems, problem_kind(first.code))
            if col == Col.ACCELERATED:
                return (self.tr("yes"), "ok") if row.runs_accelerated else (self.tr("no"), "muted")
            return None
        if role == Roles.Sort:
            cells = self.cells(index.row())
            if col in (Col.SINCE, Col.PROBLEMS):
                return cells.sort[col]
            return cells.display[col] if 0 <= col < len(self.COLUMNS) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Col.IMAGE:
                return row.image
            if col == Col.PROBLEMS and row.problems:
                return self.cells(index.row()).problems
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole and col == Col.PROBLEMS:
            return self.cells(index.row()).problems or self.tr("no problems")
        return None


class OverviewFilter(QSortFilterProxyModel):
    """Filters rows by problem (a `ProblemCode` value, `ANY_PROBLEM` or ``""`` for all),
    profile (``""`` for all) and text (function, image or problem words).

    Sorting is the source model's (`OverviewModel.sort`): the proxy keeps its order.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problem = ""
        self._profile = ""
        self._text = ""
        self.setSortRole(Roles.Sort)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if isinstance(source, OverviewModel):
            source.sort(column, order)
        else:
            super().sort(column, order)

    @property
    def problem(self) -> str:
        return self._problem

    def _refilter(self, name: str, value: str) -> None:
        if getattr(self, name) == value:
            return
        self.beginFilterChange()
        setattr(self, name, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_problem(self, value: str) -> None:
        self._refilter("_problem", value)

    def set_profile(self, value: str) -> None:
        self._refilter("_profile", value)

    def set_text(self, value: str) -> None:
        self._refilter("_text", value.strip().lower())

    def filterAcceptsRow(self, source_row: int, parent: AnyIndex) -> bool:
        if not (self._problem or self._profile or self._text):
            return True
        model = self.sourceModel()
        if not isinstance(model, OverviewModel) or not 0 <= source_row < model.rowCount():
            return False
        cells = model.cells(source_row)
        if self._problem == ANY_PROBLEM and not cells.codes:
            return False
        if self._problem not in ("", ANY_PROBLEM) and self._problem not in cells.codes:
            return False
        if self._profile and cells.profile != self._profile:
            return False
        return not self._text or self._text in cells.hay
