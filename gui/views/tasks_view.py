"""Tasks: conversion tasks with live progress and ETA, the selected task's log, cancel."""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.backend import TaskInfo, TaskLogLine
from gui.i18n import arg
from gui.models._base import AnyIndex
from gui.models.tasks_model import Col, Roles
from gui.resources import icon
from gui.viewmodels.tasks_vm import TasksViewModel
from gui.widgets.badge import BadgeDelegate
from gui.widgets.progress_delegate import ProgressDelegate

__all__ = ["TasksView"]


class _ActiveFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.active_only = False

    def filterAcceptsRow(self, row: int, parent: AnyIndex) -> bool:
        if not self.active_only:
            return True
        model = self.sourceModel()
        task = model.index(row, 0, parent).data(Roles.Task)
        return isinstance(task, TaskInfo) and not task.status.finished


class TasksView(QWidget):
    crumbsChanged = Signal(list)

    def __init__(self, vm: TasksViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("tasksView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        header = QHBoxLayout()
        title = QLabel(self.tr("Conversion tasks"))
        title.setObjectName("pageTitle")
        header.addWidget(title)
        header.addStretch(1)
        self.active_check = QCheckBox(self.tr("Running only"))
        header.addWidget(self.active_check)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("Refresh"))
        header.addWidget(self.refresh_button)
        self.cancel_button = QPushButton(icon("stop"), self.tr("Cancel task"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.setObjectName("dangerButton")
        header.addWidget(self.cancel_button)
        layout.addLayout(header)

        split = QSplitter(Qt.Orientation.Vertical)
        self.proxy = _ActiveFilter(self)
        self.proxy.setSourceModel(vm.model)
        self.table = QTableView()
        self.table.setObjectName("tasksTable")
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(self.tr("Conversion tasks"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(32)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(Col.IMAGE, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (Col.STATUS, 110),
            (Col.PROGRESS, 190),
            (Col.STARTED, 140),
            (Col.TASK_ID, 150),
        ):
            self.table.setColumnWidth(col, width)
        self.table.setItemDelegateForColumn(Col.STATUS, BadgeDelegate(Roles.Badge, self.table))
        self.table.setItemDelegateForColumn(
            Col.PROGRESS, ProgressDelegate(Roles.Progress, None, self.table)
        )
        split.addWidget(self.table)
        log_box = QWidget()
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        self.log_title = QLabel(self.tr("Log"))
        self.log_title.setObjectName("sectionTitle")
        log_layout.addWidget(self.log_title)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(20000)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setAccessibleName(self.tr("Task log"))
        self.log.setPlaceholderText(self.tr("Select a task to follow its log."))
        log_layout.addWidget(self.log)
        split.addWidget(log_box)
        split.setSizes([380, 260])
        layout.addWidget(split, 1)
        self.empty_label = QLabel(
            self.tr(
                "No conversion tasks. Switch image acceleration on for a repository in "
                "Images; each pushed tag then converts here."
            )
        )
        self.empty_label.setObjectName("emptyHint")
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)

        self.active_check.toggled.connect(self._on_active_toggled)
        self.refresh_button.clicked.connect(vm.reload)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        vm.logsReset.connect(lambda _t: self.log.clear())
        vm.logsAppended.connect(self._on_logs_appended)
        vm.model.dataChanged.connect(lambda *_a: self._update_buttons())
        for sig in (vm.model.modelReset, vm.model.rowsInserted, vm.model.rowsRemoved):
            sig.connect(lambda *_a: self._update_empty())
        vm.ctx.backendChanged.connect(self._update_empty)
        self._update_empty()

    def crumbs(self) -> list[str]:
        crumbs = [self.tr("Tasks")]
        if self.vm.selected:
            crumbs.append(self.vm.selected)
        return crumbs

    def refresh(self) -> None:
        self.vm.reload()

    def select_task(self, task_id: str) -> None:
        row = self.vm.model.row_of(task_id)
        if row < 0:
            return
        idx = self.proxy.mapFromSource(self.vm.model.index(row, 0))
        if not idx.isValid():
            self.active_check.setChecked(False)
            idx = self.proxy.mapFromSource(self.vm.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            idx,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _on_active_toggled(self, on: bool) -> None:
        self.proxy.active_only = on
        self.proxy.invalidate()

    def _current_task(self) -> TaskInfo | None:
        idx = self.table.selectionModel().currentIndex()
        task = idx.data(Roles.Task) if idx.isValid() else None
        return task if isinstance(task, TaskInfo) else None

    def _on_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        task = current.data(Roles.Task)
        self.vm.select(task.task_id if isinstance(task, TaskInfo) else None)
        self.log_title.setText(
            arg(self.tr("Log of %1"), task.task_id)
            if isinstance(task, TaskInfo)
            else self.tr("Log")
        )
        self._update_buttons()
        self.crumbsChanged.emit(self.crumbs())

    def _update_buttons(self) -> None:
        task = self._current_task()
        self.cancel_button.setEnabled(task is not None and not task.status.finished)

    def _update_empty(self) -> None:
        self.empty_label.setVisible(self.vm.model.rowCount() == 0)
        backend = self.vm.ctx.backend
        if backend is not None and not backend.capabilities.task_list:
            # Alibaba Cloud has no API that lists conversion tasks; plain OCI registries
            # convert nothing by themselves.
            self.empty_label.setText(
                self.tr(
                    "This profile cannot list conversion tasks. Each tag's conversion "
                    "state and progress is shown next to it in Images."
                )
            )
        else:
            self.empty_label.setText(
                self.tr(
                    "No conversion tasks. Switch image acceleration on for a repository in "
                    "Images; each pushed tag then converts here."
                )
            )

    def _on_logs_appended(self, task_id: str, lines: list[TaskLogLine]) -> None:
        if task_id != self.vm.selected:
            return
        bar = self.log.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        self.log.appendPlainText("\n".join(line.message for line in lines))
        if at_end:
            self.log.moveCursor(QTextCursor.MoveOperation.End)

    def _on_cancel_clicked(self) -> None:
        task = self._current_task()
        if task is not None:
            self.cancel_button.setEnabled(False)
            self.vm.cancel(task.task_id)
