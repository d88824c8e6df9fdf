"""Acceleration overview (support staff): every function across the chosen profiles and
regions, whether it runs an ``_accelerated`` image, the twin's state and what is wrong;
filters, counts per problem, one-click fixes (confirmed in a non-modal dialog that lists
exactly what will change), CSV and JSON export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from core.errors import CoreError
from core.report import (
    FixOutcome,
    FunctionRow,
    ProblemCode,
    Report,
    StepStatus,
    TargetKey,
)
from gui.async_bridge import async_slot, dialog_result
from gui.dialogs.fix_dialog import FixDialog
from gui.format import format_time
from gui.i18n import arg
from gui.models.overview_model import (
    ANY_PROBLEM,
    Col,
    OverviewFilter,
    Roles,
    problem_title,
    twin_badge,
)
from gui.resources import icon
from gui.viewmodels.overview_text import describe_step, state_text
from gui.viewmodels.overview_vm import OverviewViewModel
from gui.viewmodels.seed_vm import seed_view_model
from gui.widgets.badge import BadgeDelegate, BadgeLabel
from gui.widgets.problem_card import ProblemCard
from gui.widgets.search_field import SearchField
from gui.widgets.seed_banner import SeedBanner

__all__ = ["OverviewView"]


class _DetailPanel(QScrollArea):
    fixRequested = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(340)
        self.setAccessibleName(self.tr("Function details"))
        self.body = QWidget()
        self.layout_ = QVBoxLayout(self.body)
        self.layout_.setContentsMargins(12, 8, 12, 8)
        self.setWidget(self.body)
        self.cards: list[ProblemCard] = []
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.show_row(None, busy=False)

    def _clear(self) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.status:
                widget.hide()
                widget.deleteLater()
        self.cards = []

    def show_row(self, row: FunctionRow | None, *, busy: bool) -> None:
        self._clear()
        if row is None:
            hint = QLabel(self.tr("Select a function to see what is wrong and how to fix it."))
            hint.setWordWrap(True)
            hint.setObjectName("hint")
            self.layout_.addWidget(hint)
            self.layout_.addStretch(1)
            return
        title = QLabel(f"<b>{row.function}</b> · {row.target}")
        title.setObjectName("sectionTitle")
        self.layout_.addWidget(title)
        facts = [
            (self.tr("Image"), row.image),
            (
                self.tr("Runs accelerated image"),
                self.tr("yes") if row.runs_accelerated else self.tr("no"),
            ),
            (self.tr("Twin"), f"{row.twin_tag or '—'} ({twin_badge(row.twin_state)[0]})"),
            (
                self.tr("Acceleration"),
                {True: self.tr("on"), False: self.tr("off"), None: self.tr("unknown")}[
                    row.acceleration
                ],
            ),
            (self.tr("Function state"), state_text(row.function_state)),
        ]
        for name, value in facts:
            label = QLabel(f"{name}: {value}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.layout_.addWidget(label)
        if not row.problems:
            ok = BadgeLabel(self.tr("No problem found"), "ok")
            self.layout_.addWidget(ok)
        for finding in row.problems:
            card = ProblemCard(row, finding.code, busy)
            card.fixRequested.connect(self.fixRequested.emit)
            self.cards.append(card)
            self.layout_.addWidget(card)
        self.layout_.addWidget(self.status)
        self.layout_.addStretch(1)

    def card_button(self, code: ProblemCode) -> QPushButton | None:
        for card in self.cards:
            if card.button is not None and card.button.objectName() == f"fix-{code.value}":
                return card.button
        return None


class OverviewView(QWidget):
    crumbsChanged = Signal(list)
    fixDialogOpened = Signal(object)  # FixDialog (tests, screenshots)

    def __init__(self, vm: OverviewViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("overviewView")
        self.fix_dialog: FixDialog | None = None
        self._shown_once = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)

        header = QHBoxLayout()
        title = QLabel(self.tr("Acceleration overview"))
        title.setObjectName("pageTitle")
        header.addWidget(title)
        header.addStretch(1)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("Run overview"))
        self.refresh_button.setToolTip(self.tr("Inspect the chosen profiles and regions (F5)"))
        self.export_csv_button = QPushButton(icon("export"), self.tr("Export CSV…"))
        self.export_csv_button.setToolTip(self.tr("The rows shown, as CSV"))
        self.export_json_button = QPushButton(icon("export"), self.tr("Export JSON…"))
        self.export_json_button.setToolTip(self.tr("The whole report, as JSON"))
        for b in (self.refresh_button, self.export_csv_button, self.export_json_button):
            header.addWidget(b)
        layout.addLayout(header)
        self.seed_banner = SeedBanner(seed_view_model(vm.ctx))
        layout.addWidget(self.seed_banner)
        for b in (self.export_csv_button, self.export_json_button):
            b.setEnabled(vm.report is not None)  # nothing to export before a first report

        filters = QHBoxLayout()
        self.targets_button = QToolButton()
        self.targets_button.setObjectName("overviewTargetsButton")
        self.targets_button.setIcon(icon("cloud"))
        self.targets_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.targets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.targets_button.setAccessibleName(self.tr("Profiles and regions to inspect"))
        self.targets_button.setMinimumWidth(200)
        filters.addWidget(self.targets_button)
        self.search = SearchField(self.tr("Filter by function, image or problem"))
        filters.addWidget(self.search, 2)
        self.problem_combo = QComboBox()
        self.problem_combo.setAccessibleName(self.tr("Problem"))
        self.problem_combo.addItem(self.tr("All functions"), "")
        self.problem_combo.addItem(self.tr("With problems"), ANY_PROBLEM)
        for code in ProblemCode:
            self.problem_combo.addItem(problem_title(code), code.value)
        filters.addWidget(self.problem_combo, 1)
        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName(self.tr("Profile"))
        filters.addWidget(self.profile_combo, 1)
        layout.addLayout(filters)

        self.chips_row = QHBoxLayout()
        self.chips: dict[str, QToolButton] = {}
        for value, text in [("", self.tr("All")), (ANY_PROBLEM, self.tr("With problems"))] + [
            (c.value, problem_title(c)) for c in ProblemCode
        ]:
            chip = QToolButton()
            chip.setObjectName("countChip")
            chip.setCheckable(True)
            chip.setAutoRaise(False)
            chip.setProperty("value", value)
            chip.setProperty("label", text)
            chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            chip.clicked.connect(lambda _c=False, v=value: self._set_problem(v))
            self.chips[value] = chip
            self.chips_row.addWidget(chip)
        self.chips_row.addStretch(1)
        layout.addLayout(self.chips_row)

        self.progress = QProgressBar()
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Overview progress"))
        self.progress.hide()
        layout.addWidget(self.progress)

        self.errors_label = BadgeLabel("", "warn")
        self.errors_label.setObjectName("overviewErrors")
        self.errors_label.setWordWrap(True)
        self.errors_label.hide()
        layout.addWidget(self.errors_label)

        # The menu owns the tree (a QWidgetAction deletes its widget): create it with that
        # parent, so that Python never deletes it a second time.
        targets_menu = QMenu(self.targets_button)
        self.targets = QTreeWidget(targets_menu)
        self.targets.setObjectName("overviewTargets")
        self.targets.setHeaderLabel(self.tr("Profiles and regions"))
        self.targets.setAccessibleName(self.tr("Profiles and regions to inspect"))
        self.targets.setMinimumSize(260, 320)
        targets_action = QWidgetAction(targets_menu)
        targets_action.setDefaultWidget(self.targets)
        targets_menu.addAction(targets_action)
        self.targets_button.setMenu(targets_menu)

        split = QSplitter(Qt.Orientation.Horizontal)

        self.proxy = OverviewFilter(self)
        self.proxy.setSourceModel(vm.model)
        self.table = QTableView()
        self.table.setObjectName("overviewTable")
        self.table.setAccessibleName(self.tr("Functions and their acceleration"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Col.PROBLEMS, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # the end of an image reference (repository:tag) says the most
        self.table.setTextElideMode(Qt.TextElideMode.ElideLeft)
        badge = BadgeDelegate(Roles.Badge, self.table)
        for col in (Col.ACCELERATED, Col.TWIN, Col.PROBLEMS):
            self.table.setItemDelegateForColumn(col, badge)
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header_view.setStretchLastSection(False)
        header_view.setSectionResizeMode(Col.IMAGE, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (Col.FUNCTION, 120),
            (Col.TARGET, 130),
            (Col.ACCELERATED, 100),
            (Col.TWIN, 100),
            (Col.PROBLEMS, 230),
            (Col.SINCE, 132),
        ):
            self.table.setColumnWidth(col, width)
        split.addWidget(self.table)
        self.detail = _DetailPanel()
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 370])
        layout.addWidget(split, 1)

        self.footer = QLabel()
        self.footer.setObjectName("footer")
        self.footer.setWordWrap(True)
        layout.addWidget(self.footer)

        # -- wiring
        self.refresh_button.clicked.connect(self.refresh)
        self.export_csv_button.clicked.connect(self._on_export_csv_clicked)
        self.export_json_button.clicked.connect(self._on_export_json_clicked)
        self.search.searchChanged.connect(self._on_search_changed)
        self.problem_combo.currentIndexChanged.connect(self._on_problem_combo_changed)
        self.profile_combo.currentIndexChanged.connect(self._on_profile_combo_changed)
        self.targets.itemChanged.connect(self._on_targets_item_changed)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.detail.fixRequested.connect(self._on_fix_requested)
        vm.runningChanged.connect(self._on_running_changed)
        vm.progressChanged.connect(self._on_progress_changed)
        vm.reportChanged.connect(self._on_report_changed)
        vm.rowUpdated.connect(self._on_row_updated)
        vm.fixStarted.connect(lambda _p: self._show_current())
        vm.fixProgress.connect(self._on_fix_progress)
        vm.fixFinished.connect(self._on_fix_finished)
        self.fill_targets()
        self._update_counts()
        self._update_footer()

    # -- page protocol -----------------------------------------------------------------------
    def crumbs(self) -> list[str]:
        return [self.tr("Acceleration overview")]

    def nav_title(self) -> str:
        """The short name in the navigation."""
        return self.tr("Overview")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The first time the page is shown, inspect the chosen targets without being asked.
        if not self._shown_once:
            self._shown_once = True
            if self.vm.report is None and not self.vm.running and self.selected_targets():
                self.refresh()

    def refresh(self) -> None:
        self.vm.set_selected(self.selected_targets())
        self.vm.refresh()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- targets -----------------------------------------------------------------------------
    def fill_targets(self) -> None:
        """The profiles × regions tree; checked = the view-model's selection."""
        chosen = set(self.vm.selected)
        self.targets.blockSignals(True)
        self.targets.clear()
        by_profile: dict[str, list[TargetKey]] = {}
        for key in self.vm.opener.available():
            by_profile.setdefault(key.profile, []).append(key)
        for profile, keys in by_profile.items():
            if len(keys) == 1 and not keys[0].region:
                item = QTreeWidgetItem([profile])
                item.setData(0, Qt.ItemDataRole.UserRole, keys[0])
                item.setCheckState(
                    0, Qt.CheckState.Checked if keys[0] in chosen else Qt.CheckState.Unchecked
                )
                self.targets.addTopLevelItem(item)
                continue
            parent = QTreeWidgetItem([profile])
            parent.setFlags(parent.flags() | Qt.ItemFlag.ItemIsAutoTristate)
            self.targets.addTopLevelItem(parent)
            for key in keys:
                child = QTreeWidgetItem([key.region])
                child.setData(0, Qt.ItemDataRole.UserRole, key)
                child.setCheckState(
                    0, Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked
                )
                parent.addChild(child)
            parent.setExpanded(any(k in chosen for k in keys))
        self.targets.blockSignals(False)
        self._update_targets_button()

    def _leaf_items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        for i in range(self.targets.topLevelItemCount()):
            top = self.targets.topLevelItem(i)
            if top is None:
                continue
            if top.childCount() == 0:
                out.append(top)
            for j in range(top.childCount()):
                child = top.child(j)
                if child is not None:
                    out.append(child)
        return out

    def selected_targets(self) -> list[TargetKey]:
        out: list[TargetKey] = []
        for item in self._leaf_items():
            key = item.data(0, Qt.ItemDataRole.UserRole)
            if isinstance(key, TargetKey) and item.checkState(0) == Qt.CheckState.Checked:
                out.append(key)
        return out

    def set_target_checked(self, key: TargetKey, checked: bool) -> None:
        for item in self._leaf_items():
            if item.data(0, Qt.ItemDataRole.UserRole) == key:
                item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _on_targets_item_changed(self, _item: QTreeWidgetItem, _col: int) -> None:
        self.vm.set_selected(self.selected_targets())
        self.refresh_button.setEnabled(bool(self.vm.selected) and not self.vm.running)
        self._update_targets_button()

    def _update_targets_button(self) -> None:
        chosen = self.selected_targets()
        if not chosen:
            text = self.tr("Choose profiles and regions")
        elif len(chosen) <= 2:
            text = ", ".join(f"{k.profile} · {k.region}" if k.region else k.profile for k in chosen)
        else:
            text = arg(self.tr("%1 profiles and regions"), str(len(chosen)))
        self.targets_button.setText(text)
        self.targets_button.setToolTip(
            "\n".join(str(k) for k in chosen) or self.tr("Nothing chosen")
        )

    # -- filters -----------------------------------------------------------------------------
    def _set_problem(self, value: str) -> None:
        index = self.problem_combo.findData(value)
        if index >= 0:
            self.problem_combo.setCurrentIndex(index)
        self._sync_chips()

    def _sync_chips(self) -> None:
        for value, chip in self.chips.items():
            chip.setChecked(value == self.proxy.problem)

    def _on_search_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_footer()

    def _on_problem_combo_changed(self, _index: int) -> None:
        self.proxy.set_problem(str(self.problem_combo.currentData() or ""))
        self._sync_chips()
        self._update_footer()

    def _on_profile_combo_changed(self, _index: int) -> None:
        self.proxy.set_profile(str(self.profile_combo.currentData() or ""))
        self._update_footer()

    def _fill_profile_combo(self, report: Report) -> None:
        current = self.profile_combo.currentData()
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItem(self.tr("All profiles"), "")
        for profile in sorted({t.profile for t in report.targets}):
            self.profile_combo.addItem(profile, profile)
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(current)))
        self.profile_combo.blockSignals(False)
        self.proxy.set_profile(str(self.profile_combo.currentData() or ""))

    # -- report ------------------------------------------------------------------------------
    def _on_running_changed(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.refresh_button.setEnabled(not running and bool(self.vm.selected))
        self._update_footer()

    def _on_progress_changed(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_report_changed(self, report: Report) -> None:
        self.export_csv_button.setEnabled(True)
        self.export_json_button.setEnabled(True)
        self._fill_profile_combo(report)
        # one profile and region in the rows: the column would say the same on every line
        self.table.setColumnHidden(Col.TARGET, len({r.target for r in report.rows}) <= 1)
        if report.errors:
            shown = "; ".join(f"{e.target}: {e.message}" for e in report.errors[:3])
            more = len(report.errors) - 3
            text = arg(self.tr("Could not inspect %1"), shown)
            if more > 0:
                text += " " + arg(self.tr("(and %1 more)"), str(more))
            self.errors_label.setText(text)
        self.errors_label.setVisible(bool(report.errors))
        self._update_counts()
        self._update_footer()
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectionModel().setCurrentIndex(
                self.proxy.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._show_current()

    def _update_counts(self) -> None:
        report = self.vm.report
        counts = self.vm.counts()
        total = len(report.rows) if report else 0
        with_problems = sum(1 for r in report.rows if r.problems) if report else 0
        for value, chip in self.chips.items():
            if value == "":
                n = total
            elif value == ANY_PROBLEM:
                n = with_problems
            else:
                n = counts[ProblemCode(value)]
            chip.setText(f"{chip.property('label')}  {n}")
            chip.setAccessibleName(f"{chip.property('label')}: {n}")
            if value not in ("", ANY_PROBLEM):
                chip.setVisible(n > 0 or value == self.proxy.problem)
        self._sync_chips()

    def _update_footer(self) -> None:
        report = self.vm.report
        if self.vm.running:
            self.footer.setText(self.tr("Inspecting functions…"))
            return
        if report is None:
            self.footer.setText(
                self.tr("Choose profiles and regions on the left, then run the overview.")
            )
            return
        shown = self.proxy.rowCount()
        text = arg(
            self.tr("%1 of %2 function(s) shown, inspected %3"),
            str(shown),
            str(len(report.rows)),
            format_time(report.created),
        )
        if report.errors:
            codes = ", ".join(f"{e.target} [{e.code}]" for e in report.errors)
            text += " · " + arg(self.tr("could not inspect %1"), codes)
        self.footer.setText(text)

    def current_row(self) -> FunctionRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = index.data(Roles.Row)
        return row if isinstance(row, FunctionRow) else None

    def select_function(self, function: str, target: TargetKey | None = None) -> bool:
        for r in range(self.proxy.rowCount()):
            row = self.proxy.index(r, 0).data(Roles.Row)
            if row.function == function and (target is None or row.target == target):
                self.table.selectionModel().setCurrentIndex(
                    self.proxy.index(r, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                return True
        return False

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()

    def _show_current(self) -> None:
        row = self.current_row()
        busy = bool(row is not None and any(row.function in k for k in self.vm.fixing))
        self.detail.show_row(row, busy=busy)
        if row is not None and not row.function_state:
            self.vm.load_details(row)  # the report lists functions without their state

    def _on_row_updated(self, key: str) -> None:
        row = self.current_row()
        if row is not None and row.key == key:
            self._show_current()

    # -- fixes -------------------------------------------------------------------------------
    def _on_fix_requested(self, row: FunctionRow, code: ProblemCode) -> None:
        self.confirm_fix(row, code)

    @async_slot()
    async def confirm_fix(self, row: FunctionRow, code: ProblemCode) -> None:
        plan = self.vm.plan(row, code)
        if plan is None or not plan.automatic:
            return
        dialog = FixDialog(plan, self)
        self.fix_dialog = dialog
        self.fixDialogOpened.emit(dialog)
        try:
            result = await dialog_result(dialog)
        finally:
            self.fix_dialog = None
            dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            self.vm.apply(plan)

    def _on_fix_progress(self, event: object) -> None:
        from core import Progress

        if not isinstance(event, Progress):
            return
        extra = event.extra or {}
        if event.phase == "fix.converting":
            progress = extra.get("progress")
            pct = f" {float(progress) * 100:.0f} %" if isinstance(progress, int | float) else ""
            text = arg(self.tr("Converting %1… %2"), event.item, pct)
        elif event.phase == "fix.function-updated":
            text = arg(self.tr("Function %1 updated; waiting until it is ready…"), event.item)
        elif event.phase == "fix.rule-created":
            text = arg(self.tr("Acceleration switched on for %1"), event.item)
        else:
            text = arg(self.tr("Conversion of %1 queued"), event.item)
        self.detail.status.setText(text)

    def _on_fix_finished(self, outcome: FixOutcome) -> None:
        plan = outcome.plan
        self.detail.status.clear()  # the progress of a fix that is over says nothing now
        failed = next((s for s in outcome.steps if s.status is StepStatus.FAILED), None)
        if failed is None:
            self.vm.ctx.notify(
                self.tr("Fixed"),
                arg(self.tr("%1: %2"), plan.function, problem_title(plan.problem)),
                "ok",
            )
        else:
            self.vm.ctx.notify(
                self.tr("Fix failed"),
                f"{plan.function}: {describe_step(failed.step)}\n{failed.message} [{failed.code}]",
                "bad",
            )
        self.select_function(plan.function, plan.target)
        self._show_current()

    # -- export ------------------------------------------------------------------------------
    def visible_rows(self) -> list[FunctionRow]:
        return [self.proxy.index(r, 0).data(Roles.Row) for r in range(self.proxy.rowCount())]

    def export_csv_to(self, path: Path) -> None:
        self.vm.export_csv(path, self.visible_rows())

    def export_json_to(self, path: Path) -> None:
        self.vm.export_json(path)

    def _file_dialog(self, title: str, name: str, pattern: str) -> QFileDialog:
        dialog = QFileDialog(self, title, str(Path.home() / name), pattern)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    def _on_export_csv_clicked(self) -> None:
        dialog = self._file_dialog(
            self.tr("Export CSV"), "acceleration-overview.csv", "CSV (*.csv)"
        )
        dialog.fileSelected.connect(lambda p: self._export(self.export_csv_to, p))
        dialog.open()

    def _on_export_json_clicked(self) -> None:
        dialog = self._file_dialog(
            self.tr("Export JSON"), "acceleration-overview.json", "JSON (*.json)"
        )
        dialog.fileSelected.connect(lambda p: self._export(self.export_json_to, p))
        dialog.open()

    def _export(self, writer: Callable[[Path], None], path: str) -> None:
        try:
            writer(Path(path))
        except (OSError, CoreError) as exc:
            self.vm.ctx.presenter.show(exc)
        else:
            self.vm.ctx.notify(self.tr("Exported"), path, "ok")
