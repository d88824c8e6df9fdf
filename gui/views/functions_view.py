"""Functions: the table (search, sorting, lazy paging, lazy per-row state) and the detail
page, in one stacked view."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.backend import FunctionInfo
from gui.i18n import arg
from gui.models._base import AnyIndex
from gui.models.functions_model import Col, Roles
from gui.resources import icon
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.views.function_detail_view import FunctionDetailView
from gui.widgets.badge import BadgeDelegate
from gui.widgets.search_field import SearchField

__all__ = ["FunctionsView"]


class _FunctionsProxy(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(Roles.Sort)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        a = left.data(Roles.Sort)
        b = right.data(Roles.Sort)
        if a is None:
            a = left.data(Qt.ItemDataRole.DisplayRole) or ""
        if b is None:
            b = right.data(Qt.ItemDataRole.DisplayRole) or ""
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


class FunctionsView(QWidget):
    """Signals ``crumbsChanged`` with its breadcrumb path."""

    crumbsChanged = Signal(list)
    createRequested = Signal()
    editRequested = Signal(object)  # FunctionInfo
    compareRequested = Signal(str)  # function name → lab

    def __init__(self, vm: FunctionsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setObjectName("functionsView")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)

        # -- list page
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 12)
        header = QHBoxLayout()
        title = QLabel(self.tr("Functions"))
        title.setObjectName("pageTitle")
        header.addWidget(title)
        header.addStretch(1)
        self.search = SearchField(self.tr("Search functions"))
        header.addWidget(self.search)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh functions"))
        header.addWidget(self.refresh_button)
        self.create_button = QPushButton(icon("plus"), self.tr("Create function"))
        self.create_button.setObjectName("primaryButton")
        self.create_button.setAccessibleName(self.tr("Create function"))
        header.addWidget(self.create_button)
        layout.addLayout(header)

        self.proxy = _FunctionsProxy(self)
        self.proxy.setSourceModel(vm.model)
        self.table = QTableView()
        self.table.setObjectName("functionsTable")
        self.table.setAccessibleName(self.tr("Functions"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Col.MODIFIED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(Col.IMAGE, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (Col.NAME, 200),
            (Col.ACCEL, 150),
            (Col.STATE, 100),
            (Col.UPDATE, 150),
            (Col.RESOURCES, 150),
            (Col.MODIFIED, 140),
        ):
            self.table.setColumnWidth(col, width)
        badge = BadgeDelegate(Roles.Badge, self.table)
        for col in (Col.ACCEL, Col.STATE, Col.UPDATE):
            self.table.setItemDelegateForColumn(col, badge)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(self.tr("No functions yet. Create one to get started."))
        self.empty_label.setObjectName("emptyHint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label, 1)  # in the table's place: the footer stays below
        self.footer = QLabel()
        self.footer.setObjectName("footerLabel")
        layout.addWidget(self.footer)
        self.stack.addWidget(page)

        # -- detail page
        self.detail = FunctionDetailView(vm)
        self.stack.addWidget(self.detail)

        self._visible_timer = QTimer(self)
        self._visible_timer.setSingleShot(True)
        self._visible_timer.setInterval(60)
        self._visible_timer.timeout.connect(self._request_visible_details)

        self.search.searchChanged.connect(self._on_search_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.create_button.clicked.connect(self.createRequested.emit)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.activated.connect(self._on_table_double_clicked)
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self._visible_timer.start())
        for sig in (vm.model.rowsInserted, vm.model.modelReset, self.proxy.layoutChanged):
            sig.connect(lambda *_a: self._visible_timer.start())
        vm.model.modelReset.connect(self._update_footer)
        vm.model.rowsInserted.connect(self._update_footer)
        vm.model.rowsRemoved.connect(self._update_footer)
        vm.loadingChanged.connect(lambda _l: self._update_footer())
        vm.ctx.backendChanged.connect(self._update_footer)
        vm.ctx.connectionChanged.connect(lambda _s, _d: self._update_footer())
        vm.functionRemoved.connect(self._on_vm_function_removed)
        from gui.viewmodels.seed_vm import seed_view_model

        self._seed = seed_view_model(vm.ctx)
        self._seed.changed.connect(lambda _state: self._update_footer())
        self.detail.backRequested.connect(self.show_list)
        self.detail.tabs.currentChanged.connect(lambda _i: self.crumbsChanged.emit(self.crumbs()))
        self.detail.editRequested.connect(self.editRequested.emit)
        self.detail.compareRequested.connect(self.compareRequested.emit)
        self._update_footer()

    # -- navigation ---------------------------------------------------------------------
    def crumbs(self) -> list[str]:
        if self.stack.currentWidget() is self.detail and self.detail.name:
            return [self.tr("Functions"), self.detail.name, self.detail.current_tab_title()]
        return [self.tr("Functions")]

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.crumbsChanged.emit(self.crumbs())

    def open_function(self, name: str) -> None:
        info = self.vm.model.get(name) or FunctionInfo(name=name)
        self.detail.show_function(info)
        self.stack.setCurrentWidget(self.detail)
        self.crumbsChanged.emit(self.crumbs())
        self.vm.refresh_function(name)

    def refresh(self) -> None:
        if self.stack.currentWidget() is self.detail and self.detail.name:
            self.vm.refresh_function(self.detail.name)
        else:
            self.vm.reload(self._server_prefix(self.search.text()))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- slots --------------------------------------------------------------------------
    @staticmethod
    def _server_prefix(text: str) -> str:
        """ListFunctions filters by prefix server-side; other searches filter locally."""
        text = text.strip()
        return text if text and " " not in text and "*" not in text else ""

    def _on_search_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if self.vm.model.has_more:
            self.vm.reload(self._server_prefix(text))
        self._update_footer()

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        name = index.data(Roles.Key)
        if name:
            self.open_function(str(name))

    def _on_vm_function_removed(self, name: str) -> None:
        if self.detail.name == name:
            self.show_list()

    def _request_visible_details(self) -> None:
        model = self.proxy
        rows = model.rowCount()
        if not rows:
            return
        vp = self.table.viewport()
        first = self.table.rowAt(0)
        last = self.table.rowAt(vp.height() - 1)
        first = max(first, 0)
        last = rows - 1 if last < 0 else last
        names = []
        for r in range(first, min(rows, last + 3)):
            name = model.index(r, 0).data(Roles.Key)
            if name:
                names.append(str(name))
        self.vm.request_details(names)

    def _empty_text(self) -> str:
        """Why the list is empty: not connected yet, a profile without functions, a failed
        listing, or really no functions."""
        if self.vm.list_error:
            return arg(self.tr("The functions could not be listed: %1"), self.vm.list_error)
        ctx = self.vm.ctx
        backend = ctx.backend
        if backend is None:
            if ctx.connection_state in ("starting", "connecting", "choice"):
                return self.tr("Connecting… The functions appear once the profile is connected.")
            return self.tr("Not connected. The functions appear once the profile is connected.")
        if not backend.capabilities.functions:
            return self.tr(
                "This profile is a plain OCI registry: it has no functions. Its images are "
                "under Images; use the Local or an Alibaba Cloud profile for functions."
            )
        if self._seed.state.state == "running":
            # First start of the Local server: the demo is being set up, not "no functions".
            return self.tr(
                "The Local server is setting up its demo: the functions demo-plain and "
                "demo-accelerated appear here in a few seconds."
            )
        return self.tr("No functions yet. Create one to get started.")

    def _update_footer(self) -> None:
        total = self.vm.model.rowCount()
        shown = self.proxy.rowCount()
        self.empty_label.setVisible(total == 0 and not self.vm.loading)
        self.empty_label.setText(self._empty_text())
        self.table.setVisible(total > 0 or self.vm.loading)
        text = self.tr("%n function(s)", "", total)
        if shown != total:
            text = arg(self.tr("%1 of %2 shown"), str(shown), text)
        if self.vm.model.has_more:
            text += " · " + self.tr("scroll for more")
        if self.vm.loading:
            text += " · " + self.tr("loading…")
        self.footer.setText(text)
