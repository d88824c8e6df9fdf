"""`OverviewModel`: the acceleration report's rows (one per function across targets), and
`OverviewFilter`, the proxy that filters them by problem, profile and text."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSortFilterProxyModel, Qt

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


class OverviewModel(KeyedTableModel[FunctionRow]):
    """Rows of the report, keyed by ``FunctionRow.key`` (target + function)."""

    COLUMNS = ("Function", "Profile", "Image", "Accelerated", "Twin", "Problems", "Since")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(lambda r: r.key, parent)

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

    def replace_target_rows(self, target_rows: list[FunctionRow], targets: set[Any]) -> None:
        """Swap the rows of ``targets`` for ``target_rows`` (a partial refresh)."""
        kept = [r for r in self.rows if r.target not in targets]
        self.set_rows(sorted([*kept, *target_rows], key=lambda r: (str(r.target), r.function)))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Roles.Key:
            return row.key
        if role == Roles.Row:
            return row
        if role == Roles.Problems:
            return row.problem_codes
        if role == Roles.Profile:
            return row.target.profile
        if role == Qt.ItemDataRole.DisplayRole:
            if col == Col.FUNCTION:
                return row.function
            if col == Col.TARGET:
                return _target_text(row)
            if col == Col.IMAGE:
                return row.image
            if col == Col.ACCELERATED:
                return self.tr("yes") if row.runs_accelerated else self.tr("no")
            if col == Col.TWIN:
                return twin_badge(row.twin_state)[0]
            if col == Col.PROBLEMS:
                return _problems_text(row) or "—"
            if col == Col.SINCE:
                since = _since(row)
                return format_time(since) if since else ""
            return None
        if role == Roles.Badge:
            if col == Col.TWIN:
                return twin_badge(row.twin_state)
            if col == Col.PROBLEMS and row.problems:
                first = row.problems[0]
                text = _problems_text(row)
                return (text, problem_kind(first.code))
            if col == Col.ACCELERATED:
                return (self.tr("yes"), "ok") if row.runs_accelerated else (self.tr("no"), "muted")
            return None
        if role == Roles.Sort:
            if col == Col.SINCE:
                return _since(row) or 0.0
            if col == Col.PROBLEMS:
                return len(row.problems)
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == Col.IMAGE:
                return row.image
            if col == Col.PROBLEMS and row.problems:
                return _problems_text(row)
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole and col == Col.PROBLEMS:
            return _problems_text(row) or self.tr("no problems")
        return None


class OverviewFilter(QSortFilterProxyModel):
    """Filters rows by problem (a `ProblemCode` value, `ANY_PROBLEM` or ``""`` for all),
    profile (``""`` for all) and text (function, image or problem words)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problem = ""
        self._profile = ""
        self._text = ""
        self.setSortRole(Roles.Sort)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

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
        model = self.sourceModel()
        row = model.index(source_row, 0, parent).data(Roles.Row)
        if not isinstance(row, FunctionRow):
            return False
        if self._problem == ANY_PROBLEM and not row.problems:
            return False
        if self._problem not in ("", ANY_PROBLEM) and self._problem not in {
            c.value for c in row.problem_codes
        }:
            return False
        if self._profile and row.target.profile != self._profile:
            return False
        if self._text:
            hay = " ".join(
                [row.function, row.image, _target_text(row), _problems_text(row)]
            ).lower()
            if self._text not in hay:
                return False
        return True
