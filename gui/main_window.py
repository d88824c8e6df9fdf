"""The main window: left navigation, breadcrumbs, a profile and region switcher in the title
area, the five views, a status bar with connection, profile and region, and toasts.

Only the first page (Functions) is built with the window; every other page is a placeholder
until it is first shown (or asked for), so that the window appears fast and the modules a
page needs (charts, the acceleration report, …) are imported when it opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import CoreError
from gui.async_bridge import ask, async_slot
from gui.backend import FunctionInfo
from gui.context import AppContext
from gui.errors import UserMessage
from gui.i18n import arg
from gui.resources import icon
from gui.viewmodels.functions_vm import FunctionsViewModel
from gui.viewmodels.images_vm import ImagesViewModel
from gui.viewmodels.lab_vm import LabViewModel
from gui.viewmodels.seed_vm import seed_view_model
from gui.viewmodels.settings_vm import SettingsViewModel
from gui.viewmodels.tasks_vm import TasksViewModel
from gui.views.functions_view import FunctionsView
from gui.widgets.badge import badge_colors
from gui.widgets.breadcrumbs import Breadcrumbs
from gui.widgets.seed_banner import SeedStatusIndicator
from gui.widgets.toast import ToastArea

if TYPE_CHECKING:
    from gui.dialogs.function_dialog import FunctionDialog
    from gui.dialogs.palette_dialog import PaletteDialog
    from gui.palette import PaletteController
    from gui.viewmodels.demo_vm import DemoViewModel
    from gui.viewmodels.overview_vm import OverviewViewModel
    from gui.views.demo_view import DemoView
    from gui.views.images_view import ImagesView
    from gui.views.lab_view import LabView
    from gui.views.overview_view import OverviewView
    from gui.views.settings_view import SettingsView
    from gui.views.tasks_view import TasksView

__all__ = ["MainWindow", "Page"]


class Page:
    FUNCTIONS = 0
    IMAGES = 1
    LAB = 2
    TASKS = 3
    SETTINGS = 4
    OVERVIEW = 5
    DEMO = 6
    COUNT = 7


_CONNECTION_KIND = {
    "running": "ok",
    "connected": "ok",
    "starting": "busy",
    "connecting": "busy",
    "stopping": "busy",
    "failed": "bad",
    "stopped": "muted",
    "choice": "warn",
}


class MainWindow(QMainWindow):
    profileRequested = Signal(str)
    regionRequested = Signal(str)
    restartServerRequested = Signal()  # from Settings
    closed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        functions: FunctionsViewModel,
        images: ImagesViewModel,
        tasks: TasksViewModel,
        lab: LabViewModel,
        settings: SettingsViewModel,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self._previous_page = Page.FUNCTIONS
        self.functions_vm = functions
        self.images_vm = images
        self.tasks_vm = tasks
        self.lab_vm = lab
        self.settings_vm = settings
        functions.lab_model = lab.model  # type: ignore[attr-defined]
        self.setObjectName("mainWindow")
        self.setWindowTitle("fcdesk")
        self.setWindowIcon(icon("fcdesk", None))
        self.resize(1360, 860)
        self.setMinimumSize(QSize(960, 600))

        central = QWidget()
        central.setObjectName("central")
        self.setCentralWidget(central)
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        # -- title area
        header = QWidget()
        header.setObjectName("header")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(14, 8, 14, 8)
        logo = QLabel()
        logo.setPixmap(icon("fcdesk", None).pixmap(24, 24))
        hl.addWidget(logo)
        brand = QLabel("fcdesk")
        brand.setObjectName("brand")
        hl.addWidget(brand)
        hl.addSpacing(18)
        self.breadcrumbs = Breadcrumbs()
        hl.addWidget(self.breadcrumbs, 1)
        hl.addWidget(QLabel(self.tr("Profile:")))
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profileCombo")
        self.profile_combo.setAccessibleName(self.tr("Profile"))
        self.profile_combo.setMinimumWidth(160)
        hl.addWidget(self.profile_combo)
        hl.addWidget(QLabel(self.tr("Region:")))
        self.region_combo = QComboBox()
        self.region_combo.setObjectName("regionCombo")
        self.region_combo.setAccessibleName(self.tr("Region"))
        self.region_combo.setMinimumWidth(130)
        hl.addWidget(self.region_combo)
        self.refresh_button = QToolButton()
        self.refresh_button.setIcon(icon("refresh"))
        self.refresh_button.setToolTip(self.tr("Refresh (F5)"))
        self.refresh_button.setAccessibleName(self.tr("Refresh"))
        self.refresh_button.setAutoRaise(True)
        hl.addWidget(self.refresh_button)
        root.addWidget(header)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName(self.tr("Navigation"))
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(196)
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        entries = [
            ("functions", self.tr("Functions"), "Ctrl+1"),
            ("images", self.tr("Images"), "Ctrl+2"),
            ("lab", self.tr("Cold-start lab"), "Ctrl+3"),
            ("tasks", self.tr("Tasks"), "Ctrl+4"),
            ("settings", self.tr("Settings"), "Ctrl+5"),
        ]
        for name, text, key in entries:
            item = QListWidgetItem(icon(name), text)
            item.setToolTip(f"{text} ({key})")
            item.setSizeHint(QSize(180, 40))
            self.nav.addItem(item)
        body.addWidget(self.nav)

        # Pages 6 and 7: the acceleration overview and demo mode (titles as their views
        # word them: the views themselves are built when first opened).
        for name, text in (
            ("bolt", QCoreApplication.translate("OverviewView", "Overview")),
            ("play", QCoreApplication.translate("DemoView", "Demo mode")),
        ):
            key = f"Ctrl+{self.nav.count() + 1}"
            item = QListWidgetItem(icon(name), text)
            item.setToolTip(f"{text} ({key})")
            item.setSizeHint(QSize(180, 40))
            self.nav.addItem(item)

        self.stack = QStackedWidget()
        self._pages: list[Any] = [None] * Page.COUNT
        self._server_state_text = self.tr("Not started")
        self._overview_vm: OverviewViewModel | None = None
        self._palette: PaletteController | None = None
        self._demo_vm: DemoViewModel | None = None
        self._factories: list[Callable[[], Any]] = [
            lambda: FunctionsView(functions),
            self._make_images_view,
            self._make_lab_view,
            self._make_tasks_view,
            self._make_settings_view,
            self._make_overview_view,
            self._make_demo_view,
        ]
        for _ in range(Page.COUNT):
            self.stack.addWidget(QWidget())  # placeholders until each page is first shown
        self.functions_view: FunctionsView = self.page(Page.FUNCTIONS)
        body.addWidget(self.stack, 1)
        root.addLayout(body, 1)

        # -- status bar
        status = self.statusBar()
        status.setObjectName("statusBar")
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connectionLabel")
        self.connection_label.setAccessibleName(self.tr("Connection"))
        self.profile_label = QLabel()
        self.profile_label.setAccessibleName(self.tr("Profile"))
        self.region_label = QLabel()
        self.region_label.setAccessibleName(self.tr("Region"))
        self.live_label = QLabel()
        self.live_label.setAccessibleName(self.tr("Live updates"))
        self.jobs_label = QLabel()
        status.addWidget(self.connection_label)
        status.addWidget(self.profile_label)
        status.addWidget(self.region_label)
        self.seed_status = SeedStatusIndicator(seed_view_model(ctx))
        self.seed_status.activated.connect(lambda: self.go(Page.OVERVIEW))
        status.addWidget(self.seed_status)
        status.addPermanentWidget(self.jobs_label)
        status.addPermanentWidget(self.live_label)

        self.toasts = ToastArea(central)
        if QSystemTrayIcon.isSystemTrayAvailable():
            tray = QSystemTrayIcon(icon("fcdesk", None), self)
            tray.setToolTip("fcdesk")
            tray.show()
            self.toasts.tray = tray

        # -- wiring
        self.nav.currentRowChanged.connect(self._on_nav_row_changed)
        self.breadcrumbs.activated.connect(self._on_crumb_activated)
        self.refresh_button.clicked.connect(self.refresh_current)
        self.profile_combo.activated.connect(self._on_profile_combo_activated)
        self.region_combo.activated.connect(self._on_region_combo_activated)
        ctx.connectionChanged.connect(self._on_connection_changed)
        ctx.backendChanged.connect(self._on_backend_changed)
        ctx.notified.connect(lambda t, x, k: self.toasts.show_message(t, x, k))
        ctx.presenter.message.connect(self._on_presenter_message)
        ctx.events.liveChanged.connect(self._on_live_changed)
        ctx.jobs.runningChanged.connect(lambda _k, _r: self._update_jobs())
        settings.profilesChanged.connect(self._fill_profiles)
        settings.failed.connect(ctx.presenter.show)
        self.functions_view.createRequested.connect(self.open_create_dialog)
        self.functions_view.editRequested.connect(self.open_edit_dialog)
        self.functions_view.detail.deleteRequested.connect(self._confirm_delete)
        self.functions_view.detail.useAcceleratedRequested.connect(self._use_accelerated)
        self.functions_view.compareRequested.connect(self._compare_in_lab)
        functions.model.modelReset.connect(self._update_lab_choices)
        functions.model.rowsInserted.connect(lambda *_a: self._update_lab_choices())
        functions.functionChanged.connect(lambda _f: self._update_lab_choices())

        self._install_shortcuts()
        self._fill_profiles()
        self._on_connection_changed(ctx.connection_state, ctx.connection_detail)
        self._on_live_changed(False)
        self.nav.setCurrentRow(Page.FUNCTIONS)

    # -- navigation ---------------------------------------------------------------------
    def _install_shortcuts(self) -> None:
        for i in range(Page.COUNT):
            sc = QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self)
            sc.activated.connect(lambda i=i: self.go(i))
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self.focus_search)
        palette = QShortcut(QKeySequence("Ctrl+K"), self)
        palette.setContext(Qt.ShortcutContext.ApplicationShortcut)
        palette.activated.connect(self.open_palette)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self).activated.connect(self.refresh_current)
        QShortcut(QKeySequence.StandardKey.New, self).activated.connect(self.open_create_dialog)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.functions_view).activated.connect(
            self.functions_view.show_list
        )
        quit_action = QAction(self.tr("Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)

    # -- pages, built on first use ------------------------------------------------------
    def page(self, index: int) -> Any:
        """The view of page ``index``, built (in place of its placeholder) on first use."""
        view = self._pages[index]
        if view is not None:
            return view
        view = self._factories[index]()
        self._pages[index] = view
        current = self.stack.currentIndex()
        placeholder = self.stack.widget(index)
        self.stack.insertWidget(index, view)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        if current >= 0:
            self.stack.setCurrentIndex(current)
        view.crumbsChanged.connect(self._on_view_crumbs)
        return view

    def page_built(self, index: int) -> bool:
        return self._pages[index] is not None

    @property
    def views(self) -> list[Any]:
        """Every page's view (builds the pages not built yet)."""
        return [self.page(i) for i in range(Page.COUNT)]

    @property
    def images_view(self) -> ImagesView:
        return self.page(Page.IMAGES)  # type: ignore[no-any-return]

    @property
    def lab_view(self) -> LabView:
        return self.page(Page.LAB)  # type: ignore[no-any-return]

    @property
    def tasks_view(self) -> TasksView:
        return self.page(Page.TASKS)  # type: ignore[no-any-return]

    @property
    def settings_view(self) -> SettingsView:
        return self.page(Page.SETTINGS)  # type: ignore[no-any-return]

    @property
    def overview_view(self) -> OverviewView:
        return self.page(Page.OVERVIEW)  # type: ignore[no-any-return]

    @property
    def demo_view(self) -> DemoView:
        return self.page(Page.DEMO)  # type: ignore[no-any-return]

    @property
    def overview_vm(self) -> OverviewViewModel:
        if self._overview_vm is None:
            from gui.dialogs.profile_dialog import REGIONS
            from gui.viewmodels.overview_vm import OverviewViewModel, SettingsTargets

            targets = SettingsTargets(self.ctx, self.settings_vm, lambda: REGIONS)
            self._overview_vm = OverviewViewModel(self.ctx, targets, self)
        return self._overview_vm

    @property
    def demo_vm(self) -> DemoViewModel:
        if self._demo_vm is None:
            from gui.viewmodels.demo_vm import DemoViewModel

            self._demo_vm = DemoViewModel(self.ctx, self.lab_vm, parent=self)
        return self._demo_vm

    def _make_images_view(self) -> ImagesView:
        from gui.views.images_view import ImagesView

        view = ImagesView(self.images_vm)
        view.showTaskRequested.connect(self._show_task)
        return view

    def _make_lab_view(self) -> LabView:
        from gui.views.lab_view import LabView

        view = LabView(self.lab_vm)
        view.set_choices(*self._lab_choices())
        return view

    def _make_tasks_view(self) -> TasksView:
        from gui.views.tasks_view import TasksView

        return TasksView(self.tasks_vm)

    def _make_settings_view(self) -> SettingsView:
        from gui.views.settings_view import SettingsView

        view = SettingsView(self.settings_vm)
        view.profileActivated.connect(self.profileRequested.emit)
        view.restartServerRequested.connect(self.restartServerRequested.emit)
        view.set_server_state(self._server_state_text)
        return view

    def _make_overview_view(self) -> OverviewView:
        from gui.views.overview_view import OverviewView

        view = OverviewView(self.overview_vm)
        self.settings_vm.profilesChanged.connect(view.fill_targets)
        return view

    def _make_demo_view(self) -> DemoView:
        from gui.views.demo_view import DemoView

        view = DemoView(self.demo_vm)
        view.leaveRequested.connect(lambda: self.go(self._previous_page))
        return view

    def go(self, page: int) -> None:
        self.nav.setCurrentRow(page)

    def current_page(self) -> int:
        return self.stack.currentIndex()

    def _on_nav_row_changed(self, row: int) -> None:
        if row < 0:
            return
        if self.stack.currentIndex() != Page.DEMO:
            self._previous_page = max(0, self.stack.currentIndex())
        view = self.page(row)
        self.stack.setCurrentIndex(row)
        self.breadcrumbs.set_path(view.crumbs())
        if row == Page.LAB:
            self._update_lab_choices()

    def _on_view_crumbs(self, crumbs: list[str]) -> None:
        if self.sender() is self.stack.currentWidget():
            self.breadcrumbs.set_path(crumbs)

    def _on_crumb_activated(self, index: int) -> None:
        if index == 0 and self.current_page() == Page.FUNCTIONS:
            self.functions_view.show_list()

    def focus_search(self) -> None:
        view = self.stack.currentWidget()
        focus = getattr(view, "focus_search", None)
        if focus is None:
            self.go(Page.FUNCTIONS)
            focus = self.functions_view.focus_search
        focus()

    def refresh_current(self) -> None:
        view = self.stack.currentWidget()
        refresh = getattr(view, "refresh", None)
        if refresh is not None:
            refresh()

    # -- profile / region ---------------------------------------------------------------
    def _fill_profiles(self) -> None:
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for name in self.settings_vm.profile_names():
            kind = self.settings_vm.profile_kind(name)
            self.profile_combo.addItem(
                icon({"local": "server", "aliyun": "cloud"}.get(kind, "registry")), name, name
            )
        self.profile_combo.setCurrentIndex(
            max(0, self.profile_combo.findData(self.ctx.profile_name))
        )
        self.profile_combo.blockSignals(False)
        self._fill_regions()

    def _fill_regions(self) -> None:
        self.region_combo.blockSignals(True)
        self.region_combo.clear()
        if self.ctx.profile_kind == "aliyun":
            from gui.dialogs.profile_dialog import REGIONS

            for region in REGIONS:
                self.region_combo.addItem(region, region)
            if self.ctx.region and self.region_combo.findData(self.ctx.region) < 0:
                self.region_combo.addItem(self.ctx.region, self.ctx.region)
            self.region_combo.setCurrentIndex(max(0, self.region_combo.findData(self.ctx.region)))
            self.region_combo.setEnabled(True)
        else:
            label = self.tr("local") if self.ctx.profile_kind == "local" else "—"
            self.region_combo.addItem(label, "")
            self.region_combo.setEnabled(False)
        self.region_combo.blockSignals(False)

    def _on_profile_combo_activated(self, _i: int) -> None:
        name = self.profile_combo.currentData()
        if name and name != self.ctx.profile_name:
            self.profileRequested.emit(str(name))

    def _on_region_combo_activated(self, _i: int) -> None:
        region = self.region_combo.currentData()
        if region and region != self.ctx.region:
            self.regionRequested.emit(str(region))

    def _on_backend_changed(self) -> None:
        self._fill_profiles()
        backend = self.ctx.backend
        self.profile_label.setText(arg(self.tr("Profile: %1"), self.ctx.profile_name))
        region = self.ctx.region or (self.tr("local") if self.ctx.profile_kind == "local" else "—")
        self.region_label.setText(arg(self.tr("Region: %1"), region))
        has_functions = backend is None or backend.capabilities.functions
        self.nav.item(Page.FUNCTIONS).setHidden(not has_functions)
        self.nav.item(Page.LAB).setHidden(
            backend is not None and not backend.capabilities.coldstart
        )
        if not has_functions and self.current_page() == Page.FUNCTIONS:
            self.go(Page.IMAGES)

    def _on_connection_changed(self, state: str, detail: str) -> None:
        text = {
            "running": self.tr("Local server running"),
            "connected": self.tr("Connected"),
            "starting": self.tr("Starting the Local server…"),
            "connecting": self.tr("Connecting…"),
            "stopping": self.tr("Stopping…"),
            "failed": self.tr("Not connected"),
            "stopped": self.tr("Not connected"),
            "choice": self.tr("Waiting for a choice"),
        }.get(state, state)
        bg, fg = badge_colors(_CONNECTION_KIND.get(state, "muted"), self.palette())
        del bg
        self.connection_label.setText(f'<span style="color:{fg.name()}">●</span> {text}')
        self.connection_label.setToolTip(detail or text)

    def set_local_server_state(self, state: str, detail: str = "") -> None:
        """Settings › Local server › State: the Local server's own state (whichever profile
        is in use; a cloud profile's connection errors are not the Local server's)."""
        text = {
            "running": self.tr("Running"),
            "connected": self.tr("Running (started by another fcdesk or fcaccel serve)"),
            "starting": self.tr("Starting…"),
            "stopping": self.tr("Stopping…"),
            "failed": self.tr("Failed"),
            "stopped": self.tr("Stopped"),
        }.get(state, state)
        self._server_state_text = f"{text} · {detail}" if detail else text
        if self.page_built(Page.SETTINGS):
            self.settings_view.set_server_state(self._server_state_text)

    def _on_live_changed(self, live: bool) -> None:
        self.live_label.setText(self.tr("● live") if live else self.tr("○ polling"))
        self.live_label.setToolTip(
            self.tr("Updates arrive from the server's event stream.")
            if live
            else self.tr("Updates are polled.")
        )

    def _update_jobs(self) -> None:
        keys = [
            k
            for k in self.ctx.jobs.running_keys()
            if not k.startswith(("events", "fn-watch", "fn-logs", "palette-"))
        ]
        self.jobs_label.setText(self.tr("%n job(s) running", "", len(keys)) if keys else "")

    def _on_presenter_message(self, msg: UserMessage) -> None:
        text = msg.text + (f"\n{msg.hint}" if msg.hint else "")
        self.toasts.show_message(msg.title, text, "bad")

    # -- function dialogs ---------------------------------------------------------------
    def open_create_dialog(self) -> FunctionDialog | None:
        backend = self.ctx.backend
        if backend is None or not backend.capabilities.functions:
            return None
        self.go(Page.FUNCTIONS)
        return self._open_function_dialog(None)

    def open_edit_dialog(self, info: FunctionInfo) -> FunctionDialog:
        return self._open_function_dialog(info)

    def _open_function_dialog(self, info: FunctionInfo | None) -> FunctionDialog:
        from gui.dialogs.function_dialog import FunctionDialog

        dialog = FunctionDialog(self.ctx, info, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saveRequested.connect(self._on_dialog_save)
        dialog.open()
        self.function_dialog = dialog
        return dialog

    def _on_dialog_save(self, spec: object, creating: bool) -> None:
        from shiboken6 import isValid

        from gui.backend import FunctionSpec
        from gui.dialogs.function_dialog import FunctionDialog

        assert isinstance(spec, FunctionSpec)
        dialog = self.sender()
        assert isinstance(dialog, FunctionDialog)

        def open_dialog() -> FunctionDialog | None:
            return dialog if isValid(dialog) and dialog.isVisible() else None

        def saved(info: FunctionInfo) -> None:
            if (d := open_dialog()) is not None:
                d.save_succeeded()
            self.ctx.notify(
                self.tr("Function created") if creating else self.tr("Function updated"),
                arg(self.tr("%1 is being deployed…"), info.name),
                "info",
            )
            self.functions_view.open_function(info.name)

        def progress(event: object) -> None:  # waiting for the accelerated image
            if (d := open_dialog()) is not None:
                d.show_wait_progress(event)

        def failed(exc: BaseException) -> None:
            if (d := open_dialog()) is not None:
                d.save_failed(exc)  # the dialog keeps the input and says what is wrong
            else:
                self.ctx.presenter.show(exc)  # closed meanwhile: say it anyway

        try:
            self.functions_vm.save(
                spec,
                creating=creating,
                on_done=saved,
                on_error=failed,
                wait=dialog.wait_choice(),
                on_progress=progress,
            )
        except CoreError as exc:  # not connected: said in the dialog
            failed(exc)

    @async_slot()
    async def _confirm_delete(self, name: str) -> None:
        answer = await ask(
            self,
            self.tr("Delete function"),
            arg(self.tr("Delete the function “%1”?"), name),
            informative=self.tr("This cannot be undone."),
            default=QMessageBox.StandardButton.No,
            icon=QMessageBox.Icon.Warning,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.functions_vm.delete(name)

    def _use_accelerated(self, info: FunctionInfo) -> None:
        from dataclasses import replace

        from core.cloud import accelerated_twin

        twin = accelerated_twin(info.image)
        if twin is not None:
            info = replace(info, image=twin)
        self.open_edit_dialog(info)

    def open_palette(self) -> PaletteDialog:
        """Ctrl+K: find any function, repository, tag, task or action."""
        if self._palette is None:
            from gui.palette import PaletteController

            self._palette = PaletteController(self)
        return self._palette.open()

    def compare_in_lab(self, name: str) -> None:
        self._compare_in_lab(name)

    def show_task(self, task_id: str) -> None:
        self._show_task(task_id)

    def _compare_in_lab(self, name: str) -> None:
        self.go(Page.LAB)
        self._update_lab_choices()
        self.lab_view.preset("functions", name)

    def _show_task(self, task_id: str) -> None:
        self.go(Page.TASKS)
        self.tasks_view.select_task(task_id)

    def _lab_choices(self) -> tuple[list[str], list[str], dict[str, str]]:
        rows = self.functions_vm.model.rows
        return (
            [r.name for r in rows],
            sorted({r.image for r in rows if r.image}),
            {r.name: r.image for r in rows if r.image},
        )

    def _update_lab_choices(self) -> None:
        if self.page_built(Page.LAB):
            self.lab_view.set_choices(*self._lab_choices())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            # the connection dot's colour depends on the palette
            self._on_connection_changed(self.ctx.connection_state, self.ctx.connection_detail)

    # -- closing ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.toasts.tray is not None:
            self.toasts.tray.hide()
        super().closeEvent(event)
        self.closed.emit()
